#include "backend/core/function.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "backend/core/op_runner.h"
#include "backend/core/status_macros.h"

namespace remotek {
namespace {

// Marks every node `root` depends on; fails naming the first placeholder that
// is reachable but not fed.
absl::Status MarkNeeded(const Graph& graph, int root, const std::string& what,
                        const absl::flat_hash_set<int>& fed,
                        std::vector<bool>& needed) {
  std::vector<int> stack{root};
  while (!stack.empty()) {
    const int id = stack.back();
    stack.pop_back();
    if (needed[id]) continue;
    needed[id] = true;
    const Node& node = graph.node(id);
    if (node.kind == NodeKind::kPlaceholder && !fed.contains(id)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "function: ", what, " depends on placeholder \"", node.name,
          "\", which is not among the inputs"));
    }
    for (int input : node.inputs) stack.push_back(input);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Function>> Function::Compile(
    const Graph& graph, const FunctionSignature& signature, std::string name) {
  auto fn = std::unique_ptr<Function>(new Function());
  fn->name_ = std::move(name);
  fn->signature_ = signature;

  absl::flat_hash_set<int> fed;
  for (size_t i = 0; i < signature.inputs.size(); ++i) {
    REMOTEK_ASSIGN_OR_RETURN(const Node* node, graph.Find(signature.inputs[i]));
    if (node->kind != NodeKind::kPlaceholder) {
      return absl::InvalidArgumentError(absl::StrCat(
          "function: inputs[", i, "]=\"", node->name, "\" is a ",
          NodeKindName(node->kind), ", not a placeholder"));
    }
    if (!fed.insert(node->id).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          "function: inputs[", i, "]=\"", node->name, "\" is repeated"));
    }
  }

  std::vector<bool> needed(graph.size(), false);
  std::vector<int> output_ids;
  for (size_t i = 0; i < signature.outputs.size(); ++i) {
    REMOTEK_ASSIGN_OR_RETURN(const Node* node, graph.Find(signature.outputs[i]));
    REMOTEK_RETURN_IF_ERROR(MarkNeeded(
        graph, node->id, absl::StrCat("outputs[", i, "]=\"", node->name, "\""),
        fed, needed));
    output_ids.push_back(node->id);
  }
  std::vector<int> update_value_ids;
  absl::flat_hash_set<int> updated;
  for (size_t i = 0; i < signature.updates.size(); ++i) {
    const auto& [var_name, value_name] = signature.updates[i];
    REMOTEK_ASSIGN_OR_RETURN(const Node* var, graph.Find(var_name));
    REMOTEK_ASSIGN_OR_RETURN(const Node* value, graph.Find(value_name));
    const std::string where = absl::StrCat("updates[", i, "]");
    if (var->kind != NodeKind::kVariable) {
      return absl::InvalidArgumentError(absl::StrCat(
          "function: ", where, " target \"", var->name, "\" is a ",
          NodeKindName(var->kind), ", not a variable"));
    }
    if (!updated.insert(var->id).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          "function: ", where, " updates variable \"", var->name, "\" twice"));
    }
    if (value->spec.dtype != var->spec.dtype ||
        !value->spec.shape.IsCompatibleWith(var->spec.shape)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "function: ", where, " value \"", value->name, "\" is ",
          DTypeName(value->spec.dtype), value->spec.shape.ToString(),
          " but variable \"", var->name, "\" is ", DTypeName(var->spec.dtype),
          var->spec.shape.ToString()));
    }
    REMOTEK_RETURN_IF_ERROR(MarkNeeded(
        graph, value->id, absl::StrCat(where, " value \"", value->name, "\""),
        fed, needed));
    fn->update_variables_.push_back(var->id);
    update_value_ids.push_back(value->id);
  }

  // Slots: one per needed node, in id (= topological) order.
  absl::flat_hash_map<int, int> slot_of;
  for (int id = 0; id < graph.size(); ++id) {
    if (needed[id]) slot_of[id] = fn->num_slots_++;
  }
  for (const std::string& input : signature.inputs) {
    const Node* node = graph.Find(input).value();
    // An input nothing reads still gets a slot so its feed is checked.
    if (!slot_of.contains(node->id)) slot_of[node->id] = fn->num_slots_++;
    fn->feeds_.push_back({slot_of[node->id], node->spec});
  }
  std::vector<int> last_reader(fn->num_slots_, -1);
  for (int id = 0; id < graph.size(); ++id) {
    if (!needed[id]) continue;
    const Node& node = graph.node(id);
    const int slot = slot_of[id];
    switch (node.kind) {
      case NodeKind::kPlaceholder:
        break;
      case NodeKind::kVariable:
        fn->read_variables_.push_back(id);
        fn->variable_slots_.push_back(slot);
        break;
      case NodeKind::kConstant:
        fn->constants_.emplace_back(slot, node.value);
        break;
      case NodeKind::kOp: {
        Step step{node.def, node.attrs, {}, slot, {}, node.name};
        for (int input : node.inputs) {
          step.input_slots.push_back(slot_of[input]);
          last_reader[slot_of[input]] = static_cast<int>(fn->steps_.size());
        }
        fn->steps_.push_back(std::move(step));
        break;
      }
    }
  }
  for (int id : output_ids) fn->output_slots_.push_back(slot_of[id]);
  for (int id : update_value_ids) fn->update_slots_.push_back(slot_of[id]);
  // Results outlive the plan; everything else is freed after its last reader.
  std::vector<bool> kept(fn->num_slots_, false);
  for (int s : fn->output_slots_) kept[s] = true;
  for (int s : fn->update_slots_) kept[s] = true;
  for (int s = 0; s < fn->num_slots_; ++s) {
    if (!kept[s] && last_reader[s] >= 0) fn->steps_[last_reader[s]].free_after.push_back(s);
  }
  return fn;
}

