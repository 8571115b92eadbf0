// Reference dot, batch_dot and transpose: plain loops.
//
// Both products are written as one contraction over a 5-index view,
//   out[g, p, q, r, s] = sum_k x[g, p, k, q] * y[g, r, k, s],
// where g is the batch (1 for dot), p / q the flattened x axes before / after
// the contracted one, and r / s likewise for y. That view is exactly the
// row-major layout of the Keras output shape, so no permutation is needed.
// Integer products accumulate in uint64_t: wrap-around with no UB.
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

#include "backend/core/dtype.h"
#include "backend/reference/reference_kernels.h"

namespace remotek {
namespace {

struct Contraction {
  int64_t g = 1, p = 1, k = 1, q = 1, r = 1, s = 1;
};

int64_t Product(const std::vector<int64_t>& dims, int begin, int end) {
  int64_t n = 1;
  for (int i = begin; i < end; ++i) n *= dims[i];
  return n;
}

// x's axis `ax` against y's axis `ay`, batched over axis 0 when `batched`.
Contraction MakeContraction(const Shape& x, int ax, const Shape& y, int ay,
                            bool batched) {
  const int first = batched ? 1 : 0;
  Contraction c;
  c.g = batched ? x.dim(0) : 1;
  c.p = Product(x.dims(), first, ax);
  c.k = x.dim(ax);
  c.q = Product(x.dims(), ax + 1, x.rank());
  c.r = Product(y.dims(), first, ay);
  c.s = Product(y.dims(), ay + 1, y.rank());
  return c;
}

template <typename T>
void Contract(const Contraction& c, const T* x, const T* y, T* out) {
  using Acc = std::conditional_t<std::is_integral_v<T>, uint64_t, T>;
  for (int64_t g = 0; g < c.g; ++g) {
    for (int64_t p = 0; p < c.p; ++p) {
      for (int64_t q = 0; q < c.q; ++q) {
        for (int64_t r = 0; r < c.r; ++r) {
          for (int64_t s = 0; s < c.s; ++s) {
            Acc acc = 0;
            for (int64_t k = 0; k < c.k; ++k) {
              const T a = x[((g * c.p + p) * c.k + k) * c.q + q];
              const T b = y[((g * c.r + r) * c.k + k) * c.s + s];
              acc += static_cast<Acc>(a) * static_cast<Acc>(b);
            }
            *out++ = static_cast<T>(acc);
          }
        }
      }
    }
  }
}

absl::Status RunContraction(const Contraction& c, absl::Span<const Tensor> in,
                            Tensor& out) {
  DispatchComputeDType(out.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (!std::is_same_v<T, bool>) {
      Contract(c, in[0].data<T>(), in[1].data<T>(), out.data<T>());
    }
  });
  return absl::OkStatus();
}

absl::Status DotKernel(const KernelContext&, absl::Span<const Tensor> in,
                       Tensor& out) {
  const Shape& x = in[0].shape();
  const Shape& y = in[1].shape();
  return RunContraction(
      MakeContraction(x, x.rank() - 1, y, y.rank() - 2, /*batched=*/false), in,
      out);
}

absl::Status BatchDotKernel(const KernelContext& ctx,
                            absl::Span<const Tensor> in, Tensor& out) {
  const auto& axes = std::get<std::vector<int64_t>>(ctx.attrs.at("axes"));
  return RunContraction(
      MakeContraction(in[0].shape(), static_cast<int>(axes[0]), in[1].shape(),
                      static_cast<int>(axes[1]), /*batched=*/true),
      in, out);
}

// Walks the output in row-major order; output axis i is input axis n-1-i.
absl::Status TransposeKernel(const KernelContext&, absl::Span<const Tensor> in,
                             Tensor& out) {
  const Tensor& x = in[0];
  const int n = x.rank();
  const size_t elem = DTypeSize(x.dtype());
  std::vector<int64_t> in_strides(n, 1);
  for (int i = n - 2; i >= 0; --i) in_strides[i] = in_strides[i + 1] * x.shape().dim(i + 1);
  std::vector<int64_t> index(n, 0);  // output index
  const auto* src = static_cast<const char*>(x.raw_data());
  auto* dst = static_cast<char*>(out.raw_data());
  for (int64_t i = 0; i < out.num_elements(); ++i) {
    int64_t offset = 0;
    for (int d = 0; d < n; ++d) offset += index[d] * in_strides[n - 1 - d];
    std::memcpy(dst + i * elem, src + offset * elem, elem);
    for (int d = n - 1; d >= 0; --d) {
      if (++index[d] < out.shape().dim(d)) break;
      index[d] = 0;
    }
  }
  return absl::OkStatus();
}

}  // namespace

void AddReferenceLinalgKernels(Backend& backend) {
  backend.AddKernel("dot", DotKernel);
  backend.AddKernel("batch_dot", BatchDotKernel);
  backend.AddKernel("transpose", TransposeKernel);
}

}  // namespace remotek
