// Unary elementwise ops (x is the only input; output has x's dtype and shape).
//   numeric (not bool): negative abs sign square round clip relu
//   float only:         sqrt exp log sigmoid tanh softplus softsign elu
//                       hard_sigmoid softmax
// Attrs (Keras names) and their canonical form, which is all kernels read:
//   elu      alpha=1.0                        -> {alpha: double}
//   clip     min_value, max_value (required)  -> float x: doubles (NaN refused,
//            max_value raised to min_value when below it, as Keras does,
//            beyond float32's range made +-inf for float32 x);
//            integer x: int64 saturated to x's range (bounds must be whole).
//   relu     alpha=0.0, max_value=None, threshold=0.0
//                                             -> {alpha, threshold: double,
//                                                 max_value: double if given}
//   softmax  axis=-1 (rank >= 1)              -> {axis: int64 in [0, rank)}
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "absl/strings/str_cat.h"
#include "backend/core/op_registry.h"
#include "backend/core/ops/op_families.h"
#include "backend/core/status_macros.h"

namespace remotek {
namespace {

enum class Accepts { kNumeric, kFloat };

absl::Status CheckDType(const InferContext& ctx, Accepts accepts) {
  const DType dtype = ctx.inputs[0].dtype;
  if (accepts == Accepts::kNumeric ? IsNumeric(dtype) : IsFloating(dtype)) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat(ctx.op, ": x has dtype ", DTypeName(dtype), "; expected ",
                   accepts == Accepts::kNumeric
                       ? "a numeric dtype"
                       : "a floating dtype (float16, float32, float64)"));
}

// Same dtype and shape as x.
InferResult SameAsInput(const InferContext& ctx, AttrMap attrs = {}) {
  return InferResult{ctx.inputs[0], std::move(attrs)};
}

InferFn PlainInfer(Accepts accepts) {
  return [accepts](const InferContext& ctx) -> absl::StatusOr<InferResult> {
    REMOTEK_RETURN_IF_ERROR(AttrReader(ctx.op, ctx.attrs).OnlyKnown({}));
    REMOTEK_RETURN_IF_ERROR(CheckDType(ctx, accepts));
    return SameAsInput(ctx);
  };
}

absl::StatusOr<InferResult> EluInfer(const InferContext& ctx) {
  AttrReader attrs(ctx.op, ctx.attrs);
  REMOTEK_RETURN_IF_ERROR(attrs.OnlyKnown({"alpha"}));
  REMOTEK_RETURN_IF_ERROR(CheckDType(ctx, Accepts::kFloat));
  REMOTEK_ASSIGN_OR_RETURN(double alpha, attrs.Float("alpha", 1.0));
  return SameAsInput(ctx, {{"alpha", alpha}});
}

// One clip bound in the canonical form for x's dtype (see the file comment).
absl::StatusOr<AttrValue> ClipBound(const InferContext& ctx, const char* name,
                                    double value) {
  const DType dtype = ctx.inputs[0].dtype;
  if (IsFloating(dtype)) {
    if (dtype != DType::kFloat64 &&
        std::abs(value) > std::numeric_limits<float>::max()) {
      value = std::copysign(std::numeric_limits<double>::infinity(), value);
    }
    return AttrValue(value);
  }
  // Integers: exact when sent as an int, else a whole double; then saturated.
  int64_t lo = 0, hi = 0;
  DispatchComputeDType(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    lo = static_cast<int64_t>(std::numeric_limits<T>::min());
    hi = static_cast<int64_t>(std::numeric_limits<T>::max());
  });
  auto it = ctx.attrs.find(name);
  if (const int64_t* v = std::get_if<int64_t>(&it->second)) {
    return AttrValue(std::clamp(*v, lo, hi));
  }
  if (std::trunc(value) != value) {
    return absl::InvalidArgumentError(absl::StrCat(
        ctx.op, ": ", name, "=", value,
        " must be a whole number for x of dtype ", DTypeName(dtype)));
  }
  if (value <= static_cast<double>(lo)) return AttrValue(lo);
  if (value >= static_cast<double>(hi)) return AttrValue(hi);
  return AttrValue(static_cast<int64_t>(value));
}

