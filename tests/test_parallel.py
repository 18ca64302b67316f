"""Parallel ingest: a local process pool and a real Dask cluster on loopback give the archive a
one-process ingest gives, and the work really runs in several worker processes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from distributed import Client, LocalCluster

from communique.ingest.pipeline import Ingester, IngestReport
from communique.store import open_store

from .conftest import FMPRC, FMPRC_PAIR, KREMLIN_HTML, SEED, db_options, free_port, new_target

# 49 real inputs: Kremlin news pages (English HTML, gzipped), Chinese MFA press conferences in
# English and Chinese (one same-day pair among them, so version links are made), the seed, and
# two fmprc index pages (lists of links: skipped, not documents).
INPUTS: list[Path] = [
    SEED,
    *FMPRC_PAIR,
    *sorted(KREMLIN_HTML.glob("*.html.gz"))[:20],
    *sorted((FMPRC / "en" / "regular_presscon").glob("t*.html"))[:10],
    *sorted((FMPRC / "zh" / "regular_presscon").glob("*.html"))[:10],
    *sorted((FMPRC / "en" / "other").glob("*.html"))[:4],
    FMPRC / "en" / "regular_presscon" / "default.html",
    FMPRC / "en" / "regular_presscon" / "default_1.html",
]
DOCUMENTS = len(INPUTS) - 2


def pid_of(worker: str) -> int:
    """The pid in a ``host:pid`` worker id."""
    return int(worker.rsplit(":", 1)[1])


def snapshot(target: str) -> dict[str, Any]:
    """Everything an ingest decides, per document: the record, the stored raw input and content
    hash, the revisions seen and the turn count."""
    with closing(open_store(target)) as store:
        out: dict[str, Any] = {}
        for doc_id in store.doc_ids():
            doc = store.get(doc_id)
            assert doc is not None
            out[doc_id] = {
                "record": doc.to_dict(),
                "current": store.current(doc_id),
                "revisions": [(r["revision"], r["raw_sha256"]) for r in store.revisions(doc_id)],
                "turns": len(doc.turns),
            }
        return out


def ingest(target: str, **how: Any) -> IngestReport:
    with closing(open_store(target)) as store:
        report = Ingester(store, **how).run(INPUTS)
    assert report.ok, report.failures
    return report


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The archive of a one-process ingest of INPUTS (SQLite: the other backend must match)."""
    assert all(p.is_file() for p in INPUTS) and len(set(INPUTS)) == len(INPUTS) == 49
    target = str(tmp_path_factory.mktemp("reference") / "archive.db")
    report = ingest(target, workers=1)
    assert set(report.workers) and {pid_of(w) for w in report.workers} == {os.getpid()}
    snap = snapshot(target)
    assert len(snap) == report.counts["new"] == DOCUMENTS
    assert report.skip_reasons == {"index page: list of links": 2}
    return snap


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    """A Dask scheduler and two single-threaded worker processes on loopback."""
    with LocalCluster(
        n_workers=2,
        processes=True,
        threads_per_worker=1,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",  # its health/metrics routes: loopback, any port
        scheduler_kwargs={"dashboard": False},
    ) as c:
        yield c


def worker_pids(cluster: LocalCluster) -> set[int]:
    with Client(cluster.scheduler_address, set_as_default=False) as client:
        return set(client.run(os.getpid).values())


def test_dask_ingest_through_the_api_runs_on_the_cluster_workers(
    archive_target: str, cluster: LocalCluster, reference: dict[str, Any]
) -> None:
    report = ingest(archive_target, dask=cluster.scheduler_address)
    pids = {pid_of(w) for w in report.workers}
    assert len(pids) >= 2 and os.getpid() not in pids
    assert pids <= worker_pids(cluster)  # the cluster's own worker processes parsed them
    assert sum(report.workers.values()) == len(INPUTS)  # each input parsed exactly once
    assert snapshot(archive_target) == reference

    again = ingest(archive_target, dask=cluster.scheduler_address)
    assert again.counts["unchanged"] == DOCUMENTS and again.counts["skipped"] == 2
    assert again.counts["new"] == again.counts["updated"] == 0
    assert not again.workers  # nothing needed parsing
    assert snapshot(archive_target) == reference


def cli_ingest(target: str, *options: str, env: dict[str, str] | None = None) -> Any:
    cmd = [sys.executable, "-m", "communique.cli", "ingest", *map(str, INPUTS)]
    return subprocess.run(
        [*cmd, *db_options(target), "-q", *options],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
    )


def test_dask_ingest_through_the_cli(
    archive_target: str, cluster: LocalCluster, reference: dict[str, Any]
) -> None:
    run = cli_ingest(archive_target, "--dask", cluster.scheduler_address)
    assert run.returncode == 0, run.stderr
    assert f"{len(reference)} new, 0 updated, 0 unchanged" in run.stderr
    assert re.search(
        r"parsed on 2 worker processes \(the Dask cluster at tcp://127\.0\.0\.1:", run.stderr
    )
    assert snapshot(archive_target) == reference

    again = cli_ingest(archive_target, "--dask", cluster.scheduler_address)
    assert again.returncode == 0, again.stderr
    assert f"0 new, 0 updated, {len(reference)} unchanged" in again.stderr
    assert "Nothing changed" in again.stderr
    assert snapshot(archive_target) == reference


def test_a_local_pool_of_two_parses_in_two_processes(
    request: pytest.FixtureRequest,
    backend: str,
    tmp_path: Path,
    archive_target: str,
    reference: dict[str, Any],
) -> None:
    report = ingest(archive_target, workers=2)
    pids = {pid_of(w) for w in report.workers}
    assert len(pids) == 2 and os.getpid() not in pids
    assert sum(report.workers.values()) == len(INPUTS)
    assert snapshot(archive_target) == reference

    again = cli_ingest(archive_target, "--workers", "2")
    assert again.returncode == 0, again.stderr
    assert "parsed on" not in again.stderr  # all unchanged: nothing needed parsing
    assert f"0 new, 0 updated, {len(reference)} unchanged" in again.stderr

    (tmp_path / "cli").mkdir()
    other = new_target(request, backend, tmp_path / "cli")
    run = cli_ingest(other, "--workers", "2")
    assert run.returncode == 0, run.stderr
    assert "parsed on 2 worker processes (a local pool of 2 processes)" in run.stderr
    assert snapshot(other) == reference


def test_an_unreachable_scheduler_is_reported_and_nothing_is_written(
    archive_target: str,
) -> None:
    address = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    run = cli_ingest(
        archive_target, "--dask", address, env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"}
    )
    assert run.returncode == 2
    assert f"Cannot reach the Dask scheduler at {address}" in run.stderr
    assert "dask scheduler" in run.stderr and "Traceback" not in run.stderr
    if "://" not in archive_target:
        assert not Path(archive_target).exists()
    with closing(open_store(archive_target)) as store:
        assert store.doc_ids() == []

    bad = cli_ingest(archive_target, "--dask", "nonsense://x")
    assert bad.returncode == 2
    assert "is not a Dask scheduler address" in bad.stderr
