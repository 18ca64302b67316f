"""Where the ingest's parse step runs: in this process, on a local process pool, or on a Dask
cluster. Only parsing and per-document enrichment leave the main process; the writes stay in
it (see ``pipeline.Ingester``), so every executor gives the same archive.

Every executor maps a picklable module-level function over a batch and yields the results in
the batch's order, so a run writes its documents in the same order whichever executor parsed
them.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Protocol, TypeVar

A = TypeVar("A")
R = TypeVar("R")

CHUNK = 4  # inputs per task: amortises the hand-over cost, keeps the workers evenly loaded


class ExecutorUnavailable(RuntimeError):
    """The parse executor cannot be started (a scheduler that does not answer, no workers)."""


def worker_id() -> str:
    """The process running this code, as ``host:pid`` (recorded with every parsed input)."""
    return f"{socket.gethostname()}:{os.getpid()}"


class ParseExecutor(Protocol):
    """Runs the parse step of a batch; ``describe`` says where, for messages."""

    describe: str

    def map(self, fn: Callable[[A], R], items: Sequence[A]) -> Iterator[R]: ...

    def close(self) -> None: ...


class InProcess:
    """Parse in this process, one input after another (``--workers 1``)."""

    describe = "in this process"

    def map(self, fn: Callable[[A], R], items: Sequence[A]) -> Iterator[R]:
        return (fn(item) for item in items)

    def close(self) -> None:
        pass


def _die_with_parent() -> None:
    """Pool worker start-up: on Linux, ask the kernel to kill this worker when the process that
    started it dies (even by SIGKILL), so a killed ingest leaves no parse workers behind."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before the request took effect
        os._exit(1)


class LocalPool:
    """A process pool on this machine (``--workers N``); its workers die with this process."""

    def __init__(self, workers: int) -> None:
        self.pool = ProcessPoolExecutor(
            workers, initializer=_end_with_parent, initargs=(os.getpid(),)
        )
        self.describe = f"a local pool of {workers} processes"

    def map(self, fn: Callable[[A], R], items: Sequence[A]) -> Iterator[R]:
        return self.pool.map(fn, items, chunksize=CHUNK)

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)


def _end_with_parent(parent: int) -> None:
    """In a pool worker: end when the process that started the pool is gone (killed, it could
    not shut its pool down; the worker would otherwise wait for work forever)."""

    _die_with_parent()  # Linux: the kernel ends this worker at once; elsewhere, the watch

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="end-with-parent", daemon=True).start()


def _apply_chunk(fn: Callable[[Any], Any], chunk: Sequence[Any]) -> list[Any]:
    return [fn(item) for item in chunk]


class DaskCluster:
    """The workers of a Dask cluster, reached through its scheduler (``--dask ADDRESS``).

    The workers import ``communique`` themselves: install the same version on every worker
    machine. Inputs travel with the tasks, so the workers need no access to the input files.
    """

    def __init__(self, address: str, *, wait_for_workers: float = 30) -> None:
        import dask.config
        from distributed import Client
        from distributed.comm.addressing import parse_address
        from distributed.comm.registry import get_backend

        try:
            scheme, location = parse_address(address)
            get_backend(scheme)
            if not location:
                raise ValueError("no host")
        except ValueError as e:
            raise ExecutorUnavailable(
                f"{address!r} is not a Dask scheduler address ({e}); give one like tcp://HOST:8786"
            ) from e
        timeout = dask.config.get("distributed.comm.timeouts.connect")
        try:
            self.client = Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as e:
            raise ExecutorUnavailable(
                f"Cannot reach the Dask scheduler at {address} ({type(e).__name__}: {e}). "
                "Check that `dask scheduler` runs there, that the address and port are right "
                "(tcp://HOST:8786 by default) and that this machine may connect to it; "
                "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT sets how long to wait (now "
                f"{timeout})."
            ) from e
        try:
            self.client.wait_for_workers(1, timeout=wait_for_workers)
        except (OSError, TimeoutError) as e:
            self.client.close()
            raise ExecutorUnavailable(
                f"The Dask scheduler at {address} has no workers after {wait_for_workers:.0f} s. "
                "Start some with: dask worker " + address
            ) from e
        n = len(self.client.scheduler_info(n_workers=-1)["workers"])
        self.describe = f"the Dask cluster at {address}, {n} workers"

    def map(self, fn: Callable[[A], R], items: Sequence[A]) -> Iterator[R]:
        futures = [
            self.client.submit(_apply_chunk, fn, items[i : i + CHUNK], pure=False)
            for i in range(0, len(items), CHUNK)
        ]  # all submitted now, so the cluster works while the caller consumes in order

        def results() -> Iterator[R]:
            try:
                for future in futures:
                    yield from future.result()
            finally:
                self.client.cancel(futures)

        return results()

    def close(self) -> None:
        self.client.close()


def open_executor(workers: int | None = None, dask: str | None = None) -> ParseExecutor:
    """The parse executor for a run: the Dask cluster at ``dask`` when given, else a local pool
    of ``workers`` processes (default: the number of cores), or this process for 1.

    Raises ``ExecutorUnavailable`` (before anything is written) when the cluster cannot be used.
    """
    if dask:
        return DaskCluster(dask)
    n = workers or os.cpu_count() or 1
    return LocalPool(n) if n > 1 else InProcess()
