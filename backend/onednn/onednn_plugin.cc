// The `onednn` external backend library (lib/remotek/backends/libonednn.so):
// the plugin SDK serves graphs, functions and variables on RemoteK's engine,
// with the onednn kernel table (oneDNN primitives, eigen kernels for the rest).
// The server loads it with dlopen like any third-party backend, so it is also
// the proof that the ABI carries a real backend.
#include "backend/onednn/onednn_backend.h"
#include "backend/plugin/sdk/plugin_sdk.h"

namespace remotek::plugin_sdk {

std::unique_ptr<Backend> CreatePluginKernels() { return CreateOnednnBackend(); }

}  // namespace remotek::plugin_sdk
