"""Which session the module-level backend functions use.

``with Session(...)`` blocks stack on top of the default session set by
``backend.connect`` / ``backend.set_session``. Not thread-local, as Keras's
default graph is not.
"""
import atexit
import os
import threading

_lock = threading.Lock()
_stack = []
_default = None


def push(session):
    with _lock:
        _stack.append(session)


def pop(session):
    with _lock:
        for i in range(len(_stack) - 1, -1, -1):
            if _stack[i] is session:
                del _stack[i]
                return


def set_default(session):
    global _default
    with _lock:
        previous, _default = _default, session
    return previous


@atexit.register
def _close_default_at_exit():
    """Closes the default session when the interpreter exits (best effort)."""
    session = set_default(None)
    if session is not None and not session.closed:
        try:
            session.close()
        except Exception:  # the server may be gone already
            pass


def peek():
    """The current session, or None."""
    with _lock:
        if _stack:
            return _stack[-1]
        return _default


def current():
    """The current open session; connects to $REMOTEK_ADDRESS when there is none."""
    session = peek()
    if session is not None and not session.closed:
        return session
    address = os.environ.get("REMOTEK_ADDRESS")
    if address:
        from remotek.session import Session  # late: session imports this module
        session = Session(address)
        previous = set_default(session)
        if previous is not None and previous is not session:
            previous.close()
        return session
    raise RuntimeError(
        "remotek: no session; call backend.connect(address), enter a "
        "`with remotek.Session(address):` block, or set REMOTEK_ADDRESS")
