#!/usr/bin/python3
"""Golden cases for RemoteK's conformance suite, computed independently of the
engine: numpy implementations of the Keras 2.3 (TensorFlow backend)
definitions, fed with inputs from fixed seeds.

Run with Debian's python3 (numpy 1.24), not a virtualenv's:

    /usr/bin/python3 tests/conformance/golden/make_golden.py \
        --out tests/conformance/golden/golden_cases.txt

--check FILE regenerates the cases and compares them with FILE (inputs and
structure exactly, expected values to within one rounding of their dtype, so
that a platform whose libm differs in the last bit still agrees); the CTest
test conformance_golden_fresh runs it. The C++ side is
tests/conformance/golden_test.cc, which runs every case on every backend.

File format, one item per line, '#' starts a comment line:

    case NAME
    op OP
    attr NAME int V | ints V... | float V | bool 0|1 | string S
    config epsilon V
    input DTYPE shape D... values V...
    expect DTYPE shape D... values V...
    tol RTOL ATOL
    end

Values are written at full precision: floats as Python's repr of the exact
value held in the dtype ('nan', 'inf', '-inf' included), integers in
decimal, bools as 0/1. A scalar has nothing after 'shape'.
"""

import argparse
import math
import os
import sys

import numpy as np

EPSILON = 1e-7  # keras.backend.epsilon() default

DTYPES = {
    "float16": np.float16, "float32": np.float32, "float64": np.float64,
    "int8": np.int8, "int16": np.int16, "int32": np.int32, "int64": np.int64,
    "uint8": np.uint8, "bool": np.bool_,
}

# Relative, absolute tolerance per output dtype for the C++ comparison: the
# expected values are float64 results rounded once to the dtype, while the
# engine computes float16 in float32 and float32 possibly in float32.
TOLERANCE = {"float16": (3e-3, 1e-3), "float32": (2e-5, 2e-6), "float64": (1e-11, 1e-12)}
GEMM_TOLERANCE = {"float16": (5e-3, 5e-3), "float32": (5e-5, 2e-5), "float64": (1e-11, 1e-11)}


# ---------------------------------------------------------------------------
# numpy reference implementations of the Keras 2.3 backend functions.

def k_dot(x, y):
    """keras.backend.dot (TF backend): N-D x contracts its last axis with y's
    second to last: x.shape[:-1] + y.shape[:-2] + y.shape[-1:]."""
    if x.ndim > 2 or y.ndim > 2:
        x_shape, y_shape = x.shape, y.shape
        y_permute_dim = list(range(y.ndim))
        y_permute_dim = [y_permute_dim.pop(-2)] + y_permute_dim
        xt = np.reshape(x, (-1, x_shape[-1]))
        yt = np.reshape(np.transpose(y, y_permute_dim), (y_shape[-2], -1))
        return np.reshape(np.matmul(xt, yt), x_shape[:-1] + y_shape[:-2] + y_shape[-1:])
    return np.matmul(x, y)


def k_batch_dot(x, y, axes=None):
    """keras.backend.batch_dot, the Keras 2.2.5+ / tf.keras rule, step by step:
    default axes, negative axes, rank-2 expansion, moving the contracted axes,
    squashing to rank 3, matmul, restoring the shape, squeezing."""
    x_ndim, y_ndim = x.ndim, y.ndim
    if x_ndim < 2 or y_ndim < 2:
        raise ValueError("batch_dot needs rank >= 2")
    if x.shape[0] != y.shape[0]:
        raise ValueError("batch sizes differ")
    if isinstance(axes, int):
        axes = (axes, axes)
    if axes is None:
        axes = [x_ndim - 1, y_ndim - 1] if y_ndim == 2 else [x_ndim - 1, y_ndim - 2]
    axes = list(axes)
    if axes[0] < 0:
        axes[0] += x_ndim
    if axes[1] < 0:
        axes[1] += y_ndim
    if 0 in axes:
        raise ValueError("cannot contract the batch axis")
    if x.shape[axes[0]] != y.shape[axes[1]]:
        raise ValueError("contracted dims differ")
    orig_x_ndim, orig_y_ndim = x_ndim, y_ndim
    if x_ndim == 2:
        x = np.expand_dims(x, 1)
        axes[0] += 1
        x_ndim += 1
    if y_ndim == 2:
        y = np.expand_dims(y, 2)
        y_ndim += 1
    if axes[0] != x_ndim - 1:  # x's contracted axis to the end
        pattern = list(range(x_ndim))
        for i in range(axes[0], x_ndim - 1):
            pattern[i] = pattern[i + 1]
        pattern[-1] = axes[0]
        x = np.transpose(x, pattern)
    if axes[1] != 1:  # y's contracted axis to position 1
        pattern = list(range(y_ndim))
        for i in range(axes[1], 1, -1):
            pattern[i] = pattern[i - 1]
        pattern[1] = axes[1]
        y = np.transpose(y, pattern)
    x_squashed = y_squashed = False
    if x_ndim > 3:
        x_shape = x.shape
        x_mid_dims = x_shape[1:-1]
        x = np.reshape(x, (x_shape[0], -1, x_shape[-1]))
        x_squashed = True
    if y_ndim > 3:
        y_shape = y.shape
        y_trail_dims = y_shape[2:]
        y = np.reshape(y, (y_shape[0], y_shape[1], -1))
        y_squashed = True
    result = np.matmul(x, y)
    output_shape = result.shape
    do_reshape = False
    if x_squashed:
        output_shape = output_shape[:1] + x_mid_dims + output_shape[-1:]
        do_reshape = True
    if y_squashed:
        output_shape = output_shape[:-1] + y_trail_dims
        do_reshape = True
    if do_reshape:
        result = np.reshape(result, output_shape)
    if orig_x_ndim == 2:
        result = np.squeeze(result, 1)
    elif orig_y_ndim == 2:
        result = np.squeeze(result, -1)
    return result


