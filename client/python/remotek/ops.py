"""Keras-named op functions (``K.batch_dot(x, y, axes)``, ``K.sum(x, axis)``, ...).

Each is one call of the generic builder ``op(name, *inputs, **attrs)``: on
symbolic tensors it adds a node to their session's graph, on numpy arrays it
runs the op now on the current session (eager) and returns numpy. Ops that
have no function here are reachable through ``op("name", ...)`` and, in
remotek.backend, as ``K.<name>`` for every op the session's backend lists.
"""
from remotek import _context
from remotek.symbolic import Tensor


def _session_of(inputs):
    for x in inputs:
        if isinstance(x, Tensor):
            return x.session
    return _context.current()


def op(op_name, *inputs, name=None, **attrs):
    """Builds (symbolic inputs) or runs (arrays) the server op ``op_name``."""
    return _session_of(inputs).op(op_name, *inputs, name=name, **attrs)


def _unary(op_name, doc):
    def fn(x, name=None):
        return op(op_name, x, name=name)
    fn.__name__ = op_name
    fn.__doc__ = doc
    return fn


def _binary(op_name, doc):
    def fn(x, y, name=None):
        return op(op_name, x, y, name=name)
    fn.__name__ = op_name
    fn.__doc__ = doc
    return fn


def _reduction(op_name):
    def fn(x, axis=None, keepdims=False, name=None):
        return op(op_name, x, name=name, axis=axis, keepdims=keepdims)
    fn.__name__ = op_name
    fn.__doc__ = "K.%s(x, axis=None, keepdims=False)" % op_name
    return fn


# --- linear algebra
def dot(x, y, name=None):
    """K.dot: matmul; N-D contracts x's last axis with y's second to last."""
    return op("dot", x, y, name=name)


def batch_dot(x, y, axes=None, name=None):
    """K.batch_dot(x, y, axes): ``axes`` an int, a pair, or None (Keras's default)."""
    return op("batch_dot", x, y, name=name, axes=axes)


transpose = _unary("transpose", "K.transpose: reverses all axes")

# --- elementwise, broadcasting
add = _binary("add", "x + y")
subtract = _binary("subtract", "x - y")
multiply = _binary("multiply", "x * y")
divide = _binary("divide", "x / y (true division)")
maximum = _binary("maximum", "elementwise max")
minimum = _binary("minimum", "elementwise min")
equal = _binary("equal", "x == y as bool")
not_equal = _binary("not_equal", "x != y as bool")
greater = _binary("greater", "x > y as bool")
greater_equal = _binary("greater_equal", "x >= y as bool")
less = _binary("less", "x < y as bool")
less_equal = _binary("less_equal", "x <= y as bool")
logical_and = _binary("logical_and", "x AND y")
logical_or = _binary("logical_or", "x OR y")
logical_not = _unary("logical_not", "NOT x")


def pow(x, a, name=None):  # noqa: A001 - Keras's name
    """K.pow(x, a): x ** a."""
    return op("pow", x, a, name=name)


# --- unary
negative = _unary("negative", "-x")
abs = _unary("abs", "|x|")  # noqa: A001
sign = _unary("sign", "sign of x")
square = _unary("square", "x * x")
round = _unary("round", "x rounded half to even")  # noqa: A001
sqrt = _unary("sqrt", "square root")
exp = _unary("exp", "e ** x")
log = _unary("log", "natural logarithm")
sigmoid = _unary("sigmoid", "1 / (1 + exp(-x))")
tanh = _unary("tanh", "hyperbolic tangent")
softplus = _unary("softplus", "log(exp(x) + 1)")
softsign = _unary("softsign", "x / (1 + |x|)")
hard_sigmoid = _unary("hard_sigmoid", "clip(0.2 x + 0.5, 0, 1)")


def elu(x, alpha=1.0, name=None):
    return op("elu", x, name=name, alpha=alpha)


def clip(x, min_value, max_value, name=None):
    return op("clip", x, name=name, min_value=min_value, max_value=max_value)


def relu(x, alpha=0.0, max_value=None, threshold=0.0, name=None):
    return op("relu", x, name=name, alpha=alpha, max_value=max_value, threshold=threshold)


def softmax(x, axis=-1, name=None):
    return op("softmax", x, name=name, axis=axis)


def cast(x, dtype, name=None):
    """K.cast(x, dtype): ``dtype`` a Keras name or numpy dtype."""
    return op("cast", x, name=name, dtype=dtype)


# --- reductions
sum = _reduction("sum")  # noqa: A001
prod = _reduction("prod")
mean = _reduction("mean")
max = _reduction("max")  # noqa: A001
min = _reduction("min")  # noqa: A001
var = _reduction("var")
std = _reduction("std")
logsumexp = _reduction("logsumexp")
any = _reduction("any")  # noqa: A001
all = _reduction("all")  # noqa: A001


def argmax(x, axis=-1, name=None):
    return op("argmax", x, name=name, axis=axis)


def argmin(x, axis=-1, name=None):
    return op("argmin", x, name=name, axis=axis)


# --- shapes
def reshape(x, shape, name=None):
    return op("reshape", x, name=name, shape=list(shape))


flatten = _unary("flatten", "x as a 1-D tensor")
batch_flatten = _unary("batch_flatten", "(d0, prod(rest))")


def expand_dims(x, axis=-1, name=None):
    return op("expand_dims", x, name=name, axis=axis)


def squeeze(x, axis, name=None):
    return op("squeeze", x, name=name, axis=axis)


def permute_dimensions(x, pattern, name=None):
    return op("permute_dimensions", x, name=name, pattern=list(pattern))


def concatenate(tensors, axis=-1, name=None):
    return op("concatenate", *tensors, name=name, axis=axis)


def stack(x, axis=0, name=None):
    return op("stack", *x, name=name, axis=axis)


def tile(x, n, name=None):
    return op("tile", x, name=name, n=[n] if isinstance(n, int) else list(n))


def repeat(x, n, name=None):
    return op("repeat", x, name=name, n=n)


def slice(x, start, size, name=None):  # noqa: A001
    return op("slice", x, name=name, start=list(start), size=list(size))


# --- indexing
def gather(reference, indices, name=None):
    return op("gather", reference, indices, name=name)


def one_hot(indices, num_classes, name=None):
    return op("one_hot", indices, name=name, num_classes=num_classes)


# --- losses
def mean_squared_error(y_true, y_pred, name=None):
    return op("mean_squared_error", y_true, y_pred, name=name)


def binary_crossentropy(target, output, from_logits=False, name=None):
    return op("binary_crossentropy", target, output, name=name, from_logits=from_logits)


def categorical_crossentropy(target, output, from_logits=False, axis=-1, name=None):
    return op("categorical_crossentropy", target, output, name=name,
              from_logits=from_logits, axis=axis)


def update(x, new_x):
    """K.update: an update pair for K.function(updates=[...])."""
    return (x, new_x)


def update_add(x, increment):
    return (x, x + increment)


def update_sub(x, decrement):
    return (x, x - decrement)


# The Keras-named op functions above; each is named after the server op it builds.
OP_FUNCTIONS = sorted(
    n for n, v in list(globals().items())
    if callable(v) and not n.startswith("_") and n not in ("op", "Tensor", "update",
                                                            "update_add", "update_sub"))
__all__ = OP_FUNCTIONS + ["op", "update", "update_add", "update_sub"]
