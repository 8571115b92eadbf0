#include "backend/reference/reference_kernels.h"

namespace remotek {

void AddAllReferenceKernels(Backend& backend) {
  AddReferenceLinalgKernels(backend);
  AddReferenceElementwiseKernels(backend);
  AddReferenceUnaryKernels(backend);
  AddReferenceCastKernel(backend);
  AddReferenceReductionKernels(backend);
  AddReferenceShapeKernels(backend);
  AddReferenceIndexingKernels(backend);
  AddReferenceLossKernels(backend);
  AddReferenceConvKernels(backend);
  AddReferenceGradientKernels(backend);
}

std::unique_ptr<Backend> CreateReferenceBackend() {
  auto backend = std::make_unique<Backend>("reference");
  AddAllReferenceKernels(*backend);
  return backend;
}

}  // namespace remotek
