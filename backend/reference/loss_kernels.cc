// Reference kernels for the losses (rules in backend/core/ops/loss_ops.cc).
// They compute in double and round once; the clip bounds are rounded to the
// input dtype first, as Keras converts epsilon to output's dtype.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <type_traits>
#include <variant>

#include "backend/core/ops/axes.h"
#include "backend/reference/reference_kernels.h"

namespace remotek {
namespace {

// tf.clip_by_value(v, lo, hi) = minimum(maximum(v, lo), hi); NaN stays NaN.
double Clip(double v, double lo, double hi) {
  if (v < lo) v = lo;
  if (v > hi) v = hi;
  return v;
}

template <typename T>
void ClipBounds(const KernelContext& ctx, double* lo, double* hi) {
  const T eps = static_cast<T>(std::get<double>(ctx.attrs.at("epsilon")));
  *lo = eps;
  *hi = static_cast<T>(T(1) - eps);
}

// Runs f(TypeTag<T>) for the float dtype the kernel sees (float32/float64).
template <typename F>
void DispatchFloat(DType dtype, F&& f) {
  DispatchComputeDType(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T>) f(tag);
  });
}

absl::Status MeanSquaredErrorKernel(const KernelContext&,
                                    absl::Span<const Tensor> in, Tensor& out) {
  const Shape& shape = in[0].shape();
  const int64_t row = shape.dim(shape.rank() - 1);
  DispatchFloat(out.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* t = in[0].data<T>();
    const T* p = in[1].data<T>();
    T* y = out.data<T>();
    for (int64_t o = 0; o < out.num_elements(); ++o) {
      double sum = 0;
      for (int64_t j = o * row; j < (o + 1) * row; ++j) {
        const double d = static_cast<double>(p[j]) - static_cast<double>(t[j]);
        sum += d * d;
      }
      y[o] = static_cast<T>(sum / static_cast<double>(row));  // NaN for row 0
    }
  });
  return absl::OkStatus();
}

absl::Status BinaryCrossentropyKernel(const KernelContext& ctx,
                                      absl::Span<const Tensor> in,
                                      Tensor& out) {
  const bool from_logits = std::get<bool>(ctx.attrs.at("from_logits"));
  DispatchFloat(out.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    double lo, hi;
    ClipBounds<T>(ctx, &lo, &hi);
    const T* t = in[0].data<T>();
    const T* o = in[1].data<T>();
    T* y = out.data<T>();
    for (int64_t i = 0; i < out.num_elements(); ++i) {
      double z = o[i];
      if (!from_logits) {
        const double c = Clip(z, lo, hi);
        z = std::log(c / (1.0 - c));
      }
      const double loss = std::max(z, 0.0) - z * static_cast<double>(t[i]) +
                          std::log1p(std::exp(-std::abs(z)));
      y[i] = static_cast<T>(loss);
    }
  });
  return absl::OkStatus();
}

absl::Status CategoricalCrossentropyKernel(const KernelContext& ctx,
                                           absl::Span<const Tensor> in,
                                           Tensor& out) {
  const bool from_logits = std::get<bool>(ctx.attrs.at("from_logits"));
  const int64_t axes[] = {std::get<int64_t>(ctx.attrs.at("axis"))};
  const ReductionLayout layout = MakeReductionLayout(in[0].shape(), axes);
  DispatchFloat(out.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    double lo, hi;
    ClipBounds<T>(ctx, &lo, &hi);
    const T* t = in[0].data<T>();
    const T* o = in[1].data<T>();
    T* y = out.data<T>();
    StridedWalker outer(layout.outer_sizes, layout.outer_strides);
    StridedWalker inner(layout.inner_sizes, layout.inner_strides);
    // Visits (target, output) pairs of slice `base`; the walker wraps.
    const auto for_each = [&](int64_t base, auto&& f) {
      for (int64_t r = 0; r < layout.slice_size; ++r, inner.Next()) {
        f(static_cast<double>(t[base + inner.offset()]),
          static_cast<double>(o[base + inner.offset()]));
      }
    };
    for (int64_t i = 0; i < layout.num_outputs; ++i, outer.Next()) {
      const int64_t base = outer.offset();
      double sum = 0;
      if (from_logits) {  // log_softmax(o) = o - (max + log(sum(exp(o - max))))
        double max = -INFINITY;
        for_each(base, [&](double, double v) { max = std::max(max, v); });
        double exp_sum = 0;
        for_each(base, [&](double, double v) { exp_sum += std::exp(v - max); });
        const double log_norm = max + std::log(exp_sum);
        for_each(base,
                 [&](double tv, double v) { sum += tv * (v - log_norm); });
      } else {
        double total = 0;
        for_each(base, [&](double, double v) { total += v; });
        for_each(base, [&](double tv, double v) {
          sum += tv * std::log(Clip(v / total, lo, hi));
        });
      }
      y[i] = static_cast<T>(0.0 - sum);  // +0 for an empty slice
    }
  });
  return absl::OkStatus();
}

}  // namespace

void AddReferenceLossKernels(Backend& backend) {
  backend.AddKernel("mean_squared_error", MeanSquaredErrorKernel);
  backend.AddKernel("binary_crossentropy", BinaryCrossentropyKernel);
  backend.AddKernel("categorical_crossentropy", CategoricalCrossentropyKernel);
}

}  // namespace remotek
