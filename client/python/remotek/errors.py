"""The one exception the client raises for server errors."""
import grpc


class RemoteKError(Exception):
    """A call failed. ``code`` is a ``grpc.StatusCode``, ``message`` the server's text.

    Server errors keep the server's code and message unchanged. A few errors
    are raised by the client itself with the code the server would use:
    FAILED_PRECONDITION for a closed session or a tensor from before
    clear_session(), DATA_LOSS for a truncated download.
    """

    def __init__(self, code, message):
        super().__init__("%s: %s" % (code.name, message))
        self.code = code
        self.message = message

    @classmethod
    def from_rpc_error(cls, error):
        code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
        details = error.details() if hasattr(error, "details") else str(error)
        return cls(code if code is not None else grpc.StatusCode.UNKNOWN, details or "")
