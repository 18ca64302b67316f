"""Many users at once, on both backends, over copies of the search archive: a request holding
its store connection, or the index follower holding the write lock, does not stop another
request; heavy analyses run in worker processes that are stopped at their deadline and refuse
work beyond their queue (503 with Retry-After); the word cache is built in the background,
never by a request, which says "preparing" until it is ready.

No timings here (they are in bench/serve_mixed.py): every check is an order of events."""

from __future__ import annotations

import os
import pickle
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from communique.analysis.corpus import Preparing, prepare_token_cache, token_cache
from communique.web import create_app
from communique.web.heavy import Busy, HeavyPool
from communique.web.service import ArchiveService, KwicParams, SearchParams

from .conftest import copy_archive, data_dir_of, open_archive

BLOOMBERG = "kremlin-en-52830"  # Putin to Bloomberg, 2016-09-05 (conftest.SEARCH_INPUTS)
# the search archive: 13 inputs, 12 documents (the two Carlson rows are one interview)
ARCHIVE_DOCUMENTS = 12


@pytest.fixture
def archive_copy(request: pytest.FixtureRequest, search_db: str, tmp_path: Path) -> str:
    return copy_archive(request, search_db, tmp_path)


@pytest.fixture
def service(archive_copy: str) -> Iterator[ArchiveService]:
    with open_archive(archive_copy) as a:
        a.store.paths.analysis.unlink(missing_ok=True)  # the server builds it (a test checks)
    svc = ArchiveService(archive_copy, data_dir=data_dir_of(archive_copy), heavy_workers=1)
    yield svc
    svc.close()


def in_thread(fn: Any) -> tuple[threading.Thread, list[Any]]:
    """``fn()`` in a thread of its own; its result (or exception) lands in the list."""
    out: list[Any] = []

    def run() -> None:
        try:
            out.append(fn())
        except BaseException as e:
            out.append(e)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


