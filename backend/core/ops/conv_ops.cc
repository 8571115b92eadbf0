// The convolution family, Keras 2.3 / tf.keras backend semantics (TensorFlow
// backend). All three take float16 (widened to float32 for the kernel),
// float32 or float64; every input has the same dtype, which is the output's.
//
//   conv2d(x, kernel, strides=(1, 1), padding='valid', data_format=None,
//          dilation_rate=(1, 1))
//       tf.nn.convolution: cross-correlation (the kernel is not flipped).
//       x is (N, rows, cols, C) for channels_last, (N, C, rows, cols) for
//       channels_first; kernel is always (k_rows, k_cols, C, filters); the
//       output is (N, out_rows, out_cols, filters) or (N, filters, out_rows,
//       out_cols) in x's data format. Padding is TensorFlow's (see
//       conv_geometry.h): 'same' gives ceil(in / stride) with the odd padded
//       cell after; 'valid' refuses a window larger than x. strides > 1
//       together with dilation_rate > 1 is refused, as TensorFlow does.
//   pool2d(x, pool_size, strides=(1, 1), padding='valid', data_format=None,
//          pool_mode='max')
//       tf.nn.max_pool / avg_pool over the spatial axes; Keras's backend
//       default stride is (1, 1), not pool_size. Padded cells never take
//       part: max is over the window's cells inside x (NaN propagates), and
//       avg divides by the number of those cells (TensorFlow's 'same').
//   bias_add(x, bias, data_format=None)
//       x of rank >= 2. A rank-1 bias of length C is added along the channel
//       axis: axis 1 for channels_first x of rank 3..5, otherwise the last
//       axis (tf.nn.bias_add). For x of rank 3..5 a bias of rank x.rank - 1
//       is also accepted as Keras does: its shape is (spatial..., C) for
//       either data format and it is reshaped (not transposed) onto x's
//       non-batch axes; its dims may be 1 (broadcast), x's may not grow.
//
// data_format absent means the session's image_data_format (Keras's
// normalize_data_format, case-insensitive); strides, dilation_rate and
// pool_size take an int or a pair of ints, each in [1, 2^31 - 1]; padding is
// 'valid' or 'same' exactly (Keras's backend does not lower-case it).
// Unknown dims propagate: an output dim is None when what it depends on is.
//
// The backward ops, ordinary registered ops for the gradient builder, take
// the forward op's attrs, validate the forward inputs exactly as the forward
// op does, and require grad to have the forward output's dtype and shape:
//   conv2d_backprop_input(grad, kernel, x)   d conv2d / d x: x's shape and
//       dtype (only x's shape is read; TensorFlow's Conv2DBackpropInput).
//   conv2d_backprop_filter(grad, x, kernel)  d conv2d / d kernel: kernel's
//       shape (only kernel's shape is read; Conv2DBackpropFilter).
//   pool2d_grad(grad, x)   d pool2d / d x: max routes each window's grad to
//       its first maximal cell in row-major window order (the first NaN when
//       there is one; TensorFlow's CPU MaxPoolGrad), avg spreads grad / count
//       over the window's cells inside x.
//
// Canonical attrs: conv2d and its backward ops {strides, dilation_rate:
// pairs; padding; data_format: "channels_last" | "channels_first"}; pool2d
// and pool2d_grad {pool_size, strides, padding, data_format, pool_mode};
// bias_add {data_format}.
#include <algorithm>
#include <cctype>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "backend/core/op_registry.h"
#include "backend/core/ops/conv_geometry.h"
#include "backend/core/ops/op_families.h"
#include "backend/core/status_macros.h"

