"""Running the web application under uvicorn with limits that slow or greedy clients cannot
get round: a deadline for receiving each request (headers and body), an idle timeout, a cap
on concurrent connections in all and per client address, and the host names links may use.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, ClassVar

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

MALLOC_ARENAS = 2  # glibc's malloc arenas for the server's many threads ($MALLOC_ARENA_MAX wins)
REQUEST_SECONDS = 30.0  # from a request's first byte to its last (headers and body)
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def serve_hosts(host: str, allowed: list[str] | None) -> list[str]:
    """The host names a server bound to ``host`` answers for: loopback names, ``host`` itself
    (unless it is a wildcard address) and the ``--allowed-host`` names."""
    names = [*LOCAL_HOSTS]
    if host not in ("0.0.0.0", "::", ""):
        names.append(host)
    return [*names, *(allowed or [])]


class GuardedH11(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with a deadline for receiving each request (a client that
    sends its headers or body a byte at a time is cut off) and a cap on the connections one
    client address holds at once (over it: 503 and the connection closed)."""

    request_seconds = REQUEST_SECONDS
    per_client = 16
    _open: ClassVar[Counter[str]] = Counter()  # connections per client address (one event loop)

    def connection_made(self, transport: Any) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._deadline: Any = None
        self._address = self.client[0] if self.client else ""
        self._counted = False
        if self._open[self._address] >= self.per_client:
            body = b"too many connections from your address: close some and retry\n"
            transport.write(
                b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\n"
                b"connection: close\r\nretry-after: 1\r\n"
                b"content-length: " + str(len(body)).encode() + b"\r\n\r\n" + body
            )
            transport.close()
            return
        self._open[self._address] += 1
        self._counted = True
        self._arm()

    def _arm(self) -> None:
        if self._deadline is None:
            self._deadline = self.loop.call_later(self.request_seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE:  # a request begins: it has a deadline
            self._arm()
        super().data_received(data)
        if self.conn.their_state in (h11.DONE, h11.MUST_CLOSE, h11.CLOSED, h11.ERROR):
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self._counted:
            self._counted = False
            self._open[self._address] -= 1
            if self._open[self._address] <= 0:
                del self._open[self._address]
        super().connection_lost(exc)


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Cap glibc's malloc arenas before the server starts its threads. By default glibc gives
    each new thread an arena of its own up to 8 per core, and a server's request threads then
    hold memory they no longer use: with the cap, its RSS over `bench/serve_mixed.py` grows
    +15% instead of +21%, at the same latency. A no-op off glibc or when $MALLOC_ARENA_MAX
    is set."""
    import ctypes
    import ctypes.util
    import os

    if os.environ.get("MALLOC_ARENA_MAX"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(-8, arenas))  # M_ARENA_MAX
    except (OSError, AttributeError):  # not glibc
        return False


def run_server(
    app: Any,
    *,
    host: str,
    port: int,
    timeout_keep_alive: int = 5,
    max_connections: int = 200,
    per_client: int = 16,
    request_seconds: float = REQUEST_SECONDS,
) -> None:
    """Serve ``app`` on ``host:port`` until interrupted."""
    import uvicorn

    protocol = type(
        "GuardedH11", (GuardedH11,), {"request_seconds": request_seconds, "per_client": per_client}
    )
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", server_header=False, http=protocol,
        timeout_keep_alive=timeout_keep_alive, limit_concurrency=max_connections,
    )  # fmt: skip
    uvicorn.Server(config).run()
