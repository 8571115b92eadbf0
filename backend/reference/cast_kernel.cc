// Reference kernel of `cast`: the shared conversion in backend/core/cast.h.
#include "backend/core/cast.h"
#include "backend/reference/reference_kernels.h"

namespace remotek {
namespace {

absl::Status CastKernel(const KernelContext&, absl::Span<const Tensor> inputs,
                        Tensor& output) {
  CastInto(inputs[0], output);
  return absl::OkStatus();
}

}  // namespace

void AddReferenceCastKernel(Backend& backend) {
  backend.AddKernel("cast", CastKernel);
}

}  // namespace remotek
