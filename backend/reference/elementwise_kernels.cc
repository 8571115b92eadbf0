#include "backend/reference/reference_kernels.h"

namespace remotek {

void AddReferenceElementwiseKernels(Backend& backend) {}

}  // namespace remotek