absl::Status Function::StoppedAt(const absl::Status& stop, size_t step) const {
  return absl::Status(stop.code(),
                      absl::StrCat("function \"", name_, "\" stopped at step ", step + 1, " of ",
                                   steps_.size(), " (node \"", steps_[step].node_name,
                                   "\"): ", stop.message()));
}

absl::StatusOr<Function::Result> Function::Run(
    const Backend& backend, const OpConfig& config, absl::Span<const Tensor> feeds,
    absl::Span<const Tensor> variable_values,
    const std::shared_ptr<MemoryAccount>& account, const RunContext& run) const {
  if (feeds.size() != feeds_.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "function \"", name_, "\": expects ", feeds_.size(), " feed(s), got ",
        feeds.size()));
  }
  std::vector<Tensor> slots(num_slots_);
  for (size_t i = 0; i < feeds.size(); ++i) {
    const Feed& feed = feeds_[i];
    const Tensor& t = feeds[i];
    if (t.dtype() != feed.spec.dtype || !feed.spec.shape.Accepts(t.shape())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "function \"", name_, "\": feed ", i, " for placeholder \"",
          signature_.inputs[i], "\" is ", t.DebugString(), ", expected ",
          DTypeName(feed.spec.dtype), feed.spec.shape.ToString()));
    }
    slots[feed.slot] = t;
  }
  for (size_t i = 0; i < variable_slots_.size(); ++i) {
    slots[variable_slots_[i]] = variable_values[i];
  }
  for (const auto& [slot, value] : constants_) slots[slot] = value;

  const StopScope stop_scope(run);
  std::vector<Tensor> inputs;
  for (size_t i = 0; i < steps_.size(); ++i) {
    const Step& step = steps_[i];
    // Checked after a step too (below): a kernel that saw the stop between
    // its blocks returns an unfinished result, which must not be used.
    if (absl::Status stop = run.CheckStop(); !stop.ok()) return StoppedAt(stop, i);
    inputs.clear();
    for (int s : step.input_slots) inputs.push_back(slots[s]);
    const absl::Time start = absl::Now();
    absl::StatusOr<Tensor> out =
        RunOp(backend, *step.def, inputs, step.attrs, config, account);
    run.ObserveOp(step.def->name, absl::Now() - start, out.ok());
    if (absl::Status stop = run.CheckStop(); !stop.ok()) return StoppedAt(stop, i);
    if (!out.ok()) {
      return absl::Status(out.status().code(),
                          absl::StrCat("function \"", name_, "\", node \"",
                                       step.node_name, "\": ",
                                       out.status().message()));
    }
    slots[step.output_slot] = *std::move(out);
    for (int s : step.free_after) slots[s] = Tensor();
  }
  inputs.clear();

  Result result;
  for (int s : output_slots_) result.outputs.push_back(slots[s]);
  for (int s : update_slots_) result.update_values.push_back(slots[s]);
  return result;
}

}  // namespace remotek
