"""Heavy analyses in worker processes, so that one user's keyness never stalls another's search.

A :class:`HeavyPool` keeps ``workers`` processes (started fresh, not forked from the server),
each with its own read-only handle on the archive: the same store, the search index the server
keeps up to date (reloaded when it changed) and the word cache the server prepares (read, never
written). A request sends a function of the archive (pickled with cloudpickle, closures
included) and waits for its answer:

- at most ``workers`` run at once and ``queue`` more wait; beyond that the request is refused at
  once with :class:`Busy` (the API answers ``503`` with ``Retry-After``);
- a request that has no answer within ``deadline`` seconds (waiting included) gets
  :class:`Busy` too, and the worker running it is stopped and replaced: nothing holds a worker
  forever;
- a request whose client has gone (``search.cancel``) stops waiting at once: taken out of the
  queue, or its worker stopped and replaced, so that its place goes to the next request;
- the workers run at a lower CPU priority (``nice`` 10), so that on a busy machine searches and
  pages, answered by the server's own threads, go first.

With ``workers=0`` the functions run in the request's thread (no processes, no deadline).

A request run as a job (``web.jobs``: ``Prefer: respond-async``) has its :class:`Job` in
:data:`current_job`: the worker's progress (the share of the work done, reported by the
analysis loops through ``communique.progress`` into a shared value) shows in the job, and
cancelling the job takes it out of the queue, or stops the worker running it (a fresh one
takes its place).
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import os
import pickle
import queue
import secrets
import signal
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TypeVar

import cloudpickle

from communique.search.cancel import check_cancelled

T = TypeVar("T")
log = logging.getLogger(__name__)
WORKERS = 2
QUEUE = 8
DEADLINE_S = 60.0
NICE = 10  # the workers' lower CPU priority
STARTUP_S = 120.0  # for a worker to open the archive (not counted in a request's deadline)
LOOK_S = 0.1  # how often a waiting request looks whether its client has gone


class Busy(RuntimeError):
    """No answer now: the queue is full, or the deadline passed. Try again after
    ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Cancelled(RuntimeError):
    """The job was cancelled while it waited or ran."""


JOB_STATES = ("queued", "running", "done", "failed", "cancelled")


@dataclass(eq=False)
class Job:
    """A request answered in the background: its state, its progress and, once it is over,
    its answer (status, headers and body as the request itself would have had them)."""

    request: str  # the path and query string it answers
    id: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    created: float = field(default_factory=time.time)
    state: str = "queued"
    finished: float | None = None
    status: int | None = None  # of the answer
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytes = b""
    _cancel: threading.Event = field(default_factory=threading.Event, repr=False)
    _worker: Any = field(default=None, repr=False)
    _share: float = 0.0

    @property
    def over(self) -> bool:
        return self.state in ("done", "failed", "cancelled")

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def progress(self) -> float:
        """The share of the work done (0 to 1), as the analysis reports it."""
        if self.state == "done":
            return 1.0
        worker = self._worker
        if worker is not None:
            self._share = max(self._share, float(worker.progress.value))
        return round(min(self._share, 1.0), 3)

    def running(self, worker: Any) -> None:
        if self.state == "queued":
            self.state = "running"
        self._worker = worker

    def idle(self) -> None:
        """Out of the worker (the request may send it another analysis: progress goes on)."""
        if self._worker is not None:
            self._share = max(self._share, float(self._worker.progress.value))
        self._worker = None

    def cancel(self) -> None:
        """Out of the queue, or the worker running it stopped."""
        self._cancel.set()
        if not self.over:
            self.state, self.finished = "cancelled", time.time()

    def finish(self, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        if self.state == "cancelled":
            return
        self.status, self.headers, self.body = status, headers, body
        self.state = "done" if status < 400 else "failed"
        self.finished = time.time()


current_job: ContextVar[Job | None] = ContextVar("communique_job", default=None)


class _Worker:
    def __init__(self, target: str, data_dir: str | None) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.progress = ctx.Value("d", 0.0, lock=False)  # the running analysis's share done
        self.process = ctx.Process(
            target=_serve, args=(child, target, data_dir, self.progress),
            name="communique-heavy", daemon=True,
        )  # fmt: skip
        self.process.start()
        child.close()
        self.ready = False  # it says so once it has opened the archive

    def wait_ready(self) -> float:
        """Wait (up to ``STARTUP_S``) for the worker to have opened the archive; the seconds
        waited."""
        if self.ready:
            return 0.0
        started = time.monotonic()
        if not self.conn.poll(STARTUP_S):
            raise RuntimeError(f"an analysis worker did not start within {STARTUP_S:g} s")
        message = self.conn.recv_bytes()
        if message != b"ready":
            raise RuntimeError(f"an analysis worker failed to start: {message[:300]!r}")
        self.ready = True
        return time.monotonic() - started

    def dead(self) -> bool:
        """Gone while idle: its process ended (or was reaped elsewhere, or is a zombie), or its
        end of the pipe closed (an idle worker that has said it is ready sends nothing, so
        anything readable is the end of the pipe)."""
        if not self.process.is_alive():
            return True
        pid = self.process.pid
        try:
            os.kill(pid, 0)  # reaped by someone else: is_alive cannot tell
            stat = Path(f"/proc/{pid}/stat")
            if stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X"):
                return True  # a zombie (Linux)
            return self.ready and self.conn.poll(0)
        except (OSError, IndexError):
            return True

    def stop(self) -> None:
        self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)


