// A dense, row-major tensor over a 64-byte-aligned buffer charged to a
// MemoryAccount. Tensors are cheap handles: copies share the buffer. Buffers
// are written only by the code that allocated them, before the tensor is
// shared; after that they are treated as immutable, which is what lets a
// function call read variables without copying and without holding a lock.
#ifndef REMOTEK_BACKEND_CORE_TENSOR_H_
#define REMOTEK_BACKEND_CORE_TENSOR_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "backend/core/dtype.h"
#include "backend/core/memory_account.h"
#include "backend/core/shape.h"

namespace remotek {

inline constexpr size_t kTensorAlignment = 64;

// Owns one aligned allocation and returns its bytes to the account when freed.
class TensorBuffer {
 public:
  // RESOURCE_EXHAUSTED when the account refuses or the allocation fails.
  static absl::StatusOr<std::shared_ptr<TensorBuffer>> Create(
      int64_t bytes, std::shared_ptr<MemoryAccount> account);
  ~TensorBuffer();
  TensorBuffer(const TensorBuffer&) = delete;
  TensorBuffer& operator=(const TensorBuffer&) = delete;

  void* data() const { return data_; }
  int64_t size() const { return size_; }

 private:
  TensorBuffer(void* data, int64_t size, std::shared_ptr<MemoryAccount> account)
      : data_(data), size_(size), account_(std::move(account)) {}
  void* data_;
  int64_t size_;
  std::shared_ptr<MemoryAccount> account_;
};

class Tensor {
 public:
  Tensor() = default;  // invalid: no dtype, no buffer

  // Allocates an uninitialised tensor. INVALID_ARGUMENT for a shape with
  // unknown or negative dims or an element count overflowing int64;
  // RESOURCE_EXHAUSTED for a byte size past int64, when the account refuses
  // or when the allocation fails. `account` may be null
  // (uncounted scratch, used only by tests and benchmarks).
  static absl::StatusOr<Tensor> Allocate(DType dtype, const Shape& shape,
                                         std::shared_ptr<MemoryAccount> account);
  // As Allocate, with every byte zero.
  static absl::StatusOr<Tensor> Zeros(DType dtype, const Shape& shape,
                                      std::shared_ptr<MemoryAccount> account);

  bool valid() const { return dtype_ != DType::kInvalid; }
  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int rank() const { return shape_.rank(); }
  int64_t num_elements() const { return num_elements_; }
  int64_t byte_size() const {
    return num_elements_ * static_cast<int64_t>(DTypeSize(dtype_));
  }

  void* raw_data() const { return buffer_ ? buffer_->data() : nullptr; }
  template <typename T>
  T* data() const {
    return static_cast<T*>(raw_data());
  }
  // The same buffer under another shape with the same element count.
  // REQUIRES: `shape` fully defined with num_elements() elements.
  Tensor WithShape(Shape shape) const;
  // True when both share one buffer (used by tests to prove no copy was made).
  bool SharesBufferWith(const Tensor& other) const {
    return buffer_ != nullptr && buffer_ == other.buffer_;
  }

  std::string DebugString() const;  // "float32(2, 3)"

 private:
  DType dtype_ = DType::kInvalid;
  Shape shape_;
  int64_t num_elements_ = 0;
  std::shared_ptr<TensorBuffer> buffer_;
};

}  // namespace remotek

#endif  // REMOTEK_BACKEND_CORE_TENSOR_H_
