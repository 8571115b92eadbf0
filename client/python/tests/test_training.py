"""K.gradients over the wire, remotek.optimizers, and remote training of a
2-layer MLP on generated blobs (also through examples/train_mlp.py)."""
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
