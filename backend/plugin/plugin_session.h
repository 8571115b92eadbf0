// A KerasSession whose graph lives in an external backend: each operation is
// turned into ABI views, passed to the library's entry, and its reply checked
// and turned back into engine types (tensors charged to the session account).
#ifndef REMOTEK_BACKEND_PLUGIN_PLUGIN_SESSION_H_
#define REMOTEK_BACKEND_PLUGIN_PLUGIN_SESSION_H_

#include <memory>
#include <string>
#include <vector>

#include "backend/core/keras_session.h"
#include "backend/plugin/plugin_library.h"

namespace remotek::plugin {

class PluginSession final : public KerasSession {
 public:
  static absl::StatusOr<std::unique_ptr<PluginSession>> Create(
      std::shared_ptr<const PluginLibrary> library, const OpConfig& config,
      std::shared_ptr<MemoryAccount> account);
  ~PluginSession() override;

  const OpConfig& config() const override { return config_; }
  const std::shared_ptr<MemoryAccount>& account() const override { return account_; }
  absl::StatusOr<NodeInfo> AddNode(const NodeRequest& request) override;
  // All or nothing through the optional `graph` entry; a one-node graph also
  // works without it. UNIMPLEMENTED for larger graphs when it is absent.
  absl::StatusOr<std::vector<NodeInfo>> AddGraph(const std::vector<NodeRequest>& nodes) override;
  absl::StatusOr<NodeInfo> Describe(const std::string& handle) const override;
  // FAILED_PRECONDITION: the plugin ABI has no gradients entry.
  absl::StatusOr<std::vector<std::optional<NodeInfo>>> Gradients(
      const std::string& loss, const std::vector<std::string>& xs) override;
  absl::StatusOr<Tensor> GetValue(const std::string& handle) const override;
  absl::Status SetValue(const std::string& handle, const Tensor& value) override;
  absl::StatusOr<std::string> CreateFunction(const FunctionSignature& signature,
                                             const std::string& name,
                                             std::vector<TensorSpec>* input_specs,
                                             std::vector<TensorSpec>* output_specs) override;
  // The ABI has no way to interrupt a backend, so `run.stop` is checked
  // before the call is handed over, and not after (the backend may have
  // applied updates by then).
  absl::StatusOr<std::vector<Tensor>> CallFunction(const std::string& handle,
                                                   absl::Span<const Tensor> feeds,
                                                   const RunContext& run) override;
  using KerasSession::CallFunction;
  absl::Status ReleaseFunction(const std::string& handle) override;
  absl::StatusOr<Tensor> RunEager(const std::string& op, absl::Span<const EagerArg> args,
                                  const AttrMap& attrs, std::optional<std::string> keep_as,
                                  NodeInfo* kept, const RunContext& run) override;
  using KerasSession::RunEager;
  void Clear() override;
  SessionStats Stats() const override;

 private:
  PluginSession(std::shared_ptr<const PluginLibrary> library, const OpConfig& config,
                std::shared_ptr<MemoryAccount> account, RkSession* session)
      : library_(std::move(library)), config_(config), account_(std::move(account)),
        session_(session) {}
  const PluginEntries& entries() const { return library_->entries(); }

  const std::shared_ptr<const PluginLibrary> library_;
  const OpConfig config_;
  const std::shared_ptr<MemoryAccount> account_;
  RkSession* const session_;
};

}  // namespace remotek::plugin

#endif  // REMOTEK_BACKEND_PLUGIN_PLUGIN_SESSION_H_