namespace remotek {
namespace {

constexpr int64_t kMaxWindowParam = std::numeric_limits<int32_t>::max();

bool Known(int64_t d) { return d != kUnknownDim; }

std::string PairString(const std::vector<int64_t>& v) {
  return absl::StrCat("(", v[0], ", ", v[1], ")");
}

absl::Status CheckFloatInputs(const InferContext& ctx,
                              std::initializer_list<const char*> names) {
  const DType x = ctx.inputs[0].dtype;
  if (!IsFloating(x)) {
    return absl::InvalidArgumentError(
        absl::StrCat(ctx.op, ": x has dtype ", DTypeName(x),
                     ", expected float16, float32 or float64"));
  }
  size_t i = 0;
  for (const char* name : names) {
    const DType d = ctx.inputs[i++].dtype;
    if (d != x) {
      return absl::InvalidArgumentError(
          absl::StrCat(ctx.op, ": ", name, " has dtype ", DTypeName(d),
                       " but x has ", DTypeName(x)));
    }
  }
  return absl::OkStatus();
}

// Keras's normalize_data_format: absent -> the session's image_data_format.
absl::StatusOr<bool> ReadChannelsFirst(const InferContext& ctx) {
  AttrReader reader(ctx.op, ctx.attrs);
  if (!reader.Has("data_format")) {
    return ctx.config.image_data_format == ImageDataFormat::kChannelsFirst;
  }
  REMOTEK_ASSIGN_OR_RETURN(std::string given, reader.String("data_format", ""));
  std::string lower = given;
  for (char& ch : lower)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (lower == "channels_first") return true;
  if (lower == "channels_last") return false;
  return absl::InvalidArgumentError(absl::StrCat(
      ctx.op,
      ": data_format must be \"channels_last\" or \"channels_first\", got \"",
      given, "\""));
}

absl::StatusOr<bool> ReadSame(const InferContext& ctx) {
  REMOTEK_ASSIGN_OR_RETURN(
      std::string padding,
      AttrReader(ctx.op, ctx.attrs).String("padding", "valid"));
  if (padding == "same") return true;
  if (padding == "valid") return false;
  return absl::InvalidArgumentError(
      absl::StrCat(ctx.op, ": padding must be \"valid\" or \"same\", got \"",
                   padding, "\""));
}

// An int or a pair of ints, each in [1, kMaxWindowParam]; `dflt` when absent
// (required when there is no default).
absl::StatusOr<std::vector<int64_t>> ReadPair(const InferContext& ctx,
                                              const char* name,
                                              std::optional<int64_t> dflt) {
  AttrReader reader(ctx.op, ctx.attrs);
  std::vector<int64_t> pair;
  if (!reader.Has(name) && dflt.has_value()) {
    pair = {*dflt, *dflt};
  } else {
    REMOTEK_ASSIGN_OR_RETURN(pair, reader.RequiredInts(name));
  }
  if (pair.size() == 1) pair.push_back(pair[0]);
  if (pair.size() != 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        ctx.op, ": ", name, " must be an int or a pair of ints, got ",
        AttrValueToString(pair)));
  }
  for (int i = 0; i < 2; ++i) {
    if (pair[i] < 1 || pair[i] > kMaxWindowParam) {
      return absl::InvalidArgumentError(
          absl::StrCat(ctx.op, ": ", name, "[", i, "]=", pair[i],
                       " must be in [1, ", kMaxWindowParam, "]"));
    }
  }
  return pair;
}

absl::Status CheckRank4(const InferContext& ctx, int input, const char* name,
                        const char* layout) {
  const Shape& s = ctx.inputs[input].shape;
  if (s.rank() == 4) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(ctx.op, ": ", name,
                                                 " must have rank 4 ", layout,
                                                 ", got shape ", s.ToString()));
}

const char* XLayout(bool channels_first) {
  return channels_first ? "(batch, channels, rows, cols) for channels_first"
                        : "(batch, rows, cols, channels) for channels_last";
}

// What a sliding window needs to size its output.
struct Window {
  int64_t k[2];  // kUnknownDim allowed
  int64_t stride[2];
  int64_t dilation[2];
  bool same;
  std::string what;  // "the kernel window (kernel (3, 3, 4, 8), ...)"
};

// out_rows, out_cols of x under `w`, kUnknownDim where unknown; refuses a
// 'valid' window larger than x and sizes that overflow.
absl::StatusOr<std::vector<int64_t>> SpatialOut(const InferContext& ctx,
                                                const Shape& x,
                                                bool channels_first,
                                                const Window& w) {
  static const char* kAxisNames[2] = {"rows", "cols"};
  std::vector<int64_t> out(2, kUnknownDim);
  for (int i = 0; i < 2; ++i) {
    const int64_t in = x.dim(channels_first ? 2 + i : 1 + i);
    if (!Known(in) || (!w.same && !Known(w.k[i]))) continue;
    const int64_t k = Known(w.k[i]) ? w.k[i] : 1;
    int64_t span = 0;
    if (!CheckedMul(k - 1, w.dilation[i], &span) ||
        span == std::numeric_limits<int64_t>::max()) {
      return absl::InvalidArgumentError(absl::StrCat(
          ctx.op, ": ", w.what, " is too large along the ", kAxisNames[i]));
    }
    SpatialAxis axis;
    if (!ComputeSpatialAxis(in, k, w.stride[i], w.dilation[i], w.same, &axis)) {
      if (!w.same && span + 1 > in) {
        return absl::InvalidArgumentError(absl::StrCat(
            ctx.op, ": with padding \"valid\", ", w.what, " spans ", span + 1,
            " ", kAxisNames[i], " but x of shape ", x.ToString(), " has ", in,
            " ", kAxisNames[i]));
      }
      return absl::InvalidArgumentError(absl::StrCat(
          ctx.op, ": ", w.what, " is too large along the ", kAxisNames[i]));
    }
    out[i] = axis.out;
  }
  return out;
}

