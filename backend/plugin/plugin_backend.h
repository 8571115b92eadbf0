// An external backend as the server hosts it: a validated PluginLibrary and
// the sessions made through it (PluginSession forwards every KerasSession
// operation to the library's entries).
#ifndef REMOTEK_BACKEND_PLUGIN_PLUGIN_BACKEND_H_
#define REMOTEK_BACKEND_PLUGIN_PLUGIN_BACKEND_H_

#include <memory>
#include <string>
#include <vector>

#include "backend/core/hosted_backend.h"
#include "backend/plugin/plugin_library.h"

namespace remotek::plugin {

class PluginBackend final : public HostedBackend {
 public:
  // Asks the library for its ops (the optional `ops` entry) once, here.
  // Without that entry, every op of the engine's registry is offered.
  static absl::StatusOr<std::unique_ptr<PluginBackend>> Create(
      std::shared_ptr<const PluginLibrary> library);

  const std::string& name() const override { return library_->name(); }
  std::string origin() const override { return library_->path(); }
  std::vector<std::string> SupportedOps() const override { return ops_; }
  std::vector<DType> SupportedDTypes() const override { return dtypes_; }
  absl::StatusOr<std::unique_ptr<KerasSession>> NewSession(
      const OpConfig& config, std::shared_ptr<MemoryAccount> account) const override;

 private:
  explicit PluginBackend(std::shared_ptr<const PluginLibrary> library)
      : library_(std::move(library)) {}
  std::shared_ptr<const PluginLibrary> library_;
  std::vector<std::string> ops_;
  std::vector<DType> dtypes_;
};

}  // namespace remotek::plugin

#endif  // REMOTEK_BACKEND_PLUGIN_PLUGIN_BACKEND_H_
