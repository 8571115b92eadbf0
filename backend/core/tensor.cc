#include "backend/core/tensor.h"

#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "backend/core/status_macros.h"

namespace remotek {

absl::StatusOr<std::shared_ptr<TensorBuffer>> TensorBuffer::Create(
    int64_t bytes, std::shared_ptr<MemoryAccount> account) {
  if (account != nullptr) REMOTEK_RETURN_IF_ERROR(account->Charge(bytes));
  // aligned_alloc needs a size that is a multiple of the alignment.
  const int64_t rounded =
      (bytes + kTensorAlignment - 1) / kTensorAlignment * kTensorAlignment;
  void* data = std::aligned_alloc(kTensorAlignment,
                                  static_cast<size_t>(std::max<int64_t>(rounded, kTensorAlignment)));
  if (data == nullptr) {
    if (account != nullptr) account->Release(bytes);
    return absl::ResourceExhaustedError(
        absl::StrCat("allocation of ", bytes, " bytes failed"));
  }
  return std::shared_ptr<TensorBuffer>(
      new TensorBuffer(data, bytes, std::move(account)));
}

TensorBuffer::~TensorBuffer() {
  std::free(data_);
  if (account_ != nullptr) account_->Release(size_);
}

absl::StatusOr<Tensor> Tensor::Allocate(DType dtype, const Shape& shape,
                                        std::shared_ptr<MemoryAccount> account) {
  if (!IsValidDType(static_cast<int>(dtype))) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid dtype value ", static_cast<int>(dtype)));
  }
  REMOTEK_RETURN_IF_ERROR(ValidateDims(shape.dims(), false, "shape"));
  REMOTEK_ASSIGN_OR_RETURN(int64_t n, shape.NumElements());
  int64_t bytes;
  if (!CheckedMul(n, static_cast<int64_t>(DTypeSize(dtype)), &bytes)) {
    // A size no allocation can meet: the same code as a failed one.
    return absl::ResourceExhaustedError(absl::StrCat(
        "tensor of shape ", shape.ToString(), " and dtype ", DTypeName(dtype),
        " has a byte size that does not fit in int64"));
  }
  Tensor t;
  REMOTEK_ASSIGN_OR_RETURN(t.buffer_,
                           TensorBuffer::Create(bytes, std::move(account)));
  t.dtype_ = dtype;
  t.shape_ = shape;
  t.num_elements_ = n;
  return t;
}

absl::StatusOr<Tensor> Tensor::Zeros(DType dtype, const Shape& shape,
                                     std::shared_ptr<MemoryAccount> account) {
  REMOTEK_ASSIGN_OR_RETURN(Tensor t, Allocate(dtype, shape, std::move(account)));
  if (t.byte_size() > 0) std::memset(t.raw_data(), 0, t.byte_size());
  return t;
}

Tensor Tensor::WithShape(Shape shape) const {
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

std::string Tensor::DebugString() const {
  return absl::StrCat(DTypeName(dtype_), shape_.ToString());
}

}  // namespace remotek
