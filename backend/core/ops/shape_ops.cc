// Shape ops, Keras 2.3 semantics (x is input 0):
//   reshape(shape)           list, at most one -1          [aliases x]
//   flatten()                -> (n,)                       [aliases x]
//   batch_flatten()          -> (d0, prod(rest)); scalar -> (1, 1)  [aliases x]
//   expand_dims(axis=-1)     axis in [-(rank+1), rank]     [aliases x]
//   squeeze(axis)            required; that dim must be 1  [aliases x]
//   permute_dimensions(pattern)  a permutation of the axes (negatives allowed)
//   concatenate(axis=-1)     >= 1 inputs, same dtype and rank, other dims equal
//   stack(axis=0)            >= 1 inputs, same dtype and shape
//   tile(n)                  int or list; shorter lists are padded with leading
//                            1s as Keras 2.3 does, longer ones refused
//   repeat(n)                x (samples, dim) -> (samples, n, dim)
//   slice(start, size)       as tf.slice; size -1 means to the end of the dim
// Any dtype. These ops only move bytes, so their kernels must handle every
// dtype by element size, float16 included (widen_float16 = false: no casts
// around them).
//
// Canonical attrs: reshape shape = the output dims (-1 only where statically
// unknown); expand_dims/squeeze/concatenate/stack axis normalised to >= 0;
// permute_dimensions pattern normalised; tile n padded to the rank; repeat n;
// slice start and size with every -1 resolved where the dim is known.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "backend/core/op_registry.h"
#include "backend/core/ops/op_families.h"
#include "backend/core/status_macros.h"

namespace remotek {
namespace {

std::string List(absl::Span<const int64_t> v) {
  return absl::StrCat("[", absl::StrJoin(v, ", "), "]");
}

absl::Status CheckOutputDims(const std::string& op,
                             const std::vector<int64_t>& dims) {
  return ValidateDims(dims, /*allow_unknown=*/true,
                      absl::StrCat(op, ": output shape"));
}

// Product of the known dims of `dims`; `all_known` says whether there were
// unknown ones. INVALID_ARGUMENT on overflow.
absl::StatusOr<int64_t> KnownProduct(const std::string& op,
                                     absl::Span<const int64_t> dims,
                                     bool* all_known) {
  int64_t n = 1;
  *all_known = true;
  for (int64_t d : dims) {
    if (d == kUnknownDim) {
      *all_known = false;
    } else if (!CheckedMul(n, d, &n)) {
      return absl::InvalidArgumentError(absl::StrCat(
          op, ": ", List(dims), " has more elements than fit in int64"));
    }
  }
  return n;
}

InferResult Result(DType dtype, std::vector<int64_t> dims, AttrMap attrs = {}) {
  InferResult r;
  r.output = {dtype, Shape(std::move(dims))};
  r.attrs = std::move(attrs);
  return r;
}

// ---- reshape and the other aliasing ops ----

// Resolves `target` (at most one -1) against x's static or concrete shape.
absl::StatusOr<std::vector<int64_t>> ResolveReshape(
    const std::string& op, const Shape& x, std::vector<int64_t> target) {
  if (target.size() > static_cast<size_t>(kMaxRank)) {
    return absl::InvalidArgumentError(
        absl::StrCat(op, ": shape=", List(target),
                     " has rank above the limit of ", kMaxRank));
  }
  int infer_at = -1;
  int64_t known = 1;
  for (size_t i = 0; i < target.size(); ++i) {
    const int64_t d = target[i];
    if (d == -1) {
      if (infer_at >= 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            op, ": shape=", List(target), " has more than one -1"));
      }
      infer_at = static_cast<int>(i);
    } else if (d < -1) {
      return absl::InvalidArgumentError(
          absl::StrCat(op, ": shape[", i, "]=", d,
                       " is negative (only -1, to infer one dim)"));
    } else if (!CheckedMul(known, d, &known)) {
      return absl::InvalidArgumentError(
          absl::StrCat(op, ": shape=", List(target),
                       " has more elements than fit in int64"));
    }
  }
  if (infer_at >= 0 && known == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(op, ": cannot infer the -1 in shape=", List(target),
                     " when the other dims hold 0 elements"));
  }
  bool x_known = false;
  REMOTEK_ASSIGN_OR_RETURN(int64_t n, KnownProduct(op, x.dims(), &x_known));
  const auto mismatch = [&](const std::string& what) {
    return absl::InvalidArgumentError(
        absl::StrCat(op, ": cannot reshape x of shape ", x.ToString(), " (",
                     what, ") into shape=", List(target)));
  };
  if (x_known) {
    if (infer_at >= 0) {
      if (n % known != 0) return mismatch(absl::StrCat(n, " elements"));
      target[infer_at] = n / known;
    } else if (n != known) {
      return mismatch(absl::StrCat(n, " elements"));
    }
    return target;
  }
  // Unknown dims in x: its count is a multiple of the known dims' product.
  if (infer_at < 0 && ((n == 0 && known != 0) || (n != 0 && known % n != 0))) {
    return mismatch(absl::StrCat("a multiple of ", n, " elements"));
  }
  return target;  // a -1 left in place is an unknown dim
}

