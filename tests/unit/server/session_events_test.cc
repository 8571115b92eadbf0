// server/session_manager's observer and usage: every lifecycle event is
// reported once with the bytes it freed, and Usage() sums per tenant.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/backend_registry.h"
#include "server/session_manager.h"
#include "tests/support/status_matchers.h"

namespace remotek::server {
namespace {

struct Seen {
  SessionEvent event;
  std::string id;
  int64_t bytes_freed;
};

class SessionEventsTest : public ::testing::Test {
 protected:
  SessionEventsTest()
      : registry_(BackendRegistry::CreateBuiltIn()),
        sessions_(registry_.get(), {}) {
    sessions_.SetObserver(
        [this](SessionEvent event, const Session& s, int64_t bytes) {
          seen_.push_back({event, s.id(), bytes});
        });
  }
  // A 1000-element float32 constant in `session`.
  void Hold(Session& session) {
    ConstantRequest c;
    c.value =
        Tensor::Zeros(DType::kFloat32, Shape{1000}, session.state().account())
            .value();
    ASSERT_TRUE(session.state().AddNode(c).ok());
  }
  std::unique_ptr<BackendRegistry> registry_;
  SessionManager sessions_;
  std::vector<Seen> seen_;
};

TEST_F(SessionEventsTest, ReportsEachLifecycleEventOnce) {
  ASSERT_OK_AND_ASSIGN(auto a, sessions_.Create("t", {}));
  ASSERT_OK_AND_ASSIGN(auto b, sessions_.Create("t", {}));
  Hold(*a);
  const int64_t held = a->state().account()->current();
  ASSERT_GE(held, 4000);
  sessions_.Clear(*a);
  Hold(*a);
  ASSERT_TRUE(sessions_.Close("t", a->id()).ok());
  EXPECT_FALSE(sessions_.Close("t", a->id()).ok());  // no second event
  b.reset();
  a.reset();
  EXPECT_EQ(sessions_.ReapIdle(NowUnixMs() + 10'000, absl::Seconds(1)), 1);
  ASSERT_EQ(seen_.size(), 5u);
  EXPECT_EQ(seen_[0].event, SessionEvent::kCreated);
  EXPECT_EQ(seen_[0].bytes_freed, 0);
  EXPECT_EQ(seen_[1].event, SessionEvent::kCreated);
  EXPECT_EQ(seen_[2].event, SessionEvent::kCleared);
  EXPECT_EQ(seen_[2].bytes_freed, held);
  EXPECT_EQ(seen_[3].event, SessionEvent::kClosed);
  EXPECT_EQ(seen_[3].bytes_freed, held);
  EXPECT_EQ(seen_[4].event, SessionEvent::kExpired);
  EXPECT_EQ(seen_[4].id, seen_[1].id);
  EXPECT_STREQ(SessionEventName(SessionEvent::kExpired), "session_expired");
  EXPECT_STREQ(SessionEventName(SessionEvent::kCreated), "session_created");
}

TEST_F(SessionEventsTest, UsageSumsSessionsAndBytesPerTenant) {
  EXPECT_TRUE(sessions_.Usage().empty());
  ASSERT_OK_AND_ASSIGN(auto b1, sessions_.Create("bob", {}));
  ASSERT_OK_AND_ASSIGN(auto a1, sessions_.Create("alice", {}));
  ASSERT_OK_AND_ASSIGN(auto b2, sessions_.Create("bob", {}));
  Hold(*b1);
  Hold(*b2);
  const std::vector<TenantUsage> usage = sessions_.Usage();
  ASSERT_EQ(usage.size(), 2u);
  EXPECT_EQ(usage[0].tenant, "alice");
  EXPECT_EQ(usage[0].sessions, 1);
  EXPECT_EQ(usage[0].bytes_held, 0);
  EXPECT_EQ(usage[1].tenant, "bob");
  EXPECT_EQ(usage[1].sessions, 2);
  EXPECT_EQ(usage[1].bytes_held, b1->state().account()->current() +
                                     b2->state().account()->current());
  EXPECT_GE(usage[1].bytes_held, 8000);
}

}  // namespace
}  // namespace remotek::server
