#include "backend/eigen/gemm.h"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <type_traits>

#include "Eigen/Core"
#include "backend/eigen/intra_op_pool.h"
#include "cblas.h"

namespace remotek {
namespace {

// Routing thresholds, in flops (2*m*n*k), chosen by measuring
// tests/bench/gemm_benchmark.cc on the 2-core build host; see RouteGemm.
constexpr double kInlineFlops = 2.0 * 48 * 48 * 48;
constexpr double kBlasProductFlops = 2.0 * 320 * 320 * 320;
// A batch-parallel range should hold at least this much work.
constexpr double kRangeFlops = 2.0 * 32 * 32 * 32;

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
void BlasProduct(const GemmBatch<T>& g, const T* a, const T* b, T* c) {
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

template <typename T>
bool FitsBlasInt(const GemmBatch<T>& g) {
  for (int64_t v : {g.m, g.n, g.k, g.lda, g.ldb, g.ldc}) {
    if (v > INT_MAX) return false;
  }
  return true;
}

template <typename T>
void RunProducts(const GemmBatch<T>& g, int64_t begin, int64_t end, bool blas) {
  for (int64_t i = begin; i < end; ++i) {
    int64_t idx[3];
    Unflatten(g, i, idx);
    const T* a = g.a + Offset(g.a_stride, idx);
    const T* b = g.b + Offset(g.b_stride, idx);
    T* c = g.c + Offset(g.c_stride, idx);
    if (blas) {
      BlasProduct(g, a, b, c);
    } else {
      EigenProduct(g, a, b, c);
    }
  }
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

}  // namespace

// Measured (tests/bench/gemm_benchmark.cc, 2 cores): OpenBLAS with its own
// threads wins for every product of at least ~320^3; for batches of smaller
// products, one single-threaded Eigen product per pool thread beats both an
// OpenBLAS loop (its threads synchronise per call) and Eigen's own threading.
template <typename T>
GemmPath RouteGemm(const GemmBatch<T>& g) {
  const double each = 2.0 * g.m * g.n * g.k;
  const double total = each * g.count();
  if (!FitsBlasInt(g)) {
    return total < kInlineFlops ? GemmPath::kEigenInline
                                : GemmPath::kEigenBatchParallel;
  }
  if (total < kInlineFlops) return GemmPath::kEigenInline;
  if (each >= kBlasProductFlops || g.count() == 1) return GemmPath::kBlas;
  return GemmPath::kEigenBatchParallel;
}

template <typename T>
void RunGemm(const GemmBatch<T>& g) {
  const int64_t count = g.count();
  if (count == 0 || g.m == 0 || g.n == 0) return;
  if (g.k == 0) {
    ZeroOutputs(g);
    return;
  }
  switch (RouteGemm(g)) {
    case GemmPath::kEigenInline:
      RunProducts(g, 0, count, /*blas=*/false);
      return;
    case GemmPath::kBlas:
      RunProducts(g, 0, count, /*blas=*/true);
      return;
    case GemmPath::kEigenBatchParallel: {
      IntraOpPool& pool = IntraOpPool::Global();
      const double each = 2.0 * g.m * g.n * g.k;
      const int64_t per_thread = (count + pool.num_threads() - 1) / pool.num_threads();
      const int64_t grain = std::clamp<int64_t>(
          static_cast<int64_t>(kRangeFlops / each), 1, per_thread);
      pool.ParallelFor(count, grain, [&](int64_t begin, int64_t end) {
        RunProducts(g, begin, end, /*blas=*/false);
      });
      return;
    }
  }
}

template GemmPath RouteGemm(const GemmBatch<float>&);
template GemmPath RouteGemm(const GemmBatch<double>&);
template void RunGemm(const GemmBatch<float>&);
template void RunGemm(const GemmBatch<double>&);

}  // namespace remotek
