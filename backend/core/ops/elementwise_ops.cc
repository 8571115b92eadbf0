// Broadcasting binary ops (arithmetic, comparison, logical) and logical_not.
//
// Every binary op takes x and y of one dtype (mixed dtypes are refused, as
// TensorFlow refuses them) and broadcasts them by numpy's rules. No attrs.
//   arithmetic  add subtract multiply divide maximum minimum pow: numeric
//               dtypes; output x's dtype, except divide on integers, which
//               is true division like tf.math.divide: int8/int16/uint8 ->
//               float32, int32/int64 -> float64.
//   comparison  equal not_equal (numeric or bool) greater greater_equal less
//               less_equal (numeric): output bool.
//   logical     logical_and logical_or, logical_not (unary): bool only.
// Integer add/subtract/multiply/pow wrap modulo 2^bits. pow on integers with a
// negative exponent gives the truncated true result: 1 for x == 1, +-1 for
// x == -1 (by the exponent's parity) and 0 otherwise, including x == 0.
// maximum/minimum return NaN when either float operand is NaN, like tf.
#include "absl/strings/str_cat.h"
#include "backend/core/op_registry.h"
#include "backend/core/ops/broadcast.h"
#include "backend/core/ops/op_families.h"
#include "backend/core/status_macros.h"

namespace remotek {
namespace {

enum class Accepts { kNumeric, kNumericOrBool, kBool };
enum class Output { kSame, kBool, kTrueDivide };

bool Allowed(Accepts accepts, DType dtype) {
  switch (accepts) {
    case Accepts::kNumeric:
      return IsNumeric(dtype);
    case Accepts::kNumericOrBool:
      return IsNumeric(dtype) || dtype == DType::kBool;
    case Accepts::kBool:
      return dtype == DType::kBool;
  }
  return false;
}

const char* Expected(Accepts accepts) {
  switch (accepts) {
    case Accepts::kNumeric:
      return "a numeric dtype";
    case Accepts::kNumericOrBool:
      return "a numeric or bool dtype";
    case Accepts::kBool:
      return "bool";
  }
  return "";
}

// The output dtype of divide: floats keep theirs; integers divide as floats.
DType TrueDivideDType(DType dtype) {
  switch (dtype) {
    case DType::kInt8:
    case DType::kInt16:
    case DType::kUInt8:
      return DType::kFloat32;
    case DType::kInt32:
    case DType::kInt64:
      return DType::kFloat64;
    default:
      return dtype;
  }
}

absl::Status CheckDType(const InferContext& ctx, const char* arg, DType dtype,
                        Accepts accepts) {
  if (Allowed(accepts, dtype)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(ctx.op, ": ", arg, " has dtype ", DTypeName(dtype),
                   "; expected ", Expected(accepts)));
}

InferFn BinaryInfer(Accepts accepts, Output output) {
  return [accepts,
          output](const InferContext& ctx) -> absl::StatusOr<InferResult> {
    REMOTEK_RETURN_IF_ERROR(AttrReader(ctx.op, ctx.attrs).OnlyKnown({}));
    const TensorSpec& x = ctx.inputs[0];
    const TensorSpec& y = ctx.inputs[1];
    if (x.dtype != y.dtype) {
      return absl::InvalidArgumentError(
          absl::StrCat(ctx.op, ": x and y must have the same dtype, got x ",
                       DTypeName(x.dtype), " and y ", DTypeName(y.dtype)));
    }
    REMOTEK_RETURN_IF_ERROR(CheckDType(ctx, "x", x.dtype, accepts));
    REMOTEK_ASSIGN_OR_RETURN(Shape shape,
                             BroadcastShapes(x.shape, y.shape, ctx.op));
    InferResult result;
    result.output.shape = std::move(shape);
    switch (output) {
      case Output::kSame:
        result.output.dtype = x.dtype;
        break;
      case Output::kBool:
        result.output.dtype = DType::kBool;
        break;
      case Output::kTrueDivide:
        result.output.dtype = TrueDivideDType(x.dtype);
        break;
    }
    return result;
  };
}

absl::StatusOr<InferResult> LogicalNotInfer(const InferContext& ctx) {
  REMOTEK_RETURN_IF_ERROR(AttrReader(ctx.op, ctx.attrs).OnlyKnown({}));
  REMOTEK_RETURN_IF_ERROR(
      CheckDType(ctx, "x", ctx.inputs[0].dtype, Accepts::kBool));
  InferResult result;
  result.output = ctx.inputs[0];
  return result;
}

OpDef Binary(const char* name, Accepts accepts, Output output,
             const char* summary) {
  OpDef def;
  def.name = name;
  def.min_inputs = def.max_inputs = 2;
  def.infer = BinaryInfer(accepts, output);
  def.summary = summary;
  return def;
}

}  // namespace

void RegisterElementwiseOps(OpRegistry& registry) {
  using A = Accepts;
  using O = Output;
  registry.Register(Binary("add", A::kNumeric, O::kSame,
                           "x + y, broadcasting; integers wrap"));
  registry.Register(Binary("subtract", A::kNumeric, O::kSame,
                           "x - y, broadcasting; integers wrap"));
  registry.Register(Binary("multiply", A::kNumeric, O::kSame,
                           "x * y, broadcasting; integers wrap"));
  registry.Register(Binary(
      "divide", A::kNumeric, O::kTrueDivide,
      "x / y, broadcasting; true division (integers give float32/float64)"));
  registry.Register(Binary("maximum", A::kNumeric, O::kSame,
                           "elementwise max of x and y; NaN propagates"));
  registry.Register(Binary("minimum", A::kNumeric, O::kSame,
                           "elementwise min of x and y; NaN propagates"));
  registry.Register(Binary("pow", A::kNumeric, O::kSame,
                           "x ** y, broadcasting; integers wrap, negative "
                           "integer exponents truncate"));
  registry.Register(Binary("equal", A::kNumericOrBool, O::kBool,
                           "x == y, broadcasting, as bool"));
  registry.Register(Binary("not_equal", A::kNumericOrBool, O::kBool,
                           "x != y, broadcasting, as bool"));
  registry.Register(
      Binary("greater", A::kNumeric, O::kBool, "x > y, broadcasting, as bool"));
  registry.Register(Binary("greater_equal", A::kNumeric, O::kBool,
                           "x >= y, broadcasting, as bool"));
  registry.Register(
      Binary("less", A::kNumeric, O::kBool, "x < y, broadcasting, as bool"));
  registry.Register(Binary("less_equal", A::kNumeric, O::kBool,
                           "x <= y, broadcasting, as bool"));
  registry.Register(Binary("logical_and", A::kBool, O::kBool,
                           "x AND y on bool tensors, broadcasting"));
  registry.Register(Binary("logical_or", A::kBool, O::kBool,
                           "x OR y on bool tensors, broadcasting"));
  registry.Register(OpDef{.name = "logical_not",
                          .infer = LogicalNotInfer,
                          .summary = "NOT x on a bool tensor"});
}

}  // namespace remotek
