// "remotek_testing.onednn_all_paths": the onednn kernels with every case
// oneDNN can serve routed to it regardless of size, so that the conformance
// table (whose tensors are mostly too small for the speed routing) crosses
// the ABI on oneDNN's primitives rather than on the eigen fallbacks.
#include "backend/onednn/onednn_backend.h"
#include "backend/plugin/sdk/plugin_sdk.h"

namespace remotek::plugin_sdk {

std::unique_ptr<Backend> CreatePluginKernels() {
  return CreateOnednnBackendWithoutSpeedRoutingForTest();
}

}  // namespace remotek::plugin_sdk
