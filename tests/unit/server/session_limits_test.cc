// server/session_manager: quotas (sessions per tenant, session and tenant
// memory) and idle-TTL bookkeeping (reaping, "expired" answers, bounded memory
// of expired ids).
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/backend_registry.h"
#include "server/session_manager.h"
#include "tests/support/status_matchers.h"

namespace remotek::server {
namespace {

using ::remotek::testing::IsOk;
using ::remotek::testing::StatusIs;
using ::testing::HasSubstr;

// Adds a float32 variable of `n` elements; its bytes are charged to the session.
absl::Status AddFloats(Session& s, int64_t n, const std::string& name) {
  VariableRequest r;
  r.name = name;
  r.dtype = DType::kFloat32;
  r.shape = Shape({n});
  InitializerSpec init;
  init.kind = InitializerSpec::Kind::kZeros;
  r.initializer = init;
  return s.state().AddNode(r).status();
}

class SessionLimitsTest : public ::testing::Test {
 protected:
  std::unique_ptr<SessionManager> Make(SessionLimits limits) {
    return std::make_unique<SessionManager>(registry_.get(), OpConfig{}, limits);
  }
  std::unique_ptr<BackendRegistry> registry_ = BackendRegistry::CreateBuiltIn();
};

TEST_F(SessionLimitsTest, SessionsPerTenantAreCountedPerTenant) {
  SessionLimits limits;
  limits.max_sessions_per_tenant = 2;
  auto sessions = Make(limits);
  ASSERT_OK_AND_ASSIGN(auto a1, sessions->Create("a", {}));
  ASSERT_OK_AND_ASSIGN(auto a2, sessions->Create("a", {}));
  EXPECT_THAT(sessions->Create("a", {}).status(),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       "session quota of tenant \"a\" exceeded: limit 2 sessions, held 2, "
                       "requested 1"));
  EXPECT_THAT(sessions->Create("b", {}).status(), IsOk());  // another tenant's own quota
  EXPECT_EQ(sessions->size(), 3u);
  ASSERT_THAT(sessions->Close("a", a1->id()), IsOk());
  EXPECT_THAT(sessions->Create("a", {}).status(), IsOk());
}

TEST_F(SessionLimitsTest, SessionAndTenantMemoryLimits) {
  SessionLimits limits;
  limits.session_memory_bytes = 4000;
  limits.tenant_memory_bytes = 6000;
  auto sessions = Make(limits);
  ASSERT_OK_AND_ASSIGN(auto s1, sessions->Create("t", {}));
  ASSERT_OK_AND_ASSIGN(auto s2, sessions->Create("t", {}));
  ASSERT_OK_AND_ASSIGN(auto other, sessions->Create("u", {}));
  EXPECT_THAT(AddFloats(*s1, 1001, "big"),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       HasSubstr("limit 4000 bytes, held 0, requested 4004")));
  ASSERT_THAT(AddFloats(*s1, 1000, "v"), IsOk());  // 4000 bytes
  EXPECT_THAT(AddFloats(*s2, 750, "w"),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       "variable: memory quota of tenant \"t\" exceeded: limit 6000 bytes, held 4000, "
                       "requested 3000"));
  EXPECT_EQ(s2->state().Stats().bytes_held, 0);
  EXPECT_EQ(s2->state().Stats().nodes, 0);
  EXPECT_THAT(AddFloats(*other, 1000, "v"), IsOk());  // tenant u has its own account
  ASSERT_THAT(sessions->Close("t", s1->id()), IsOk());  // frees the tenant's bytes
  EXPECT_THAT(AddFloats(*s2, 750, "w"), IsOk());
}

TEST_F(SessionLimitsTest, ReapIdleClosesClearsAndRemembersExpiredIds) {
  auto sessions = Make({});
  ASSERT_OK_AND_ASSIGN(auto idle, sessions->Create("t", {}));
  ASSERT_OK_AND_ASSIGN(auto busy, sessions->Create("t", {}));
  ASSERT_THAT(AddFloats(*idle, 100, "v"), IsOk());
  const std::shared_ptr<MemoryAccount> account = idle->state().account();
  EXPECT_EQ(account->current(), 400);
  const std::string idle_id = idle->id();
  idle.reset();  // nothing pins it now; `busy` stays pinned like a call in flight

  const int64_t now = NowUnixMs();
  EXPECT_EQ(sessions->ReapIdle(now, absl::Seconds(10)), 0);  // not idle long enough
  EXPECT_EQ(sessions->ReapIdle(now + 20000, absl::Seconds(10)), 1);
  EXPECT_EQ(account->current(), 0);  // cleared: all its memory freed
  EXPECT_EQ(sessions->size(), 1u);
  EXPECT_THAT(sessions->Get("t", idle_id).status(),
              StatusIs(absl::StatusCode::kNotFound,
                       absl::StrCat("session \"", idle_id,
                                    "\" expired: it was idle longer than the session TTL of 10s")));
  // Another tenant learns nothing: the answer for an unknown id.
  EXPECT_THAT(sessions->Get("u", idle_id).status(),
              StatusIs(absl::StatusCode::kNotFound,
                       absl::StrCat("unknown session \"", idle_id, "\"")));
  EXPECT_THAT(sessions->Get("t", busy->id()).status(), IsOk());

  // Touch (any call) keeps a session alive.
  busy.reset();
  ASSERT_OK_AND_ASSIGN(auto again, sessions->Get("t", sessions->List("t")[0]->id()));
  const std::string busy_id = again->id();
  again.reset();
  EXPECT_EQ(sessions->ReapIdle(NowUnixMs() + 5000, absl::Seconds(10)), 0);
  EXPECT_EQ(sessions->ReapIdle(NowUnixMs() + 20000, absl::Seconds(10)), 1);
  EXPECT_THAT(sessions->Get("t", busy_id).status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("expired")));
}

TEST_F(SessionLimitsTest, ExpiredIdsAreRememberedBoundedAndReusable) {
  SessionLimits limits;
  limits.remembered_expired = 2;
  auto sessions = Make(limits);
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK_AND_ASSIGN(auto s, sessions->Create("t", {}));
    ids.push_back(s->id());
  }
  EXPECT_EQ(sessions->ReapIdle(NowUnixMs() + 1000, absl::Milliseconds(300)), 3);
  int expired = 0;
  for (const std::string& id : ids) {
    absl::Status s = sessions->Get("t", id).status();
    ASSERT_EQ(s.code(), absl::StatusCode::kNotFound);
    expired += absl::StrContains(s.message(), "expired");
  }
  EXPECT_EQ(expired, 2);  // the oldest was forgotten
  // A client may propose an expired id again; it is then a live session.
  SessionOptions o;
  o.session_id = ids[2];
  ASSERT_THAT(sessions->Create("t", o).status(), IsOk());
  EXPECT_THAT(sessions->Get("t", ids[2]).status(), IsOk());
}

}  // namespace
}  // namespace remotek::server
