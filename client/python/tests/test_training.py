"""K.gradients over the wire, remotek.optimizers, and remote training of a
2-layer MLP on generated blobs (also through examples/train_mlp.py), and of
a small CNN on generated horizontal vs vertical bars in both data formats."""
import os
import re
import subprocess
import sys

import grpc
import numpy as np
import pytest

from remotek import RemoteKError, optimizers

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(HERE, "..", "examples", "train_mlp.py")
sys.path.insert(0, os.path.join(HERE, "..", "examples"))
import train_mlp  # noqa: E402


def test_gradient_of_sum_of_product(K):
    x = K.variable(np.array([1, 2, 3], dtype=np.float32))
    w = K.variable(np.array([4, 5, 6], dtype=np.float32))
    gw, gx = K.gradients(K.sum(x * w), [w, x])
    assert (gw.kind, gw.dtype, gw.shape) == ("op", "float32", (3,))
    out_w, out_x = K.function([], [gw, gx])([])
    np.testing.assert_array_equal(out_w, [1, 2, 3])
    np.testing.assert_array_equal(out_x, [4, 5, 6])


def test_gradient_through_placeholder_with_broadcast(K):
    x = K.placeholder(shape=(None, 2))
    b = K.variable(np.array([3, -1], dtype=np.float32))
    gb, gx = K.gradients(K.sum(K.square(x) * b), [b, x])
    assert gx.shape == (None, 2)
    xs = np.arange(1, 7, dtype=np.float32).reshape(3, 2)
    out_b, out_x = K.function([x], [gb, gx])([xs])
    np.testing.assert_allclose(out_b, (xs ** 2).sum(axis=0), rtol=1e-6)
    np.testing.assert_allclose(out_x, 2 * xs * np.array([3, -1]), rtol=1e-6)


def test_gradient_is_none_without_a_differentiable_path(K):
    w = K.variable(np.array([1, 5, 2], dtype=np.float32))
    unused = K.zeros((3,))
    assert K.gradients(K.sum(w), [unused, w])[0] is None
    assert K.gradients(K.cast(K.argmax(w, axis=0), "float32"), [w]) == [None]


def test_gradient_errors_have_codes_and_messages(K):
    w = K.zeros((2,), name="w")
    loss = K.sum(w)
    with pytest.raises(RemoteKError) as err:
        K.gradients(loss, [])
    assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert err.value.message == "gradients: variables is empty"
    am = K.argmax(w, axis=0)
    with pytest.raises(RemoteKError) as err:
        K.gradients(am, [w])
    assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert err.value.message == (
        'gradients: loss "%s" has dtype int64; expected a floating dtype' % am.name)
    with pytest.raises(TypeError, match="variables\\[0\\] must be a Tensor"):
        K.gradients(loss, [np.ones(2)])


def test_failed_gradients_add_no_nodes(K):
    w = K.variable(np.array([1, 2, 3], dtype=np.float32))
    p = K.prod(w)
    loss = p + K.sum(K.square(w))
    before = K.get_session().stats()["nodes"]
    with pytest.raises(RemoteKError) as err:
        K.gradients(loss, [w])
    assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert err.value.message == (
        'gradients: no gradient defined for op "prod" (node "%s")' % p.name)
    assert K.get_session().stats()["nodes"] == before


def test_sgd_step_matches_keras_formula(K):
    w = K.variable(np.array([1, -2], dtype=np.float32))
    loss = K.sum(w * w)
    sgd = optimizers.SGD(lr=0.25)
    step = K.function([], [loss], updates=sgd.get_updates(loss, [w]))
    step([])
    np.testing.assert_allclose(K.get_value(w), [0.5, -1.0])
    step([])
    assert K.get_value(sgd.iterations) == 2


