// Internal to the client library: the shared connection, per-call contexts,
// gRPC -> absl status mapping and conversions between the public client
// types and remotek.v1 messages.
#ifndef REMOTEK_CLIENT_CPP_WIRE_H_
#define REMOTEK_CLIENT_CPP_WIRE_H_

#include <atomic>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"
#include "remotek/client.h"
#include "remotek/v1/remotek.grpc.pb.h"

// Same meaning as the engine's REMOTEK_RETURN_IF_ERROR / ASSIGN_OR_RETURN;
// the client may not include backend/ headers, hence its own names.
#define RK_CLIENT_RETURN_IF_ERROR(expr)                    \
  do {                                                     \
    ::absl::Status rk_client_status_ = (expr);             \
    if (!rk_client_status_.ok()) return rk_client_status_; \
  } while (0)
#define RK_CLIENT_CONCAT_INNER_(a, b) a##b
#define RK_CLIENT_CONCAT_(a, b) RK_CLIENT_CONCAT_INNER_(a, b)
#define RK_CLIENT_ASSIGN_OR_RETURN(lhs, expr)                                  \
  RK_CLIENT_ASSIGN_OR_RETURN_IMPL_(RK_CLIENT_CONCAT_(rk_client_or_, __LINE__), \
                                   lhs, expr)
#define RK_CLIENT_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                                     \
  if (!statusor.ok()) return std::move(statusor).status();    \
  lhs = std::move(statusor).value()

namespace remotek::client::internal {

// Thread-safety: immutable after construction; the stub is thread-safe.
struct Connection {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::RemoteK::Stub> stub;
  ClientOptions options;
  // The server's max_message_bytes, asked once: 0 not yet asked, -1 unknown.
  mutable std::atomic<int64_t> server_limit{0};
};

struct SessionCore {
  std::shared_ptr<Connection> connection;
  std::string id;
};

// The absl code of the same meaning (the numbering is shared).
absl::StatusCode FromGrpcCode(grpc::StatusCode code);
absl::Status FromGrpcStatus(const grpc::Status& status);

// Sets the session header (when `session_id` is non-empty) and, for unary
// calls, the deadline from the options.
void PrepareContext(const Connection& connection, const std::string& session_id,
                    bool unary, grpc::ClientContext* context);

template <typename Request, typename Response>
using StubMethod = grpc::Status (v1::RemoteK::Stub::*)(grpc::ClientContext*,
                                                       const Request&,
                                                       Response*);

template <typename Request, typename Response>
absl::Status CallUnary(const Connection& connection,
                       const std::string& session_id,
                       StubMethod<Request, Response> method,
                       const Request& request, Response* response) {
  grpc::ClientContext context;
  PrepareContext(connection, session_id, /*unary=*/true, &context);
  return FromGrpcStatus(
      ((*connection.stub).*method)(&context, request, response));
}

// The largest tensor payload to send in one message: the options' value,
// capped below the server's message limit (fetched with GetServerInfo on
// first use) with room for the rest of the message.
int64_t MaxPayloadBytes(const Connection& connection, int64_t wanted);
// Whether a value of `bytes` should travel through UploadTensor.
bool ShouldStream(const Connection& connection, int64_t bytes);

v1::DType EncodeDType(DType dtype);
DType DecodeDType(v1::DType dtype);

// Validates `tensor` (INVALID_ARGUMENT prefixed with `field`) and copies it
// into `proto`.
absl::Status EncodeTensor(const HostTensor& tensor, const std::string& field,
                          v1::Tensor* proto);
// Moves the content out of `proto`.
HostTensor DecodeTensor(v1::Tensor* proto);
// Bytes a tensor of `dtype` and `dims` holds; INVALID_ARGUMENT for negative
// dims, an unknown dtype or overflow.
absl::StatusOr<int64_t> ExpectedBytes(DType dtype, const Dims& dims);

void EncodeAttrs(const Attrs& attrs,
                 google::protobuf::Map<std::string, v1::AttrValue>* out);
Node DecodeNode(const v1::Node& node);
TensorSpec DecodeSpec(const v1::TensorSpec& spec);
KerasConfig DecodeConfig(const v1::KerasConfig& config);
SessionInfo DecodeSessionInfo(const v1::SessionInfo& info);

// Request builders shared by Session's one-node methods and GraphBuilder.
v1::PlaceholderRequest MakePlaceholder(const std::string& name,
                                       const Dims* shape, int ndim,
                                       DType dtype);
v1::VariableRequest MakeInitVariable(v1::Initializer::Kind kind,
                                     const Dims& shape, double a, double b,
                                     std::optional<uint64_t> seed, DType dtype,
                                     const std::string& name);
v1::OpNodeRequest MakeOpNode(const std::string& op,
                             const std::vector<NodeRef>& inputs,
                             const Attrs& attrs, const std::string& name);

// GraphBuilder's state.
struct GraphRequest {
  v1::BuildGraphRequest request;
  absl::Status status;  // first encoding error
};

}  // namespace remotek::client::internal

#endif  // REMOTEK_CLIENT_CPP_WIRE_H_
