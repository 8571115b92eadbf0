// Deadlines and cancellation through a real server: a call whose client gives
// up stops computing (at the next op boundary, or between the blocks of a long
// product), frees its intermediates and applies none of its updates; the
// session stays usable. A call that was not stopped would apply its update
// whenever it finished, so "the variable is unchanged once the session is
// idle again" proves that the server stopped, without timing anything.
#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "remotek/v1/remotek.grpc.pb.h"
#include "tests/support/server_process.h"

namespace remotek::testing {
namespace {

using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

constexpr int64_t kN = 2048;     // a (kN x kN) product is ~17 GFLOP
constexpr int kChainLength = 48;  // minutes of work if nothing stopped it

std::unique_ptr<grpc::ClientContext> Ctx(const std::string& session,
                                         std::chrono::milliseconds deadline) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + deadline);
  if (!session.empty()) ctx->AddMetadata("remotek-session-id", session);
  return ctx;
}

class CancellationTest : public ::testing::Test {
 protected:
  static constexpr std::chrono::seconds kPatient{60};

  void SetUp() override {
    auto server = ServerProcess::Start({"--threads=4"});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = v1::RemoteK::NewStub(server_->Channel());
    v1::CreateSessionRequest create;
    v1::SessionInfo info;
    ASSERT_TRUE(stub_->CreateSession(Ctx("", kPatient).get(), create, &info).ok());
    session_ = info.session_id();

    // a: kN x kN, entries in [0, 2/kN) so that chained products stay near 1.
    v1::VariableRequest a;
    a.set_session_id(session_);
    a.set_name("a");
    v1::Initializer* init = a.mutable_initializer();
    init->set_kind(v1::Initializer::RANDOM_UNIFORM);
    init->add_shape(kN);
    init->add_shape(kN);
    init->set_low(0);
    init->set_high(2.0 / kN);
    init->set_has_seed(true);
    init->set_seed(7);
    Node(&v1::RemoteK::Stub::Variable, a);
    Counter("calls");
    Counter("other");
    v1::VariableRequest one;
    one.set_session_id(session_);
    one.set_name("one");
    one.mutable_initializer()->set_kind(v1::Initializer::ONES);
    one.mutable_initializer()->add_shape(1);
    Node(&v1::RemoteK::Stub::Variable, one);

    // long: a . a . a ... (kChainLength products), summed; calls <- calls + 1.
    std::string x = "a";
    for (int i = 0; i < kChainLength; ++i) x = Op("dot", {x, "a"});
    const std::string total = Op("sum", {x});
    long_fn_ = Function({total}, {{"calls", Op("add", {"calls", "one"})}});
    // short: other <- other + 1. Calls with updates are serialised, so it
    // cannot run before a long call still computing has finished.
    short_fn_ = Function({}, {{"other", Op("add", {"other", "one"})}});
    baseline_ = Stats();
  }

