"""grpc.health.v1, server reflection and graceful SIGTERM against a real server.

Debian's python3-grpcio has no health or reflection stubs, so the requests and
answers are written as protobuf bytes by hand (each spelled out below).
Environment: REMOTEK_SERVER_BINARY, REMOTEK_PYTHON_STUBS, PYTHONPATH with
client/python (set by CTest).
"""
import os
import re
import signal
import subprocess
import tempfile
import threading
import time
import unittest

import grpc

from remotek import backend as K
from remotek.session import Session

LISTENING = re.compile(r"^remotek-server listening on 127\.0\.0\.1:(\d+) ")
HEALTH_CHECK = "/grpc.health.v1.Health/Check"
REFLECTION = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"
SERVING = b"\x08\x01"          # HealthCheckResponse{status: SERVING}
LIST_SERVICES = b"\x3a\x00"    # ServerReflectionRequest{list_services: ""}


class Server:
    def __init__(self, *args):
        self.home = tempfile.TemporaryDirectory(prefix="remotek-lifecycle-")
        env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
        env["KERAS_HOME"] = self.home.name
        self.proc = subprocess.Popen(
            [os.environ["REMOTEK_SERVER_BINARY"], "--address=127.0.0.1:0", "--threads=2", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
        line = self.proc.stdout.readline()
        match = LISTENING.match(line)
        if match is None:
            self.proc.kill()
            raise RuntimeError("server did not start: %r %r" % (line, self.proc.stderr.read()))
        self.address = "127.0.0.1:%s" % match.group(1)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.home.cleanup()


class HealthAndReflection(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        cls.channel = grpc.insecure_channel(cls.server.address)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        cls.server.stop()

    def test_health_reports_serving_for_the_server_and_the_service(self):
        check = self.channel.unary_unary(HEALTH_CHECK)
        self.assertEqual(check(b"", timeout=10), SERVING)
        # HealthCheckRequest{service: "remotek.v1.RemoteK"}
        service = b"remotek.v1.RemoteK"
        self.assertEqual(check(b"\x0a" + bytes([len(service)]) + service, timeout=10), SERVING)
        with self.assertRaises(grpc.RpcError) as unknown:
            check(b"\x0a\x04nope", timeout=10)
        self.assertEqual(unknown.exception.code(), grpc.StatusCode.NOT_FOUND)

    def test_reflection_lists_the_services(self):
        answers = list(self.channel.stream_stream(REFLECTION)(iter([LIST_SERVICES]), timeout=10))
        self.assertEqual(len(answers), 1)
        for name in (b"remotek.v1.RemoteK", b"grpc.health.v1.Health"):
            self.assertIn(name, answers[0])


class GracefulShutdown(unittest.TestCase):
    def test_sigterm_lets_a_call_in_flight_finish_and_exits_zero(self):
        server = Server("--shutdown_grace=20s")
        try:
            session = Session(server.address, timeout=60)
            x = session.random_uniform_variable((2048, 2048), 0.0, 1.0, seed=1)
            y = x
            for _ in range(4):  # 4 x 17 GFLOP in one call: ~1 s here
                y = K.dot(y, x)  # symbolic: runs on the tensors' session
            chain = session.function([], [y])
            result = {}

            def slow_call():
                try:
                    out = chain([])
                    result["ok"] = out[0].shape == (2048, 2048)
                except Exception as e:  # noqa: BLE001 (reported below)
                    result["error"] = e

            worker = threading.Thread(target=slow_call)
            worker.start()
            time.sleep(0.3)  # the call is in flight
            server.proc.send_signal(signal.SIGTERM)
            worker.join(60)
            self.assertNotIn("error", result, result.get("error"))
            self.assertTrue(result.get("ok"))
            self.assertEqual(server.proc.wait(30), 0)
            self.assertIn("shutting down", server.proc.stderr.read())
        finally:
            server.stop()


if __name__ == "__main__":
    unittest.main()
