"""Heavy requests as jobs: ``202 Accepted`` and a job URL when the answer takes a while.

A client that sends ``Prefer: respond-async`` (RFC 7240; ``Prefer: respond-async, wait=5``
sets how long it will wait, default :data:`WAIT_S`) with a GET of a heavy analysis (keyness,
collocations, who-says, trend, frequencies, verify, a subcorpus summary, a concordance, and
their pages) gets the answer itself when it is ready within that wait; otherwise
``202 Accepted`` with ``Location: /api/v1/jobs/{id}``, ``Preference-Applied: respond-async`` and
the job (``{id, state, progress, ...}``) while the request goes on in the background:

- ``GET /api/v1/jobs/{id}``: the job, its state (``queued``, ``running``, ``done``,
  ``failed``, ``cancelled``) and ``progress``, the share of the work done (0 to 1) as the
  analysis reports it; once the answer is there, ``303 See Other`` to it;
- ``GET /api/v1/jobs/{id}/result``: the answer exactly as the request would have had it (the
  same status, ``200`` or an error, content type and body; ``409`` before it is there);
- ``DELETE /api/v1/jobs/{id}``: cancel it (a queued job leaves the queue, a running one's
  worker is stopped), or forget a finished one and its answer.

Without the preference nothing changes: the request waits for its answer (or its ``503``).
A page's script (``static/js/site.js``) asks this way, shows the progress with a cancel
button, then goes to the page with ``job=<id>``: the job's answer, not computed again.
Finished jobs are kept :data:`KEEP_S` seconds. A job's id is unguessable: whoever has the URL
may read and cancel it.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from communique.web.heavy import Cancelled, Job, current_job

WAIT_S = 2.0  # how long a respond-async request waits for its answer before a 202
MAX_WAIT_S = 60.0
KEEP_S = 600.0  # a finished job's answer is kept this long
MAX_JOBS = 500
JOBS = "/api/v1/jobs"
ASYNC_ROUTES = frozenset({
    "/api/v1/trend", "/api/v1/who-says", "/api/v1/collocations", "/api/v1/keyness",
    "/api/v1/frequencies", "/api/v1/verify", "/api/v1/subcorpus/summary", "/api/v1/kwic",
    "/trends", "/who-says", "/collocations", "/keyness", "/frequencies", "/verify", "/kwic",
})  # fmt: skip
_PREFER = re.compile(r"\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*(?:=\s*(\"[^\"]*\"|[^,;\s]*))?")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def preferences(value: str) -> dict[str, str]:
    """``Prefer: respond-async, wait=5`` as ``{"respond-async": "", "wait": "5"}``."""
    out = {}
    for part in value.split(","):
        m = _PREFER.match(part.split(";")[0])
        if m and m.group(1):
            out[m.group(1).lower()] = (m.group(2) or "").strip('"')
    return out


def async_wait(scope: Scope) -> float | None:
    """How long a request that prefers an asynchronous answer waits; None: it does not."""
    if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] not in ASYNC_ROUTES:
        return None
    prefer = ", ".join(v.decode("latin-1") for k, v in scope["headers"] if k == b"prefer")
    wanted = preferences(prefer)
    if "respond-async" not in wanted:
        return None
    try:
        wait = float(wanted.get("wait") or WAIT_S)
    except ValueError:
        wait = WAIT_S
    return min(max(wait, 0.0), MAX_WAIT_S)


def _iso(t: float | None) -> str | None:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if t else None


def job_json(job: Job) -> dict[str, Any]:
    """The job as the API shows it (URLs relative to the server)."""
    over = job.state in ("done", "failed")
    return {
        "id": job.id, "state": job.state, "progress": job.progress, "request": job.request,
        "created": _iso(job.created), "finished": _iso(job.finished),
        "url": f"{JOBS}/{job.id}", "result": f"{JOBS}/{job.id}/result" if over else None,
        "status": job.status if over else None,
    }  # fmt: skip


class Jobs:
    """The jobs of one server: kept until :data:`KEEP_S` after they finish."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def new(self, request: str) -> Job:
        job = Job(request)
        with self._lock:
            self._prune()
            self._jobs[job.id] = job
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def forget(self, job_id: str) -> None:
        with self._lock:
            self._jobs.pop(job_id, None)

    def cancel_all(self) -> None:
        with self._lock:
            jobs = list(self._jobs.values())
        for job in jobs:
            job.cancel()

    def _prune(self) -> None:
        now = time.time()
        for job_id, job in list(self._jobs.items()):
            if job.finished is not None and now - job.finished > KEEP_S:
                del self._jobs[job_id]
        while len(self._jobs) >= MAX_JOBS:  # the oldest finished first, then the oldest
            done = [j for j in self._jobs.values() if j.finished is not None]
            oldest = min(done or self._jobs.values(), key=lambda j: j.created)
            oldest.cancel()
            del self._jobs[oldest.id]


