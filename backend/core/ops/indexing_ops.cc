// Indexing ops, Keras 2.3 semantics:
//   gather(reference, indices)  tf.gather along axis 0: output dtype of
//       reference, shape indices.shape + reference.shape[1:]; indices int32 or
//       int64; reference any dtype of rank >= 1. An index outside
//       [0, reference.shape[0]) is data, not shape, so it is the kernel that
//       refuses it (INVALID_ARGUMENT naming the index and its value).
//   one_hot(indices, num_classes)  tf.one_hot(depth=num_classes, axis=-1):
//       integer indices (int8..int64, uint8), output float32 of shape
//       indices.shape + (num_classes,); an index outside [0, num_classes)
//       gives an all-zero row.
// Canonical attrs: gather none; one_hot num_classes.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "backend/core/op_registry.h"
#include "backend/core/ops/op_families.h"
#include "backend/core/status_macros.h"

namespace remotek {
namespace {

absl::Status CheckOutputDims(const std::string& op,
                             const std::vector<int64_t>& dims) {
  return ValidateDims(dims, /*allow_unknown=*/true,
                      absl::StrCat(op, ": output shape"));
}

absl::StatusOr<InferResult> InferGather(const InferContext& ctx) {
  REMOTEK_RETURN_IF_ERROR(AttrReader(ctx.op, ctx.attrs).OnlyKnown({}));
  const TensorSpec& reference = ctx.inputs[0];
  const TensorSpec& indices = ctx.inputs[1];
  if (indices.dtype != DType::kInt32 && indices.dtype != DType::kInt64) {
    return absl::InvalidArgumentError(
        absl::StrCat(ctx.op, ": indices has dtype ", DTypeName(indices.dtype),
                     ", expected int32 or int64"));
  }
  if (reference.shape.rank() == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(ctx.op, ": reference must have rank >= 1, got a scalar"));
  }
  std::vector<int64_t> dims = indices.shape.dims();
  dims.insert(dims.end(), reference.shape.dims().begin() + 1,
              reference.shape.dims().end());
  REMOTEK_RETURN_IF_ERROR(CheckOutputDims(ctx.op, dims));
  InferResult result;
  result.output = {reference.dtype, Shape(std::move(dims))};
  return result;
}

absl::StatusOr<InferResult> InferOneHot(const InferContext& ctx) {
  AttrReader reader(ctx.op, ctx.attrs);
  REMOTEK_RETURN_IF_ERROR(reader.OnlyKnown({"num_classes"}));
  REMOTEK_ASSIGN_OR_RETURN(int64_t num_classes,
                           reader.RequiredInt("num_classes"));
  const TensorSpec& indices = ctx.inputs[0];
  if (!IsInteger(indices.dtype)) {
    return absl::InvalidArgumentError(
        absl::StrCat(ctx.op, ": indices has dtype ", DTypeName(indices.dtype),
                     ", expected an integer dtype"));
  }
  if (num_classes < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(ctx.op, ": num_classes=", num_classes, " is negative"));
  }
  std::vector<int64_t> dims = indices.shape.dims();
  dims.push_back(num_classes);
  REMOTEK_RETURN_IF_ERROR(CheckOutputDims(ctx.op, dims));
  InferResult result;
  result.output = {DType::kFloat32, Shape(std::move(dims))};
  result.attrs["num_classes"] = num_classes;
  return result;
}

}  // namespace

void RegisterIndexingOps(OpRegistry& registry) {
  registry.Register(
      {.name = "gather",
       .min_inputs = 2,
       .max_inputs = 2,
       .infer = InferGather,
       .widen_float16 = false,  // the kernel moves bytes of any dtype
       .summary =
           "K.gather(reference, indices): rows of reference along axis 0"});
  registry.Register({.name = "one_hot",
                     .infer = InferOneHot,
                     .summary = "K.one_hot(indices, num_classes): float32 "
                                "one-hot rows; out-of-range gives zeros"});
}

}  // namespace remotek
