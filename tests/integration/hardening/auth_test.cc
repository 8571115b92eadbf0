// --auth_tokens against a real remotek-server: every RemoteK RPC (found by
// walking the service descriptor, so a new RPC is covered automatically)
// refuses a missing or unknown token with UNAUTHENTICATED; grpc.health.v1
// stays open; sessions belong to their tenant; a malformed token file stops
// the server naming the file and line.
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "remotek/v1/remotek.grpc.pb.h"
#include "tests/integration/hardening/hardening_util.h"
#include "tests/support/server_process.h"

namespace remotek::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kAlice[] = "alice-token-0123456789abcdef";
constexpr char kBob[] = "bob-token-0123456789abcdefgh";

std::vector<std::string> AllRemoteKMethods() {
  std::vector<std::string> paths;
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          v1::RemoteK::service_full_name());
  if (service == nullptr) return paths;
  for (int i = 0; i < service->method_count(); ++i) {
    paths.push_back(absl::StrCat("/", service->full_name(), "/", service->method(i)->name()));
  }
  return paths;
}

class AuthTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(MakeTempDir());
    WriteFile(*dir_ + "/tokens.txt",
              absl::StrCat("# tenant token\nalice ", kAlice, "\n\nbob ", kBob, "\n"));
    auto server = ServerProcess::Start({"--threads=2", "--auth_tokens=" + *dir_ + "/tokens.txt"});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = server->release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(server_, nullptr);
    channel_ = server_->Channel();
    stub_ = v1::RemoteK::NewStub(channel_);
  }

  std::string Create(const std::string& token) {
    v1::CreateSessionRequest req;
    v1::SessionInfo info;
    grpc::Status s = stub_->CreateSession(TokenCtx(token).get(), req, &info);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return info.session_id();
  }

  static std::string* dir_;
  static ServerProcess* server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::RemoteK::Stub> stub_;
};
std::string* AuthTest::dir_ = nullptr;
ServerProcess* AuthTest::server_ = nullptr;

TEST_F(AuthTest, EveryRpcRefusesAMissingOrUnknownToken) {
  const std::vector<std::string> methods = AllRemoteKMethods();
  ASSERT_GE(methods.size(), 23u);  // as of remotek.v1; new RPCs are picked up
  EXPECT_THAT(methods, ::testing::Contains("/remotek.v1.RemoteK/UploadTensor"));
  EXPECT_THAT(methods, ::testing::Contains("/remotek.v1.RemoteK/DownloadTensor"));
  for (const std::string& path : methods) {
    SCOPED_TRACE(path);
    grpc::Status s = RawCall(channel_.get(), path);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << s.error_message();
    EXPECT_EQ(s.error_message(), "missing \"authorization: Bearer <token>\" metadata");
    s = RawCall(channel_.get(), path, "not-a-token-of-anyone-at-all");
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << s.error_message();
    EXPECT_EQ(s.error_message(), "invalid bearer token");
    s = RawCall(channel_.get(), path, "", absl::StrCat("Basic ", kAlice));
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << s.error_message();
    EXPECT_EQ(s.error_message(), "authorization metadata must be \"Bearer <token>\"");
    EXPECT_THAT(s.error_message(), Not(HasSubstr(kAlice)));
  }
  // Sanity of the raw calls: with a token, methods that need nothing succeed.
  for (const char* ok : {"Echo", "GetServerInfo", "ListBackends", "ListSessions"}) {
    grpc::Status s = RawCall(channel_.get(), absl::StrCat("/remotek.v1.RemoteK/", ok), kAlice);
    EXPECT_TRUE(s.ok()) << ok << ": " << s.error_message();
  }
  // Nothing was created by the refused calls (CreateSession among them).
  v1::ListSessionsResponse list;
  ASSERT_TRUE(stub_->ListSessions(TokenCtx(kAlice).get(), {}, &list).ok());
  ASSERT_TRUE(stub_->ListSessions(TokenCtx(kBob).get(), {}, &list).ok());
  EXPECT_EQ(list.sessions_size(), 0);
}

TEST_F(AuthTest, HealthServiceStaysOpen) {
  grpc::Status s = RawCall(channel_.get(), "/grpc.health.v1.Health/Check");
  EXPECT_TRUE(s.ok()) << s.error_message();
}

