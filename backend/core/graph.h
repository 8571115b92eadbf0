// A session's graph: placeholders, variables, constants and op nodes, named
// by handles unique within the session. Nodes only ever reference nodes that
// already exist, so node ids are a topological order. Append-only until
// Clear; Checkpoint/Rollback let a whole-graph request leave nothing behind
// when one of its nodes fails.
//
// Thread-safety: none; SessionState serialises every access under its mutex.
#ifndef REMOTEK_BACKEND_CORE_GRAPH_H_
#define REMOTEK_BACKEND_CORE_GRAPH_H_

#include <map>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "backend/core/op_registry.h"
#include "backend/core/tensor.h"

namespace remotek {

enum class NodeKind { kPlaceholder, kVariable, kConstant, kOp };
absl::string_view NodeKindName(NodeKind kind);

struct Node {
  int id = -1;
  NodeKind kind = NodeKind::kOp;
  std::string name;  // the handle
  TensorSpec spec;   // static dtype and shape (placeholders may hold unknown dims)
  // Op nodes.
  const OpDef* def = nullptr;
  std::vector<int> inputs;
  AttrMap attrs;  // as sent; Infer re-derives canonical attrs per call
  // Variables: current value; constants: their value. Replaced, never mutated.
  Tensor value;
};

class Graph {
 public:
  struct Checkpoint {
    size_t num_nodes;
    std::map<std::string, int64_t> counters;
  };

  // Picks the handle for a new node: `requested` when free, else
  // `requested_N` for the first free N; when `requested` is empty, Keras-style
  // `<prefix>_<N>` with a per-session counter per prefix starting at 1.
  std::string UniqueName(const std::string& requested, const std::string& prefix);

  // Adds a node; `node.name` must come from UniqueName. Returns its id.
  int Add(Node node);

  // NOT_FOUND "unknown handle \"x\"" when absent; INVALID_ARGUMENT
  // "handle is required" for "" (no node is ever named "").
  absl::StatusOr<const Node*> Find(const std::string& name) const;
  absl::StatusOr<Node*> FindMutable(const std::string& name);
  const Node& node(int id) const { return nodes_[id]; }
  Node& mutable_node(int id) { return nodes_[id]; }
  int size() const { return static_cast<int>(nodes_.size()); }
  int CountKind(NodeKind kind) const;

  Checkpoint MakeCheckpoint() const { return {nodes_.size(), counters_}; }
  void Rollback(const Checkpoint& checkpoint);
  void Clear();

 private:
  std::vector<Node> nodes_;
  absl::flat_hash_map<std::string, int> by_name_;
  std::map<std::string, int64_t> counters_;  // Keras's per-prefix uid
};

}  // namespace remotek

#endif  // REMOTEK_BACKEND_CORE_GRAPH_H_
