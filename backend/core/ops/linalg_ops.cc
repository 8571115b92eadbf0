// dot, batch_dot and transpose with tf.keras backend semantics.
//
//   dot(x, y)                 both ranks <= 2: matmul, x (m, k) . y (k, n).
//                             otherwise: x's last axis against y's second to
//                             last; out = x.shape[:-1] + y.shape[:-2] + y.shape[-1:].
//                             Canonical attrs: none.
//   batch_dot(x, y, axes)     Keras 2.2.5+ / tf.keras rule. Canonical attrs:
//                             axes = [a0, a1], non-negative, both >= 1.
//   transpose(x)              reverses all axes. Canonical attrs: none.
//
// dot and batch_dot take two tensors of one numeric dtype (bool refused) and
// return that dtype; integer products wrap around. transpose takes any dtype
// and moves bytes only, so float16 is not widened for it.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "backend/core/op_registry.h"
#include "backend/core/ops/op_families.h"
#include "backend/core/status_macros.h"

namespace remotek {
namespace {

absl::Status CheckProductDTypes(const InferContext& ctx) {
  const DType x = ctx.inputs[0].dtype;
  const DType y = ctx.inputs[1].dtype;
  if (!IsNumeric(x)) {
    return absl::InvalidArgumentError(absl::StrCat(
        ctx.op, ": x has dtype ", DTypeName(x), ", which is not numeric"));
  }
  if (x != y) {
    return absl::InvalidArgumentError(
        absl::StrCat(ctx.op, ": x and y must have the same dtype, got ",
                     DTypeName(x), " and ", DTypeName(y)));
  }
  return absl::OkStatus();
}

bool KnownAndDiffer(int64_t a, int64_t b) {
  return a != kUnknownDim && b != kUnknownDim && a != b;
}

absl::StatusOr<InferResult> InferDot(const InferContext& ctx) {
  REMOTEK_RETURN_IF_ERROR(AttrReader(ctx.op, ctx.attrs).OnlyKnown({}));
  REMOTEK_RETURN_IF_ERROR(CheckProductDTypes(ctx));
  const Shape& x = ctx.inputs[0].shape;
  const Shape& y = ctx.inputs[1].shape;
  const std::string shapes =
      absl::StrCat("x of shape ", x.ToString(), " and y of shape ", y.ToString());
  if (x.rank() <= 2 && y.rank() <= 2) {
    if (x.rank() != 2 || y.rank() != 2) {
      return absl::InvalidArgumentError(absl::StrCat(
          ctx.op, ": when neither input has rank > 2 both must have rank 2, got ",
          shapes));
    }
  } else if (x.rank() < 1 || y.rank() < 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        ctx.op, ": x needs rank >= 1 and y rank >= 2, got ", shapes));
  }
  const int64_t kx = x.dim(x.rank() - 1);
  const int64_t ky = y.dim(y.rank() - 2);
  if (KnownAndDiffer(kx, ky)) {
    return absl::InvalidArgumentError(absl::StrCat(
        ctx.op, ": cannot contract ", shapes, ": x.shape[-1]=", kx,
        " != y.shape[-2]=", ky));
  }
  std::vector<int64_t> out(x.dims().begin(), x.dims().end() - 1);
  out.insert(out.end(), y.dims().begin(), y.dims().end() - 2);
  out.push_back(y.dim(y.rank() - 1));
  InferResult result;
  result.output = {ctx.inputs[0].dtype, Shape(std::move(out))};
  return result;
}

