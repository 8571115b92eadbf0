// Reference kernels of the gradient helper ops (rules in
// backend/core/ops/gradient_ops.cc). stop_gradient and reshape_like alias
// their input, so their kernels only run when a backend is asked directly.
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "backend/core/ops/broadcast.h"
#include "backend/reference/reference_kernels.h"

namespace remotek {
namespace {

// a + b, wrapping modulo 2^bits for integers (as integer sums do elsewhere)
// instead of overflowing, which is undefined behaviour for signed types.
template <typename T>
T WrappingAdd(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(static_cast<U>(a) + static_cast<U>(b)));
  } else {
    return a + b;
  }
}

template <int kValue>
absl::Status FillKernel(const KernelContext&, absl::Span<const Tensor>, Tensor& out) {
  DispatchComputeDType(out.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* z = out.data<T>();
    for (int64_t i = 0; i < out.num_elements(); ++i) z[i] = static_cast<T>(kValue);
  });
  return absl::OkStatus();
}

absl::Status CopyKernel(const KernelContext&, absl::Span<const Tensor> in, Tensor& out) {
  if (out.byte_size() > 0) std::memcpy(out.raw_data(), in[0].raw_data(), out.byte_size());
  return absl::OkStatus();
}

// out[j] = sum of g[i] over the elements i of g that x's element j was
// broadcast to.
absl::Status SumToShapeOfKernel(const KernelContext&, absl::Span<const Tensor> in,
                                Tensor& out) {
  const Tensor& g = in[0];
  DispatchComputeDType(out.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (!std::is_same_v<T, bool>) {
      T* z = out.data<T>();
      for (int64_t j = 0; j < out.num_elements(); ++j) z[j] = T(0);
      if (g.num_elements() == 0) return;
      const T* gd = g.data<T>();
      const Shape operands[] = {out.shape()};
      BroadcastLayout layout(operands, g.shape());
      layout.ForEach(
          [&](int64_t o, const int64_t* idx) { z[idx[0]] = WrappingAdd(z[idx[0]], gd[o]); });
    }
  });
  return absl::OkStatus();
}

absl::Status ScatterSumKernel(const KernelContext& ctx, absl::Span<const Tensor> in,
                              Tensor& out) {
  const Tensor& g = in[0];
  const Tensor& indices = in[1];
  const int64_t rows = out.shape().dim(0);
  const int64_t row = rows == 0 ? 0 : out.num_elements() / rows;
  absl::Status status;
  DispatchComputeDType(out.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (!std::is_same_v<T, bool>) {
      T* z = out.data<T>();
      for (int64_t j = 0; j < out.num_elements(); ++j) z[j] = T(0);
      const T* gd = g.data<T>();
      for (int64_t i = 0; i < indices.num_elements(); ++i) {
        const int64_t index = indices.dtype() == DType::kInt32
                                  ? int64_t{indices.data<int32_t>()[i]}
                                  : indices.data<int64_t>()[i];
        if (index < 0 || index >= rows) {
          status = absl::InvalidArgumentError(
              absl::StrCat(ctx.op, ": indices[", i, "]=", index, " is out of range [0, ", rows,
                           ") for x of shape ", out.shape().ToString()));
          return;
        }
        for (int64_t k = 0; k < row; ++k) {
          z[index * row + k] = WrappingAdd(z[index * row + k], gd[i * row + k]);
        }
      }
    }
  });
  return status;
}

}  // namespace

void AddReferenceGradientKernels(Backend& backend) {
  backend.AddKernel("ones_like", FillKernel<1>);
  backend.AddKernel("zeros_like", FillKernel<0>);
  backend.AddKernel("stop_gradient", CopyKernel);
  backend.AddKernel("reshape_like", CopyKernel);
  backend.AddKernel("sum_to_shape_of", SumToShapeOfKernel);
  backend.AddKernel("scatter_sum_to_shape_of", ScatterSumKernel);
}

}  // namespace remotek
