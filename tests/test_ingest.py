"""The ingest job end to end: skips, failures, re-ingest, updates, two routes, a real SIGKILL."""

from __future__ import annotations

import gzip
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from communique.cli import app
from communique.ingest.pipeline import Ingester
from communique.store import open_store

from .conftest import CORPUS, SEED, data_dir_of, db_options

runner = CliRunner()


def _ingest(db: str, *paths: Path):
    store = open_store(db)
    try:
        return Ingester(store, workers=1).run(list(paths))
    finally:
        store.close()


@pytest.fixture
def bad_inputs(tmp_path: Path) -> Path:
    """A folder of broken and non-document inputs beside one good page."""
    d = tmp_path / "inputs"
    d.mkdir()
    (d / "seed.txt").write_bytes(SEED.read_bytes())
    (d / "empty.txt").write_bytes(b"")
    (d / "garbage.html").write_bytes(bytes(range(256)) * 64)
    rng = random.Random(3)  # high bytes, no NUL: no encoding makes text of them
    (d / "undecodable.txt").write_bytes(bytes(rng.randrange(0x80, 0x100) for _ in range(3000)))
    whole = gzip.compress(SEED.read_bytes())
    (d / "truncated.html.gz").write_bytes(whole[: len(whole) // 2])
    index = CORPUS / "fmprc_en_zh" / "zh" / "index_page" / "default.html"
    (d / "list.html").write_bytes(index.read_bytes())
    (d / "no_text.csv").write_text("speaker,date,url\nLavrov,2019-01-01,https://mid.ru/x\n")
    (d / "SOURCE.md").write_text("# where this came from\n")
    return d


def test_bad_input_is_reported_and_the_batch_goes_on(
    bad_inputs: Path, tmp_path: Path, archive_target: str
) -> None:
    db = archive_target
    result = runner.invoke(app, ["ingest", str(bad_inputs), *db_options(db), "-q"])
    assert result.exit_code == 1, result.output  # something failed
    store = open_store(db)
    statuses = dict(store.query("SELECT path, status FROM paths").fetchall())
    by_name = {Path(p).name: s for p, s in statuses.items()}
    assert by_name["seed.txt"] == "new"
    assert by_name["garbage.html"] == "failed"
    assert by_name["truncated.html.gz"] == "failed"
    assert by_name["undecodable.txt"] == "failed"
    assert by_name["empty.txt"] == "skipped"
    assert by_name["list.html"] == "skipped"
    assert by_name["no_text.csv"] == "skipped"
    assert by_name["SOURCE.md"] == "skipped"
    reasons = dict(store.query("SELECT path, reason FROM paths").fetchall())
    reasons = {Path(p).name: r for p, r in reasons.items()}
    assert "index page" in reasons["list.html"]
    assert "text column" in reasons["no_text.csv"]
    assert "gzip" in reasons["truncated.html.gz"]
    errors = {Path(e["path"]).name for e in store.errors()}
    assert errors == {"garbage.html", "truncated.html.gz", "undecodable.txt"}
    assert store.stats()["documents"] == 1
    assert store.integrity_ok()


def test_reingest_changes_nothing_and_a_changed_page_keeps_its_old_version(
    tmp_path: Path, archive_target: str
) -> None:
    db = archive_target
    page = tmp_path / "page.txt"
    page.write_bytes(SEED.read_bytes())
    first = _ingest(db, page)
    assert first.counts["new"] == 1
    again = _ingest(db, page)
    assert (again.counts["new"], again.counts["updated"], again.counts["unchanged"]) == (0, 0, 1)

    edited = SEED.read_text(encoding="utf-8").replace(
        "It is his private agenda.", "It is his own private agenda."
    )
    page.write_text(edited, encoding="utf-8")
    third = _ingest(db, page)
    assert third.counts["updated"] == 1
    store = open_store(db)
    (doc_id,) = store.doc_ids()
    doc = store.get(doc_id)
    assert doc is not None and "his own private agenda" in doc.turns[17].text
    revisions = store.revisions(doc_id)
    assert len(revisions) == 2
    for rev in revisions:  # every earlier raw version is still there, verbatim
        assert store.get_raw(rev["raw_sha256"]) is not None
    old = store.get_raw(revisions[0]["raw_sha256"])
    assert old is not None and old.data == SEED.read_bytes()


def test_same_document_by_two_routes_is_one_document_with_two_origins(
    tmp_path: Path, archive_target: str
) -> None:
    db = archive_target
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "one.txt").write_bytes(SEED.read_bytes())
    (b / "two.txt.gz").write_bytes(gzip.compress(SEED.read_bytes()))
    report = _ingest(db, a, b)
    assert report.counts["new"] == 1 and report.counts["unchanged"] == 1
    store = open_store(db)
    (doc_id,) = store.doc_ids()
    doc = store.get(doc_id)
    assert doc is not None
    assert [Path(o.path).name for o in doc.origin] == ["one.txt", "two.txt.gz"]


def test_two_csvs_with_the_same_transcript_give_one_document(
    tmp_path: Path, archive_target: str
) -> None:
    db = archive_target
    folder = CORPUS / "official_transcripts"
    _ingest(db, folder / "lavrov_all_raw.csv", folder / "lavrov_ukraine_combined.csv")
    store = open_store(db)
    doc = store.get("midru-ru-1867466")
    assert doc is not None
    files = sorted(Path(o.path.split("#")[0]).name for o in doc.origin)
    assert files == ["lavrov_all_raw.csv", "lavrov_ukraine_combined.csv"]
    assert doc.url is not None and "web.archive.org" not in doc.url


def test_export_is_one_record_a_line(tmp_path: Path, archive_target: str) -> None:
    db = archive_target
    _ingest(db, SEED)
    result = runner.invoke(app, ["export", "--format", "jsonl", *db_options(db)])
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["schema_version"] == 6 and len(record["turns"]) == 18
    # The seed's "Question:" / "Sergey Lavrov:" labels say each role, except where a question
    # asks nothing in its words: "As a diplomat, you surely know and admit that ..." (7) and
    # "Vladimir Solovyov does." (17) are questions by what they do, and so are Lavrov's
    # replies to them answers: those four roles are inferred
    assert [t["n"] for t in record["turns"] if t["role_inferred"]] == [7, 8, 17, 18]
    # of those, only the three-word "Vladimir Solovyov does." reads two ways (a question or a
    # remark): the export says why (docs/record.md "Uncertain roles")
    doubts = {t["n"]: t["role_uncertain"] for t in record["turns"] if t["role_uncertain"]}
    assert doubts == {17: "short_exchange"}


def committed_documents(db: str) -> int | None:
    """Documents committed so far, read beside a running ingest (None: no table yet)."""
    if data_dir_of(db) is None:  # SQLite: a read-only connection, never the writer's lock
        if not Path(db).exists():
            return None
        try:
            con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
            try:
                return con.execute("SELECT count(*) FROM documents").fetchone()[0]
            finally:
                con.close()
        except sqlite3.OperationalError:
            return None
    import psycopg

    try:
        with psycopg.connect(db) as con:
            return con.execute("SELECT count(*) FROM documents").fetchone()[0]
    except psycopg.errors.UndefinedTable:
        return None


def test_sigkill_mid_batch_leaves_a_consistent_archive(archive_target: str) -> None:
    db = archive_target
    folder = CORPUS / "fmprc_en_zh" / "en"
    cmd = [sys.executable, "-m", "communique.cli", "ingest", str(folder), *db_options(db),
           "-q", "--workers", "1"]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    committed = 0
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
        committed = committed_documents(db) or 0
        if committed >= 64:
            break
    assert proc.poll() is None, "the ingest finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert committed >= 64

    store = open_store(db)
    try:
        assert store.integrity_ok()
        docs = store.query("SELECT count(*) FROM documents").fetchone()[0]
        stored = store.query("SELECT count(*) FROM paths WHERE status = 'new'").fetchone()[0]
        assert docs == stored >= committed  # nothing half-written: every stored path has its doc
        turns = dict(store.query("SELECT doc_id, count(*) FROM turns GROUP BY doc_id").fetchall())
        for doc_id in store.doc_ids():
            doc = store.get(doc_id)
            assert doc is not None and len(doc.turns) == turns.get(doc_id, 0)
    finally:
        store.close()

    # the next run completes the job without redoing what was committed
    report = _ingest(db, folder)
    assert report.counts["failed"] == 0
    assert report.counts["unchanged"] >= docs
    n_files = sum(1 for p in folder.rglob("*") if p.is_file())
    store = open_store(db)
    total = store.query("SELECT count(*) FROM paths").fetchone()[0]
    store.close()
    assert total == n_files


def test_a_web_archive_capture_and_the_publishers_url_are_one_document(
    tmp_path: Path, archive_target: str
) -> None:
    """The same mid.ru row twice: once with its URL, once wrapped by web.archive.org."""
    import csv

    folder = CORPUS / "official_transcripts"
    with (folder / "lavrov_ukraine_combined.csv").open(encoding="utf-8", newline="") as fh:
        row = next(r for r in csv.DictReader(fh) if r["url"].endswith("/1799937/"))
    wrapped = dict(row, url="https://web.archive.org/web/20220301000000/" + row["url"])
    for name, r in (("direct.csv", row), ("archived.csv", wrapped)):
        with (tmp_path / name).open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(row))
            writer.writeheader()
            writer.writerow(r)
    db = archive_target
    report = _ingest(db, tmp_path / "direct.csv", tmp_path / "archived.csv")
    assert (report.counts["new"], report.counts["unchanged"], report.merged) == (1, 1, 1)
    doc = open_store(db).get("midru-ru-1799937")
    assert doc is not None
    assert [o.url for o in doc.origin] == [row["url"], wrapped["url"]]
    assert doc.url == "https://mid.ru/ru/foreign_policy/news/1799937"
