"""Work whose client has gone stops: an ASGI middleware that watches each HTTP request's
connection while the application works on it and, when the client disconnects, raises the
request's cancel flag (``search.cancel``). A search's budget checks and a heavy analysis
waiting for its worker read that flag: the search stops at its next step, the analysis's
worker is stopped and replaced, and the server's capacity is free again at once instead of
when the time budget or deadline ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import Any

from communique.search.cancel import cancelled_by

Message = dict[str, Any]
DISCONNECT: Message = {"type": "http.disconnect"}


class CancelOnDisconnect:
    """Once the request's body is in (at once for a request without one), reads the server's
    messages ahead of the application, which gets them in order from a queue, so that a
    disconnect is seen while the application is still busy. A body is never read ahead: the
    application (and its size cap) reads it as it comes."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        gone = threading.Event()
        messages: asyncio.Queue[Message] = asyncio.Queue()
        watcher: asyncio.Future[None] | None = None

        async def watch() -> None:
            while True:
                message = await receive()
                await messages.put(message)
                if message["type"] == "http.disconnect":
                    gone.set()
                    return

        def start_watching() -> None:
            nonlocal watcher
            if watcher is None:
                watcher = asyncio.ensure_future(watch())

        async def received() -> Message:
            if watcher is None:  # the body is still coming: straight from the server
                message = await receive()
                if message["type"] == "http.disconnect":
                    gone.set()
                elif not message.get("more_body", False):
                    start_watching()
                return message
            if gone.is_set() and messages.empty():
                return DISCONNECT  # asked again after the end: the answer stays the same
            return await messages.get()

        if not _has_body(scope):
            start_watching()
        try:
            with cancelled_by(gone):
                await self.app(scope, received, send)
        finally:
            if watcher is not None:
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watcher


def _has_body(scope: dict[str, Any]) -> bool:
    """Whether the request announces a body (a length other than 0, or chunks)."""
    for name, value in scope.get("headers", ()):
        if name == b"transfer-encoding" or (name == b"content-length" and value.strip() != b"0"):
            return True
    return False
