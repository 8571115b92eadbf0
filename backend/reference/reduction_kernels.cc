#include "backend/reference/reference_kernels.h"

namespace remotek {

void AddReferenceReductionKernels(Backend& backend) {}

}  // namespace remotek
