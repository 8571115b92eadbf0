"""Sessions, config, context managers, metadata and error mapping."""
import grpc
import numpy as np
import pytest

import remotek
from remotek import RemoteKError
from remotek._proto import pb, pb_grpc


def _raw_stub(address):
    channel = grpc.insecure_channel(address)
    return channel, pb_grpc.RemoteKStub(channel)


def test_server_info_and_default_config(K):
    session = K.get_session()
    info = session.server_info()
    assert info.version == "0.1.0"
    # The built-ins, plus the external backends built from this tree (onednn).
    assert {"eigen", "reference"} <= set(info.backends)
    assert list(info.backends) == sorted(info.backends)
    assert info.max_message_bytes == 64 << 20
    assert dict(info.config_sources) == {
        "backend": "default", "floatx": "default", "epsilon": "default",
        "image_data_format": "default"}
    assert K.floatx() == "float32"
    assert K.epsilon() == pytest.approx(1e-7, rel=0, abs=1e-15)
    assert K.image_data_format() == "channels_last"
    assert K.backend() == "eigen"
    assert len(session.id) == 32 and int(session.id, 16) >= 0  # 128 random bits, hex
    assert session.stats()["bytes_held"] == 0


def test_session_config_overrides_and_context_manager(K, server_address):
    default = K.get_session()
    with remotek.Session(server_address, backend="reference", floatx="float64",
                         epsilon=1e-4, image_data_format="channels_first") as s:
        assert K.get_session() is s
        assert (K.floatx(), K.epsilon(), K.image_data_format(), K.backend()) == (
            "float64", 1e-4, "channels_first", "reference")
        x = K.placeholder(shape=(2,))
        v = K.variable([1, 2])
        assert (x.dtype, v.dtype, x.session, v.session) == ("float64", "float64", s, s)
        np.testing.assert_array_equal(K.eval(v / 4), [0.25, 0.5])
        assert s.stats()["variables"] == 1
        sid = s.id
    assert s.closed
    assert K.get_session() is default and not default.closed
    assert K.floatx() == "float32"
    channel, stub = _raw_stub(server_address)
    with channel:
        with pytest.raises(grpc.RpcError) as raw:
            stub.GetSession(pb.SessionRequest(session_id=sid))
        assert raw.value.code() == grpc.StatusCode.NOT_FOUND
        assert 'unknown session "%s"' % sid in raw.value.details()
        listed = [i.session_id for i in stub.ListSessions(pb.ListSessionsRequest()).sessions]
    assert sid not in listed and default.id in listed
    with pytest.raises(RemoteKError) as err:
        s.stats()
    assert err.value.code == grpc.StatusCode.FAILED_PRECONDITION
    assert "is closed" in err.value.message
    s.close()  # idempotent


def test_context_manager_closes_on_exception(new_session, server_address):
    with pytest.raises(ZeroDivisionError):
        with remotek.Session(server_address) as s:
            s.variable(np.ones((4, 4)))
            1 / 0
    assert s.closed
    other = new_session()
    channel, stub = _raw_stub(server_address)
    with channel:
        ids = [i.session_id for i in stub.ListSessions(pb.ListSessionsRequest()).sessions]
    assert s.id not in ids and other.id in ids


@pytest.mark.parametrize("kwargs, code, text", [
    ({"floatx": "int32"}, grpc.StatusCode.INVALID_ARGUMENT,
     'floatx="int32" must be float16, float32 or float64'),
    ({"backend": "no_such_backend"}, grpc.StatusCode.NOT_FOUND, "no_such_backend"),
    ({"image_data_format": "channels_middle"}, grpc.StatusCode.INVALID_ARGUMENT,
     'image_data_format="channels_middle" must be "channels_last" or "channels_first"'),
    ({"epsilon": -1.0}, grpc.StatusCode.INVALID_ARGUMENT, "epsilon=-1 must be a finite number > 0"),
])
def test_bad_session_config_is_refused(server_address, kwargs, code, text):
    with pytest.raises(RemoteKError) as err:
        remotek.Session(server_address, **kwargs)
    assert err.value.code == code
    assert text in err.value.message
    assert str(err.value) == "%s: %s" % (code.name, err.value.message)


def test_unknown_session_and_unreachable_server():
    with pytest.raises(RemoteKError) as err:
        # Port 1 on loopback: nothing listens there.
        remotek.Session("127.0.0.1:1", timeout=5)
    assert err.value.code == grpc.StatusCode.UNAVAILABLE


class _Recorder(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor,
                grpc.StreamUnaryClientInterceptor):
    """Records (method, metadata) of every call."""

    def __init__(self):
        self.calls = []

    def _record(self, details):
        self.calls.append((details.method.rsplit("/", 1)[-1], tuple(details.metadata or ())))

    def intercept_unary_unary(self, continuation, details, request):
        self._record(details)
        return continuation(details, request)

    def intercept_unary_stream(self, continuation, details, request):
        self._record(details)
        return continuation(details, request)

    def intercept_stream_unary(self, continuation, details, request_iterator):
        self._record(details)
        return continuation(details, request_iterator)


def test_every_session_scoped_call_carries_the_session_header(server_address):
    recorder = _Recorder()
    with remotek.session.make_channel(server_address) as channel:
        intercepted = grpc.intercept_channel(channel, recorder)
        # stream_threshold=64: values above 64 bytes take the streaming RPCs.
        with remotek.Session(channel=intercepted, stream_threshold=64, chunk_bytes=100) as s:
            from remotek import backend as K
            x = K.placeholder(shape=(None, 3))
            big = K.variable(np.arange(60).reshape(20, 3))         # UploadTensor
            small = K.variable([1.0, 2.0, 3.0])                       # Variable
            f = K.function([x], [x * small], updates=[(small, small + 1.0)])  # Constant, OpNode
            np.testing.assert_array_equal(f([np.ones((2, 3))])[0], [[1, 2, 3]] * 2)
            np.testing.assert_array_equal(K.get_value(big), np.arange(60).reshape(20, 3))
            np.testing.assert_array_equal(K.get_value(small), [2, 3, 4])
            K.batch_get_value([small, small])
            K.set_value(small, [0, 0, 0])
            K.set_value(big, np.zeros((20, 3)))                      # UploadTensor SET_VALUE
            K.sum(np.ones(3))                                         # RunOp
            f.release()
            s.keep_alive()
            s.stats()
            K.clear_session()
            sid = s.id
    methods = {m for m, _ in recorder.calls}
    session_scoped = {"Placeholder", "Variable", "Constant", "OpNode", "Function", "Call",
                      "GetValue", "BatchGetValue", "SetValue", "RunOp", "ReleaseFunction",
                      "UploadTensor", "DownloadTensor", "KeepAlive", "GetSession",
                      "ClearSession", "CloseSession"}
    assert session_scoped <= methods
    for method, metadata in recorder.calls:
        if method in ("GetServerInfo", "CreateSession", "ListBackends"):
            continue
        assert ("remotek-session-id", sid) in metadata, method