def k_prod(x, axis=None, keepdims=False):
    if isinstance(axis, list):
        axis = tuple(axis)
    return np.prod(x, axis=axis, keepdims=keepdims, dtype=x.dtype)


def k_mean(x, axis=None, keepdims=False):
    """K.mean; on integers tf.reduce_mean divides as integers, truncating
    toward zero (done with Python ints here, no float rounding)."""
    if x.dtype.kind in "iu":
        s = np.sum(x.astype(object), axis=axis, keepdims=keepdims)
        n = x.size // max(1, np.asarray(s).size)
        trunc = np.vectorize(lambda v: (abs(v) // n) * (1 if v >= 0 else -1), otypes=[object])
        return trunc(s).astype(x.dtype)
    return np.mean(x, axis=axis, keepdims=keepdims)


def k_cast(x, dtype):
    """K.cast with RemoteK's documented rules (backend/core/cast.h): float ->
    integer truncates toward zero, saturates out-of-range values to the
    target's min/max and maps NaN to 0; integer -> integer wraps modulo 2^bits;
    anything -> bool is x != 0; to float rounds to nearest even, except that
    float64 -> float16 goes through float32 as tf.cast does (Eigen::half's
    constructor from double is float_to_half_rtne(static_cast<float>(v))), so
    a float64 just above a float16 tie rounds twice."""
    target = np.dtype(DTYPES[dtype])
    if target == np.bool_:
        return x != 0
    if target.kind in "iu" and x.dtype.kind == "f":
        info = np.iinfo(target)
        out = []
        for v in x.reshape(-1).tolist():
            if math.isnan(v):
                out.append(0)
            elif math.isinf(v):
                out.append(info.max if v > 0 else info.min)
            else:
                out.append(min(info.max, max(info.min, math.trunc(v))))
        return np.array(out, dtype=target).reshape(x.shape)
    if target.kind in "iu" and x.dtype.kind in "iu":
        bits = 8 * target.itemsize
        wrapped = [int(v) % (1 << bits) for v in x.reshape(-1).tolist()]
        if target.kind == "i":
            wrapped = [v - (1 << bits) if v >= (1 << (bits - 1)) else v for v in wrapped]
        return np.array(wrapped, dtype=target).reshape(x.shape)
    with np.errstate(over="ignore"):  # overflow to inf is the rule
        if target == np.float16 and x.dtype == np.float64:
            return x.astype(np.float32).astype(np.float16)
        return x.astype(target)


def k_softmax(x, axis=-1):
    """tf.nn.softmax(x, axis), computed stably."""
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def k_mean_squared_error(y_true, y_pred):
    """keras.losses.mean_squared_error: K.mean(K.square(y_pred - y_true), -1)."""
    return np.mean(np.square(y_pred - y_true), axis=-1)


def clip_bounds(dtype, epsilon):
    """Keras converts epsilon to the output's dtype and clips to
    [eps, 1 - eps], the subtraction done in that dtype."""
    t = DTYPES[dtype]
    eps = t(epsilon)
    return float(eps), float(t(1) - eps)


def k_binary_crossentropy(target, output, dtype, from_logits=False, epsilon=EPSILON):
    """keras.backend.binary_crossentropy (TF backend, Keras 2.3): clip to
    [eps, 1-eps], logits = log(o / (1 - o)), then
    tf.nn.sigmoid_cross_entropy_with_logits =
    max(z, 0) - z * t + log1p(exp(-|z|))."""
    z = output
    if not from_logits:
        lo, hi = clip_bounds(dtype, epsilon)
        o = np.clip(output, lo, hi)
        z = np.log(o / (1 - o))
    return np.maximum(z, 0) - z * target + np.log1p(np.exp(-np.abs(z)))


def k_categorical_crossentropy(target, output, dtype, from_logits=False, axis=-1,
                               epsilon=EPSILON):
    """keras.backend.categorical_crossentropy (TF backend, Keras 2.3): scale
    output to sum 1 along axis, clip to [eps, 1-eps], -sum(t * log(o), axis);
    from logits: -sum(t * log_softmax(o), axis)."""
    if from_logits:
        shifted = output - np.max(output, axis=axis, keepdims=True)
        log_softmax = shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
        return -np.sum(target * log_softmax, axis=axis)
    o = output / np.sum(output, axis=axis, keepdims=True)
    lo, hi = clip_bounds(dtype, epsilon)
    o = np.clip(o, lo, hi)
    return -np.sum(target * np.log(o), axis=axis)


def k_relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """keras.backend.relu (TF backend, Keras 2.3), step by step: the negative
    part is taken first, x is thresholded (or relu'd), clipped to
    [0, max_value], then alpha * negative part is subtracted."""
    if alpha != 0.0:
        if max_value is None and threshold == 0.0:
            return np.where(x >= 0, x, alpha * x)  # tf.nn.leaky_relu
        negative_part = np.maximum(-x + threshold, 0) if threshold != 0 else np.maximum(-x, 0)
    clip_max = max_value is not None
    if threshold != 0:
        x = x * (x > threshold)
    else:
        x = np.maximum(x, 0)
    if clip_max:
        x = np.clip(x, 0, max_value)
    if alpha != 0.0:
        x = x - alpha * negative_part
    return x


def k_elu(x, alpha=1.0):
    """keras.backend.elu: tf.nn.elu, scaled by alpha where x <= 0."""
    res = np.where(x > 0, x, np.expm1(np.minimum(x, 0)))
    return res if alpha == 1 else np.where(x > 0, res, alpha * res)


def k_hard_sigmoid(x):
    return np.clip(0.2 * x + 0.5, 0.0, 1.0)


def k_softplus(x):
    return np.logaddexp(x, 0.0)  # log(exp(x) + 1)


def k_logsumexp(x, axis=None, keepdims=False):
    m = np.max(x, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


def k_one_hot(indices, num_classes):
    """tf.one_hot(indices, depth=num_classes): float32, rows of zeros for
    indices outside [0, num_classes)."""
    out = np.zeros(indices.shape + (num_classes,), dtype=np.float32)
    for pos, c in np.ndenumerate(indices):
        if 0 <= c < num_classes:
            out[pos + (c,)] = 1.0
    return out


def tf_axis(size, k, stride, dilation, padding):
    """TensorFlow's output size and (before, after) padding along one axis."""
    span = (k - 1) * dilation + 1
    if padding == "valid":
        return (size - span) // stride + 1, 0, 0
    out = -(-size // stride)
    total = max((out - 1) * stride + span - size, 0)
    return out, total // 2, total - total // 2


def to_nhwc(x, data_format):
    return np.transpose(x, (0, 2, 3, 1)) if data_format == "channels_first" else x


def from_nhwc(x, data_format):
    return np.transpose(x, (0, 3, 1, 2)) if data_format == "channels_first" else x


def k_conv2d(x, kernel, strides=(1, 1), padding="valid", data_format="channels_last",
             dilation_rate=(1, 1)):
    """keras.backend.conv2d -> tf.nn.convolution: cross-correlation of the
    zero-padded NHWC input with the (kh, kw, in, out) kernel."""
    x = to_nhwc(x, data_format)
    kh, kw = kernel.shape[:2]
    (sh, sw), (dh, dw) = strides, dilation_rate
    oh, top, bottom = tf_axis(x.shape[1], kh, sh, dh, padding)
    ow, left, right = tf_axis(x.shape[2], kw, sw, dw, padding)
    x = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    out = np.zeros((x.shape[0], oh, ow, kernel.shape[3]))
    for i in range(kh):
        for j in range(kw):
            patch = x[:, i * dh:i * dh + (oh - 1) * sh + 1:sh, j * dw:j * dw + (ow - 1) * sw + 1:sw, :]
            out += np.tensordot(patch, kernel[i, j], axes=([3], [0]))
    return from_nhwc(out, data_format)


def k_pool2d(x, pool_size, strides=(1, 1), padding="valid", data_format="channels_last",
             pool_mode="max"):
    """keras.backend.pool2d -> tf.nn.max_pool / avg_pool: padded cells never
    count (NaN-padded, then nanmax / nanmean)."""
    x = to_nhwc(x, data_format)
    (kh, kw), (sh, sw) = pool_size, strides
    oh, top, bottom = tf_axis(x.shape[1], kh, sh, 1, padding)
    ow, left, right = tf_axis(x.shape[2], kw, sw, 1, padding)
    x = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=np.nan)
    out = np.zeros((x.shape[0], oh, ow, x.shape[3]))
    for r in range(oh):
        for c in range(ow):
            window = x[:, r * sh:r * sh + kh, c * sw:c * sw + kw, :]
            f = np.nanmax if pool_mode == "max" else np.nanmean
            out[:, r, c, :] = f(window, axis=(1, 2))
    return from_nhwc(out, data_format)


def k_bias_add(x, bias, data_format="channels_last"):
    """keras.backend.bias_add (Keras 2.3), branch by branch: reshape (never
    transpose) the bias and broadcast it onto x."""
    b = bias.shape
    if x.ndim == 5:
        if data_format == "channels_first":
            return x + (bias.reshape((1, b[0], 1, 1, 1)) if len(b) == 1
                        else bias.reshape((1, b[3]) + b[:3]))
        return x + (bias.reshape((1, 1, 1, b[0])) if len(b) == 1 else bias.reshape((1,) + b))
    if x.ndim == 4:
        if data_format == "channels_first":
            return x + (bias.reshape((1, b[0], 1, 1)) if len(b) == 1
                        else bias.reshape((1, b[2]) + b[:2]))
        return x + (bias if len(b) == 1 else bias.reshape((1,) + b))
    if x.ndim == 3:
        if data_format == "channels_first":
            return x + (bias.reshape((1, b[0], 1)) if len(b) == 1
                        else bias.reshape((1, b[1], b[0])))
        return x + (bias.reshape((1, 1, b[0])) if len(b) == 1 else bias.reshape((1,) + b))
    return x + bias  # tf.nn.bias_add: the last axis


# ---------------------------------------------------------------------------
# Case construction.

class Case:
    def __init__(self, name, op, inputs, expect, attrs=(), epsilon=None, gemm=False,
                 exact=False):
        self.name, self.op, self.inputs, self.expect = name, op, inputs, expect
        self.attrs, self.epsilon, self.gemm, self.exact = list(attrs), epsilon, gemm, exact


def uniform(seed, shape, lo, hi, dtype):
    """Uniform values in [lo, hi], rounded to `dtype` (whole for integers)."""
    rng = np.random.default_rng(seed)
    v = rng.uniform(lo, hi, size=shape)
    if np.dtype(DTYPES[dtype]).kind in "iu":
        v = np.round(v)
    return v.astype(DTYPES[dtype])


def wide(x):
    """A float input widened to float64 for computing the expected values."""
    return x.astype(np.float64) if x.dtype.kind == "f" else x


def rounded(v, dtype):
    return np.asarray(v).astype(DTYPES[dtype])


def dot_case(name, seed, xs, ys, dtype, lo=-1.0, hi=1.0):
    x = uniform(seed, xs, lo, hi, dtype)
    y = uniform(seed + 1000, ys, lo, hi, dtype)
    return Case(name, "dot", [x, y], rounded(k_dot(wide(x), wide(y)), dtype), gemm=True)


def batch_dot_case(name, seed, xs, ys, dtype, axes=None):
    x = uniform(seed, xs, -1.0, 1.0, dtype)
    y = uniform(seed + 1000, ys, -1.0, 1.0, dtype)
    attrs = []
    if isinstance(axes, int):
        attrs = [("axes", "int", axes)]
    elif axes is not None:
        attrs = [("axes", "ints", list(axes))]
    expect = rounded(k_batch_dot(wide(x), wide(y), axes), dtype)
    return Case(name, "batch_dot", [x, y], expect, attrs, gemm=True)


def reduction_attrs(axis, keepdims):
    attrs = [("keepdims", "bool", keepdims)]
    if isinstance(axis, int):
        attrs.append(("axis", "int", axis))
    elif axis is not None:
        attrs.append(("axis", "ints", list(axis)))
    return attrs


def prod_case(name, seed, shape, dtype, axis, keepdims, lo=0.5, hi=1.5):
    x = uniform(seed, shape, lo, hi, dtype)
    expect = rounded(k_prod(wide(x), axis, keepdims), dtype)
    return Case(name, "prod", [x], expect, reduction_attrs(axis, keepdims))


def cast_case(name, x, dtype):
    return Case(name, "cast", [x], k_cast(x, dtype), [("dtype", "string", dtype)], exact=True)


def softmax_case(name, seed, shape, dtype, axis=None):
    x = uniform(seed, shape, -5.0, 5.0, dtype)
    attrs = [] if axis is None else [("axis", "int", axis)]
    expect = rounded(k_softmax(wide(x), -1 if axis is None else axis), dtype)
    return Case(name, "softmax", [x], expect, attrs)


def mse_case(name, seed, shape, dtype):
    t = uniform(seed, shape, -2.0, 2.0, dtype)
    p = uniform(seed + 1000, shape, -2.0, 2.0, dtype)
    return Case(name, "mean_squared_error", [t, p],
                rounded(k_mean_squared_error(wide(t), wide(p)), dtype))


def bce_case(name, t, o, dtype, from_logits=None, epsilon=None):
    attrs = [] if from_logits is None else [("from_logits", "bool", from_logits)]
    expect = k_binary_crossentropy(wide(t), wide(o), dtype, bool(from_logits),
                                   EPSILON if epsilon is None else epsilon)
    return Case(name, "binary_crossentropy", [t, o], rounded(expect, dtype), attrs, epsilon)


def cce_case(name, t, o, dtype, from_logits=None, axis=None, epsilon=None):
    attrs = [] if from_logits is None else [("from_logits", "bool", from_logits)]
    if axis is not None:
        attrs.append(("axis", "int", axis))
    expect = k_categorical_crossentropy(wide(t), wide(o), dtype, bool(from_logits),
                                        -1 if axis is None else axis,
                                        EPSILON if epsilon is None else epsilon)
    return Case(name, "categorical_crossentropy", [t, o], rounded(expect, dtype), attrs,
                epsilon)


def one_hot_rows(seed, rows, classes, dtype):
    rng = np.random.default_rng(seed)
    return np.eye(classes)[rng.integers(0, classes, size=rows)].astype(DTYPES[dtype])


def all_cases():
    f16, f32, f64, i32 = "float16", "float32", "float64", "int32"
    cases = []
    add = cases.append

    # dot: the Keras N-D rule (x's last axis with y's second to last).
    add(dot_case("dot_2x3_by_4x3x5", 1, (2, 3), (4, 3, 5), f32))
    add(dot_case("dot_matmul_3x4_by_4x2", 2, (3, 4), (4, 2), f64))
    add(dot_case("dot_3d_by_2d", 3, (2, 3, 4), (4, 5), f32))
    add(dot_case("dot_3d_by_3d", 4, (2, 3, 4), (5, 4, 6), f64))
    add(dot_case("dot_1d_by_3d", 5, (3,), (2, 3, 4), f64))
    add(dot_case("dot_4d_by_2d", 6, (2, 2, 3, 4), (4, 3), f32))
    add(dot_case("dot_int32", 7, (2, 3), (4, 3, 5), i32, -9, 9))
    add(dot_case("dot_float16", 8, (3, 8), (2, 8, 4), f16))
    add(dot_case("dot_large_65x130_by_130x67", 9, (65, 130), (130, 67), f32))

    # batch_dot: the tf.keras rule.
    add(batch_dot_case("batch_dot_keras_doc_example", 20, (32, 20, 1), (32, 30, 20), f32, (1, 2)))
    add(batch_dot_case("batch_dot_rank2_default_axes", 21, (4, 3), (4, 3), f32))
    add(batch_dot_case("batch_dot_rank2_axes_int", 22, (5, 2), (5, 2), f64, 1))
    add(batch_dot_case("batch_dot_rank3_default_axes", 23, (3, 2, 4), (3, 4, 5), f64))
    add(batch_dot_case("batch_dot_rank3_by_rank2_default_axes", 24, (3, 2, 4), (3, 4), f32))
    add(batch_dot_case("batch_dot_rank2_by_rank3_default_axes", 25, (3, 4), (3, 4, 5), f32))
    add(batch_dot_case("batch_dot_negative_axes", 26, (3, 4, 2), (3, 5, 4), f64, (-2, -1)))
    add(batch_dot_case("batch_dot_axes_1_1", 27, (3, 4, 2), (3, 4, 5), f32, (1, 1)))
    add(batch_dot_case("batch_dot_rank4_x", 28, (2, 3, 4, 5), (2, 5, 3), f64, (3, 1)))
    add(batch_dot_case("batch_dot_rank4_y", 29, (2, 5, 3), (2, 3, 4, 2), f64, (2, 1)))
    add(batch_dot_case("batch_dot_rank4_both", 30, (2, 3, 4, 5), (2, 6, 4, 2), f32, (2, 2)))
    add(batch_dot_case("batch_dot_batch9_33x17_17x29", 31, (9, 33, 17), (9, 17, 29), f32, (2, 1)))
    add(batch_dot_case("batch_dot_batch9_transposed_layouts", 32, (9, 17, 33), (9, 29, 17), f64, (-2, -1)))
    add(batch_dot_case("batch_dot_int32", 33, (3, 2, 4), (3, 4, 5), i32))

    # prod over axes, keepdims both ways.
    add(prod_case("prod_axes_0_2_keepdims", 40, (2, 3, 4), f32, [0, 2], True))
    add(prod_case("prod_axes_negative_no_keepdims", 41, (2, 3, 4), f64, [-1, 0], False))
    add(prod_case("prod_axis_int_keepdims", 42, (3, 5), f64, 1, True))
    add(prod_case("prod_all_axes", 43, (2, 3, 2), f32, None, False))
    add(prod_case("prod_int32_axis_keepdims", 44, (3, 4), i32, -1, True, -3, 3))

    # cast: truncation toward zero, saturation, NaN -> 0, wrap, bool.
    neg = np.array([-2.5, -1.7, -1.2, -0.9, -0.5, -0.1, 0.0, 0.4, 0.6, 1.5, 1.7, 2.5,
                    -300.7, 300.7, 255.9, 256.0, -128.9, 127.9], dtype=np.float32).reshape(3, 6)
    add(cast_case("cast_negative_fractions_float32_to_int32", neg, i32))
    add(cast_case("cast_negative_fractions_float32_to_uint8", neg, "uint8"))
    add(cast_case("cast_float32_to_int8", neg, "int8"))
    special = np.array([np.nan, np.inf, -np.inf, 3e9, -3e9, 1e300, -1e300, -0.0,
                        2147483647.9, -2147483648.9, 9.3e18, -9.3e18], dtype=np.float64)
    add(cast_case("cast_float64_specials_to_int32", special, i32))
    add(cast_case("cast_float64_specials_to_int64", special, "int64"))
    add(cast_case("cast_float64_specials_to_uint8", special, "uint8"))
    add(cast_case("cast_int32_to_uint8_wraps", np.array([-1, 256, 300, -129, 127, 0, 255],
                                                         dtype=np.int32), "uint8"))
    add(cast_case("cast_int64_to_int16_wraps", np.array([[70000, -70000], [32768, -32769]],
                                                         dtype=np.int64), "int16"))
    add(cast_case("cast_float32_to_bool", neg, "bool"))
    add(cast_case("cast_bool_to_float32", np.array([True, False, True]), f32))
    add(cast_case("cast_float64_to_float16_rounds_via_float32",
                  np.array([0.1, 1.0009765625, 1.00048828125, 1.00048828125 + 2.0**-40,
                            65519.0, 65520.0, 1e-8, -2.0**-25, 3e-8],
                           dtype=np.float64), f16))

    # softmax along axis 0 and -1 (and the default).
    add(softmax_case("softmax_axis_minus1", 50, (3, 5), f32, -1))
    add(softmax_case("softmax_axis_0", 51, (4, 3), f64, 0))
    add(softmax_case("softmax_default_axis_rank3", 52, (2, 3, 4), f32))
    add(softmax_case("softmax_axis_1_rank3", 53, (2, 3, 4), f64, 1))
    add(softmax_case("softmax_float16", 54, (2, 6), f16, -1))

    # mean / sum: a few reductions beside prod.
    x = uniform(60, (3, 4), -9, 9, i32)
    add(Case("mean_int32_truncates_toward_zero", "mean", [x], k_mean(x, 1), reduction_attrs(1, False)))
    x = uniform(61, (2, 3, 4), -1, 1, f64)
    add(Case("mean_axes_keepdims", "mean", [x], k_mean(x, (0, 2), True),
             reduction_attrs([0, -1], True)))

    # Other ops, checked against numpy as well.
    x = uniform(62, (3, 8), -3, 3, f32)
    for n, (kw, attrs) in enumerate([
            ({}, []),
            ({"alpha": 0.1}, [("alpha", "float", 0.1)]),
            ({"max_value": 1.5}, [("max_value", "float", 1.5)]),
            ({"threshold": 0.5}, [("threshold", "float", 0.5)]),
            ({"alpha": 0.2, "max_value": 1.5, "threshold": -0.5},
             [("alpha", "float", 0.2), ("max_value", "float", 1.5), ("threshold", "float", -0.5)]),
            ({"alpha": 0.3, "max_value": 2.0}, [("alpha", "float", 0.3), ("max_value", "float", 2.0)])]):
        add(Case(f"relu_{n}", "relu", [x], rounded(k_relu(wide(x), **kw), f32), attrs))
    add(Case("elu_default", "elu", [x], rounded(k_elu(wide(x)), f32)))
    add(Case("elu_alpha", "elu", [x], rounded(k_elu(wide(x), 0.4), f32), [("alpha", "float", 0.4)]))
    add(Case("hard_sigmoid", "hard_sigmoid", [x], rounded(k_hard_sigmoid(wide(x)), f32)))
    add(Case("softplus", "softplus", [x], rounded(k_softplus(wide(x)), f32)))
    ties = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, -0.4, 0.6, 2.4999], dtype=np.float64)
    add(Case("round_half_to_even", "round", [ties], np.round(ties), exact=True))
    add(Case("clip_max_below_min", "clip", [x], np.clip(x, 1.0, 1.0),
             [("min_value", "float", 1.0), ("max_value", "float", 0.5)], exact=True))
    x64 = uniform(63, (3, 4, 5), -2, 2, f64)
    add(Case("var_axis_keepdims", "var", [x64], np.var(x64, axis=1, keepdims=True),
             reduction_attrs(1, True)))
    add(Case("std_axes", "std", [x64], np.std(x64, axis=(0, 2)), reduction_attrs([0, -1], False)))
    add(Case("logsumexp_axis", "logsumexp", [x64], k_logsumexp(x64, axis=2),
             reduction_attrs(-1, False)))
    add(Case("sum_none_keepdims", "sum", [x64], np.sum(x64, keepdims=True),
             reduction_attrs(None, True)))
    xi = uniform(64, (4, 6), -3, 3, i32)
    add(Case("max_int32_axis0", "max", [xi], np.max(xi, axis=0), reduction_attrs(0, False)))
    add(Case("argmax_ties_first", "argmax", [xi], np.argmax(xi, axis=-1).astype(np.int64)))
    add(Case("argmin_axis0", "argmin", [xi], np.argmin(xi, axis=0).astype(np.int64),
             [("axis", "int", 0)]))
    yi = uniform(65, (6,), 1, 4, i32)
    add(Case("divide_int32_is_true_division", "divide", [xi, yi],
             xi.astype(np.float64) / yi.astype(np.float64)))
    ref = uniform(66, (5, 3), -1, 1, f32)
    idx = np.array([[4, 0], [2, 2]], dtype=np.int64)
    add(Case("gather_rows", "gather", [ref, idx], np.take(ref, idx, axis=0), exact=True))
    labels = np.array([[0, 3, -1], [2, 4, 1]], dtype=np.int32)
    add(Case("one_hot_out_of_range_rows_are_zero", "one_hot", [labels], k_one_hot(labels, 4),
             [("num_classes", "int", 4)], exact=True))
    add(Case("slice_to_end", "slice", [x64], x64[1:3, :, 2:4],
             [("start", "ints", [1, 0, 2]), ("size", "ints", [2, -1, 2])], exact=True))
    add(Case("permute_dimensions", "permute_dimensions", [x64], np.transpose(x64, (2, 0, 1)),
             [("pattern", "ints", [2, 0, 1])], exact=True))
    add(Case("repeat", "repeat", [ref], np.repeat(ref[:, None, :], 3, axis=1),
             [("n", "int", 3)], exact=True))

    # Losses.
    add(mse_case("mean_squared_error_float32", 70, (4, 6), f32))
    add(mse_case("mean_squared_error_rank3_float64", 71, (2, 3, 4), f64))
    t = uniform(72, (4, 5), 0.0, 1.0, f32)
    o = uniform(73, (4, 5), 0.01, 0.99, f32)
    add(bce_case("binary_crossentropy_float32", t, o, f32))
    o_edges = np.array([[0.0, 1.0, 0.5, 1e-9, 1 - 1e-9], [0.2, 0.0, 1.0, 0.999, 1e-3]],
                       dtype=np.float64)
    t_edges = np.array([[1.0, 0.0, 1.0, 1.0, 0.0], [0.5, 0.0, 1.0, 1.0, 0.0]], dtype=np.float64)
    add(bce_case("binary_crossentropy_clipped_float64", t_edges, o_edges, f64))
    add(bce_case("binary_crossentropy_clipped_float32", t_edges.astype(np.float32),
                 o_edges.astype(np.float32), f32))
    add(bce_case("binary_crossentropy_from_logits", t, uniform(74, (4, 5), -6, 6, f32), f32,
                 from_logits=True))
    add(bce_case("binary_crossentropy_epsilon_0_001", t_edges, o_edges, f64, epsilon=1e-3))
    tc = uniform(75, (4, 5), 0.0, 1.0, f32)
    oc = uniform(76, (4, 5), 0.05, 3.0, f32)  # not normalised: the op normalises
    add(cce_case("categorical_crossentropy_float32", tc, oc, f32))
    add(cce_case("categorical_crossentropy_one_hot_float64", one_hot_rows(77, 6, 4, f64),
                 uniform(78, (6, 4), 0.0, 1.0, f64), f64))
    add(cce_case("categorical_crossentropy_axis_0", tc, oc, f32, axis=0))
    add(cce_case("categorical_crossentropy_from_logits", tc, uniform(79, (4, 5), -4, 4, f32),
                 f32, from_logits=True))
    o_zero = np.array([[0.0, 1.0, 0.0], [0.3, 0.3, 0.4]], dtype=np.float64)
    add(cce_case("categorical_crossentropy_clipped", np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]),
                 o_zero, f64))

    # Convolution family (explicit data_format: golden cases carry no image_data_format).
    def conv_case(name, seed, xs, ks, dtype, **kw):
        x = uniform(seed, xs, -1.0, 1.0, dtype)
        k = uniform(seed + 1000, ks, -1.0, 1.0, dtype)
        attrs = [("data_format", "string", kw.get("data_format", "channels_last"))]
        for key in ("strides", "dilation_rate"):
            if key in kw:
                attrs.append((key, "ints", list(kw[key])))
        if "padding" in kw:
            attrs.append(("padding", "string", kw["padding"]))
        return Case(name, "conv2d", [x, k], rounded(k_conv2d(wide(x), wide(k), **kw), dtype),
                    attrs, gemm=True)

    add(conv_case("conv2d_valid_channels_last", 90, (2, 5, 5, 3), (3, 3, 3, 4), f32))
    add(conv_case("conv2d_same_strides_channels_first", 91, (2, 3, 7, 6), (3, 2, 3, 5), f64,
                  strides=(2, 2), padding="same", data_format="channels_first"))
    add(conv_case("conv2d_same_dilation", 92, (1, 9, 8, 2), (3, 3, 2, 3), f32,
                  dilation_rate=(2, 2), padding="same"))
    add(conv_case("conv2d_same_even_kernel_pads_after", 93, (1, 6, 5, 2), (4, 4, 2, 3), f64,
                  padding="same"))
    add(conv_case("conv2d_valid_strides_2_3", 94, (2, 2, 7, 8), (2, 3, 2, 2), f64,
                  strides=(2, 3), data_format="channels_first"))
    add(conv_case("conv2d_float16", 95, (1, 4, 4, 2), (3, 3, 2, 2), f16, padding="same"))

    def pool_case(name, seed, xs, dtype, pool_size, **kw):
        x = uniform(seed, xs, -1.0, 1.0, dtype)
        attrs = [("pool_size", "ints", list(pool_size)),
                 ("data_format", "string", kw.get("data_format", "channels_last"))]
        if "strides" in kw:
            attrs.append(("strides", "ints", list(kw["strides"])))
        for key in ("padding", "pool_mode"):
            if key in kw:
                attrs.append((key, "string", kw[key]))
        expect = rounded(k_pool2d(wide(x), pool_size, **kw), dtype)
        return Case(name, "pool2d", [x], expect, attrs, exact=kw.get("pool_mode", "max") == "max")

    add(pool_case("pool2d_max_valid_default_strides", 96, (2, 4, 5, 3), f32, (2, 2)))
    add(pool_case("pool2d_max_same_strides", 97, (2, 5, 5, 3), f32, (3, 3), strides=(2, 2),
                  padding="same"))
    add(pool_case("pool2d_avg_same_excludes_padding", 98, (1, 2, 5, 5), f64, (2, 2),
                  padding="same", pool_mode="avg", data_format="channels_first"))
    add(pool_case("pool2d_avg_same_strides_3x3", 99, (2, 7, 6, 2), f32, (3, 3), strides=(2, 2),
                  padding="same", pool_mode="avg"))

    def bias_case(name, seed, xs, bs, dtype, data_format):
        x = uniform(seed, xs, -1.0, 1.0, dtype)
        b = uniform(seed + 1000, bs, -1.0, 1.0, dtype)
        return Case(name, "bias_add", [x, b], rounded(k_bias_add(wide(x), wide(b), data_format), dtype),
                    [("data_format", "string", data_format)])

    add(bias_case("bias_add_rank2", 100, (3, 4), (4,), f32, "channels_first"))
    add(bias_case("bias_add_rank4_channels_first", 101, (2, 3, 2, 2), (3,), f32, "channels_first"))
    add(bias_case("bias_add_rank5_channels_last", 102, (2, 2, 2, 2, 3), (3,), f64, "channels_last"))
    add(bias_case("bias_add_full_rank_channels_first_is_reshaped", 103, (2, 2, 3), (3, 2), f64,
                  "channels_first"))
    add(bias_case("bias_add_full_rank_rank4_channels_last", 104, (2, 3, 2, 2), (3, 2, 2), f32,
                  "channels_last"))
    return cases


