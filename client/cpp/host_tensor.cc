#include "remotek/host_tensor.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace remotek::client {

size_t DTypeSize(DType dtype) {
  switch (dtype) {
    case DType::kFloat16:
      return 2;
    case DType::kFloat32:
      return 4;
    case DType::kFloat64:
      return 8;
    case DType::kInt8:
      return 1;
    case DType::kInt16:
      return 2;
    case DType::kInt32:
      return 4;
    case DType::kInt64:
      return 8;
    case DType::kUInt8:
      return 1;
    case DType::kBool:
      return 1;
    case DType::kInvalid:
      break;
  }
  return 0;
}

std::string_view DTypeName(DType dtype) {
  switch (dtype) {
    case DType::kFloat16:
      return "float16";
    case DType::kFloat32:
      return "float32";
    case DType::kFloat64:
      return "float64";
    case DType::kInt8:
      return "int8";
    case DType::kInt16:
      return "int16";
    case DType::kInt32:
      return "int32";
    case DType::kInt64:
      return "int64";
    case DType::kUInt8:
      return "uint8";
    case DType::kBool:
      return "bool";
    case DType::kInvalid:
      break;
  }
  return "invalid";
}

absl::StatusOr<DType> ParseDType(std::string_view name) {
  for (int i = 1; i <= static_cast<int>(DType::kBool); ++i) {
    if (DTypeName(static_cast<DType>(i)) == name) return static_cast<DType>(i);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("dtype=\"", std::string(name), "\" is not a known dtype"));
}

// Same algorithm as the engine's backend/core/half.h, which the client may
// not include: it depends on the wire contract alone.
float HalfToFloat(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exponent = (h >> 10) & 0x1fu;
  uint32_t mantissa = h & 0x3ffu;
  uint32_t bits;
  if (exponent == 0x1f) {
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else if (exponent == 0) {
    if (mantissa == 0) {
      bits = sign;
    } else {
      exponent = 127 - 15 + 1;
      while ((mantissa & 0x400u) == 0) {
        mantissa <<= 1;
        --exponent;
      }
      mantissa &= 0x3ffu;
      bits = sign | (exponent << 23) | (mantissa << 13);
    }
  } else {
    bits = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

uint16_t FloatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, sizeof(x));
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  const uint32_t abs = x & 0x7fffffffu;
  if (abs >= 0x7f800000u) {
    return static_cast<uint16_t>(sign | 0x7c00u |
                                 (abs > 0x7f800000u ? 0x200u : 0u));
  }
  if (abs >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);
  if (abs < 0x38800000u) {
    if (abs < 0x33000000u) return sign;
    const uint32_t exponent = abs >> 23;
    const uint32_t mantissa = (abs & 0x7fffffu) | 0x800000u;
    const uint32_t shift = 126 - exponent;
    uint32_t half_mantissa = mantissa >> shift;
    const uint32_t remainder = mantissa & ((1u << shift) - 1);
    const uint32_t halfway = 1u << (shift - 1);
    if (remainder > halfway || (remainder == halfway && (half_mantissa & 1u))) {
      ++half_mantissa;
    }
    return static_cast<uint16_t>(sign | half_mantissa);
  }
  uint32_t rounded = abs - 0x38000000u;
  const uint32_t remainder = rounded & 0x1fffu;
  rounded >>= 13;
  if (remainder > 0x1000u || (remainder == 0x1000u && (rounded & 1u)))
    ++rounded;
  return static_cast<uint16_t>(sign | rounded);
}

std::string DimsToString(const Dims& dims) {
  return absl::StrCat("[",
                      absl::StrJoin(dims, ",",
                                    [](std::string* out, int64_t d) {
                                      if (d < 0) {
                                        out->append("?");
                                      } else {
                                        absl::StrAppend(out, d);
                                      }
                                    }),
                      "]");
}

HostTensor HostTensor::FromFloat16Bits(Dims shape,
                                       const std::vector<uint16_t>& bits) {
  HostTensor t(DType::kFloat16, std::move(shape), std::string());
  t.bytes_.resize(bits.size() * sizeof(uint16_t));
  if (!bits.empty()) std::memcpy(t.bytes_.data(), bits.data(), t.bytes_.size());
  return t;
}

HostTensor HostTensor::Zeros(DType dtype, Dims shape) {
  HostTensor t(dtype, std::move(shape), std::string());
  t.bytes_.assign(static_cast<size_t>(t.num_elements()) * DTypeSize(dtype),
                  '\0');
  return t;
}

int64_t HostTensor::num_elements() const {
  int64_t n = 1;
  for (int64_t d : shape_) {
    if (d < 0) return 0;
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / d) return 0;
    n *= d;
  }
  return n;
}

absl::Status HostTensor::Validate() const {
  if (DTypeSize(dtype_) == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "tensor has no valid dtype (", static_cast<int>(dtype_), ")"));
  }
  int64_t n = 1;
  for (size_t i = 0; i < shape_.size(); ++i) {
    const int64_t d = shape_[i];
    if (d < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("tensor shape ", DimsToString(shape_),
                       " has a negative dim at index ", i));
    }
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / d) {
      return absl::InvalidArgumentError(absl::StrCat(
          "tensor shape ", DimsToString(shape_), " overflows int64"));
    }
    n *= d;
  }
  const int64_t size = static_cast<int64_t>(DTypeSize(dtype_));
  if (n > std::numeric_limits<int64_t>::max() / size ||
      n * size != byte_size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("tensor ", DebugString(), " needs ", n, " x ", size,
                     " bytes but holds ", byte_size()));
  }
  return absl::OkStatus();
}

std::vector<uint16_t> HostTensor::float16_bits() const {
  if (dtype_ != DType::kFloat16) return {};
  std::vector<uint16_t> out(static_cast<size_t>(elements_held()));
  if (!out.empty())
    std::memcpy(out.data(), bytes_.data(), out.size() * sizeof(uint16_t));
  return out;
}

std::string HostTensor::DebugString() const {
  return std::string(DTypeName(dtype_)) + DimsToString(shape_);
}

}  // namespace remotek::client
