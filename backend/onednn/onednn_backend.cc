#include "backend/onednn/onednn_backend.h"

#include <string>

#include "backend/eigen/eigen_backend.h"
#include "backend/onednn/onednn_kernels.h"

namespace remotek {

std::unique_ptr<Backend> CreateOnednnBackend() {
  auto backend = std::make_unique<Backend>("onednn");
  // Copy the eigen backend's whole table (kernels are value-semantic
  // functions), so every op is served, future eigen kernels are picked up,
  // and each oneDNN kernel wraps the eigen one as its fallback.
  const std::unique_ptr<Backend> eigen = CreateEigenBackend();
  for (const std::string& op : eigen->SupportedOps()) {
    backend->AddKernel(op, *eigen->FindKernel(op));
  }
  onednn::AddOnednnMatmulKernels(*backend);
  onednn::AddOnednnBinaryKernels(*backend);
  onednn::AddOnednnEltwiseKernels(*backend);
  onednn::AddOnednnSoftmaxKernel(*backend);
  onednn::AddOnednnReductionKernels(*backend);
  return backend;
}

}  // namespace remotek
