// Reductions: sum, mean, prod, max, min, std, var, any, all, logsumexp
// (attrs axis = int | list | absent for all, keepdims = False) and argmax,
// argmin (attr axis = one int, default -1).
//
// Canonical attrs: axis = the reduced axes, normalised and sorted (a list
// even when one int or none was sent), keepdims = bool; for argmax/argmin
// axis = one non-negative int.
//
// Dtype rules (output dtype in brackets):
//   sum, prod, max, min  numeric, not bool [x]; integer sum/prod wrap.
//   mean                 numeric [x], integer means truncate toward zero; bool
//                        is cast to floatx first as K.mean does [floatx].
//   std, var             float [x]; bool [floatx] as K.var / K.std do.
//   logsumexp            float [x].
//   any, all             any dtype, tested as x != 0 [bool].
//   argmax, argmin       numeric, not bool [int64].
// Empty slices: sum 0, prod 1, mean/std/var NaN for floats (0 for integer
// mean), logsumexp -inf, any False, all True; max/min/argmax/argmin over an
// axis of size 0 are refused here, so their kernels never see one.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "backend/core/op_registry.h"
#include "backend/core/ops/axes.h"
#include "backend/core/ops/op_families.h"
#include "backend/core/status_macros.h"

namespace remotek {
namespace {

enum class InputRule {
  kNumeric,      // sum, prod, max, min, argmax, argmin
  kMean,         // numeric, bool -> floatx
  kFloatOrBool,  // std, var: float, bool -> floatx
  kFloat,        // logsumexp
  kAnyToBool,    // any, all
};

struct ReductionRule {
  InputRule input;
  bool needs_nonempty;  // max, min: no identity for an empty slice
};

absl::StatusOr<DType> OutputDType(const InferContext& ctx, InputRule rule) {
  const DType x = ctx.inputs[0].dtype;
  const auto refuse = [&](const char* want) {
    return absl::InvalidArgumentError(absl::StrCat(
        ctx.op, ": x has dtype ", DTypeName(x), ", expected ", want));
  };
  switch (rule) {
    case InputRule::kNumeric:
      if (!IsNumeric(x)) return refuse("a numeric dtype");
      return x;
    case InputRule::kMean:
      if (x == DType::kBool) return ctx.config.floatx;
      return x;
    case InputRule::kFloatOrBool:
      if (x == DType::kBool) return ctx.config.floatx;
      if (!IsFloating(x)) return refuse("a float dtype (or bool)");
      return x;
    case InputRule::kFloat:
      if (!IsFloating(x)) return refuse("a float dtype");
      return x;
    case InputRule::kAnyToBool:
      return DType::kBool;
  }
  return x;
}

// max/min/argmax/argmin have no value for an empty slice; refuse known zero
// dims on reduced axes (the concrete Infer always knows them).
absl::Status CheckNonEmpty(const InferContext& ctx,
                           absl::Span<const int64_t> axes) {
  const Shape& shape = ctx.inputs[0].shape;
  for (int64_t axis : axes) {
    if (shape.dim(axis) == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          ctx.op, ": cannot reduce axis ", axis, " of size 0 of x with shape ",
          shape.ToString(), " (the reduction has no identity)"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<InferResult> InferReduction(const InferContext& ctx,
                                           ReductionRule rule) {
  AttrReader reader(ctx.op, ctx.attrs);
  REMOTEK_RETURN_IF_ERROR(reader.OnlyKnown({"axis", "keepdims"}));
  REMOTEK_ASSIGN_OR_RETURN(bool keepdims, reader.Bool("keepdims", false));
  const TensorSpec& x = ctx.inputs[0];
  REMOTEK_ASSIGN_OR_RETURN(DType dtype, OutputDType(ctx, rule.input));
  REMOTEK_ASSIGN_OR_RETURN(
      std::vector<int64_t> axes,
      ReadReductionAxes(ctx.op, ctx.attrs, "axis", x.shape.rank()));
  if (rule.needs_nonempty) REMOTEK_RETURN_IF_ERROR(CheckNonEmpty(ctx, axes));
  InferResult result;
  result.output = {dtype, ReducedShape(x.shape, axes, keepdims)};
  result.attrs["axis"] = std::move(axes);
  result.attrs["keepdims"] = keepdims;
  return result;
}

absl::StatusOr<InferResult> InferArgReduction(const InferContext& ctx) {
  AttrReader reader(ctx.op, ctx.attrs);
  REMOTEK_RETURN_IF_ERROR(reader.OnlyKnown({"axis"}));
  REMOTEK_ASSIGN_OR_RETURN(int64_t raw_axis, reader.Int("axis", -1));
  const TensorSpec& x = ctx.inputs[0];
  REMOTEK_RETURN_IF_ERROR(OutputDType(ctx, InputRule::kNumeric).status());
  REMOTEK_ASSIGN_OR_RETURN(
      int axis, NormalizeAxis(raw_axis, x.shape.rank(), ctx.op, "axis"));
  const int64_t axes[] = {axis};
  REMOTEK_RETURN_IF_ERROR(CheckNonEmpty(ctx, axes));
  InferResult result;
  result.output = {DType::kInt64, ReducedShape(x.shape, axes, false)};
  result.attrs["axis"] = int64_t{axis};
  return result;
}

OpDef Reduction(std::string name, ReductionRule rule, std::string summary) {
  OpDef def;
  def.name = std::move(name);
  def.infer = [rule](const InferContext& ctx) {
    return InferReduction(ctx, rule);
  };
  def.summary = std::move(summary);
  return def;
}

OpDef ArgReduction(std::string name, std::string summary) {
  OpDef def;
  def.name = std::move(name);
  def.infer = InferArgReduction;
  def.summary = std::move(summary);
  return def;
}

constexpr ReductionRule kNumeric{InputRule::kNumeric, false};
constexpr ReductionRule kNumericNonEmpty{InputRule::kNumeric, true};

}  // namespace

void RegisterReductionOps(OpRegistry& registry) {
  registry.Register(Reduction(
      "sum", kNumeric,
      "K.sum(x, axis=None, keepdims=False): sum over axes; integers wrap"));
  registry.Register(Reduction("prod", kNumeric,
                              "K.prod(x, axis=None, keepdims=False): product "
                              "over axes; integers wrap"));
  registry.Register(Reduction("max", kNumericNonEmpty,
                              "K.max(x, axis=None, keepdims=False): maximum "
                              "over axes; NaN propagates"));
  registry.Register(Reduction("min", kNumericNonEmpty,
                              "K.min(x, axis=None, keepdims=False): minimum "
                              "over axes; NaN propagates"));
  registry.Register(Reduction("mean", {InputRule::kMean, false},
                              "K.mean(x, axis=None, keepdims=False): mean over "
                              "axes; bool -> floatx, integers truncate"));
  registry.Register(Reduction(
      "var", {InputRule::kFloatOrBool, false},
      "K.var(x, axis=None, keepdims=False): population variance over axes"));
  registry.Register(Reduction("std", {InputRule::kFloatOrBool, false},
                              "K.std(x, axis=None, keepdims=False): population "
                              "standard deviation over axes"));
  registry.Register(Reduction("logsumexp", {InputRule::kFloat, false},
                              "K.logsumexp(x, axis=None, keepdims=False): "
                              "log(sum(exp(x))) computed stably"));
  registry.Register(Reduction(
      "any", {InputRule::kAnyToBool, false},
      "K.any(x, axis=None, keepdims=False): logical or of x != 0 over axes"));
  registry.Register(Reduction(
      "all", {InputRule::kAnyToBool, false},
      "K.all(x, axis=None, keepdims=False): logical and of x != 0 over axes"));
  registry.Register(ArgReduction("argmax",
                                 "K.argmax(x, axis=-1): int64 index of the "
                                 "first maximum (first NaN wins)"));
  registry.Register(ArgReduction("argmin",
                                 "K.argmin(x, axis=-1): int64 index of the "
                                 "first minimum (first NaN wins)"));
}

}  // namespace remotek
