// IEEE 754 binary16 storage type with exact, platform-independent conversions
// (round to nearest even). Kernels never compute in half: the op runner widens
// float16 inputs to float32 and narrows the result (see op_runner.h).
#ifndef REMOTEK_BACKEND_CORE_HALF_H_
#define REMOTEK_BACKEND_CORE_HALF_H_

#include <cstdint>
#include <cstring>

namespace remotek {

struct Half {
  uint16_t bits = 0;
};

inline float HalfToFloat(Half h) {
  const uint32_t sign = static_cast<uint32_t>(h.bits & 0x8000u) << 16;
  uint32_t exponent = (h.bits >> 10) & 0x1fu;
  uint32_t mantissa = h.bits & 0x3ffu;
  uint32_t bits;
  if (exponent == 0x1f) {  // inf / nan
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else if (exponent == 0) {
    if (mantissa == 0) {
      bits = sign;
    } else {  // subnormal: normalise
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

inline Half FloatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, sizeof(x));
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  const uint32_t abs = x & 0x7fffffffu;
  if (abs >= 0x7f800000u) {  // inf or nan (keep nan quiet and non-zero)
    return Half{static_cast<uint16_t>(sign | 0x7c00u |
                                      (abs > 0x7f800000u ? 0x200u : 0u))};
  }
  if (abs >= 0x477ff000u) {  // rounds to >= 65520: overflow to inf
    return Half{static_cast<uint16_t>(sign | 0x7c00u)};
  }
  if (abs < 0x38800000u) {  // below the smallest normal half: subnormal or 0
    if (abs < 0x33000000u) return Half{sign};  // < 2^-25 rounds to zero
    const uint32_t exponent = abs >> 23;
    const uint32_t mantissa = (abs & 0x7fffffu) | 0x800000u;
    const uint32_t shift = 126 - exponent;  // 14..24 for this range
    uint32_t half_mantissa = mantissa >> shift;
    const uint32_t remainder = mantissa & ((1u << shift) - 1);
    const uint32_t halfway = 1u << (shift - 1);
    if (remainder > halfway || (remainder == halfway && (half_mantissa & 1u)))
      ++half_mantissa;
    return Half{static_cast<uint16_t>(sign | half_mantissa)};
  }
  uint32_t rounded = abs - 0x38000000u;  // rebias exponent 127 -> 15
  const uint32_t remainder = rounded & 0x1fffu;
  rounded >>= 13;
  if (remainder > 0x1000u || (remainder == 0x1000u && (rounded & 1u))) ++rounded;
  return Half{static_cast<uint16_t>(sign | rounded)};
}

}  // namespace remotek

#endif  // REMOTEK_BACKEND_CORE_HALF_H_
