"""Fixtures: one real remotek-server for the whole run, a fresh session per test.

Environment (set by CTest, see ../CMakeLists.txt):
  REMOTEK_SERVER_BINARY  path of the built remotek-server
  REMOTEK_PYTHON_STUBS   folder holding the generated remotek/v1 package
"""
import os
import re
import subprocess
import sys
import tempfile
import threading

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

STARTUP_TIMEOUT_S = 20
CALL_TIMEOUT_S = 60
_LISTENING = re.compile(r"^remotek-server listening on 127\.0\.0\.1:(\d+) ")


def _required_env(name):
    value = os.environ.get(name)
    if not value:
        raise RuntimeError("%s is not set; run these tests through CTest "
                           "(ctest -L integration) or set it by hand" % name)
    return value


def _first_line(stream, timeout):
    """The first line of ``stream`` or None after ``timeout`` seconds."""
    result = []
    reader = threading.Thread(target=lambda: result.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return result[0] if result else None


@pytest.fixture(scope="session")
def server_address():
    binary = _required_env("REMOTEK_SERVER_BINARY")
    _required_env("REMOTEK_PYTHON_STUBS")
    if not os.access(binary, os.X_OK):
        raise RuntimeError("REMOTEK_SERVER_BINARY=%s is not an executable" % binary)
    with tempfile.TemporaryDirectory(prefix="remotek-pytest-") as home:
        # An empty KERAS_HOME and no KERAS_BACKEND: the server runs on its defaults.
        env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
        env["KERAS_HOME"] = home
        stderr_path = os.path.join(home, "server.stderr")
        with open(stderr_path, "wb") as stderr:
            proc = subprocess.Popen([binary, "--address=127.0.0.1:0", "--threads=2"],
                                    stdout=subprocess.PIPE, stderr=stderr, env=env,
                                    text=True)
        try:
            line = _first_line(proc.stdout, STARTUP_TIMEOUT_S)
            match = _LISTENING.match(line or "")
            if match is None:
                raise RuntimeError("remotek-server did not start: first line %r, stderr %r"
                                   % (line, open(stderr_path).read()[-2000:]))
            yield "127.0.0.1:%s" % match.group(1)
        finally:
            proc.terminate()
            try:
                code = proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)
                code = "killed"
            proc.stdout.close()
        if code != 0:
            raise RuntimeError("remotek-server exited with %s on SIGTERM; stderr %r"
                               % (code, open(stderr_path).read()[-2000:]))


@pytest.fixture
def K(server_address):
    """remotek.backend with a fresh default session, closed after the test."""
    from remotek import backend
    session = backend.connect(server_address, timeout=CALL_TIMEOUT_S)
    yield backend
    backend.disconnect()
    assert session.closed


@pytest.fixture
def new_session(server_address):
    """A factory of extra sessions, all closed after the test."""
    import remotek
    made = []

    def make(**kwargs):
        kwargs.setdefault("timeout", CALL_TIMEOUT_S)
        session = remotek.Session(server_address, **kwargs)
        made.append(session)
        return session
    yield make
    for session in made:
        session.close()
