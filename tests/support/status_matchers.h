// gMock matchers for absl::Status / StatusOr:
//   EXPECT_THAT(s, IsOk());
//   EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("axes")));
#ifndef REMOTEK_TESTS_SUPPORT_STATUS_MATCHERS_H_
#define REMOTEK_TESTS_SUPPORT_STATUS_MATCHERS_H_

#include <ostream>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "backend/core/status_macros.h"
#include "gmock/gmock.h"

namespace remotek::testing {

inline const absl::Status& GetStatus(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& s) {
  return s.status();
}

MATCHER(IsOk, "is OK") {
  const absl::Status& s = GetStatus(arg);
  if (!s.ok()) *result_listener << "status is " << s;
  return s.ok();
}

MATCHER_P2(StatusIs, code, message_matcher,
           "has code " + ::testing::PrintToString(code)) {
  const absl::Status& s = GetStatus(arg);
  *result_listener << "status is " << s;
  return s.code() == code &&
         ::testing::Matches(message_matcher)(std::string(s.message()));
}

}  // namespace remotek::testing

// Unwraps a StatusOr in a test, failing it (fatally) when not OK.
#define ASSERT_OK_AND_ASSIGN(lhs, expr)                                    \
  ASSERT_OK_AND_ASSIGN_IMPL_(REMOTEK_STATUS_CONCAT_(test_statusor_, __LINE__), \
                             lhs, expr)
#define ASSERT_OK_AND_ASSIGN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                               \
  ASSERT_TRUE(statusor.ok()) << statusor.status();      \
  lhs = std::move(statusor).value()

#define EXPECT_OK(expr) EXPECT_THAT((expr), ::remotek::testing::IsOk())
#define ASSERT_OK(expr) ASSERT_THAT((expr), ::remotek::testing::IsOk())

#endif  // REMOTEK_TESTS_SUPPORT_STATUS_MATCHERS_H_
