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
    """Reads the request's messages ahead of the application (which gets them in order from
    a queue), so that a disconnect is seen while the application is still busy."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        gone = threading.Event()
        messages: asyncio.Queue[Message] = asyncio.Queue()

        async def watch() -> None:
            while True:
                message = await receive()
                await messages.put(message)
                if message["type"] == "http.disconnect":
                    gone.set()
                    return

        async def received() -> Message:
            if gone.is_set() and messages.empty():
                return DISCONNECT  # asked again after the end: the answer stays the same
            return await messages.get()

        watcher = asyncio.ensure_future(watch())
        try:
            with cancelled_by(gone):
                await self.app(scope, received, send)
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
