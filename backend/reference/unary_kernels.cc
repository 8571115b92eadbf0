// Reference kernels of the unary ops; the rules and canonical attrs live in
// backend/core/ops/unary_ops.cc.
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "backend/reference/reference_kernels.h"

namespace remotek {
namespace {

template <typename T>
using Wide = std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned,
                                std::make_unsigned_t<T>>;

// A double result in T without UB: floats overflow to +-inf; integers follow
// the cast rules (truncate toward zero, saturate, NaN -> 0).
template <typename T>
T FromDouble(double v) {
  if constexpr (std::is_floating_point_v<T>) {
    if (v > std::numeric_limits<T>::max())
      return std::numeric_limits<T>::infinity();
    if (v < std::numeric_limits<T>::lowest())
      return -std::numeric_limits<T>::infinity();
    return static_cast<T>(v);
  } else {
    if (std::isnan(v)) return 0;
    const double t = std::trunc(v);
    if (t <= static_cast<double>(std::numeric_limits<T>::min()))
      return std::numeric_limits<T>::min();
    if (t >= static_cast<double>(std::numeric_limits<T>::max()))
      return std::numeric_limits<T>::max();
    return static_cast<T>(t);
  }
}

double AttrDouble(const AttrMap& attrs, const char* name) {
  return std::get<double>(attrs.at(name));
}

// Applies fn(x) to every element, for every numeric compute dtype.
// `kInts` says whether fn is instantiated for integers (float-only ops).
template <bool kInts, typename Fn>
void Map(const Tensor& x, Tensor& out, Fn fn) {
  DispatchComputeDType(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T> ||
                  (kInts && !std::is_same_v<T, bool>)) {
      const T* in = x.data<T>();
      T* z = out.data<T>();
      for (int64_t i = 0; i < x.num_elements(); ++i) z[i] = fn(in[i]);
    }
  });
}

template <bool kInts, typename Fn>
KernelFn MapKernel(Fn fn) {
  return [fn](const KernelContext&, absl::Span<const Tensor> inputs,
              Tensor& output) -> absl::Status {
    Map<kInts>(inputs[0], output, fn);
    return absl::OkStatus();
  };
}

// Integer ops wrap in unsigned arithmetic.
template <typename T>
T Negate(T x) {
  if constexpr (std::is_floating_point_v<T>) {
    return -x;
  } else {
    return static_cast<T>(Wide<T>(0) - static_cast<Wide<T>>(x));
  }
}

const auto kNegative = [](auto x) { return Negate(x); };
// |x| clears the sign bit for floats (abs(-0.0) is +0.0, as numpy and tf.abs).
const auto kAbs = [](auto x) -> decltype(x) {
  if constexpr (std::is_floating_point_v<decltype(x)>) {
    return std::fabs(x);
  } else {
    return x < 0 ? Negate(x) : x;
  }
};
const auto kSign = [](auto x) -> decltype(x) {
  using T = decltype(x);
  if (x > 0) return T(1);
  if (x < 0) return T(-1);
  return x;  // 0 (keeping -0.0) or NaN
};
const auto kSquare = [](auto x) -> decltype(x) {
  using T = decltype(x);
  if constexpr (std::is_floating_point_v<T>) {
    return x * x;
  } else {
    return static_cast<T>(static_cast<Wide<T>>(x) * static_cast<Wide<T>>(x));
  }
};
// Half to even, independent of the floating-point rounding mode.
const auto kRound = [](auto x) -> decltype(x) {
  using T = decltype(x);
  if constexpr (std::is_floating_point_v<T>) {
    const T floor = std::floor(x);
    const T diff = x - floor;
    T r;
    if (diff < T(0.5)) {
      r = floor;
    } else if (diff > T(0.5)) {
      r = floor + 1;
    } else {
      r = std::fmod(floor, T(2)) == 0 ? floor : floor + 1;
    }
    // Keep the sign of zero as tf.round / np.round do: round(-0.4) is -0.
    return r == T(0) ? std::copysign(T(0), x) : r;
  } else {
    return x;
  }
};
const auto kSqrt = [](auto x) { return std::sqrt(x); };
const auto kExp = [](auto x) { return std::exp(x); };
const auto kLog = [](auto x) { return std::log(x); };
const auto kTanh = [](auto x) { return std::tanh(x); };
const auto kSigmoid = [](auto x) -> decltype(x) {
  using T = decltype(x);
  if (x >= 0) return T(1) / (T(1) + std::exp(-x));
  const T e = std::exp(x);  // no overflow for very negative x
  return e / (T(1) + e);
};
const auto kSoftplus = [](auto x) -> decltype(x) {
  return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
};
const auto kSoftsign = [](auto x) { return x / (1 + std::abs(x)); };
const auto kHardSigmoid = [](auto x) -> decltype(x) {
  using T = decltype(x);
  const T y = T(0.2) * x + T(0.5);
  return y < 0 ? T(0) : (y > 1 ? T(1) : y);  // NaN passes through
};

