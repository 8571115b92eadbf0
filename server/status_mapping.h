// The one place absl::Status becomes grpc::Status.
#ifndef REMOTEK_SERVER_STATUS_MAPPING_H_
#define REMOTEK_SERVER_STATUS_MAPPING_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace remotek::server {

// Maps every absl code to the gRPC code of the same meaning, keeping the message.
grpc::Status ToGrpcStatus(const absl::Status& status);
grpc::StatusCode ToGrpcCode(absl::StatusCode code);

}  // namespace remotek::server

#endif  // REMOTEK_SERVER_STATUS_MAPPING_H_
