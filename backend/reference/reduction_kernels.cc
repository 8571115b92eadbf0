// Reference kernels for the reduction family (rules in
// backend/core/ops/reduction_ops.cc). float32 is accumulated in double;
// integer sums and products accumulate in uint64 so that overflow wraps.
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <variant>
#include <vector>

#include "backend/core/ops/axes.h"
#include "backend/reference/reference_kernels.h"

namespace remotek {
namespace {

// One slice of a reduction; ForEach visits its elements in row-major order.
// The walker wraps after a full pass, so a slice may be visited repeatedly
// but always in full.
template <typename T>
class Slice {
 public:
  Slice(const T* base, StridedWalker* inner, int64_t size)
      : base_(base), inner_(inner), size_(size) {}
  int64_t size() const { return size_; }
  template <typename F>
  void ForEach(F&& f) const {
    for (int64_t r = 0; r < size_; ++r, inner_->Next())
      f(base_[inner_->offset()]);
  }

 private:
  const T* base_;
  StridedWalker* inner_;
  int64_t size_;
};

// Writes out[o] = per_slice(slice o) for every output element o.
template <typename In, typename Out, typename F>
void ReduceSlices(const Tensor& x, absl::Span<const int64_t> axes, Tensor& out,
                  F&& per_slice) {
  const ReductionLayout layout = MakeReductionLayout(x.shape(), axes);
  StridedWalker outer(layout.outer_sizes, layout.outer_strides);
  StridedWalker inner(layout.inner_sizes, layout.inner_strides);
  const In* data = x.data<In>();
  Out* y = out.data<Out>();
  for (int64_t o = 0; o < layout.num_outputs; ++o, outer.Next()) {
    y[o] =
        per_slice(Slice<In>(data + outer.offset(), &inner, layout.slice_size));
  }
}

const std::vector<int64_t>& AxesAttr(const KernelContext& ctx) {
  return std::get<std::vector<int64_t>>(ctx.attrs.at("axis"));
}

template <typename Out>
Out FromDouble(double v) {
  if constexpr (std::is_same_v<Out, Half>) {
    return FloatToHalf(static_cast<float>(v));
  } else {
    return static_cast<Out>(v);
  }
}

// Integer results wrap modulo 2^bits (conversion from unsigned is modular).
template <typename T>
T Wrap(uint64_t v) {
  return static_cast<T>(v);
}

// Runs `f(TypeTag<In>, TypeTag<Out>)` for a float-valued reduction: a float
// input keeps its dtype; bool (mean, std, var) writes floatx, which may be
// float16 because the runner widens only float16 inputs.
template <typename F>
void DispatchFloatReduction(const Tensor& x, const Tensor& out, F&& f) {
  if (x.dtype() == DType::kBool) {
    DispatchDType(out.dtype(), [&](auto out_tag) {
      using Out = typename decltype(out_tag)::type;
      if constexpr (std::is_same_v<Out, Half> ||
                    std::is_floating_point_v<Out>) {
        f(TypeTag<bool>{}, out_tag);
      }
    });
    return;
  }
  DispatchComputeDType(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T>) f(tag, tag);
  });
}

template <typename T>
double MeanOf(const Slice<T>& s) {
  double sum = 0;
  s.ForEach([&](T v) { sum += static_cast<double>(v); });
  return sum / static_cast<double>(s.size());  // 0/0 = NaN for an empty slice
}

template <typename T>
double VarianceOf(const Slice<T>& s) {
  const double mean = MeanOf(s);
  double sum = 0;
  s.ForEach([&](T v) {
    const double d = static_cast<double>(v) - mean;
    sum += d * d;
  });
  return sum / static_cast<double>(s.size());
}

absl::Status SumKernel(const KernelContext& ctx, absl::Span<const Tensor> in,
                       Tensor& out) {
  DispatchComputeDType(in[0].dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T>) {
      ReduceSlices<T, T>(in[0], AxesAttr(ctx), out, [](const Slice<T>& s) {
        double acc = 0;
        s.ForEach([&](T v) { acc += v; });
        return static_cast<T>(acc);
      });
    } else if constexpr (!std::is_same_v<T, bool>) {
      ReduceSlices<T, T>(in[0], AxesAttr(ctx), out, [](const Slice<T>& s) {
        uint64_t acc = 0;
        s.ForEach([&](T v) { acc += static_cast<uint64_t>(v); });
        return Wrap<T>(acc);
      });
    }
  });
  return absl::OkStatus();
}

absl::Status ProdKernel(const KernelContext& ctx, absl::Span<const Tensor> in,
                        Tensor& out) {
  DispatchComputeDType(in[0].dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T>) {
      ReduceSlices<T, T>(in[0], AxesAttr(ctx), out, [](const Slice<T>& s) {
        double acc = 1;
        s.ForEach([&](T v) { acc *= v; });
        return static_cast<T>(acc);
      });
    } else if constexpr (!std::is_same_v<T, bool>) {
      ReduceSlices<T, T>(in[0], AxesAttr(ctx), out, [](const Slice<T>& s) {
        uint64_t acc = 1;
        s.ForEach([&](T v) { acc *= static_cast<uint64_t>(v); });
        return Wrap<T>(acc);
      });
    }
  });
  return absl::OkStatus();
}

