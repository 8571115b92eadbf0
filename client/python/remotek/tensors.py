"""numpy <-> remotek.v1.Tensor: an exact dtype mapping and raw little-endian bytes.

Arrays travel as their raw row-major little-endian bytes (``tobytes`` one way,
``frombuffer`` the other): no per-element conversion. Arrays of another byte
order or layout are converted by one vectorised numpy copy.
"""
import sys

import numpy as np

from remotek._proto import tensor_pb2

# Keras dtype names, in wire enum order.
DTYPES = ("float16", "float32", "float64", "int8", "int16", "int32", "int64",
          "uint8", "bool")

_NAME_TO_WIRE = {name: tensor_pb2.DType.Value(name.upper()) for name in DTYPES}
_WIRE_TO_NAME = {wire: name for name, wire in _NAME_TO_WIRE.items()}
# The exact numpy dtype of each wire dtype, as stored on the wire.
_WIRE_NUMPY = {name: np.dtype(name).newbyteorder("<") for name in DTYPES}
_LITTLE_HOST = sys.byteorder == "little"


def dtype_name(dtype):
    """The Keras name of ``dtype`` (a name, numpy dtype or type); TypeError if unsupported."""
    if isinstance(dtype, str) and dtype in _NAME_TO_WIRE:
        return dtype
    try:
        name = np.dtype(dtype).name
    except TypeError:
        raise TypeError("remotek: %r is not a dtype" % (dtype,)) from None
    if name not in _NAME_TO_WIRE:
        raise TypeError("remotek: dtype %s is not supported; supported: %s"
                        % (name, ", ".join(DTYPES)))
    return name


def wire_dtype(dtype):
    """The remotek.v1.DType enum value of ``dtype`` (None -> DTYPE_UNSPECIFIED)."""
    if dtype is None:
        return tensor_pb2.DTYPE_UNSPECIFIED
    return _NAME_TO_WIRE[dtype_name(dtype)]


def name_of_wire(wire):
    try:
        return _WIRE_TO_NAME[wire]
    except KeyError:
        raise ValueError("remotek: the server sent unknown dtype %d" % wire) from None


def shape_of_wire(dims):
    """Wire dims (-1 unknown) -> a Keras shape tuple (None unknown)."""
    return tuple(None if d < 0 else int(d) for d in dims)


def as_wire_array(value, dtype=None):
    """``value`` as a C-contiguous little-endian array of a supported dtype.

    With ``dtype`` the value is converted (as np.asarray(value, dtype) does);
    without it, the value keeps its own dtype. No copy when it already fits.
    """
    if dtype is not None:
        arr = np.asarray(value, dtype=dtype_name(dtype))
    else:
        arr = np.asarray(value)
        dtype_name(arr.dtype)  # raises TypeError for unsupported dtypes
    wire = _WIRE_NUMPY[arr.dtype.name]
    if arr.dtype != wire or not arr.flags.c_contiguous:
        arr = np.ascontiguousarray(arr, dtype=wire)
    return arr


def to_proto(arr, out=None):
    """A wire-ready array (see as_wire_array) -> remotek.v1.Tensor."""
    out = tensor_pb2.Tensor() if out is None else out
    out.dtype = _NAME_TO_WIRE[arr.dtype.name]
    out.shape.extend(arr.shape)
    out.content = arr.tobytes()
    return out


def numpy_dtype(wire):
    """The native-order numpy dtype of a wire dtype."""
    return np.dtype(name_of_wire(wire))


def from_proto(tensor):
    """remotek.v1.Tensor -> a writable native-order numpy array (one copy)."""
    name = name_of_wire(tensor.dtype)
    shape = tuple(tensor.shape)
    raw = np.frombuffer(tensor.content, dtype=_WIRE_NUMPY[name])
    if raw.size != int(np.prod(shape, dtype=np.int64)):
        raise ValueError("remotek: the server sent %d %s elements for shape %s"
                         % (raw.size, name, shape))
    return raw.astype(np.dtype(name)).reshape(shape)


def empty_for_wire(wire, shape):
    """An uninitialised array to download into, in wire byte order."""
    return np.empty(tuple(shape), dtype=_WIRE_NUMPY[name_of_wire(wire)])


def to_native(arr):
    """An array filled in wire byte order -> native order (no-op on little-endian hosts)."""
    if _LITTLE_HOST:
        return arr
    return arr.astype(arr.dtype.newbyteorder("="))
