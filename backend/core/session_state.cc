#include "backend/core/session_state.h"

#include <algorithm>
#include <deque>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "backend/core/cast.h"
#include "backend/core/gradients.h"
#include "backend/core/op_runner.h"
#include "backend/core/status_macros.h"

namespace remotek {
namespace {

NodeInfo InfoOf(const Node& node) { return {node.name, node.kind, node.spec}; }

absl::Status WithContext(const absl::Status& s, const std::string& context) {
  if (s.ok()) return s;
  return absl::Status(s.code(), absl::StrCat(context, ": ", s.message()));
}

const std::string& RequestName(const NodeRequest& r) {
  return std::visit([](const auto& x) -> const std::string& { return x.name; }, r);
}

}  // namespace

SessionState::SessionState(const Backend* backend, OpConfig config,
                           std::shared_ptr<MemoryAccount> account)
    : backend_(backend), config_(config), account_(std::move(account)) {}

absl::StatusOr<NodeInfo> SessionState::AddNode(const NodeRequest& request) {
  absl::MutexLock lock(&mu_);
  return AddNodeLocked(request);
}

absl::StatusOr<NodeInfo> SessionState::AddNodeLocked(const NodeRequest& request) {
  return std::visit(
      [this](const auto& r) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) -> absl::StatusOr<NodeInfo> {
        using R = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<R, PlaceholderRequest>) return AddPlaceholderLocked(r);
        if constexpr (std::is_same_v<R, VariableRequest>) return AddVariableLocked(r);
        if constexpr (std::is_same_v<R, ConstantRequest>) return AddConstantLocked(r);
        if constexpr (std::is_same_v<R, OpNodeRequest>) return AddOpLocked(r);
      },
      request);
}

absl::StatusOr<NodeInfo> SessionState::AddPlaceholderLocked(const PlaceholderRequest& r) {
  Shape shape;
  if (r.shape.has_value()) {
    REMOTEK_RETURN_IF_ERROR(
        WithContext(ValidateDims(r.shape->dims(), true, "shape"), "placeholder"));
    shape = *r.shape;
  } else {
    if (r.ndim < 0 || r.ndim > kMaxRank) {
      return absl::InvalidArgumentError(absl::StrCat(
          "placeholder: ndim=", r.ndim, " must be in [0, ", kMaxRank,
          "] when no shape is given"));
    }
    shape = Shape::Unknown(r.ndim);
  }
  Node node;
  node.kind = NodeKind::kPlaceholder;
  node.spec = {r.dtype == DType::kInvalid ? config_.floatx : r.dtype, shape};
  node.name = graph_.UniqueName(r.name, "placeholder");
  return InfoOf(graph_.node(graph_.Add(std::move(node))));
}

absl::StatusOr<NodeInfo> SessionState::AddVariableLocked(const VariableRequest& r) {
  if (r.value.has_value() == r.initializer.has_value()) {
    return absl::InvalidArgumentError(
        "variable: exactly one of value and initializer must be given");
  }
  Tensor value;
  if (r.value.has_value()) {
    const DType dtype = r.dtype == DType::kInvalid ? r.value->dtype() : r.dtype;
    REMOTEK_ASSIGN_OR_RETURN(value, CastTensor(*r.value, dtype, account_));
  } else {
    const DType dtype = r.dtype == DType::kInvalid ? config_.floatx : r.dtype;
    absl::StatusOr<Tensor> made =
        MakeInitialValue(*r.initializer, dtype, r.shape, account_);
    REMOTEK_RETURN_IF_ERROR(WithContext(made.status(), "variable"));
    value = *std::move(made);
  }
  Node node;
  node.kind = NodeKind::kVariable;
  node.spec = {value.dtype(), value.shape()};
  node.value = std::move(value);
  node.name = graph_.UniqueName(r.name, "variable");
  return InfoOf(graph_.node(graph_.Add(std::move(node))));
}

absl::StatusOr<NodeInfo> SessionState::AddConstantLocked(const ConstantRequest& r) {
  if (!r.value.valid()) {
    return absl::InvalidArgumentError("constant: value is required");
  }
  REMOTEK_ASSIGN_OR_RETURN(
      Tensor value,
      CastTensor(r.value, r.dtype == DType::kInvalid ? r.value.dtype() : r.dtype,
                 account_));
  Node node;
  node.kind = NodeKind::kConstant;
  node.spec = {value.dtype(), value.shape()};
  node.value = std::move(value);
  node.name = graph_.UniqueName(r.name, "constant");
  return InfoOf(graph_.node(graph_.Add(std::move(node))));
}

