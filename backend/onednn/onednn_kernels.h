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

void AddOnednnMatmulKernels(Backend& backend);       // dot, batch_dot
void AddOnednnBinaryKernels(Backend& backend);       // add .. minimum
void AddOnednnEltwiseKernels(Backend& backend);      // relu, exp, ...
void AddOnednnSoftmaxKernel(Backend& backend);       // softmax
void AddOnednnReductionKernels(Backend& backend);    // sum, mean, max, min, prod

}  // namespace remotek::onednn

#endif  // REMOTEK_BACKEND_ONEDNN_ONEDNN_KERNELS_H_
