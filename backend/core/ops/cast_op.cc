// cast(x, dtype): x converted to the named Keras dtype by the rules in
// backend/core/cast.h (float -> int truncates and saturates, NaN -> 0; int ->
// int wraps; -> bool is x != 0). Any input dtype, float16 included: the
// kernel converts directly, so the op opts out of float16 widening.
// Canonical attrs: {dtype: the dtype's name}.
#include "absl/strings/str_cat.h"
#include "backend/core/op_registry.h"
#include "backend/core/ops/op_families.h"
#include "backend/core/status_macros.h"

namespace remotek {
namespace {

absl::StatusOr<InferResult> CastInfer(const InferContext& ctx) {
  AttrReader attrs(ctx.op, ctx.attrs);
  REMOTEK_RETURN_IF_ERROR(attrs.OnlyKnown({"dtype"}));
  if (!attrs.Has("dtype")) {
    return absl::InvalidArgumentError(
        absl::StrCat(ctx.op, ": attribute dtype is required"));
  }
  REMOTEK_ASSIGN_OR_RETURN(std::string name, attrs.String("dtype", ""));
  absl::StatusOr<DType> dtype = ParseDType(name);
  if (!dtype.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(ctx.op, ": ", dtype.status().message()));
  }
  InferResult result;
  result.output = {*dtype, ctx.inputs[0].shape};
  result.attrs["dtype"] = std::string(DTypeName(*dtype));
  return result;
}

}  // namespace

void RegisterCastOp(OpRegistry& registry) {
  registry.Register(
      OpDef{.name = "cast",
            .infer = CastInfer,
            .widen_float16 = false,
            .summary = "x converted to dtype (truncating, saturating)"});
}

}  // namespace remotek
