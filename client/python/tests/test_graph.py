"""Placeholders, variables, initializers, functions, ops and operators."""
import grpc
import numpy as np
import pytest

from remotek import RemoteKError, Tensor
from remotek.ops import OP_FUNCTIONS


def test_placeholders_with_none_dims(K):
    x = K.placeholder(shape=(None, 4, 5))
    assert isinstance(x, Tensor)
    assert (x.name, x.kind, x.dtype) == ("placeholder_1", "placeholder", "float32")
    assert K.int_shape(x) == (None, 4, 5) and K.ndim(x) == 3
    y = K.placeholder(ndim=3)
    assert (y.name, K.int_shape(y)) == ("placeholder_2", (None, None, None))
    ids = K.placeholder(shape=(None,), dtype="int32", name="ids")
    ids2 = K.placeholder(shape=(2, None), dtype=np.int64, name="ids")
    assert (ids.name, K.dtype(ids), ids2.name, K.dtype(ids2)) == ("ids", "int32", "ids_1", "int64")
    assert K.int_shape(K.batch_dot(x, K.placeholder(shape=(None, 5, 3)))) == (None, 4, 3)
    with pytest.raises(ValueError, match="needs a shape or an ndim"):
        K.placeholder()
    with pytest.raises(RemoteKError) as err:
        K.placeholder(ndim=-1)
    assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert "placeholder: ndim=-1 must be in [0, " in err.value.message


def test_seeded_variables_are_equal_across_sessions(K, new_session):
    other = new_session()
    a = K.random_uniform_variable((64, 32), -1.0, 2.0, seed=1234)
    b = other.random_uniform_variable((64, 32), -1.0, 2.0, seed=1234)
    va, vb = K.get_value(a), other.get_value(b)
    assert va.dtype == np.float32 and va.shape == (64, 32)
    np.testing.assert_array_equal(va, vb)
    assert va.min() >= -1.0 and va.max() < 2.0
    assert abs(va.mean() - 0.5) < 0.06 and abs(va.var() - 0.75) < 0.08
    assert len(np.unique(va)) > 2000

    n1 = K.random_normal_variable((100, 100), 3.0, 0.5, dtype="float64", seed=7)
    n2 = other.random_normal_variable((100, 100), 3.0, 0.5, dtype="float64", seed=7)
    vn = K.get_value(n1)
    assert vn.dtype == np.float64
    np.testing.assert_array_equal(vn, other.get_value(n2))
    assert abs(vn.mean() - 3.0) < 0.02 and abs(vn.std() - 0.5) < 0.02

    different = K.get_value(K.random_uniform_variable((64, 32), -1.0, 2.0, seed=1235))
    assert not np.array_equal(different, va)
    unseeded = [K.get_value(K.random_uniform_variable((16,), 0, 1)) for _ in range(2)]
    assert not np.array_equal(unseeded[0], unseeded[1])


def test_initializer_and_constant_values(K):
    z, o, e = K.zeros((2, 3)), K.ones((2, 3), dtype="int32"), K.eye(3)
    np.testing.assert_array_equal(K.get_value(z), np.zeros((2, 3), np.float32))
    assert K.get_value(o).dtype == np.int32 and K.get_value(o).tolist() == [[1] * 3] * 2
    np.testing.assert_array_equal(K.get_value(e), np.eye(3, dtype=np.float32))
    np.testing.assert_array_equal(K.get_value(K.eye((2, 4), dtype="float64")), np.eye(2, 4))
    c = K.constant(7, shape=(2, 2))
    assert (c.kind, c.dtype, c.shape) == ("constant", "float32", (2, 2))
    np.testing.assert_array_equal(K.eval(c), np.full((2, 2), 7, np.float32))
    v = K.variable(np.arange(6, dtype=np.int64).reshape(2, 3))  # Keras: floatx by default
    assert (v.kind, v.dtype, v.shape, K.count_params(v)) == ("variable", "float32", (2, 3), 6)
    with pytest.raises(RemoteKError) as err:
        K.eye((2, 2, 2))
    assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT and "eye" in err.value.message