absl::StatusOr<InferResult> InferReshape(const InferContext& ctx) {
  AttrReader reader(ctx.op, ctx.attrs);
  REMOTEK_RETURN_IF_ERROR(reader.OnlyKnown({"shape"}));
  REMOTEK_ASSIGN_OR_RETURN(std::vector<int64_t> target,
                           reader.RequiredInts("shape"));
  REMOTEK_ASSIGN_OR_RETURN(std::vector<int64_t> dims,
                           ResolveReshape(ctx.op, ctx.inputs[0].shape, target));
  return Result(ctx.inputs[0].dtype, dims, {{"shape", dims}});
}

absl::StatusOr<InferResult> InferFlatten(const InferContext& ctx) {
  REMOTEK_RETURN_IF_ERROR(AttrReader(ctx.op, ctx.attrs).OnlyKnown({}));
  bool known = false;
  REMOTEK_ASSIGN_OR_RETURN(
      int64_t n, KnownProduct(ctx.op, ctx.inputs[0].shape.dims(), &known));
  return Result(ctx.inputs[0].dtype, {known ? n : kUnknownDim});
}

// K.batch_flatten reshapes to [-1, prod(shape[1:])]; we keep d0 as is, which
// agrees wherever TF succeeds and also covers prod(rest) == 0.
absl::StatusOr<InferResult> InferBatchFlatten(const InferContext& ctx) {
  REMOTEK_RETURN_IF_ERROR(AttrReader(ctx.op, ctx.attrs).OnlyKnown({}));
  const Shape& x = ctx.inputs[0].shape;
  if (x.rank() == 0) return Result(ctx.inputs[0].dtype, {1, 1});
  bool known = false;
  REMOTEK_ASSIGN_OR_RETURN(
      int64_t rest,
      KnownProduct(ctx.op, absl::MakeConstSpan(x.dims()).subspan(1), &known));
  return Result(ctx.inputs[0].dtype, {x.dim(0), known ? rest : kUnknownDim});
}

absl::StatusOr<InferResult> InferExpandDims(const InferContext& ctx) {
  AttrReader reader(ctx.op, ctx.attrs);
  REMOTEK_RETURN_IF_ERROR(reader.OnlyKnown({"axis"}));
  REMOTEK_ASSIGN_OR_RETURN(int64_t axis, reader.Int("axis", -1));
  const Shape& x = ctx.inputs[0].shape;
  const int rank = x.rank();
  if (axis < -(rank + 1) || axis > rank) {
    return absl::InvalidArgumentError(
        absl::StrCat(ctx.op, ": axis=", axis, " is out of range for x of rank ",
                     rank, " (valid: [", -(rank + 1), ", ", rank, "])"));
  }
  if (axis < 0) axis += rank + 1;
  std::vector<int64_t> dims = x.dims();
  dims.insert(dims.begin() + axis, 1);
  REMOTEK_RETURN_IF_ERROR(CheckOutputDims(ctx.op, dims));
  return Result(ctx.inputs[0].dtype, dims, {{"axis", axis}});
}

absl::StatusOr<InferResult> InferSqueeze(const InferContext& ctx) {
  AttrReader reader(ctx.op, ctx.attrs);
  REMOTEK_RETURN_IF_ERROR(reader.OnlyKnown({"axis"}));
  REMOTEK_ASSIGN_OR_RETURN(int64_t raw, reader.RequiredInt("axis"));
  const Shape& x = ctx.inputs[0].shape;
  REMOTEK_ASSIGN_OR_RETURN(int axis,
                           NormalizeAxis(raw, x.rank(), ctx.op, "axis"));
  if (x.dim(axis) != 1 && x.dim(axis) != kUnknownDim) {
    return absl::InvalidArgumentError(absl::StrCat(
        ctx.op, ": axis=", raw, " has size ", x.dim(axis), " in x of shape ",
        x.ToString(), "; only a dim of size 1 can be squeezed"));
  }
  std::vector<int64_t> dims = x.dims();
  dims.erase(dims.begin() + axis);
  return Result(ctx.inputs[0].dtype, dims, {{"axis", int64_t{axis}}});
}

