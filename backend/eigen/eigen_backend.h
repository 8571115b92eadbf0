// The default `eigen` backend: Eigen (and OpenBLAS for large products) kernels
// for the compute-heavy ops, on one process-wide intra-op thread pool. Ops
// that only move data use the reference kernels, which are already memcpy-bound.
#ifndef REMOTEK_BACKEND_EIGEN_EIGEN_BACKEND_H_
#define REMOTEK_BACKEND_EIGEN_EIGEN_BACKEND_H_

#include <memory>

#include "backend/core/backend.h"

namespace remotek {

std::unique_ptr<Backend> CreateEigenBackend();

}  // namespace remotek

#endif  // REMOTEK_BACKEND_EIGEN_EIGEN_BACKEND_H_
