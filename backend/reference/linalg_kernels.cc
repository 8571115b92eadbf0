#include "backend/reference/reference_kernels.h"

namespace remotek {

void AddReferenceLinalgKernels(Backend& backend) {}

}  // namespace remotek
