#include "backend/eigen/gemm.h"

#include <algorithm>
#include <atomic>
#include <climits>
#include <cmath>
#include <cstring>
#include <new>
#include <type_traits>

#include "Eigen/Core"
#include "absl/strings/str_cat.h"
#include "backend/core/run_context.h"
#include "backend/eigen/intra_op_pool.h"
#include "cblas.h"

namespace remotek {
namespace {

// Routing thresholds, in flops (2*m*n*k), chosen by measuring
// tests/bench/gemm_benchmark.cc on the 2-core build host; see RouteGemm.
constexpr double kInlineFlops = 2.0 * 64 * 64 * 64;
constexpr double kBlasProductFlops = 2.0 * 768 * 768 * 768;
// A batch-parallel range should hold at least this much work.
constexpr double kRangeFlops = 2.0 * 32 * 32 * 32;
// Split products: panels of at least kMinPanel rows, about kPanelsPerThread
// per thread so that a thread slowed by other load does not hold the rest up.
constexpr int64_t kMinPanel = 32;
constexpr int64_t kPanelsPerThread = 2;

int64_t Offset(const int64_t (&stride)[3], const int64_t (&idx)[3]) {
  return idx[0] * stride[0] + idx[1] * stride[1] + idx[2] * stride[2];
}

// Splits a flat product index into the three batch indices.
template <typename T>
void Unflatten(const GemmBatch<T>& g, int64_t i, int64_t (&idx)[3]) {
  idx[2] = i % g.batch[2];
  i /= g.batch[2];
  idx[1] = i % g.batch[1];
  idx[0] = i / g.batch[1];
}

// One product through Eigen's GEMM in the calling thread (Eigen is built
// without OpenMP here, so it never starts threads of its own).
template <typename T>
void EigenProduct(const GemmBatch<T>& g, const T* a, const T* b, T* c) {
  using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using In = Eigen::Map<const Mat, Eigen::Unaligned, Eigen::OuterStride<>>;
  using Out = Eigen::Map<Mat, Eigen::Unaligned, Eigen::OuterStride<>>;
  const In lhs(a, g.trans_a ? g.k : g.m, g.trans_a ? g.m : g.k,
               Eigen::OuterStride<>(g.lda));
  const In rhs(b, g.trans_b ? g.n : g.k, g.trans_b ? g.k : g.n,
               Eigen::OuterStride<>(g.ldb));
  Out out(c, g.m, g.n, Eigen::OuterStride<>(g.ldc));
  if (g.trans_a && g.trans_b) {
    out.noalias() = lhs.transpose() * rhs.transpose();
  } else if (g.trans_a) {
    out.noalias() = lhs.transpose() * rhs;
  } else if (g.trans_b) {
    out.noalias() = lhs * rhs.transpose();
  } else {
    out.noalias() = lhs * rhs;
  }
}

template <typename T>
void BlasCall(const GemmBatch<T>& g, const T* a, const T* b, T* c) {
  const CBLAS_TRANSPOSE ta = g.trans_a ? CblasTrans : CblasNoTrans;
  const CBLAS_TRANSPOSE tb = g.trans_b ? CblasTrans : CblasNoTrans;
  const int m = static_cast<int>(g.m), n = static_cast<int>(g.n),
            k = static_cast<int>(g.k);
  const int lda = static_cast<int>(g.lda), ldb = static_cast<int>(g.ldb),
            ldc = static_cast<int>(g.ldc);
  if constexpr (std::is_same_v<T, float>) {
    cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, ldc);
  } else {
    cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, 1.0, a, lda, b, ldb, 0.0, c, ldc);
  }
}

// A BLAS call cannot be interrupted, so under a computation that can be
// stopped (RunContext) a large product runs as blocks of rows with the stop
// checked between them: a cancelled call gives the cores back within one
// block. Blocks hold about kBlasStopBlockFlops (~0.1 s on the 2-core build
// host) in multiples of 256 rows; smaller blocks cost OpenBLAS speed
// (gemm_benchmark's stoppable column).
constexpr double kBlasStopBlockFlops = 4e9;
constexpr int64_t kBlasStopRowMultiple = 256;

