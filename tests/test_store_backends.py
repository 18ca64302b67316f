"""The storage interface on both backends, SQLite files and a real PostgreSQL server: schema
migrations, documents with their revisions and change log, the crawl ledger, saved searches,
plain queries; on PostgreSQL, several processes ingesting into one database at once while a
follower reads the change log."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from communique.enrich.labels import label_rows
from communique.ingest.pipeline import Ingester
from communique.store import data_paths, open_store
from communique.store.chunks import in_chunks
from communique.store.postgres import pg_sql
from communique.store.sqlite import MIGRATIONS
from tests.conftest import CORPUS, ROOT, SEED, new_target
from tests.pgserver import free_port

PRESSCON = CORPUS / "fmprc_en_zh" / "en" / "regular_presscon"
LU_KANG = PRESSCON / "t1653646.html"  # Lu Kang's regular press conference, 2019-04-11
LU_KANG_TITLE = "Foreign Ministry Spokesperson Lu Kang's Regular Press Conference on April 11, 2019"
PAGES = sorted(PRESSCON.glob("t*.html"))[:36]  # press conferences: one document each
LISTS = [PRESSCON / "default_1.html", PRESSCON / "default_2.html"]  # index pages: skipped


@pytest.fixture
def target(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    """A new, empty archive on ``backend``."""
    return new_target(request, backend, tmp_path)


def ingest(target: str, inputs: list[Path]) -> None:
    store = open_store(target)
    try:
        assert Ingester(store, workers=1).run(inputs).ok
    finally:
        store.close()


def test_migrations_are_idempotent(target: str) -> None:
    first = open_store(target)
    first.close()
    store = open_store(target)  # opening again applies nothing twice
    try:
        versions = store.rows("SELECT version FROM schema_migrations ORDER BY version")
        assert [r["version"] for r in versions] == list(range(1, len(MIGRATIONS) + 1))
        assert store.schema_version() == len(MIGRATIONS) >= 5
        assert store.integrity_ok()
        assert store.stats()["documents"] == 0
    finally:
        store.close()


@pytest.mark.backends("postgresql")
def test_processes_starting_at_once_migrate_once(target: str) -> None:
    script = "import sys; from communique.store import open_store; open_store(sys.argv[1]).close()"
    procs = [subprocess.Popen([sys.executable, "-c", script, target], cwd=ROOT) for _ in range(3)]
    assert [p.wait(timeout=60) for p in procs] == [0, 0, 0]
    store = open_store(target)
    try:
        rows = store.rows("SELECT version, count(*) AS n FROM schema_migrations GROUP BY version")
        assert sorted((r["version"], r["n"]) for r in rows) == [
            (v, 1) for v in range(1, len(MIGRATIONS) + 1)]  # fmt: skip
    finally:
        store.close()


def test_documents_revisions_deletion_and_the_change_log(target: str) -> None:
    ingest(target, [LU_KANG, SEED])
    store = open_store(target)
    try:
        doc = store.get("fmprc-en-t1653646")
        assert doc is not None
        assert (doc.date, doc.title, doc.publisher) == ("2019-04-11", LU_KANG_TITLE, "fmprc.gov.cn")
        sha = hashlib.sha256(LU_KANG.read_bytes()).hexdigest()
        assert store.current(doc.id) is not None and store.current(doc.id)[0] == sha
        raw = store.get_raw(sha)
        assert raw is not None and raw.data == LU_KANG.read_bytes()  # verbatim bytes
        assert store.doc_for_raw(sha) == doc.id
        assert store.path_status(str(LU_KANG)) == (sha, "new", doc.id)
        # a second revision: the same document with a reworded turn, from other raw bytes
        store.put_raw("f" * 64, "file", b"edited", {}, "edited.html")
        doc.turns[0].text += " (edited)"
        doc.revision = "edited"
        store.begin()
        store.put_document(doc, "f" * 64, "other content", label_rows(doc))
        store.commit()
        got = store.get(doc.id)
        assert got is not None and got.turns[0].text.endswith(" (edited)")
        assert store.get(doc.id, "edited") is not None and store.get(doc.id, "nope") is None
        assert sorted(r["raw_sha256"] for r in store.revisions(doc.id)) == [sha, "f" * 64]
        assert store.delete(doc.id) and not store.delete(doc.id)
        assert store.get(doc.id) is None and store.path_status(str(LU_KANG))[1] == "deleted"
        ops = [(d, op) for _, d, op in store.changes_since(0) if d == doc.id]
        assert ops == [(doc.id, "insert"), (doc.id, "update"), (doc.id, "delete")]
        seqs = [seq for seq, _, _ in store.changes_since(0)]
        assert seqs == sorted(seqs) and store.last_change() == seqs[-1]
        assert [s for s, _, _ in store.changes_since(seqs[-2])] == [seqs[-1]]
        seed = store.path_status(str(SEED))
        assert seed is not None and store.doc_ids() == [seed[2]]  # only the seed is left
    finally:
        store.close()


def test_rows_take_question_marks_and_literal_percent_signs(target: str) -> None:
    ingest(target, [LU_KANG, SEED])
    store = open_store(target)
    try:
        rows = store.rows(
            "SELECT id, date, '100%' AS pct FROM documents WHERE publisher = ? AND date LIKE ?",
            ("fmprc.gov.cn", "2019-04%"),
        )
        assert rows == [{"id": "fmprc-en-t1653646", "date": "2019-04-11", "pct": "100%"}]
        assert store.rows("SELECT count(*) AS n FROM documents WHERE id = ?", ("x?",)) == [{"n": 0}]
        stats = store.stats()
        assert stats["documents"] == 2 and stats["by_publisher"]["fmprc.gov.cn"] == 1
        assert stats["raw_bytes"] >= LU_KANG.stat().st_size
    finally:
        store.close()


def test_in_chunks_reads_a_long_list_of_ids_a_chunk_at_a_time(target: str) -> None:
    ingest(target, [LU_KANG, SEED])
    store = open_store(target)
    try:
        ids = [f"absent-{i}" for i in range(1000)] + ["fmprc-en-t1653646"]
        ids += [f"absent-{i}" for i in range(1000, 2000)]  # 2,001 ids: more than one statement
        found, sizes = [], []
        for marks, chunk in in_chunks(ids):
            assert marks == ",".join("?" * len(chunk))
            sizes.append(len(chunk))
            found += [r["id"] for r in store.rows(f"SELECT id FROM documents WHERE id IN ({marks})",
                                                  chunk)]  # fmt: skip
        assert sizes == [900, 900, 201] and found == ["fmprc-en-t1653646"]
        assert [len(c) for _, c in in_chunks(ids, 1000)] == [1000, 1000, 1]
    finally:
        store.close()


def test_crawl_ledger_and_watches(target: str) -> None:
    store = open_store(target)
    try:
        url = "https://www.fmprc.gov.cn/mfa_eng/xwfw_665399/s2510_665401/2511_665403/t1653646.shtml"
        store.put_crawl_page({"url": url, "site": "fmprc", "state": "pending"})
        store.put_crawl_page({"url": url + "?x", "site": "fmprc", "state": "failed",
                              "failures": 2, "meta": {"reason": "HTTP 503"}})  # fmt: skip
        page = store.crawl_page(url)
        assert page is not None and (page["state"], page["failures"], page["meta"]) == (
            "pending", 0, {})  # fmt: skip
        store.put_crawl_page({**page, "state": "ok", "http_status": 200,
                              "doc_id": "fmprc-en-t1653646"})  # fmt: skip
        assert store.crawl_page(url)["state"] == "ok"
        assert store.crawl_page(url)["first_seen"] == page["first_seen"]
        assert [p["url"] for p in store.crawl_pages(site="fmprc")] == [url, url + "?x"]
        failed = store.crawl_pages(state="failed")
        assert [(p["failures"], p["meta"]) for p in failed] == [(2, {"reason": "HTTP 503"})]
        assert store.crawl_pages(site="kremlin") == [] and store.crawl_page("nope") is None
        store.put_watch("csto", 'CSTO "peacekeeping"', {"lang": ["ru"]})
        store.put_watch("csto", "CSTO", {"lang": ["en"]})  # replaced
        store.put_watch("aukus", "AUKUS", {})
        assert [(w["name"], w["query"], w["filters"]) for w in store.watches()] == [
            ("aukus", "AUKUS", {}), ("csto", "CSTO", {"lang": ["en"]})]  # fmt: skip
        assert store.delete_watch("aukus") and not store.delete_watch("aukus")
        assert [w["name"] for w in store.watches()] == ["csto"]
        store.set_state("k", "1")
        store.set_state("k", "2")
        assert store.get_state("k") == "2" and store.get_state("missing") is None
    finally:
        store.close()


INGEST = """
import sys
from pathlib import Path
from communique.ingest.pipeline import Ingester
from communique.store import open_store
store = open_store(sys.argv[1])
report = Ingester(store, workers=1, batch_size=4).run([Path(p) for p in sys.argv[2:]])
store.close()
sys.exit(0 if report.ok else 1)
"""


class Follower(threading.Thread):
    """Reads the change log as a search index replica does (``seq > last seen``) until told
    to stop, recording every entry it saw."""

    def __init__(self, target: str) -> None:
        super().__init__()
        self.target = target
        self.seen: list[int] = []
        self.done = threading.Event()

    def run(self) -> None:
        store = open_store(self.target)
        try:
            while True:
                stopping = self.done.is_set()
                last = self.seen[-1] if self.seen else 0
                self.seen += [seq for seq, _, _ in store.changes_since(last)]
                if stopping:
                    return
                self.done.wait(0.005)
        finally:
            store.close()


@pytest.mark.backends("postgresql")
def test_processes_ingesting_at_once_store_each_document_once(target: str) -> None:
    open_store(target).close()
    follower = Follower(target)
    follower.start()
    runs = [LISTS + PAGES[:24], PAGES[12:], PAGES[::-1]]  # overlapping, in different orders
    procs = [
        subprocess.Popen([sys.executable, "-c", INGEST, target, *map(str, paths)], cwd=ROOT)
        for paths in runs
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    follower.done.set()
    follower.join(timeout=30)
    store = open_store(target)
    try:
        expected = sorted(f"fmprc-en-{p.stem}" for p in PAGES)
        assert store.doc_ids() == expected  # none lost
        raw = store.rows("SELECT sha256 FROM raw_inputs ORDER BY sha256")
        assert [r["sha256"] for r in raw] == sorted(
            hashlib.sha256(p.read_bytes()).hexdigest() for p in PAGES
        )  # each input stored once
        inserts = store.rows("SELECT doc_id FROM changes WHERE op = 'insert' ORDER BY doc_id")
        assert [r["doc_id"] for r in inserts] == expected  # each document inserted once
        assert store.rows(
            "SELECT doc_id FROM revisions GROUP BY doc_id HAVING count(*) > 1"
        ) == []  # fmt: skip
        new = store.rows("SELECT path FROM ingest_log WHERE status = 'new' ORDER BY path")
        assert [r["path"] for r in new] == sorted(map(str, PAGES))  # new once, else unchanged
        paths = store.rows("SELECT path, status FROM paths WHERE status != 'skipped'")
        assert len(paths) == len(PAGES) and {r["status"] for r in paths} <= {"new", "unchanged"}
        assert store.rows("SELECT count(*) AS n FROM runs WHERE finished_at IS NOT NULL") == [
            {"n": 3}
        ]
        everything = [seq for seq, _, _ in store.changes_since(0)]
    finally:
        store.close()
    # the follower saw every change, in order: none became visible behind one it had read
    assert follower.seen == everything and len(everything) >= len(PAGES)


def test_derived_files_go_beside_a_file_or_in_a_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COMMUNIQUE_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    beside = data_paths(tmp_path / "a.db")
    assert (beside.index, beside.analysis, beside.uploads) == (
        tmp_path / "a.db.index", tmp_path / "a.db.analysis", tmp_path / "a.db.uploads")  # fmt: skip
    url = "postgresql://me@db.example.org:6543/archive"
    default = tmp_path / "share" / "communique" / "db.example.org_6543_archive"
    assert data_paths(url).index == default / "index"
    assert data_paths(url, tmp_path / "d").analysis == tmp_path / "d" / "analysis"
    monkeypatch.setenv("COMMUNIQUE_DATA_DIR", str(tmp_path / "env"))
    assert data_paths(url).uploads == tmp_path / "env" / "uploads"
    assert data_paths(tmp_path / "a.db").index == tmp_path / "a.db.index"  # files: beside


def test_postgres_dialect_translation() -> None:
    assert pg_sql("SELECT a FROM t WHERE b LIKE ? ESCAPE '\\' AND c = '?%'") == (
        "SELECT a FROM t WHERE b ILIKE %s ESCAPE '\\' AND c = '?%%'"
    )


def test_an_unreachable_server_says_what_to_check() -> None:
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/nowhere"
    with pytest.raises(ConnectionError, match="is the server running"):
        open_store(url)
