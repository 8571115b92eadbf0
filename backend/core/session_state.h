// Everything one Keras session builds — graph, variable values, compiled
// functions, name counters — on one backend with one config, with every byte
// charged to the session's MemoryAccount. This is the engine-side half of a
// RemoteK session; the server adds ids, tenants and lifetimes around it.
//
// Thread-safety: all methods are thread-safe. Graph edits are serialised by
// one mutex; function calls take it only to snapshot variables and to apply
// their updates, so calls run concurrently. Calls that update variables are
// serialised with each other (read, compute, write as one step), so
// concurrent `v <- v + 1` calls never lose an increment. Clear() during a
// call makes that call's updates fail with ABORTED instead of writing into
// the new graph.
#ifndef REMOTEK_BACKEND_CORE_SESSION_STATE_H_
#define REMOTEK_BACKEND_CORE_SESSION_STATE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "backend/core/backend.h"
#include "backend/core/function.h"
#include "backend/core/graph.h"
#include "backend/core/initializers.h"
#include "backend/core/keras_session.h"
#include "backend/core/session_requests.h"

namespace remotek {

class SessionState final : public KerasSession {
 public:
  // REQUIRES: backend outlives the session.
  SessionState(const Backend* backend, OpConfig config,
               std::shared_ptr<MemoryAccount> account);

  const Backend& backend() const { return *backend_; }
  const OpConfig& config() const override { return config_; }
  const std::shared_ptr<MemoryAccount>& account() const override { return account_; }

  // Adds one node. INVALID_ARGUMENT for bad shapes/dtypes/attrs, NOT_FOUND for
  // unknown input handles or ops, UNIMPLEMENTED for an op the backend lacks.
  absl::StatusOr<NodeInfo> AddNode(const NodeRequest& request) override ABSL_LOCKS_EXCLUDED(mu_);

  // Adds a whole graph at once. Inputs may name existing handles or the
  // `name` of another node in the same request, in any order. All or
  // nothing: on any error nothing is added. INVALID_ARGUMENT for repeated or
  // missing request names, and for cycles (naming a node on the cycle).
  absl::StatusOr<std::vector<NodeInfo>> AddGraph(const std::vector<NodeRequest>& nodes)
      override ABSL_LOCKS_EXCLUDED(mu_);

  absl::StatusOr<NodeInfo> Describe(const std::string& handle) const override
      ABSL_LOCKS_EXCLUDED(mu_);

  // K.gradients(loss, xs) (see backend/core/gradients.h): appends the nodes
  // of d(sum(loss))/dx for each x (any node: variable, placeholder, op) and
  // returns each gradient's node, or nullopt where loss does not depend on x
  // through differentiable ops (Keras's None). All or nothing: on any error
  // no node is added and name counters are unchanged. NOT_FOUND for unknown
  // handles; INVALID_ARGUMENT when loss is not floating or a needed op has
  // no gradient ("gradients: no gradient defined for op \"foo\" (node
  // \"foo_3\")").
  absl::StatusOr<std::vector<std::optional<NodeInfo>>> Gradients(
      const std::string& loss, const std::vector<std::string>& xs) override
      ABSL_LOCKS_EXCLUDED(mu_);

  // Value of a variable or constant. FAILED_PRECONDITION for placeholders and
  // op nodes, which hold no value.
  absl::StatusOr<Tensor> GetValue(const std::string& handle) const override
      ABSL_LOCKS_EXCLUDED(mu_);
  // Replaces a variable's value; the value is cast to the variable's dtype
  // (as K.set_value does) and must have its shape.
  absl::Status SetValue(const std::string& handle, const Tensor& value) override
      ABSL_LOCKS_EXCLUDED(mu_);

  // Compiles and stores a function; returns its handle. When given, the
  // static specs of its inputs and outputs are filled under the same lock, so
  // a concurrent Clear cannot pull the nodes away in between.
  absl::StatusOr<std::string> CreateFunction(const FunctionSignature& signature,
                                             const std::string& name,
                                             std::vector<TensorSpec>* input_specs = nullptr,
                                             std::vector<TensorSpec>* output_specs = nullptr)
      override ABSL_LOCKS_EXCLUDED(mu_);
  // Runs the function on `feeds` (in input order) and applies its updates.
  // Stops (see RunContext) at op boundaries and between kernel blocks,
  // applying no update.
  absl::StatusOr<std::vector<Tensor>> CallFunction(const std::string& handle,
                                                   absl::Span<const Tensor> feeds,
                                                   const RunContext& run)
      override ABSL_LOCKS_EXCLUDED(mu_);
  using KerasSession::CallFunction;
  absl::Status ReleaseFunction(const std::string& handle) override ABSL_LOCKS_EXCLUDED(mu_);

  // Runs one op now. With `keep_as` set (possibly to "" for a generated
  // name) the result is also kept in the session as a constant node, and its
  // handle is returned through `kept`.
  absl::StatusOr<Tensor> RunEager(const std::string& op, absl::Span<const EagerArg> args,
                                  const AttrMap& attrs,
                                  std::optional<std::string> keep_as, NodeInfo* kept,
                                  const RunContext& run) override ABSL_LOCKS_EXCLUDED(mu_);
  using KerasSession::RunEager;

  // clear_session: drops graph, values, functions and name counters. Once
  // in-flight calls finish, the account is back to 0 bytes.
  void Clear() override ABSL_LOCKS_EXCLUDED(mu_);

  SessionStats Stats() const override ABSL_LOCKS_EXCLUDED(mu_);

 private:
  absl::StatusOr<NodeInfo> AddNodeLocked(const NodeRequest& request)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<NodeInfo> AddPlaceholderLocked(const PlaceholderRequest& r)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<NodeInfo> AddVariableLocked(const VariableRequest& r)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<NodeInfo> AddConstantLocked(const ConstantRequest& r)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<NodeInfo> AddOpLocked(const OpNodeRequest& r)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<Tensor> ValueLocked(const std::string& handle) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Backend* const backend_;
  const OpConfig config_;
  const std::shared_ptr<MemoryAccount> account_;

  // Held for the whole of a call that has updates (see CallFunction); taken
  // before mu_, never after it.
  absl::Mutex updates_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  mutable absl::Mutex mu_;
  Graph graph_ ABSL_GUARDED_BY(mu_);
  // shared_ptr: a call keeps its plan alive while Release or Clear drop it.
  std::map<std::string, std::shared_ptr<const Function>> functions_ ABSL_GUARDED_BY(mu_);
  int64_t function_counter_ ABSL_GUARDED_BY(mu_) = 0;
  // Bumped by Clear so calls that started before it do not apply updates.
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace remotek

#endif  // REMOTEK_BACKEND_CORE_SESSION_STATE_H_
