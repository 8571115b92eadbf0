#include "backend/core/memory_account.h"

#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace remotek {
namespace {

using ::remotek::testing::StatusIs;
using ::testing::HasSubstr;

TEST(MemoryAccount, TracksCurrentAndPeak) {
  MemoryAccount account("a");
  EXPECT_OK(account.Charge(100));
  EXPECT_OK(account.Charge(50));
  account.Release(120);
  EXPECT_EQ(account.current(), 30);
  EXPECT_EQ(account.peak(), 150);
}

TEST(MemoryAccount, ParentLimitRefusesAndRollsBack) {
  auto tenant = std::make_shared<MemoryAccount>("tenant t", 100);
  MemoryAccount session("session s", MemoryAccount::kNoLimit, tenant);
  EXPECT_OK(session.Charge(80));
  EXPECT_THAT(session.Charge(30), StatusIs(absl::StatusCode::kResourceExhausted,
                                           HasSubstr("tenant t")));
  EXPECT_EQ(session.current(), 80);
  EXPECT_EQ(tenant->current(), 80);
  session.Release(80);
  EXPECT_EQ(tenant->current(), 0);
}

TEST(MemoryAccount, ConcurrentChargesBalance) {
  MemoryAccount account("a");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        ASSERT_TRUE(account.Charge(8).ok());
        account.Release(8);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(account.current(), 0);
  EXPECT_LE(account.peak(), 32);
}

}  // namespace
}  // namespace remotek
