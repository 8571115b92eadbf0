// The RemoteK plugin SDK: write an external backend by supplying kernels only.
//
// The SDK implements every entry of remotek_backend_abi.h (required and
// optional) on RemoteK's own engine — graph, functions, variables, Keras
// naming, seeded initializers, eager ops — so a backend library needs one
// function, defined by the library:
//
//   std::unique_ptr<remotek::Backend> remotek::plugin_sdk::CreatePluginKernels() {
//     auto kernels = std::make_unique<remotek::Backend>("my_package.my_module");
//     ... AddKernel(op, fn) for the ops it accelerates, and engine kernels
//     (e.g. CreateEigenBackend()'s) for the rest ...
//   }
//
// and links the `remotek_plugin_sdk` object library into a MODULE library
// (see backend/onednn/CMakeLists.txt). The library's own copy of the engine
// stays private to it (hidden visibility, RTLD_LOCAL): only the C entries
// are exported.
#ifndef REMOTEK_BACKEND_PLUGIN_SDK_PLUGIN_SDK_H_
#define REMOTEK_BACKEND_PLUGIN_SDK_PLUGIN_SDK_H_

#include <memory>

#include "backend/core/backend.h"

namespace remotek::plugin_sdk {

// Defined by the plugin; called once, on the first session.
std::unique_ptr<Backend> CreatePluginKernels();

}  // namespace remotek::plugin_sdk

#endif  // REMOTEK_BACKEND_PLUGIN_SDK_PLUGIN_SDK_H_
