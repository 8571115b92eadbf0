"""Cross-language conformance: one server, the same scenario from C++, Python
and Node, identical results (see README.md).

    /usr/bin/python3 crosslang_driver.py --server BUILD/server/remotek-server \
        --cpp BUILD/tests/integration/crosslang/remotek-crosslang-scenario \
        --python scenario.py --python-stubs BUILD/python --python-path client/python \
        --node /usr/bin/node --node-scenario scenario.js

A leg whose arguments are left out is not run (CMake leaves out Node when no
node is installed); at least two legs must run. Exit status 0 only if every
program printed a complete document, they all agree (bitwise for integers,
seeded initializer values and exact casts; rtol 1e-5 for float math), and the
results match numpy.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading

import numpy as np

STARTUP_TIMEOUT_S = 20
PROGRAM_TIMEOUT_S = 60
_LISTENING = re.compile(r"^remotek-server listening on 127\.0\.0\.1:(\d+) ")

RTOL = 1e-5
ATOL = 1e-6
OUTPUTS = ("xy", "z", "zb", "pz", "pk", "zi", "z64", "k64")
FLOAT_MATH = {"xy", "z", "zb", "pz", "z64"}  # compared with RTOL/ATOL; the rest bitwise
NODES = ("u", "n", "n64", "k", "one", "x", "b", "xy", "z", "zb", "pz", "pk", "zi", "z64",
         "k64", "knext")
EXPECTED_TENSORS = (["call%d.%s" % (c, o) for c in (1, 2) for o in OUTPUTS] +
                    ["value.u", "value.n", "value.n64", "value.k", "value.after_clear"])
EXPECTED_FACTS = (["session", "clear", "handle_after_clear", "closed"] +
                  ["spec." + n for n in NODES])
K0 = np.array([[1, -2, 3], [4, 5, -6]], np.int32)


class ConformanceError(Exception):
    pass


def check(condition, message):
    if not condition:
        raise ConformanceError(message)


# ------------------------------------------------------------------ server

def _first_line(stream, timeout):
    result = []
    reader = threading.Thread(target=lambda: result.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return result[0] if result else None


class Server:
    """One remotek-server on 127.0.0.1:0 with its defaults (empty KERAS_HOME)."""

    def __init__(self, binary, home):
        env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
        env["KERAS_HOME"] = home
        self._stderr_path = os.path.join(home, "server.stderr")
        with open(self._stderr_path, "wb") as stderr:
            self.proc = subprocess.Popen([binary, "--address=127.0.0.1:0", "--threads=2"],
                                         stdout=subprocess.PIPE, stderr=stderr, env=env,
                                         text=True)
        line = _first_line(self.proc.stdout, STARTUP_TIMEOUT_S)
        match = _LISTENING.match(line or "")
        if match is None:
            self.proc.kill()
            raise ConformanceError("remotek-server did not start: first line %r, stderr %r"
                                   % (line, self.stderr()))
        self.address = "127.0.0.1:%s" % match.group(1)

    def stderr(self):
        with open(self._stderr_path) as f:
            return f.read()[-2000:]

    def stop(self):
        self.proc.terminate()
        try:
            code = self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=15)
            code = "killed"
        self.proc.stdout.close()
        return code


# ---------------------------------------------------------------- programs

def run_leg(name, command, env):
    """Runs one program; returns its parsed document."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=env,
                              timeout=PROGRAM_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise ConformanceError("%s: no answer within %d s" % (name, PROGRAM_TIMEOUT_S)) from None
    check(done.returncode == 0, "%s: exit %s; stderr:\n%s" % (name, done.returncode, done.stderr))
    check(done.stdout.strip() != "", "%s: printed nothing; stderr:\n%s" % (name, done.stderr))
    try:
        doc = json.loads(done.stdout)
    except json.JSONDecodeError as e:
        raise ConformanceError("%s: output is not JSON (%s): %r" % (name, e, done.stdout[:300]))
    check(doc.get("client") == name, "%s: document names client %r" % (name, doc.get("client")))
    return doc


def decode(name, key, t):
    """A tensor entry -> (numpy array from the raw bytes, values as printed), checked
    for shape, byte count and agreement between the bytes and the printed values."""
    for field in ("dtype", "shape", "values", "hex"):
        check(field in t, "%s: %s lacks %r" % (name, key, field))
    dtype = np.dtype(t["dtype"]).newbyteorder("<")
    raw = bytes.fromhex(t["hex"])
    count = int(np.prod(t["shape"], dtype=np.int64))
    check(len(raw) == count * dtype.itemsize,
          "%s: %s has %d bytes for %s%s" % (name, key, len(raw), t["dtype"], t["shape"]))
    check(len(t["values"]) == count,
          "%s: %s prints %d values for shape %s" % (name, key, len(t["values"]), t["shape"]))
    array = np.frombuffer(raw, dtype=dtype).reshape(t["shape"])
    # Parsed into the tensor's own dtype: "0.123456791" is a float32 exactly,
    # not as a float64.
    printed = np.array(t["values"], dtype=dtype.newbyteorder("=")).reshape(t["shape"])
    check(np.array_equal(array, printed),
          "%s: %s prints values that are not its bytes" % (name, key))
    return array


