// Small helpers shared by the scenarios: a prepared ClientContext (deadline
// and the session metadata header), conversions from client-library values to
// wire messages, and absl -> grpc status.
//
// Thread-safety: free functions without shared state.
#ifndef REMOTEK_TOOLS_LOAD_RPC_UTIL_H_
#define REMOTEK_TOOLS_LOAD_RPC_UTIL_H_

#include <string>

#include "absl/status/status.h"
#include "grpcpp/grpcpp.h"
#include "remotek/client.h"
#include "remotek/v1/remotek.pb.h"
#include "tools/load/load_options.h"

namespace remotek::load {

// Sets the per-RPC deadline (--timeout) and, when `session_id` is not empty,
// the remotek-session-id header the client library also sends.
void PrepareContext(const LoadOptions& options, const std::string& session_id,
                    grpc::ClientContext* context);

// A float32 tensor of `shape` filled with a deterministic ramp in [-1, 1).
client::HostTensor RampTensor(const client::Dims& shape);

// Copies a HostTensor into a wire Tensor.
void ToWire(const client::HostTensor& tensor, v1::Tensor* out);

// The gRPC status of the same code and message (codes share their numbers).
grpc::Status ToGrpcStatus(const absl::Status& status);

// "INVALID_ARGUMENT", "UNAVAILABLE", ... — gRPC's canonical code names.
std::string GrpcCodeName(grpc::StatusCode code);

}  // namespace remotek::load

#endif  // REMOTEK_TOOLS_LOAD_RPC_UTIL_H_