TEST_F(AuthTest, SessionsBelongToTheirTenant) {
  const std::string a = Create(kAlice);
  const std::string b = Create(kBob);
  const std::string unknown = "0123456789abcdef0123456789abcdef";
  for (const std::string& token : {std::string(kBob)}) {
    v1::SessionRequest req;
    req.set_session_id(a);
    v1::SessionInfo info;
    grpc::Status s = stub_->GetSession(TokenCtx(token).get(), req, &info);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_EQ(s.error_message(), absl::StrCat("unknown session \"", a, "\""));
    // Exactly like an id nobody holds.
    req.set_session_id(unknown);
    s = stub_->GetSession(TokenCtx(token).get(), req, &info);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_EQ(s.error_message(), absl::StrCat("unknown session \"", unknown, "\""));
    // Bob cannot close, clear, keep alive or build in Alice's session.
    req.set_session_id(a);
    v1::Empty empty;
    s = stub_->CloseSession(TokenCtx(token).get(), req, &empty);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
    s = stub_->KeepAlive(TokenCtx(token).get(), req, &empty);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
    s = stub_->ClearSession(TokenCtx(token).get(), req, &info);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
    v1::PlaceholderRequest p;
    p.set_session_id(a);
    p.set_ndim(2);
    v1::Node node;
    s = stub_->Placeholder(TokenCtx(token).get(), p, &node);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_EQ(s.error_message(), absl::StrCat("unknown session \"", a, "\""));
  }
  // Listing shows only the caller's sessions.
  v1::ListSessionsResponse list;
  ASSERT_TRUE(stub_->ListSessions(TokenCtx(kAlice).get(), {}, &list).ok());
  ASSERT_EQ(list.sessions_size(), 1);
  EXPECT_EQ(list.sessions(0).session_id(), a);
  list.Clear();
  ASSERT_TRUE(stub_->ListSessions(TokenCtx(kBob).get(), {}, &list).ok());
  ASSERT_EQ(list.sessions_size(), 1);
  EXPECT_EQ(list.sessions(0).session_id(), b);
  // Alice's session survived Bob's attempts; she can use and close it.
  v1::SessionRequest req;
  req.set_session_id(a);
  v1::SessionInfo info;
  EXPECT_TRUE(stub_->GetSession(TokenCtx(kAlice).get(), req, &info).ok());
  v1::Empty empty;
  EXPECT_TRUE(stub_->CloseSession(TokenCtx(kAlice).get(), req, &empty).ok());
  req.set_session_id(b);
  EXPECT_TRUE(stub_->CloseSession(TokenCtx(kBob).get(), req, &empty).ok());
}

TEST(AuthFlagTest, WithoutTheFlagEveryoneIsTheDefaultTenant) {
  auto server = ServerProcess::Start({"--threads=1"});
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = v1::RemoteK::NewStub((*server)->Channel());
  v1::SessionInfo info;
  // With or without a (meaningless) token: the same tenant.
  ASSERT_TRUE(stub->CreateSession(TokenCtx().get(), {}, &info).ok());
  v1::ListSessionsResponse list;
  ASSERT_TRUE(stub->ListSessions(TokenCtx("whatever-token-1234567").get(), {}, &list).ok());
  ASSERT_EQ(list.sessions_size(), 1);
  EXPECT_EQ(list.sessions(0).session_id(), info.session_id());
}

TEST(AuthFlagTest, MalformedOrMissingTokenFileStopsTheServer) {
  const std::string dir = MakeTempDir();
  const std::string file = dir + "/tokens.txt";
  WriteFile(file, "# ok\nalice alice-token-0123456789abcdef\nbob\n");
  ExitResult r = RunServerToExit({"--auth_tokens=" + file});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr(absl::StrCat(
                            "remotek-server: --auth_tokens: ", file,
                            ":3: expected \"TENANT TOKEN\", found 1 fields")));
  EXPECT_THAT(r.output, Not(HasSubstr("alice-token")));

  WriteFile(file, "alice short-token\n");
  r = RunServerToExit({"--auth_tokens=" + file});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr(absl::StrCat(file, ":1: token must be at least 16 characters")));
  EXPECT_THAT(r.output, Not(HasSubstr("short-token")));

  r = RunServerToExit({"--auth_tokens=" + dir + "/missing.txt"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr(dir + "/missing.txt: cannot read the token file"));
}

}  // namespace
}  // namespace remotek::testing
