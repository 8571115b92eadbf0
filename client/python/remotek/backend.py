"""``from remotek import backend as K``: the Keras backend API on a current session.

    K.connect("127.0.0.1:50051", floatx="float32")
    x = K.placeholder(shape=(None, 4, 5))
    y = K.placeholder(shape=(None, 5, 3))
    f = K.function([x, y], [K.batch_dot(x, y)])
    out, = f([np.ones((2, 4, 5)), np.ones((2, 5, 3))])

The current session is the innermost ``with remotek.Session(...)`` block,
else the one set by connect() / set_session(), else one opened on
$REMOTEK_ADDRESS. Ops on symbolic tensors use the tensors' own session; ops
on numpy arrays run at once (eager) on the current session. Every op the
session's backend lists is reachable as ``K.<op name>`` or ``K.op(name, ...)``.
"""
import builtins
import functools

import numpy as np

from remotek import _context
from remotek.ops import *  # noqa: F401,F403 - the Keras-named ops
from remotek.ops import OP_FUNCTIONS, op, update, update_add, update_sub  # noqa: F401
from remotek.session import Function, Session  # noqa: F401
from remotek.symbolic import Tensor


# ----------------------------------------------------------------- sessions

def connect(address, backend=None, floatx=None, epsilon=None, image_data_format=None,
            **options):
    """Opens a session on ``address`` and makes it the default (closing the previous default)."""
    session = Session(address, backend=backend, floatx=floatx, epsilon=epsilon,
                      image_data_format=image_data_format, **options)
    previous = _context.set_default(session)
    if previous is not None and previous is not session:
        previous.close()
    return session


def set_session(session):
    """Makes ``session`` the default; returns the previous default (not closed)."""
    return _context.set_default(session)


def get_session():
    """The current session (see the module docstring)."""
    return _context.current()


def disconnect():
    """Closes the default session."""
    previous = _context.set_default(None)
    if previous is not None:
        previous.close()


def clear_session():
    """K.clear_session(): drops the current session's graph, variables, functions and
    name counters; its memory on the server returns to 0 bytes. Returns its stats."""
    return _context.current().clear()


def floatx():
    return _context.current().floatx()


def epsilon():
    return _context.current().epsilon()


def image_data_format():
    return _context.current().image_data_format()


def backend():
    """The name of the current session's engine backend ("eigen", "reference", ...)."""
    return _context.current().backend


# -------------------------------------------------------------------- nodes

def placeholder(shape=None, ndim=None, dtype=None, sparse=False, name=None):
    return _context.current().placeholder(shape=shape, ndim=ndim, dtype=dtype,
                                          sparse=sparse, name=name)


def variable(value, dtype=None, name=None, constraint=None):
    return _context.current().variable(value, dtype=dtype, name=name)


def constant(value, dtype=None, shape=None, name=None):
    return _context.current().constant(value, dtype=dtype, shape=shape, name=name)


def zeros(shape, dtype=None, name=None):
    return _context.current().zeros(shape, dtype=dtype, name=name)


def ones(shape, dtype=None, name=None):
    return _context.current().ones(shape, dtype=dtype, name=name)


def eye(size, dtype=None, name=None):
    return _context.current().eye(size, dtype=dtype, name=name)


def random_uniform_variable(shape, low, high, dtype=None, name=None, seed=None):
    return _context.current().random_uniform_variable(shape, low, high, dtype=dtype,
                                                      name=name, seed=seed)


def random_normal_variable(shape, mean, scale, dtype=None, name=None, seed=None):
    return _context.current().random_normal_variable(shape, mean, scale, dtype=dtype,
                                                     name=name, seed=seed)


def truncated_normal_variable(shape, mean=0.0, stddev=1.0, dtype=None, name=None, seed=None):
    return _context.current().truncated_normal_variable(shape, mean, stddev, dtype=dtype,
                                                        name=name, seed=seed)


def function(inputs, outputs, updates=None, name=None, **kwargs):
    """K.function(inputs, outputs, updates): a callable taking a list of arrays
    (one per input) and returning a list of arrays (one per output)."""
    session = _session_of_tensors(list(inputs or []) + _as_list(outputs) +
                                  [v for pair in (updates or []) for v in pair])
    return session.function(inputs, outputs, updates=updates, name=name)


def gradients(loss, variables):
    """K.gradients(loss, variables): a list parallel to ``variables`` of the
    gradients of sum(loss), with None where loss does not depend on a variable
    through differentiable ops (argmax, comparisons, stop_gradient, ...)."""
    if not isinstance(loss, Tensor):
        raise TypeError("remotek: gradients: loss must be a Tensor, got %r" % (loss,))
    return loss.session.gradients(loss, variables)


# ------------------------------------------------------------------- values

def eval(x):  # noqa: A001 - Keras's name
    """The value of ``x`` as numpy: arrays as they are, session values fetched,
    op nodes computed by a one-off function."""
    if isinstance(x, Tensor):
        return x.session.eval(x)
    return np.asarray(x)


def get_value(x):
    return x.session.get_value(x)


def batch_get_value(xs):
    xs = list(xs)
    if not xs:
        return []
    return _session_of_tensors(xs).batch_get_value(xs)


def set_value(x, value):
    x.session.set_value(x, value)


def batch_set_value(tuples):
    for x, value in tuples:
        x.session.set_value(x, value)


# ---------------------------------------------------------------- utilities

def is_tensor(x):
    return isinstance(x, Tensor)


is_keras_tensor = is_tensor


def int_shape(x):
    """The static shape as a tuple (None for unknown dims)."""
    if isinstance(x, Tensor):
        return x.shape
    return tuple(np.shape(x))


def ndim(x):
    return len(int_shape(x))


def dtype(x):
    """The Keras dtype name of ``x``."""
    if isinstance(x, Tensor):
        return x.dtype
    return np.asarray(x).dtype.name


def count_params(x):
    shape = int_shape(x)
    if builtins.any(d is None for d in shape):
        raise ValueError("count_params: %r has unknown dims %s" % (x, shape))
    return int(np.prod(shape, dtype=np.int64))


def _as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _session_of_tensors(xs):
    for x in xs:
        if isinstance(x, Tensor):
            return x.session
    return _context.current()


def __getattr__(name):
    """``K.<op>`` for every op the current session's backend runs (PEP 562)."""
    if name.startswith("_"):
        raise AttributeError(name)
    session = _context.peek()
    if session is not None and not session.closed:
        try:
            ops = session.ops()
        except Exception:  # a dead server must not turn hasattr() into an error
            ops = ()
        if name in ops:
            fn = functools.partial(op, name)
            fn.__doc__ = "The server op %r: K.%s(*inputs, **attrs)" % (name, name)
            return fn
    raise AttributeError("module 'remotek.backend' has no attribute %r" % name)
