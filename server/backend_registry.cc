#include "server/backend_registry.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "backend/eigen/eigen_backend.h"
#include "backend/plugin/plugin_backend.h"
#include "backend/reference/reference_kernels.h"

namespace remotek::server {
namespace {

bool IsKerasBackendName(const std::string& name) {
  return name == "tensorflow" || name == "theano" || name == "cntk";
}

}  // namespace

std::unique_ptr<BackendRegistry> BackendRegistry::CreateBuiltIn() {
  auto registry = std::make_unique<BackendRegistry>();
  registry->Add(std::make_unique<EngineBackend>(CreateEigenBackend()));
  registry->Add(std::make_unique<EngineBackend>(CreateReferenceBackend()));
  registry->default_name_ = "eigen";
  return registry;
}

void BackendRegistry::Add(std::unique_ptr<HostedBackend> backend) {
  std::string name = backend->name();
  backends_[name] = std::move(backend);
}

absl::Status BackendRegistry::LoadExternal(const std::string& name,
                                          const std::vector<std::string>& search_path) {
  if (IsKerasBackendName(name)) return Find(name).status();
  absl::StatusOr<std::unique_ptr<plugin::PluginLibrary>> library =
      plugin::PluginLibrary::Load(name, search_path);
  if (!library.ok()) return library.status();
  absl::StatusOr<std::unique_ptr<plugin::PluginBackend>> backend =
      plugin::PluginBackend::Create(std::shared_ptr<const plugin::PluginLibrary>(*std::move(library)));
  if (!backend.ok()) return backend.status();
  Add(*std::move(backend));
  return absl::OkStatus();
}

absl::Status BackendRegistry::SetDefault(const std::string& name) {
  absl::StatusOr<const HostedBackend*> backend = Find(name);
  if (!backend.ok()) return backend.status();
  default_name_ = name;
  return absl::OkStatus();
}

absl::StatusOr<const HostedBackend*> BackendRegistry::Find(const std::string& name) const {
  const std::string& wanted = name.empty() ? default_name_ : name;
  auto it = backends_.find(wanted);
  if (it != backends_.end()) return it->second.get();
  std::string hint;
  if (IsKerasBackendName(wanted)) {
    hint = absl::StrCat(" (\"", wanted,
                        "\" is a Keras backend; this server runs its own)");
  }
  return absl::NotFoundError(absl::StrCat("unknown backend \"", wanted, "\"", hint,
                                          "; this server hosts: ", NamesJoined()));
}

std::vector<std::string> BackendRegistry::Names() const {
  std::vector<std::string> names;
  for (const auto& [name, backend] : backends_) names.push_back(name);
  return names;
}

std::string BackendRegistry::NamesJoined() const { return absl::StrJoin(Names(), ", "); }

}  // namespace remotek::server
