// Losses, Keras 2.3 TF-backend semantics. Both inputs have one float dtype
// and, unlike Keras, equal shapes (no broadcasting: Keras losses are called
// with y_true and y_pred of one shape; static unknown dims are merged).
//   mean_squared_error(y_true, y_pred)   mean(square(y_pred - y_true), axis=-1)
//   binary_crossentropy(target, output, from_logits=False)   elementwise;
//       not from_logits: clip output to [eps, 1-eps], z = log(o / (1 - o));
//       then max(z, 0) - z*t + log(1 + exp(-|z|)).
//   categorical_crossentropy(target, output, from_logits=False, axis=-1)
//       not from_logits: o /= sum(o, axis); clip to [eps, 1-eps];
//       -sum(t*log(o), axis). from_logits: -sum(t*log_softmax(o), axis).
// eps is the session's epsilon (OpConfig::epsilon), rounded to the dtype.
// Canonical attrs: binary_crossentropy {from_logits, epsilon};
// categorical_crossentropy {from_logits, axis (>= 0), epsilon}.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "backend/core/op_registry.h"
#include "backend/core/ops/op_families.h"
#include "backend/core/status_macros.h"

namespace remotek {
namespace {

// Checks that inputs `a` (0) and `b` (1) share one float dtype and a shape;
// returns their merged dims (a known dim wins over an unknown one).
absl::StatusOr<std::vector<int64_t>> CheckPair(const InferContext& ctx,
                                               const char* a, const char* b) {
  const TensorSpec& x = ctx.inputs[0];
  const TensorSpec& y = ctx.inputs[1];
  if (!IsFloating(x.dtype) || !IsFloating(y.dtype)) {
    const bool x_bad = !IsFloating(x.dtype);
    return absl::InvalidArgumentError(absl::StrCat(
        ctx.op, ": ", x_bad ? a : b, " has dtype ",
        DTypeName(x_bad ? x.dtype : y.dtype), ", expected a float dtype"));
  }
  if (x.dtype != y.dtype) {
    return absl::InvalidArgumentError(
        absl::StrCat(ctx.op, ": ", a, " has dtype ", DTypeName(x.dtype),
                     " but ", b, " has ", DTypeName(y.dtype)));
  }
  if (!x.shape.IsCompatibleWith(y.shape)) {
    return absl::InvalidArgumentError(absl::StrCat(
        ctx.op, ": ", a, " has shape ", x.shape.ToString(), " but ", b,
        " has shape ", y.shape.ToString(), " (equal shapes are required)"));
  }
  std::vector<int64_t> dims = x.shape.dims();
  for (size_t k = 0; k < dims.size(); ++k) {
    if (dims[k] == kUnknownDim) dims[k] = y.shape.dim(static_cast<int>(k));
  }
  return dims;
}

absl::StatusOr<InferResult> InferMeanSquaredError(const InferContext& ctx) {
  REMOTEK_RETURN_IF_ERROR(AttrReader(ctx.op, ctx.attrs).OnlyKnown({}));
  REMOTEK_ASSIGN_OR_RETURN(std::vector<int64_t> dims,
                           CheckPair(ctx, "y_true", "y_pred"));
  if (dims.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        ctx.op, ": y_pred must have rank >= 1 (the mean is over axis -1)"));
  }
  dims.pop_back();
  InferResult result;
  result.output = {ctx.inputs[0].dtype, Shape(std::move(dims))};
  return result;
}

absl::StatusOr<InferResult> InferBinaryCrossentropy(const InferContext& ctx) {
  AttrReader reader(ctx.op, ctx.attrs);
  REMOTEK_RETURN_IF_ERROR(reader.OnlyKnown({"from_logits"}));
  REMOTEK_ASSIGN_OR_RETURN(bool from_logits, reader.Bool("from_logits", false));
  REMOTEK_ASSIGN_OR_RETURN(std::vector<int64_t> dims,
                           CheckPair(ctx, "target", "output"));
  InferResult result;
  result.output = {ctx.inputs[0].dtype, Shape(std::move(dims))};
  result.attrs = {{"from_logits", from_logits},
                  {"epsilon", ctx.config.epsilon}};
  return result;
}

absl::StatusOr<InferResult> InferCategoricalCrossentropy(
    const InferContext& ctx) {
  AttrReader reader(ctx.op, ctx.attrs);
  REMOTEK_RETURN_IF_ERROR(reader.OnlyKnown({"from_logits", "axis"}));
  REMOTEK_ASSIGN_OR_RETURN(bool from_logits, reader.Bool("from_logits", false));
  REMOTEK_ASSIGN_OR_RETURN(int64_t raw_axis, reader.Int("axis", -1));
  REMOTEK_ASSIGN_OR_RETURN(std::vector<int64_t> dims,
                           CheckPair(ctx, "target", "output"));
  REMOTEK_ASSIGN_OR_RETURN(
      int axis,
      NormalizeAxis(raw_axis, static_cast<int>(dims.size()), ctx.op, "axis"));
  dims.erase(dims.begin() + axis);
  InferResult result;
  result.output = {ctx.inputs[0].dtype, Shape(std::move(dims))};
  result.attrs = {{"from_logits", from_logits},
                  {"axis", int64_t{axis}},
                  {"epsilon", ctx.config.epsilon}};
  return result;
}

OpDef Loss(std::string name, InferFn infer, std::string summary) {
  OpDef def;
  def.name = std::move(name);
  def.min_inputs = 2;
  def.max_inputs = 2;
  def.infer = std::move(infer);
  def.summary = std::move(summary);
  return def;
}

}  // namespace

void RegisterLossOps(OpRegistry& registry) {
  registry.Register(Loss("mean_squared_error", InferMeanSquaredError,
                         "mean_squared_error(y_true, y_pred): "
                         "mean(square(y_pred - y_true), axis=-1)"));
  registry.Register(
      Loss("binary_crossentropy", InferBinaryCrossentropy,
           "K.binary_crossentropy(target, output, from_logits=False): "
           "elementwise sigmoid cross-entropy"));
  registry.Register(
      Loss("categorical_crossentropy", InferCategoricalCrossentropy,
           "K.categorical_crossentropy(target, output, from_logits=False, "
           "axis=-1): cross-entropy over axis"));
}

}  // namespace remotek
