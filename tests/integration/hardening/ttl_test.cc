// --session_ttl against a real remotek-server: an idle session is closed by
// the reaper and answered NOT_FOUND "... expired ..."; KeepAlive and ordinary
// calls keep a session alive; the server still stops cleanly.
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "remotek/v1/remotek.grpc.pb.h"
#include "tests/integration/hardening/hardening_util.h"
#include "tests/support/server_process.h"

namespace remotek::testing {
namespace {

using Clock = std::chrono::steady_clock;

TEST(SessionTtlTest, IdleSessionsExpireActiveOnesLive) {
  auto server = ServerProcess::Start({"--threads=2", "--session_ttl=300ms"});
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = v1::RemoteK::NewStub((*server)->Channel());
  v1::SessionInfo idle, kept, used;
  ASSERT_TRUE(stub->CreateSession(TokenCtx().get(), {}, &idle).ok());
  ASSERT_TRUE(stub->CreateSession(TokenCtx().get(), {}, &kept).ok());
  ASSERT_TRUE(stub->CreateSession(TokenCtx().get(), {}, &used).ok());
  {  // the idle session holds memory; the reaper must free it
    v1::VariableRequest v;
    v.set_session_id(idle.session_id());
    v.mutable_initializer()->set_kind(v1::Initializer::ONES);
    v.mutable_initializer()->add_shape(1000);
    v1::Node node;
    ASSERT_TRUE(stub->Variable(TokenCtx().get(), v, &node).ok());
  }
  v1::SessionRequest idle_req, kept_req, used_req;
  idle_req.set_session_id(idle.session_id());
  kept_req.set_session_id(kept.session_id());
  used_req.set_session_id(used.session_id());

  // For 1.2 s (4 TTLs) keep one alive with KeepAlive and use another.
  grpc::Status idle_status;
  const auto start = Clock::now();
  while (Clock::now() - start < std::chrono::milliseconds(1200)) {
    v1::Empty empty;
    ASSERT_TRUE(stub->KeepAlive(TokenCtx().get(), kept_req, &empty).ok());
    v1::SessionInfo info;
    ASSERT_TRUE(stub->GetSession(TokenCtx().get(), used_req, &info).ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  // The idle one is gone (bounded wait: the reaper runs every ttl/4).
  v1::SessionInfo info;
  for (int i = 0; i < 100; ++i) {
    idle_status = stub->GetSession(TokenCtx().get(), idle_req, &info);
    if (!idle_status.ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(idle_status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(idle_status.error_message(),
            absl::StrCat("session \"", idle.session_id(),
                         "\" expired: it was idle longer than the session TTL of 300ms"));
  // Every RPC on the expired id says so, not just GetSession.
  v1::Empty empty;
  grpc::Status s = stub->KeepAlive(TokenCtx().get(), idle_req, &empty);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message(), idle_status.error_message());
  v1::ListSessionsResponse list;
  ASSERT_TRUE(stub->ListSessions(TokenCtx().get(), {}, &list).ok());
  EXPECT_EQ(list.sessions_size(), 2);
  EXPECT_TRUE(stub->GetSession(TokenCtx().get(), kept_req, &info).ok());
  EXPECT_TRUE(stub->GetSession(TokenCtx().get(), used_req, &info).ok());
  // The reaper thread stops with the server: SIGTERM exits 0 promptly.
  const auto stop_start = Clock::now();
  EXPECT_EQ((*server)->Stop(), 0);
  EXPECT_LT(Clock::now() - stop_start, std::chrono::seconds(10));
}

TEST(SessionTtlTest, NegativeTtlIsRefused) {
  ExitResult r = RunServerToExit({"--session_ttl=-1s"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, ::testing::HasSubstr("session_ttl=-1s must be >= 0 (0: never)"));
}

}  // namespace
}  // namespace remotek::testing
