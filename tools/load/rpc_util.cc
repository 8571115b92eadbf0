// Helpers shared by the scenarios (see rpc_util.h).
#include "tools/load/rpc_util.h"

#include <chrono>

#include "absl/status/status.h"

namespace remotek::load {

void PrepareContext(const LoadOptions& options, const std::string& session_id,
                    grpc::ClientContext* context) {
  context->set_deadline(std::chrono::system_clock::now() + options.timeout);
  if (client::SessionIdFitsHeader(session_id)) {
    context->AddMetadata(client::kSessionIdHeader, session_id);
  }
}

client::HostTensor RampTensor(const client::Dims& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  std::vector<float> values(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    values[static_cast<size_t>(i)] =
        static_cast<float>(i % 200) / 100.0f - 1.0f;
  }
  return client::HostTensor::FromVector<float>(shape, values);
}

void ToWire(const client::HostTensor& tensor, v1::Tensor* out) {
  out->set_dtype(static_cast<v1::DType>(tensor.dtype()));
  out->mutable_shape()->Assign(tensor.shape().begin(), tensor.shape().end());
  out->set_content(tensor.bytes());
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()));
}

std::string GrpcCodeName(grpc::StatusCode code) {
  // absl's names are gRPC's canonical names, and the numbering is shared.
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

}  // namespace remotek::load
