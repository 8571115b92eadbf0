// The one place absl::Status becomes grpc::Status.
#ifndef REMOTEK_SERVER_STATUS_MAPPING_H_
#define REMOTEK_SERVER_STATUS_MAPPING_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grpcpp/support/status.h"

namespace remotek::server {

// Messages echo client input (names, ids); one that long could not travel in
// the trailers (clients refuse metadata past ~8 KiB, and grpc-message is
// percent-encoded), so longer messages are cut to this many bytes.
inline constexpr size_t kMaxStatusMessageBytes = 1024;

// `message` if it fits kMaxStatusMessageBytes; else its first bytes up to a
// UTF-8 boundary, then "... [truncated: N bytes in all]".
std::string BoundedMessage(absl::string_view message);

// Maps every absl code to the gRPC code of the same meaning, keeping the
// message (bounded by BoundedMessage).
grpc::Status ToGrpcStatus(const absl::Status& status);
grpc::StatusCode ToGrpcCode(absl::StatusCode code);

}  // namespace remotek::server

#endif  // REMOTEK_SERVER_STATUS_MAPPING_H_
