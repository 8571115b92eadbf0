#include "backend/reference/reference_kernels.h"

namespace remotek {

void AddReferenceIndexingKernels(Backend& backend) {}

}  // namespace remotek
