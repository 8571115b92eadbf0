#include "backend/reference/reference_kernels.h"

namespace remotek {

void AddReferenceLossKernels(Backend& backend) {}

}  // namespace remotek