absl::StatusOr<InferResult> ClipInfer(const InferContext& ctx) {
  AttrReader attrs(ctx.op, ctx.attrs);
  REMOTEK_RETURN_IF_ERROR(attrs.OnlyKnown({"min_value", "max_value"}));
  REMOTEK_RETURN_IF_ERROR(CheckDType(ctx, Accepts::kNumeric));
  double bounds[2];
  const char* names[2] = {"min_value", "max_value"};
  for (int i = 0; i < 2; ++i) {
    REMOTEK_ASSIGN_OR_RETURN(std::optional<double> v,
                             attrs.OptionalFloat(names[i]));
    if (!v.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat(ctx.op, ": attribute ", names[i], " is required"));
    }
    if (std::isnan(*v)) {
      return absl::InvalidArgumentError(
          absl::StrCat(ctx.op, ": ", names[i], " must be a number, got nan"));
    }
    bounds[i] = *v;
  }
  // Keras: "if max_value < min_value: max_value = min_value".
  const char* max_source = bounds[1] < bounds[0] ? names[0] : names[1];
  AttrMap canonical;
  REMOTEK_ASSIGN_OR_RETURN(canonical["min_value"],
                           ClipBound(ctx, names[0], bounds[0]));
  REMOTEK_ASSIGN_OR_RETURN(
      canonical["max_value"],
      ClipBound(ctx, max_source, std::max(bounds[0], bounds[1])));
  return SameAsInput(ctx, std::move(canonical));
}

absl::StatusOr<InferResult> ReluInfer(const InferContext& ctx) {
  AttrReader attrs(ctx.op, ctx.attrs);
  REMOTEK_RETURN_IF_ERROR(attrs.OnlyKnown({"alpha", "max_value", "threshold"}));
  REMOTEK_RETURN_IF_ERROR(CheckDType(ctx, Accepts::kNumeric));
  AttrMap canonical;
  REMOTEK_ASSIGN_OR_RETURN(double alpha, attrs.Float("alpha", 0.0));
  REMOTEK_ASSIGN_OR_RETURN(double threshold, attrs.Float("threshold", 0.0));
  REMOTEK_ASSIGN_OR_RETURN(std::optional<double> max_value,
                           attrs.OptionalFloat("max_value"));
  canonical["alpha"] = alpha;
  canonical["threshold"] = threshold;
  if (max_value.has_value()) canonical["max_value"] = *max_value;
  return SameAsInput(ctx, std::move(canonical));
}

absl::StatusOr<InferResult> SoftmaxInfer(const InferContext& ctx) {
  AttrReader attrs(ctx.op, ctx.attrs);
  REMOTEK_RETURN_IF_ERROR(attrs.OnlyKnown({"axis"}));
  REMOTEK_RETURN_IF_ERROR(CheckDType(ctx, Accepts::kFloat));
  const int rank = ctx.inputs[0].shape.rank();
  if (rank == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(ctx.op, ": x must have rank >= 1, got a scalar"));
  }
  REMOTEK_ASSIGN_OR_RETURN(int64_t axis, attrs.Int("axis", -1));
  REMOTEK_ASSIGN_OR_RETURN(int normalized,
                           NormalizeAxis(axis, rank, ctx.op, "axis"));
  return SameAsInput(ctx, {{"axis", static_cast<int64_t>(normalized)}});
}

OpDef Unary(const char* name, InferFn infer, const char* summary) {
  return OpDef{.name = name, .infer = std::move(infer), .summary = summary};
}

}  // namespace

void RegisterUnaryOps(OpRegistry& registry) {
  const InferFn numeric = PlainInfer(Accepts::kNumeric);
  const InferFn floating = PlainInfer(Accepts::kFloat);
  registry.Register(Unary("negative", numeric, "-x; integers wrap"));
  registry.Register(Unary("abs", numeric,
                          "|x|; integers wrap (abs of the minimum is itself)"));
  registry.Register(
      Unary("sign", numeric, "-1, 0 or 1 by the sign of x; NaN stays NaN"));
  registry.Register(Unary("square", numeric, "x * x; integers wrap"));
  registry.Register(
      Unary("round", numeric, "x rounded half to even; identity on integers"));
  registry.Register(Unary("sqrt", floating, "square root of x"));
  registry.Register(Unary("exp", floating, "e ** x"));
  registry.Register(Unary("log", floating, "natural logarithm of x"));
  registry.Register(Unary("sigmoid", floating, "1 / (1 + exp(-x))"));
  registry.Register(Unary("tanh", floating, "hyperbolic tangent of x"));
  registry.Register(
      Unary("softplus", floating, "log(exp(x) + 1), computed stably"));
  registry.Register(Unary("softsign", floating, "x / (1 + |x|)"));
  registry.Register(
      Unary("elu", EluInfer, "x if x > 0 else alpha * (exp(x) - 1)"));
  registry.Register(
      Unary("hard_sigmoid", floating, "clip(0.2 * x + 0.5, 0, 1)"));
  registry.Register(
      Unary("clip", ClipInfer, "x clipped to [min_value, max_value]"));
  registry.Register(Unary("relu", ReluInfer,
                          "Keras relu with alpha, max_value and threshold"));
  registry.Register(Unary("softmax", SoftmaxInfer,
                          "softmax of x along axis, numerically stable"));
}

}  // namespace remotek
