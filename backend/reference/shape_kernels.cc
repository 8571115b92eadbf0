#include "backend/reference/reference_kernels.h"

namespace remotek {

void AddReferenceShapeKernels(Backend& backend) {}

}  // namespace remotek
