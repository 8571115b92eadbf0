#include "backend/core/graph.h"

#include "absl/strings/str_cat.h"

namespace remotek {

absl::string_view NodeKindName(NodeKind kind) {
  switch (kind) {
    case NodeKind::kPlaceholder: return "placeholder";
    case NodeKind::kVariable: return "variable";
    case NodeKind::kConstant: return "constant";
    case NodeKind::kOp: return "op";
  }
  return "unknown";
}

std::string Graph::UniqueName(const std::string& requested,
                              const std::string& prefix) {
  if (requested.empty()) {
    std::string name;
    do {
      name = absl::StrCat(prefix, "_", ++counters_[prefix]);
    } while (by_name_.contains(name));
    return name;
  }
  if (!by_name_.contains(requested)) return requested;
  for (int64_t n = 1;; ++n) {
    std::string name = absl::StrCat(requested, "_", n);
    if (!by_name_.contains(name)) return name;
  }
}

int Graph::Add(Node node) {
  node.id = static_cast<int>(nodes_.size());
  by_name_[node.name] = node.id;
  nodes_.push_back(std::move(node));
  return nodes_.back().id;
}

namespace {

absl::Status Missing(const std::string& name) {
  // No node is ever named "" (UniqueName generates one), so an empty handle
  // is a missing field, not an unknown name.
  if (name.empty()) return absl::InvalidArgumentError("handle is required");
  return absl::NotFoundError(absl::StrCat("unknown handle \"", name, "\""));
}

}  // namespace

absl::StatusOr<const Node*> Graph::Find(const std::string& name) const {
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return Missing(name);
  return &nodes_[it->second];
}

absl::StatusOr<Node*> Graph::FindMutable(const std::string& name) {
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return Missing(name);
  return &nodes_[it->second];
}

int Graph::CountKind(NodeKind kind) const {
  int n = 0;
  for (const Node& node : nodes_) n += node.kind == kind;
  return n;
}

void Graph::Rollback(const Checkpoint& checkpoint) {
  while (nodes_.size() > checkpoint.num_nodes) {
    by_name_.erase(nodes_.back().name);
    nodes_.pop_back();
  }
  counters_ = checkpoint.counters;
}

void Graph::Clear() {
  nodes_.clear();
  nodes_.shrink_to_fit();
  by_name_.clear();
  counters_.clear();
}

}  // namespace remotek
