"""Heavy requests as jobs (web/jobs.py): ``Prefer: respond-async`` gets the answer within the
wait or ``202`` and a job URL; the job shows the share of the work done as the worker reports
it, ``303`` to its answer, and cancelling it takes it out of the queue or stops its worker.
Against a real server over the search archive (both backends), and a server in this process
where the test holds the analysis worker busy; pages show the progress and a cancel button."""

from __future__ import annotations

import contextvars
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator

from communique import progress
from communique.web import create_app
from communique.web.heavy import Cancelled, Job, current_job
from communique.web.jobs import preferences

from .conftest import Server, copy_archive, data_dir_of, free_port
from .test_web import SHOTS, WIDE

ASYNC = {"prefer": "respond-async, wait=0"}  # no wait: a job whatever the answer's speed
KEYNESS = {"a": "Kazakhstan", "b": ""}  # the seed's Kazakhstan against the whole archive
PAGE_KEYNESS = {"a": "Kazakhstan", "b": "Russia"}  # the page needs both


@pytest.fixture(scope="module")
def api(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as client:
        yield client


def job_schema(client: httpx.Client | Any) -> dict[str, Any]:
    spec = client.get("/api/v1/openapi.json").json()
    return {"$ref": "#/components/schemas/JobOut", "components": spec["components"]}


def accepted(client: httpx.Client | Any, path: str, params: Any) -> dict[str, Any]:
    """The 202 of a request that prefers an answer in the background; its job."""
    response = client.get(path, params=params, headers=ASYNC)
    assert response.status_code == 202, response.text[:300]
    job = response.json()
    assert response.headers["location"] == job["url"] == f"/api/v1/jobs/{job['id']}"
    assert response.headers["preference-applied"] == "respond-async"
    assert int(response.headers["retry-after"]) >= 1
    assert job["state"] in ("queued", "running") and job["result"] is None
    return job


def finished(client: httpx.Client | Any, job: dict[str, Any]) -> httpx.Response:
    """Poll the job until it sends to its answer (303); that answer."""
    deadline = time.monotonic() + 60
    while True:
        response = client.get(job["url"], follow_redirects=False)
        if response.status_code == 303:
            assert response.json()["progress"] == 1.0 or response.json()["state"] == "failed"
            assert response.headers["location"] == response.json()["result"]
            return client.get(response.headers["location"])
        assert response.status_code == 200 and response.json()["state"] in ("queued", "running")
        assert time.monotonic() < deadline, "the job did not finish within 60 s"
        time.sleep(0.1)


def test_prefer_is_read_as_rfc_7240_says() -> None:
    assert preferences("respond-async, wait=5") == {"respond-async": "", "wait": "5"}
    assert preferences('wait="10"; x=y, Respond-Async') == {"wait": "10", "respond-async": ""}


def test_an_answer_that_takes_a_while_comes_from_its_job(api: httpx.Client) -> None:
    plain = api.get("/api/v1/keyness", params=KEYNESS)
    assert plain.status_code == 200 and "preference-applied" not in plain.headers  # as before
    job = accepted(api, "/api/v1/keyness", KEYNESS)
    Draft202012Validator(job_schema(api)).validate(job)
    answer = finished(api, job)
    assert answer.status_code == 200 and answer.json() == plain.json()
    assert answer.json()["key_a"][0]["word"] == "kazakhstan"
    # a finished job is forgotten when deleted
    assert api.delete(job["url"]).json()["state"] == "done"
    assert api.get(job["url"]).status_code == 404
    assert api.get("/api/v1/jobs/no-such-job").json()["error"] == "not_found"


def test_an_answer_ready_within_the_wait_comes_at_once(api: httpx.Client) -> None:
    prefer = {"prefer": "respond-async, wait=30"}
    response = api.get("/api/v1/who-says", params={"q": "Kazakhstan"}, headers=prefer)
    assert response.status_code == 200 and "preference-applied" not in response.headers
    assert response.json()["people"][0]["who"] == "sergey-lavrov"


def test_a_job_keeps_its_answers_status_and_type(api: httpx.Client) -> None:
    bad = finished(api, accepted(api, "/api/v1/keyness", {"a": "(", "b": ""}))
    assert bad.status_code == 400 and bad.json()["error"] == "bad_request"
    csv = finished(api, accepted(api, "/api/v1/collocations", {"q": "Kazakhstan",
                                                                "format": "csv"}))  # fmt: skip
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.lstrip("\ufeff").startswith("word,")
    page = finished(api, accepted(api, "/keyness", PAGE_KEYNESS))  # pages too
    assert page.headers["content-type"].startswith("text/html")
    assert "kazakhstan" in page.text and '<table class="stats">' in page.text


# -- progress and cancelling, with the analysis worker held by the test --------------------------
@pytest.fixture
def held(request: pytest.FixtureRequest, search_db: str, tmp_path: Path) -> Iterator[Any]:
    """A server in this process over a copy of the search archive, with one analysis worker
    (and room for two more requests in its queue); yields (base URL, app)."""
    import uvicorn

    db = copy_archive(request, search_db, tmp_path)
    app = create_app(db, data_dir=data_dir_of(db), heavy_workers=1, heavy_queue=2)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _ready(url), "the server's word cache")
        yield url, app
    finally:
        server.should_exit = True
        thread.join(30)


def _ready(url: str) -> bool:
    try:
        stats = httpx.get(f"{url}/api/v1/stats", timeout=5).json()
    except httpx.HTTPError:
        return False
    return bool(stats["derived"]["word_cache"]["ready"])