# ---------------------------------------------------------------------------
# Writing and checking.

def fmt_value(v, dtype):
    if dtype == "bool":
        return "1" if v else "0"
    if dtype.startswith("float"):
        return repr(float(v))
    return str(int(v))


def dtype_name(a):
    for name, t in DTYPES.items():
        if np.dtype(t) == a.dtype:
            return name
    raise ValueError(a.dtype)


def fmt_tensor(tag, a):
    a = np.asarray(a)
    d = dtype_name(a)
    values = " ".join(fmt_value(v, d) for v in a.reshape(-1).tolist())
    shape = " ".join(str(s) for s in a.shape)
    return f"{tag} {d} shape {shape} values {values}".replace("  ", " ").rstrip()


def fmt_attr(name, kind, value):
    if kind == "ints":
        return " ".join(["attr", name, kind] + [str(v) for v in value])
    if kind == "bool":
        return f"attr {name} bool {1 if value else 0}"
    return f"attr {name} {kind} {value}"


def render(cases):
    lines = ["# Generated by tests/conformance/golden/make_golden.py with numpy "
             + np.__version__ + "; do not edit.",
             f"# {len(cases)} cases. Format: see the script's docstring."]
    for c in cases:
        lines.append(f"case {c.name}")
        lines.append(f"op {c.op}")
        lines += [fmt_attr(*a) for a in c.attrs]
        if c.epsilon is not None:
            lines.append(f"config epsilon {c.epsilon!r}")
        lines += [fmt_tensor("input", x) for x in c.inputs]
        lines.append(fmt_tensor("expect", c.expect))
        out = dtype_name(np.asarray(c.expect))
        rtol, atol = (GEMM_TOLERANCE if c.gemm else TOLERANCE).get(out, (0.0, 0.0))
        if c.exact:
            rtol, atol = 0.0, 0.0
        lines.append(f"tol {rtol!r} {atol!r}")
        lines.append("end")
    return "\n".join(lines) + "\n"


