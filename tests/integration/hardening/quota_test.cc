// Quotas against a real remotek-server: each exceeded limit answers
// RESOURCE_EXHAUSTED naming the limit and the requested amount, and leaves
// nothing half-built (bytes and nodes held are unchanged).
#include <atomic>
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
#include "tests/integration/hardening/hardening_util.h"
#include "tests/support/server_process.h"

namespace remotek::testing {
namespace {

using ::testing::HasSubstr;
using Stub = v1::RemoteK::Stub;

constexpr char kAlice[] = "alice-token-0123456789abcdef";
constexpr char kBob[] = "bob-token-0123456789abcdefgh";

v1::Tensor Floats(std::vector<int64_t> shape, int64_t n) {
  v1::Tensor t;
  t.set_dtype(v1::FLOAT32);
  for (int64_t d : shape) t.add_shape(d);
  t.set_content(std::string(static_cast<size_t>(n) * 4, '\0'));
  return t;
}

struct Fixture {
  std::unique_ptr<ServerProcess> server;
  std::unique_ptr<Stub> stub;
};

Fixture StartServer(std::vector<std::string> args) {
  Fixture f;
  auto server = ServerProcess::Start(std::move(args));
  EXPECT_TRUE(server.ok()) << server.status();
  if (!server.ok()) return f;
  f.server = *std::move(server);
  f.stub = v1::RemoteK::NewStub(f.server->Channel());
  return f;
}

grpc::Status CreateSession(Stub* stub, std::string* id, const std::string& token = "") {
  v1::SessionInfo info;
  grpc::Status s = stub->CreateSession(TokenCtx(token).get(), {}, &info);
  *id = info.session_id();
  return s;
}

v1::SessionStats Stats(Stub* stub, const std::string& id, const std::string& token = "") {
  v1::SessionRequest req;
  req.set_session_id(id);
  v1::SessionInfo info;
  grpc::Status s = stub->GetSession(TokenCtx(token).get(), req, &info);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return info.stats();
}

grpc::Status ZerosVariable(Stub* stub, const std::string& sid, std::vector<int64_t> shape,
                           const std::string& token = "", const std::string& name = "") {
  v1::VariableRequest req;
  req.set_session_id(sid);
  req.set_name(name);
  req.set_dtype(v1::FLOAT32);
  req.mutable_initializer()->set_kind(v1::Initializer::ZEROS);
  for (int64_t d : shape) req.mutable_initializer()->add_shape(d);
  v1::Node node;
  return stub->Variable(TokenCtx(token).get(), req, &node);
}

grpc::Status Placeholder(Stub* stub, const std::string& sid, std::vector<int64_t> shape) {
  v1::PlaceholderRequest req;
  req.set_session_id(sid);
  for (int64_t d : shape) req.mutable_shape()->add_dims(d);
  v1::Node node;
  return stub->Placeholder(TokenCtx().get(), req, &node);
}

grpc::Status PlaceholderGraph(Stub* stub, const std::string& sid, int n) {
  v1::BuildGraphRequest req;
  req.set_session_id(sid);
  for (int i = 0; i < n; ++i) req.add_nodes()->mutable_placeholder()->set_ndim(2);
  v1::BuildGraphResponse resp;
  return stub->BuildGraph(TokenCtx().get(), req, &resp);
}

#define EXPECT_EXHAUSTED(status, message)                                          \
  do {                                                                             \
    const grpc::Status s_ = (status);                                              \
    EXPECT_EQ(s_.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s_.error_message(); \
    EXPECT_EQ(s_.error_message(), message);                                        \
  } while (0)

TEST(QuotaTest, SessionMemoryLimit) {
  Fixture f = StartServer({"--threads=2", "--session_memory_limit=1048576"});
  ASSERT_NE(f.stub, nullptr);
  std::string sid;
  ASSERT_TRUE(CreateSession(f.stub.get(), &sid).ok());
  ASSERT_TRUE(ZerosVariable(f.stub.get(), sid, {1000}).ok());  // 4000 bytes
  const v1::SessionStats before = Stats(f.stub.get(), sid);
  EXPECT_EQ(before.bytes_held(), 4000);
  EXPECT_EXHAUSTED(ZerosVariable(f.stub.get(), sid, {512, 512}),  // 1 MiB more
                   absl::StrCat("variable: memory quota of session ", sid,
                                " exceeded: limit 1048576 bytes, held 4000, requested 1048576"));
  const v1::SessionStats after = Stats(f.stub.get(), sid);
  EXPECT_EQ(after.bytes_held(), before.bytes_held());
  EXPECT_EQ(after.nodes(), before.nodes());
  EXPECT_EQ(after.variables(), before.variables());
  // An inline value is refused the same way.
  v1::ConstantRequest c;
  c.set_session_id(sid);
  *c.mutable_value() = Floats({300000}, 300000);
  v1::Node node;
  EXPECT_EXHAUSTED(f.stub->Constant(TokenCtx().get(), c, &node),
                   absl::StrCat("memory quota of session ", sid,
                                " exceeded: limit 1048576 bytes, held 4000, requested 1200000"));
  EXPECT_EQ(Stats(f.stub.get(), sid).bytes_held(), 4000);
  EXPECT_TRUE(ZerosVariable(f.stub.get(), sid, {1000}).ok());  // still usable
}

TEST(QuotaTest, TenantMemoryLimitIsSharedByTheTenantsSessions) {
  const std::string dir = MakeTempDir();
  WriteFile(dir + "/tokens.txt", absl::StrCat("alice ", kAlice, "\nbob ", kBob, "\n"));
  Fixture f = StartServer({"--threads=2", "--auth_tokens=" + dir + "/tokens.txt",
                           "--tenant_memory_limit=1000000"});
  ASSERT_NE(f.stub, nullptr);
  std::string a1, a2, b1;
  ASSERT_TRUE(CreateSession(f.stub.get(), &a1, kAlice).ok());
  ASSERT_TRUE(CreateSession(f.stub.get(), &a2, kAlice).ok());
  ASSERT_TRUE(CreateSession(f.stub.get(), &b1, kBob).ok());
  ASSERT_TRUE(ZerosVariable(f.stub.get(), a1, {150000}, kAlice).ok());  // 600000 bytes
  EXPECT_EXHAUSTED(ZerosVariable(f.stub.get(), a2, {150000}, kAlice),
                   "variable: memory quota of tenant \"alice\" exceeded: limit 1000000 bytes, "
                   "held "
                   "600000, requested 600000");
  EXPECT_EQ(Stats(f.stub.get(), a2, kAlice).bytes_held(), 0);
  EXPECT_EQ(Stats(f.stub.get(), a2, kAlice).nodes(), 0);
  // Bob's tenant has its own account.
  EXPECT_TRUE(ZerosVariable(f.stub.get(), b1, {150000}, kBob).ok());
  // Closing Alice's first session returns its bytes to her tenant.
  v1::SessionRequest req;
  req.set_session_id(a1);
  v1::Empty empty;
  ASSERT_TRUE(f.stub->CloseSession(TokenCtx(kAlice).get(), req, &empty).ok());
  EXPECT_TRUE(ZerosVariable(f.stub.get(), a2, {150000}, kAlice).ok());
}

TEST(QuotaTest, MaxSessionsPerTenant) {
  Fixture f = StartServer({"--threads=1", "--max_sessions_per_tenant=2"});
  ASSERT_NE(f.stub, nullptr);
  std::string s1, s2, s3;
  ASSERT_TRUE(CreateSession(f.stub.get(), &s1).ok());
  ASSERT_TRUE(CreateSession(f.stub.get(), &s2).ok());
  EXPECT_EXHAUSTED(CreateSession(f.stub.get(), &s3),
                   "session quota of tenant \"default\" exceeded: limit 2 sessions, held 2, "
                   "requested 1");
  v1::ListSessionsResponse list;
  ASSERT_TRUE(f.stub->ListSessions(TokenCtx().get(), {}, &list).ok());
  EXPECT_EQ(list.sessions_size(), 2);
  v1::SessionRequest req;
  req.set_session_id(s1);
  v1::Empty empty;
  ASSERT_TRUE(f.stub->CloseSession(TokenCtx().get(), req, &empty).ok());
  EXPECT_TRUE(CreateSession(f.stub.get(), &s3).ok());
}

TEST(QuotaTest, MaxGraphNodesPerRequestAndPerSession) {
  Fixture f = StartServer({"--threads=1", "--max_graph_nodes=4"});
  ASSERT_NE(f.stub, nullptr);
  std::string sid;
  ASSERT_TRUE(CreateSession(f.stub.get(), &sid).ok());
  EXPECT_EXHAUSTED(PlaceholderGraph(f.stub.get(), sid, 5),
                   "build_graph: the request has 5 nodes, above the limit of 4 nodes per "
                   "request (max_graph_nodes)");
  EXPECT_EQ(Stats(f.stub.get(), sid).nodes(), 0);
  ASSERT_TRUE(PlaceholderGraph(f.stub.get(), sid, 3).ok());
  EXPECT_EQ(Stats(f.stub.get(), sid).nodes(), 3);
  EXPECT_EXHAUSTED(PlaceholderGraph(f.stub.get(), sid, 2),
                   absl::StrCat("graph node quota of session ", sid,
                                " exceeded: limit 4 nodes (max_graph_nodes), held 3, requested 2"));
  EXPECT_EQ(Stats(f.stub.get(), sid).nodes(), 3);
  ASSERT_TRUE(Placeholder(f.stub.get(), sid, {2, 2}).ok());
  EXPECT_EXHAUSTED(Placeholder(f.stub.get(), sid, {2, 2}),
                   absl::StrCat("graph node quota of session ", sid,
                                " exceeded: limit 4 nodes (max_graph_nodes), held 4, requested 1"));
  EXPECT_EXHAUSTED(ZerosVariable(f.stub.get(), sid, {2}),
                   absl::StrCat("graph node quota of session ", sid,
                                " exceeded: limit 4 nodes (max_graph_nodes), held 4, requested 1"));
  EXPECT_EQ(Stats(f.stub.get(), sid).nodes(), 4);
  EXPECT_EQ(Stats(f.stub.get(), sid).bytes_held(), 0);
  // clear_session gives the budget back.
  v1::SessionRequest req;
  req.set_session_id(sid);
  v1::SessionInfo info;
  ASSERT_TRUE(f.stub->ClearSession(TokenCtx().get(), req, &info).ok());
  EXPECT_TRUE(PlaceholderGraph(f.stub.get(), sid, 4).ok());
}

TEST(QuotaTest, MaxTensorElements) {
  Fixture f = StartServer({"--threads=1", "--max_tensor_elements=1000"});
  ASSERT_NE(f.stub, nullptr);
  std::string sid;
  ASSERT_TRUE(CreateSession(f.stub.get(), &sid).ok());
  v1::Node node;
  v1::ConstantRequest c;
  c.set_session_id(sid);
  *c.mutable_value() = Floats({7, 143}, 1001);
  EXPECT_EXHAUSTED(f.stub->Constant(TokenCtx().get(), c, &node),
                   "value.shape has 1001 elements, above the limit of max_tensor_elements=1000");
  EXPECT_EXHAUSTED(ZerosVariable(f.stub.get(), sid, {100, 100}),
                   "initializer.shape has 10000 elements, above the limit of "
                   "max_tensor_elements=1000");
  EXPECT_EXHAUSTED(Placeholder(f.stub.get(), sid, {-1, 2000}),
                   "shape has 2000 elements, above the limit of max_tensor_elements=1000");
  v1::RunOpRequest op;
  op.set_session_id(sid);
  op.set_op("abs");
  *op.add_args()->mutable_tensor() = Floats({2000}, 2000);
  v1::RunOpResponse op_resp;
  EXPECT_EXHAUSTED(f.stub->RunOp(TokenCtx().get(), op, &op_resp),
                   "args[0].tensor.shape has 2000 elements, above the limit of "
                   "max_tensor_elements=1000");
  v1::BuildGraphRequest g;
  g.set_session_id(sid);
  g.add_nodes()->mutable_placeholder()->set_ndim(1);
  v1::ConstantRequest* gc = g.add_nodes()->mutable_constant();
  *gc->mutable_value() = Floats({1001}, 1001);
  v1::BuildGraphResponse g_resp;
  EXPECT_EXHAUSTED(f.stub->BuildGraph(TokenCtx().get(), g, &g_resp),
                   "nodes[1]: value.shape has 1001 elements, above the limit of "
                   "max_tensor_elements=1000");
  {  // a streamed upload is refused at its header
    v1::Node up;
    auto ctx = TokenCtx();
    auto writer = f.stub->UploadTensor(ctx.get(), &up);
    v1::UploadChunk chunk;
    v1::UploadHeader* h = chunk.mutable_header();
    h->set_session_id(sid);
    h->set_target(v1::UploadHeader::NEW_VARIABLE);
    h->set_name("big");
    h->set_dtype(v1::FLOAT32);
    h->add_shape(50);
    h->add_shape(50);
    writer->Write(chunk);
    writer->WritesDone();
    EXPECT_EXHAUSTED(writer->Finish(),
                     "header.shape has 2500 elements, above the limit of "
                     "max_tensor_elements=1000");
  }
  const v1::SessionStats stats = Stats(f.stub.get(), sid);
  EXPECT_EQ(stats.nodes(), 0);
  EXPECT_EQ(stats.bytes_held(), 0);
  *c.mutable_value() = Floats({1000}, 1000);
  EXPECT_TRUE(f.stub->Constant(TokenCtx().get(), c, &node).ok());
}

TEST(QuotaTest, MaxConcurrentCallsRefusesAtOnce) {
  Fixture f = StartServer({"--threads=2", "--max_concurrent_calls=1"});
  ASSERT_NE(f.stub, nullptr);
  std::string sid;
  ASSERT_TRUE(CreateSession(f.stub.get(), &sid).ok());
  ASSERT_TRUE(ZerosVariable(f.stub.get(), sid, {1500, 1500}, "", "x").ok());
  ASSERT_TRUE(ZerosVariable(f.stub.get(), sid, {2}, "", "small").ok());
  // One slow compute call (a handle argument always runs on the pool) ...
  v1::RunOpRequest slow;
  slow.set_session_id(sid);
  slow.set_op("dot");
  slow.add_args()->set_handle("x");
  slow.add_args()->set_handle("x");
  slow.set_keep(true);
  slow.set_skip_result(true);
  v1::GetValueRequest quick;
  quick.set_session_id(sid);
  quick.set_handle("small");
  const std::string refused =
      "concurrent call quota exceeded: limit 1 compute calls in flight "
      "(max_concurrent_calls), held 1, requested 1; retry later";
  int refusals = 0;
  for (int attempt = 0; attempt < 5 && refusals == 0; ++attempt) {
    std::atomic<bool> done{false};
    grpc::Status slow_status;
    std::thread t([&] {
      v1::RunOpResponse resp;
      slow_status = f.stub->RunOp(TokenCtx("", 50).get(), slow, &resp);
      done = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    // ... while it runs, another compute call is refused at once.
    for (int i = 0; i < 2000 && !done; ++i) {
      v1::Tensor value;
      grpc::Status s = f.stub->GetValue(TokenCtx().get(), quick, &value);
      if (!s.ok()) {
        EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
        EXPECT_EQ(s.error_message(), refused);
        ++refusals;
      }
    }
    t.join();
    // The slow call itself may have raced one of the quick ones.
    if (!slow_status.ok()) {
      EXPECT_EQ(slow_status.error_message(), refused);
      refusals = 0;
    }
  }
  EXPECT_GT(refusals, 0);
  // Once nothing is in flight, calls are admitted again.
  v1::Tensor value;
  EXPECT_TRUE(f.stub->GetValue(TokenCtx().get(), quick, &value).ok());
}

TEST(QuotaTest, NegativeLimitsAreRefusedAtStartup) {
  ExitResult r = RunServerToExit({"--max_graph_nodes=-1"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("max_graph_nodes=-1 must be >= 0 (0: unlimited)"));
}

}  // namespace
}  // namespace remotek::testing
