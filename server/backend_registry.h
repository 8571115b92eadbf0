// The compute backends this server hosts, by name, and which is the default.
#ifndef REMOTEK_SERVER_BACKEND_REGISTRY_H_
#define REMOTEK_SERVER_BACKEND_REGISTRY_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "backend/core/hosted_backend.h"

namespace remotek::server {

// Thread-safety: filled before the server starts, read-only afterwards.
class BackendRegistry {
 public:
  // The built-ins: "eigen" and "reference".
  static std::unique_ptr<BackendRegistry> CreateBuiltIn();

  // Replaces a backend of the same name.
  void Add(std::unique_ptr<HostedBackend> backend);
  // Loads external backend `name` (see backend/plugin/plugin_library.h for
  // naming) from `search_path`, validates it and hosts it. On failure nothing
  // is added and the status carries the loader's one-line message; Keras's
  // own backend names (tensorflow, theano, cntk) are refused as Find does.
  absl::Status LoadExternal(const std::string& name, const std::vector<std::string>& search_path);
  bool Hosts(const std::string& name) const { return backends_.count(name) > 0; }
  // NOT_FOUND (as Find) when `name` is not hosted.
  absl::Status SetDefault(const std::string& name);
  const std::string& default_name() const { return default_name_; }

  // Empty name: the default. NOT_FOUND naming the hosted backends otherwise;
  // Keras's own backend names get a hint that this server hosts others.
  absl::StatusOr<const HostedBackend*> Find(const std::string& name) const;
  std::vector<std::string> Names() const;
  std::string NamesJoined() const;

 private:
  std::map<std::string, std::unique_ptr<HostedBackend>> backends_;
  std::string default_name_;
};

}  // namespace remotek::server

#endif  // REMOTEK_SERVER_BACKEND_REGISTRY_H_
