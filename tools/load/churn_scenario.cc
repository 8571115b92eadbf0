// churn: one whole session lifetime per request — CreateSession, BuildGraph
// (placeholder, seeded variable, dot), Function, Call, ClearSession,
// CloseSession: six RPCs. It measures the session manager and graph
// compiler, and (run long) shows whether creating and dropping sessions leaks.
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/load/rpc_util.h"
#include "tools/load/scenario_factories.h"

namespace remotek::load {
namespace {

// 128 random bits as 32 lowercase hex digits (CreateSessionRequest.session_id).
std::string NewSessionId() {
  thread_local std::mt19937_64 bits{std::random_device{}()};
  return absl::StrFormat("%016x%016x", bits(), bits());
}

class ChurnScenario : public Scenario {
 public:
  explicit ChurnScenario(const WorkerContext& context)
      : options_(*context.options), stub_(context.stub) {
    create_.set_backend(options_.backend);
    v1::GraphNode* x = graph_.add_nodes();
    x->mutable_placeholder()->set_name("x");
    x->mutable_placeholder()->set_dtype(v1::FLOAT32);
    x->mutable_placeholder()->mutable_shape()->add_dims(-1);
    x->mutable_placeholder()->mutable_shape()->add_dims(8);
    v1::VariableRequest* w = graph_.add_nodes()->mutable_variable();
    w->set_name("w");
    v1::Initializer* init = w->mutable_initializer();
    init->set_kind(v1::Initializer::RANDOM_NORMAL);
    init->add_shape(8);
    init->add_shape(4);
    init->set_has_seed(true);
    init->set_seed(1);
    v1::OpNodeRequest* y = graph_.add_nodes()->mutable_op();
    y->set_name("y");
    y->set_op("dot");
    y->add_inputs("x");
    y->add_inputs("w");
    ToWire(RampTensor({4, 8}), call_.add_feeds());
  }

  RequestOutcome RunOnce() override {
    RequestOutcome outcome;
    outcome.scenario = ScenarioKind::kChurn;
    v1::SessionInfo info;
    // Proposed here and sent as the session header, as the clients do, so a
    // session-affine proxy creates the session where its calls will go.
    create_.set_session_id(NewSessionId());
    outcome.status = Unary(&v1::RemoteK::Stub::CreateSession, create_.session_id(), create_,
                           &info, &outcome);
    if (!outcome.status.ok()) return outcome;
    const std::string& id = info.session_id();
    outcome.status = BuildAndCall(id, &outcome);
    if (!outcome.status.ok()) {
      // Leave nothing behind; the failure already explains the request.
      v1::SessionRequest close;
      close.set_session_id(id);
      v1::Empty empty;
      RequestOutcome ignored;
      Unary(&v1::RemoteK::Stub::CloseSession, id, close, &empty, &ignored);
      return outcome;
    }
    v1::SessionRequest session;
    session.set_session_id(id);
    v1::SessionInfo cleared;
    outcome.status = Unary(&v1::RemoteK::Stub::ClearSession, id, session,
                           &cleared, &outcome);
    if (!outcome.status.ok()) return outcome;
    v1::Empty empty;
    outcome.status =
        Unary(&v1::RemoteK::Stub::CloseSession, id, session, &empty, &outcome);
    return outcome;
  }

 private:
  grpc::Status BuildAndCall(const std::string& id, RequestOutcome* outcome) {
    graph_.set_session_id(id);
    v1::BuildGraphResponse built;
    grpc::Status status =
        Unary(&v1::RemoteK::Stub::BuildGraph, id, graph_, &built, outcome);
    if (!status.ok()) return status;
    if (built.nodes_size() != 3) {
      return grpc::Status(grpc::StatusCode::INTERNAL,
                          absl::StrCat("churn: BuildGraph returned ",
                                       built.nodes_size(), " nodes for 3"));
    }
    v1::FunctionRequest function;
    function.set_session_id(id);
    function.add_inputs(built.nodes(0).handle());
    function.add_outputs(built.nodes(2).handle());
    v1::FunctionInfo compiled;
    status =
        Unary(&v1::RemoteK::Stub::Function, id, function, &compiled, outcome);
    if (!status.ok()) return status;
    call_.set_session_id(id);
    call_.set_function(compiled.handle());
    v1::CallResponse called;
    return Unary(&v1::RemoteK::Stub::Call, id, call_, &called, outcome);
  }

  // One RPC of the sequence, adding its message sizes to `outcome`.
  template <typename Request, typename Response>
  grpc::Status Unary(grpc::Status (v1::RemoteK::Stub::*method)(
                         grpc::ClientContext*, const Request&, Response*),
                     const std::string& session_id, const Request& request,
                     Response* response, RequestOutcome* outcome) {
    grpc::ClientContext context;
    PrepareContext(options_, session_id, &context);
    grpc::Status status = (stub_->*method)(&context, request, response);
    outcome->bytes_sent += static_cast<int64_t>(request.ByteSizeLong());
    if (status.ok())
      outcome->bytes_received += static_cast<int64_t>(response->ByteSizeLong());
    return status;
  }

  const LoadOptions& options_;
  v1::RemoteK::Stub* const stub_;
  v1::CreateSessionRequest create_;
  v1::BuildGraphRequest graph_;
  v1::CallRequest call_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Scenario>> CreateChurnScenario(
    const WorkerContext& context) {
  // Nothing to set up: the session is the thing being measured.
  return std::make_unique<ChurnScenario>(context);
}

}  // namespace remotek::load
