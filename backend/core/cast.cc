#include "backend/core/cast.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "backend/core/status_macros.h"

namespace remotek {
namespace {

// Every source value passes through one of these wide forms.
template <typename T>
double ToDouble(T v) {
  if constexpr (std::is_same_v<T, Half>) {
    return HalfToFloat(v);
  } else {
    return static_cast<double>(v);
  }
}

template <typename To>
To FromDouble(double v) {
  if constexpr (std::is_same_v<To, Half>) {
    return FloatToHalf(static_cast<float>(v));
  } else if constexpr (std::is_same_v<To, bool>) {
    return v != 0.0;
  } else if constexpr (std::is_floating_point_v<To>) {
    return static_cast<To>(v);
  } else {
    if (std::isnan(v)) return 0;
    const double t = std::trunc(v);
    if (t <= static_cast<double>(std::numeric_limits<To>::min()))
      return std::numeric_limits<To>::min();
    // 2^63 is exactly representable; anything at or above it saturates.
    if (t >= static_cast<double>(std::numeric_limits<To>::max()))
      return std::numeric_limits<To>::max();
    return static_cast<To>(t);
  }
}

template <typename From, typename To>
void CastLoop(const From* in, To* out, int64_t n) {
  constexpr bool kFromInt = std::is_integral_v<From>;  // includes bool
  for (int64_t i = 0; i < n; ++i) {
    if constexpr (std::is_same_v<To, bool>) {
      if constexpr (std::is_same_v<From, Half>) {
        out[i] = HalfToFloat(in[i]) != 0.0f;
      } else {
        out[i] = in[i] != From(0);
      }
    } else if constexpr (kFromInt && std::is_integral_v<To>) {
      // Integer to integer: modular, exact for int64 (no trip through double).
      out[i] = static_cast<To>(static_cast<std::make_unsigned_t<To>>(
          static_cast<uint64_t>(static_cast<int64_t>(in[i]))));
    } else if constexpr (std::is_same_v<From, float> && std::is_same_v<To, Half>) {
      out[i] = FloatToHalf(in[i]);
    } else {
      out[i] = FromDouble<To>(ToDouble(in[i]));
    }
  }
}

}  // namespace

void CastInto(const Tensor& in, Tensor& out) {
  const int64_t n = in.num_elements();
  if (in.dtype() == out.dtype()) {
    if (n > 0 && in.raw_data() != out.raw_data())
      std::memcpy(out.raw_data(), in.raw_data(), in.byte_size());
    return;
  }
  DispatchDType(in.dtype(), [&](auto from_tag) {
    using From = typename decltype(from_tag)::type;
    DispatchDType(out.dtype(), [&](auto to_tag) {
      using To = typename decltype(to_tag)::type;
      CastLoop<From, To>(in.data<From>(), out.data<To>(), n);
    });
  });
}

absl::StatusOr<Tensor> CastTensor(const Tensor& in, DType dtype,
                                  std::shared_ptr<MemoryAccount> account) {
  if (in.dtype() == dtype) return in;
  REMOTEK_ASSIGN_OR_RETURN(Tensor out,
                           Tensor::Allocate(dtype, in.shape(), std::move(account)));
  CastInto(in, out);
  return out;
}

}  // namespace remotek