// max (kMax) or min; NaN propagates as in numpy. Slices are never empty
// (Infer refuses), but an empty one would give T{} rather than UB.
template <bool kMax>
absl::Status ExtremumKernel(const KernelContext& ctx,
                            absl::Span<const Tensor> in, Tensor& out) {
  DispatchComputeDType(in[0].dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (!std::is_same_v<T, bool>) {
      ReduceSlices<T, T>(in[0], AxesAttr(ctx), out, [](const Slice<T>& s) {
        T best{};
        bool first = true;
        s.ForEach([&](T v) {
          if (first) {
            best = v;
            first = false;
            return;
          }
          if constexpr (std::is_floating_point_v<T>) {
            if (std::isnan(best)) return;
            if (std::isnan(v)) {
              best = v;
              return;
            }
          }
          if (kMax ? v > best : v < best) best = v;
        });
        return best;
      });
    }
  });
  return absl::OkStatus();
}

absl::Status MeanKernel(const KernelContext& ctx, absl::Span<const Tensor> in,
                        Tensor& out) {
  const Tensor& x = in[0];
  if (IsFloating(x.dtype()) || x.dtype() == DType::kBool) {
    DispatchFloatReduction(x, out, [&](auto in_tag, auto out_tag) {
      using In = typename decltype(in_tag)::type;
      using Out = typename decltype(out_tag)::type;
      ReduceSlices<In, Out>(x, AxesAttr(ctx), out, [](const Slice<In>& s) {
        return FromDouble<Out>(MeanOf(s));
      });
    });
    return absl::OkStatus();
  }
  // Integers: exact 64-bit sum (wrapping only for int64), truncating division,
  // 0 for an empty slice. TF sums in the input type and can overflow for
  // narrow types; this gives the true truncated mean instead.
  DispatchComputeDType(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      ReduceSlices<T, T>(x, AxesAttr(ctx), out, [](const Slice<T>& s) {
        uint64_t acc = 0;
        s.ForEach([&](T v) { acc += static_cast<uint64_t>(v); });
        if (s.size() == 0) return T{0};
        return static_cast<T>(static_cast<int64_t>(acc) / s.size());
      });
    }
  });
  return absl::OkStatus();
}

template <bool kStd>
absl::Status MomentKernel(const KernelContext& ctx, absl::Span<const Tensor> in,
                          Tensor& out) {
  DispatchFloatReduction(in[0], out, [&](auto in_tag, auto out_tag) {
    using In = typename decltype(in_tag)::type;
    using Out = typename decltype(out_tag)::type;
    ReduceSlices<In, Out>(in[0], AxesAttr(ctx), out, [](const Slice<In>& s) {
      const double var = VarianceOf(s);
      return FromDouble<Out>(kStd ? std::sqrt(var) : var);
    });
  });
  return absl::OkStatus();
}

// As tf.reduce_logsumexp: shift by the slice max when it is finite, by 0
// otherwise, so an all -inf slice gives -inf and a +inf gives +inf.
absl::Status LogSumExpKernel(const KernelContext& ctx,
                             absl::Span<const Tensor> in, Tensor& out) {
  DispatchComputeDType(in[0].dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T>) {
      ReduceSlices<T, T>(in[0], AxesAttr(ctx), out, [](const Slice<T>& s) {
        double max = -std::numeric_limits<double>::infinity();
        s.ForEach([&](T v) {
          if (v > max) max = v;
        });
        const double shift = std::isfinite(max) ? max : 0.0;
        double sum = 0;
        s.ForEach(
            [&](T v) { sum += std::exp(static_cast<double>(v) - shift); });
        return static_cast<T>(std::log(sum) + shift);
      });
    }
  });
  return absl::OkStatus();
}

template <bool kAny>
absl::Status LogicalKernel(const KernelContext& ctx,
                           absl::Span<const Tensor> in, Tensor& out) {
  DispatchComputeDType(in[0].dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    ReduceSlices<T, bool>(in[0], AxesAttr(ctx), out, [](const Slice<T>& s) {
      bool acc = !kAny;
      s.ForEach([&](T v) {
        const bool truth = v != T(0);  // NaN counts as true
        acc = kAny ? (acc || truth) : (acc && truth);
      });
      return acc;
    });
  });
  return absl::OkStatus();
}

// Index of the first max (kMax) or min; the first NaN wins, as in numpy.
template <bool kMax>
absl::Status ArgKernel(const KernelContext& ctx, absl::Span<const Tensor> in,
                       Tensor& out) {
  const int64_t axes[] = {std::get<int64_t>(ctx.attrs.at("axis"))};
  DispatchComputeDType(in[0].dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (!std::is_same_v<T, bool>) {
      ReduceSlices<T, int64_t>(in[0], axes, out, [](const Slice<T>& s) {
        int64_t best_index = 0, r = 0;
        T best{};
        bool found_nan = false;
        s.ForEach([&](T v) {
          if (!found_nan) {
            if constexpr (std::is_floating_point_v<T>)
              found_nan = std::isnan(v);
            if (found_nan || r == 0 || (kMax ? v > best : v < best)) {
              best = v;
              best_index = r;
            }
          }
          ++r;
        });
        return best_index;
      });
    }
  });
  return absl::OkStatus();
}

}  // namespace

void AddReferenceReductionKernels(Backend& backend) {
  backend.AddKernel("sum", SumKernel);
  backend.AddKernel("prod", ProdKernel);
  backend.AddKernel("max", ExtremumKernel<true>);
  backend.AddKernel("min", ExtremumKernel<false>);
  backend.AddKernel("mean", MeanKernel);
  backend.AddKernel("var", MomentKernel<false>);
  backend.AddKernel("std", MomentKernel<true>);
  backend.AddKernel("logsumexp", LogSumExpKernel);
  backend.AddKernel("any", LogicalKernel<true>);
  backend.AddKernel("all", LogicalKernel<false>);
  backend.AddKernel("argmax", ArgKernel<true>);
  backend.AddKernel("argmin", ArgKernel<false>);
}

}  // namespace remotek
