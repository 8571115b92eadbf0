#include "backend/core/gradient_registry.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "backend/core/op_runner.h"
#include "backend/core/status_macros.h"

namespace remotek {

GradBuilder::GradBuilder(Graph& graph, const OpConfig& config, const Backend* backend,
                         std::shared_ptr<MemoryAccount> account, int forward)
    : graph_(graph),
      config_(config),
      backend_(backend),
      account_(std::move(account)),
      forward_(forward),
      needs_(graph.node(forward).inputs.size(), true) {
  const Node& node = graph_.node(forward_);
  std::vector<TensorSpec> specs;
  for (int id : node.inputs) specs.push_back(graph_.node(id).spec);
  // The node was built by the same Infer, so this cannot fail; if it ever
  // did, attrs_ stays empty and the GradFn's attr reads fail loudly.
  absl::StatusOr<InferResult> inferred = InferOp(*node.def, specs, node.attrs, config_);
  if (inferred.ok()) attrs_ = std::move(inferred->attrs);
}

std::string GradBuilder::Prefix(const std::string& op) const {
  return absl::StrCat("gradients/", forward().def->name, "_grad/", op);
}

absl::StatusOr<int> GradBuilder::Op(const std::string& op, std::vector<int> inputs,
                                    AttrMap attrs) {
  REMOTEK_ASSIGN_OR_RETURN(const OpDef* def, OpRegistry::Global().Find(op));
  if (backend_ != nullptr) REMOTEK_RETURN_IF_ERROR(CheckBackendSupports(*backend_, op));
  std::vector<TensorSpec> specs;
  for (int id : inputs) specs.push_back(graph_.node(id).spec);
  absl::StatusOr<InferResult> inferred = InferOp(*def, specs, attrs, config_);
  if (!inferred.ok()) {
    return absl::Status(inferred.status().code(),
                        absl::StrCat("building the gradient of ", forward().def->name,
                                     " node \"", forward().name,
                                     "\": ", inferred.status().message()));
  }
  Node node;
  node.kind = NodeKind::kOp;
  node.def = def;
  node.inputs = std::move(inputs);
  node.attrs = std::move(attrs);
  node.spec = inferred->output;
  node.name = graph_.UniqueName("", Prefix(op));
  return graph_.Add(std::move(node));
}

absl::StatusOr<int> GradBuilder::Constant(double value, DType dtype) {
  if (!IsFloating(dtype)) {
    return absl::InternalError(absl::StrCat("gradients: constant of dtype ",
                                            DTypeName(dtype), " requested"));
  }
  REMOTEK_ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(dtype, Shape(), account_));
  switch (dtype) {
    case DType::kFloat16: *t.data<Half>() = FloatToHalf(static_cast<float>(value)); break;
    case DType::kFloat32: *t.data<float>() = static_cast<float>(value); break;
    default: *t.data<double>() = value; break;
  }
  Node node;
  node.kind = NodeKind::kConstant;
  node.spec = {dtype, Shape()};
  node.value = std::move(t);
  node.name = graph_.UniqueName("", Prefix("constant"));
  return graph_.Add(std::move(node));
}

absl::StatusOr<int> GradBuilder::Scale(int a, double factor) {
  REMOTEK_ASSIGN_OR_RETURN(int c, Constant(factor, spec(a).dtype));
  return Mul(a, c);
}

absl::StatusOr<int> GradBuilder::Mask(const std::string& comparison, int a, int b) {
  REMOTEK_ASSIGN_OR_RETURN(int m, Op(comparison, {a, b}));
  return Op("cast", {m}, {{"dtype", std::string(DTypeName(spec(a).dtype))}});
}

absl::StatusOr<int> GradBuilder::MaskScalar(const std::string& comparison, int a, double b) {
  REMOTEK_ASSIGN_OR_RETURN(int c, Constant(b, spec(a).dtype));
  return Mask(comparison, a, c);
}

absl::StatusOr<int> GradBuilder::SumTo(int g, int like) {
  const Shape& gs = spec(g).shape;
  const Shape& ls = spec(like).shape;
  if (gs == ls && gs.IsFullyDefined()) return g;
  return Op("sum_to_shape_of", {g, like});
}

absl::StatusOr<int> GradBuilder::ExpandReduced(int g, const std::vector<int64_t>& axes,
                                               bool keepdims) {
  if (keepdims) return g;
  for (int64_t axis : axes) {  // ascending, so each lands where it was
    REMOTEK_ASSIGN_OR_RETURN(g, Op("expand_dims", {g}, {{"axis", axis}}));
  }
  return g;
}

const GradientRegistry& GradientRegistry::Global() {
  static const GradientRegistry* registry = [] {
    auto* r = new GradientRegistry();
    RegisterElementwiseGrads(*r);
    RegisterUnaryGrads(*r);
    RegisterLinalgGrads(*r);
    RegisterReductionGrads(*r);
    RegisterShapeGrads(*r);
    RegisterLossGrads(*r);
    RegisterCastGrads(*r);
    RegisterConvGrads(*r);
    return r;
  }();
  return *registry;
}

void GradientRegistry::Register(const std::string& op, GradFn fn) {
  if (!entries_.emplace(op, Entry{std::move(fn)}).second) std::abort();
}

void GradientRegistry::RegisterNonDifferentiable(const std::string& op) {
  if (!entries_.emplace(op, Entry{}).second) std::abort();
}

const GradientRegistry::Entry* GradientRegistry::Find(const std::string& op) const {
  auto it = entries_.find(op);
  return it == entries_.end() ? nullptr : &it->second;
}

std::vector<std::string> GradientRegistry::DifferentiableOps() const {
  std::vector<std::string> ops;
  for (const auto& [name, entry] : entries_) {
    if (entry.fn) ops.push_back(name);
  }
  return ops;
}

}  // namespace remotek
