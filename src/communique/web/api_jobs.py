"""REST API: jobs (``web/jobs.py`` says when a request becomes one).

- ``GET /api/v1/jobs/{id}``: the job and its progress; ``303`` to its answer once there;
- ``GET /api/v1/jobs/{id}/result``: the answer as the request would have had it;
- ``DELETE /api/v1/jobs/{id}``: cancel it, or forget a finished one.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response

from communique.web.heavy import Job
from communique.web.jobs import Jobs, job_json

router = APIRouter(prefix="/api/v1", tags=["jobs"])


def _job(request: Request, job_id: str) -> tuple[Jobs, Job]:
    jobs: Jobs = request.app.state.jobs
    job = jobs.get(job_id)
    if job is None:
        raise HTTPException(404, f"no job {job_id!r} on this server (finished jobs are kept "
                                 "10 minutes)")  # fmt: skip
    return jobs, job


@router.get("/jobs/{job_id}", summary="A job: its state and progress (303 to its answer)")
def job(request: Request, job_id: str) -> Any:
    """``state`` (queued, running, done, failed, cancelled) and ``progress``, the share of the
    work done (0 to 1). Once the answer is there (``done``, or ``failed`` with an error), a
    ``303 See Other`` to ``result``."""
    _, found = _job(request, job_id)
    body = job_json(found)
    if body["result"]:
        return JSONResponse(body, status_code=303, headers={"location": body["result"]})
    return JSONResponse(body, headers={} if found.over else {"retry-after": "1"})


@router.get("/jobs/{job_id}/result", summary="A job's answer, as the request would have had it")
def job_result(request: Request, job_id: str) -> Response:
    """The answer of the request the job ran: the same status (200, or the error it met),
    content type and body. ``409`` while it runs, or when it was cancelled."""
    _, found = _job(request, job_id)
    if found.state not in ("done", "failed"):
        what = "was cancelled" if found.state == "cancelled" else f"is {found.state}"
        return JSONResponse(
            {"error": "not_ready", "message": f"job {job_id} {what}: no answer"},
            status_code=409, headers={"retry-after": "1"} if not found.over else {},
        )  # fmt: skip
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in found.headers
               if k.lower() not in (b"content-length", b"content-type")}  # fmt: skip
    media = next((v.decode("latin-1") for k, v in found.headers if k.lower() == b"content-type"),
                 None)  # fmt: skip
    return Response(found.body, status_code=found.status or 500, headers=headers,
                    media_type=media)  # fmt: skip


@router.delete("/jobs/{job_id}", summary="Cancel a job, or forget a finished one")
def cancel_job(request: Request, job_id: str) -> dict[str, Any]:
    """A queued job leaves the queue; a running one's worker is stopped. A finished job is
    forgotten with its answer. The job as it is then."""
    jobs, found = _job(request, job_id)
    if found.over:
        jobs.forget(job_id)
    else:
        found.cancel()
    return job_json(found)
