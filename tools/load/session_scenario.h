// SessionScenario: the base of scenarios whose timed request runs against one
// session that the worker set up beforehand (every scenario but churn). It
// owns the client-library Session, so the server-side session is closed when
// the worker's scenario is destroyed.
//
// Thread-safety: belongs to one worker thread.
#ifndef REMOTEK_TOOLS_LOAD_SESSION_SCENARIO_H_
#define REMOTEK_TOOLS_LOAD_SESSION_SCENARIO_H_

#include <string>
#include <utility>

#include "tools/load/rpc_util.h"
#include "tools/load/scenario.h"

namespace remotek::load {

class SessionScenario : public Scenario {
 public:
  // Opens the session every such scenario starts from.
  static absl::StatusOr<client::Session> OpenSession(
      const WorkerContext& context) {
    client::Client client(context.channel);
    client::SessionOptions options;
    options.backend = context.options->backend;
    return client.create_session(options);
  }

 protected:
  SessionScenario(ScenarioKind kind, const WorkerContext& context,
                  client::Session session)
      : kind_(kind),
        options_(*context.options),
        stub_(context.stub),
        session_(std::move(session)) {}

  // One unary RPC of the timed loop. `request_bytes` is the request's
  // serialized size, measured once at setup because the request never changes.
  template <typename Request, typename Response>
  RequestOutcome TimedUnary(
      grpc::Status (v1::RemoteK::Stub::*method)(grpc::ClientContext*,
                                                const Request&, Response*),
      const Request& request, int64_t request_bytes) {
    grpc::ClientContext context;
    PrepareContext(options_, session_.id(), &context);
    Response response;
    RequestOutcome outcome;
    outcome.scenario = kind_;
    outcome.status = (stub_->*method)(&context, request, &response);
    outcome.bytes_sent = request_bytes;
    if (outcome.status.ok()) {
      outcome.bytes_received = static_cast<int64_t>(response.ByteSizeLong());
    }
    return outcome;
  }

  const std::string& session_id() const { return session_.id(); }
  const client::Session& session() const { return session_; }

  const ScenarioKind kind_;
  const LoadOptions& options_;
  v1::RemoteK::Stub* const stub_;

 private:
  client::Session session_;
};

}  // namespace remotek::load

#endif  // REMOTEK_TOOLS_LOAD_SESSION_SCENARIO_H_
