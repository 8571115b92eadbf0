// mlp: one K.function call of an MLP forward pass per request. Setup builds
// dense layers (dot + bias add, relu between layers, softmax at the end) from
// --layers (input width, hidden widths..., output width) with seeded weights
// and compiles them into one function; each request feeds a --batch x input
// tensor and gets batch x output probabilities back.
#include "absl/strings/str_cat.h"
#include "tools/load/scenario_factories.h"
#include "tools/load/session_scenario.h"

namespace remotek::load {
namespace {

class MlpScenario : public SessionScenario {
 public:
  MlpScenario(const WorkerContext& context, client::Session session,
              const std::string& function, const client::HostTensor& input)
      : SessionScenario(ScenarioKind::kMlp, context, std::move(session)) {
    request_.set_session_id(session_id());
    request_.set_function(function);
    ToWire(input, request_.add_feeds());
    request_bytes_ = static_cast<int64_t>(request_.ByteSizeLong());
  }

  RequestOutcome RunOnce() override {
    return TimedUnary(&v1::RemoteK::Stub::Call, request_, request_bytes_);
  }

 private:
  v1::CallRequest request_;
  int64_t request_bytes_ = 0;
};

// The forward pass's output node; the graph lives in `session`.
absl::StatusOr<client::Node> BuildMlp(const client::Session& session,
                                      const std::vector<int64_t>& layers,
                                      const client::Node& input) {
  client::Node h = input;
  for (size_t i = 1; i < layers.size(); ++i) {
    // Small weights keep softmax away from saturation, as Keras's
    // initializers would.
    auto w =
        session.random_normal_variable({layers[i - 1], layers[i]}, 0.0, 0.1,
                                       /*seed=*/100 + i);
    if (!w.ok()) return w.status();
    auto b = session.zeros({layers[i]});
    if (!b.ok()) return b.status();
    auto xw = session.dot(h, *w);
    if (!xw.ok()) return xw.status();
    auto z = session.add(*xw, *b);
    if (!z.ok()) return z.status();
    auto a = i + 1 == layers.size() ? session.softmax(*z) : session.relu(*z);
    if (!a.ok()) return a.status();
    h = *std::move(a);
  }
  return h;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Scenario>> CreateMlpScenario(
    const WorkerContext& context) {
  const LoadOptions& options = *context.options;
  auto session = SessionScenario::OpenSession(context);
  if (!session.ok()) return session.status();
  auto x = session->placeholder({-1, options.layers.front()},
                                client::DType::kFloat32);
  if (!x.ok()) return x.status();
  auto out = BuildMlp(*session, options.layers, *x);
  if (!out.ok()) return out.status();
  auto f = session->function({*x}, {*out});
  if (!f.ok()) return f.status();
  return std::make_unique<MlpScenario>(
      context, *std::move(session), f->handle(),
      RampTensor({options.batch, options.layers.front()}));
}

}  // namespace remotek::load
