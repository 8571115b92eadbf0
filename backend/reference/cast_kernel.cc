#include "backend/reference/reference_kernels.h"

namespace remotek {

void AddReferenceCastKernel(Backend& backend) {}

}  // namespace remotek
