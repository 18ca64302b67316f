"""Work whose requester has gone stops: a flag the web server raises when a client
disconnects, read by the work done for that request (a query's ``Budget`` checks, a heavy
analysis waiting for its worker).

The flag travels in a context variable, so it reaches the thread a request runs in (Starlette
copies the context into its thread pool) and nothing else: work not started by a request
(the CLI, a background job) is never cancelled this way.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_GONE: ContextVar[threading.Event | None] = ContextVar("communique_client_gone", default=None)


class Cancelled(RuntimeError):
    """The work was stopped because the client that asked for it has gone."""

    def __init__(self, message: str = "the client closed its connection: the work was stopped"):
        super().__init__(message)


def cancelled() -> bool:
    """Whether the client of the request this work is done for has gone."""
    gone = _GONE.get()
    return gone is not None and gone.is_set()


def check_cancelled() -> None:
    """Raise :class:`Cancelled` if the client has gone."""
    if cancelled():
        raise Cancelled()


@contextmanager
def cancelled_by(gone: threading.Event) -> Iterator[threading.Event]:
    """Within this block (and the threads and tasks started from it), work is cancelled once
    ``gone`` is set."""
    token = _GONE.set(gone)
    try:
        yield gone
    finally:
        _GONE.reset(token)
