// Conversions between wire messages and engine types. Decoding validates
// every field a client controls and names it in the error.
#ifndef REMOTEK_SERVER_TENSOR_CODEC_H_
#define REMOTEK_SERVER_TENSOR_CODEC_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "backend/core/attrs.h"
#include "backend/core/op_registry.h"
#include "backend/core/tensor.h"
#include "google/protobuf/map.h"
#include "remotek/v1/tensor.pb.h"

namespace remotek::server {

// INVALID_ARGUMENT naming `field` for an unknown or unspecified enum value.
absl::StatusOr<DType> DecodeDType(int wire, const std::string& field);
// DTYPE_UNSPECIFIED decodes to DType::kInvalid ("use the default").
absl::StatusOr<DType> DecodeOptionalDType(int wire, const std::string& field);
v1::DType EncodeDType(DType dtype);

// Validates dtype, dims and that content holds exactly the bytes the shape
// needs, then copies content into a new tensor charged to `account`.
// INVALID_ARGUMENT naming `field`; RESOURCE_EXHAUSTED from the account.
// RESOURCE_EXHAUSTED when it has more than `max_elements` elements (0: unlimited).
absl::StatusOr<Tensor> DecodeTensor(const v1::Tensor& proto, const std::string& field,
                                    const std::shared_ptr<MemoryAccount>& account,
                                    int64_t max_elements = 0);
// RESOURCE_EXHAUSTED "FIELD has N elements, above the limit of max_tensor_elements=M"
// when the known (>= 0) dims of `dims` multiply to more than `max_elements`.
absl::Status CheckElementLimit(const std::vector<int64_t>& dims, const std::string& field,
                               int64_t max_elements);
void EncodeTensor(const Tensor& tensor, v1::Tensor* proto);
// Bytes `tensor` needs on the wire, for message-size checks before encoding.
int64_t EncodedSize(const Tensor& tensor);

void EncodeSpec(const TensorSpec& spec, v1::TensorSpec* proto);

absl::StatusOr<AttrMap> DecodeAttrs(
    const google::protobuf::Map<std::string, v1::AttrValue>& attrs);

}  // namespace remotek::server

#endif  // REMOTEK_SERVER_TENSOR_CODEC_H_
