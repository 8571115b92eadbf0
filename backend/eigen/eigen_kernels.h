// Kernel families of the eigen backend. CreateEigenBackend starts from every
// reference kernel and calls these to replace the ones done better here.
#ifndef REMOTEK_BACKEND_EIGEN_EIGEN_KERNELS_H_
#define REMOTEK_BACKEND_EIGEN_EIGEN_KERNELS_H_

#include "backend/core/backend.h"

namespace remotek {

// dot and batch_dot (float32/float64 through RunGemm; integer dtypes keep the
// kernel already registered, i.e. the reference loops) and transpose (tiled,
// on the intra-op pool). REQUIRES: `backend` already has reference kernels
// for dot and batch_dot.
void AddEigenLinalgKernels(Backend& backend);

// Vectorised Eigen array kernels for float32/float64 elementwise arithmetic on
// equal shapes (add, subtract, multiply, divide) and for the unary maps
// square, exp, tanh, sigmoid. Broadcasting and
// other dtypes keep the kernel already registered (the reference loops).
// REQUIRES: `backend` already has reference kernels for these ops.
void AddEigenElementwiseKernels(Backend& backend);

// conv2d (im2col + GEMM, OpenBLAS for large problems, both data formats
// without transposes), pool2d and rank-1-bias bias_add on the intra-op pool;
// bias_add with a full-rank bias keeps the kernel already registered.
// REQUIRES: `backend` already has the reference kernel for bias_add.
void AddEigenConvKernels(Backend& backend);

}  // namespace remotek

#endif  // REMOTEK_BACKEND_EIGEN_EIGEN_KERNELS_H_
