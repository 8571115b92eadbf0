"""Session: one RemoteK session on a server, and every RPC the client makes.

Thread-safety: a Session may be used from several threads for calls that
only read (functions, get_value, eager ops); building nodes is serialised
by the server. close() and clear() while other threads use the session make
their calls fail with RemoteKError.
"""
import secrets

import grpc
import numpy as np

from remotek import _context
from remotek._proto import pb, pb_grpc, tensor_pb2
from remotek.errors import RemoteKError
from remotek.symbolic import Tensor
from remotek.tensors import (as_wire_array, dtype_name, empty_for_wire, from_proto,
                             name_of_wire, shape_of_wire, to_native, to_proto, wire_dtype)

# Tensors above this many bytes travel through UploadTensor / DownloadTensor.
DEFAULT_STREAM_THRESHOLD = 4 << 20
# Content bytes per streamed chunk.
DEFAULT_CHUNK_BYTES = 4 << 20
SESSION_HEADER = "remotek-session-id"
CHANNEL_OPTIONS = (
    ("grpc.max_receive_message_length", -1),
    ("grpc.max_send_message_length", -1),
    # A 16 MiB HTTP/2 window keeps multi-MiB chunks flowing (the server uses the same).
    ("grpc.http2.lookahead_bytes", 16 << 20),
)
_HOLDS_VALUE = ("variable", "constant")


def make_channel(address):
    """An insecure channel to ``address`` with the options RemoteK needs."""
    return grpc.insecure_channel(address, options=list(CHANNEL_OPTIONS))


def _stats_dict(stats):
    return {field.name: getattr(stats, field.name) for field in stats.DESCRIPTOR.fields}


def _attr_value(name, value):
    """A Python attribute value -> remotek.v1.AttrValue (Keras's None is left out earlier)."""
    out = tensor_pb2.AttrValue()
    if isinstance(value, (bool, np.bool_)):
        out.b = bool(value)
    elif isinstance(value, (int, np.integer)):
        out.i = int(value)
    elif isinstance(value, (float, np.floating)):
        out.f = float(value)
    elif isinstance(value, str):
        out.s = value
    elif isinstance(value, (type, np.dtype)):
        out.s = dtype_name(value)
    elif isinstance(value, (list, tuple, np.ndarray)):
        flat = np.asarray(value).reshape(-1)
        if flat.dtype.kind in "iub" or flat.size == 0:
            out.ints.values.extend(int(v) for v in flat)
            out.ints.SetInParent()
        elif flat.dtype.kind == "f":
            out.floats.values.extend(float(v) for v in flat)
        else:
            raise TypeError("remotek: attribute %s=%r is not a list of numbers" % (name, value))
    else:
        raise TypeError("remotek: attribute %s=%r has an unsupported type %s"
                        % (name, value, type(value).__name__))
    return out


def _fill_attrs(attr_map, attrs):
    for key, value in attrs.items():
        if value is not None:
            attr_map[key].CopyFrom(_attr_value(key, value))


def _reference_dtype(inputs):
    """The dtype Python scalars among ``inputs`` take: that of the first tensor or array."""
    for x in inputs:
        if isinstance(x, Tensor):
            return x.dtype
        if isinstance(x, (np.ndarray, np.generic)):
            return x.dtype.name
    return None


class Function:
    """A compiled K.function: call it with a list of arrays, one per input."""

    def __init__(self, session, handle, inputs, outputs, generation):
        self.session = session
        self.name = handle
        self.input_specs = inputs    # [(dtype, shape)] of the placeholders
        self.output_specs = outputs  # [(dtype, shape)]
        self._generation = generation

    def __repr__(self):
        return "<remotek.Function %r inputs=%d outputs=%d>" % (
            self.name, len(self.input_specs), len(self.output_specs))

    def __call__(self, inputs=()):
        if isinstance(inputs, (np.ndarray, np.generic)) or not isinstance(inputs, (list, tuple)):
            inputs = [inputs]
        return self.session._call_function(self, inputs)

    def release(self):
        """Frees the compiled plan on the server."""
        self.session._check_function(self)
        self.session._rpc("ReleaseFunction", pb.ReleaseFunctionRequest(
            session_id=self.session.id, function=self.name))


