// Conversions between RemoteK's engine types and the plain-C views of the
// backend ABI (remotek_backend_abi.h). Both sides of the ABI use them: the
// server (PluginSession) turns engine requests into views, and the plugin SDK
// turns views back into engine requests.
#ifndef REMOTEK_BACKEND_PLUGIN_ABI_CONVERT_H_
#define REMOTEK_BACKEND_PLUGIN_ABI_CONVERT_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "backend/core/keras_session.h"
#include "backend/plugin/remotek_backend_abi.h"

namespace remotek::plugin {

// ---- engine -> views (the views point into the source and into the
// object, so both must outlive every use of the view) ----

// A view of a tensor; dims and data point into `tensor`.
RkTensor TensorView(const Tensor& tensor);

class AttrsView {
 public:
  explicit AttrsView(const AttrMap& attrs);
  AttrsView(const AttrsView&) = delete;
  AttrsView& operator=(const AttrsView&) = delete;
  const RkAttr* data() const { return attrs_.data(); }
  int32_t size() const { return static_cast<int32_t>(attrs_.size()); }

 private:
  std::vector<RkAttr> attrs_;
  std::vector<std::vector<double>> float_lists_;  // bools widened where needed
};

class NodeView {
 public:
  explicit NodeView(const NodeRequest& request);
  NodeView(const NodeView&) = delete;
  NodeView& operator=(const NodeView&) = delete;
  const RkNode& node() const { return node_; }

 private:
  RkNode node_{};
  std::vector<int64_t> dims_;
  RkTensor value_{};
  RkInitializer initializer_{};
  std::vector<const char*> inputs_;
  std::unique_ptr<AttrsView> attrs_;
};

// ---- views -> engine (validated: a view from the other side of a library
// boundary is not trusted) ----

// INVALID_ARGUMENT naming `field` for an unknown dtype code.
absl::StatusOr<DType> DTypeFromAbi(int32_t code, const std::string& field);
// Validates rank/dims (unknown dims allowed only when `allow_unknown`).
absl::StatusOr<Shape> ShapeFromAbi(int32_t rank, const int64_t* dims, bool allow_unknown,
                                   const std::string& field);
// Copies a tensor view into a new tensor charged to `account`.
absl::StatusOr<Tensor> TensorFromView(const RkTensor& view,
                                      std::shared_ptr<MemoryAccount> account,
                                      const std::string& field);
absl::StatusOr<AttrMap> AttrsFromView(const RkAttr* attrs, int32_t count);
absl::StatusOr<NodeRequest> NodeFromView(const RkNode& node,
                                         std::shared_ptr<MemoryAccount> account);

// RK_NODE_* <-> NodeKind.
int32_t NodeKindToAbi(NodeKind kind);
absl::StatusOr<NodeKind> NodeKindFromAbi(int32_t kind);

}  // namespace remotek::plugin

#endif  // REMOTEK_BACKEND_PLUGIN_ABI_CONVERT_H_
