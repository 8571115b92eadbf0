#include "backend/core/gradients.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "backend/core/gradient_registry.h"
#include "backend/core/status_macros.h"

namespace remotek {
namespace {

// Nodes that lie on a path from some x to loss (both included).
std::vector<bool> OnPath(const Graph& graph, int loss, absl::Span<const int> xs) {
  const int n = loss + 1;  // nothing after loss can feed it
  std::vector<bool> from_x(n, false);
  for (int x : xs) {
    if (x < n) from_x[x] = true;
  }
  for (int id = 0; id < n; ++id) {
    if (from_x[id]) continue;
    const Node& node = graph.node(id);
    for (int in : node.inputs) {
      if (from_x[in]) {
        from_x[id] = true;
        break;
      }
    }
  }
  std::vector<bool> to_loss(n, false);
  to_loss[loss] = true;
  for (int id = loss; id >= 0; --id) {
    if (!to_loss[id]) continue;
    for (int in : graph.node(id).inputs) to_loss[in] = true;
  }
  std::vector<bool> on_path(n);
  for (int id = 0; id < n; ++id) on_path[id] = from_x[id] && to_loss[id];
  return on_path;
}

// Checks what a GradFn returned for input `i` of `node`.
absl::Status CheckGrad(const Graph& graph, const Node& node, int i, int grad) {
  const TensorSpec& want = graph.node(node.inputs[i]).spec;
  const TensorSpec& got = graph.node(grad).spec;
  if (got.dtype == want.dtype && got.shape.IsCompatibleWith(want.shape)) {
    return absl::OkStatus();
  }
  return absl::InternalError(absl::StrCat(
      "gradients: the gradient of ", node.def->name, " node \"", node.name,
      "\" for input ", i, " is ", DTypeName(got.dtype), got.shape.ToString(),
      ", expected ", DTypeName(want.dtype), want.shape.ToString()));
}

}  // namespace

absl::StatusOr<std::vector<std::optional<int>>> AddGradients(
    Graph& graph, int loss, absl::Span<const int> xs, const OpConfig& config,
    const Backend* backend, std::shared_ptr<MemoryAccount> account) {
  const Node& loss_node = graph.node(loss);
  if (!IsFloating(loss_node.spec.dtype)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "gradients: loss \"", loss_node.name, "\" has dtype ",
        DTypeName(loss_node.spec.dtype), "; expected a floating dtype"));
  }
  const std::vector<bool> on_path = OnPath(graph, loss, xs);
  // Contributions to each node's gradient, summed when the node is visited.
  std::vector<std::vector<int>> pending(loss + 1);
  std::vector<std::optional<int>> total(loss + 1);
  const auto sum_of = [&](int id, GradBuilder& b) -> absl::StatusOr<int> {
    int g = pending[id][0];
    for (size_t k = 1; k < pending[id].size(); ++k) {
      REMOTEK_ASSIGN_OR_RETURN(g, b.Add(g, pending[id][k]));
    }
    return g;
  };

  if (on_path[loss]) {  // seed: d(sum(loss))/d(loss) = ones_like(loss)
    Node seed;
    seed.kind = NodeKind::kOp;
    seed.def = OpRegistry::Global().Find("ones_like").value();
    seed.inputs = {loss};
    seed.spec = loss_node.spec;
    seed.name = graph.UniqueName("", "gradients/ones_like");
    pending[loss].push_back(graph.Add(std::move(seed)));
  }

  for (int id = loss; id >= 0; --id) {
    if (!on_path[id] || pending[id].empty()) continue;
    if (graph.node(id).kind != NodeKind::kOp) continue;
    GradBuilder b(graph, config, backend, account, id);
    REMOTEK_ASSIGN_OR_RETURN(int g, sum_of(id, b));
    total[id] = g;
    // Taken after sum_of: appending nodes may move the graph's storage.
    const Node& node = graph.node(id);
    std::vector<bool> needs(node.inputs.size());
    bool any = false;
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      const int in = node.inputs[i];
      needs[i] = on_path[in] && IsFloating(graph.node(in).spec.dtype);
      any |= needs[i];
    }
    if (!any) continue;
    const GradientRegistry::Entry* entry = GradientRegistry::Global().Find(node.def->name);
    if (entry == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("gradients: no gradient defined for op \"", node.def->name,
                       "\" (node \"", node.name, "\")"));
    }
    if (!entry->fn) continue;  // non-differentiable: its inputs get nothing
    b.set_needs(needs);
    REMOTEK_ASSIGN_OR_RETURN(std::vector<std::optional<int>> grads, entry->fn(b, g));
    // `node` may dangle now: the builder appended to the graph's vector.
    const Node& fwd = graph.node(id);
    for (size_t i = 0; i < fwd.inputs.size() && i < grads.size(); ++i) {
      if (!needs[i] || !grads[i].has_value()) continue;
      REMOTEK_RETURN_IF_ERROR(CheckGrad(graph, fwd, static_cast<int>(i), *grads[i]));
      pending[fwd.inputs[i]].push_back(*grads[i]);
    }
  }

  std::vector<std::optional<int>> result;
  result.reserve(xs.size());
  for (int x : xs) {
    if (x > loss || !on_path[x] || pending[x].empty()) {
      result.push_back(std::nullopt);
      continue;
    }
    if (!total[x].has_value()) {  // a leaf (no op node): sum what it got
      int g = pending[x][0];
      for (size_t k = 1; k < pending[x].size(); ++k) {
        Node add;
        add.kind = NodeKind::kOp;
        add.def = OpRegistry::Global().Find("add").value();
        add.inputs = {g, pending[x][k]};
        add.spec = graph.node(x).spec;
        add.name = graph.UniqueName("", "gradients/AddN/add");
        g = graph.Add(std::move(add));
      }
      total[x] = g;
    }
    result.push_back(total[x]);
  }
  return result;
}

}  // namespace remotek
