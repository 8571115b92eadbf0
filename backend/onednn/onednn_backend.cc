#include "backend/onednn/onednn_backend.h"

#include <string>

#include "backend/eigen/eigen_backend.h"
#include "backend/onednn/onednn_kernels.h"

namespace remotek {

namespace {

std::unique_ptr<Backend> Create(onednn::KernelOptions options) {
  auto backend = std::make_unique<Backend>("onednn");
  // Copy the eigen backend's whole table (kernels are value-semantic
  // functions), so every op is served, future eigen kernels are picked up,
  // and each oneDNN kernel wraps the eigen one as its fallback.
  const std::unique_ptr<Backend> eigen = CreateEigenBackend();
  for (const std::string& op : eigen->SupportedOps()) {
    backend->AddKernel(op, *eigen->FindKernel(op));
  }
  onednn::AddOnednnMatmulKernels(*backend, options);
  onednn::AddOnednnBinaryKernels(*backend, options);
  onednn::AddOnednnEltwiseKernels(*backend, options);
  onednn::AddOnednnSoftmaxKernel(*backend, options);
  onednn::AddOnednnReductionKernels(*backend, options);
  return backend;
}

}  // namespace

std::unique_ptr<Backend> CreateOnednnBackend() { return Create({}); }

std::unique_ptr<Backend> CreateOnednnBackendWithoutSpeedRoutingForTest() {
  return Create({.speed_routing = false});
}

}  // namespace remotek
