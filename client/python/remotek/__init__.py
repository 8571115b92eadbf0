"""RemoteK Python client: the Keras backend API over gRPC.

    from remotek import backend as K
    K.connect("127.0.0.1:50051")
    x = K.placeholder(shape=(None, 4, 5))
    ...

or, with an explicit session that is closed on exit:

    import remotek
    with remotek.Session("127.0.0.1:50051", floatx="float64") as s:
        v = s.variable(np.ones((2, 2)))

The generated messages and stubs (package ``remotek.v1``) are built by the
CMake target ``remotek_python_stubs`` into ``<build>/python/remotek/v1``; that
folder joins this package's ``__path__`` when ``<build>/python`` is on
``sys.path`` or named by the ``REMOTEK_PYTHON_STUBS`` environment variable.
"""
import os as _os
import pkgutil as _pkgutil

# `remotek.v1` lives in another folder (generated, never committed): make that
# folder a portion of this package.
__path__ = _pkgutil.extend_path(__path__, __name__)
_stubs = _os.environ.get("REMOTEK_PYTHON_STUBS")
if _stubs:
    _portion = _os.path.join(_os.path.abspath(_stubs), "remotek")
    if _os.path.isdir(_portion) and _portion not in __path__:
        __path__.append(_portion)

from remotek import optimizers  # noqa: E402,F401
from remotek.errors import RemoteKError  # noqa: E402
from remotek.session import DEFAULT_CHUNK_BYTES, DEFAULT_STREAM_THRESHOLD, Function, Session  # noqa: E402
from remotek.symbolic import Tensor  # noqa: E402
from remotek.tensors import DTYPES  # noqa: E402

__all__ = [
    "DEFAULT_CHUNK_BYTES",
    "DEFAULT_STREAM_THRESHOLD",
    "DTYPES",
    "Function",
    "RemoteKError",
    "Session",
    "Tensor",
]
__version__ = "0.1.0"
