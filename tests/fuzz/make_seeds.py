#!/usr/bin/env python3
"""Writes the seed corpora under tests/fuzz/corpus/<target>/ (run from anywhere).

Protobuf seeds are encoded by hand (no python protobuf needed); the structured
engine fuzzers get short deterministic pseudo-random byte strings, which their
decoder (FuzzedDataProvider) turns into small graphs and eager ops.
"""
import os
import random
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def varint(n):
    n &= (1 << 64) - 1
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def key(field, wire):
    return varint(field << 3 | wire)


def v(field, n):  # varint field
    return key(field, 0) + varint(n)


def ld(field, data):  # length-delimited field
    if isinstance(data, str):
        data = data.encode()
    return key(field, 2) + varint(len(data)) + data


def dbl(field, x):
    return key(field, 1) + struct.pack("<d", x)


def packed(field, values):
    return ld(field, b"".join(varint(x) for x in values))


F16, F32, F64, I8, I16, I32, I64, U8, BOOL = range(1, 10)
FMT = {F32: "<f", F64: "<d", I32: "<i", I64: "<q", I8: "<b", U8: "<B", I16: "<h"}


def tensor(dtype, shape, values):
    if dtype == BOOL:
        content = bytes(1 if x else 0 for x in values)
    elif dtype == F16:
        content = b"".join(struct.pack("<e", x) for x in values)
    else:
        content = b"".join(struct.pack(FMT[dtype], x) for x in values)
    return v(1, dtype) + packed(2, shape) + ld(3, content)


def attr(name, value):
    if isinstance(value, bool):
        a = v(3, int(value))
    elif isinstance(value, int):
        a = v(1, value)
    elif isinstance(value, float):
        a = dbl(2, value)
    elif isinstance(value, str):
        a = ld(4, value)
    elif value and isinstance(value[0], float):
        a = ld(6, ld(1, b"".join(struct.pack("<d", x) for x in value)))
    else:
        a = ld(5, packed(1, value))
    return ld(5, ld(1, name) + ld(2, a))  # map entry: key=1, value=2


def placeholder(name, dims=None, dtype=0, ndim=0):
    m = ld(2, name) + (v(3, dtype) if dtype else b"")
    m += ld(4, packed(1, dims)) if dims is not None else v(5, ndim)
    return ld(1, m)


def variable(name, t=None, init=None):
    m = ld(2, name) + (ld(4, t) if t is not None else ld(5, init))
    return ld(2, m)


def constant(name, t, dtype=0):
    return ld(3, ld(2, name) + (v(3, dtype) if dtype else b"") + ld(4, t))


def op(name, opname, inputs, attrs=()):
    m = ld(2, name) + ld(3, opname) + b"".join(ld(4, i) for i in inputs)
    m += b"".join(attr(k, x) for k, x in attrs)
    return ld(4, m)


def init(kind, shape, seed=None, **kw):
    m = v(1, kind) + packed(2, shape)
    for f, k in ((3, "value"), (4, "low"), (5, "high"), (6, "mean"), (7, "stddev")):
        if k in kw:
            m += dbl(f, kw[k])
    if seed is not None:
        m += v(8, 1) + v(9, seed)
    return m


