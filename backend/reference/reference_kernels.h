// Reference kernels: plain loops, no Eigen, written to be obviously correct.
// They are the oracle the conformance suite compares every backend against.
#ifndef REMOTEK_BACKEND_REFERENCE_REFERENCE_KERNELS_H_
#define REMOTEK_BACKEND_REFERENCE_REFERENCE_KERNELS_H_

#include <memory>

#include "backend/core/backend.h"

namespace remotek {

// The `reference` backend with every built-in op.
std::unique_ptr<Backend> CreateReferenceBackend();

// One per family; CreateReferenceBackend calls them all. Other backends call
// them first and then replace the kernels they do better.
void AddAllReferenceKernels(Backend& backend);
void AddReferenceLinalgKernels(Backend& backend);
void AddReferenceElementwiseKernels(Backend& backend);
void AddReferenceUnaryKernels(Backend& backend);
void AddReferenceCastKernel(Backend& backend);
void AddReferenceReductionKernels(Backend& backend);
void AddReferenceShapeKernels(Backend& backend);
void AddReferenceIndexingKernels(Backend& backend);
void AddReferenceLossKernels(Backend& backend);
void AddReferenceConvKernels(Backend& backend);
void AddReferenceGradientKernels(Backend& backend);

}  // namespace remotek

#endif  // REMOTEK_BACKEND_REFERENCE_REFERENCE_KERNELS_H_