// ---- ops that move data ----

absl::StatusOr<InferResult> InferPermute(const InferContext& ctx) {
  AttrReader reader(ctx.op, ctx.attrs);
  REMOTEK_RETURN_IF_ERROR(reader.OnlyKnown({"pattern"}));
  REMOTEK_ASSIGN_OR_RETURN(std::vector<int64_t> pattern,
                           reader.RequiredInts("pattern"));
  const Shape& x = ctx.inputs[0].shape;
  if (static_cast<int>(pattern.size()) != x.rank()) {
    return absl::InvalidArgumentError(
        absl::StrCat(ctx.op, ": pattern=", List(pattern), " has ",
                     pattern.size(), " entries but x has rank ", x.rank()));
  }
  std::vector<int64_t> normalised(pattern.size());
  std::vector<int64_t> dims(pattern.size());
  std::vector<bool> seen(pattern.size(), false);
  for (size_t i = 0; i < pattern.size(); ++i) {
    REMOTEK_ASSIGN_OR_RETURN(int axis,
                             NormalizeAxis(pattern[i], x.rank(), ctx.op,
                                           absl::StrCat("pattern[", i, "]")));
    if (seen[axis]) {
      return absl::InvalidArgumentError(absl::StrCat(
          ctx.op, ": pattern=", List(pattern), " is not a permutation (axis ",
          axis, " appears twice)"));
    }
    seen[axis] = true;
    normalised[i] = axis;
    dims[i] = x.dim(axis);
  }
  return Result(ctx.inputs[0].dtype, dims, {{"pattern", normalised}});
}

// Checks that every input has input 0's dtype and rank and that their dims
// agree except on `skip_axis` (-1: none); returns the merged dims (a known
// dim wins over an unknown one).
absl::StatusOr<std::vector<int64_t>> MergeInputs(const InferContext& ctx,
                                                 int skip_axis) {
  const TensorSpec& first = ctx.inputs[0];
  std::vector<int64_t> dims = first.shape.dims();
  for (size_t i = 1; i < ctx.inputs.size(); ++i) {
    const TensorSpec& in = ctx.inputs[i];
    if (in.dtype != first.dtype) {
      return absl::InvalidArgumentError(absl::StrCat(
          ctx.op, ": input ", i, " has dtype ", DTypeName(in.dtype),
          " but input 0 has ", DTypeName(first.dtype)));
    }
    if (in.shape.rank() != first.shape.rank()) {
      return absl::InvalidArgumentError(absl::StrCat(
          ctx.op, ": input ", i, " has rank ", in.shape.rank(),
          " but input 0 has rank ", first.shape.rank(), " (shapes ",
          in.shape.ToString(), " and ", first.shape.ToString(), ")"));
    }
    for (int k = 0; k < in.shape.rank(); ++k) {
      if (k == skip_axis) continue;
      const int64_t d = in.shape.dim(k);
      if (d == kUnknownDim) continue;
      if (dims[k] != kUnknownDim && dims[k] != d) {
        return absl::InvalidArgumentError(
            absl::StrCat(ctx.op, ": input ", i, " has shape ",
                         in.shape.ToString(), " which differs from input 0's ",
                         first.shape.ToString(), " in dim ", k));
      }
      dims[k] = d;
    }
  }
  return dims;
}

absl::StatusOr<InferResult> InferConcatenate(const InferContext& ctx) {
  AttrReader reader(ctx.op, ctx.attrs);
  REMOTEK_RETURN_IF_ERROR(reader.OnlyKnown({"axis"}));
  REMOTEK_ASSIGN_OR_RETURN(int64_t raw, reader.Int("axis", -1));
  const int rank = ctx.inputs[0].shape.rank();
  if (rank == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        ctx.op, ": cannot concatenate scalars (input 0 has rank 0)"));
  }
  REMOTEK_ASSIGN_OR_RETURN(int axis, NormalizeAxis(raw, rank, ctx.op, "axis"));
  REMOTEK_ASSIGN_OR_RETURN(std::vector<int64_t> dims, MergeInputs(ctx, axis));
  int64_t total = 0;
  for (const TensorSpec& in : ctx.inputs) {
    const int64_t d = in.shape.dim(axis);
    if (d == kUnknownDim) {
      total = kUnknownDim;
      break;
    }
    if (__builtin_add_overflow(total, d, &total)) {
      return absl::InvalidArgumentError(absl::StrCat(
          ctx.op, ": the sizes along axis=", raw, " add up past int64"));
    }
  }
  dims[axis] = total;
  REMOTEK_RETURN_IF_ERROR(CheckOutputDims(ctx.op, dims));
  return Result(ctx.inputs[0].dtype, dims, {{"axis", int64_t{axis}}});
}

