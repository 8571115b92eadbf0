// Eigen-backend dot, batch_dot and transpose.
//
// Both products use the view of the reference kernels,
//   out[g, p, q, r, s] = sum_k x[g, p, k, q] * y[g, r, k, s],
// mapped onto a strided GemmBatch without moving any data: x's block is read
// as a (p, k) matrix when q == 1 and as the transpose of a (k, q) matrix
// otherwise (one product per p); y's as the transpose of (r, k) when s == 1
// and as (k, s) otherwise (one product per r). The output is always written
// in place with leading dimension r*s.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "backend/core/dtype.h"
#include "backend/eigen/eigen_kernels.h"
#include "backend/eigen/gemm.h"
#include "backend/eigen/intra_op_pool.h"

namespace remotek {
namespace {

int64_t Product(const std::vector<int64_t>& dims, int begin, int end) {
  int64_t n = 1;
  for (int i = begin; i < end; ++i) n *= dims[i];
  return n;
}

template <typename T>
GemmBatch<T> MakeGemm(const Tensor& x, int ax, const Tensor& y, int ay,
                      bool batched, Tensor& out) {
  const int first = batched ? 1 : 0;
  const auto& xd = x.shape().dims();
  const auto& yd = y.shape().dims();
  const int64_t g = batched ? xd[0] : 1;
  const int64_t p = Product(xd, first, ax), k = xd[ax],
                q = Product(xd, ax + 1, x.rank());
  const int64_t r = Product(yd, first, ay),
                s = Product(yd, ay + 1, y.rank());
  GemmBatch<T> gemm;
  gemm.k = k;
  gemm.a = x.data<T>();
  gemm.a_stride[0] = p * k * q;
  if (q == 1) {
    gemm.m = p;
    gemm.lda = k;
  } else {
    gemm.m = q;
    gemm.lda = q;
    gemm.trans_a = true;
    gemm.batch[1] = p;
    gemm.a_stride[1] = k * q;
  }
  gemm.b = y.data<T>();
  gemm.b_stride[0] = r * k * s;
  if (s == 1) {
    gemm.n = r;
    gemm.ldb = k;
    gemm.trans_b = true;
  } else {
    gemm.n = s;
    gemm.ldb = s;
    gemm.batch[2] = r;
    gemm.b_stride[2] = k * s;
  }
  gemm.batch[0] = g;
  gemm.c = out.data<T>();
  gemm.ldc = r * s;
  gemm.c_stride[0] = p * q * r * s;
  gemm.c_stride[1] = q * r * s;
  gemm.c_stride[2] = s;
  return gemm;
}

// Floating dtypes go to RunGemm; integers to `fallback` (the reference loops).
KernelFn ProductKernel(KernelFn fallback, bool batched) {
  return [fallback = std::move(fallback), batched](
             const KernelContext& ctx, absl::Span<const Tensor> in,
             Tensor& out) -> absl::Status {
    const Tensor& x = in[0];
    const Tensor& y = in[1];
    int ax = x.rank() - 1, ay = y.rank() - 2;
    if (batched) {
      const auto& axes = std::get<std::vector<int64_t>>(ctx.attrs.at("axes"));
      ax = static_cast<int>(axes[0]);
      ay = static_cast<int>(axes[1]);
    }
    switch (x.dtype()) {
      case DType::kFloat32:
        return RunGemm(MakeGemm<float>(x, ax, y, ay, batched, out));
      case DType::kFloat64:
        return RunGemm(MakeGemm<double>(x, ax, y, ay, batched, out));
      default:
        return fallback(ctx, in, out);
    }
  };
}

// ---- transpose ----------------------------------------------------------

constexpr int64_t kTile = 32;
constexpr int64_t kParallelElements = 1 << 15;

// dst[j * ld_dst + i] = src[i * ld_src + j] for i < rows, j < cols, by tiles.
template <typename E>
void Transpose2D(const E* src, int64_t ld_src, E* dst, int64_t ld_dst,
                 int64_t row_begin, int64_t row_end, int64_t cols) {
  for (int64_t i0 = row_begin; i0 < row_end; i0 += kTile) {
    const int64_t i1 = std::min(row_end, i0 + kTile);
    for (int64_t j0 = 0; j0 < cols; j0 += kTile) {
      const int64_t j1 = std::min(cols, j0 + kTile);
      for (int64_t j = j0; j < j1; ++j) {
        E* d = dst + j * ld_dst;
        for (int64_t i = i0; i < i1; ++i) d[i] = src[i * ld_src + j];
      }
    }
  }
}

// Reverses the axes of `dims` (size-1 axes already dropped, rank >= 2). Input
// axis 0 becomes the output's contiguous axis and the input's contiguous
// last axis the output's outermost, so each fixed index of the middle axes is
// one 2-D transpose of a (dims[0], dims[last]) block.
template <typename E>
void ReverseAxes(const std::vector<int64_t>& dims, const E* src, E* dst) {
  const int n = static_cast<int>(dims.size());
  std::vector<int64_t> in_stride(n, 1), out_stride(n, 1);
  for (int i = n - 2; i >= 0; --i) in_stride[i] = in_stride[i + 1] * dims[i + 1];
  for (int i = 1; i < n; ++i) out_stride[i] = out_stride[i - 1] * dims[i - 1];
  const int64_t rows = dims[0], cols = dims[n - 1];
  const int64_t mids = Product(dims, 1, n - 1);
  const int64_t row_blocks = (rows + kTile - 1) / kTile;
  auto run = [&](int64_t begin, int64_t end) {
    for (int64_t w = begin; w < end; ++w) {
      int64_t mid = w / row_blocks, in_off = 0, out_off = 0;
      for (int i = n - 2; i >= 1; --i) {
        const int64_t idx = mid % dims[i];
        mid /= dims[i];
        in_off += idx * in_stride[i];
        out_off += idx * out_stride[i];
      }
      const int64_t r0 = (w % row_blocks) * kTile;
      Transpose2D(src + in_off, in_stride[0], dst + out_off, out_stride[n - 1],
                  r0, std::min(rows, r0 + kTile), cols);
    }
  };
  const int64_t work = mids * row_blocks;
  const int64_t elements = rows * cols * mids;
  if (elements < kParallelElements) {
    run(0, work);
    return;
  }
  const int64_t per_item = std::max<int64_t>(1, elements / work);
  IntraOpPool::Global().ParallelFor(
      work, std::max<int64_t>(1, kParallelElements / 4 / per_item), run);
}

absl::Status TransposeKernel(const KernelContext&, absl::Span<const Tensor> in,
                             Tensor& out) {
  const Tensor& x = in[0];
  std::vector<int64_t> dims;
  for (int64_t d : x.shape().dims()) {
    if (d != 1) dims.push_back(d);
  }
  if (x.num_elements() == 0) return absl::OkStatus();
  if (dims.size() <= 1) {
    std::memcpy(out.raw_data(), x.raw_data(), x.byte_size());
    return absl::OkStatus();
  }
  switch (DTypeSize(x.dtype())) {
    case 1:
      ReverseAxes(dims, x.data<uint8_t>(), out.data<uint8_t>());
      break;
    case 2:
      ReverseAxes(dims, x.data<uint16_t>(), out.data<uint16_t>());
      break;
    case 4:
      ReverseAxes(dims, x.data<uint32_t>(), out.data<uint32_t>());
      break;
    default:
      ReverseAxes(dims, x.data<uint64_t>(), out.data<uint64_t>());
      break;
  }
  return absl::OkStatus();
}

}  // namespace

void AddEigenLinalgKernels(Backend& backend) {
  backend.AddKernel("dot", ProductKernel(*backend.FindKernel("dot"), false));
  backend.AddKernel("batch_dot",
                    ProductKernel(*backend.FindKernel("batch_dot"), true));
  backend.AddKernel("transpose", TransposeKernel);
}

}  // namespace remotek
