// The `onednn` backend: the eigen backend's full kernel table with the
// compute-heavy float32 kernels replaced by oneDNN (Intel's DNNL) primitives:
//   dot, batch_dot                        dnnl::matmul
//   add, subtract, multiply, divide       dnnl::binary (numpy broadcasting)
//   tanh, sigmoid, square, sqrt, abs      dnnl::eltwise_forward
//   softmax                               dnnl::softmax_v2_forward
//   sum, mean, prod                       dnnl::reduction
// Every replaced kernel falls back to the eigen kernel for other dtypes
// (oneDNN's CPU engine has no float64), tiny tensors, layouts oneDNN cannot
// express, and the special values where oneDNN disagrees with the reference;
// maximum, minimum, relu, exp, log and the max/min reductions stay on eigen
// altogether (see the kernel files for the measured reasons).
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

std::unique_ptr<Backend> CreateOnednnBackend();

}  // namespace remotek

#endif  // REMOTEK_BACKEND_ONEDNN_ONEDNN_BACKEND_H_