# One rounding of each float dtype: the most a last-bit libm difference moves
# an expected value.
CHECK_RTOL = {"float16": 1e-3, "float32": 2.4e-7, "float64": 1e-14}


def check(fresh, committed_path):
    """Returns a list of differences between the fresh text and the file."""
    with open(committed_path) as f:
        old = [l for l in f.read().splitlines() if not l.startswith("#")]
    new = [l for l in fresh.splitlines() if not l.startswith("#")]
    problems = []
    if len(old) != len(new):
        problems.append(f"{len(new)} lines generated, {len(old)} committed")
    for i, (a, b) in enumerate(zip(new, old)):
        if a == b:
            continue
        ta, tb = a.split(), b.split()
        if ta[0] != "expect" or tb[0] != "expect" or len(ta) != len(tb) or ta[:ta.index("values")] != tb[:tb.index("values")]:
            problems.append(f"line {i}: generated {a[:80]!r} vs committed {b[:80]!r}")
            continue
        rtol = CHECK_RTOL.get(ta[1], 0.0)
        for va, vb in zip(ta[ta.index("values") + 1:], tb[tb.index("values") + 1:]):
            x, y = float(va), float(vb)
            if va == vb or (math.isnan(x) and math.isnan(y)):
                continue
            if not abs(x - y) <= rtol * max(abs(x), abs(y)):
                problems.append(f"line {i}: value {va} vs committed {vb}")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", help="write the cases here")
    parser.add_argument("--check", help="compare the cases with this committed file")
    args = parser.parse_args()
    text = render(all_cases())
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as f:
            f.write(text)
    if args.check:
        problems = check(text, args.check)
        for p in problems[:20]:
            print(p, file=sys.stderr)
        if problems:
            print(f"{len(problems)} differences from {args.check}; regenerate it with --out",
                  file=sys.stderr)
            return 1
        print(f"{args.check} matches the regenerated cases")
    if not args.out and not args.check:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