def check_complete(name, doc):
    tensors, facts = doc.get("tensors"), doc.get("facts")
    check(isinstance(tensors, dict) and isinstance(facts, dict),
          "%s: the document lacks 'tensors' or 'facts'" % name)
    missing = [k for k in EXPECTED_TENSORS if k not in tensors]
    missing += ["facts." + k for k in EXPECTED_FACTS if k not in facts]
    check(not missing, "%s: missing keys %s" % (name, missing))
    extra = sorted(set(tensors) - set(EXPECTED_TENSORS)) + sorted(set(facts) - set(EXPECTED_FACTS))
    check(not extra, "%s: unexpected keys %s" % (name, extra))
    return {key: decode(name, key, tensors[key]) for key in EXPECTED_TENSORS}


# ------------------------------------------------------------- comparisons

def compare(ref_name, ref_doc, ref_arrays, name, doc, arrays):
    """Asserts that leg `name` agrees with the reference leg; returns the bitwise count."""
    for key in EXPECTED_FACTS:
        check(doc["facts"][key] == ref_doc["facts"][key],
              "facts.%s: %s says %r, %s says %r" % (key, ref_name, ref_doc["facts"][key],
                                                   name, doc["facts"][key]))
    bitwise = 0
    for key in EXPECTED_TENSORS:
        a, b = ref_arrays[key], arrays[key]
        ta, tb = ref_doc["tensors"][key], doc["tensors"][key]
        check((ta["dtype"], ta["shape"]) == (tb["dtype"], tb["shape"]),
              "%s: %s gives %s%s, %s gives %s%s" % (key, ref_name, ta["dtype"], ta["shape"],
                                                    name, tb["dtype"], tb["shape"]))
        if key.split(".")[-1] in FLOAT_MATH and key.startswith("call"):
            close = np.isclose(b.astype(np.float64), a.astype(np.float64), rtol=RTOL, atol=ATOL)
            if not close.all():
                i = np.argwhere(~close)[0]
                raise ConformanceError("%s: %s and %s differ at %s: %r vs %r (rtol %g)"
                                       % (key, ref_name, name, tuple(i), a[tuple(i)],
                                          b[tuple(i)], RTOL))
        else:
            check(ta["hex"] == tb["hex"], "%s: %s and %s differ bitwise" % (key, ref_name, name))
            bitwise += 1
    return bitwise


def feeds():
    i, j = np.arange(80), np.arange(20)
    x1 = (((7 * i) % 11 - 5) / 4).astype(np.float32).reshape(4, 20, 1)
    x2 = (((3 * i) % 8) / 8 - 0.5).astype(np.float32).reshape(4, 20, 1)
    b1 = ((j % 3) - 1).astype(np.float32).reshape(4, 1, 5)
    b2 = (j / 2 - 2).astype(np.float32).reshape(4, 1, 5)
    return {1: (x1, b1), 2: (x2, b2)}