absl::StatusOr<NodeInfo> SessionState::AddOpLocked(const OpNodeRequest& r) {
  REMOTEK_ASSIGN_OR_RETURN(const OpDef* def, OpRegistry::Global().Find(r.op));
  REMOTEK_RETURN_IF_ERROR(CheckBackendSupports(*backend_, r.op));
  Node node;
  node.kind = NodeKind::kOp;
  node.def = def;
  node.attrs = r.attrs;
  std::vector<TensorSpec> specs;
  for (size_t i = 0; i < r.inputs.size(); ++i) {
    absl::StatusOr<const Node*> input = graph_.Find(r.inputs[i]);
    REMOTEK_RETURN_IF_ERROR(
        WithContext(input.status(), absl::StrCat(r.op, ": inputs[", i, "]")));
    node.inputs.push_back((*input)->id);
    specs.push_back((*input)->spec);
  }
  REMOTEK_ASSIGN_OR_RETURN(InferResult inferred,
                           InferOp(*def, specs, r.attrs, config_));
  node.spec = inferred.output;
  node.name = graph_.UniqueName(r.name, r.op);
  return InfoOf(graph_.node(graph_.Add(std::move(node))));
}

absl::StatusOr<std::vector<NodeInfo>> SessionState::AddGraph(
    const std::vector<NodeRequest>& nodes) {
  // Index request-local names and dependencies between request nodes.
  absl::flat_hash_map<std::string, int> local;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const std::string& name = RequestName(nodes[i]);
    if (name.empty()) continue;
    if (!local.emplace(name, static_cast<int>(i)).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          "graph: nodes[", i, "].name=\"", name, "\" is repeated"));
    }
  }
  const int n = static_cast<int>(nodes.size());
  std::vector<std::vector<int>> dependents(n);
  std::vector<int> pending(n, 0);
  for (int i = 0; i < n; ++i) {
    if (const auto* op = std::get_if<OpNodeRequest>(&nodes[i])) {
      for (const std::string& input : op->inputs) {
        auto it = local.find(input);
        if (it == local.end()) continue;
        dependents[it->second].push_back(i);
        ++pending[i];
      }
    }
  }
  std::deque<int> ready;
  for (int i = 0; i < n; ++i) {
    if (pending[i] == 0) ready.push_back(i);
  }
  std::vector<int> order;
  while (!ready.empty()) {
    const int i = ready.front();
    ready.pop_front();
    order.push_back(i);
    for (int d : dependents[i]) {
      if (--pending[d] == 0) ready.push_back(d);
    }
  }
  if (static_cast<int>(order.size()) != n) {
    for (int i = 0; i < n; ++i) {
      if (pending[i] > 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "graph: nodes[", i, "] (\"", RequestName(nodes[i]),
            "\") is part of a cycle"));
      }
    }
  }

  absl::MutexLock lock(&mu_);
  const Graph::Checkpoint checkpoint = graph_.MakeCheckpoint();
  absl::flat_hash_map<std::string, std::string> handle_of;  // local -> handle
  std::vector<NodeInfo> infos(n);
  for (int i : order) {
    absl::StatusOr<NodeInfo> info;
    if (const auto* op = std::get_if<OpNodeRequest>(&nodes[i])) {
      OpNodeRequest resolved = *op;
      for (std::string& input : resolved.inputs) {
        auto it = handle_of.find(input);
        if (it != handle_of.end()) input = it->second;
      }
      info = AddOpLocked(resolved);
    } else {
      info = AddNodeLocked(nodes[i]);
    }
    if (!info.ok()) {
      graph_.Rollback(checkpoint);
      return WithContext(info.status(),
                         absl::StrCat("graph: nodes[", i, "] (\"",
                                      RequestName(nodes[i]), "\")"));
    }
    if (!RequestName(nodes[i]).empty()) handle_of[RequestName(nodes[i])] = info->handle;
    infos[i] = *std::move(info);
  }
  return infos;
}

absl::StatusOr<std::vector<std::optional<NodeInfo>>> SessionState::Gradients(
    const std::string& loss, const std::vector<std::string>& xs) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<const Node*> loss_node = graph_.Find(loss);
  REMOTEK_RETURN_IF_ERROR(WithContext(loss_node.status(), "gradients: loss"));
  std::vector<int> x_ids;
  for (size_t i = 0; i < xs.size(); ++i) {
    absl::StatusOr<const Node*> x = graph_.Find(xs[i]);
    REMOTEK_RETURN_IF_ERROR(
        WithContext(x.status(), absl::StrCat("gradients: variables[", i, "]")));
    x_ids.push_back((*x)->id);
  }
  const Graph::Checkpoint checkpoint = graph_.MakeCheckpoint();
  absl::StatusOr<std::vector<std::optional<int>>> grads =
      AddGradients(graph_, (*loss_node)->id, x_ids, config_, backend_, account_);
  if (!grads.ok()) {
    graph_.Rollback(checkpoint);
    return grads.status();
  }
  std::vector<std::optional<NodeInfo>> infos;
  for (const std::optional<int>& g : *grads) {
    infos.push_back(g.has_value() ? std::optional<NodeInfo>(InfoOf(graph_.node(*g)))
                                  : std::nullopt);
  }
  return infos;
}