  template <typename Request>
  void Node(grpc::Status (v1::RemoteK::Stub::*method)(grpc::ClientContext*, const Request&,
                                                      v1::Node*),
            const Request& request) {
    v1::Node node;
    const grpc::Status status = (stub_.get()->*method)(Ctx(session_, kPatient).get(), request, &node);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  void Counter(const std::string& name) {
    v1::VariableRequest v;
    v.set_session_id(session_);
    v.set_name(name);
    v.mutable_initializer()->set_kind(v1::Initializer::ZEROS);
    v.mutable_initializer()->add_shape(1);
    Node(&v1::RemoteK::Stub::Variable, v);
  }
  std::string Op(const std::string& op, std::vector<std::string> inputs) {
    v1::OpNodeRequest r;
    r.set_session_id(session_);
    r.set_op(op);
    for (const std::string& in : inputs) r.add_inputs(in);
    v1::Node node;
    const grpc::Status status = stub_->OpNode(Ctx(session_, kPatient).get(), r, &node);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return node.handle();
  }
  std::string Function(std::vector<std::string> outputs,
                       std::vector<std::pair<std::string, std::string>> updates) {
    v1::FunctionRequest r;
    r.set_session_id(session_);
    for (const std::string& o : outputs) r.add_outputs(o);
    for (const auto& [var, value] : updates) {
      v1::Update* u = r.add_updates();
      u->set_variable(var);
      u->set_value(value);
    }
    v1::FunctionInfo info;
    const grpc::Status status = stub_->Function(Ctx(session_, kPatient).get(), r, &info);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return info.handle();
  }
  grpc::Status Call(const std::string& fn, grpc::ClientContext* ctx) {
    v1::CallRequest r;
    r.set_session_id(session_);
    r.set_function(fn);
    v1::CallResponse resp;
    return stub_->Call(ctx, r, &resp);
  }
  float Value(const std::string& handle) {
    v1::GetValueRequest r;
    r.set_session_id(session_);
    r.set_handle(handle);
    v1::Tensor t;
    const grpc::Status status = stub_->GetValue(Ctx(session_, kPatient).get(), r, &t);
    EXPECT_TRUE(status.ok()) << status.error_message();
    float v = -1;
    if (t.content().size() == sizeof(float)) std::memcpy(&v, t.content().data(), sizeof v);
    return v;
  }
  v1::SessionStats Stats() {
    v1::SessionRequest r;
    r.set_session_id(session_);
    v1::SessionInfo info;
    EXPECT_TRUE(stub_->GetSession(Ctx(session_, kPatient).get(), r, &info).ok());
    return info.stats();
  }
  // Waits for the session's update lock (the short function), then checks
  // that the long call left nothing behind.
  void ExpectStoppedWithoutTrace(int short_calls_so_far) {
    const auto start = Clock::now();
    const grpc::Status status = Call(short_fn_, Ctx(session_, kPatient).get());
    ASSERT_TRUE(status.ok()) << status.error_message();
    const double waited = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("the long call released the session %.2f s after the client gave up\n", waited);
    EXPECT_EQ(Value("other"), static_cast<float>(short_calls_so_far + 1));
    EXPECT_EQ(Value("calls"), 0.0f) << "the abandoned call ran to the end and applied its update";
    const v1::SessionStats after = Stats();
    // The short function's update replaced `other` with a freshly computed
    // buffer of the same size; nothing else may remain.
    EXPECT_EQ(after.bytes_held(), baseline_.bytes_held());
    EXPECT_EQ(after.nodes(), baseline_.nodes());
  }

  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<v1::RemoteK::Stub> stub_;
  std::string session_, long_fn_, short_fn_;
  v1::SessionStats baseline_;
};

TEST_F(CancellationTest, DeadlineStopsAGraphCallAndFreesItsIntermediates) {
  const auto start = Clock::now();
  const grpc::Status status = Call(long_fn_, Ctx(session_, std::chrono::milliseconds(400)).get());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << status.error_message();
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(30));
  ExpectStoppedWithoutTrace(0);
}

TEST_F(CancellationTest, ClientCancelStopsAGraphCall) {
  auto ctx = Ctx(session_, kPatient);
  grpc::Status status;
  std::thread caller([&] { status = Call(long_fn_, ctx.get()); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ctx->TryCancel();
  caller.join();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::CANCELLED) << status.error_message();
  ExpectStoppedWithoutTrace(0);
  // The session is fine: the short function runs again, and a stopped call
  // did not poison the long one.
  ExpectStoppedWithoutTrace(1);
}

TEST_F(CancellationTest, DeadlineStopsAnEagerProductAndKeepsNothing) {
  v1::RunOpRequest r;
  r.set_session_id(session_);
  r.set_op("dot");
  r.add_args()->set_handle("a");
  r.add_args()->set_handle("a");
  r.set_keep(true);
  r.set_keep_name("big");
  r.set_skip_result(true);
  v1::RunOpResponse resp;
  // One product is ~17 GFLOP (a second or more here): the deadline passes
  // inside the kernel, which stops between its row blocks.
  const grpc::Status status =
      stub_->RunOp(Ctx(session_, std::chrono::milliseconds(150)).get(), r, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << status.error_message();
  // The eager op holds no update lock; wait until its buffers are gone.
  v1::SessionStats after;
  for (int i = 0; i < 200; ++i) {
    after = Stats();
    if (after.bytes_held() == baseline_.bytes_held()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(after.bytes_held(), baseline_.bytes_held());
  EXPECT_EQ(after.nodes(), baseline_.nodes());
  v1::GetValueRequest get;
  get.set_session_id(session_);
  get.set_handle("big");
  v1::Tensor t;
  const grpc::Status kept = stub_->GetValue(Ctx(session_, kPatient).get(), get, &t);
  EXPECT_EQ(kept.error_code(), grpc::StatusCode::NOT_FOUND) << kept.error_message();
  EXPECT_THAT(kept.error_message(), HasSubstr("big"));
}

}  // namespace
}  // namespace remotek::testing
