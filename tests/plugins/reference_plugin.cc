// A valid external backend built with the plugin SDK over the reference
// kernels ("remotek_testing.reference"): the loader, server and conformance
// tests use it where they need a plugin that does not depend on oneDNN.
#include "backend/plugin/sdk/plugin_sdk.h"
#include "backend/reference/reference_kernels.h"

namespace remotek::plugin_sdk {

std::unique_ptr<Backend> CreatePluginKernels() { return CreateReferenceBackend(); }

}  // namespace remotek::plugin_sdk