def test_function_with_batch_dot_dot_prod_cast_and_updates(K):
    rng = np.random.default_rng(0)
    x = K.placeholder(shape=(None, 4, 5))
    y = K.placeholder(shape=(None, 5, 3))
    w_value = rng.uniform(-1, 1, size=(3, 2)).astype(np.float32)
    w = K.variable(w_value)
    acc = K.zeros((2,))
    steps = K.variable(0, dtype="int64")
    bd = K.batch_dot(x, y, axes=(2, 1))
    d = K.dot(bd, w)
    p = K.prod(d, axis=1)
    c = K.cast(p, "float64")
    t = K.transpose(K.mean(d, axis=2))
    assert [K.int_shape(v) for v in (bd, d, p, c, t)] == [
        (None, 4, 3), (None, 4, 2), (None, 2), (None, 2), (4, None)]
    assert (c.dtype, K.dtype(p)) == ("float64", "float32")
    f = K.function([x, y], [bd, d, p, c, t],
                   updates=[(acc, acc + K.sum(p, axis=0)), K.update_add(steps, 1)])
    expected_acc = np.zeros(2, np.float64)
    for batch in (2, 3, 1):
        xv = rng.uniform(0.5, 1.5, size=(batch, 4, 5)).astype(np.float32)
        yv = rng.uniform(0.5, 1.5, size=(batch, 5, 3)).astype(np.float32)
        out = f([xv, yv])
        assert len(out) == 5
        nbd = np.matmul(xv.astype(np.float64), yv)
        nd = nbd @ w_value
        npr = np.prod(nd, axis=1)
        np.testing.assert_allclose(out[0], nbd, rtol=1e-5)
        np.testing.assert_allclose(out[1], nd, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(out[2], npr, rtol=1e-4, atol=1e-5)
        assert out[3].dtype == np.float64 and out[2].dtype == np.float32
        np.testing.assert_array_equal(out[3], out[2].astype(np.float64))
        np.testing.assert_allclose(out[4], nd.mean(axis=2).T, rtol=1e-4, atol=1e-5)
        expected_acc += out[2].astype(np.float64).sum(axis=0)
    np.testing.assert_allclose(K.get_value(acc), expected_acc, rtol=1e-5)
    assert K.get_value(steps) == 3 and K.get_value(steps).dtype == np.int64
    # Feeds are converted to the placeholders' dtype, as a TensorFlow feed is.
    out = f([np.ones((1, 4, 5), np.float64), np.ones((1, 5, 3), np.int32)])
    np.testing.assert_allclose(out[0], np.full((1, 4, 3), 5.0))


def test_python_operators_build_op_nodes(K):
    a = K.placeholder(shape=(2, 3))
    b = K.variable([[1, 2, 3], [4, 5, 6]])
    exprs = {"add": a + b, "subtract": a - b, "multiply": a * b, "divide": a / b,
             "negative": -a, "pow": a ** 2, "greater": a > b}
    for op_name, node in exprs.items():
        assert node.kind == "op" and node.name.startswith(op_name + "_"), (op_name, node)
    scaled, rsub, rdiv = a * 2, 1 - a, 6 / b
    np_left = np.full((2, 3), 0.5, np.float32) + a
    assert [n.name.split("_")[0] for n in (scaled, rsub, rdiv, np_left)] == [
        "multiply", "subtract", "divide", "add"]
    av = np.array([[1, -2, 3], [0.5, 0, 6]], np.float32)
    bv = np.array([[1, 2, 3], [4, 5, 6]], np.float32)
    f = K.function([a], list(exprs.values()) + [scaled, rsub, rdiv, np_left])
    out = f([av])
    expected = [av + bv, av - bv, av * bv, av / bv, -av, av ** 2, av > bv, av * 2, 1 - av,
                6 / bv, av + 0.5]
    for got, want in zip(out, expected):
        assert got.dtype == want.dtype
        np.testing.assert_allclose(got, want, rtol=1e-6)
    with pytest.raises(TypeError, match="no truth value"):
        bool(a > b)


def test_eager_ops_on_numpy(K):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 4)).astype(np.float32)
    y = rng.standard_normal((4, 2)).astype(np.float32)
    got = K.sum(x, axis=1, keepdims=True)
    assert isinstance(got, np.ndarray) and got.shape == (3, 1)
    np.testing.assert_allclose(got, x.sum(axis=1, keepdims=True), rtol=1e-5)
    np.testing.assert_allclose(K.mean(x), x.mean(), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(K.max(x, axis=0), x.max(axis=0))
    np.testing.assert_array_equal(K.min(x, axis=(0, 1)), x.min())
    np.testing.assert_allclose(K.prod(x, axis=-1), x.prod(axis=-1), rtol=1e-5)
    np.testing.assert_array_equal(K.transpose(x), x.T)
    np.testing.assert_allclose(K.dot(x, y), x @ y, rtol=1e-5, atol=1e-6)
    xb, yb = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 4, 5))
    np.testing.assert_allclose(K.batch_dot(xb, yb), xb @ yb, rtol=1e-12)
    sm = K.softmax(x)
    np.testing.assert_allclose(sm, np.exp(x) / np.exp(x).sum(-1, keepdims=True), rtol=1e-5)
    np.testing.assert_array_equal(K.relu(x, max_value=0.5), np.clip(x, 0, 0.5))
    np.testing.assert_array_equal(K.reshape(x, (2, -1)), x.reshape(2, 6))
    np.testing.assert_array_equal(K.concatenate([x, x], axis=0), np.concatenate([x, x]))
    as_int = K.cast(np.array([1.7, -2.5, 3.0]), "int32")
    assert as_int.dtype == np.int32 and as_int.tolist() == [1, -2, 3]
    assert K.cast(np.array([0, 2]), np.bool_).tolist() == [False, True]
    np.testing.assert_allclose(K.sqrt(np.array([4.0, 9.0], np.float32)), [2, 3])
    assert K.argmax(x).dtype == np.int64
    np.testing.assert_array_equal(K.argmax(x), x.argmax(axis=-1))
    # K.eval of an op node whose graph needs no feeds.
    c = K.constant([[1, 2], [3, 4]])
    np.testing.assert_array_equal(K.eval(K.dot(c, c) - 1), [[6, 9], [14, 21]])
    assert K.get_session().stats()["functions"] == 0  # eval's one-off function was released


