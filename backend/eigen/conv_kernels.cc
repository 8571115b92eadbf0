// Eigen-backend conv2d, pool2d and bias_add (rules in
// backend/core/ops/conv_ops.cc, geometry in conv_geometry.h).
//
// conv2d is im2col + GEMM, in the data format it is given (no transposes):
//   - channels_last: output pixel r's window becomes row r of a patch matrix
//     (pixels x K, K = k_h*k_w*C ordered like the kernel's first three axes),
//     so out (pixels x filters) = patches * kernel (K x filters);
//   - channels_first: per image, a block of output pixels becomes a column
//     matrix (K x pixels) and out[n] (filters x pixels) = kernel^T * columns.
// A 1x1 kernel with stride 1 needs no im2col: x is already the patch matrix.
// Otherwise the patch matrix is built block by block so it never exists
// whole:
//   - "fused": each pool task builds one cache-sized block and multiplies it
//     at once with a single-threaded Eigen GEMM, while the block is hot;
//   - when a large block's product (up to 32 MiB of patches; for
//     channels_first at most one image) is large enough for RunGemm to pick
//     OpenBLAS (GemmPath::kBlas) and there are >= 256 filters, such blocks
//     are built over the pool and each handed to RunGemm, so OpenBLAS and the
//     pool never run inside each other.
// Scratch (not charged to the session's MemoryAccount, like Eigen's and
// OpenBLAS's own packing buffers) is at most 8 MiB per pool thread for fused
// blocks and 32 MiB for OpenBLAS blocks, whatever the problem size.
// pool2d and bias_add are loops the compiler vectorises over the contiguous
// axis (channels for channels_last, columns for channels_first), split over
// the intra-op pool.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <limits>
#include <new>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "Eigen/Core"
#include "absl/strings/str_cat.h"
#include "backend/core/dtype.h"
#include "backend/core/ops/conv_geometry.h"
#include "backend/eigen/eigen_kernels.h"
#include "backend/eigen/gemm.h"
#include "backend/eigen/intra_op_pool.h"

