"""Values: dtype round trips, get/set_value, clear_session, streaming, errors."""
import grpc
import numpy as np
import pytest

from remotek import DTYPES, RemoteKError
from remotek._proto import pb


def _sample(dtype):
    """Edge values of ``dtype`` in a (2, 3) array."""
    if dtype == "bool":
        return np.array([[True, False, True], [False, False, True]])
    info = np.finfo(dtype) if np.dtype(dtype).kind == "f" else np.iinfo(dtype)
    if np.dtype(dtype).kind == "f":
        values = [info.min, info.max, -0.0, np.inf, np.nan, info.tiny]
    else:
        values = [info.min, info.max, 0, 1, info.max // 3, info.min // 7]
    return np.array(values, dtype=dtype).reshape(2, 3)


def _assert_same_bits(got, want):
    assert got.dtype == want.dtype and got.shape == want.shape
    assert got.flags.writeable
    assert got.tobytes() == np.ascontiguousarray(want).tobytes()


@pytest.mark.parametrize("streamed", [False, True], ids=["unary", "streamed"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_dtype_round_trip(new_session, dtype, streamed):
    # stream_threshold=0 sends every non-empty value through Upload/DownloadTensor,
    # in 5-byte chunks so that elements straddle chunk boundaries.
    s = new_session(**({"stream_threshold": 0, "chunk_bytes": 5} if streamed else {}))
    value = _sample(dtype)
    v = s.variable(value, dtype=dtype)
    assert (v.dtype, v.shape) == (dtype, (2, 3))
    _assert_same_bits(s.get_value(v), value)
    c = s.constant(value, dtype=dtype)
    _assert_same_bits(s.get_value(c), value)
    assert s.transfer_stats["uploads"] == (2 if streamed else 0)
    assert s.transfer_stats["downloads"] == (2 if streamed else 0)
    # Eager (RunOp) and function (Call) paths carry the same bytes.
    _assert_same_bits(s.op("reshape", value, shape=[3, 2]), value.reshape(3, 2))
    p = s.placeholder(shape=(None, 3), dtype=dtype)
    f = s.function([p], [s.op("transpose", p)])
    _assert_same_bits(f([value])[0], value.T)
    # Big-endian and non-contiguous inputs are converted, not misread.
    swapped = value.T.astype(value.dtype.newbyteorder(">"))
    s.set_value(v, swapped.T)
    _assert_same_bits(s.get_value(v), value)
    empty = s.variable(np.zeros((0, 4), dtype=dtype), dtype=dtype)
    _assert_same_bits(s.get_value(empty), np.zeros((0, 4), dtype=dtype))


def test_unsupported_dtypes_are_refused_locally(K):
    for bad in (np.complex64, np.uint16, "float128", object):
        with pytest.raises(TypeError, match="not supported|not a dtype"):
            K.variable(np.zeros(2), dtype=bad)
    with pytest.raises(TypeError, match="uint32 is not supported"):
        K.sum(np.zeros(2, np.uint32))


def test_get_set_and_batch_get_value(K):
    a = K.variable([[1.5, 2.5]], name="a")
    b = K.variable(3, dtype="int16", name="b")
    assert (a.name, b.name, b.shape) == ("a", "b", ())
    K.set_value(a, [[7, 8]])
    K.set_value(b, 9.9)  # cast to the variable's dtype, as Keras does
    va, vb = K.batch_get_value([a, b])
    np.testing.assert_array_equal(va, [[7.0, 8.0]])
    assert va.dtype == np.float32 and vb.dtype == np.int16 and vb == 9
    assert K.batch_get_value([]) == []
    K.batch_set_value([(a, [[0, 1]]), (b, -4)])
    assert K.get_value(a).tolist() == [[0, 1]] and K.get_value(b) == -4
    with pytest.raises(RemoteKError) as err:
        K.set_value(a, [1, 2, 3])
    assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert err.value.message == (
        'set_value: value shape (3,) does not match variable "a" of shape (1, 2)')
    with pytest.raises(RemoteKError) as err:
        K.set_value(K.constant([1.0]), [2.0])
    assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert "is a constant, not a variable" in err.value.message
    x = K.placeholder(shape=(2,))
    with pytest.raises(RemoteKError) as err:
        K.get_value(x)
    assert err.value.code == grpc.StatusCode.FAILED_PRECONDITION
    assert '"placeholder_1" is a placeholder and holds no value' in err.value.message


def test_clear_session_frees_everything_and_resets_names(K):
    x = K.placeholder(shape=(None, 3))
    v = K.variable(np.ones((100, 3)))
    f = K.function([x], [K.dot(x, K.transpose(v))], updates=[(v, v * 2.0)])
    f([np.ones((2, 3))])
    before = K.get_session().stats()
    assert before["bytes_held"] >= 1200 and before["variables"] == 1 and before["functions"] == 1
    after = K.clear_session()
    assert {k: after[k] for k in ("bytes_held", "nodes", "variables", "functions")} == {
        "bytes_held": 0, "nodes": 0, "variables": 0, "functions": 0}
    assert after["peak_bytes"] >= before["bytes_held"]
    assert K.placeholder(shape=(1,)).name == "placeholder_1"
    assert K.variable(1.0).name == "variable_1"
    for stale in (lambda: K.get_value(v), lambda: x + 1, lambda: f([np.ones((2, 3))])):
        with pytest.raises(RemoteKError) as err:
            stale()
        assert err.value.code == grpc.StatusCode.FAILED_PRECONDITION
        assert "before clear_session()" in err.value.message
    assert K.get_session().stats()["bytes_held"] == 4


def test_server_errors_carry_code_and_message(K):
    x = K.placeholder(shape=(None, 4, 5))
    y = K.placeholder(shape=(None, 5, 3))
    with pytest.raises(RemoteKError) as err:
        K.batch_dot(x, y, axes=[2, 3])
    assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert err.value.message == "batch_dot: axes[1]=3 is out of range for y of rank 3"
    assert isinstance(err.value, Exception) and str(err.value).startswith("INVALID_ARGUMENT: ")
    with pytest.raises(RemoteKError) as err:
        K.sum(x, axis=7)
    assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT and "axis" in err.value.message
    with pytest.raises(RemoteKError) as err:
        K.op("sum", x, axis=1, keepdim=True)  # misspelt Keras argument
    assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT and "keepdim" in err.value.message
    f = K.function([x, y], [K.batch_dot(x, y)])
    with pytest.raises(RemoteKError) as err:
        f([np.ones((2, 4, 5))])
    assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(RemoteKError) as err:
        f([np.ones((2, 4, 5)), np.ones((3, 5, 3))])
    assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT
    session = K.get_session()
    with pytest.raises(RemoteKError) as err:
        session._rpc("GetSession", pb.SessionRequest(session_id="0" * 32))
    assert err.value.code == grpc.StatusCode.NOT_FOUND
    assert err.value.message == 'unknown session "%s"' % ("0" * 32)


def test_64_mib_round_trip_streams(K):
    session = K.get_session()
    n = (64 << 20) // 4
    value = np.arange(n, dtype=np.float32)
    value[::3] *= -0.5
    v = K.variable(value)
    assert session.transfer_stats == {"uploads": 1, "downloads": 0,
                                      "bytes_uploaded": 64 << 20, "bytes_downloaded": 0}
    assert session.stats()["bytes_held"] == 64 << 20
    # The unary GetValue cannot carry it: the client must stream.
    with pytest.raises(RemoteKError) as err:
        session._rpc("GetValue", pb.GetValueRequest(session_id=session.id, handle=v.name))
    assert err.value.code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "fetch it with DownloadTensor" in err.value.message
    got = K.get_value(v)
    assert session.transfer_stats["downloads"] == 1
    assert session.transfer_stats["bytes_downloaded"] == 64 << 20
    assert got.dtype == np.float32 and got.shape == (n,)
    assert np.array_equal(got, value)
    del got
    K.set_value(v, value[::-1])
    assert session.transfer_stats["uploads"] == 2
    tail = K.eval(K.slice(v, [n - 3], [3]))
    np.testing.assert_array_equal(tail, value[2::-1])
    assert K.clear_session()["bytes_held"] == 0
