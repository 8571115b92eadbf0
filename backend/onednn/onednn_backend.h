// The `onednn` backend: the eigen backend's full kernel table with the
// compute-heavy float32 kernels replaced by oneDNN (Intel's DNNL) primitives:
//   dot, batch_dot                        dnnl::matmul
//   add, subtract, multiply, divide       dnnl::binary (numpy broadcasting)
//   sqrt, square, abs                     dnnl::eltwise_forward
//   softmax                               dnnl::softmax_v2_forward
//   sum, mean, prod                       dnnl::reduction
// Every replaced kernel falls back to the eigen kernel for other dtypes
// (oneDNN's CPU engine has no float64), sizes and layouts where the eigen
// kernel was measured faster or oneDNN has only reference loops, and the
// special values where oneDNN disagrees with the reference. maximum,
// minimum, relu, exp, log, tanh, sigmoid and the max/min reductions stay on
// eigen altogether (oneDNN differs on NaN/-0 or is slower; the kernel files
// give the measurements).
//
// Primitives are cached process-wide by (op, shapes, attrs); see
// primitive_cache.h. Threading is described in onednn_runtime.h.
//
// Thread-safety: as for every Backend, the table is read-only after creation
// and kernels may run concurrently.
#ifndef REMOTEK_BACKEND_ONEDNN_ONEDNN_BACKEND_H_
#define REMOTEK_BACKEND_ONEDNN_ONEDNN_BACKEND_H_

#include <memory>

#include "backend/core/backend.h"

namespace remotek {

// The backend as servers host it.
std::unique_ptr<Backend> CreateOnednnBackend();

// For tests: as CreateOnednnBackend, but every case oneDNN can express runs
// on oneDNN, even where the eigen kernel is measured faster (small tensors,
// batched matrix-vector products), so the conformance suite's small rows
// check the oneDNN paths too. Fallbacks for dtypes, layouts and special
// values stay.
std::unique_ptr<Backend> CreateOnednnBackendWithoutSpeedRoutingForTest();

}  // namespace remotek

#endif  // REMOTEK_BACKEND_ONEDNN_ONEDNN_BACKEND_H_
