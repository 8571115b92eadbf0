#include "backend/reference/reference_kernels.h"

namespace remotek {

void AddReferenceUnaryKernels(Backend& backend) {}

}  // namespace remotek