def test_losses(K):
    target = np.array([[0, 1, 0], [1, 0, 0]], np.float32)
    output = np.array([[0.2, 0.7, 0.1], [0.5, 0.25, 0.25]], np.float32)
    eps = 1e-7
    cce = -(target * np.log(np.clip(output / output.sum(-1, keepdims=True), eps, 1 - eps))).sum(-1)
    np.testing.assert_allclose(K.categorical_crossentropy(target, output), cce, rtol=1e-5)
    clipped = np.clip(output, eps, 1 - eps)
    bce = -(target * np.log(clipped) + (1 - target) * np.log(1 - clipped))
    np.testing.assert_allclose(K.binary_crossentropy(target, output), bce, rtol=1e-5)
    np.testing.assert_allclose(K.mean_squared_error(target, output),
                               ((output - target) ** 2).mean(-1), rtol=1e-6)


def test_every_server_op_is_reachable(K):
    ops = K.get_session().ops()
    assert {"batch_dot", "dot", "transpose", "sum", "prod", "cast", "softmax"} <= ops
    for name in ops:
        assert callable(getattr(K, name)), name
    missing = [name for name in OP_FUNCTIONS if name not in ops]
    assert missing == [], "Keras-named functions without a server op: %s" % missing
    np.testing.assert_allclose(K.op("softplus", np.array([0.0, 1.0])), np.log1p(np.exp([0.0, 1.0])))
    np.testing.assert_allclose(K.hard_sigmoid(np.array([0.0, 10.0])), [0.5, 1.0])
    with pytest.raises(AttributeError):
        K.no_such_op
    with pytest.raises(RemoteKError) as err:
        K.op("no_such_op", np.ones(2))
    assert err.value.code == grpc.StatusCode.NOT_FOUND and "no_such_op" in err.value.message