absl::StatusOr<InferResult> InferStack(const InferContext& ctx) {
  AttrReader reader(ctx.op, ctx.attrs);
  REMOTEK_RETURN_IF_ERROR(reader.OnlyKnown({"axis"}));
  REMOTEK_ASSIGN_OR_RETURN(int64_t axis, reader.Int("axis", 0));
  const int rank = ctx.inputs[0].shape.rank();
  if (axis < -(rank + 1) || axis > rank) {
    return absl::InvalidArgumentError(absl::StrCat(
        ctx.op, ": axis=", axis, " is out of range for inputs of rank ", rank,
        " (valid: [", -(rank + 1), ", ", rank, "])"));
  }
  if (axis < 0) axis += rank + 1;
  REMOTEK_ASSIGN_OR_RETURN(std::vector<int64_t> dims, MergeInputs(ctx, -1));
  dims.insert(dims.begin() + axis, static_cast<int64_t>(ctx.inputs.size()));
  REMOTEK_RETURN_IF_ERROR(CheckOutputDims(ctx.op, dims));
  return Result(ctx.inputs[0].dtype, dims, {{"axis", axis}});
}

absl::StatusOr<InferResult> InferTile(const InferContext& ctx) {
  AttrReader reader(ctx.op, ctx.attrs);
  REMOTEK_RETURN_IF_ERROR(reader.OnlyKnown({"n"}));
  REMOTEK_ASSIGN_OR_RETURN(std::vector<int64_t> n, reader.RequiredInts("n"));
  const Shape& x = ctx.inputs[0].shape;
  if (static_cast<int>(n.size()) > x.rank()) {
    return absl::InvalidArgumentError(
        absl::StrCat(ctx.op, ": n=", List(n), " has ", n.size(),
                     " entries but x has rank ", x.rank()));
  }
  n.insert(n.begin(), x.rank() - n.size(), 1);  // Keras pads with leading 1s
  std::vector<int64_t> dims(x.rank());
  for (int k = 0; k < x.rank(); ++k) {
    if (n[k] < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(ctx.op, ": n[", k, "]=", n[k], " is negative"));
    }
    const int64_t d = x.dim(k);
    if (d == kUnknownDim) {
      dims[k] = n[k] == 0 ? 0 : kUnknownDim;
    } else if (!CheckedMul(d, n[k], &dims[k])) {
      return absl::InvalidArgumentError(
          absl::StrCat(ctx.op, ": dim ", k, " of size ", d, " times n[", k,
                       "]=", n[k], " overflows int64"));
    }
  }
  REMOTEK_RETURN_IF_ERROR(CheckOutputDims(ctx.op, dims));
  return Result(ctx.inputs[0].dtype, dims, {{"n", n}});
}

absl::StatusOr<InferResult> InferRepeat(const InferContext& ctx) {
  AttrReader reader(ctx.op, ctx.attrs);
  REMOTEK_RETURN_IF_ERROR(reader.OnlyKnown({"n"}));
  REMOTEK_ASSIGN_OR_RETURN(int64_t n, reader.RequiredInt("n"));
  const Shape& x = ctx.inputs[0].shape;
  if (x.rank() != 2) {
    return absl::InvalidArgumentError(
        absl::StrCat(ctx.op, ": x must have rank 2 (samples, dim), got shape ",
                     x.ToString()));
  }
  if (n < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(ctx.op, ": n=", n, " is negative"));
  }
  std::vector<int64_t> dims = {x.dim(0), n, x.dim(1)};
  REMOTEK_RETURN_IF_ERROR(CheckOutputDims(ctx.op, dims));
  return Result(ctx.inputs[0].dtype, dims, {{"n", n}});
}