class Session:
    """One RemoteK session: a Keras graph, its variables and functions on a server.

    ``Session(address, backend=None, floatx=None, epsilon=None,
    image_data_format=None)``: None takes the server's default. Use it as a
    context manager to make it the backend module's current session and to
    close it on exit. ``stream_threshold``: tensors above this many bytes use
    the streaming RPCs. ``channel``: an existing channel to use instead of
    dialling ``address`` (it is then not closed by close()).

    Raises RemoteKError for every server error, with its code and message.
    """

    def __init__(self, address=None, backend=None, floatx=None, epsilon=None,
                 image_data_format=None, *, channel=None, timeout=None,
                 stream_threshold=DEFAULT_STREAM_THRESHOLD, chunk_bytes=DEFAULT_CHUNK_BYTES):
        if (address is None) == (channel is None):
            raise ValueError("remotek: give exactly one of address and channel")
        if chunk_bytes <= 0 or stream_threshold < 0:
            raise ValueError("remotek: chunk_bytes must be > 0 and stream_threshold >= 0")
        self.address = address
        self._owns_channel = channel is None
        self._channel = make_channel(address) if channel is None else channel
        self._stub = pb_grpc.RemoteKStub(self._channel)
        self._timeout = timeout
        self._chunk_bytes = int(chunk_bytes)
        self._generation = 0
        self._ops = None
        self.closed = False
        self.id = ""
        self._metadata = ()
        self.transfer_stats = {"uploads": 0, "downloads": 0,
                               "bytes_uploaded": 0, "bytes_downloaded": 0}
        try:
            server = self._rpc("GetServerInfo", pb.GetServerInfoRequest(), scoped=False)
            # Unary messages stay well inside the server's message limit.
            self.stream_threshold = min(int(stream_threshold), server.max_message_bytes // 2)
            # The client proposes the id and sends it as the session header
            # too, so a proxy routing by that header creates the session on
            # the replica that will serve all its later calls.
            proposed = secrets.token_hex(16)
            request = pb.CreateSessionRequest(
                backend=backend or "", floatx=wire_dtype(floatx),
                epsilon=float(epsilon or 0.0), image_data_format=image_data_format or "",
                session_id=proposed)
            self._metadata = ((SESSION_HEADER, proposed),)
            info = self._rpc("CreateSession", request, scoped=True)
        except BaseException:
            self.closed = True
            if self._owns_channel:
                self._channel.close()
            raise
        self.id = info.session_id
        self._metadata = ((SESSION_HEADER, self.id),)
        self._config = info.config

    # ------------------------------------------------------------ plumbing

    def _rpc(self, method, request, scoped=True):
        """Calls a unary RPC; every session-scoped call carries the session header."""
        if scoped and self.closed:
            raise RemoteKError(grpc.StatusCode.FAILED_PRECONDITION,
                               "session %s is closed" % self.id)
        try:
            return getattr(self._stub, method)(
                request, metadata=self._metadata if scoped else None, timeout=self._timeout)
        except grpc.RpcError as e:
            raise RemoteKError.from_rpc_error(e) from None

    def _tensor(self, node):
        return Tensor(self, node.handle, node.kind, name_of_wire(node.spec.dtype),
                      shape_of_wire(node.spec.shape), self._generation)

    def _check(self, x):
        if x.session is not self:
            raise ValueError("remotek: tensor %r belongs to another session" % x.name)
        if x._generation != self._generation:
            raise RemoteKError(grpc.StatusCode.FAILED_PRECONDITION,
                               "tensor %r was made before clear_session()" % x.name)
        return x.name

    def _check_function(self, fn):
        if fn.session is not self or fn._generation != self._generation:
            raise RemoteKError(grpc.StatusCode.FAILED_PRECONDITION,
                               "function %r was made before clear_session()" % fn.name)

    def _coerce(self, x, ref):
        """An op input that is not a Tensor -> a wire-ready array. Python scalars
        take the dtype of the other operand when they fit it (2 * float16 x stays
        float16); otherwise floats become floatx, as Keras constants do."""
        if isinstance(x, (bool, int, float)):
            if ref is not None:
                kind = np.dtype(ref).kind
                if kind == "f" and not isinstance(x, bool):
                    return as_wire_array(x, ref)
                if kind in "iu" and type(x) is int:
                    return as_wire_array(x, ref)
                if kind == "b" and isinstance(x, bool):
                    return as_wire_array(x, ref)
            if isinstance(x, float):
                return as_wire_array(x, self.floatx())
        return as_wire_array(x)

    def _node_handle(self, x, ref):
        if isinstance(x, Tensor):
            return self._check(x)
        arr = self._coerce(x, ref)
        return self._add_constant(arr, None).name

    # -------------------------------------------------------------- config

    def floatx(self):
        return name_of_wire(self._config.floatx)

    def epsilon(self):
        return self._config.epsilon

    def image_data_format(self):
        return self._config.image_data_format

    @property
    def backend(self):
        return self._config.backend

    def server_info(self):
        """The server's GetServerInfo answer (remotek.v1.ServerInfo)."""
        return self._rpc("GetServerInfo", pb.GetServerInfoRequest(), scoped=False)

    def list_backends(self):
        return list(self._rpc("ListBackends", pb.ListBackendsRequest(), scoped=False).backends)

    def ops(self):
        """Names of the ops this session's backend runs (cached)."""
        if self._ops is None:
            for info in self.list_backends():
                if info.name == self.backend:
                    self._ops = frozenset(info.ops)
            if self._ops is None:
                self._ops = frozenset()
        return self._ops

    def info(self):
        """This session's remotek.v1.SessionInfo (config and stats)."""
        return self._rpc("GetSession", pb.SessionRequest(session_id=self.id))

    def stats(self):
        """bytes_held, peak_bytes, nodes, variables, functions, ... as a dict."""
        return _stats_dict(self.info().stats)

    def keep_alive(self):
        self._rpc("KeepAlive", pb.SessionRequest(session_id=self.id))

    # ------------------------------------------------------------- lifetime

    def clear(self):
        """K.clear_session(): drops graph, variables, functions and name counters.
        Tensors and functions made before become invalid. Returns stats()."""
        info = self._rpc("ClearSession", pb.SessionRequest(session_id=self.id))
        self._generation += 1
        return _stats_dict(info.stats)

    clear_session = clear

    def close(self):
        """Closes the session on the server (idempotent) and the channel it dialled."""
        if self.closed:
            return
        try:
            if self.id:
                self._rpc("CloseSession", pb.SessionRequest(session_id=self.id))
        finally:
            self.closed = True
            if self._owns_channel:
                self._channel.close()

    def __enter__(self):
        _context.push(self)
        return self

    def __exit__(self, *exc):
        _context.pop(self)
        self.close()
        return False

    def __repr__(self):
        return "<remotek.Session %s backend=%s%s>" % (
            self.id, self.backend, " closed" if self.closed else "")

    # --------------------------------------------------------------- nodes

    def placeholder(self, shape=None, ndim=None, dtype=None, sparse=False, name=None):
        """K.placeholder: ``shape`` may hold None dims; without it, ``ndim`` unknown dims."""
        if sparse:
            raise NotImplementedError("remotek: sparse placeholders are not supported")
        request = pb.PlaceholderRequest(session_id=self.id, name=name or "",
                                        dtype=wire_dtype(dtype))
        if shape is not None:
            request.shape.dims.extend(-1 if d is None else int(d) for d in shape)
            request.shape.SetInParent()
        elif ndim is not None:
            request.ndim = int(ndim)
        else:
            raise ValueError("remotek: placeholder needs a shape or an ndim")
        return self._tensor(self._rpc("Placeholder", request))

    def variable(self, value, dtype=None, name=None, constraint=None):
        """K.variable: ``value`` converted to ``dtype`` (default floatx), as Keras does."""
        if isinstance(value, Tensor):
            raise TypeError("remotek: variable() takes a value, not a symbolic tensor "
                            "(use eval() first)")
        arr = as_wire_array(value, dtype or self.floatx())
        if arr.nbytes > self.stream_threshold:
            return self._upload(arr, pb.UploadHeader.NEW_VARIABLE, name)
        request = pb.VariableRequest(session_id=self.id, name=name or "")
        to_proto(arr, request.value)
        return self._tensor(self._rpc("Variable", request))

    def constant(self, value, dtype=None, shape=None, name=None):
        """K.constant: ``value`` as ``dtype`` (default floatx), broadcast to ``shape`` if given."""
        arr = np.asarray(value, dtype=dtype_name(dtype or self.floatx()))
        if shape is not None:
            arr = np.broadcast_to(arr, tuple(shape)) if arr.size == 1 else arr.reshape(shape)
        return self._add_constant(as_wire_array(arr), name)

    def _add_constant(self, arr, name):
        if arr.nbytes > self.stream_threshold:
            return self._upload(arr, pb.UploadHeader.NEW_CONSTANT, name)
        request = pb.ConstantRequest(session_id=self.id, name=name or "")
        to_proto(arr, request.value)
        return self._tensor(self._rpc("Constant", request))

    def _initialized(self, kind, shape, dtype, name, **params):
        init = pb.Initializer(kind=kind, shape=[int(d) for d in shape], **params)
        request = pb.VariableRequest(session_id=self.id, name=name or "",
                                     dtype=wire_dtype(dtype), initializer=init)
        return self._tensor(self._rpc("Variable", request))

    def zeros(self, shape, dtype=None, name=None):
        return self._initialized(pb.Initializer.ZEROS, shape, dtype, name)

    def ones(self, shape, dtype=None, name=None):
        return self._initialized(pb.Initializer.ONES, shape, dtype, name)

    def eye(self, size, dtype=None, name=None):
        """K.eye: ``size`` is n or (n, m)."""
        shape = (size, size) if isinstance(size, (int, np.integer)) else tuple(size)
        return self._initialized(pb.Initializer.EYE, shape, dtype, name)

    @staticmethod
    def _seed(seed):
        return {} if seed is None else {"has_seed": True, "seed": int(seed) & (2**64 - 1)}

    def random_uniform_variable(self, shape, low, high, dtype=None, name=None, seed=None):
        return self._initialized(pb.Initializer.RANDOM_UNIFORM, shape, dtype, name,
                                 low=float(low), high=float(high), **self._seed(seed))

    def random_normal_variable(self, shape, mean, scale, dtype=None, name=None, seed=None):
        return self._initialized(pb.Initializer.RANDOM_NORMAL, shape, dtype, name,
                                 mean=float(mean), stddev=float(scale), **self._seed(seed))

    def truncated_normal_variable(self, shape, mean=0.0, stddev=1.0, dtype=None, name=None,
                                  seed=None):
        return self._initialized(pb.Initializer.TRUNCATED_NORMAL, shape, dtype, name,
                                 mean=float(mean), stddev=float(stddev), **self._seed(seed))

    # ----------------------------------------------------------------- ops

    def op(self, op_name, *inputs, name=None, **attrs):
        """Any server op by name. With a symbolic input, adds an op node (arrays
        and scalars become constants) and returns a Tensor; with only arrays and
        scalars, runs the op now (RunOp) and returns a numpy array. ``attrs`` use
        Keras names; None values are left out (Keras's default)."""
        ref = _reference_dtype(inputs)
        if any(isinstance(x, Tensor) for x in inputs):
            request = pb.OpNodeRequest(session_id=self.id, name=name or "", op=op_name,
                                       inputs=[self._node_handle(x, ref) for x in inputs])
            _fill_attrs(request.attrs, attrs)
            return self._tensor(self._rpc("OpNode", request))
        return self.run_op(op_name, *[self._coerce(x, ref) for x in inputs], **attrs)

    def run_op(self, op_name, *inputs, **attrs):
        """Eager: runs one op on arrays now and returns the result as numpy."""
        request = pb.RunOpRequest(session_id=self.id, op=op_name)
        for x in inputs:
            to_proto(as_wire_array(x), request.args.add().tensor)
        _fill_attrs(request.attrs, attrs)
        return from_proto(self._rpc("RunOp", request).result)

    def gradients(self, loss, variables):
        """K.gradients(loss, variables): the gradient of sum(loss) with respect
        to each variable (any Tensor of this session), as a list parallel to
        ``variables`` holding a Tensor, or None where loss does not depend on
        that variable through differentiable ops. All or nothing on the server."""
        single = isinstance(variables, Tensor)
        variables = [variables] if single else list(variables)
        if not isinstance(loss, Tensor):
            raise TypeError("remotek: gradients: loss must be a Tensor, got %r" % (loss,))
        request = pb.GradientsRequest(session_id=self.id, loss=self._check(loss))
        for i, v in enumerate(variables):
            if not isinstance(v, Tensor):
                raise TypeError("remotek: gradients: variables[%d] must be a Tensor, got %r"
                                % (i, v))
            request.variables.append(self._check(v))
        response = self._rpc("Gradients", request)
        return [None if g.none else self._tensor(g.node) for g in response.gradients]

    # ------------------------------------------------------------ functions

    def function(self, inputs, outputs, updates=None, name=None):
        """K.function(inputs, outputs, updates): ``updates`` is a list of
        (variable, new_value) pairs applied after each call."""
        single = isinstance(outputs, Tensor)
        outputs = [outputs] if single else list(outputs)
        inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs or [])
        request = pb.FunctionRequest(session_id=self.id, name=name or "",
                                     inputs=[self._check(x) for x in inputs],
                                     outputs=[self._node_handle(x, None) for x in outputs])
        for variable, value in updates or []:
            if not isinstance(variable, Tensor):
                raise TypeError("remotek: an update target must be a variable Tensor")
            request.updates.add(variable=self._check(variable),
                                value=self._node_handle(value, variable.dtype))
        info = self._rpc("Function", request)

        def specs(spec_list):
            return [(name_of_wire(s.dtype), shape_of_wire(s.shape)) for s in spec_list]
        return Function(self, info.handle, specs(info.inputs), specs(info.outputs),
                        self._generation)

    def _call_function(self, fn, inputs):
        self._check_function(fn)
        request = pb.CallRequest(session_id=self.id, function=fn.name)
        for i, value in enumerate(inputs):
            # Feeds take the placeholder's dtype, as a TensorFlow feed does.
            dtype = fn.input_specs[i][0] if i < len(fn.input_specs) else None
            to_proto(as_wire_array(value, dtype), request.feeds.add())
        return [from_proto(t) for t in self._rpc("Call", request).outputs]

    # ---------------------------------------------------------------- values

    def eval(self, x):
        """The value of ``x``: arrays as they are, variables and constants by
        get_value, op nodes by a one-off function with no inputs."""
        if not isinstance(x, Tensor):
            return np.asarray(x)
        self._check(x)
        if x.kind in _HOLDS_VALUE:
            return self.get_value(x)
        fn = self.function([], [x])
        try:
            return fn([])[0]
        finally:
            fn.release()

    @staticmethod
    def _nbytes(x):
        if any(d is None for d in x.shape):
            return 0
        return int(np.prod(x.shape, dtype=np.int64)) * np.dtype(x.dtype).itemsize

    def get_value(self, x):
        """The value a variable or constant holds, as numpy (streamed when large)."""
        handle = self._check(x)
        if self._nbytes(x) > self.stream_threshold:
            return self._download(handle)
        return from_proto(self._rpc("GetValue", pb.GetValueRequest(
            session_id=self.id, handle=handle)))

    def batch_get_value(self, xs):
        """Values of several variables: small ones in as few requests as fit, large ones streamed."""
        xs = list(xs)
        out = [None] * len(xs)
        batch, batch_bytes = [], 0

        def flush():
            if batch:
                request = pb.BatchGetValueRequest(session_id=self.id,
                                                  handles=[xs[i].name for i in batch])
                values = self._rpc("BatchGetValue", request).values
                for i, value in zip(batch, values):
                    out[i] = from_proto(value)
                batch.clear()

        for i, x in enumerate(xs):
            self._check(x)
            size = self._nbytes(x)
            if size > self.stream_threshold:
                out[i] = self._download(x.name)
                continue
            if batch_bytes + size > self.stream_threshold:
                flush()
                batch_bytes = 0
            batch.append(i)
            batch_bytes += size
        flush()
        return out

    def set_value(self, x, value):
        """K.set_value: ``value`` converted to x's dtype (as Keras does) and stored."""
        handle = self._check(x)
        arr = as_wire_array(value, x.dtype)
        if arr.nbytes > self.stream_threshold:
            self._upload(arr, pb.UploadHeader.SET_VALUE, handle)
            return
        request = pb.SetValueRequest(session_id=self.id, handle=handle)
        to_proto(arr, request.value)
        self._rpc("SetValue", request)

    def batch_set_value(self, tuples):
        for x, value in tuples:
            self.set_value(x, value)

    # ------------------------------------------------------------- streaming

    def _upload(self, arr, target, name):
        """UploadTensor: header, then ``chunk_bytes`` pieces of arr's raw bytes."""
        if self.closed:
            raise RemoteKError(grpc.StatusCode.FAILED_PRECONDITION,
                               "session %s is closed" % self.id)
        header = pb.UploadHeader(session_id=self.id, target=target, name=name or "",
                                 dtype=wire_dtype(arr.dtype), shape=list(arr.shape))
        raw = memoryview(arr.reshape(-1).view(np.uint8))
        step = self._chunk_bytes

        def chunks():
            yield pb.UploadChunk(header=header)
            for offset in range(0, len(raw), step):
                yield pb.UploadChunk(content=raw[offset:offset + step].tobytes())

        try:
            node = self._stub.UploadTensor(chunks(), metadata=self._metadata,
                                           timeout=self._timeout)
        except grpc.RpcError as e:
            raise RemoteKError.from_rpc_error(e) from None
        self.transfer_stats["uploads"] += 1
        self.transfer_stats["bytes_uploaded"] += arr.nbytes
        return self._tensor(node)

    def _download(self, handle):
        """DownloadTensor into one preallocated array."""
        if self.closed:
            raise RemoteKError(grpc.StatusCode.FAILED_PRECONDITION,
                               "session %s is closed" % self.id)
        request = pb.DownloadTensorRequest(session_id=self.id, handle=handle,
                                           chunk_bytes=self._chunk_bytes)
        call = self._stub.DownloadTensor(request, metadata=self._metadata,
                                         timeout=self._timeout)
        try:
            first = next(call, None)
            if first is None or first.WhichOneof("part") != "header":
                raise self._data_loss(call, "download of %r: no header" % handle)
            out = empty_for_wire(first.header.dtype, first.header.shape)
            flat = out.reshape(-1).view(np.uint8)
            offset = 0
            for chunk in call:
                data = chunk.content
                if chunk.WhichOneof("part") != "content" or offset + len(data) > flat.size:
                    raise self._data_loss(call, "download of %r: unexpected chunk at byte %d"
                                          % (handle, offset))
                flat[offset:offset + len(data)] = np.frombuffer(data, dtype=np.uint8)
                offset += len(data)
        except grpc.RpcError as e:
            raise RemoteKError.from_rpc_error(e) from None
        if offset != flat.size:
            raise self._data_loss(call, "download of %r: got %d of %d bytes"
                                  % (handle, offset, flat.size))
        self.transfer_stats["downloads"] += 1
        self.transfer_stats["bytes_downloaded"] += offset
        return to_native(out)

    @staticmethod
    def _data_loss(call, message):
        call.cancel()
        return RemoteKError(grpc.StatusCode.DATA_LOSS, message)
