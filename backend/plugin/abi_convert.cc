#include "backend/plugin/abi_convert.h"

#include <cstring>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "backend/core/status_macros.h"

namespace remotek::plugin {

RkTensor TensorView(const Tensor& tensor) {
  RkTensor view{};
  view.dtype = static_cast<int32_t>(tensor.dtype());
  view.rank = tensor.rank();
  view.dims = tensor.shape().dims().data();
  view.data = tensor.raw_data();
  view.byte_size = static_cast<uint64_t>(tensor.byte_size());
  return view;
}

AttrsView::AttrsView(const AttrMap& attrs) {
  attrs_.reserve(attrs.size());
  for (const auto& [name, value] : attrs) {
    RkAttr a{};
    a.name = name.c_str();
    std::visit(
        [&a](const auto& v) {
          using V = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<V, int64_t>) {
            a.kind = RK_ATTR_INT;
            a.i = v;
          } else if constexpr (std::is_same_v<V, double>) {
            a.kind = RK_ATTR_FLOAT;
            a.f = v;
          } else if constexpr (std::is_same_v<V, bool>) {
            a.kind = RK_ATTR_BOOL;
            a.i = v ? 1 : 0;
          } else if constexpr (std::is_same_v<V, std::string>) {
            a.kind = RK_ATTR_STRING;
            a.s = v.c_str();
          } else if constexpr (std::is_same_v<V, std::vector<int64_t>>) {
            a.kind = RK_ATTR_INTS;
            a.ints = v.data();
            a.count = static_cast<int64_t>(v.size());
          } else {
            a.kind = RK_ATTR_FLOATS;
            a.floats = v.data();
            a.count = static_cast<int64_t>(v.size());
          }
        },
        value);
    attrs_.push_back(a);
  }
}

namespace {

RkInitializer InitializerView(const InitializerSpec& spec) {
  RkInitializer init{};
  init.kind = static_cast<int32_t>(spec.kind);  // the enums share their order
  init.value = spec.value;
  init.low = spec.low;
  init.high = spec.high;
  init.mean = spec.mean;
  init.stddev = spec.stddev;
  init.has_seed = spec.seed.has_value() ? 1 : 0;
  init.seed = spec.seed.value_or(0);
  return init;
}

static_assert(static_cast<int>(InitializerSpec::Kind::kTruncatedNormal) ==
              RK_INIT_TRUNCATED_NORMAL);
static_assert(static_cast<int>(DType::kBool) == RK_DTYPE_BOOL);

}  // namespace

NodeView::NodeView(const NodeRequest& request) {
  std::visit(
      [this](const auto& r) {
        using R = std::decay_t<decltype(r)>;
        node_.name = r.name.c_str();
        if constexpr (!std::is_same_v<R, OpNodeRequest>) {
          node_.dtype = static_cast<int32_t>(r.dtype);
        }
        node_.rank = -1;
        if constexpr (std::is_same_v<R, PlaceholderRequest>) {
          node_.kind = RK_NODE_PLACEHOLDER;
          if (r.shape.has_value()) {
            dims_ = r.shape->dims();
            node_.rank = static_cast<int32_t>(dims_.size());
          }
          node_.ndim = r.ndim;
        } else if constexpr (std::is_same_v<R, VariableRequest>) {
          node_.kind = RK_NODE_VARIABLE;
          if (r.value.has_value()) {
            value_ = TensorView(*r.value);
            node_.value = &value_;
          }
          if (r.initializer.has_value()) {
            initializer_ = InitializerView(*r.initializer);
            node_.initializer = &initializer_;
            dims_ = r.shape.dims();
            node_.rank = static_cast<int32_t>(dims_.size());
          }
        } else if constexpr (std::is_same_v<R, ConstantRequest>) {
          node_.kind = RK_NODE_CONSTANT;
          value_ = TensorView(r.value);
          node_.value = &value_;
        } else {
          node_.kind = RK_NODE_OP;
          node_.op = r.op.c_str();
          for (const std::string& in : r.inputs) inputs_.push_back(in.c_str());
          node_.inputs = inputs_.data();
          node_.num_inputs = static_cast<int32_t>(inputs_.size());
          attrs_ = std::make_unique<AttrsView>(r.attrs);
          node_.attrs = attrs_->data();
          node_.num_attrs = attrs_->size();
        }
      },
      request);
  node_.dims = dims_.data();
}

