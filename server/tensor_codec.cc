#include "server/tensor_codec.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "backend/core/status_macros.h"

namespace remotek::server {

absl::StatusOr<DType> DecodeOptionalDType(int wire, const std::string& field) {
  if (wire == v1::DTYPE_UNSPECIFIED) return DType::kInvalid;
  if (!IsValidDType(wire)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, "=", wire, " is not a known dtype"));
  }
  return static_cast<DType>(wire);
}

absl::StatusOr<DType> DecodeDType(int wire, const std::string& field) {
  REMOTEK_ASSIGN_OR_RETURN(DType dtype, DecodeOptionalDType(wire, field));
  if (dtype == DType::kInvalid) {
    return absl::InvalidArgumentError(absl::StrCat(field, " is required"));
  }
  return dtype;
}

v1::DType EncodeDType(DType dtype) { return static_cast<v1::DType>(dtype); }

absl::Status CheckElementLimit(const std::vector<int64_t>& dims, const std::string& field,
                               int64_t max_elements) {
  if (max_elements <= 0) return absl::OkStatus();
  int64_t n = 1;
  bool overflow = false;
  for (int64_t d : dims) {
    if (d < 0) continue;  // unknown (placeholder) dims
    if (!CheckedMul(n, d, &n)) {
      overflow = true;
      break;
    }
  }
  if (!overflow && n <= max_elements) return absl::OkStatus();
  return absl::ResourceExhaustedError(absl::StrCat(
      field, " has ", overflow ? std::string("more than 2^63") : absl::StrCat(n),
      " elements, above the limit of max_tensor_elements=", max_elements));
}

absl::StatusOr<Tensor> DecodeTensor(const v1::Tensor& proto, const std::string& field,
                                    const std::shared_ptr<MemoryAccount>& account,
                                    int64_t max_elements) {
  REMOTEK_ASSIGN_OR_RETURN(DType dtype,
                           DecodeDType(proto.dtype(), absl::StrCat(field, ".dtype")));
  const std::vector<int64_t> dims(proto.shape().begin(), proto.shape().end());
  REMOTEK_RETURN_IF_ERROR(ValidateDims(dims, false, absl::StrCat(field, ".shape")));
  REMOTEK_RETURN_IF_ERROR(CheckElementLimit(dims, absl::StrCat(field, ".shape"), max_elements));
  const Shape shape(dims);
  const int64_t n = shape.NumElements().value();  // ValidateDims checked overflow
  int64_t bytes;
  if (!CheckedMul(n, static_cast<int64_t>(DTypeSize(dtype)), &bytes) ||
      bytes != static_cast<int64_t>(proto.content().size())) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ".content has ", proto.content().size(), " bytes but ",
        DTypeName(dtype), shape.ToString(), " needs ", n, " x ",
        DTypeSize(dtype), " bytes"));
  }
  REMOTEK_ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(dtype, shape, account));
  if (bytes > 0) std::memcpy(t.raw_data(), proto.content().data(), bytes);
  if (dtype == DType::kBool) {
    // Only 0 and 1 are bools; normalise so kernels may rely on it.
    uint8_t* p = static_cast<uint8_t*>(t.raw_data());
    for (int64_t i = 0; i < n; ++i) p[i] = p[i] != 0;
  }
  return t;
}

void EncodeTensor(const Tensor& tensor, v1::Tensor* proto) {
  proto->set_dtype(EncodeDType(tensor.dtype()));
  proto->mutable_shape()->Assign(tensor.shape().dims().begin(),
                                 tensor.shape().dims().end());
  proto->set_content(static_cast<const char*>(tensor.raw_data()),
                     static_cast<size_t>(tensor.byte_size()));
}

int64_t EncodedSize(const Tensor& tensor) {
  return tensor.byte_size() + 16 + 10 * tensor.rank();
}

void EncodeSpec(const TensorSpec& spec, v1::TensorSpec* proto) {
  proto->set_dtype(EncodeDType(spec.dtype));
  proto->mutable_shape()->Assign(spec.shape.dims().begin(), spec.shape.dims().end());
}

absl::StatusOr<AttrMap> DecodeAttrs(
    const google::protobuf::Map<std::string, v1::AttrValue>& attrs) {
  AttrMap out;
  for (const auto& [name, value] : attrs) {
    switch (value.value_case()) {
      case v1::AttrValue::kI: out[name] = value.i(); break;
      case v1::AttrValue::kF: out[name] = value.f(); break;
      case v1::AttrValue::kB: out[name] = value.b(); break;
      case v1::AttrValue::kS: out[name] = value.s(); break;
      case v1::AttrValue::kInts:
        out[name] = std::vector<int64_t>(value.ints().values().begin(),
                                         value.ints().values().end());
        break;
      case v1::AttrValue::kFloats:
        out[name] = std::vector<double>(value.floats().values().begin(),
                                        value.floats().values().end());
        break;
      case v1::AttrValue::VALUE_NOT_SET:
        return absl::InvalidArgumentError(
            absl::StrCat("attrs[\"", name, "\"] has no value"));
    }
  }
  return out;
}

}  // namespace remotek::server
