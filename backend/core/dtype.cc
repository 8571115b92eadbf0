#include "backend/core/dtype.h"

#include "absl/strings/str_cat.h"

namespace remotek {

absl::string_view DTypeName(DType dtype) {
  switch (dtype) {
    case DType::kFloat16: return "float16";
    case DType::kFloat32: return "float32";
    case DType::kFloat64: return "float64";
    case DType::kInt8: return "int8";
    case DType::kInt16: return "int16";
    case DType::kInt32: return "int32";
    case DType::kInt64: return "int64";
    case DType::kUInt8: return "uint8";
    case DType::kBool: return "bool";
    case DType::kInvalid: break;
  }
  return "invalid";
}

absl::StatusOr<DType> ParseDType(absl::string_view name) {
  for (DType dtype : kAllDTypes) {
    if (DTypeName(dtype) == name) return dtype;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "dtype \"", name,
      "\" is not one of float16, float32, float64, int8, int16, int32, int64, "
      "uint8, bool"));
}

bool IsValidDType(int value) {
  return value >= static_cast<int>(DType::kFloat16) &&
         value <= static_cast<int>(DType::kBool);
}

size_t DTypeSize(DType dtype) {
  switch (dtype) {
    case DType::kFloat16: return 2;
    case DType::kFloat32: return 4;
    case DType::kFloat64: return 8;
    case DType::kInt8: return 1;
    case DType::kInt16: return 2;
    case DType::kInt32: return 4;
    case DType::kInt64: return 8;
    case DType::kUInt8: return 1;
    case DType::kBool: return 1;
    case DType::kInvalid: break;
  }
  return 0;
}

bool IsFloating(DType dtype) {
  return dtype == DType::kFloat16 || dtype == DType::kFloat32 ||
         dtype == DType::kFloat64;
}

bool IsInteger(DType dtype) {
  return dtype == DType::kInt8 || dtype == DType::kInt16 ||
         dtype == DType::kInt32 || dtype == DType::kInt64 ||
         dtype == DType::kUInt8;
}

bool IsNumeric(DType dtype) { return IsFloating(dtype) || IsInteger(dtype); }

}  // namespace remotek