absl::StatusOr<DType> DTypeFromAbi(int32_t code, const std::string& field) {
  if (!IsValidDType(code)) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": unknown dtype code ", code));
  }
  return static_cast<DType>(code);
}

absl::StatusOr<Shape> ShapeFromAbi(int32_t rank, const int64_t* dims, bool allow_unknown,
                                   const std::string& field) {
  if (rank < 0 || rank > kMaxRank) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": rank ", rank, " must be in [0, ", kMaxRank, "]"));
  }
  if (rank > 0 && dims == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": rank ", rank, " with no dims"));
  }
  Shape shape(absl::Span<const int64_t>(dims, static_cast<size_t>(rank)));
  REMOTEK_RETURN_IF_ERROR(ValidateDims(shape.dims(), allow_unknown, field));
  return shape;
}

absl::StatusOr<Tensor> TensorFromView(const RkTensor& view,
                                      std::shared_ptr<MemoryAccount> account,
                                      const std::string& field) {
  REMOTEK_ASSIGN_OR_RETURN(DType dtype, DTypeFromAbi(view.dtype, field + ".dtype"));
  REMOTEK_ASSIGN_OR_RETURN(Shape shape, ShapeFromAbi(view.rank, view.dims, false, field));
  REMOTEK_ASSIGN_OR_RETURN(Tensor tensor, Tensor::Allocate(dtype, shape, std::move(account)));
  if (view.byte_size != static_cast<uint64_t>(tensor.byte_size())) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": byte_size ", view.byte_size, " does not match ", tensor.DebugString(),
        " (", tensor.byte_size(), " bytes)"));
  }
  if (tensor.byte_size() > 0) {
    if (view.data == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": data is NULL"));
    }
    std::memcpy(tensor.raw_data(), view.data, static_cast<size_t>(tensor.byte_size()));
  }
  if (dtype == DType::kBool) {  // any non-zero byte is true, as on the wire
    uint8_t* p = tensor.data<uint8_t>();
    for (int64_t i = 0; i < tensor.num_elements(); ++i) p[i] = p[i] != 0;
  }
  return tensor;
}

absl::StatusOr<AttrMap> AttrsFromView(const RkAttr* attrs, int32_t count) {
  AttrMap out;
  if (count < 0 || (count > 0 && attrs == nullptr)) {
    return absl::InvalidArgumentError(absl::StrCat("attrs: bad count ", count));
  }
  for (int32_t i = 0; i < count; ++i) {
    const RkAttr& a = attrs[i];
    if (a.name == nullptr) return absl::InvalidArgumentError(absl::StrCat("attrs[", i, "]: no name"));
    const std::string field = absl::StrCat("attr ", a.name);
    const bool bad_list = a.count < 0 || (a.count > 0 && ((a.kind == RK_ATTR_INTS && !a.ints) ||
                                                          (a.kind == RK_ATTR_FLOATS && !a.floats)));
    if (bad_list) return absl::InvalidArgumentError(absl::StrCat(field, ": bad list"));
    switch (a.kind) {
      case RK_ATTR_INT: out[a.name] = a.i; break;
      case RK_ATTR_FLOAT: out[a.name] = a.f; break;
      case RK_ATTR_BOOL: out[a.name] = a.i != 0; break;
      case RK_ATTR_STRING:
        if (a.s == nullptr) return absl::InvalidArgumentError(absl::StrCat(field, ": NULL string"));
        out[a.name] = std::string(a.s);
        break;
      case RK_ATTR_INTS: out[a.name] = std::vector<int64_t>(a.ints, a.ints + a.count); break;
      case RK_ATTR_FLOATS: out[a.name] = std::vector<double>(a.floats, a.floats + a.count); break;
      default:
        return absl::InvalidArgumentError(absl::StrCat(field, ": unknown kind ", a.kind));
    }
  }
  return out;
}

