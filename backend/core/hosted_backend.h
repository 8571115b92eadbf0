// A backend as the server hosts it: a name, what it supports, and a factory
// of sessions. Built-in backends (eigen, reference) are EngineBackends over a
// kernel table; external ones are loaded by backend/plugin.
#ifndef REMOTEK_BACKEND_CORE_HOSTED_BACKEND_H_
#define REMOTEK_BACKEND_CORE_HOSTED_BACKEND_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "backend/core/backend.h"
#include "backend/core/keras_session.h"

namespace remotek {

// Thread-safety: const methods may be called concurrently.
class HostedBackend {
 public:
  virtual ~HostedBackend() = default;
  virtual const std::string& name() const = 0;
  // Where it comes from, for logs and ServerInfo: "built-in" or a file path.
  virtual std::string origin() const = 0;
  virtual std::vector<std::string> SupportedOps() const = 0;
  virtual std::vector<DType> SupportedDTypes() const = 0;
  virtual absl::StatusOr<std::unique_ptr<KerasSession>> NewSession(
      const OpConfig& config, std::shared_ptr<MemoryAccount> account) const = 0;
};

// A built-in backend: RemoteK's engine (SessionState) over a kernel table.
class EngineBackend : public HostedBackend {
 public:
  explicit EngineBackend(std::unique_ptr<Backend> kernels) : kernels_(std::move(kernels)) {}
  const std::string& name() const override { return kernels_->name(); }
  std::string origin() const override { return "built-in"; }
  std::vector<std::string> SupportedOps() const override { return kernels_->SupportedOps(); }
  std::vector<DType> SupportedDTypes() const override;
  absl::StatusOr<std::unique_ptr<KerasSession>> NewSession(
      const OpConfig& config, std::shared_ptr<MemoryAccount> account) const override;
  const Backend& kernels() const { return *kernels_; }

 private:
  std::unique_ptr<Backend> kernels_;
};

}  // namespace remotek

#endif  // REMOTEK_BACKEND_CORE_HOSTED_BACKEND_H_