absl::StatusOr<NodeInfo> SessionState::Describe(const std::string& handle) const {
  absl::MutexLock lock(&mu_);
  REMOTEK_ASSIGN_OR_RETURN(const Node* node, graph_.Find(handle));
  return InfoOf(*node);
}

absl::StatusOr<Tensor> SessionState::ValueLocked(const std::string& handle) const {
  REMOTEK_ASSIGN_OR_RETURN(const Node* node, graph_.Find(handle));
  if (node->kind != NodeKind::kVariable && node->kind != NodeKind::kConstant) {
    return absl::FailedPreconditionError(absl::StrCat(
        "\"", handle, "\" is ", node->kind == NodeKind::kOp ? "an op node" : absl::StrCat("a ", NodeKindName(node->kind)),
        " and holds no value (evaluate it with a function)"));
  }
  return node->value;
}

absl::StatusOr<Tensor> SessionState::GetValue(const std::string& handle) const {
  absl::MutexLock lock(&mu_);
  return ValueLocked(handle);
}

absl::Status SessionState::SetValue(const std::string& handle, const Tensor& value) {
  absl::MutexLock lock(&mu_);
  REMOTEK_ASSIGN_OR_RETURN(Node * node, graph_.FindMutable(handle));
  if (node->kind != NodeKind::kVariable) {
    return absl::InvalidArgumentError(absl::StrCat(
        "set_value: \"", handle, "\" is a ", NodeKindName(node->kind),
        ", not a variable"));
  }
  if (value.shape() != node->spec.shape) {
    return absl::InvalidArgumentError(absl::StrCat(
        "set_value: value shape ", value.shape().ToString(),
        " does not match variable \"", handle, "\" of shape ",
        node->spec.shape.ToString()));
  }
  REMOTEK_ASSIGN_OR_RETURN(node->value, CastTensor(value, node->spec.dtype, account_));
  return absl::OkStatus();
}

absl::StatusOr<std::string> SessionState::CreateFunction(
    const FunctionSignature& signature, const std::string& name,
    std::vector<TensorSpec>* input_specs, std::vector<TensorSpec>* output_specs) {
  absl::MutexLock lock(&mu_);
  const int64_t counter_before = function_counter_;
  std::string handle = name;
  if (handle.empty() || functions_.count(handle) > 0) {
    const std::string base = name.empty() ? "function" : name;
    do {
      handle = absl::StrCat(base, "_", ++function_counter_);
    } while (functions_.count(handle) > 0);
  }
  absl::StatusOr<std::unique_ptr<Function>> fn = Function::Compile(graph_, signature, handle);
  if (!fn.ok()) {
    function_counter_ = counter_before;  // a failed request leaves no trace
    return fn.status();
  }
  // Compile resolved every handle, so these lookups cannot fail.
  if (input_specs != nullptr) {
    for (const std::string& h : signature.inputs) input_specs->push_back(graph_.Find(h).value()->spec);
  }
  if (output_specs != nullptr) {
    for (const std::string& h : signature.outputs) output_specs->push_back(graph_.Find(h).value()->spec);
  }
  functions_[handle] = *std::move(fn);
  return handle;
}

absl::StatusOr<std::vector<Tensor>> SessionState::CallFunction(
    const std::string& handle, absl::Span<const Tensor> feeds, const RunContext& run) {
  std::shared_ptr<const Function> fn;
  {
    absl::MutexLock lock(&mu_);
    auto it = functions_.find(handle);
    if (it == functions_.end()) {
      return absl::NotFoundError(absl::StrCat(
          "unknown function \"", handle, "\" (never created, released, or cleared)"));
    }
    fn = it->second;
  }
  // A call that updates variables reads, computes and writes them as one
  // step: such calls are serialised with each other, so two concurrent
  // `v <- v + 1` calls add 2 (as TF's locking assign does). Calls without
  // updates never wait for them.
  std::optional<absl::MutexLock> updating;
  if (!fn->update_variables().empty()) updating.emplace(&updates_mu_);
  std::vector<Tensor> variables;
  uint64_t generation;
  {
    absl::MutexLock lock(&mu_);
    if (functions_.count(handle) == 0) {
      return absl::NotFoundError(absl::StrCat(
          "unknown function \"", handle, "\" (released or cleared during the call)"));
    }
    for (int id : fn->read_variables()) variables.push_back(graph_.node(id).value);
    generation = generation_;
  }
  REMOTEK_ASSIGN_OR_RETURN(
      Function::Result result,
      fn->Run(*backend_, config_, feeds, variables, account_, run));
  variables.clear();
  if (!fn->update_variables().empty()) {
    absl::MutexLock lock(&mu_);
    if (generation != generation_) {
      return absl::AbortedError(absl::StrCat(
          "function \"", handle,
          "\": the session was cleared during the call; updates were not applied"));
    }
    // Check every update first so that either all land or none do.
    const auto& targets = fn->update_variables();
    for (size_t i = 0; i < targets.size(); ++i) {
      const Node& var = graph_.node(targets[i]);
      if (result.update_values[i].shape() != var.spec.shape) {
        return absl::InvalidArgumentError(absl::StrCat(
            "function \"", handle, "\": update of variable \"", var.name,
            "\" produced shape ", result.update_values[i].shape().ToString(),
            ", expected ", var.spec.shape.ToString()));
      }
    }
    for (size_t i = 0; i < targets.size(); ++i) {
      graph_.mutable_node(targets[i]).value = std::move(result.update_values[i]);
    }
  }
  return std::move(result.outputs);
}

