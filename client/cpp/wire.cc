#include "client/cpp/wire.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"

namespace remotek::client::internal {

absl::StatusCode FromGrpcCode(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return absl::StatusCode::kOk;
    case grpc::StatusCode::CANCELLED:
      return absl::StatusCode::kCancelled;
    case grpc::StatusCode::UNKNOWN:
      return absl::StatusCode::kUnknown;
    case grpc::StatusCode::INVALID_ARGUMENT:
      return absl::StatusCode::kInvalidArgument;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return absl::StatusCode::kDeadlineExceeded;
    case grpc::StatusCode::NOT_FOUND:
      return absl::StatusCode::kNotFound;
    case grpc::StatusCode::ALREADY_EXISTS:
      return absl::StatusCode::kAlreadyExists;
    case grpc::StatusCode::PERMISSION_DENIED:
      return absl::StatusCode::kPermissionDenied;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return absl::StatusCode::kResourceExhausted;
    case grpc::StatusCode::FAILED_PRECONDITION:
      return absl::StatusCode::kFailedPrecondition;
    case grpc::StatusCode::ABORTED:
      return absl::StatusCode::kAborted;
    case grpc::StatusCode::OUT_OF_RANGE:
      return absl::StatusCode::kOutOfRange;
    case grpc::StatusCode::UNIMPLEMENTED:
      return absl::StatusCode::kUnimplemented;
    case grpc::StatusCode::INTERNAL:
      return absl::StatusCode::kInternal;
    case grpc::StatusCode::UNAVAILABLE:
      return absl::StatusCode::kUnavailable;
    case grpc::StatusCode::DATA_LOSS:
      return absl::StatusCode::kDataLoss;
    case grpc::StatusCode::UNAUTHENTICATED:
      return absl::StatusCode::kUnauthenticated;
    default:
      break;
  }
  return absl::StatusCode::kUnknown;
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(FromGrpcCode(status.error_code()),
                      status.error_message());
}

void PrepareContext(const Connection& connection, const std::string& session_id,
                    bool unary, grpc::ClientContext* context) {
  if (SessionIdFitsHeader(session_id)) context->AddMetadata(kSessionIdHeader, session_id);
  if (unary && connection.options.timeout.count() > 0) {
    context->set_deadline(std::chrono::system_clock::now() +
                          connection.options.timeout);
  }
}

int64_t MaxPayloadBytes(const Connection& connection, int64_t wanted) {
  int64_t limit = connection.server_limit.load();
  if (limit == 0) {
    v1::ServerInfo info;
    const absl::Status status =
        CallUnary(connection, "", &v1::RemoteK::Stub::GetServerInfo,
                  v1::GetServerInfoRequest(), &info);
    limit = status.ok() && info.max_message_bytes() > 0
                ? info.max_message_bytes()
                : -1;
    connection.server_limit.store(limit);
  }
  if (limit < 0) return wanted;
  const int64_t room = limit - std::min<int64_t>(limit / 4, 64 << 10);
  return std::max<int64_t>(1, std::min(wanted, room));
}

bool ShouldStream(const Connection& connection, int64_t bytes) {
  // Below the smallest limit a server accepts (4096 bytes) no need to ask.
  if (bytes <= 2048) return false;
  return bytes >
         MaxPayloadBytes(connection, connection.options.stream_threshold_bytes);
}

v1::DType EncodeDType(DType dtype) {
  return static_cast<v1::DType>(static_cast<int>(dtype));
}

DType DecodeDType(v1::DType dtype) {
  const int v = static_cast<int>(dtype);
  if (v < 0 || v > static_cast<int>(DType::kBool)) return DType::kInvalid;
  return static_cast<DType>(v);
}

absl::Status EncodeTensor(const HostTensor& tensor, const std::string& field,
                          v1::Tensor* proto) {
  absl::Status status = tensor.Validate();
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", status.message()));
  }
  proto->set_dtype(EncodeDType(tensor.dtype()));
  proto->mutable_shape()->Assign(tensor.shape().begin(), tensor.shape().end());
  proto->set_content(tensor.bytes());
  return absl::OkStatus();
}

HostTensor DecodeTensor(v1::Tensor* proto) {
  Dims dims(proto->shape().begin(), proto->shape().end());
  return HostTensor(DecodeDType(proto->dtype()), std::move(dims),
                    std::move(*proto->mutable_content()));
}

