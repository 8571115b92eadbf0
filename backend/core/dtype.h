// Element types, named as Keras names them ("float32", ...).
#ifndef REMOTEK_BACKEND_CORE_DTYPE_H_
#define REMOTEK_BACKEND_CORE_DTYPE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "backend/core/half.h"

namespace remotek {

// Values match the wire enum in proto/remotek/v1/tensor.proto.
enum class DType : int {
  kInvalid = 0,
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

inline constexpr DType kAllDTypes[] = {
    DType::kFloat16, DType::kFloat32, DType::kFloat64, DType::kInt8,
    DType::kInt16,   DType::kInt32,   DType::kInt64,   DType::kUInt8,
    DType::kBool};

// "float32", ...; "invalid" for anything else.
absl::string_view DTypeName(DType dtype);
// INVALID_ARGUMENT naming the value when `name` is no Keras dtype name.
absl::StatusOr<DType> ParseDType(absl::string_view name);
bool IsValidDType(int value);
size_t DTypeSize(DType dtype);
bool IsFloating(DType dtype);
bool IsInteger(DType dtype);  // int8..int64 and uint8; not bool
bool IsNumeric(DType dtype);  // floating or integer

// Maps a C++ element type to its DType.
template <typename T> struct DTypeOf;
template <> struct DTypeOf<Half> { static constexpr DType value = DType::kFloat16; };
template <> struct DTypeOf<float> { static constexpr DType value = DType::kFloat32; };
template <> struct DTypeOf<double> { static constexpr DType value = DType::kFloat64; };
template <> struct DTypeOf<int8_t> { static constexpr DType value = DType::kInt8; };
template <> struct DTypeOf<int16_t> { static constexpr DType value = DType::kInt16; };
template <> struct DTypeOf<int32_t> { static constexpr DType value = DType::kInt32; };
template <> struct DTypeOf<int64_t> { static constexpr DType value = DType::kInt64; };
template <> struct DTypeOf<uint8_t> { static constexpr DType value = DType::kUInt8; };
template <> struct DTypeOf<bool> { static constexpr DType value = DType::kBool; };

// Tag carrying an element type through generic lambdas:
//   DispatchDType(dtype, [&](auto tag) { using T = typename decltype(tag)::type; ... });
template <typename T> struct TypeTag { using type = T; };

// Calls `f(TypeTag<T>{})` for the element type of `dtype`. REQUIRES: valid dtype.
template <typename F>
decltype(auto) DispatchDType(DType dtype, F&& f) {
  switch (dtype) {
    case DType::kFloat16: return f(TypeTag<Half>{});
    case DType::kFloat32: return f(TypeTag<float>{});
    case DType::kFloat64: return f(TypeTag<double>{});
    case DType::kInt8: return f(TypeTag<int8_t>{});
    case DType::kInt16: return f(TypeTag<int16_t>{});
    case DType::kInt32: return f(TypeTag<int32_t>{});
    case DType::kInt64: return f(TypeTag<int64_t>{});
    case DType::kUInt8: return f(TypeTag<uint8_t>{});
    case DType::kBool:
    case DType::kInvalid: break;
  }
  return f(TypeTag<bool>{});
}

// Like DispatchDType for kernels that never see float16 (the op runner widens
// it to float32 first) — avoids instantiating arithmetic on Half.
template <typename F>
decltype(auto) DispatchComputeDType(DType dtype, F&& f) {
  switch (dtype) {
    case DType::kFloat64: return f(TypeTag<double>{});
    case DType::kInt8: return f(TypeTag<int8_t>{});
    case DType::kInt16: return f(TypeTag<int16_t>{});
    case DType::kInt32: return f(TypeTag<int32_t>{});
    case DType::kInt64: return f(TypeTag<int64_t>{});
    case DType::kUInt8: return f(TypeTag<uint8_t>{});
    case DType::kBool: return f(TypeTag<bool>{});
    default: break;
  }
  return f(TypeTag<float>{});
}

}  // namespace remotek

#endif  // REMOTEK_BACKEND_CORE_DTYPE_H_