class HeavyPool:
    """Worker processes over one archive (see the module's notes)."""

    def __init__(
        self,
        target: str | Path,
        data_dir: str | Path | None = None,
        *,
        workers: int = WORKERS,
        queue_size: int = QUEUE,
        deadline: float = DEADLINE_S,
    ) -> None:
        self.target, self.data_dir = str(target), str(data_dir) if data_dir else None
        self.workers, self.queue_size, self.deadline = workers, queue_size, deadline
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._admitted = threading.BoundedSemaphore(max(workers, 1) + queue_size)
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        self._closed = False
        self._admitted_n = self._running_n = 0  # for load(); the semaphore enforces the limits
        for _ in range(workers):
            self._idle.put(self._start())

    def _start(self) -> _Worker:
        worker = _Worker(self.target, self.data_dir)
        with self._lock:
            self._all.append(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)
        worker.stop()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers, self._all = self._all, []
        for worker in workers:
            worker.stop()

    def load(self) -> dict[str, int]:
        """``workers`` and ``queue`` (the limits), ``running`` (requests a worker is on) and
        ``waiting`` (admitted requests waiting for one)."""
        with self._lock:
            running, admitted = self._running_n, self._admitted_n
        return {"workers": self.workers, "queue": self.queue_size, "running": running,
                "waiting": admitted - running}  # fmt: skip

    def _count(self, admitted: int = 0, running: int = 0) -> None:
        with self._lock:
            self._admitted_n += admitted
            self._running_n += running

    def _retry_after(self) -> int:
        return max(1, math.ceil(min(self.deadline, 30) / 2))

    def call(self, fn: Callable[[Any], T], local: Callable[[Callable[[Any], T]], T]) -> T:
        """``fn(archive)`` in a worker (``local(fn)`` runs it here when there are none);
        :class:`Busy` when the queue is full or the deadline passes."""
        job = current_job.get()
        if job is not None and job.cancelled:
            raise Cancelled("the job was cancelled")
        if self.workers == 0:
            return local(fn)
        if not self._admitted.acquire(blocking=False):
            raise Busy(
                f"the server's analysis workers are busy ({self.workers} running, "
                f"{self.queue_size} waiting): try again shortly",
                self._retry_after(),
            )
        self._count(admitted=1)
        try:
            return self._call(fn)
        finally:
            self._count(admitted=-1)
            self._admitted.release()

    def _call(self, fn: Callable[[Any], T]) -> T:
        started = time.monotonic()
        payload = cloudpickle.dumps(fn)
        job = current_job.get()
        worker = self._next_idle(started, job)
        if worker.dead():  # died while idle (killed, out of memory): replace it
            self._retire(worker)
            worker = self._start()
        self._count(running=1)
        answered = False
        try:
            started += worker.wait_ready()  # a fresh worker's start is not the request's time
            worker.progress.value = 0.0
            if job is not None:
                job.running(worker)
            worker.conn.send_bytes(payload)
            self._wait_answer(worker, started, job)
            status, value = pickle.loads(worker.conn.recv_bytes())
            answered = True
        except (EOFError, OSError) as e:  # the worker died (killed, out of memory...)
            worker.process.join(5)
            raise RuntimeError(
                f"an analysis worker stopped unexpectedly ({e!r}, exit code "
                f"{worker.process.exitcode})"
            ) from None
        finally:
            self._count(running=-1)
            if job is not None:
                job.idle()
            if answered:
                self._idle.put(worker)
            else:  # it may still be working: stop it, start a fresh one in its place
                self._retire(worker)
                if not self._closed:
                    self._idle.put(self._start())
        if status == "error":
            raise value
        return value

    def _next_idle(self, started: float, job: Job | None) -> _Worker:
        """The next idle worker, waited for up to the deadline; a cancelled job leaves the
        queue, and so does a request whose client has gone."""
        while True:
            left = self.deadline - (time.monotonic() - started)
            if left <= 0:
                raise self._late(started)
            try:
                worker = self._idle.get(timeout=min(left, LOOK_S))
            except queue.Empty:
                worker = None
            try:  # even as a worker came free for it, a cancelled request gives it back
                if job is not None and job.cancelled:
                    raise Cancelled("the job was cancelled while it waited")
                check_cancelled()  # the client has gone
            except BaseException:
                if worker is not None:
                    self._idle.put(worker)
                raise
            if worker is not None:
                return worker

    def _wait_answer(self, worker: _Worker, started: float, job: Job | None) -> None:
        """Until the worker answers: :class:`Busy` past the deadline, :class:`Cancelled` when
        the job is, ``search.cancel.Cancelled`` when the client has gone (the caller then
        stops the worker)."""
        while True:
            left = self.deadline - (time.monotonic() - started)
            if left <= 0:
                raise self._late(started)
            if worker.conn.poll(min(left, LOOK_S)):
                return
            if job is not None and job.cancelled:
                raise Cancelled("the job was cancelled while it ran")
            check_cancelled()

    def _late(self, started: float) -> Busy:
        waited = time.monotonic() - started
        return Busy(
            f"no answer within the server's deadline of {self.deadline:g} s (waited "
            f"{waited:.0f} s): narrow the query or the filters, or try again later",
            self._retry_after(),
        )