absl::StatusOr<int64_t> ExpectedBytes(DType dtype, const Dims& dims) {
  int64_t bytes = static_cast<int64_t>(DTypeSize(dtype));
  bool ok = bytes > 0;
  for (int64_t d : dims) {
    if (!ok) break;
    ok = d >= 0 && (d == 0 || bytes <= std::numeric_limits<int64_t>::max() / d);
    if (ok) bytes *= d;
  }
  if (!ok) {
    return absl::InvalidArgumentError(
        absl::StrCat("tensor ", std::string(DTypeName(dtype)),
                     DimsToString(dims), " has no valid byte size"));
  }
  return bytes;
}

void EncodeAttrs(const Attrs& attrs,
                 google::protobuf::Map<std::string, v1::AttrValue>* out) {
  for (const auto& [name, attr] : attrs) {
    v1::AttrValue& v = (*out)[name];
    std::visit(
        [&v](const auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, int64_t>) {
            v.set_i(x);
          } else if constexpr (std::is_same_v<T, double>) {
            v.set_f(x);
          } else if constexpr (std::is_same_v<T, bool>) {
            v.set_b(x);
          } else if constexpr (std::is_same_v<T, std::string>) {
            v.set_s(x);
          } else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
            v.mutable_ints()->mutable_values()->Assign(x.begin(), x.end());
          } else {
            v.mutable_floats()->mutable_values()->Assign(x.begin(), x.end());
          }
        },
        attr.value());
  }
}

TensorSpec DecodeSpec(const v1::TensorSpec& spec) {
  return TensorSpec{DecodeDType(spec.dtype()),
                    Dims(spec.shape().begin(), spec.shape().end())};
}

Node DecodeNode(const v1::Node& node) {
  TensorSpec spec = DecodeSpec(node.spec());
  return Node{node.handle(), node.kind(), spec.dtype, std::move(spec.shape)};
}

KerasConfig DecodeConfig(const v1::KerasConfig& config) {
  return KerasConfig{DecodeDType(config.floatx()), config.epsilon(),
                     config.image_data_format(), config.backend()};
}

SessionInfo DecodeSessionInfo(const v1::SessionInfo& info) {
  SessionInfo out;
  out.session_id = info.session_id();
  out.config = DecodeConfig(info.config());
  const v1::SessionStats& s = info.stats();
  out.stats =
      SessionStats{s.bytes_held(),       s.peak_bytes(), s.nodes(),
                   s.variables(),        s.functions(),  s.created_unix_ms(),
                   s.last_used_unix_ms()};
  return out;
}

v1::PlaceholderRequest MakePlaceholder(const std::string& name,
                                       const Dims* shape, int ndim,
                                       DType dtype) {
  v1::PlaceholderRequest req;
  req.set_name(name);
  req.set_dtype(EncodeDType(dtype));
  if (shape != nullptr) {
    req.mutable_shape()->mutable_dims()->Assign(shape->begin(), shape->end());
  } else {
    req.set_ndim(ndim);
  }
  return req;
}

v1::VariableRequest MakeInitVariable(v1::Initializer::Kind kind,
                                     const Dims& shape, double a, double b,
                                     std::optional<uint64_t> seed, DType dtype,
                                     const std::string& name) {
  v1::VariableRequest req;
  req.set_name(name);
  req.set_dtype(EncodeDType(dtype));
  v1::Initializer* init = req.mutable_initializer();
  init->set_kind(kind);
  init->mutable_shape()->Assign(shape.begin(), shape.end());
  switch (kind) {
    case v1::Initializer::CONSTANT:
      init->set_value(a);
      break;
    case v1::Initializer::RANDOM_UNIFORM:
      init->set_low(a);
      init->set_high(b);
      break;
    case v1::Initializer::RANDOM_NORMAL:
    case v1::Initializer::TRUNCATED_NORMAL:
      init->set_mean(a);
      init->set_stddev(b);
      break;
    default:
      break;
  }
  if (seed.has_value()) {
    init->set_has_seed(true);
    init->set_seed(*seed);
  }
  return req;
}

v1::OpNodeRequest MakeOpNode(const std::string& op,
                             const std::vector<NodeRef>& inputs,
                             const Attrs& attrs, const std::string& name) {
  v1::OpNodeRequest req;
  req.set_name(name);
  req.set_op(op);
  for (const NodeRef& in : inputs) req.add_inputs(in.handle());
  EncodeAttrs(attrs, req.mutable_attrs());
  return req;
}

}  // namespace remotek::client::internal