absl::Status EluKernel(const KernelContext& ctx,
                       absl::Span<const Tensor> inputs, Tensor& output) {
  const double alpha = AttrDouble(ctx.attrs, "alpha");
  Map<false>(inputs[0], output, [alpha](auto x) -> decltype(x) {
    using T = decltype(x);
    if (x > 0 || std::isnan(x)) return x;
    return FromDouble<T>(alpha * std::expm1(static_cast<double>(x)));
  });
  return absl::OkStatus();
}

template <typename T>
T ClipBound(const AttrValue& v) {
  if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(std::get<double>(v));
  } else {
    return static_cast<T>(std::get<int64_t>(v));  // saturated by Infer
  }
}

absl::Status ClipKernel(const KernelContext& ctx,
                        absl::Span<const Tensor> inputs, Tensor& output) {
  DispatchComputeDType(inputs[0].dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (!std::is_same_v<T, bool>) {
      const T lo = ClipBound<T>(ctx.attrs.at("min_value"));
      const T hi = ClipBound<T>(ctx.attrs.at("max_value"));
      const T* x = inputs[0].data<T>();
      T* z = output.data<T>();
      for (int64_t i = 0; i < output.num_elements(); ++i) {
        z[i] = x[i] < lo ? lo : (x[i] > hi ? hi : x[i]);  // NaN passes through
      }
    }
  });
  return absl::OkStatus();
}

// Keras 2.3 backend.relu, element by element:
//   x > threshold: x, then clip(x, 0, max_value) when max_value is given;
//   otherwise:     0 - alpha * relu(threshold - x) = alpha * (x - threshold).
// Computed in double so that alpha and threshold apply to integers too.
absl::Status ReluKernel(const KernelContext& ctx,
                        absl::Span<const Tensor> inputs, Tensor& output) {
  const double alpha = AttrDouble(ctx.attrs, "alpha");
  const double threshold = AttrDouble(ctx.attrs, "threshold");
  const bool has_max = ctx.attrs.count("max_value") > 0;
  const double max_value = has_max ? AttrDouble(ctx.attrs, "max_value") : 0.0;
  Map<true>(inputs[0], output, [&](auto x) -> decltype(x) {
    using T = decltype(x);
    const double xd = static_cast<double>(x);
    if (xd > threshold || std::isnan(xd)) {
      if (!has_max) return x;
      // tf.clip_by_value(x, 0, max_value): minimum first, then maximum.
      const T r = xd > max_value ? FromDouble<T>(max_value) : x;
      return r < 0 ? T(0) : r;
    }
    if (alpha == 0.0) return T(0);
    return FromDouble<T>(alpha * (xd - threshold));
  });
  return absl::OkStatus();
}

template <typename T>
void SoftmaxLoop(const Tensor& x, Tensor& out, int axis) {
  const Shape& shape = x.shape();
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < axis; ++d) outer *= shape.dim(d);
  for (int d = axis + 1; d < shape.rank(); ++d) inner *= shape.dim(d);
  const int64_t n = shape.dim(axis);
  const T* in = x.data<T>();
  T* z = out.data<T>();
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      const int64_t base = o * n * inner + i;
      T max = -std::numeric_limits<T>::infinity();
      for (int64_t k = 0; k < n; ++k) max = std::max(max, in[base + k * inner]);
      T sum = 0;
      for (int64_t k = 0; k < n; ++k) {
        const T e = std::exp(in[base + k * inner] - max);
        z[base + k * inner] = e;
        sum += e;
      }
      for (int64_t k = 0; k < n; ++k) z[base + k * inner] /= sum;
    }
  }
}

absl::Status SoftmaxKernel(const KernelContext& ctx,
                           absl::Span<const Tensor> inputs, Tensor& output) {
  const int axis = static_cast<int>(std::get<int64_t>(ctx.attrs.at("axis")));
  if (inputs[0].dtype() == DType::kFloat64) {
    SoftmaxLoop<double>(inputs[0], output, axis);
  } else {
    SoftmaxLoop<float>(inputs[0], output, axis);
  }
  return absl::OkStatus();
}

}  // namespace

void AddReferenceUnaryKernels(Backend& backend) {
  backend.AddKernel("negative", MapKernel<true>(kNegative));
  backend.AddKernel("abs", MapKernel<true>(kAbs));
  backend.AddKernel("sign", MapKernel<true>(kSign));
  backend.AddKernel("square", MapKernel<true>(kSquare));
  backend.AddKernel("round", MapKernel<true>(kRound));
  backend.AddKernel("sqrt", MapKernel<false>(kSqrt));
  backend.AddKernel("exp", MapKernel<false>(kExp));
  backend.AddKernel("log", MapKernel<false>(kLog));
  backend.AddKernel("sigmoid", MapKernel<false>(kSigmoid));
  backend.AddKernel("tanh", MapKernel<false>(kTanh));
  backend.AddKernel("softplus", MapKernel<false>(kSoftplus));
  backend.AddKernel("softsign", MapKernel<false>(kSoftsign));
  backend.AddKernel("elu", EluKernel);
  backend.AddKernel("hard_sigmoid", MapKernel<false>(kHardSigmoid));
  backend.AddKernel("clip", ClipKernel);
  backend.AddKernel("relu", ReluKernel);
  backend.AddKernel("softmax", SoftmaxKernel);
}

}  // namespace remotek