template <typename T>
int64_t BlasStopBlockRows(const GemmBatch<T>& g) {
  const double per_row = std::max(1.0, 2.0 * static_cast<double>(g.n) * static_cast<double>(g.k));
  const auto rows = static_cast<int64_t>(std::ceil(kBlasStopBlockFlops / per_row));
  return (std::max<int64_t>(rows, 1) + kBlasStopRowMultiple - 1) / kBlasStopRowMultiple *
         kBlasStopRowMultiple;
}

template <typename T>
void BlasProduct(const GemmBatch<T>& g, const T* a, const T* b, T* c) {
  const RunContext::StopCheck* stop = CurrentStopCheck();
  const int64_t block_rows = stop == nullptr ? g.m : BlasStopBlockRows(g);
  if (g.m <= block_rows) {
    BlasCall(g, a, b, c);
    return;
  }
  for (int64_t row = 0; row < g.m; row += block_rows) {
    if (row > 0 && !(*stop)().ok()) return;  // the result is discarded
    GemmBatch<T> block = g;
    block.m = std::min(block_rows, g.m - row);
    // Row `row` of op(A) starts `row` columns in when A is stored transposed.
    BlasCall(block, a + (g.trans_a ? row : row * g.lda), b, c + row * g.ldc);
  }
}

template <typename T>
bool FitsBlasInt(const GemmBatch<T>& g) {
  for (int64_t v : {g.m, g.n, g.k, g.lda, g.ldb, g.ldc}) {
    if (v > INT_MAX) return false;
  }
  return true;
}

template <typename T>
using ProductFn = void (*)(const GemmBatch<T>&, const T*, const T*, T*);

// Runs products [begin, end). False when Eigen could not allocate its packing
// buffers (std::bad_alloc, the only exception it throws); never throws, so it
// may run on pool threads.
template <typename T>
bool RunProducts(const GemmBatch<T>& g, int64_t begin, int64_t end,
                 ProductFn<T> product) {
  // Set on the calling thread only (pool threads see null): a stopped
  // computation skips the batch's remaining products.
  const RunContext::StopCheck* stop = CurrentStopCheck();
  try {
    for (int64_t i = begin; i < end; ++i) {
      if (stop != nullptr && i > begin && !(*stop)().ok()) break;
      int64_t idx[3];
      Unflatten(g, i, idx);
      product(g, g.a + Offset(g.a_stride, idx), g.b + Offset(g.b_stride, idx),
              g.c + Offset(g.c_stride, idx));
    }
  } catch (const std::bad_alloc&) {
    return false;
  }
  return true;
}

template <typename T>
void ZeroOutputs(const GemmBatch<T>& g) {
  for (int64_t i = 0; i < g.count(); ++i) {
    int64_t idx[3];
    Unflatten(g, i, idx);
    T* c = g.c + Offset(g.c_stride, idx);
    for (int64_t row = 0; row < g.m; ++row) {
      std::memset(c + row * g.ldc, 0, sizeof(T) * g.n);
    }
  }
}

