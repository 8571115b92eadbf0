// The engine-side half of a RemoteK session, as the server sees it: the
// Keras backend operations on one graph. SessionState implements it on
// RemoteK's own engine; PluginSession (backend/plugin) forwards it to an
// external backend through the C ABI. Request and result types are defined in
// session_state.h.
//
// Thread-safety: implementations must allow every method to be called
// concurrently (graph edits serialised, function calls concurrent).
#ifndef REMOTEK_BACKEND_CORE_KERAS_SESSION_H_
#define REMOTEK_BACKEND_CORE_KERAS_SESSION_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "backend/core/function.h"
#include "backend/core/memory_account.h"
#include "backend/core/op_config.h"
#include "backend/core/run_context.h"
#include "backend/core/session_requests.h"

namespace remotek {

class KerasSession {
 public:
  virtual ~KerasSession() = default;

  virtual const OpConfig& config() const = 0;
  // The account the session's tensors (and those the server decodes for it)
  // are charged to.
  virtual const std::shared_ptr<MemoryAccount>& account() const = 0;

  // Contracts as documented on SessionState.
  virtual absl::StatusOr<NodeInfo> AddNode(const NodeRequest& request) = 0;
  virtual absl::StatusOr<std::vector<NodeInfo>> AddGraph(
      const std::vector<NodeRequest>& nodes) = 0;
  virtual absl::StatusOr<NodeInfo> Describe(const std::string& handle) const = 0;
  // K.gradients(loss, xs): one entry per x, nullopt where loss does not
  // depend on x through differentiable ops (Keras's None).
  virtual absl::StatusOr<std::vector<std::optional<NodeInfo>>> Gradients(
      const std::string& loss, const std::vector<std::string>& xs) = 0;
  virtual absl::StatusOr<Tensor> GetValue(const std::string& handle) const = 0;
  virtual absl::Status SetValue(const std::string& handle, const Tensor& value) = 0;
  virtual absl::StatusOr<std::string> CreateFunction(
      const FunctionSignature& signature, const std::string& name,
      std::vector<TensorSpec>* input_specs = nullptr,
      std::vector<TensorSpec>* output_specs = nullptr) = 0;
  // `run` lets the caller stop a call it no longer wants (see run_context.h)
  // and observe each op; a stopped call applies no update.
  virtual absl::StatusOr<std::vector<Tensor>> CallFunction(const std::string& handle,
                                                           absl::Span<const Tensor> feeds,
                                                           const RunContext& run) = 0;
  absl::StatusOr<std::vector<Tensor>> CallFunction(const std::string& handle,
                                                   absl::Span<const Tensor> feeds) {
    return CallFunction(handle, feeds, RunContext{});
  }
  virtual absl::Status ReleaseFunction(const std::string& handle) = 0;
  virtual absl::StatusOr<Tensor> RunEager(const std::string& op, absl::Span<const EagerArg> args,
                                          const AttrMap& attrs,
                                          std::optional<std::string> keep_as, NodeInfo* kept,
                                          const RunContext& run) = 0;
  absl::StatusOr<Tensor> RunEager(const std::string& op, absl::Span<const EagerArg> args,
                                  const AttrMap& attrs, std::optional<std::string> keep_as,
                                  NodeInfo* kept) {
    return RunEager(op, args, attrs, std::move(keep_as), kept, RunContext{});
  }
  virtual void Clear() = 0;
  virtual SessionStats Stats() const = 0;
};

}  // namespace remotek

#endif  // REMOTEK_BACKEND_CORE_KERAS_SESSION_H_