absl::StatusOr<NodeRequest> NodeFromView(const RkNode& node,
                                         std::shared_ptr<MemoryAccount> account) {
  const std::string name = node.name ? node.name : "";
  DType dtype = DType::kInvalid;
  if (node.dtype != 0) {
    REMOTEK_ASSIGN_OR_RETURN(dtype, DTypeFromAbi(node.dtype, "dtype"));
  }
  switch (node.kind) {
    case RK_NODE_PLACEHOLDER: {
      PlaceholderRequest r{name, dtype, std::nullopt, node.ndim};
      if (node.rank >= 0) {
        REMOTEK_ASSIGN_OR_RETURN(Shape shape, ShapeFromAbi(node.rank, node.dims, true, "shape"));
        r.shape = std::move(shape);
      }
      return r;
    }
    case RK_NODE_VARIABLE: {
      VariableRequest r;
      r.name = name;
      r.dtype = dtype;
      if (node.value != nullptr) {
        REMOTEK_ASSIGN_OR_RETURN(Tensor v, TensorFromView(*node.value, account, "value"));
        r.value = std::move(v);
      } else if (node.initializer != nullptr) {
        const RkInitializer& in = *node.initializer;
        if (in.kind < RK_INIT_ZEROS || in.kind > RK_INIT_TRUNCATED_NORMAL) {
          return absl::InvalidArgumentError(
              absl::StrCat("initializer: unknown kind ", in.kind));
        }
        InitializerSpec spec;
        spec.kind = static_cast<InitializerSpec::Kind>(in.kind);
        spec.value = in.value;
        spec.low = in.low;
        spec.high = in.high;
        spec.mean = in.mean;
        spec.stddev = in.stddev;
        if (in.has_seed) spec.seed = in.seed;
        r.initializer = spec;
        REMOTEK_ASSIGN_OR_RETURN(r.shape, ShapeFromAbi(node.rank, node.dims, false, "shape"));
      } else {
        return absl::InvalidArgumentError("variable: neither value nor initializer given");
      }
      return r;
    }
    case RK_NODE_CONSTANT: {
      if (node.value == nullptr) return absl::InvalidArgumentError("constant: no value given");
      REMOTEK_ASSIGN_OR_RETURN(Tensor v, TensorFromView(*node.value, account, "value"));
      return ConstantRequest{name, std::move(v), dtype};
    }
    case RK_NODE_OP: {
      if (node.op == nullptr) return absl::InvalidArgumentError("op node: no op given");
      if (node.num_inputs < 0 || (node.num_inputs > 0 && node.inputs == nullptr)) {
        return absl::InvalidArgumentError(absl::StrCat("op node: bad num_inputs ", node.num_inputs));
      }
      OpNodeRequest r;
      r.name = name;
      r.op = node.op;
      for (int32_t i = 0; i < node.num_inputs; ++i) {
        if (node.inputs[i] == nullptr) {
          return absl::InvalidArgumentError(absl::StrCat("op node: inputs[", i, "] is NULL"));
        }
        r.inputs.emplace_back(node.inputs[i]);
      }
      REMOTEK_ASSIGN_OR_RETURN(r.attrs, AttrsFromView(node.attrs, node.num_attrs));
      return r;
    }
    default:
      return absl::InvalidArgumentError(absl::StrCat("node: unknown kind ", node.kind));
  }
}

int32_t NodeKindToAbi(NodeKind kind) {
  switch (kind) {
    case NodeKind::kPlaceholder: return RK_NODE_PLACEHOLDER;
    case NodeKind::kVariable: return RK_NODE_VARIABLE;
    case NodeKind::kConstant: return RK_NODE_CONSTANT;
    case NodeKind::kOp: return RK_NODE_OP;
  }
  return RK_NODE_OP;
}

absl::StatusOr<NodeKind> NodeKindFromAbi(int32_t kind) {
  switch (kind) {
    case RK_NODE_PLACEHOLDER: return NodeKind::kPlaceholder;
    case RK_NODE_VARIABLE: return NodeKind::kVariable;
    case RK_NODE_CONSTANT: return NodeKind::kConstant;
    case RK_NODE_OP: return NodeKind::kOp;
    default: return absl::InvalidArgumentError(absl::StrCat("unknown node kind ", kind));
  }
}

}  // namespace remotek::plugin
