// Reverse-mode automatic differentiation on a session graph, with
// K.gradients / tf.gradients semantics: the gradient of sum(loss) with
// respect to each x, built as ordinary op nodes appended to the graph (so a
// function compiles and runs them on any backend like any other node).
//
// The walk visits, in reverse id order (ids are a topological order), the op
// nodes that lie on a path from some x to loss, seeded with ones_like(loss).
// A node feeding several consumers gets the sum of their contributions (add
// nodes). Gradients flow only through floating tensors: an input of integer
// or bool dtype, and the inputs of ops registered as non-differentiable
// (argmax, comparisons, round, stop_gradient, ...), get none. An x that loss
// does not reach through differentiable ops gets nullopt (Keras's None).
#ifndef REMOTEK_BACKEND_CORE_GRADIENTS_H_
#define REMOTEK_BACKEND_CORE_GRADIENTS_H_

#include <memory>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "backend/core/backend.h"
#include "backend/core/graph.h"
#include "backend/core/memory_account.h"
#include "backend/core/op_config.h"

namespace remotek {

// Appends the gradient nodes of sum(graph[loss]) with respect to each of
// `xs` (node ids) and returns, per x, the id of its gradient (same dtype and
// static shape as x) or nullopt.
// INVALID_ARGUMENT when loss is not floating, or when a path needs the
// gradient of an op that has none registered:
//   gradients: no gradient defined for op "foo" (node "foo_3")
// Errors leave nodes already appended in the graph: callers roll back
// (SessionState::Gradients does). `backend` may be null (no support check);
// constants are charged to `account`.
// REQUIRES: loss and xs are valid ids of `graph`.
absl::StatusOr<std::vector<std::optional<int>>> AddGradients(
    Graph& graph, int loss, absl::Span<const int> xs, const OpConfig& config,
    const Backend* backend, std::shared_ptr<MemoryAccount> account);

}  // namespace remotek

#endif  // REMOTEK_BACKEND_CORE_GRADIENTS_H_
