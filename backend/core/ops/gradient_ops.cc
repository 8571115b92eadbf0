// Ops that gradients are built from, beside the Keras ones. ones_like,
// zeros_like and stop_gradient are Keras backend functions too; the other two
// exist for the gradient builder (backend/core/gradients.h) and are internal.
//   ones_like(x), zeros_like(x)  x's dtype and shape, filled with 1 / 0 (any
//                                dtype; bool: true / false).
//   stop_gradient(x)             x itself [aliases x]; gradients stop here.
//   sum_to_shape_of(g, x)        internal: un-broadcasts g to x's runtime
//                                shape, summing g over the axes where x was
//                                broadcast (x's shape must broadcast to g's).
//                                g numeric; x any dtype (only its shape is
//                                read). Static shapes may hold unknown dims,
//                                so which axes were broadcast is only known
//                                when it runs.
//   reshape_like(a, b)           internal: a's data under b's runtime shape
//                                (equal element counts) [aliases a].
//   scatter_sum_to_shape_of(g, indices, x)
//                                internal (gather's gradient): zeros of x's
//                                shape in g's dtype, with g's row i added to
//                                row indices[i] (repeats accumulate). g numeric
//                                of shape indices.shape + x.shape[1:];
//                                indices int32/int64; an index outside
//                                [0, x.shape[0]) is refused by the kernel.
// No attrs.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "backend/core/op_registry.h"
#include "backend/core/ops/broadcast.h"
#include "backend/core/ops/op_families.h"
#include "backend/core/status_macros.h"

namespace remotek {
namespace {

absl::StatusOr<InferResult> SameAsX(const InferContext& ctx) {
  REMOTEK_RETURN_IF_ERROR(AttrReader(ctx.op, ctx.attrs).OnlyKnown({}));
  return InferResult{ctx.inputs[0], {}};
}

absl::StatusOr<InferResult> SumToShapeOfInfer(const InferContext& ctx) {
  REMOTEK_RETURN_IF_ERROR(AttrReader(ctx.op, ctx.attrs).OnlyKnown({}));
  const TensorSpec& g = ctx.inputs[0];
  const TensorSpec& x = ctx.inputs[1];
  if (!IsNumeric(g.dtype)) {
    return absl::InvalidArgumentError(absl::StrCat(
        ctx.op, ": g has dtype ", DTypeName(g.dtype), "; expected a numeric dtype"));
  }
  const auto refuse = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat(ctx.op, ": x of shape ", x.shape.ToString(),
                     " does not broadcast to g of shape ", g.shape.ToString()));
  };
  if (x.shape.rank() > g.shape.rank()) return refuse();
  const int offset = g.shape.rank() - x.shape.rank();
  for (int i = 0; i < x.shape.rank(); ++i) {
    const int64_t xd = x.shape.dim(i);
    const int64_t gd = g.shape.dim(i + offset);
    if (xd != kUnknownDim && gd != kUnknownDim && xd != 1 && xd != gd) {
      return refuse();
    }
  }
  return InferResult{{g.dtype, x.shape}, {}};
}

absl::StatusOr<InferResult> ReshapeLikeInfer(const InferContext& ctx) {
  REMOTEK_RETURN_IF_ERROR(AttrReader(ctx.op, ctx.attrs).OnlyKnown({}));
  const TensorSpec& a = ctx.inputs[0];
  const TensorSpec& b = ctx.inputs[1];
  if (a.shape.IsFullyDefined() && b.shape.IsFullyDefined()) {
    REMOTEK_ASSIGN_OR_RETURN(int64_t na, a.shape.NumElements());
    REMOTEK_ASSIGN_OR_RETURN(int64_t nb, b.shape.NumElements());
    if (na != nb) {
      return absl::InvalidArgumentError(absl::StrCat(
          ctx.op, ": a of shape ", a.shape.ToString(), " has ", na,
          " elements but b of shape ", b.shape.ToString(), " has ", nb));
    }
  }
  return InferResult{{a.dtype, b.shape}, {}};
}

absl::StatusOr<InferResult> ScatterSumInfer(const InferContext& ctx) {
  REMOTEK_RETURN_IF_ERROR(AttrReader(ctx.op, ctx.attrs).OnlyKnown({}));
  const TensorSpec& g = ctx.inputs[0];
  const TensorSpec& indices = ctx.inputs[1];
  const TensorSpec& x = ctx.inputs[2];
  if (!IsNumeric(g.dtype)) {
    return absl::InvalidArgumentError(absl::StrCat(
        ctx.op, ": g has dtype ", DTypeName(g.dtype), "; expected a numeric dtype"));
  }
  if (indices.dtype != DType::kInt32 && indices.dtype != DType::kInt64) {
    return absl::InvalidArgumentError(absl::StrCat(
        ctx.op, ": indices has dtype ", DTypeName(indices.dtype), ", expected int32 or int64"));
  }
  if (x.shape.rank() == 0) {
    return absl::InvalidArgumentError(absl::StrCat(ctx.op, ": x must have rank >= 1"));
  }
  std::vector<int64_t> want = indices.shape.dims();
  want.insert(want.end(), x.shape.dims().begin() + 1, x.shape.dims().end());
  if (!g.shape.IsCompatibleWith(Shape(want))) {
    return absl::InvalidArgumentError(absl::StrCat(
        ctx.op, ": g has shape ", g.shape.ToString(), ", expected ", Shape(want).ToString()));
  }
  return InferResult{{g.dtype, x.shape}, {}};
}

}  // namespace

void RegisterGradientOps(OpRegistry& registry) {
  registry.Register({.name = "ones_like", .infer = SameAsX,
                     .summary = "K.ones_like(x): ones of x's dtype and shape"});
  registry.Register({.name = "zeros_like", .infer = SameAsX,
                     .summary = "K.zeros_like(x): zeros of x's dtype and shape"});
  registry.Register({.name = "stop_gradient", .infer = SameAsX,
                     .aliases_input = true, .widen_float16 = false,
                     .summary = "K.stop_gradient(x): x, with no gradient through it"});
  registry.Register({.name = "sum_to_shape_of", .min_inputs = 2, .max_inputs = 2,
                     .infer = SumToShapeOfInfer,
                     .summary = "internal (gradients): g summed down to x's "
                                "runtime shape, undoing a broadcast"});
  registry.Register({.name = "scatter_sum_to_shape_of", .min_inputs = 3, .max_inputs = 3,
                     .infer = ScatterSumInfer,
                     .summary = "internal (gradients): rows of g summed into "
                                "zeros of x's shape at indices"});
  registry.Register({.name = "reshape_like", .min_inputs = 2, .max_inputs = 2,
                     .infer = ReshapeLikeInfer, .aliases_input = true,
                     .widen_float16 = false,
                     .summary = "internal (gradients): a's data under b's "
                                "runtime shape"});
}

}  // namespace remotek
