// Reference kernels for the shape family (rules in
// backend/core/ops/shape_ops.cc). They move elements by size, so every dtype,
// float16 included, goes through the same code.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <variant>
#include <vector>

#include "backend/core/ops/axes.h"
#include "backend/reference/reference_kernels.h"

namespace remotek {
namespace {

// Calls f(TypeTag<U>) with an unsigned type as wide as one element of `dtype`.
template <typename F>
void DispatchBySize(DType dtype, F&& f) {
  switch (DTypeSize(dtype)) {
    case 1:
      f(TypeTag<uint8_t>{});
      return;
    case 2:
      f(TypeTag<uint16_t>{});
      return;
    case 4:
      f(TypeTag<uint32_t>{});
      return;
    default:
      f(TypeTag<uint64_t>{});
      return;
  }
}

const std::vector<int64_t>& Ints(const KernelContext& ctx, const char* name) {
  return std::get<std::vector<int64_t>>(ctx.attrs.at(name));
}

int64_t Int(const KernelContext& ctx, const char* name) {
  return std::get<int64_t>(ctx.attrs.at(name));
}

// reshape, flatten, batch_flatten, expand_dims and squeeze alias their input
// in the op runner; this kernel only runs if a caller bypasses that.
absl::Status CopyKernel(const KernelContext&, absl::Span<const Tensor> in,
                        Tensor& out) {
  if (out.byte_size() > 0)
    std::memcpy(out.raw_data(), in[0].raw_data(), out.byte_size());
  return absl::OkStatus();
}

// Output element j (row-major) is x at the strided offset of j's indices
// mapped through `pattern`.
absl::Status PermuteKernel(const KernelContext& ctx,
                           absl::Span<const Tensor> in, Tensor& out) {
  const std::vector<int64_t>& pattern = Ints(ctx, "pattern");
  const std::vector<int64_t> in_strides = RowMajorStrides(in[0].shape());
  std::vector<int64_t> strides(pattern.size());
  for (size_t k = 0; k < pattern.size(); ++k)
    strides[k] = in_strides[pattern[k]];
  StridedWalker walker(out.shape().dims(), strides);
  DispatchBySize(out.dtype(), [&](auto tag) {
    using U = typename decltype(tag)::type;
    const U* x = in[0].data<U>();
    U* y = out.data<U>();
    for (int64_t j = 0; j < out.num_elements(); ++j, walker.Next())
      y[j] = x[walker.offset()];
  });
  return absl::OkStatus();
}

// Output = for each outer index (dims before the axis), input 0's block,
// input 1's block, ...; a block holds `inner[i]` elements of input i.
absl::Status JoinBlocks(absl::Span<const Tensor> in, int64_t outer,
                        const std::vector<int64_t>& inner, Tensor& out) {
  const size_t element = DTypeSize(out.dtype());
  char* y = static_cast<char*>(out.raw_data());
  for (int64_t o = 0; o < outer; ++o) {
    for (size_t i = 0; i < in.size(); ++i) {
      const int64_t bytes = inner[i] * static_cast<int64_t>(element);
      if (bytes == 0) continue;
      std::memcpy(y, static_cast<const char*>(in[i].raw_data()) + o * bytes,
                  bytes);
      y += bytes;
    }
  }
  return absl::OkStatus();
}

int64_t Product(absl::Span<const int64_t> dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

absl::Status ConcatenateKernel(const KernelContext& ctx,
                               absl::Span<const Tensor> in, Tensor& out) {
  const int64_t axis = Int(ctx, "axis");
  const std::vector<int64_t>& dims = out.shape().dims();
  const int64_t outer = Product(absl::MakeConstSpan(dims).first(axis));
  std::vector<int64_t> inner;
  for (const Tensor& t : in) {
    inner.push_back(
        Product(absl::MakeConstSpan(t.shape().dims()).subspan(axis)));
  }
  return JoinBlocks(in, outer, inner, out);
}

absl::Status StackKernel(const KernelContext& ctx, absl::Span<const Tensor> in,
                         Tensor& out) {
  const int64_t axis = Int(ctx, "axis");
  const std::vector<int64_t>& dims = in[0].shape().dims();
  const int64_t outer = Product(absl::MakeConstSpan(dims).first(axis));
  const int64_t block = Product(absl::MakeConstSpan(dims).subspan(axis));
  return JoinBlocks(in, outer, std::vector<int64_t>(in.size(), block), out);
}

// Writes the tiling of x's sub-tensor at `x` (dims d..rank-1) to `y` and
// returns the end of what it wrote: tile each row, then repeat the result.
// REQUIRES: a non-empty output, so every dim and every n is positive.
template <typename U>
U* TileInto(const U* x, U* y, int d, const std::vector<int64_t>& dims,
            const std::vector<int64_t>& strides,
            const std::vector<int64_t>& n) {
  if (d == static_cast<int>(dims.size())) {
    *y = *x;
    return y + 1;
  }
  U* start = y;
  for (int64_t i = 0; i < dims[d]; ++i)
    y = TileInto(x + i * strides[d], y, d + 1, dims, strides, n);
  const int64_t block = y - start;
  for (int64_t m = 1; m < n[d]; ++m, y += block)
    std::copy(start, start + block, y);
  return y;
}

absl::Status TileKernel(const KernelContext& ctx, absl::Span<const Tensor> in,
                        Tensor& out) {
  if (out.num_elements() == 0) return absl::OkStatus();
  const std::vector<int64_t>& n = Ints(ctx, "n");
  const std::vector<int64_t> strides = RowMajorStrides(in[0].shape());
  DispatchBySize(out.dtype(), [&](auto tag) {
    using U = typename decltype(tag)::type;
    TileInto(in[0].data<U>(), out.data<U>(), 0, in[0].shape().dims(), strides,
             n);
  });
  return absl::OkStatus();
}

absl::Status RepeatKernel(const KernelContext& ctx, absl::Span<const Tensor> in,
                          Tensor& out) {
  const int64_t n = Int(ctx, "n");
  const int64_t samples = in[0].shape().dim(0);
  const int64_t row_bytes =
      in[0].shape().dim(1) * static_cast<int64_t>(DTypeSize(out.dtype()));
  if (row_bytes == 0) return absl::OkStatus();
  const char* x = static_cast<const char*>(in[0].raw_data());
  char* y = static_cast<char*>(out.raw_data());
  for (int64_t s = 0; s < samples; ++s) {
    for (int64_t r = 0; r < n; ++r, y += row_bytes)
      std::memcpy(y, x + s * row_bytes, row_bytes);
  }
  return absl::OkStatus();
}

absl::Status SliceKernel(const KernelContext& ctx, absl::Span<const Tensor> in,
                         Tensor& out) {
  if (out.num_elements() == 0) return absl::OkStatus();
  const std::vector<int64_t>& start = Ints(ctx, "start");
  const std::vector<int64_t> strides = RowMajorStrides(in[0].shape());
  int64_t base = 0;
  for (size_t k = 0; k < start.size(); ++k) base += start[k] * strides[k];
  StridedWalker walker(out.shape().dims(), strides);
  DispatchBySize(out.dtype(), [&](auto tag) {
    using U = typename decltype(tag)::type;
    const U* x = in[0].data<U>() + base;
    U* y = out.data<U>();
    for (int64_t j = 0; j < out.num_elements(); ++j, walker.Next())
      y[j] = x[walker.offset()];
  });
  return absl::OkStatus();
}

}  // namespace

void AddReferenceShapeKernels(Backend& backend) {
  backend.AddKernel("reshape", CopyKernel);
  backend.AddKernel("flatten", CopyKernel);
  backend.AddKernel("batch_flatten", CopyKernel);
  backend.AddKernel("expand_dims", CopyKernel);
  backend.AddKernel("squeeze", CopyKernel);
  backend.AddKernel("permute_dimensions", PermuteKernel);
  backend.AddKernel("concatenate", ConcatenateKernel);
  backend.AddKernel("stack", StackKernel);
  backend.AddKernel("tile", TileKernel);
  backend.AddKernel("repeat", RepeatKernel);
  backend.AddKernel("slice", SliceKernel);
}

}  // namespace remotek
