"""Trains a 2-layer MLP remotely through RemoteK and prints the loss curve.

    remotek-server --address=127.0.0.1:50051 &
    PYTHONPATH=client/python REMOTEK_PYTHON_STUBS=build/python \\
        python3 client/python/examples/train_mlp.py --address 127.0.0.1:50051

The model and the training loop are plain Keras-2 backend code: K.gradients
through remotek.optimizers, and K.function(..., updates=...) for each step.
The data are three Gaussian blobs in the plane, generated here.
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from remotek import backend as K  # noqa: E402
from remotek import optimizers  # noqa: E402


def make_blobs(per_class, seed):
    """Three well-separated blobs (std 1.0); one-hot labels."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0, 3], [3, -2], [-3, -2]], dtype=np.float32)
    labels = np.repeat(np.arange(3), per_class)
    xs = (centres[labels] + rng.normal(0, 1.0, size=(len(labels), 2))).astype(np.float32)
    ys = np.eye(3, dtype=np.float32)[labels]
    return xs, ys, labels


def build_mlp():
    """dense(2 -> 16) + relu, dense(16 -> 3) + softmax, mean categorical_crossentropy."""
    x = K.placeholder(shape=(None, 2), name="x")
    y = K.placeholder(shape=(None, 3), name="y")
    w1 = K.random_normal_variable((2, 16), 0.0, 0.5, seed=1, name="w1")
    b1 = K.zeros((16,), name="b1")
    w2 = K.random_normal_variable((16, 3), 0.0, 0.5, seed=2, name="w2")
    b2 = K.zeros((3,), name="b2")
    hidden = K.relu(K.dot(x, w1) + b1)
    probs = K.softmax(K.dot(hidden, w2) + b2)
    loss = K.mean(K.categorical_crossentropy(y, probs))
    return x, y, probs, loss, [w1, b1, w2, b2]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--address", default=os.environ.get("REMOTEK_ADDRESS", "127.0.0.1:50051"))
    parser.add_argument("--backend", default=None)
    parser.add_argument("--optimizer", choices=("adam", "sgd"), default="adam")
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--points", type=int, default=100, help="points per blob")
    args = parser.parse_args(argv)

    K.connect(args.address, backend=args.backend)
    try:
        x, y, probs, loss, params = build_mlp()
        if args.optimizer == "adam":
            optimizer = optimizers.Adam(learning_rate=0.05)
        else:
            optimizer = optimizers.SGD(lr=0.1, momentum=0.9)
        train = K.function([x, y], [loss, probs],
                           updates=optimizer.get_updates(loss, params))
        xs, ys, labels = make_blobs(args.points, seed=7)
        print("training a 2-16-3 MLP with %s on %d points" % (args.optimizer, len(xs)))
        accuracy = 0.0
        for step in range(1, args.steps + 1):
            loss_value, p = train([xs, ys])
            accuracy = float(np.mean(np.argmax(p, axis=1) == labels))
            # The loss is of the parameters before this step's update.
            print("step %3d  loss %.6f  accuracy %.3f" % (step, float(loss_value), accuracy))
        print("final accuracy %.3f" % accuracy)
        stats = K.clear_session()
        print("after clear_session: bytes_held %d  nodes %d"
              % (stats["bytes_held"], stats["nodes"]))
    finally:
        K.disconnect()
    return 0


if __name__ == "__main__":
    sys.exit(main())