def wait_for(condition: Any, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen within {seconds:g} s"
        time.sleep(0.05)


def test_a_request_holding_its_connection_does_not_stop_others(service: ArchiveService) -> None:
    holding, release = threading.Event(), threading.Event()

    def long_read(archive: Any) -> int:
        n = archive.store.query("SELECT count(*) FROM turns").fetchone()[0]
        holding.set()
        release.wait(60)  # as a long analysis would, on its own connection
        return n

    thread, out = in_thread(lambda: service.run(long_read))
    try:
        assert holding.wait(60)
        stats = service.stats()  # answered while the other request still holds its connection
        hits = service.search(SearchParams(q="Bloomberg"), facets=False)
        doc = service.document(BLOOMBERG)
        assert thread.is_alive()
    finally:
        release.set()
        thread.join(60)
    assert stats["documents"] == ARCHIVE_DOCUMENTS and stats["turns"] == out[0] > 100
    assert {h.doc_id for h in hits.hits} == {BLOOMBERG}
    assert doc is not None and doc.date == "2016-09-05"


def test_the_write_lock_does_not_stop_reads(service: ArchiveService) -> None:
    """While an index sync or an upload holds the write lock, requests are still answered."""
    taken, release = threading.Event(), threading.Event()

    def hold() -> None:
        with service._lock:  # what the index follower and uploads take
            taken.set()
            release.wait(60)

    thread, _ = in_thread(hold)
    try:
        assert taken.wait(60)
        seed = SearchParams(q="Kazakhstan", date_from="2018", date_to="2018")
        total = service.search(seed, facets=True).total
        lines = service.kwic(KwicParams(seed))
        assert thread.is_alive()
    finally:
        release.set()
        thread.join(60)
    assert total == 11  # the seed's turns of 2018 that name Kazakhstan (test_web_analyse)
    assert len(lines) >= total and all("kazakhstan" in ln.keyword.lower() for ln in lines)


def test_heavy_work_past_its_deadline_is_stopped_and_its_worker_replaced(
    archive_copy: str,
) -> None:
    pool = HeavyPool(archive_copy, data_dir_of(archive_copy), workers=1, queue_size=0, deadline=3)
    try:
        first = pool.call(lambda a: (os.getpid(), a.store.stats()["documents"]), lambda f: f(None))
        # in a worker process, on the archive
        assert first[1] == ARCHIVE_DOCUMENTS and first[0] != os.getpid()

        with pytest.raises(Busy) as late:
            pool.call(lambda a: time.sleep(60), lambda f: f(None))
        assert "deadline of 3 s" in str(late.value) and late.value.retry_after >= 1
        wait_for(lambda: not Path(f"/proc/{first[0]}").exists(), "the late worker's end")

        again = pool.call(lambda a: (os.getpid(), a.store.stats()["documents"]), lambda f: f(None))
        assert again[1] == ARCHIVE_DOCUMENTS and again[0] != first[0]  # a fresh worker answers
    finally:
        pool.close()


def test_a_worker_that_died_while_idle_is_replaced(archive_copy: str) -> None:
    pool = HeavyPool(archive_copy, data_dir_of(archive_copy), workers=1, queue_size=0, deadline=60)
    try:
        pid = pool.call(lambda a: os.getpid(), lambda f: f(None))
        os.kill(pid, signal.SIGKILL)  # as the kernel's out-of-memory killer would
        wait_for(lambda: not Path(f"/proc/{pid}").exists() or "Z" in _state(pid), "its end")
        again = pool.call(lambda a: (os.getpid(), a.store.stats()["documents"]), lambda f: f(None))
        assert again[0] != pid and again[1] == ARCHIVE_DOCUMENTS
    finally:
        pool.close()


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def test_heavy_work_beyond_the_queue_is_refused_at_once(archive_copy: str) -> None:
    pool = HeavyPool(archive_copy, data_dir_of(archive_copy), workers=1, queue_size=0, deadline=60)
    try:
        release = (
            Path(archive_copy + ".release")
            if data_dir_of(archive_copy) is None
            else (
                data_dir_of(archive_copy) / "release"  # type: ignore[operator]
            )
        )

        def busy(_archive: Any) -> str:
            while not release.exists():  # the worker is busy until the test lets it go
                time.sleep(0.05)
            return "done"

        thread, out = in_thread(lambda: pool.call(busy, lambda f: f(None)))
        refused = None
        deadline = time.monotonic() + 60
        while refused is None and time.monotonic() < deadline:
            try:
                pool.call(lambda a: "quick", lambda f: f(None))
            except Busy as e:
                refused = e
        assert refused is not None and "busy (1 running, 0 waiting)" in str(refused)
        assert refused.retry_after >= 1
        assert thread.is_alive()
        release.touch()
        thread.join(60)
        assert out == ["done"]
        assert pool.call(lambda a: "quick", lambda f: f(None)) == "quick"
    finally:
        pool.close()


def test_the_api_answers_503_with_retry_after_when_the_workers_are_busy(
    archive_copy: str, tmp_path: Path
) -> None:
    app = create_app(
        archive_copy, data_dir=data_dir_of(archive_copy), heavy_workers=1, heavy_queue=0
    )
    release = tmp_path / "release"

    def busy(_archive: Any) -> str:
        while not release.exists():
            time.sleep(0.05)
        return "done"

    with TestClient(app) as client:
        svc: ArchiveService = app.state.service
        wait_for(lambda: client.get("/api/v1/stats").json()["derived"]["word_cache"]["ready"],
                 "the word cache")  # fmt: skip
        ok = client.get("/api/v1/collocations", params={"q": "Kazakhstan", "min": 1})
        assert ok.status_code == 200 and ok.json()["node"]
        thread, out = in_thread(lambda: svc.heavy(busy))
        try:
            deadline = time.monotonic() + 60
            while True:
                r = client.get("/api/v1/keyness", params={"a": "Kazakhstan", "b": ""})
                if r.status_code == 503 or time.monotonic() > deadline:
                    break
            assert r.status_code == 503
            assert r.json()["error"] == "busy" and "try again" in r.json()["message"]
            assert int(r.headers["retry-after"]) >= 1
            page = client.get("/collocations", params={"q": "Kazakhstan"})  # pages say so too
            assert page.status_code == 503 and "text/html" in page.headers["content-type"]
            assert "workers are busy (1 running, 0 waiting)" in page.text
            assert page.headers["retry-after"]
            stats = client.get("/api/v1/stats")  # plain reads go on meanwhile
            assert stats.status_code == 200 and stats.json()["documents"] == ARCHIVE_DOCUMENTS
            assert thread.is_alive()
        finally:
            release.touch()
            thread.join(60)
        assert out == ["done"]


def test_the_word_cache_is_built_in_the_background_and_says_how_far_it_is(
    archive_copy: str,
) -> None:
    with open_archive(archive_copy) as owner, open_archive(archive_copy) as handle:
        from communique.analysis.corpus import share_token_cache

        analysis = owner.store.paths.analysis
        analysis.unlink(missing_ok=True)  # derived: a copy may hold one built by another test
        share_token_cache(handle.index, owner.index)
        with pytest.raises(Preparing):  # nothing built yet: a request is told, not made to wait
            token_cache(handle.index)
        seen: list[tuple[int, int, int]] = []

        def progress(what: str, done: int, total: int) -> None:
            try:
                token_cache(handle.index)
            except Preparing as e:
                seen.append((done, total, e.percent))

        cache = prepare_token_cache(owner.index, progress)
        assert seen and all(p == int(100 * d / t) for d, t, p in seen)
        assert seen[-1][0] == seen[-1][1] == owner.store.stats()["turns"]
        assert token_cache(handle.index) is cache and cache.vocab["kazakhstan"] >= 0


def test_the_server_prepares_the_word_cache_without_a_request(service: ArchiveService) -> None:
    wait_for(lambda: service.preparing()["word_cache"]["ready"], "the word cache")
    assert service.archive.store.paths.analysis.exists()  # outside a request: the service's own
    res = service.heavy(lambda a: a.trend("Kazakhstan", by="year"))
    assert res.to_dict()["series"][0]["hits"][res.to_dict()["periods"].index("2018")] == 11


@pytest.mark.backends("postgresql")
def test_a_read_connection_the_database_closed_is_replaced(service: ArchiveService) -> None:
    import psycopg

    assert service.search(SearchParams(q="Bloomberg"), facets=False).total > 0
    url = str(service.db_path)
    with psycopg.connect(url, autocommit=True) as admin:  # as a database restart would
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND application_name NOT LIKE 'pg_%'"
        )
    with pytest.raises(psycopg.OperationalError):  # the request that finds it closed fails
        service.document(BLOOMBERG)
    doc = service.document(BLOOMBERG)  # the next one gets a new connection
    assert doc is not None and doc.date == "2016-09-05"


