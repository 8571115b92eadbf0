"""Symbolic tensors: handles of nodes a session holds (placeholder, variable,
constant, op), with Python operators that build op nodes."""


class Tensor:
    """A node of a session's graph. Build ops on it with the backend functions
    or Python operators (``x + y`` adds an ``add`` node, ``x / 2`` a constant and
    a ``divide`` node); evaluate it with ``K.function`` or ``K.eval``.

    Attributes: ``name`` (the server's handle), ``kind`` ("placeholder",
    "variable", "constant", "op"), ``dtype`` (Keras name) and ``shape`` (a tuple
    with None for unknown dims). A Tensor is valid until its session is
    cleared or closed.
    """

    __slots__ = ("session", "name", "kind", "dtype", "shape", "_generation")

    def __init__(self, session, name, kind, dtype, shape, generation):
        self.session = session
        self.name = name
        self.kind = kind
        self.dtype = dtype
        self.shape = shape
        self._generation = generation

    @property
    def ndim(self):
        return len(self.shape)

    def __repr__(self):
        return "<remotek.Tensor %r kind=%s shape=%s dtype=%s>" % (
            self.name, self.kind, self.shape, self.dtype)

    # Identity semantics for == and hash, as Keras tensors used as dict keys need.
    __hash__ = object.__hash__
    # numpy defers to our reflected operators: np.ones(3) + x adds an `add` node
    # instead of an object array.
    __array_ufunc__ = None

    def _binary(self, op, other, reverse=False):
        args = (other, self) if reverse else (self, other)
        return self.session.op(op, *args)

    def __add__(self, other): return self._binary("add", other)
    def __radd__(self, other): return self._binary("add", other, True)
    def __sub__(self, other): return self._binary("subtract", other)
    def __rsub__(self, other): return self._binary("subtract", other, True)
    def __mul__(self, other): return self._binary("multiply", other)
    def __rmul__(self, other): return self._binary("multiply", other, True)
    def __truediv__(self, other): return self._binary("divide", other)
    def __rtruediv__(self, other): return self._binary("divide", other, True)
    def __pow__(self, other): return self._binary("pow", other)
    def __rpow__(self, other): return self._binary("pow", other, True)
    def __matmul__(self, other): return self._binary("dot", other)
    def __rmatmul__(self, other): return self._binary("dot", other, True)
    def __lt__(self, other): return self._binary("less", other)
    def __le__(self, other): return self._binary("less_equal", other)
    def __gt__(self, other): return self._binary("greater", other)
    def __ge__(self, other): return self._binary("greater_equal", other)
    def __and__(self, other): return self._binary("logical_and", other)
    def __rand__(self, other): return self._binary("logical_and", other, True)
    def __or__(self, other): return self._binary("logical_or", other)
    def __ror__(self, other): return self._binary("logical_or", other, True)
    def __neg__(self): return self.session.op("negative", self)
    def __abs__(self): return self.session.op("abs", self)
    def __invert__(self): return self.session.op("logical_not", self)
    def __pos__(self): return self

    def __bool__(self):
        raise TypeError("remotek.Tensor %r is symbolic and has no truth value; "
                        "evaluate it with K.eval or K.function" % self.name)