// One product split into panels of rows (or of columns when n > m), each a
// single-threaded Eigen product, claimed dynamically by the pool's threads.
// Throws std::bad_alloc (caught by RunProducts) when a panel could not
// allocate.
template <typename T>
void SplitProduct(const GemmBatch<T>& g, const T* a, const T* b, T* c) {
  IntraOpPool& pool = IntraOpPool::Global();
  const bool by_rows = g.m >= g.n;
  const int64_t extent = by_rows ? g.m : g.n;
  const int64_t grain = std::max<int64_t>(
      kMinPanel, extent / (kPanelsPerThread * pool.num_threads()));
  std::atomic<bool> ok{true};
  pool.ParallelFor(extent, grain, [&](int64_t begin, int64_t end) {
    GemmBatch<T> panel = g;
    const T* pa = a;
    const T* pb = b;
    T* pc = c;
    if (by_rows) {
      panel.m = end - begin;
      pa += begin * (g.trans_a ? 1 : g.lda);
      pc += begin * g.ldc;
    } else {
      panel.n = end - begin;
      pb += begin * (g.trans_b ? g.ldb : 1);
      pc += begin;
    }
    try {
      EigenProduct(panel, pa, pb, pc);
    } catch (const std::bad_alloc&) {
      ok = false;
    }
  });
  if (!ok) throw std::bad_alloc();
}

}  // namespace

// Measured on the 2-core build host (numbers in the report of the change that
// added this file): per core, Eigen's GEMM and OpenBLAS's are within a few
// percent of each other; what differs is how the cores are shared.
//   - One big product (>= ~768^3): OpenBLAS with its own threads is best.
//   - A batch of at least one product per pool thread: one single-threaded
//     Eigen product per thread, no synchronisation inside a product, beats an
//     OpenBLAS loop (it synchronises its threads in every call) by up to 2x
//     for 64^3 and 128^3 products.
//   - Fewer, medium products: split each over the pool in row (or column)
//     panels; at 256^3..512^3 this beats OpenBLAS's own threading.

template <typename T>
GemmPath RouteGemm(const GemmBatch<T>& g) {
  const double each = 2.0 * g.m * g.n * g.k;
  if (each * g.count() < kInlineFlops) return GemmPath::kEigenInline;
  if (each >= kBlasProductFlops && FitsBlasInt(g)) return GemmPath::kBlas;
  if (g.count() >= IntraOpPool::Global().num_threads()) {
    return GemmPath::kEigenBatchParallel;
  }
  return GemmPath::kEigenSplit;
}

template <typename T>
absl::Status RunGemm(const GemmBatch<T>& g) {
  const int64_t count = g.count();
  if (count == 0 || g.m == 0 || g.n == 0) return absl::OkStatus();
  if (g.k == 0) {
    ZeroOutputs(g);
    return absl::OkStatus();
  }
  bool ok = true;
  switch (RouteGemm(g)) {
    case GemmPath::kEigenInline:
      ok = RunProducts(g, 0, count, EigenProduct<T>);
      break;
    case GemmPath::kBlas:
      ok = RunProducts(g, 0, count, BlasProduct<T>);
      break;
    case GemmPath::kEigenSplit:
      ok = RunProducts(g, 0, count, SplitProduct<T>);
      break;
    case GemmPath::kEigenBatchParallel: {
      IntraOpPool& pool = IntraOpPool::Global();
      const double each = 2.0 * g.m * g.n * g.k;
      const int64_t per_thread = (count + pool.num_threads() - 1) / pool.num_threads();
      const int64_t grain = std::clamp<int64_t>(
          static_cast<int64_t>(kRangeFlops / each), 1, per_thread);
      std::atomic<bool> all_ok{true};
      pool.ParallelFor(count, grain, [&](int64_t begin, int64_t end) {
        if (!RunProducts(g, begin, end, EigenProduct<T>)) all_ok = false;
      });
      ok = all_ok;
      break;
    }
  }
  if (ok) return absl::OkStatus();
  return absl::ResourceExhaustedError(absl::StrCat(
      "GEMM of ", count, " product(s) of ", g.m, "x", g.k, " by ", g.k, "x",
      g.n, ": out of memory for packing buffers"));
}

template GemmPath RouteGemm(const GemmBatch<float>&);
template GemmPath RouteGemm(const GemmBatch<double>&);
template absl::Status RunGemm(const GemmBatch<float>&);
template absl::Status RunGemm(const GemmBatch<double>&);

}  // namespace remotek