def _not_ready(archive: Any) -> None:
    raise Preparing(1, 4)


def test_errors_from_a_worker_keep_their_kind(service: ArchiveService) -> None:
    """A malformed query (a 400) and a cache not ready in a worker (a 503) raised in an
    analysis worker come back as themselves, not as a bare error (a 500): the first trend of a
    freshly started server answered 500 before."""
    from communique.search.ast import QueryError

    wait_for(lambda: service.preparing()["word_cache"]["ready"], "the word cache")
    with pytest.raises(QueryError) as bad:
        service.heavy(lambda a: a.search("Kazakhstan AND ("))
    assert bad.value.position > 0 and bad.value.query == "Kazakhstan AND ("
    with pytest.raises(Busy):  # the worker was not ready, the server is: "try again"
        service.heavy(_not_ready)
    again = pickle.loads(pickle.dumps(Preparing(1, 4)))
    assert isinstance(again, Preparing) and again.percent == 25


@pytest.mark.backends("sqlite")
def test_the_server_caps_malloc_arenas_unless_told_otherwise() -> None:
    """`communique serve` caps glibc's malloc arenas before its threads start (their memory
    otherwise lingers: bench/serve_mixed.py); an explicit $MALLOC_ARENA_MAX is left to rule."""
    import subprocess
    import sys

    code = "from communique.web.serving import limit_malloc_arenas; print(limit_malloc_arenas())"
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    capped = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert capped.stdout.strip() == "True", capped.stderr
    told = subprocess.run([sys.executable, "-c", code], env={**env, "MALLOC_ARENA_MAX": "4"},
                          capture_output=True, text=True)  # fmt: skip
    assert told.stdout.strip() == "False", told.stderr
