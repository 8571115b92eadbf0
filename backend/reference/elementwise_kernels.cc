// Reference kernels of the broadcasting binary ops and logical_not; the rules
// live in backend/core/ops/elementwise_ops.cc.
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "backend/core/ops/broadcast.h"
#include "backend/reference/reference_kernels.h"

namespace remotek {
namespace {

// Unsigned type integer arithmetic wraps in. Types narrower than `unsigned`
// would promote to (signed) int, where uint16 * uint16 can overflow.
template <typename T>
using Wide = std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned,
                                std::make_unsigned_t<T>>;

template <typename T>
constexpr bool kIsInt = std::is_integral_v<T> && !std::is_same_v<T, bool>;

struct Add {
  template <typename T>
  static T Apply(T a, T b) {
    if constexpr (kIsInt<T>) {
      return static_cast<T>(static_cast<Wide<T>>(a) + static_cast<Wide<T>>(b));
    } else {
      return a + b;
    }
  }
};

struct Subtract {
  template <typename T>
  static T Apply(T a, T b) {
    if constexpr (kIsInt<T>) {
      return static_cast<T>(static_cast<Wide<T>>(a) - static_cast<Wide<T>>(b));
    } else {
      return a - b;
    }
  }
};

struct Multiply {
  template <typename T>
  static T Apply(T a, T b) {
    if constexpr (kIsInt<T>) {
      return static_cast<T>(static_cast<Wide<T>>(a) * static_cast<Wide<T>>(b));
    } else {
      return a * b;
    }
  }
};

struct Maximum {
  template <typename T>
  static T Apply(T a, T b) {
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(a)) return a;
      if (std::isnan(b)) return b;
    }
    return a > b ? a : b;
  }
};

struct Minimum {
  template <typename T>
  static T Apply(T a, T b) {
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(a)) return a;
      if (std::isnan(b)) return b;
    }
    return a < b ? a : b;
  }
};

struct Pow {
  template <typename T>
  static T Apply(T base, T exponent) {
    if constexpr (std::is_floating_point_v<T>) {
      return std::pow(base, exponent);
    } else {
      if constexpr (std::is_signed_v<T>) {
        if (exponent < 0) {  // the true result truncated toward zero
          if (base == 1) return 1;
          if (base == -1) return (exponent & 1) ? T(-1) : T(1);
          return 0;
        }
      }
      Wide<T> result = 1;
      Wide<T> square = static_cast<Wide<T>>(base);
      for (uint64_t e = static_cast<uint64_t>(exponent); e != 0; e >>= 1) {
        if (e & 1) result *= square;
        square *= square;
      }
      return static_cast<T>(result);
    }
  }
};

struct Equal {
  template <typename T>
  static bool Apply(T a, T b) {
    return a == b;
  }
};
struct NotEqual {
  template <typename T>
  static bool Apply(T a, T b) {
    return a != b;
  }
};
struct Greater {
  template <typename T>
  static bool Apply(T a, T b) {
    return a > b;
  }
};
struct GreaterEqual {
  template <typename T>
  static bool Apply(T a, T b) {
    return a >= b;
  }
};
struct Less {
  template <typename T>
  static bool Apply(T a, T b) {
    return a < b;
  }
};
struct LessEqual {
  template <typename T>
  static bool Apply(T a, T b) {
    return a <= b;
  }
};
struct LogicalAnd {
  template <typename T>
  static bool Apply(T a, T b) {
    return a && b;
  }
};
struct LogicalOr {
  template <typename T>
  static bool Apply(T a, T b) {
    return a || b;
  }
};

// Divides as the output's float type (integers: true division like tf).
struct TrueDivide {
  template <typename T>
  using Out =
      std::conditional_t<std::is_floating_point_v<T>, T,
                         std::conditional_t<(sizeof(T) >= 4), double, float>>;
  template <typename T>
  static Out<T> Apply(T a, T b) {
    return static_cast<Out<T>>(a) / static_cast<Out<T>>(b);
  }
};

template <typename In, typename Out, typename Fn>
void BroadcastLoop(const Tensor& x, const Tensor& y, Tensor& out) {
  const In* a = x.data<In>();
  const In* b = y.data<In>();
  Out* z = out.data<Out>();
  BroadcastLayout layout({x.shape(), y.shape()}, out.shape());
  layout.ForEach([&](int64_t o, const int64_t* in) {
    z[o] = Fn::Apply(a[in[0]], b[in[1]]);
  });
}

// A kernel applying Fn to every broadcast pair. `kBool` says whether Fn is
// instantiated for bool inputs (Infer refuses bool for the other ops).
template <typename Fn, bool kBool>
KernelFn BinaryKernel() {
  return [](const KernelContext&, absl::Span<const Tensor> inputs,
            Tensor& output) -> absl::Status {
    DispatchComputeDType(inputs[0].dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (kBool || !std::is_same_v<T, bool>) {
        using Out = decltype(Fn::Apply(T(), T()));
        BroadcastLoop<T, Out, Fn>(inputs[0], inputs[1], output);
      }
    });
    return absl::OkStatus();
  };
}

absl::Status LogicalNotKernel(const KernelContext&,
                              absl::Span<const Tensor> inputs, Tensor& output) {
  const bool* x = inputs[0].data<bool>();
  bool* z = output.data<bool>();
  for (int64_t i = 0; i < output.num_elements(); ++i) z[i] = !x[i];
  return absl::OkStatus();
}

}  // namespace

void AddReferenceElementwiseKernels(Backend& backend) {
  backend.AddKernel("add", BinaryKernel<Add, false>());
  backend.AddKernel("subtract", BinaryKernel<Subtract, false>());
  backend.AddKernel("multiply", BinaryKernel<Multiply, false>());
  backend.AddKernel("divide", BinaryKernel<TrueDivide, false>());
  backend.AddKernel("maximum", BinaryKernel<Maximum, false>());
  backend.AddKernel("minimum", BinaryKernel<Minimum, false>());
  backend.AddKernel("pow", BinaryKernel<Pow, false>());
  backend.AddKernel("equal", BinaryKernel<Equal, true>());
  backend.AddKernel("not_equal", BinaryKernel<NotEqual, true>());
  backend.AddKernel("greater", BinaryKernel<Greater, false>());
  backend.AddKernel("greater_equal", BinaryKernel<GreaterEqual, false>());
  backend.AddKernel("less", BinaryKernel<Less, false>());
  backend.AddKernel("less_equal", BinaryKernel<LessEqual, false>());
  backend.AddKernel("logical_and", BinaryKernel<LogicalAnd, true>());
  backend.AddKernel("logical_or", BinaryKernel<LogicalOr, true>());
  backend.AddKernel("logical_not", LogicalNotKernel);
}

}  // namespace remotek
