// small_op and batch_dot: one eager RunOp per request.
//   small_op  — add of two small inline float32 tensors: the cost of one tiny
//               op, i.e. the RPC round trip plus dispatch.
//   batch_dot — K.batch_dot of two session-held variables (--x-shape,
//               --y-shape, --axes): only their handles travel, so this is
//               compute on the server plus the result's bytes.
#include "absl/strings/str_cat.h"
#include "tools/load/scenario_factories.h"
#include "tools/load/session_scenario.h"

namespace remotek::load {
namespace {

class RunOpScenario : public SessionScenario {
 public:
  RunOpScenario(ScenarioKind kind, const WorkerContext& context,
                client::Session session, v1::RunOpRequest request)
      : SessionScenario(kind, context, std::move(session)),
        request_(std::move(request)) {
    request_.set_session_id(session_id());
    request_bytes_ = static_cast<int64_t>(request_.ByteSizeLong());
  }

  RequestOutcome RunOnce() override {
    return TimedUnary(&v1::RemoteK::Stub::RunOp, request_, request_bytes_);
  }

 private:
  v1::RunOpRequest request_;
  int64_t request_bytes_ = 0;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Scenario>> CreateSmallOpScenario(
    const WorkerContext& context) {
  auto session = SessionScenario::OpenSession(context);
  if (!session.ok()) return session.status();
  v1::RunOpRequest request;
  request.set_op("add");
  ToWire(RampTensor({2, 4}), request.add_args()->mutable_tensor());
  ToWire(RampTensor({2, 4}), request.add_args()->mutable_tensor());
  return std::make_unique<RunOpScenario>(
      ScenarioKind::kSmallOp, context, *std::move(session), std::move(request));
}

absl::StatusOr<std::unique_ptr<Scenario>> CreateBatchDotScenario(
    const WorkerContext& context) {
  const LoadOptions& options = *context.options;
  auto session = SessionScenario::OpenSession(context);
  if (!session.ok()) return session.status();
  // Seeded so every worker (and every run) multiplies the same values.
  auto x =
      session->random_uniform_variable(options.x_shape, -1, 1, /*seed=*/11);
  if (!x.ok()) return x.status();
  auto y =
      session->random_uniform_variable(options.y_shape, -1, 1, /*seed=*/12);
  if (!y.ok()) return y.status();
  v1::RunOpRequest request;
  request.set_op("batch_dot");
  request.add_args()->set_handle(x->handle);
  request.add_args()->set_handle(y->handle);
  v1::IntList* axes = (*request.mutable_attrs())["axes"].mutable_ints();
  for (int64_t a : options.axes) axes->add_values(a);
  return std::make_unique<RunOpScenario>(ScenarioKind::kBatchDot, context,
                                         *std::move(session),
                                         std::move(request));
}

}  // namespace remotek::load