absl::StatusOr<InferResult> InferSlice(const InferContext& ctx) {
  AttrReader reader(ctx.op, ctx.attrs);
  REMOTEK_RETURN_IF_ERROR(reader.OnlyKnown({"start", "size"}));
  REMOTEK_ASSIGN_OR_RETURN(std::vector<int64_t> start,
                           reader.RequiredInts("start"));
  REMOTEK_ASSIGN_OR_RETURN(std::vector<int64_t> size,
                           reader.RequiredInts("size"));
  const Shape& x = ctx.inputs[0].shape;
  for (const auto& [name, v] :
       {std::pair{"start", &start}, std::pair{"size", &size}}) {
    if (static_cast<int>(v->size()) != x.rank()) {
      return absl::InvalidArgumentError(
          absl::StrCat(ctx.op, ": ", name, "=", List(*v), " has ", v->size(),
                       " entries but x has rank ", x.rank()));
    }
  }
  for (int k = 0; k < x.rank(); ++k) {
    if (start[k] < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(ctx.op, ": start[", k, "]=", start[k], " is negative"));
    }
    if (size[k] < -1) {
      return absl::InvalidArgumentError(
          absl::StrCat(ctx.op, ": size[", k, "]=", size[k],
                       " is invalid (>= 0, or -1 for the rest of the dim)"));
    }
    const int64_t d = x.dim(k);
    if (d == kUnknownDim) continue;
    if (start[k] > d) {
      return absl::InvalidArgumentError(absl::StrCat(
          ctx.op, ": start[", k, "]=", start[k], " is out of range for dim ", k,
          " of size ", d, " in x of shape ", x.ToString()));
    }
    if (size[k] == -1) {
      size[k] = d - start[k];
    } else if (size[k] > d - start[k]) {
      return absl::InvalidArgumentError(
          absl::StrCat(ctx.op, ": start[", k, "]=", start[k], " + size[", k,
                       "]=", size[k], " runs past dim ", k, " of size ", d,
                       " in x of shape ", x.ToString()));
    }
  }
  return Result(ctx.inputs[0].dtype, size, {{"start", start}, {"size", size}});
}

OpDef ShapeOp(std::string name, InferFn infer, bool aliases, int max_inputs,
              std::string summary) {
  OpDef def;
  def.name = std::move(name);
  def.max_inputs = max_inputs;
  def.infer = std::move(infer);
  def.aliases_input = aliases;
  def.widen_float16 = false;  // kernels move bytes of any dtype
  def.summary = std::move(summary);
  return def;
}

OpDef Alias(std::string name, InferFn infer, std::string summary) {
  return ShapeOp(std::move(name), std::move(infer), true, 1,
                 std::move(summary));
}

OpDef Mover(std::string name, InferFn infer, std::string summary) {
  return ShapeOp(std::move(name), std::move(infer), false, 1,
                 std::move(summary));
}

OpDef Joiner(std::string name, InferFn infer, std::string summary) {
  return ShapeOp(std::move(name), std::move(infer), false, kVariadic,
                 std::move(summary));
}

}  // namespace

void RegisterShapeOps(OpRegistry& registry) {
  registry.Register(Alias(
      "reshape", InferReshape,
      "K.reshape(x, shape): same data under a new shape (one -1 inferred)"));
  registry.Register(Alias("flatten", InferFlatten,
                          "K.flatten(x): same data as a 1-D tensor"));
  registry.Register(
      Alias("batch_flatten", InferBatchFlatten,
            "K.batch_flatten(x): (d0, prod(rest)) keeping the batch dim"));
  registry.Register(
      Alias("expand_dims", InferExpandDims,
            "K.expand_dims(x, axis=-1): inserts a dim of size 1 at axis"));
  registry.Register(
      Alias("squeeze", InferSqueeze,
            "K.squeeze(x, axis): removes the size-1 dim at axis"));
  registry.Register(Mover("permute_dimensions", InferPermute,
                          "K.permute_dimensions(x, pattern): transposes x by a "
                          "permutation of its axes"));
  registry.Register(Joiner(
      "concatenate", InferConcatenate,
      "K.concatenate(tensors, axis=-1): joins tensors along an existing axis"));
  registry.Register(Joiner(
      "stack", InferStack,
      "K.stack(x, axis=0): joins equal-shaped tensors along a new axis"));
  registry.Register(
      Mover("tile", InferTile,
            "K.tile(x, n): repeats x n[k] times along each axis k"));
  registry.Register(
      Mover("repeat", InferRepeat,
            "K.repeat(x, n): (samples, dim) -> (samples, n, dim)"));
  registry.Register(Mover("slice", InferSlice,
                          "K.slice(x, start, size): the block at start of the "
                          "given size (-1: to the end)"));
}

}  // namespace remotek