# -- the worker side ------------------------------------------------------------------------------


def _serve(conn: Connection, target: str, data_dir: str | None, share: Any) -> None:
    """A worker: open the archive read-only, then answer requests until the pipe closes;
    ``share``: a shared value the analyses' progress reports go to."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server stops its workers itself
    os.nice(NICE)  # on a busy machine the server's own threads (searches, pages) go first
    from communique import progress
    from communique.analysis.corpus import follow_token_cache, reading_token_cache
    from communique.archive import Archive

    def reported(done: float) -> None:
        share.value = done

    try:
        archive = Archive(target, sync=False, data_dir=data_dir)
    except Exception as e:
        conn.send_bytes(f"{type(e).__name__}: {e}".encode())
        return
    follow_token_cache(archive.index)
    seen = archive.index.state() or {}
    conn.send_bytes(b"ready")
    while True:
        try:
            payload = conn.recv_bytes()
        except (EOFError, OSError):
            return
        try:
            seen = _refresh(archive, seen)
            with reading_token_cache(archive.index), progress.listening(reported):
                result: tuple[str, Any] = ("ok", cloudpickle.loads(payload)(archive))
        except Exception as e:
            result = ("error", e)
        conn.send_bytes(_dumps(result))


def _refresh(archive: Any, seen: dict[str, Any]) -> dict[str, Any]:
    """See what the server's index follower applied since the last request."""
    now = archive.index.state() or {}
    if now.get("build") != seen.get("build"):
        archive.index.open(sync=False)  # rebuilt elsewhere: open the new directory
    elif now.get("seq") != seen.get("seq"):
        archive.index.index.reload()
    if now != seen:  # what the index derived from the archive may have changed with it
        archive.index._forms_cache.clear()
        archive.index._acronyms = None
    return now


def _dumps(result: tuple[str, Any]) -> bytes:
    """The answer pickled; an exception that does not pickle (or unpickle: one whose
    constructor takes more than its message) goes as its kind and message."""
    try:
        data = pickle.dumps(result)
        if result[0] == "error":
            pickle.loads(data)
        return data
    except Exception:
        status, value = result
        if status == "ok":
            value = RuntimeError(f"an analysis returned what cannot be sent back: {value!r:.200}")
        kind = ValueError if isinstance(value, ValueError) else RuntimeError
        return pickle.dumps(("error", kind(str(value))))
