"""The generated remotek.v1 modules, with a useful error when they are missing."""
try:
    from remotek.v1 import remotek_pb2 as pb  # noqa: F401
    from remotek.v1 import remotek_pb2_grpc as pb_grpc  # noqa: F401
    from remotek.v1 import tensor_pb2  # noqa: F401
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError(
        "remotek: the generated stubs (remotek.v1) were not found. Build the CMake "
        "target remotek_python_stubs and set REMOTEK_PYTHON_STUBS=<build>/python "
        "(or put <build>/python on sys.path). Cause: %s" % e) from e