absl::Status SessionState::ReleaseFunction(const std::string& handle) {
  absl::MutexLock lock(&mu_);
  if (functions_.erase(handle) == 0) {
    return absl::NotFoundError(absl::StrCat("unknown function \"", handle, "\""));
  }
  return absl::OkStatus();
}

absl::StatusOr<Tensor> SessionState::RunEager(const std::string& op,
                                              absl::Span<const EagerArg> args,
                                              const AttrMap& attrs,
                                              std::optional<std::string> keep_as,
                                              NodeInfo* kept, const RunContext& run) {
  REMOTEK_ASSIGN_OR_RETURN(const OpDef* def, OpRegistry::Global().Find(op));
  REMOTEK_RETURN_IF_ERROR(CheckBackendSupports(*backend_, op));
  std::vector<Tensor> inputs;
  inputs.reserve(args.size());
  const bool any_handle = std::any_of(args.begin(), args.end(), [](const EagerArg& a) {
    return std::holds_alternative<std::string>(a);
  });
  if (!any_handle) {  // inline tensors only: no session state to read, no lock
    for (const EagerArg& a : args) inputs.push_back(std::get<Tensor>(a));
  } else {
    absl::MutexLock lock(&mu_);
    for (size_t i = 0; i < args.size(); ++i) {
      if (const Tensor* t = std::get_if<Tensor>(&args[i])) {
        inputs.push_back(*t);
        continue;
      }
      absl::StatusOr<Tensor> value = ValueLocked(std::get<std::string>(args[i]));
      REMOTEK_RETURN_IF_ERROR(
          WithContext(value.status(), absl::StrCat(op, ": inputs[", i, "]")));
      inputs.push_back(*std::move(value));
    }
  }
  REMOTEK_RETURN_IF_ERROR(run.CheckStop());
  absl::StatusOr<Tensor> ran;
  {
    const StopScope stop_scope(run);
    const absl::Time start = absl::Now();
    ran = RunOp(*backend_, *def, inputs, attrs, config_, account_);
    run.ObserveOp(def->name, absl::Now() - start, ran.ok());
  }
  inputs.clear();
  // A kernel that saw the stop between blocks left its result unfinished.
  REMOTEK_RETURN_IF_ERROR(run.CheckStop());
  REMOTEK_ASSIGN_OR_RETURN(Tensor result, std::move(ran));
  if (keep_as.has_value()) {
    absl::MutexLock lock(&mu_);
    Node node;
    node.kind = NodeKind::kConstant;
    node.spec = {result.dtype(), result.shape()};
    node.value = result;
    node.name = graph_.UniqueName(*keep_as, op);
    const Node& added = graph_.node(graph_.Add(std::move(node)));
    if (kept != nullptr) *kept = InfoOf(added);
  }
  return result;
}

void SessionState::Clear() {
  // Move everything out under the lock, free it outside: large buffers are
  // released without blocking other callers of this session.
  Graph old_graph;
  std::map<std::string, std::shared_ptr<const Function>> old_functions;
  {
    absl::MutexLock lock(&mu_);
    std::swap(old_graph, graph_);
    std::swap(old_functions, functions_);
    function_counter_ = 0;
    ++generation_;
  }
}

SessionStats SessionState::Stats() const {
  absl::MutexLock lock(&mu_);
  SessionStats stats;
  stats.bytes_held = account_->current();
  stats.peak_bytes = account_->peak();
  stats.nodes = graph_.size();
  stats.variables = graph_.CountKind(NodeKind::kVariable);
  stats.functions = static_cast<int>(functions_.size());
  return stats;
}

}  // namespace remotek
