// Strided batched GEMM for the eigen backend, routed to the fastest path
// measured on the build host (RouteGemm in gemm.cc says why):
//   - tiny work: Eigen in the calling thread;
//   - products of at least ~768^3: OpenBLAS with its own threads, one call
//     per product, operands read in place through the transpose flags and
//     leading dimensions (no copies);
//   - a batch with at least one product per pool thread: the batch is split
//     over the intra-op pool, each product single-threaded in Eigen's GEMM;
//   - fewer, medium products: each split in row (or column) panels over the
//     pool, each panel single-threaded in Eigen's GEMM.
// Eigen is built without OpenMP, so only OpenBLAS and the intra-op pool ever
// start threads, and the two never run inside each other.
//
// Thread-safety: RunGemm may be called concurrently from any threads.
#ifndef REMOTEK_BACKEND_EIGEN_GEMM_H_
#define REMOTEK_BACKEND_EIGEN_GEMM_H_

#include <cstdint>

#include "absl/status/status.h"

namespace remotek {

// C_i = op(A_i) * op(B_i) for every batch index i = (i0, i1, i2) in
// [0, batch[0]) x [0, batch[1]) x [0, batch[2]). All matrices are row-major:
// op(A_i) is m x k, read from a + sum_j i_j * a_stride[j] with leading
// dimension lda (A_i stored k x m when trans_a); likewise op(B_i) is k x n;
// C_i (m x n, leading dimension ldc) at c + sum_j i_j * c_stride[j] is
// overwritten. REQUIRES: the C_i do not overlap each other or the inputs.
template <typename T>
struct GemmBatch {
  int64_t batch[3] = {1, 1, 1};
  int64_t m = 0, n = 0, k = 0;
  const T* a = nullptr;
  int64_t lda = 0;
  bool trans_a = false;
  int64_t a_stride[3] = {0, 0, 0};
  const T* b = nullptr;
  int64_t ldb = 0;
  bool trans_b = false;
  int64_t b_stride[3] = {0, 0, 0};
  T* c = nullptr;
  int64_t ldc = 0;
  int64_t c_stride[3] = {0, 0, 0};

  int64_t count() const { return batch[0] * batch[1] * batch[2]; }
};

// Which implementation RunGemm picks; exposed for tests and the benchmark.
enum class GemmPath { kEigenInline, kEigenBatchParallel, kEigenSplit, kBlas };

template <typename T>
GemmPath RouteGemm(const GemmBatch<T>& g);

// Computes every product of `g`. T is float or double. RESOURCE_EXHAUSTED when
// Eigen could not allocate its packing buffers (C is then unspecified).
template <typename T>
absl::Status RunGemm(const GemmBatch<T>& g);

extern template GemmPath RouteGemm(const GemmBatch<float>&);
extern template GemmPath RouteGemm(const GemmBatch<double>&);
extern template absl::Status RunGemm(const GemmBatch<float>&);
extern template absl::Status RunGemm(const GemmBatch<double>&);

}  // namespace remotek

#endif  // REMOTEK_BACKEND_EIGEN_GEMM_H_
