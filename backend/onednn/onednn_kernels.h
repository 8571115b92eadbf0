// Kernel families of the onednn backend. CreateOnednnBackend starts from the
// eigen backend's full table and calls these to replace the kernels oneDNN
// does better; every replaced kernel keeps the one it replaces as its
// fallback (float64, integers, tiny tensors, layouts oneDNN cannot express,
// and cases where oneDNN's results differ from the reference).
// REQUIRES (each): `backend` already has kernels for the ops it replaces.
#ifndef REMOTEK_BACKEND_ONEDNN_ONEDNN_KERNELS_H_
#define REMOTEK_BACKEND_ONEDNN_ONEDNN_KERNELS_H_

#include "backend/core/backend.h"

namespace remotek::onednn {

struct KernelOptions {
  // Route the cases measured faster on eigen (small tensors, batched
  // matrix-vector products, ops that win only with several threads) to the
  // eigen kernel. Off only in tests, to run every case oneDNN can express
  // through oneDNN.
  bool speed_routing = true;
};

void AddOnednnMatmulKernels(Backend& backend, KernelOptions options);     // dot, batch_dot
void AddOnednnBinaryKernels(Backend& backend, KernelOptions options);     // add .. divide
void AddOnednnEltwiseKernels(Backend& backend, KernelOptions options);    // sqrt, square, abs
void AddOnednnSoftmaxKernel(Backend& backend, KernelOptions options);     // softmax
void AddOnednnReductionKernels(Backend& backend, KernelOptions options);  // sum, mean, prod

}  // namespace remotek::onednn

#endif  // REMOTEK_BACKEND_ONEDNN_ONEDNN_KERNELS_H_
