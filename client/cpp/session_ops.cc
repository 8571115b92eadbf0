// Session's typed op wrappers: each is Session::op with Keras's op and
// attribute names.
#include "remotek/session.h"

namespace remotek::client {

absl::StatusOr<Node> Session::Unary(const char* name, NodeRef x,
                                    const Attrs& attrs) const {
  return op(name, {std::move(x)}, attrs);
}

absl::StatusOr<Node> Session::Binary(const char* name, NodeRef x,
                                     NodeRef y) const {
  return op(name, {std::move(x), std::move(y)});
}

absl::StatusOr<Node> Session::Reduce(const char* name, NodeRef x,
                                     std::vector<int64_t> axis,
                                     bool keepdims) const {
  Attrs attrs{{"keepdims", keepdims}};
  if (!axis.empty()) attrs.emplace("axis", std::move(axis));
  return op(name, {std::move(x)}, attrs);
}

absl::StatusOr<Node> Session::dot(NodeRef x, NodeRef y) const {
  return Binary("dot", x, y);
}

absl::StatusOr<Node> Session::batch_dot(NodeRef x, NodeRef y,
                                        std::vector<int64_t> axes) const {
  Attrs attrs;
  if (!axes.empty()) attrs.emplace("axes", std::move(axes));
  return op("batch_dot", {std::move(x), std::move(y)}, attrs);
}

absl::StatusOr<Node> Session::transpose(NodeRef x) const {
  return Unary("transpose", x);
}

absl::StatusOr<Node> Session::reshape(NodeRef x, Dims shape) const {
  return Unary("reshape", x, {{"shape", std::move(shape)}});
}

absl::StatusOr<Node> Session::permute_dimensions(
    NodeRef x, std::vector<int64_t> pattern) const {
  return Unary("permute_dimensions", x, {{"pattern", std::move(pattern)}});
}

absl::StatusOr<Node> Session::expand_dims(NodeRef x, int64_t axis) const {
  return Unary("expand_dims", x, {{"axis", axis}});
}

absl::StatusOr<Node> Session::squeeze(NodeRef x, int64_t axis) const {
  return Unary("squeeze", x, {{"axis", axis}});
}

absl::StatusOr<Node> Session::flatten(NodeRef x) const {
  return Unary("flatten", x);
}
absl::StatusOr<Node> Session::batch_flatten(NodeRef x) const {
  return Unary("batch_flatten", x);
}

absl::StatusOr<Node> Session::concatenate(std::vector<NodeRef> tensors,
                                          int64_t axis) const {
  return op("concatenate", std::move(tensors), {{"axis", axis}});
}

absl::StatusOr<Node> Session::add(NodeRef x, NodeRef y) const {
  return Binary("add", x, y);
}
absl::StatusOr<Node> Session::subtract(NodeRef x, NodeRef y) const {
  return Binary("subtract", x, y);
}
absl::StatusOr<Node> Session::multiply(NodeRef x, NodeRef y) const {
  return Binary("multiply", x, y);
}
absl::StatusOr<Node> Session::divide(NodeRef x, NodeRef y) const {
  return Binary("divide", x, y);
}
absl::StatusOr<Node> Session::maximum(NodeRef x, NodeRef y) const {
  return Binary("maximum", x, y);
}
absl::StatusOr<Node> Session::minimum(NodeRef x, NodeRef y) const {
  return Binary("minimum", x, y);
}
absl::StatusOr<Node> Session::equal(NodeRef x, NodeRef y) const {
  return Binary("equal", x, y);
}

absl::StatusOr<Node> Session::sum(NodeRef x, std::vector<int64_t> axis,
                                  bool keepdims) const {
  return Reduce("sum", x, std::move(axis), keepdims);
}
absl::StatusOr<Node> Session::mean(NodeRef x, std::vector<int64_t> axis,
                                   bool keepdims) const {
  return Reduce("mean", x, std::move(axis), keepdims);
}
absl::StatusOr<Node> Session::prod(NodeRef x, std::vector<int64_t> axis,
                                   bool keepdims) const {
  return Reduce("prod", x, std::move(axis), keepdims);
}
absl::StatusOr<Node> Session::max(NodeRef x, std::vector<int64_t> axis,
                                  bool keepdims) const {
  return Reduce("max", x, std::move(axis), keepdims);
}
absl::StatusOr<Node> Session::min(NodeRef x, std::vector<int64_t> axis,
                                  bool keepdims) const {
  return Reduce("min", x, std::move(axis), keepdims);
}

absl::StatusOr<Node> Session::argmax(NodeRef x, int64_t axis) const {
  return Unary("argmax", x, {{"axis", axis}});
}

absl::StatusOr<Node> Session::cast(NodeRef x, DType dtype) const {
  return Unary("cast", x, {{"dtype", std::string(DTypeName(dtype))}});
}

absl::StatusOr<Node> Session::abs(NodeRef x) const { return Unary("abs", x); }
absl::StatusOr<Node> Session::negative(NodeRef x) const {
  return Unary("negative", x);
}
absl::StatusOr<Node> Session::square(NodeRef x) const {
  return Unary("square", x);
}
absl::StatusOr<Node> Session::sqrt(NodeRef x) const { return Unary("sqrt", x); }
absl::StatusOr<Node> Session::exp(NodeRef x) const { return Unary("exp", x); }
absl::StatusOr<Node> Session::log(NodeRef x) const { return Unary("log", x); }
absl::StatusOr<Node> Session::tanh(NodeRef x) const { return Unary("tanh", x); }
absl::StatusOr<Node> Session::sigmoid(NodeRef x) const {
  return Unary("sigmoid", x);
}
absl::StatusOr<Node> Session::relu(NodeRef x) const { return Unary("relu", x); }

absl::StatusOr<Node> Session::softmax(NodeRef x, int64_t axis) const {
  return Unary("softmax", x, {{"axis", axis}});
}

}  // namespace remotek::client