def test_adam_first_step_is_learning_rate_times_sign(K):
    w = K.variable(np.array([1, -2, 3], dtype=np.float32))
    loss = K.sum(w * w)
    adam = optimizers.Adam(learning_rate=0.1)
    step = K.function([], [loss], updates=adam.get_updates(loss, [w]))
    step([])
    np.testing.assert_allclose(K.get_value(w), [0.9, -1.9, 2.9], atol=1e-4)
    assert adam.get_config()["beta_1"] == 0.9


def test_optimizer_refuses_params_without_gradient(K):
    w, u = K.zeros((2,)), K.zeros((2,))
    with pytest.raises(ValueError, match="An operation has `None` for gradient"):
        optimizers.Adam().get_updates(K.sum(w), [w, u])


@pytest.mark.parametrize("make_optimizer", [
    lambda: optimizers.Adam(learning_rate=0.05),
    lambda: optimizers.SGD(learning_rate=0.1, momentum=0.9),
    lambda: optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True),
], ids=["adam", "sgd_momentum", "sgd_nesterov"])
def test_mlp_trains_remotely(K, make_optimizer):
    x, y, probs, loss, params = train_mlp.build_mlp()
    train = K.function([x, y], [loss, probs],
                       updates=make_optimizer().get_updates(loss, params))
    xs, ys, labels = train_mlp.make_blobs(50, seed=11)
    losses = []
    for _ in range(60):
        loss_value, p = train([xs, ys])
        losses.append(float(loss_value))
    assert losses[-1] < 0.5 * losses[0] and losses[-1] < 0.3, losses
    assert np.mean(np.argmax(p, axis=1) == labels) >= 0.95
    fresh_x, _, fresh_labels = train_mlp.make_blobs(30, seed=12)
    predicted, = K.function([x], [probs])([fresh_x])
    assert np.mean(np.argmax(predicted, axis=1) == fresh_labels) >= 0.95
    stats = K.clear_session()
    assert (stats["bytes_held"], stats["nodes"], stats["variables"]) == (0, 0, 0)


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_train_mlp_example_prints_a_falling_loss(server_address, optimizer):
    run = subprocess.run([sys.executable, EXAMPLE, "--address", server_address,
                          "--optimizer", optimizer],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    losses = [float(v) for v in re.findall(r"step +\d+ +loss ([0-9.]+)", run.stdout)]
    assert len(losses) == 60, run.stdout
    assert losses[-1] < 0.5 * losses[0], run.stdout
    assert float(re.search(r"final accuracy ([0-9.]+)", run.stdout).group(1)) >= 0.95
    assert "after clear_session: bytes_held 0  nodes 0" in run.stdout


# ------------------------------------------------------------ CNN on bars

SIDE, FILTERS = 8, 4
POOLED = SIDE // 2


def make_bars(per_class, seed, channels_first):
    """8x8 single-channel images: class 0 a random row of ones (horizontal bar),
    class 1 a random column (vertical bar), plus N(0, 0.1) noise. NHWC, or
    transposed to NCHW for channels_first."""
    rng = np.random.RandomState(seed)
    n = 2 * per_class
    labels = np.arange(n) % 2
    at = rng.randint(0, SIDE, size=n)
    x = rng.normal(0.0, 0.1, size=(n, SIDE, SIDE, 1)).astype(np.float32)
    for i in range(n):
        if labels[i] == 0:
            x[i, at[i], :, 0] += 1.0
        else:
            x[i, :, at[i], 0] += 1.0
    if channels_first:
        x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    return x, np.eye(2, dtype=np.float32)[labels], labels


def cnn_weights(seed, channels_first):
    """Host-side initial weights; the dense rows follow batch_flatten's order of
    the pooled tensor, (row, col, filter) or (filter, row, col), so both formats
    hold the same weight for the same feature."""
    rng = np.random.RandomState(seed)
    kernel = rng.normal(0, 0.3, size=(3, 3, 1, FILTERS)).astype(np.float32)
    dense = rng.normal(0, 0.2, size=(POOLED, POOLED, FILTERS, 2)).astype(np.float32)
    if channels_first:
        dense = dense.transpose(2, 0, 1, 3)
    return [kernel, np.zeros(FILTERS, np.float32),
            np.ascontiguousarray(dense.reshape(-1, 2)), np.zeros(2, np.float32)]


def build_cnn(K, channels_first, data_format=None, seed=5):
    """conv2d 3x3 'same' (4 filters) + bias_add -> relu -> pool2d 2x2/2 max ->
    batch_flatten -> dense -> softmax, mean categorical_crossentropy. data_format
    None leaves the attr out (the session's image_data_format)."""
    fmt = {} if data_format is None else {"data_format": data_format}
    shape = (None, 1, SIDE, SIDE) if channels_first else (None, SIDE, SIDE, 1)
    x = K.placeholder(shape=shape)
    y = K.placeholder(shape=(None, 2))
    kernel, conv_bias, dense, dense_bias = params = [
        K.variable(w) for w in cnn_weights(seed, channels_first)]
    h = K.op("conv2d", x, kernel, padding="same", strides=(1, 1), **fmt)
    h = K.relu(K.op("bias_add", h, conv_bias, **fmt))
    h = K.op("pool2d", h, pool_size=(2, 2), strides=(2, 2), padding="valid",
             pool_mode="max", **fmt)
    probs = K.softmax(K.dot(K.batch_flatten(h), dense) + dense_bias)
    loss = K.mean(K.categorical_crossentropy(y, probs))
    return x, y, probs, loss, params


@pytest.mark.parametrize("backend_name", ["eigen", "reference"])
@pytest.mark.parametrize("data_format,explicit", [
    ("channels_last", False),   # the session's image_data_format alone
    ("channels_first", True),   # also passed explicitly to every conv op
])
def test_cnn_trains_remotely_on_bars(K, server_address, data_format, explicit,
                                     backend_name):
    K.connect(server_address, backend=backend_name, image_data_format=data_format,
              timeout=60)
    assert K.image_data_format() == data_format
    channels_first = data_format == "channels_first"
    x, y, probs, loss, params = build_cnn(K, channels_first,
                                          data_format if explicit else None)
    train = K.function([x, y], [loss, probs],
                       updates=optimizers.Adam(learning_rate=0.05).get_updates(loss, params))
    xs, ys, labels = make_bars(32, seed=21, channels_first=channels_first)
    losses = []
    for _ in range(40):
        loss_value, p = train([xs, ys])
        losses.append(float(loss_value))
    assert losses[-1] < 0.5 * losses[0], losses
    assert np.mean(np.argmax(p, axis=1) == labels) >= 0.95
    fresh_x, _, fresh_labels = make_bars(50, seed=22, channels_first=channels_first)
    predicted, = K.function([x], [probs])([fresh_x])
    assert np.mean(np.argmax(predicted, axis=1) == fresh_labels) >= 0.95
    stats = K.clear_session()
    assert (stats["bytes_held"], stats["nodes"], stats["variables"]) == (0, 0, 0)


def test_cnn_data_formats_agree_up_to_the_transpose(K, server_address):
    """Same weights, same (transposed) images: the same first-step loss and conv
    kernel gradient whether the layout comes from the session default or from
    an explicit data_format overriding it."""
    results = []
    for session_format, explicit, channels_first in [
            ("channels_last", None, False), ("channels_first", None, True),
            ("channels_last", "channels_first", True),
            ("channels_first", "channels_last", False)]:
        K.connect(server_address, image_data_format=session_format, timeout=60)
        x, y, probs, loss, params = build_cnn(K, channels_first, explicit)
        grad_kernel, = K.gradients(loss, [params[0]])
        xs, ys, _ = make_bars(32, seed=21, channels_first=channels_first)
        loss_value, g = K.function([x, y], [loss, grad_kernel])([xs, ys])
        results.append((float(loss_value), g))
    for loss_value, g in results[1:]:
        assert abs(loss_value - results[0][0]) <= 1e-5, [r[0] for r in results]
        np.testing.assert_allclose(g, results[0][1], atol=1e-5)