namespace remotek {
namespace {

// A fused block's patch matrix should stay in a core's L2 cache.
constexpr int64_t kFusedBlockBytes = 192 << 10;
constexpr int64_t kMinFusedRows = 128;
constexpr int64_t kFusedMaxBytes = 8 << 20;  // per pool thread
// Blocks handed to OpenBLAS: large, but bounded scratch memory.
constexpr int64_t kBlasBlockBytes = 32 << 20;
constexpr int64_t kBlasMinFilters = 256;
// Below this many output elements (or flops for conv2d) a loop stays on
// the calling thread.
constexpr int64_t kParallelElements = 1 << 14;

absl::Status OutOfMemory(const char* op, int64_t bytes) {
  return absl::ResourceExhaustedError(absl::StrCat(
      op, ": out of memory for ", bytes, " bytes of im2col scratch"));
}

// [lo, hi): the output positions o in [0, out) whose input o*stride + offset
// lies in [0, size).
void ValidRange(int64_t offset, int64_t stride, int64_t size, int64_t out,
                int64_t* lo, int64_t* hi) {
  // o*stride + offset >= 0  <=>  o >= ceil(-offset / stride)
  *lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  // o*stride + offset <= size - 1  <=>  o <= floor((size - 1 - offset) /
  // stride)
  const int64_t last = size - 1 - offset;
  *hi = last < 0 ? 0 : last / stride + 1;
  *lo = std::min(*lo, out);
  *hi = std::clamp(*hi, *lo, out);
}

// c (m x n, ldc) = op(a) * b in the calling thread, a (m x k, or k x m when
// trans_a) and b (k x n) row-major. Throws std::bad_alloc.
template <typename T>
void LocalGemm(int64_t m, int64_t n, int64_t k, const T* a, int64_t lda,
               bool trans_a, const T* b, int64_t ldb, T* c, int64_t ldc) {
  using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using In = Eigen::Map<const Mat, Eigen::Unaligned, Eigen::OuterStride<>>;
  using Out = Eigen::Map<Mat, Eigen::Unaligned, Eigen::OuterStride<>>;
  const In rhs(b, k, n, Eigen::OuterStride<>(ldb));
  Out out(c, m, n, Eigen::OuterStride<>(ldc));
  if (trans_a) {
    out.noalias() = In(a, k, m, Eigen::OuterStride<>(lda)).transpose() * rhs;
  } else {
    out.noalias() = In(a, m, k, Eigen::OuterStride<>(lda)) * rhs;
  }
}

// ---- im2col ------------------------------------------------------------

// channels_last: the patch row of output pixel (n, oh, ow), K values.
template <typename T>
void PatchRow(const Conv2DGeometry& g, const T* x, int64_t n, int64_t oh,
              int64_t ow, T* dst) {
  const int64_t c = g.channels;
  const int64_t row_len = g.k_w * c;
  const int64_t w0 = ow * g.stride_w - g.pad_left;
  const bool cols_inside = g.dilation_w == 1 && w0 >= 0 && w0 + g.k_w <= g.in_w;
  for (int64_t i = 0; i < g.k_h; ++i, dst += row_len) {
    const int64_t h = oh * g.stride_h - g.pad_top + i * g.dilation_h;
    if (h < 0 || h >= g.in_h) {
      std::fill(dst, dst + row_len, T(0));
      continue;
    }
    const T* src = x + (n * g.in_h + h) * g.in_w * c;
    if (cols_inside) {
      std::memcpy(dst, src + w0 * c, sizeof(T) * row_len);
      continue;
    }
    for (int64_t j = 0; j < g.k_w; ++j) {
      const int64_t w = w0 + j * g.dilation_w;
      if (w < 0 || w >= g.in_w) {
        std::fill(dst + j * c, dst + (j + 1) * c, T(0));
      } else {
        std::memcpy(dst + j * c, src + w * c, sizeof(T) * c);
      }
    }
  }
}

// channels_last: patch rows [r0, r1) of the (pixels x K) matrix into dst.
template <typename T>
void PatchRows(const Conv2DGeometry& g, const T* x, int64_t r0, int64_t r1,
               T* dst) {
  const int64_t k = g.k_h * g.k_w * g.channels;
  const int64_t per_image = g.out_h * g.out_w;
  int64_t n = r0 / per_image, oh = (r0 % per_image) / g.out_w,
          ow = r0 % g.out_w;
  for (int64_t r = r0; r < r1; ++r, dst += k) {
    PatchRow(g, x, n, oh, ow, dst);
    if (++ow == g.out_w) {
      ow = 0;
      if (++oh == g.out_h) {
        oh = 0;
        ++n;
      }
    }
  }
}

// channels_first: row `kr` (window cell i, j, channel c) of image n's column
// matrix, output pixels [p0, p1), into dst (p1 - p0 values).
template <typename T>
void ColumnRow(const Conv2DGeometry& g, const T* x, int64_t n, int64_t kr,
               int64_t p0, int64_t p1, T* dst) {
  const int64_t c = kr % g.channels;
  const int64_t j = (kr / g.channels) % g.k_w;
  const int64_t i = kr / (g.channels * g.k_w);
  const T* plane = x + (n * g.channels + c) * g.in_h * g.in_w;
  const int64_t w_offset = j * g.dilation_w - g.pad_left;
  int64_t lo, hi;  // the output columns that read inside x
  ValidRange(w_offset, g.stride_w, g.in_w, g.out_w, &lo, &hi);
  int64_t p = p0;
  while (p < p1) {
    const int64_t oh = p / g.out_w;
    const int64_t ow0 = p % g.out_w;
    const int64_t ow1 = std::min(g.out_w, ow0 + (p1 - p));
    T* d = dst + (p - p0);  // d[ow - ow0] is this row's output column ow
    const int64_t h = oh * g.stride_h - g.pad_top + i * g.dilation_h;
    if (h < 0 || h >= g.in_h) {
      std::fill(d, d + (ow1 - ow0), T(0));
    } else {
      const T* src =
          plane + h * g.in_w;  // column ow reads src[ow*stride + offset]
      const int64_t a = std::clamp(lo, ow0, ow1), b = std::clamp(hi, a, ow1);
      std::fill(d, d + (a - ow0), T(0));
      if (b > a && g.stride_w == 1) {
        std::memcpy(d + (a - ow0), src + a + w_offset, sizeof(T) * (b - a));
      } else {
        for (int64_t ow = a; ow < b; ++ow) {
          d[ow - ow0] = src[ow * g.stride_w + w_offset];
        }
      }
      std::fill(d + (b - ow0), d + (ow1 - ow0), T(0));
    }
    p += ow1 - ow0;
  }
}

// ---- conv2d --------------------------------------------------------------

template <typename T>
struct ConvProblem {
  Conv2DGeometry g;
  const T* x;
  const T* kernel;
  T* out;
  int64_t k;       // k_h * k_w * C
  int64_t pixels;  // out_h * out_w
};

// channels_last rows [r0, r1): patches into `buf`, then one product.
template <typename T>
void NhwcBlock(const ConvProblem<T>& p, int64_t r0, int64_t r1, T* buf) {
  PatchRows(p.g, p.x, r0, r1, buf);
  LocalGemm<T>(r1 - r0, p.g.out_channels, p.k, buf, p.k, false, p.kernel,
               p.g.out_channels, p.out + r0 * p.g.out_channels,
               p.g.out_channels);
}

// channels_first image n, pixels [q0, q1).
template <typename T>
void NchwBlock(const ConvProblem<T>& p, int64_t n, int64_t q0, int64_t q1,
               T* buf) {
  const int64_t cols = q1 - q0;
  for (int64_t kr = 0; kr < p.k; ++kr)
    ColumnRow(p.g, p.x, n, kr, q0, q1, buf + kr * cols);
  LocalGemm<T>(p.g.out_channels, cols, p.k, p.kernel, p.g.out_channels, true,
               buf, cols, p.out + n * p.g.out_channels * p.pixels + q0,
               p.pixels);
}

// Blocks small enough for one core's cache, each built and multiplied by
// one pool task.
template <typename T>
absl::Status FusedConv(const ConvProblem<T>& p) {
  IntraOpPool& pool = IntraOpPool::Global();
  const Conv2DGeometry& g = p.g;
  // Eigen packs the kernel again for every block, so a block also needs
  // enough rows to amortise that when K is large, within kFusedMaxBytes.
  const int64_t row_bytes = static_cast<int64_t>(sizeof(T)) * p.k;
  const int64_t rows_per_block =
      std::max<int64_t>({1, kFusedBlockBytes / row_bytes,
                         std::min(kMinFusedRows, kFusedMaxBytes / row_bytes)});
  const int64_t total = g.batch * p.pixels;
  // Enough blocks to balance the threads, but not tiny ones.
  const int64_t balanced = std::max<int64_t>(
      std::min<int64_t>(8, rows_per_block),
      (total + 4 * pool.num_threads() - 1) / (4 * pool.num_threads()));
  const int64_t block = std::min(rows_per_block, balanced);
  // channels_first blocks never span two images.
  const int64_t per_image =
      g.channels_first ? (p.pixels + block - 1) / block : 0;
  const int64_t blocks =
      g.channels_first ? g.batch * per_image : (total + block - 1) / block;
  const double flops = 2.0 * total * p.k * g.out_channels;
  const int64_t grain = flops < kParallelElements * 64.0 ? blocks : 1;
  std::atomic<bool> ok{true};
  pool.ParallelFor(blocks, grain, [&](int64_t begin, int64_t end) {
    try {
      std::vector<T> buf(static_cast<size_t>(block * p.k));
      for (int64_t b = begin; b < end; ++b) {
        if (g.channels_first) {
          const int64_t n = b / per_image, q0 = (b % per_image) * block;
          NchwBlock(p, n, q0, std::min(p.pixels, q0 + block), buf.data());
        } else {
          NhwcBlock(p, b * block, std::min(total, (b + 1) * block), buf.data());
        }
      }
    } catch (const std::bad_alloc&) {
      ok = false;
    }
  });
  if (!ok)
    return OutOfMemory("conv2d", block * p.k * static_cast<int64_t>(sizeof(T)));
  return absl::OkStatus();
}

// BlasConv's blocks: output pixels of the whole batch (channels_last) or of
// one image (channels_first), as many as kBlasBlockBytes of patches hold.
template <typename T>
int64_t BlasBlock(const ConvProblem<T>& p, int64_t* extent) {
  *extent = p.g.channels_first ? p.pixels : p.g.batch * p.pixels;
  return std::min(
      *extent, std::max<int64_t>(
                   1, kBlasBlockBytes / static_cast<int64_t>(sizeof(T) * p.k)));
}

// True when RunGemm would give BlasConv's first block product to OpenBLAS
// and the product is not too skinny for that to pay: with few filters
// (8x56x56x64 -> 64 filters, 3x3) the fused path measured 1.5-2x faster
// than handing blocks to OpenBLAS; with 512 filters of 3x3x128 OpenBLAS was
// ahead by ~5-15% (conv_benchmark on the 2-core build host).
template <typename T>
bool BlasSized(const ConvProblem<T>& p) {
  if (p.g.out_channels < kBlasMinFilters) return false;
  int64_t extent;
  GemmBatch<T> first;
  first.k = p.k;
  first.m = BlasBlock(p, &extent);
  first.n = p.g.out_channels;  // m and n swap for channels_first; flops do not
  first.lda = p.k;
  first.ldb = first.ldc = std::max(first.m, first.n);
  return RouteGemm(first) == GemmPath::kBlas;
}

// Large blocks built over the pool, each multiplied by RunGemm (OpenBLAS).
template <typename T>
absl::Status BlasConv(const ConvProblem<T>& p) {
  IntraOpPool& pool = IntraOpPool::Global();
  const Conv2DGeometry& g = p.g;
  int64_t extent;
  const int64_t block = BlasBlock(p, &extent);
  std::vector<T> buf;
  try {
    buf.resize(static_cast<size_t>(block * p.k));
  } catch (const std::bad_alloc&) {
    return OutOfMemory("conv2d", block * p.k * static_cast<int64_t>(sizeof(T)));
  }
  GemmBatch<T> gemm;
  const int64_t images = g.channels_first ? g.batch : 1;
  for (int64_t n = 0; n < images; ++n) {
    for (int64_t q0 = 0; q0 < extent; q0 += block) {
      const int64_t q1 = std::min(extent, q0 + block), len = q1 - q0;
      if (g.channels_first) {
        pool.ParallelFor(p.k, 1, [&](int64_t begin, int64_t end) {
          for (int64_t kr = begin; kr < end; ++kr) {
            ColumnRow(g, p.x, n, kr, q0, q1, buf.data() + kr * len);
          }
        });
        gemm.m = g.out_channels;
        gemm.n = len;
        gemm.a = p.kernel;
        gemm.lda = g.out_channels;
        gemm.trans_a = true;
        gemm.b = buf.data();
        gemm.ldb = len;
        gemm.c = p.out + n * g.out_channels * p.pixels + q0;
        gemm.ldc = p.pixels;
      } else {
        const int64_t grain = std::max<int64_t>(1, 4096 / p.k);
        pool.ParallelFor(len, grain, [&](int64_t begin, int64_t end) {
          PatchRows(g, p.x, q0 + begin, q0 + end, buf.data() + begin * p.k);
        });
        gemm.m = len;
        gemm.n = g.out_channels;
        gemm.a = buf.data();
        gemm.lda = p.k;
        gemm.b = p.kernel;
        gemm.ldb = g.out_channels;
        gemm.c = p.out + q0 * g.out_channels;
        gemm.ldc = g.out_channels;
      }
      gemm.k = p.k;
      absl::Status status = RunGemm(gemm);
      if (!status.ok()) return status;
    }
  }
  return absl::OkStatus();
}

// A 1x1 kernel at stride 1: x is the patch (or column) matrix itself.
template <typename T>
absl::Status PointwiseConv(const ConvProblem<T>& p) {
  const Conv2DGeometry& g = p.g;
  GemmBatch<T> gemm;
  gemm.k = g.channels;
  if (g.channels_first) {  // out[n] (O x HW) = kernel^T (O x C) * x[n] (C x HW)
    gemm.batch[0] = g.batch;
    gemm.m = g.out_channels;
    gemm.n = p.pixels;
    gemm.a = p.kernel;
    gemm.lda = g.out_channels;
    gemm.trans_a = true;
    gemm.b = p.x;
    gemm.ldb = p.pixels;
    gemm.b_stride[0] = g.channels * p.pixels;
    gemm.c = p.out;
    gemm.ldc = p.pixels;
    gemm.c_stride[0] = g.out_channels * p.pixels;
  } else {  // out (N*HW x O) = x (N*HW x C) * kernel (C x O)
    gemm.m = g.batch * p.pixels;
    gemm.n = g.out_channels;
    gemm.a = p.x;
    gemm.lda = g.channels;
    gemm.b = p.kernel;
    gemm.ldb = g.out_channels;
    gemm.c = p.out;
    gemm.ldc = g.out_channels;
  }
  return RunGemm(gemm);
}

template <typename T>
absl::Status Conv2D(const Conv2DGeometry& g, const T* x, const T* kernel,
                    T* out) {
  const ConvProblem<T> p{
      g, x, kernel, out, g.k_h * g.k_w * g.channels, g.out_h * g.out_w};
  if (g.batch * p.pixels * g.out_channels == 0) return absl::OkStatus();
  if (p.k == 0) {
    std::fill(out, out + g.batch * p.pixels * g.out_channels, T(0));
    return absl::OkStatus();
  }
  if (g.k_h == 1 && g.k_w == 1 && g.stride_h == 1 && g.stride_w == 1) {
    return PointwiseConv(p);
  }
  return BlasSized(p) ? BlasConv(p) : FusedConv(p);
}

absl::Status Conv2DKernel(const KernelContext& ctx, absl::Span<const Tensor> in,
                          Tensor& out) {
  const Conv2DGeometry g =
      ConvGeometry(ctx.attrs, in[0].shape(), in[1].shape());
  if (out.dtype() == DType::kFloat64) {
    return Conv2D(g, in[0].data<double>(), in[1].data<double>(),
                  out.data<double>());
  }
  return Conv2D(g, in[0].data<float>(), in[1].data<float>(), out.data<float>());
}

// ---- pool2d --------------------------------------------------------------

// NaN-propagating max that keeps the first NaN met (as the reference does):
// a NaN accumulator stays, otherwise a NaN or larger value wins; ties keep
// the earlier cell (-0 vs +0).
template <typename T>
T MaxNaN(T acc, T v) {
  return (acc == acc && !(v <= acc)) ? v : acc;
}

// channels_last output row (n, oh): every ow, vectorised over channels.
template <typename T>
void PoolRowNhwc(const Conv2DGeometry& g, bool max, const T* x, int64_t n,
                 int64_t oh, T* out) {
  const int64_t c = g.channels;
  int64_t i_lo, i_hi;
  ValidRange(oh * g.stride_h - g.pad_top, 1, g.in_h, g.k_h, &i_lo, &i_hi);
  for (int64_t ow = 0; ow < g.out_w; ++ow, out += c) {
    int64_t j_lo, j_hi;
    ValidRange(ow * g.stride_w - g.pad_left, 1, g.in_w, g.k_w, &j_lo, &j_hi);
    std::fill(out, out + c, max ? -std::numeric_limits<T>::infinity() : T(0));
    for (int64_t i = i_lo; i < i_hi; ++i) {
      const int64_t h = oh * g.stride_h - g.pad_top + i;
      for (int64_t j = j_lo; j < j_hi; ++j) {
        const T* cell =
            x +
            ((n * g.in_h + h) * g.in_w + ow * g.stride_w - g.pad_left + j) * c;
        if (max) {
          for (int64_t k = 0; k < c; ++k) out[k] = MaxNaN(out[k], cell[k]);
        } else {
          for (int64_t k = 0; k < c; ++k) out[k] += cell[k];
        }
      }
    }
    if (!max) {
      const T count = static_cast<T>((i_hi - i_lo) * (j_hi - j_lo));
      for (int64_t k = 0; k < c; ++k) out[k] /= count;
    }
  }
}

// channels_first output row (n, c, oh): vectorised over output columns.
template <typename T>
void PoolRowNchw(const Conv2DGeometry& g, bool max, const T* x, int64_t plane,
                 int64_t oh, T* out) {
  const T* in = x + plane * g.in_h * g.in_w;
  int64_t i_lo, i_hi;
  ValidRange(oh * g.stride_h - g.pad_top, 1, g.in_h, g.k_h, &i_lo, &i_hi);
  std::fill(out, out + g.out_w,
            max ? -std::numeric_limits<T>::infinity() : T(0));
  for (int64_t i = i_lo; i < i_hi; ++i) {
    const T* row = in + (oh * g.stride_h - g.pad_top + i) * g.in_w;
    for (int64_t j = 0; j < g.k_w; ++j) {
      const int64_t offset = j - g.pad_left;
      int64_t lo, hi;
      ValidRange(offset, g.stride_w, g.in_w, g.out_w, &lo, &hi);
      const int64_t sw = g.stride_w;
      if (max) {
        for (int64_t ow = lo; ow < hi; ++ow)
          out[ow] = MaxNaN(out[ow], row[ow * sw + offset]);
      } else {
        for (int64_t ow = lo; ow < hi; ++ow) out[ow] += row[ow * sw + offset];
      }
    }
  }
  if (!max) {
    const int64_t rows = i_hi - i_lo;
    for (int64_t ow = 0; ow < g.out_w; ++ow) {
      int64_t j_lo, j_hi;
      ValidRange(ow * g.stride_w - g.pad_left, 1, g.in_w, g.k_w, &j_lo, &j_hi);
      out[ow] /= static_cast<T>(rows * (j_hi - j_lo));
    }
  }
}

template <typename T>
void Pool2D(const Conv2DGeometry& g, bool max, const T* x, T* out) {
  // Work items are output rows: (n, oh) or (n, c, oh).
  const int64_t planes = g.channels_first ? g.batch * g.channels : g.batch;
  const int64_t row_len = g.channels_first ? g.out_w : g.out_w * g.channels;
  const int64_t rows = planes * g.out_h;
  if (rows * row_len == 0) return;
  const int64_t work = row_len * g.k_h * g.k_w;
  const int64_t grain =
      std::max<int64_t>(1, kParallelElements / std::max<int64_t>(1, work));
  IntraOpPool::Global().ParallelFor(
      rows, grain, [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r) {
          const int64_t plane = r / g.out_h, oh = r % g.out_h;
          if (g.channels_first) {
            PoolRowNchw(g, max, x, plane, oh, out + r * row_len);
          } else {
            PoolRowNhwc(g, max, x, plane, oh, out + r * row_len);
          }
        }
      });
}

absl::Status Pool2DKernel(const KernelContext& ctx, absl::Span<const Tensor> in,
                          Tensor& out) {
  const Conv2DGeometry g = PoolGeometry(ctx.attrs, in[0].shape());
  const bool max = std::get<std::string>(ctx.attrs.at("pool_mode")) == "max";
  if (out.dtype() == DType::kFloat64) {
    Pool2D(g, max, in[0].data<double>(), out.data<double>());
  } else {
    Pool2D(g, max, in[0].data<float>(), out.data<float>());
  }
  return absl::OkStatus();
}

// ---- bias_add --------------------------------------------------------------

// Rank-1 bias: x as (pre, C, post); items are (pre, C) runs of `post`
// values when post > 1, else rows of C.
template <typename T>
void BiasAdd(const BiasAddLayout& l, const T* x, const T* bias, T* out) {
  const bool rows = l.post == 1;
  const int64_t items = rows ? l.pre : l.pre * l.channels;
  const int64_t len = rows ? l.channels : l.post;
  if (items * len == 0) return;
  const int64_t grain = std::max<int64_t>(1, kParallelElements / len);
  IntraOpPool::Global().ParallelFor(items, grain,
                                    [&](int64_t begin, int64_t end) {
                                      for (int64_t it = begin; it < end; ++it) {
                                        const T* src = x + it * len;
                                        T* dst = out + it * len;
                                        if (rows) {
                                          for (int64_t k = 0; k < len; ++k)
                                            dst[k] = src[k] + bias[k];
                                        } else {
                                          const T b = bias[it % l.channels];
                                          for (int64_t k = 0; k < len; ++k)
                                            dst[k] = src[k] + b;
                                        }
                                      }
                                    });
}

// Full-rank biases (rare) keep `fallback`, the reference loops.
KernelFn BiasAddKernel(KernelFn fallback) {
  return [fallback = std::move(fallback)](const KernelContext& ctx,
                                          absl::Span<const Tensor> in,
                                          Tensor& out) -> absl::Status {
    const BiasAddLayout l =
        BiasAddLayoutFor(ctx.attrs, in[0].shape(), in[1].shape());
    if (l.full_rank) return fallback(ctx, in, out);
    if (out.dtype() == DType::kFloat64) {
      BiasAdd(l, in[0].data<double>(), in[1].data<double>(),
              out.data<double>());
    } else {
      BiasAdd(l, in[0].data<float>(), in[1].data<float>(), out.data<float>());
    }
    return absl::OkStatus();
  };
}

}  // namespace

void AddEigenConvKernels(Backend& backend) {
  backend.AddKernel("conv2d", Conv2DKernel);
  backend.AddKernel("pool2d", Pool2DKernel);
  backend.AddKernel("bias_add", BiasAddKernel(*backend.FindKernel("bias_add")));
}

}  // namespace remotek
