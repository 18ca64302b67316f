"""A total deadline for each answer, headers included.

httpx's timeouts apply to each read: a server that sends its status line and headers a byte a
second is never cut off. :func:`deadline_transport` gives an HTTP transport whose sockets
never wait past the deadline the fetcher sets for the request under way
(:meth:`Deadlines.until`): connecting, sending, reading the headers and the body. Past it, a
read or a connect fails as a timeout (``httpx.TimeoutException``) and the fetcher reports the
answer as over its deadline.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import httpcore
import httpx


class Deadlines(httpcore.SyncBackend):
    """httpcore's socket backend, each wait shortened to the deadline this thread set."""

    def __init__(self) -> None:
        self._local = threading.local()

    @contextmanager
    def until(self, deadline: float) -> Iterator[None]:
        """Within the block, no socket operation of this thread waits past ``deadline``
        (``time.monotonic()``)."""
        self._local.deadline = deadline
        try:
            yield
        finally:
            self._local.deadline = None

    def within(self, timeout: float | None, error: type[Exception]) -> float | None:
        """``timeout`` shortened to what is left before the deadline (``error`` if nothing)."""
        deadline = getattr(self._local, "deadline", None)
        if deadline is None:
            return timeout
        left = deadline - time.monotonic()
        if left <= 0:
            raise error("the answer's deadline has passed")
        return left if timeout is None else min(timeout, left)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        timeout = self.within(timeout, httpcore.ConnectTimeout)
        stream = super().connect_tcp(host, port, timeout, local_address, socket_options)
        return _Stream(stream, self)


class _Stream(httpcore.NetworkStream):
    """A socket stream whose reads and writes stop at the deadline."""

    def __init__(self, stream: httpcore.NetworkStream, deadlines: Deadlines) -> None:
        self._stream, self._deadlines = stream, deadlines

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._deadlines.within(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._deadlines.within(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        timeout = self._deadlines.within(timeout, httpcore.ConnectTimeout)
        secure = self._stream.start_tls(ssl_context, server_hostname, timeout)
        return _Stream(secure, self._deadlines)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


def deadline_transport(deadlines: Deadlines) -> httpx.HTTPTransport:
    """httpx's default transport (certificates checked, the default connection limits) on
    sockets that keep ``deadlines``."""
    transport = httpx.HTTPTransport()
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)
    transport._pool = httpcore.ConnectionPool(  # the only way to give httpx a socket backend
        ssl_context=httpx.create_ssl_context(),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=deadlines,
    )
    return transport