def check_against_numpy(name, doc, arrays):
    """The results mean what Keras says they mean, computed here with numpy."""
    facts = doc["facts"]
    check(facts["session"] == {"floatx": "float32", "backend": "eigen"},
          "%s: session %r" % (name, facts["session"]))
    check(facts["spec.x"] == {"dtype": "float32", "shape": [-1, 20, 1]}, "spec.x")
    check(facts["spec.xy"] == {"dtype": "float32", "shape": [4, 1, 30]},
          "%s: batch_dot spec %r, expected float32 (4, 1, 30)" % (name, facts["spec.xy"]))
    check(facts["spec.zi"]["dtype"] == "int32" and facts["spec.z64"]["dtype"] == "float64",
          "%s: cast specs %r %r" % (name, facts["spec.zi"], facts["spec.z64"]))
    check(facts["clear"] == [0, 0, 0, 0], "%s: after clear_session %r" % (name, facts["clear"]))
    check(facts["handle_after_clear"] == "variable_1",
          "%s: handle after clear_session %r" % (name, facts["handle_after_clear"]))
    check(facts["closed"] is True, "%s: session not closed" % name)

    u, n, n64 = arrays["value.u"], arrays["value.n"], arrays["value.n64"]
    check(u.dtype == np.float32 and u.shape == (4, 30, 20), "value.u %s%s" % (u.dtype, u.shape))
    check(((u >= -1) & (u < 1)).all() and u.std() > 0.4, "value.u is not uniform in [-1, 1)")
    check(n.dtype == np.float32 and abs(n.mean()) < 0.15 and 0.35 < n.std() < 0.65,
          "value.n is not normal(0, 0.5): mean %g std %g" % (n.mean(), n.std()))
    check(n64.dtype == np.float64 and n64.shape == (3, 4), "value.n64 %s%s" % (n64.dtype, n64.shape))
    check(np.array_equal(arrays["value.k"], K0 + 2), "value.k after two updates")
    check(np.array_equal(arrays["value.after_clear"], np.zeros(2, np.int32)), "value.after_clear")

    for call, (x, b) in feeds().items():
        got = {o: arrays["call%d.%s" % (call, o)] for o in OUTPUTS}
        k = K0 + (call - 1)
        # out[bt, 0, j] = sum_i x[bt, i, 0] * u[bt, j, i]  (tf.keras batch_dot, axes (1, 2))
        xy = np.einsum("bi,bji->bj", x[:, :, 0].astype(np.float64), u.astype(np.float64))
        expectations = [
            ("xy", xy[:, None, :], 1e-5),
            ("z", got["xy"].astype(np.float64) @ n.astype(np.float64), 1e-5),
            ("zb", got["z"].astype(np.float64) + b, 1e-6),
            ("pz", np.prod(got["zb"].astype(np.float64), axis=2), 1e-5),
        ]
        for out, want, tol in expectations:
            check(np.allclose(got[out], want, rtol=tol, atol=tol),
                  "%s: call %d %s differs from numpy by %g" % (
                      name, call, out, np.abs(got[out] - want).max()))
        check(np.array_equal(got["pk"], np.prod(k, axis=1)), "%s: call %d prod(k)" % (name, call))
        check(np.array_equal(got["zi"], np.trunc(got["zb"]).astype(np.int32)),
              "%s: call %d cast(zb, int32) does not truncate toward zero" % (name, call))
        check(np.array_equal(got["z64"], got["zb"].astype(np.float64)),
              "%s: call %d cast(zb, float64)" % (name, call))
        check(np.array_equal(got["k64"], k.astype(np.float64)), "%s: call %d cast(k)" % (name, call))


# -------------------------------------------------------------------- main

def legs(args):
    env = dict(os.environ)
    out = []
    if args.cpp:
        out.append(("cpp", [args.cpp], env))
    if args.python:
        py_env = dict(env, REMOTEK_PYTHON_STUBS=args.python_stubs or "",
                      PYTHONPATH=os.pathsep.join(p for p in (args.python_path,
                                                             env.get("PYTHONPATH")) if p),
                      PYTHONDONTWRITEBYTECODE="1")
        out.append(("python", [sys.executable, args.python], py_env))
    if args.node:
        out.append(("node", [args.node, args.node_scenario], env))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", required=True)
    parser.add_argument("--cpp")
    parser.add_argument("--python")
    parser.add_argument("--python-stubs")
    parser.add_argument("--python-path")
    parser.add_argument("--node")
    parser.add_argument("--node-scenario")
    args = parser.parse_args()
    programs = legs(args)
    if len(programs) < 2:
        parser.error("give at least two of --cpp, --python, --node")
    if args.node and not args.node_scenario:
        parser.error("--node needs --node-scenario")

    with tempfile.TemporaryDirectory(prefix="remotek-crosslang-") as home:
        server = Server(args.server, home)
        try:
            docs = {}
            for name, command, env in programs:
                docs[name] = run_leg(name, command + [server.address], env)
        finally:
            code = server.stop()
        check(code == 0, "remotek-server exited with %s; stderr %r" % (code, server.stderr()))

    arrays = {name: check_complete(name, doc) for name, doc in docs.items()}
    for name in docs:
        check_against_numpy(name, docs[name], arrays[name])
    ref = programs[0][0]
    for name in docs:
        if name != ref:
            bitwise = compare(ref, docs[ref], arrays[ref], name, docs[name], arrays[name])
    print("crosslang: %s agree on %d tensors (%d bitwise, %d within rtol %g) and %d facts; "
          "numpy agrees" % (", ".join(docs), len(EXPECTED_TENSORS), bitwise,
                            len(EXPECTED_TENSORS) - bitwise, RTOL, len(EXPECTED_FACTS)))


if __name__ == "__main__":
    try:
        main()
    except ConformanceError as e:
        print("crosslang FAILED: %s" % e, file=sys.stderr)
        sys.exit(1)
