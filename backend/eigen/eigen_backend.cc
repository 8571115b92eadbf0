#include "backend/eigen/eigen_backend.h"

#include "backend/eigen/eigen_kernels.h"
#include "backend/reference/reference_kernels.h"

namespace remotek {

std::unique_ptr<Backend> CreateEigenBackend() {
  auto backend = std::make_unique<Backend>("eigen");
  AddAllReferenceKernels(*backend);
  AddEigenLinalgKernels(*backend);
  AddEigenElementwiseKernels(*backend);
  AddEigenConvKernels(*backend);
  return backend;
}

}  // namespace remotek