class AsyncJobs:
    """ASGI middleware: runs a heavy GET that prefers ``respond-async`` as a job."""

    def __init__(self, app: ASGIApp, jobs: Jobs, headers: dict[str, str]) -> None:
        self.app, self.jobs, self.headers = app, jobs, headers
        self._running: set[asyncio.Task[None]] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if _job_page(scope):
            job, scope = self._answered_page(scope)
            if job is not None:
                await self._replay(job, send)
                return
        wait = async_wait(scope)
        if wait is None:
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"").decode("latin-1")
        job = self.jobs.new(scope["path"] + (f"?{query}" if query else ""))
        token = current_job.set(job)  # the task (and the threads it runs in) see the job
        try:
            task = asyncio.create_task(self._run(job, scope))
        finally:
            current_job.reset(token)
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        await asyncio.wait({task}, timeout=wait)
        if job.over:
            self.jobs.forget(job.id)  # answered here: nobody will ask for it
            await self._replay(job, send)
            return
        await self._accepted(job, send)

    def _answered_page(self, scope: Scope) -> tuple[Job | None, Scope]:
        """A page asked with ``job=<id>`` (where a page's script goes once its job is done):
        the job, if it answered this very page; the request without ``job`` otherwise."""
        params = parse_qsl(scope.get("query_string", b"").decode("latin-1"), True)
        job_id = next((v for k, v in params if k == "job"), "")
        rest = [(k, v) for k, v in params if k != "job"]
        job = self.jobs.get(job_id)
        if job is not None and job.state in ("done", "failed"):
            path, _, query = job.request.partition("?")
            if path == scope["path"] and sorted(parse_qsl(query, True)) == sorted(rest):
                return job, scope
        return None, {**scope, "query_string": urlencode(rest).encode()}

    async def _run(self, job: Job, scope: Scope) -> None:
        """The request, its answer kept in the job. The client may be gone by then: the
        request reads an empty body and never hears of a disconnection."""
        status, headers, body = 500, [], []
        sent = False
        forever = asyncio.Event()

        async def receive() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await forever.wait()
            return {"type": "http.disconnect"}

        async def keep(message: Message) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status, headers = message["status"], list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                body.append(message.get("body", b""))

        try:
            await self.app(dict(scope), receive, keep)
        except Cancelled:
            return
        except Exception as e:  # what the server's last handler would have answered
            status, body = 500, [_error("internal_error", f"the job failed: {type(e).__name__}")]
            headers = [(b"content-type", b"application/json")]
        job.finish(status, headers, b"".join(body))

    async def _replay(self, job: Job, send: Send) -> None:
        await send({"type": "http.response.start", "status": job.status or 500,
                    "headers": job.headers})  # fmt: skip
        await send({"type": "http.response.body", "body": job.body})

    async def _accepted(self, job: Job, send: Send) -> None:
        body = json.dumps(job_json(job)).encode()
        headers = {
            **self.headers, "content-type": "application/json", "location": f"{JOBS}/{job.id}",
            "retry-after": "1", "preference-applied": "respond-async",
            "content-length": str(len(body)),
        }  # fmt: skip
        await send({"type": "http.response.start", "status": 202,
                    "headers": [(k.encode(), v.encode()) for k, v in headers.items()]})  # fmt: skip
        await send({"type": "http.response.body", "body": body})


def _job_page(scope: Scope) -> bool:
    return (scope["type"] == "http" and scope["method"] == "GET"
            and scope["path"] in ASYNC_ROUTES and not scope["path"].startswith("/api/")
            and b"job=" in scope.get("query_string", b""))  # fmt: skip


def _error(code: str, message: str) -> bytes:
    return json.dumps({"error": code, "message": message}).encode()
