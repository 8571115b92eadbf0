// HostTensor: a dense tensor in client memory — dtype, shape and raw
// little-endian row-major bytes, exactly as remotek.v1.Tensor carries it.
//
//   HostTensor x = HostTensor::FromVector<float>({2, 3}, {1, 2, 3, 4, 5, 6});
//   HostTensor s = HostTensor::Scalar<int64_t>(7);
//   std::vector<float> v = result.values<float>();   // converts from any dtype
//
// float16 travels as raw IEEE binary16 bits (FromFloat16Bits); values<float>()
// decodes it. bool is one byte per element, 0 or 1.
//
// Construction never fails: a tensor whose byte count does not match its
// shape is representable, Validate() reports it, and the client refuses to
// send it (INVALID_ARGUMENT) before it reaches the wire.
//
// Thread-safety: like std::string — const methods may run concurrently.
#ifndef REMOTEK_CLIENT_HOST_TENSOR_H_
#define REMOTEK_CLIENT_HOST_TENSOR_H_

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace remotek::client {

// Element types, named and numbered as remotek.v1.DType (and Keras) name them.
enum class DType : int {
  kInvalid =
      0,  // on requests: "the session's floatx" / "keep the value's dtype"
  kFloat16 = 1,
  kFloat32 = 2,
  kFloat64 = 3,
  kInt8 = 4,
  kInt16 = 5,
  kInt32 = 6,
  kInt64 = 7,
  kUInt8 = 8,
  kBool = 9,
};

// Bytes per element; 0 for kInvalid or an unknown value.
size_t DTypeSize(DType dtype);
// Keras's name ("float32", "int64", "bool"); "invalid" for kInvalid.
std::string_view DTypeName(DType dtype);
// Inverse of DTypeName. INVALID_ARGUMENT naming `name` when unknown.
absl::StatusOr<DType> ParseDType(std::string_view name);

// The dtype of a C++ element type. float16 has no C++ type here: use
// HostTensor::FromFloat16Bits.
template <typename T>
struct DTypeOf;
template <>
struct DTypeOf<float> {
  static constexpr DType value = DType::kFloat32;
};
template <>
struct DTypeOf<double> {
  static constexpr DType value = DType::kFloat64;
};
template <>
struct DTypeOf<int8_t> {
  static constexpr DType value = DType::kInt8;
};
template <>
struct DTypeOf<int16_t> {
  static constexpr DType value = DType::kInt16;
};
template <>
struct DTypeOf<int32_t> {
  static constexpr DType value = DType::kInt32;
};
template <>
struct DTypeOf<int64_t> {
  static constexpr DType value = DType::kInt64;
};
template <>
struct DTypeOf<uint8_t> {
  static constexpr DType value = DType::kUInt8;
};
template <>
struct DTypeOf<bool> {
  static constexpr DType value = DType::kBool;
};

// IEEE binary16 <-> float, round to nearest even (same rules as the server).
float HalfToFloat(uint16_t bits);
uint16_t FloatToHalf(float value);

// A shape: dims >= 0 for tensors; -1 (Keras's None) is allowed in static
// shapes such as placeholders' and inferred specs.
using Dims = std::vector<int64_t>;
// "[2,3]"; "[]" for a scalar; unknown dims print as "?".
std::string DimsToString(const Dims& dims);

class HostTensor {
 public:
  HostTensor() = default;  // dtype kInvalid, no shape, no bytes
  // Takes `bytes` as they are (see Validate).
  HostTensor(DType dtype, Dims shape, std::string bytes)
      : dtype_(dtype), shape_(std::move(shape)), bytes_(std::move(bytes)) {}

  // `values` in row-major order; its size should be the product of `shape`.
  template <typename T>
  static HostTensor FromVector(Dims shape, const std::vector<T>& values);
  template <typename T>
  static HostTensor Scalar(T value) {
    return FromVector<T>({}, std::vector<T>{value});
  }
  // float16 from raw binary16 bits.
  static HostTensor FromFloat16Bits(Dims shape,
                                    const std::vector<uint16_t>& bits);
  // All-zero bytes (0, 0.0, false) of `dtype` and `shape`.
  static HostTensor Zeros(DType dtype, Dims shape);

  DType dtype() const { return dtype_; }
  const Dims& shape() const { return shape_; }
  int rank() const { return static_cast<int>(shape_.size()); }
  // Product of the dims (1 for a scalar); 0 if any dim is negative.
  int64_t num_elements() const;
  int64_t byte_size() const { return static_cast<int64_t>(bytes_.size()); }

  const std::string& bytes() const { return bytes_; }
  std::string* mutable_bytes() { return &bytes_; }
  // Moves the bytes out, leaving this tensor empty.
  std::string release_bytes() { return std::move(bytes_); }

  // OK when dtype is known, every dim >= 0, and the byte count is
  // num_elements() * DTypeSize(dtype); else INVALID_ARGUMENT naming them.
  absl::Status Validate() const;

  // Elements converted to T as Keras's cast does (floats to integers
  // truncate toward zero and saturate, NaN gives 0; x != 0 for bool). Reads
  // at most as many elements as the bytes hold.
  template <typename T>
  std::vector<T> values() const;
  // Element `i` (row-major) converted to T. REQUIRES: 0 <= i < elements held.
  template <typename T>
  T value(int64_t i) const;
  // For float16 tensors: the raw binary16 bits.
  std::vector<uint16_t> float16_bits() const;

  // "float32[2,3]".
  std::string DebugString() const;

  friend bool operator==(const HostTensor& a, const HostTensor& b) {
    return a.dtype_ == b.dtype_ && a.shape_ == b.shape_ && a.bytes_ == b.bytes_;
  }
  friend bool operator!=(const HostTensor& a, const HostTensor& b) {
    return !(a == b);
  }

 private:
  int64_t elements_held() const {
    const size_t size = DTypeSize(dtype_);
    if (size == 0) return 0;
    const int64_t n = num_elements();
    const int64_t held = static_cast<int64_t>(bytes_.size() / size);
    return n < held ? n : held;
  }
  template <typename S>
  S Load(int64_t i) const {
    S s;
    std::memcpy(&s, bytes_.data() + i * sizeof(S), sizeof(S));
    return s;
  }
  template <typename T>
  T LoadAs(int64_t i) const;

  DType dtype_ = DType::kInvalid;
  Dims shape_;
  std::string bytes_;
};

// ------------------------------------------------------------ implementation

namespace internal {

// static_cast with Keras-like rules that never invoke undefined behaviour.
template <typename T, typename S>
T ConvertElement(S s) {
  if constexpr (std::is_same_v<T, bool>) {
    return s != S(0);
  } else if constexpr (std::is_floating_point_v<S> && std::is_integral_v<T>) {
    if (std::isnan(s)) return T(0);
    if (s <= static_cast<S>(std::numeric_limits<T>::lowest())) {
      return std::numeric_limits<T>::lowest();
    }
    if (s >= static_cast<S>(std::numeric_limits<T>::max())) {
      return std::numeric_limits<T>::max();
    }
    return static_cast<T>(s);
  } else {
    return static_cast<T>(s);
  }
}

}  // namespace internal

template <typename T>
HostTensor HostTensor::FromVector(Dims shape, const std::vector<T>& values) {
  static_assert(!std::is_same_v<T, uint16_t>, "float16: use FromFloat16Bits");
  HostTensor t(DTypeOf<T>::value, std::move(shape), std::string());
  t.bytes_.resize(values.size() * sizeof(T));
  if constexpr (std::is_same_v<T, bool>) {
    for (size_t i = 0; i < values.size(); ++i) t.bytes_[i] = values[i] ? 1 : 0;
  } else if (!values.empty()) {
    std::memcpy(t.bytes_.data(), values.data(), t.bytes_.size());
  }
  return t;
}

template <typename T>
T HostTensor::LoadAs(int64_t i) const {
  using internal::ConvertElement;
  switch (dtype_) {
    case DType::kFloat16:
      return ConvertElement<T>(HalfToFloat(Load<uint16_t>(i)));
    case DType::kFloat32:
      return ConvertElement<T>(Load<float>(i));
    case DType::kFloat64:
      return ConvertElement<T>(Load<double>(i));
    case DType::kInt8:
      return ConvertElement<T>(Load<int8_t>(i));
    case DType::kInt16:
      return ConvertElement<T>(Load<int16_t>(i));
    case DType::kInt32:
      return ConvertElement<T>(Load<int32_t>(i));
    case DType::kInt64:
      return ConvertElement<T>(Load<int64_t>(i));
    case DType::kUInt8:
      return ConvertElement<T>(Load<uint8_t>(i));
    case DType::kBool:
      return ConvertElement<T>(static_cast<uint8_t>(Load<uint8_t>(i) != 0));
    case DType::kInvalid:
      break;
  }
  return T();
}

template <typename T>
std::vector<T> HostTensor::values() const {
  const int64_t n = elements_held();
  std::vector<T> out(static_cast<size_t>(n));
  if constexpr (!std::is_same_v<T, bool>) {
    if (dtype_ == DTypeOf<T>::value) {
      if (n > 0) std::memcpy(out.data(), bytes_.data(), n * sizeof(T));
      return out;
    }
  }
  for (int64_t i = 0; i < n; ++i) out[i] = LoadAs<T>(i);
  return out;
}

template <typename T>
T HostTensor::value(int64_t i) const {
  return LoadAs<T>(i);
}

}  // namespace remotek::client

#endif  // REMOTEK_CLIENT_HOST_TENSOR_H_