def wait_for(condition: Any, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen within {seconds:g} s"
        time.sleep(0.05)


def in_thread(fn: Any, job: Job | None = None) -> tuple[threading.Thread, list[Any]]:
    """``fn()`` in a thread of its own (as ``job``'s request, if given); its result or
    exception lands in the list."""
    out: list[Any] = []
    context = contextvars.copy_context()
    context.run(current_job.set, job)

    def run() -> None:
        try:
            out.append(context.run(fn))
        except BaseException as e:
            out.append(e)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


def steps(folder: Path) -> Any:
    """An analysis of four steps in the worker: it writes its pid, then reports each step done
    and waits for the test to let it take the next one (``step-1``, ``step-2``...)."""

    def run(_archive: Any) -> str:
        (folder / "pid").write_text(str(os.getpid()))
        for k in range(4):
            progress.report(k, 4)
            while k and not (folder / f"step-{k}").exists():
                time.sleep(0.02)
        progress.report(4, 4)
        return "done"

    return run


def test_a_running_job_shows_its_progress_and_stops_when_cancelled(
    held: Any, tmp_path: Path
) -> None:
    url, app = held
    job = app.state.jobs.new("/steps")
    thread, out = in_thread(lambda: app.state.service.heavy(steps(tmp_path)), job)
    with httpx.Client(base_url=url, timeout=30) as client:

        def share() -> float:
            body = client.get(f"/api/v1/jobs/{job.id}")
            assert body.json()["state"] == "running"
            return float(body.json()["progress"])

        wait_for(lambda: (tmp_path / "pid").exists() and share() == 0.25, "a quarter done")
        pid = int((tmp_path / "pid").read_text())
        (tmp_path / "step-1").touch()
        wait_for(lambda: share() == 0.5, "half done")  # as the worker reports it, not time
        cancelled = client.delete(f"/api/v1/jobs/{job.id}").json()
        assert cancelled["state"] == "cancelled" and cancelled["progress"] == 0.5
        thread.join(30)
        assert isinstance(out[0], Cancelled)
        wait_for(lambda: not Path(f"/proc/{pid}").exists() or _zombie(pid), "the worker's end")
        result = client.get(f"/api/v1/jobs/{job.id}/result")
        assert result.status_code == 409 and "cancelled" in result.json()["message"]
        # a fresh worker takes its place
        again = client.get("/api/v1/keyness", params=KEYNESS)
        assert again.status_code == 200 and again.json()["key_a"][0]["word"] == "kazakhstan"


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in "ZX"
    except OSError:
        return True


def test_a_queued_job_leaves_the_queue_when_cancelled(held: Any, tmp_path: Path) -> None:
    url, app = held
    thread, out = in_thread(lambda: app.state.service.heavy(steps(tmp_path)))  # holds it
    with httpx.Client(base_url=url, timeout=30) as client:
        wait_for(lambda: (tmp_path / "pid").exists(), "the worker held")
        pid = int((tmp_path / "pid").read_text())
        job = accepted(client, "/api/v1/keyness", KEYNESS)
        time.sleep(0.5)  # in the queue behind the held worker
        assert client.get(job["url"]).json()["state"] == "queued"
        assert client.delete(job["url"]).json()["state"] == "cancelled"
        for k in (1, 2, 3):
            (tmp_path / f"step-{k}").touch()
        thread.join(30)
        assert out == ["done"]  # the held analysis was not disturbed
        assert client.get(job["url"]).json()["state"] == "cancelled"
        assert client.get(f"{job['url']}/result").status_code == 409
        # its worker was not stopped: the next analysis runs in the same process
        assert app.state.service.heavy(lambda a: os.getpid()) == pid


def test_the_page_shows_progress_and_can_cancel(chromium: Any, held: Any, tmp_path: Path) -> None:
    url, app = held
    thread, _ = in_thread(lambda: app.state.service.heavy(steps(tmp_path)))  # holds it
    context = chromium.new_context(viewport=WIDE)
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    problems: list[str] = []
    pg.on("pageerror", lambda e: problems.append(str(e)))
    try:
        wait_for(lambda: (tmp_path / "pid").exists(), "the worker held")
        pg.goto(f"{url}/keyness")
        pg.fill("input[name=a]", "Kazakhstan")
        pg.fill("input[name=b]", "Russia")
        pg.locator("form[data-busy] button[type=submit]").first.click()
        status = pg.locator("form[data-busy] .busy")
        status.locator("text=Waiting for a free worker").wait_for()
        assert status.get_attribute("role") == "status"
        assert status.locator("progress").get_attribute("value") == "0"
        (job,) = [j for j in app.state.jobs._jobs.values() if j.request.startswith("/keyness")]
        assert job.state == "queued"
        SHOTS.mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(SHOTS / "keyness-job-waiting.png"))
        status.locator("button.busy-cancel").click()
        status.locator("text=Cancelled.").wait_for()
        assert job.state == "cancelled" and pg.url == f"{url}/keyness"
        for k in (1, 2, 3):
            (tmp_path / f"step-{k}").touch()
        thread.join(30)
        # with the worker free, the answer replaces the page, at its own URL
        pg.locator("form[data-busy] button[type=submit]").first.click()
        pg.wait_for_url("**/keyness?a=Kazakhstan&b=Russia&min=5")  # the job's answer, its URL
        pg.locator("table.stats").first.wait_for()
        assert "kazakhstan" in pg.locator("table.stats").first.inner_text().lower()
        (done,) = [j for j in app.state.jobs._jobs.values() if j.state == "done"]
        assert done.request == "/keyness?a=Kazakhstan&b=Russia&min=5"
        assert problems == []
    finally:
        context.close()