absl::StatusOr<std::vector<int64_t>> OutputDims(
    const InferContext& ctx, int64_t batch, const std::vector<int64_t>& spatial,
    int64_t channels, bool channels_first) {
  std::vector<int64_t> dims =
      channels_first
          ? std::vector<int64_t>{batch, channels, spatial[0], spatial[1]}
          : std::vector<int64_t>{batch, spatial[0], spatial[1], channels};
  REMOTEK_RETURN_IF_ERROR(ValidateDims(dims, /*allow_unknown=*/true,
                                       absl::StrCat(ctx.op, ": output shape")));
  return dims;
}

AttrMap WindowAttrs(const std::vector<int64_t>& strides, bool same,
                    bool channels_first) {
  return {{"strides", strides},
          {"padding", std::string(same ? "same" : "valid")},
          {"data_format",
           std::string(channels_first ? "channels_first" : "channels_last")}};
}

absl::StatusOr<InferResult> InferConv2D(const InferContext& ctx) {
  REMOTEK_RETURN_IF_ERROR(
      AttrReader(ctx.op, ctx.attrs)
          .OnlyKnown({"strides", "padding", "data_format", "dilation_rate"}));
  REMOTEK_RETURN_IF_ERROR(CheckFloatInputs(ctx, {"x", "kernel"}));
  REMOTEK_ASSIGN_OR_RETURN(const bool channels_first, ReadChannelsFirst(ctx));
  REMOTEK_ASSIGN_OR_RETURN(const bool same, ReadSame(ctx));
  REMOTEK_ASSIGN_OR_RETURN(std::vector<int64_t> strides,
                           ReadPair(ctx, "strides", 1));
  REMOTEK_ASSIGN_OR_RETURN(std::vector<int64_t> dilation,
                           ReadPair(ctx, "dilation_rate", 1));
  REMOTEK_RETURN_IF_ERROR(CheckRank4(ctx, 0, "x", XLayout(channels_first)));
  REMOTEK_RETURN_IF_ERROR(
      CheckRank4(ctx, 1, "kernel", "(rows, cols, in_channels, out_channels)"));
  const Shape& x = ctx.inputs[0].shape;
  const Shape& kernel = ctx.inputs[1].shape;
  if (std::max(strides[0], strides[1]) > 1 &&
      std::max(dilation[0], dilation[1]) > 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        ctx.op, ": strides ", PairString(strides), " with dilation_rate ",
        PairString(dilation),
        " is not supported: TensorFlow refuses strides > 1 together with "
        "dilation_rate > 1"));
  }
  for (int i = 0; i < 2; ++i) {
    if (kernel.dim(i) == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(ctx.op, ": kernel of shape ", kernel.ToString(),
                       " has an empty window"));
    }
  }
  const int channel_axis = channels_first ? 1 : 3;
  const int64_t x_channels = x.dim(channel_axis);
  if (Known(x_channels) && Known(kernel.dim(2)) &&
      x_channels != kernel.dim(2)) {
    return absl::InvalidArgumentError(
        absl::StrCat(ctx.op, ": x of shape ", x.ToString(), " has ", x_channels,
                     " channels (axis ", channel_axis, ", ",
                     channels_first ? "channels_first" : "channels_last",
                     ") but kernel of shape ", kernel.ToString(), " expects ",
                     kernel.dim(2), " (kernel.shape[2])"));
  }
  const Window window{
      {kernel.dim(0), kernel.dim(1)},
      {strides[0], strides[1]},
      {dilation[0], dilation[1]},
      same,
      absl::StrCat("the window of kernel of shape ", kernel.ToString(),
                   " with dilation_rate ", PairString(dilation))};
  REMOTEK_ASSIGN_OR_RETURN(std::vector<int64_t> spatial,
                           SpatialOut(ctx, x, channels_first, window));
  REMOTEK_ASSIGN_OR_RETURN(
      std::vector<int64_t> dims,
      OutputDims(ctx, x.dim(0), spatial, kernel.dim(3), channels_first));
  InferResult result;
  result.output = {ctx.inputs[0].dtype, Shape(std::move(dims))};
  result.attrs = WindowAttrs(strides, same, channels_first);
  result.attrs["dilation_rate"] = dilation;
  return result;
}

