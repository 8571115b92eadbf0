// A compiled K.function(inputs, outputs, updates): a self-contained plan that
// no longer refers to the graph, so calls run without the session lock while
// the graph keeps growing.
//
// Compile validates that every output and update value depends only on the
// inputs, variables and constants; keeps only the op nodes they need, in
// topological order; and records after which step each intermediate buffer
// is last used so Run frees it there.
//
// Thread-safety: immutable after Compile; Run may be called concurrently.
#ifndef REMOTEK_BACKEND_CORE_FUNCTION_H_
#define REMOTEK_BACKEND_CORE_FUNCTION_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "backend/core/backend.h"
#include "backend/core/graph.h"
#include "backend/core/run_context.h"

namespace remotek {

struct FunctionSignature {
  std::vector<std::string> inputs;   // placeholder handles, in feed order
  std::vector<std::string> outputs;  // any node handles
  std::vector<std::pair<std::string, std::string>> updates;  // (variable, value)
};

class Function {
 public:
  struct Result {
    std::vector<Tensor> outputs;
    std::vector<Tensor> update_values;  // parallel to update_variables()
  };

  // INVALID_ARGUMENT for an input that is not a placeholder or repeated, an
  // update target that is not a variable or repeated, an update value whose
  // static dtype/shape cannot match its variable, or an output/update that
  // depends on a placeholder missing from `inputs`. NOT_FOUND for unknown
  // handles.
  static absl::StatusOr<std::unique_ptr<Function>> Compile(
      const Graph& graph, const FunctionSignature& signature, std::string name);

  const std::string& name() const { return name_; }
  const FunctionSignature& signature() const { return signature_; }
  // Graph ids of the variables whose values Run reads, in `variable_values` order.
  const std::vector<int>& read_variables() const { return read_variables_; }
  const std::vector<int>& update_variables() const { return update_variables_; }
  int num_steps() const { return static_cast<int>(steps_.size()); }

  // Checks each feed against its placeholder (dtype equal; unknown dims accept
  // any size), then runs the plan. `variable_values` are the current values of
  // read_variables(). INVALID_ARGUMENT naming the input for a bad feed.
  // `run.stop` is checked before every step (and by long kernels between
  // blocks): once it fails, Run returns its code, naming the step it stopped
  // at, and every intermediate is freed on the way out.
  absl::StatusOr<Result> Run(const Backend& backend, const OpConfig& config,
                             absl::Span<const Tensor> feeds,
                             absl::Span<const Tensor> variable_values,
                             const std::shared_ptr<MemoryAccount>& account,
                             const RunContext& run = {}) const;

 private:
  // `stop` with the function, step number and node name prepended.
  absl::Status StoppedAt(const absl::Status& stop, size_t step) const;

  struct Step {
    const OpDef* def;
    AttrMap attrs;
    std::vector<int> input_slots;
    int output_slot;
    std::vector<int> free_after;  // slots whose last reader is this step
    std::string node_name;        // for error context
  };
  struct Feed {
    int slot;
    TensorSpec spec;
  };

  std::string name_;
  FunctionSignature signature_;
  int num_slots_ = 0;
  std::vector<Feed> feeds_;
  std::vector<int> read_variables_;
  std::vector<int> variable_slots_;
  std::vector<std::pair<int, Tensor>> constants_;  // (slot, value)
  std::vector<Step> steps_;
  std::vector<int> output_slots_;
  std::vector<int> update_variables_;
  std::vector<int> update_slots_;
};

}  // namespace remotek

#endif  // REMOTEK_BACKEND_CORE_FUNCTION_H_