def graph(*nodes):
    return ld(1, "session") + b"".join(ld(2, n) for n in nodes)


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    # build_graph_proto: whole BuildGraph requests as a client sends them.
    x32 = tensor(F32, [2, 3], [1, 2, 3, 4, 5, 6])
    seeds = {
        "batch_dot": graph(
            placeholder("x", [-1, 3, 1]),
            variable("y", init=init(6, [2, 4, 3], seed=7)),
            op("z", "batch_dot", ["x", "y"], [("axes", [1, 2])])),
        "dot_sum": graph(
            placeholder("a", [-1, 3]), constant("w", tensor(F32, [3, 2], [1, 0, 0, 1, 1, 1])),
            op("d", "dot", ["a", "w"]), op("s", "sum", ["d"], [("axis", 1), ("keepdims", True)])),
        "forward_ref_cast": graph(
            op("c", "cast", ["p"], [("dtype", "int32")]), placeholder("p", [2, 2], F64)),
        "reshape_concat": graph(
            variable("v", x32), op("r", "reshape", ["v"], [("shape", [3, -1])]),
            op("t", "concatenate", ["r", "r"], [("axis", -1)]),
            op("m", "mean", ["t"], [("axis", [0, 1])])),
        "cycle": graph(op("a", "add", ["b", "b"]), op("b", "relu", ["a"])),
        "losses": graph(
            placeholder("t", [2, 3]), placeholder("o", [2, 3]),
            op("l", "categorical_crossentropy", ["t", "o"], [("from_logits", True)]),
            op("e", "binary_crossentropy", ["t", "o"])),
        "bool_ops": graph(
            constant("b", tensor(BOOL, [4], [1, 0, 1, 1])),
            op("n", "logical_and", ["b", "b"]), placeholder("q", ndim=2),
            op("g", "greater", ["q", "q"])),
        "indexing": graph(
            variable("e", init=init(2, [5, 2])), constant("i", tensor(I32, [3], [0, 4, 2])),
            op("g", "gather", ["e", "i"]), op("h", "one_hot", ["i"], [("num_classes", 5)])),
        "half": graph(constant("h", tensor(F16, [2], [0.5, -2.0])),
                      op("s", "softmax", ["h"]), op("p", "pow", ["h", "h"])),
        "clip_tile": graph(placeholder("x", [2, -1]),
                           op("c", "clip", ["x"], [("min_value", 0.0), ("max_value", 1.0)]),
                           op("t", "tile", ["c"], [("n", [2, 1])]),
                           op("p", "permute_dimensions", ["t"], [("pattern", [1, 0])])),
    }
    for name, data in seeds.items():
        write("build_graph_proto", name, data)

    # tensor_decode: first byte even -> v1::Tensor, odd -> v1::GraphNode.
    tseeds = {
        "f32": b"\x00" + x32,
        "f32_limit": b"\x02" + x32,
        # A bool byte of 7: the decoder must normalise it to 1.
        "bool": b"\x00" + tensor(BOOL, [3], [1, 0, 1])[:-1] + b"\x07",
        "f16": b"\x00" + tensor(F16, [2, 1], [1.5, -0.25]),
        "i64_scalar": b"\x00" + tensor(I64, [], [-7]),
        "empty": b"\x00" + tensor(U8, [0, 5], []),
        "bad_size": b"\x00" + v(1, F64) + packed(2, [2, 2]) + ld(3, b"\x00" * 8),
        "huge_dims": b"\x00" + v(1, I8) + packed(2, [1 << 40, 1 << 40]) + ld(3, b""),
        "neg_dim": b"\x00" + v(1, I8) + packed(2, [-1, 2]) + ld(3, b""),
        "node_placeholder": b"\x01" + placeholder("p", [-1, 4], F32),
        "node_variable": b"\x01" + variable("v", init=init(5, [2, 2], seed=1, low=-1.0, high=1.0)),
        "node_constant": b"\x01" + constant("c", tensor(I16, [2], [1, -1]), F32),
        "node_op": b"\x01" + op("o", "sum", ["a"], [("axis", [0, 1]), ("keepdims", False),
                                                     ("alpha", 0.5), ("dtype", "int8"),
                                                     ("w", [0.5, 2.0])]),
    }
    for name, data in tseeds.items():
        write("tensor_decode", name, data)

    # keras_config: first byte %4 != 3 -> a keras.json file; == 3 -> a flag/env value.
    cseeds = {
        "default": b'\x00{"floatx": "float32", "epsilon": 1e-07, "backend": "tensorflow", '
                   b'"image_data_format": "channels_last"}',
        "half": b'\x00{"floatx": "float16", "epsilon": 0.001}',
        "first": b'\x00{"image_data_format": "channels_first"}',
        "unknown_field": b'\x00{"floatx": "float32", "color": "blue"}',
        "bad_eps": b'\x00{"epsilon": -1}',
        "eps_string": b'\x00{"epsilon": "1e-3"}',
        "empty_obj": b"\x00{}",
        "not_json": b"\x00[1, 2",
        "flag_floatx": b"\x03float64",
        "flag_eps": b"\x071e-5",
        "flag_format": b"\x0bchannels_first",
        "env_backend": b"\x0freference",
    }
    for name, data in cseeds.items():
        write("keras_config", name, data)

    # upload_assembly: byte 0 = limits/hook failures, then tagged records
    # (upload_assembly_fuzzer.cc): 0 header, 1 content, 2 fill, 3 empty chunk,
    # 4 raw UploadChunk, 5 end of stream, 6 abandon.
    def up_header(dtype, shape, target=1, name="w"):
        return ld(1, "s") + v(2, target) + ld(3, name) + v(4, dtype) + packed(5, shape)

    def H(*args, **kw):
        h = up_header(*args, **kw)
        return bytes([0, len(h)]) + h

    def C(data):
        return bytes([1, len(data)]) + data

    def RAW(chunk):
        return bytes([4, len(chunk)]) + chunk

    FILL, EMPTY, END, ABANDON = b"\x02\x3f", b"\x03", b"\x05", b"\x06"
    f6 = b"".join(struct.pack("<f", x) for x in (1, 2, 3, 4, 5, 6))
    useeds = {
        "f32_two_chunks": b"\x00" + H(F32, [2, 3]) + C(f6[:7]) + C(f6[7:]) + END,
        "bool_normalise": b"\x00" + H(BOOL, [4]) + C(b"\x00\x02\xff\x01") + END,
        "fill_f64": b"\x00" + H(F64, [4, 8], target=2) + FILL + END,
        "scalar_set_value": b"\x00" + H(I64, [], target=3) + C(b"\x07" * 8) + END,
        "empty_shape": b"\x00" + H(U8, [0, 5]) + END,
        "empty_chunks": b"\x00" + H(I8, [3]) + EMPTY + C(b"abc") + EMPTY + END,
        "too_long": b"\x00" + H(F32, [2]) + C(b"\x01" * 9) + END,
        "too_short": b"\x00" + H(F32, [2]) + C(b"\x01" * 3) + END,
        "second_header": b"\x00" + H(F32, [1]) + C(b"\x01" * 2) + H(F32, [1]) + END,
        "content_first": b"\x00" + C(b"\x01" * 4) + H(F32, [1]) + END,
        "no_header": b"\x00" + END,
        "bad_target": b"\x00" + H(F32, [1], target=0) + END,
        "junk_target": b"\x00" + H(F32, [1], target=7) + END,
        "bad_dtype": b"\x00" + H(0, [1]) + END,
        "junk_dtype": b"\x00" + H(42, [1]) + END,
        "neg_dim": b"\x00" + H(F32, [-1, 2]) + END,
        "huge_dims": b"\x00" + H(I8, [1 << 40, 1 << 40]) + END,
        "byte_overflow": b"\x00" + H(F64, [1 << 61]) + END,
        "element_limit": b"\x01" + H(F32, [9, 9]) + FILL + END,
        "session_quota": b"\x08" + H(F32, [5, 6]) + FILL + END,
        "tenant_quota": b"\x04" + H(F32, [16, 16]) + FILL + END,
        "unknown_session": b"\x10" + H(F32, [2]) + FILL + END,
        "node_budget": b"\x20" + H(F32, [2]) + FILL + END,
        "set_value_budget": b"\x20" + H(F32, [2], target=3) + FILL + END,
        "raw_chunks": b"\x00" + RAW(ld(1, up_header(I16, [2, 2]))) + RAW(ld(2, b"\x01" * 5))
                      + RAW(b"") + RAW(ld(2, b"\x02" * 3)) + END,
        "abandon": b"\x00" + H(F32, [4]) + C(b"\x01" * 5) + ABANDON,
        "dropped": b"\x00" + H(F32, [4]) + C(b"\x01" * 5),
    }
    for name, data in useeds.items():
        write("upload_assembly", name, data)

    # graph / eager: deterministic pseudo-random bytes of a few sizes.
    rng = random.Random(20261127)
    for target in ("graph", "eager"):
        for i, n in enumerate((16, 48, 96, 160, 256, 400, 640, 1024)):
            write(target, "seed_%02d" % i, bytes(rng.randrange(256) for _ in range(n)))


if __name__ == "__main__":
    main()