absl::StatusOr<InferResult> InferPool2D(const InferContext& ctx) {
  AttrReader reader(ctx.op, ctx.attrs);
  REMOTEK_RETURN_IF_ERROR(reader.OnlyKnown(
      {"pool_size", "strides", "padding", "data_format", "pool_mode"}));
  REMOTEK_RETURN_IF_ERROR(CheckFloatInputs(ctx, {"x"}));
  REMOTEK_ASSIGN_OR_RETURN(const bool channels_first, ReadChannelsFirst(ctx));
  REMOTEK_ASSIGN_OR_RETURN(const bool same, ReadSame(ctx));
  REMOTEK_ASSIGN_OR_RETURN(std::vector<int64_t> pool,
                           ReadPair(ctx, "pool_size", std::nullopt));
  REMOTEK_ASSIGN_OR_RETURN(std::vector<int64_t> strides,
                           ReadPair(ctx, "strides", 1));
  REMOTEK_ASSIGN_OR_RETURN(std::string mode, reader.String("pool_mode", "max"));
  if (mode != "max" && mode != "avg") {
    return absl::InvalidArgumentError(absl::StrCat(
        ctx.op, ": pool_mode must be \"max\" or \"avg\", got \"", mode, "\""));
  }
  REMOTEK_RETURN_IF_ERROR(CheckRank4(ctx, 0, "x", XLayout(channels_first)));
  const Shape& x = ctx.inputs[0].shape;
  const Window window{{pool[0], pool[1]},
                      {strides[0], strides[1]},
                      {1, 1},
                      same,
                      absl::StrCat("the pool window ", PairString(pool))};
  REMOTEK_ASSIGN_OR_RETURN(std::vector<int64_t> spatial,
                           SpatialOut(ctx, x, channels_first, window));
  REMOTEK_ASSIGN_OR_RETURN(
      std::vector<int64_t> dims,
      OutputDims(ctx, x.dim(0), spatial, x.dim(channels_first ? 1 : 3),
                 channels_first));
  InferResult result;
  result.output = {ctx.inputs[0].dtype, Shape(std::move(dims))};
  result.attrs = WindowAttrs(strides, same, channels_first);
  result.attrs["pool_size"] = pool;
  result.attrs["pool_mode"] = mode;
  return result;
}

absl::StatusOr<InferResult> InferBiasAdd(const InferContext& ctx) {
  REMOTEK_RETURN_IF_ERROR(
      AttrReader(ctx.op, ctx.attrs).OnlyKnown({"data_format"}));
  REMOTEK_RETURN_IF_ERROR(CheckFloatInputs(ctx, {"x", "bias"}));
  REMOTEK_ASSIGN_OR_RETURN(const bool channels_first, ReadChannelsFirst(ctx));
  const Shape& x = ctx.inputs[0].shape;
  const Shape& bias = ctx.inputs[1].shape;
  const std::string shapes = absl::StrCat("bias of shape ", bias.ToString(),
                                          " for x of shape ", x.ToString());
  const int rank = x.rank();
  if (rank < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat(ctx.op, ": x must have rank >= 2, got ", shapes));
  }
  std::vector<int64_t> dims = x.dims();
  if (bias.rank() == 1) {
    const int axis = BiasChannelAxis(rank, channels_first);
    if (Known(x.dim(axis)) && Known(bias.dim(0)) &&
        x.dim(axis) != bias.dim(0)) {
      return absl::InvalidArgumentError(absl::StrCat(
          ctx.op, ": ", shapes, ": bias length ", bias.dim(0), " != x.shape[",
          axis, "]=", x.dim(axis), " (the channel axis)"));
    }
    if (!Known(dims[axis])) dims[axis] = bias.dim(0);
  } else if (bias.rank() == rank - 1 && rank >= 3 && rank <= 5) {
    std::vector<int64_t> effective = bias.dims();
    if (channels_first) {
      effective.insert(effective.begin(), effective.back());
      effective.pop_back();
    }
    for (int i = 1; i < rank; ++i) {
      const int64_t e = effective[i - 1];
      if (Known(e) && e != 1 && Known(x.dim(i)) && e != x.dim(i)) {
        return absl::InvalidArgumentError(
            absl::StrCat(ctx.op, ": ", shapes, " (",
                         channels_first ? "channels_first" : "channels_last",
                         "): bias reshaped to ", Shape(effective).ToString(),
                         " does not match x's non-batch axes"));
      }
      if (Known(e) && e > 1 && !Known(dims[i])) dims[i] = e;
    }
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat(ctx.op, ": bias must have rank 1",
                     rank >= 3 && rank <= 5
                         ? absl::StrCat(" or ", rank - 1, " (x's rank - 1)")
                         : "",
                     ", got ", shapes));
  }
  InferResult result;
  result.output = {ctx.inputs[0].dtype, Shape(std::move(dims))};
  result.attrs["data_format"] =
      std::string(channels_first ? "channels_first" : "channels_last");
  return result;
}

