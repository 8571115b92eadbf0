"""The cross-language scenario (see README.md) through the Python client.

    /usr/bin/python3 scenario.py 127.0.0.1:PORT

Needs REMOTEK_PYTHON_STUBS (the generated remotek/v1 package) and
client/python on PYTHONPATH; the driver sets both. Prints one JSON document.
"""
import json
import sys

import numpy as np

from remotek import backend as K

OUTPUTS = ("xy", "z", "zb", "pz", "pk", "zi", "z64", "k64")


def feeds():
    i = np.arange(80)
    j = np.arange(20)
    x1 = (((7 * i) % 11 - 5) / 4).astype(np.float32).reshape(4, 20, 1)
    x2 = (((3 * i) % 8) / 8 - 0.5).astype(np.float32).reshape(4, 20, 1)
    b1 = ((j % 3) - 1).astype(np.float32).reshape(4, 1, 5)
    b2 = (j / 2 - 2).astype(np.float32).reshape(4, 1, 5)
    return [(x1, b1), (x2, b2)]


def tensor_json(value):
    """A numpy array -> {dtype, shape, values, hex}; hex is the raw little-endian bytes."""
    wire = np.ascontiguousarray(value, dtype=value.dtype.newbyteorder("<"))
    return {"dtype": value.dtype.name, "shape": list(value.shape),
            "values": value.reshape(-1).tolist(), "hex": wire.tobytes().hex()}


def spec_json(node):
    return {"dtype": node.dtype, "shape": [-1 if d is None else d for d in node.shape]}


def main(address):
    tensors, facts = {}, {}
    session = K.connect(address)
    facts["session"] = {"floatx": K.floatx(), "backend": K.backend()}

    u = K.random_uniform_variable((4, 30, 20), -1, 1, name="u", seed=1234)
    n = K.random_normal_variable((30, 5), 0, 0.5, name="n", seed=99)
    n64 = K.random_normal_variable((3, 4), 1, 2, dtype="float64", name="n64", seed=7)
    k = K.variable(np.array([[1, -2, 3], [4, 5, -6]], np.int32), dtype="int32", name="k")
    one = K.constant(1, dtype="int32", name="one")
    x = K.placeholder(shape=(None, 20, 1), dtype="float32", name="x")
    b = K.placeholder(shape=(None, 1, 5), dtype="float32", name="b")
    xy = K.batch_dot(x, u, axes=(1, 2))
    z = K.dot(xy, n)
    zb = K.add(z, b)
    pz = K.prod(zb, axis=2)
    pk = K.prod(k, axis=1)
    zi = K.cast(zb, "int32")
    z64 = K.cast(zb, "float64")
    k64 = K.cast(k, "float64")
    knext = K.add(k, one)
    nodes = dict(u=u, n=n, n64=n64, k=k, one=one, x=x, b=b, xy=xy, z=z, zb=zb, pz=pz,
                 pk=pk, zi=zi, z64=z64, k64=k64, knext=knext)
    for name, node in nodes.items():
        facts["spec." + name] = spec_json(node)

    f = K.function([x, b], [xy, z, zb, pz, pk, zi, z64, k64], updates=[(k, knext)])
    for call, feed in enumerate(feeds(), start=1):
        for name, value in zip(OUTPUTS, f(list(feed))):
            tensors["call%d.%s" % (call, name)] = tensor_json(value)

    for name, node in (("u", u), ("n", n), ("n64", n64), ("k", k)):
        tensors["value." + name] = tensor_json(K.get_value(node))

    stats = K.clear_session()
    facts["clear"] = [stats["bytes_held"], stats["nodes"], stats["variables"], stats["functions"]]
    again = K.zeros((2,), dtype="int32")
    facts["handle_after_clear"] = again.name
    tensors["value.after_clear"] = tensor_json(K.get_value(again))
    K.disconnect()
    facts["closed"] = session.closed
    print(json.dumps({"client": "python", "tensors": tensors, "facts": facts}))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: scenario.py HOST:PORT")
    main(sys.argv[1])
