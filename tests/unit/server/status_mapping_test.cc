// server/status_mapping: every absl::StatusCode becomes the gRPC code of the
// same meaning, and the message travels unchanged.
#include "server/status_mapping.h"

#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace remotek::server {
namespace {

using A = absl::StatusCode;
using G = grpc::StatusCode;

// Written out by hand, not derived from the numbers, so that a wrong case in
// the switch cannot agree with itself.
const std::vector<std::pair<A, G>>& AllCodes() {
  static const auto* codes = new std::vector<std::pair<A, G>>{
      {A::kOk, G::OK},
      {A::kCancelled, G::CANCELLED},
      {A::kUnknown, G::UNKNOWN},
      {A::kInvalidArgument, G::INVALID_ARGUMENT},
      {A::kDeadlineExceeded, G::DEADLINE_EXCEEDED},
      {A::kNotFound, G::NOT_FOUND},
      {A::kAlreadyExists, G::ALREADY_EXISTS},
      {A::kPermissionDenied, G::PERMISSION_DENIED},
      {A::kResourceExhausted, G::RESOURCE_EXHAUSTED},
      {A::kFailedPrecondition, G::FAILED_PRECONDITION},
      {A::kAborted, G::ABORTED},
      {A::kOutOfRange, G::OUT_OF_RANGE},
      {A::kUnimplemented, G::UNIMPLEMENTED},
      {A::kInternal, G::INTERNAL},
      {A::kUnavailable, G::UNAVAILABLE},
      {A::kDataLoss, G::DATA_LOSS},
      {A::kUnauthenticated, G::UNAUTHENTICATED},
  };
  return *codes;
}

TEST(StatusMapping, CoversEveryAbslCode) {
  // absl defines codes 0..16; the table must hold each exactly once.
  std::vector<bool> seen(17, false);
  for (const auto& [a, g] : AllCodes()) {
    const int n = static_cast<int>(a);
    ASSERT_GE(n, 0);
    ASSERT_LT(n, 17);
    EXPECT_FALSE(seen[n]) << absl::StatusCodeToString(a);
    seen[n] = true;
  }
  for (int n = 0; n < 17; ++n)
    EXPECT_TRUE(seen[n]) << "code " << n << " missing from the table";
}

TEST(StatusMapping, EveryCodeMapsToTheSameMeaning) {
  for (const auto& [a, g] : AllCodes()) {
    SCOPED_TRACE(absl::StatusCodeToString(a));
    EXPECT_EQ(ToGrpcCode(a), g);
    // Both follow google.rpc.Code, so the numbers agree too.
    EXPECT_EQ(static_cast<int>(ToGrpcCode(a)), static_cast<int>(a));
  }
}

TEST(StatusMapping, StatusKeepsCodeAndMessage) {
  for (const auto& [a, g] : AllCodes()) {
    if (a == A::kOk) continue;
    SCOPED_TRACE(absl::StatusCodeToString(a));
    const grpc::Status s =
        ToGrpcStatus(absl::Status(a, "batch_dot: axes[1]=3 is out of range"));
    EXPECT_EQ(s.error_code(), g);
    EXPECT_EQ(s.error_message(), "batch_dot: axes[1]=3 is out of range");
  }
}

TEST(StatusMapping, OkIsOkWithNoMessage) {
  const grpc::Status s = ToGrpcStatus(absl::OkStatus());
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.error_code(), G::OK);
  EXPECT_EQ(s.error_message(), "");
}

TEST(StatusMapping, CodeOutsideTheEnumIsUnknown) {
  EXPECT_EQ(ToGrpcCode(static_cast<A>(17)), G::UNKNOWN);
  EXPECT_EQ(ToGrpcCode(static_cast<A>(99)), G::UNKNOWN);
  EXPECT_EQ(ToGrpcCode(static_cast<A>(-1)), G::UNKNOWN);
  const grpc::Status s = ToGrpcStatus(absl::Status(static_cast<A>(42), "odd"));
  EXPECT_EQ(s.error_code(), G::UNKNOWN);
  EXPECT_EQ(s.error_message(), "odd");
}

// A message echoing a 100 KB client-chosen name could not travel in the
// trailers (the client reported "received initial metadata size exceeds
// limit"); it is cut on a UTF-8 boundary and says how long it was.
TEST(StatusMapping, LongMessagesAreCutOnACharacterBoundary) {
  const std::string exact(kMaxStatusMessageBytes, 'a');
  EXPECT_EQ(ToGrpcStatus(absl::NotFoundError(exact)).error_message(), exact);

  const std::string name(100000, 'h');
  const grpc::Status s =
      ToGrpcStatus(absl::NotFoundError("unknown handle \"" + name + "\""));
  EXPECT_EQ(s.error_code(), G::NOT_FOUND);
  EXPECT_EQ(s.error_message(),
            "unknown handle \"" + std::string(kMaxStatusMessageBytes - 16, 'h') +
                "... [truncated: 100017 bytes in all]");

  // "\xc3\xa9" (é) straddling the cut is dropped whole.
  const std::string accented = std::string(kMaxStatusMessageBytes - 1, 'e') +
                               "\xc3\xa9" + std::string(10, 'e');
  EXPECT_EQ(BoundedMessage(accented),
            std::string(kMaxStatusMessageBytes - 1, 'e') +
                "... [truncated: 1035 bytes in all]");
}

}  // namespace
}  // namespace remotek::server