// The backward ops: runs the forward op's Infer on the forward inputs
// (`forward`, errors then name this op), checks grad against the forward
// output and returns the shape of forward input `result_input`.
absl::StatusOr<InferResult> InferBackward(
    const InferContext& ctx, std::vector<TensorSpec> forward,
    const TensorSpec& grad, int result_input,
    absl::StatusOr<InferResult> (*infer)(const InferContext&)) {
  REMOTEK_ASSIGN_OR_RETURN(
      InferResult fwd,
      infer(InferContext{ctx.op, forward, ctx.attrs, ctx.config}));
  if (grad.dtype != forward[0].dtype) {
    return absl::InvalidArgumentError(
        absl::StrCat(ctx.op, ": grad has dtype ", DTypeName(grad.dtype),
                     " but x has ", DTypeName(forward[0].dtype)));
  }
  if (!grad.shape.IsCompatibleWith(fwd.output.shape)) {
    return absl::InvalidArgumentError(
        absl::StrCat(ctx.op, ": grad of shape ", grad.shape.ToString(),
                     " does not match the forward output shape ",
                     fwd.output.shape.ToString()));
  }
  InferResult result;
  result.output = forward[result_input];
  result.attrs = std::move(fwd.attrs);
  return result;
}

// conv2d_backprop_input(grad, kernel, x): inputs grad, kernel, x.
absl::StatusOr<InferResult> InferConv2DBackpropInput(const InferContext& ctx) {
  return InferBackward(ctx, {ctx.inputs[2], ctx.inputs[1]}, ctx.inputs[0], 0,
                       InferConv2D);
}

// conv2d_backprop_filter(grad, x, kernel): inputs grad, x, kernel.
absl::StatusOr<InferResult> InferConv2DBackpropFilter(const InferContext& ctx) {
  return InferBackward(ctx, {ctx.inputs[1], ctx.inputs[2]}, ctx.inputs[0], 1,
                       InferConv2D);
}

// pool2d_grad(grad, x).
absl::StatusOr<InferResult> InferPool2DGrad(const InferContext& ctx) {
  return InferBackward(ctx, {ctx.inputs[1]}, ctx.inputs[0], 0, InferPool2D);
}

}  // namespace

void RegisterConvOps(OpRegistry& registry) {
  registry.Register({.name = "conv2d",
                     .min_inputs = 2,
                     .max_inputs = 2,
                     .infer = InferConv2D,
                     .summary =
                         "K.conv2d(x, kernel, strides, padding, data_format, "
                         "dilation_rate): 2-D cross-correlation"});
  registry.Register(
      {.name = "pool2d",
       .infer = InferPool2D,
       .summary = "K.pool2d(x, pool_size, strides, padding, data_format, "
                  "pool_mode): 2-D max or average pooling"});
  registry.Register({.name = "bias_add",
                     .min_inputs = 2,
                     .max_inputs = 2,
                     .infer = InferBiasAdd,
                     .summary =
                         "K.bias_add(x, bias, data_format): bias along the "
                         "channel axis"});
  registry.Register({.name = "conv2d_backprop_input",
                     .min_inputs = 3,
                     .max_inputs = 3,
                     .infer = InferConv2DBackpropInput,
                     .summary = "gradient of conv2d(x, kernel) w.r.t. x: "
                                "(grad, kernel, x); x's shape only"});
  registry.Register({.name = "conv2d_backprop_filter",
                     .min_inputs = 3,
                     .max_inputs = 3,
                     .infer = InferConv2DBackpropFilter,
                     .summary = "gradient of conv2d(x, kernel) w.r.t. kernel: "
                                "(grad, x, kernel); kernel's shape only"});
  registry.Register({.name = "pool2d_grad",
                     .min_inputs = 2,
                     .max_inputs = 2,
                     .infer = InferPool2DGrad,
                     .summary = "gradient of pool2d(x) w.r.t. x: (grad, x)"});
}

}  // namespace remotek