// Parses `axes` (absent, an int, or a pair) and normalises it against the
// ranks, following tf.keras: default (rx-1, ry-1) when y has rank 2, else
// (rx-1, ry-2).
absl::StatusOr<std::vector<int64_t>> BatchDotAxes(const InferContext& ctx,
                                                  int rx, int ry) {
  REMOTEK_ASSIGN_OR_RETURN(std::optional<std::vector<int64_t>> given,
                           AttrReader(ctx.op, ctx.attrs).OptionalInts("axes"));
  std::vector<int64_t> axes;
  if (!given.has_value()) {
    axes = {rx - 1, ry == 2 ? ry - 1 : ry - 2};
  } else if (given->size() == 1) {
    axes = {(*given)[0], (*given)[0]};
  } else if (given->size() == 2) {
    axes = *given;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        ctx.op, ": axes must be an int or a pair of ints, got ",
        AttrValueToString(*given)));
  }
  const int ranks[2] = {rx, ry};
  const char* names[2] = {"x", "y"};
  for (int i = 0; i < 2; ++i) {
    const int64_t a = axes[i];
    if (a < -ranks[i] || a >= ranks[i]) {
      return absl::InvalidArgumentError(
          absl::StrCat(ctx.op, ": axes[", i, "]=", a, " is out of range for ",
                       names[i], " of rank ", ranks[i]));
    }
    if (a < 0) axes[i] += ranks[i];
    if (axes[i] == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          ctx.op, ": axes[", i, "]=", a,
          " is the batch axis of ", names[i], "; cannot contract over axis 0"));
    }
  }
  return axes;
}

absl::StatusOr<InferResult> InferBatchDot(const InferContext& ctx) {
  REMOTEK_RETURN_IF_ERROR(AttrReader(ctx.op, ctx.attrs).OnlyKnown({"axes"}));
  REMOTEK_RETURN_IF_ERROR(CheckProductDTypes(ctx));
  const Shape& x = ctx.inputs[0].shape;
  const Shape& y = ctx.inputs[1].shape;
  const std::string shapes =
      absl::StrCat("x of shape ", x.ToString(), " and y of shape ", y.ToString());
  if (x.rank() < 2 || y.rank() < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat(ctx.op, ": inputs need rank >= 2, got ", shapes));
  }
  if (KnownAndDiffer(x.dim(0), y.dim(0))) {
    return absl::InvalidArgumentError(absl::StrCat(
        ctx.op, ": batch sizes differ: ", x.dim(0), " vs ", y.dim(0), " for ",
        shapes));
  }
  REMOTEK_ASSIGN_OR_RETURN(std::vector<int64_t> axes,
                           BatchDotAxes(ctx, x.rank(), y.rank()));
  const int64_t dx = x.dim(static_cast<int>(axes[0]));
  const int64_t dy = y.dim(static_cast<int>(axes[1]));
  if (KnownAndDiffer(dx, dy)) {
    return absl::InvalidArgumentError(absl::StrCat(
        ctx.op, ": cannot contract ", shapes, " over axes [", axes[0], ", ",
        axes[1], "]: x.shape[", axes[0], "]=", dx, " != y.shape[", axes[1],
        "]=", dy));
  }
  std::vector<int64_t> out = {x.dim(0) != kUnknownDim ? x.dim(0) : y.dim(0)};
  for (int i = 1; i < x.rank(); ++i) {
    if (i != axes[0]) out.push_back(x.dim(i));
  }
  for (int i = 1; i < y.rank(); ++i) {
    if (i != axes[1]) out.push_back(y.dim(i));
  }
  if (out.size() == 1) out.push_back(1);  // Keras expands a rank-1 result
  InferResult result;
  result.output = {ctx.inputs[0].dtype, Shape(std::move(out))};
  result.attrs["axes"] = axes;
  return result;
}

absl::StatusOr<InferResult> InferTranspose(const InferContext& ctx) {
  REMOTEK_RETURN_IF_ERROR(AttrReader(ctx.op, ctx.attrs).OnlyKnown({}));
  const TensorSpec& x = ctx.inputs[0];
  std::vector<int64_t> out(x.shape.dims().rbegin(), x.shape.dims().rend());
  InferResult result;
  result.output = {x.dtype, Shape(std::move(out))};
  return result;
}

}  // namespace

void RegisterLinalgOps(OpRegistry& registry) {
  registry.Register({.name = "dot", .min_inputs = 2, .max_inputs = 2,
                     .infer = InferDot,
                     .summary = "Keras K.dot: matmul, N-D over x[-1] and y[-2]"});
  registry.Register({.name = "batch_dot", .min_inputs = 2, .max_inputs = 2,
                     .infer = InferBatchDot,
                     .summary = "Keras K.batch_dot(x, y, axes)"});
  registry.Register({.name = "transpose", .min_inputs = 1, .max_inputs = 1,
                     .infer = InferTranspose, .widen_float16 = false,
                     .summary = "Keras K.transpose: reverses all axes"});
}

}  // namespace remotek
