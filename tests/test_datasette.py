"""The archive in Datasette: a real ``datasette`` process on a copy of the search archive (an
ingest of real corpus pages) with ``communique fts`` and ``communique datasette-metadata``,
read through its JSON API; and migration 5 (foreign keys) on an archive made before it."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from communique.cli import app
from communique.enrich.labels import label_rows
from communique.store import open_store
from communique.store import sqlite as sqlite_store

from .conftest import SEED, copy_archive, free_port, ingest_into, rows_of

pytestmark = pytest.mark.backends("sqlite")  # Datasette reads SQLite files


def get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as r:
        return json.load(r)


@pytest.fixture(scope="module")
def datasette(request: pytest.FixtureRequest, search_db: str, tmp_path_factory):
    folder = tmp_path_factory.mktemp("datasette")
    db = copy_archive(request, search_db, folder)
    runner = CliRunner()
    assert runner.invoke(app, ["fts", "--db", db]).exit_code == 0
    meta = folder / "metadata.json"
    result = runner.invoke(app, ["datasette-metadata", "--db", db, "-o", str(meta)])
    assert result.exit_code == 0, result.output
    port = free_port()
    log = open(folder / "datasette.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "datasette", "serve", db, "--metadata", str(meta), "--port",
         str(port), "--host", "127.0.0.1"], stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}/{Path(db).stem}"
    deadline = time.monotonic() + 60
    while True:
        try:
            get(f"http://127.0.0.1:{port}/-/versions.json")
            break
        except OSError:
            assert proc.poll() is None and time.monotonic() < deadline, folder / "datasette.log"
            time.sleep(0.3)
    yield base, db
    proc.terminate()
    proc.wait(10)
    log.close()


def test_foreign_keys_link_turns_to_people_and_mentions_to_entities(datasette) -> None:
    base, db = datasette
    rows = get(f"{base}/turns.json?_shape=objects&_labels=on&person=sergey-lavrov&_size=5")
    assert rows["rows"] and all(
        r["person"] == {"value": "sergey-lavrov", "label": "Sergey Lavrov"} for r in rows["rows"]
    )
    assert isinstance(rows["rows"][0]["doc_id"], dict)  # -> documents, labelled by its title
    kz = get(f"{base}/mentions.json?_shape=objects&_labels=on&entity=country:KZ&_size=1")
    assert kz["rows"][0]["entity"] == {"value": "country:KZ", "label": "Kazakhstan"}
    # every link declared: turns.person, turns.(doc_id, answers), mentions.entity and turn
    fks = {
        (r["table"], r["from"])
        for r in rows_of(
            db,
            "SELECT m.name AS t, f.* FROM "
            "sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table'",
        )
    }
    assert {("people", "person"), ("turns", "answers"), ("entities", "entity"),
            ("turns", "n"), ("documents", "doc_id"), ("documents", "document")} <= fks  # fmt: skip
    for table in ("revisions", "changes", "paths", "ingest_log", "crawl_pages"):
        keys = rows_of(db, f"SELECT * FROM pragma_foreign_key_list('{table}')")
        assert [
            (k["from"], k["table"], k["on_delete"]) for k in keys if k["from"] == "document"
        ] == [("document", "documents", "SET NULL")], table
    (seed_id,) = [
        r["id"] for r in rows_of(db, "SELECT id FROM documents WHERE date = '2018-12-09'")
    ]  # the seed, Lavrov to Khabar
    seed = next(r for r in get(f"{base}/revisions.json?_shape=objects&_labels=on")["rows"]
                if r["doc_id"] == seed_id)  # fmt: skip
    assert seed["document"]["value"] == seed_id
    assert seed["document"]["label"].startswith("Foreign Minister Sergey Lavrov’s interview")


def test_a_facet(datasette) -> None:
    base, db = datasette
    got = get(f"{base}/turns.json?_facet=role&_size=0")
    counts = {f["value"]: f["count"] for f in got["facet_results"]["role"]["results"]}
    expected = {r["role"]: r["c"] for r in rows_of(db, "SELECT role, count(*) AS c FROM turns "
                                                   "GROUP BY role")}  # fmt: skip
    assert counts == expected and counts["answer"] > 9


def test_full_text_search(datasette) -> None:
    base, db = datasette
    got = get(f"{base}/turns.json?_search=Kazakhstan&_shape=objects&_size=max")
    found = {(r["doc_id"], r["n"]) for r in got["rows"]}
    word = re.compile(r"\bkazakhstan\b", re.I)
    expected = {
        (r["doc_id"], r["n"])
        for r in rows_of(db, "SELECT doc_id, n, speaker, text FROM turns")
        if word.search(r["text"]) or word.search(r["speaker"] or "")
    }
    assert found == expected and len(found) > 5
    # the FTS table follows the change log: a deleted document's turns leave it
    seed = {r["id"] for r in rows_of(db, "SELECT id FROM documents WHERE date = '2018-12-09'")}
    gone = sorted({d for d, _ in found} - seed)[0]  # the views test reads the seed
    store = open_store(db)
    try:
        assert store.delete(gone)
    finally:
        store.close()
    result = CliRunner().invoke(app, ["fts", "--db", db])
    assert result.exit_code == 0 and "1 documents" in result.output
    got = get(f"{base}/turns.json?_search=Kazakhstan&_shape=objects&_size=max")
    assert {(r["doc_id"], r["n"]) for r in got["rows"]} == {k for k in found if k[0] != gone}


def test_views_answer_common_questions(datasette) -> None:
    base, _ = datasette
    qa = get(
        f"{base}/questions_and_answers.json?_shape=objects&answered_by_person=sergey-lavrov"
        "&date=2018-12-09"
    )  # the seed: 9 questions, each answered by Lavrov
    assert len(qa["rows"]) == 9 and all(r["question"] and r["answer"] for r in qa["rows"])
    meta = get(f"{base}/turns_in_context.json?_shape=objects&_size=1")
    assert {"date", "title", "publisher", "kind", "lang", "person_name"} <= set(meta["rows"][0])


def old_archive(folder: Path) -> Path:
    """The seed's archive as the code before migration 5 wrote it: the schema of migrations
    1-4, holding the rows of an ingest (the columns that schema has; turn rowids kept)."""
    new = folder / "new.db"
    ingest_into(new, [SEED])
    old = folder / "old.db"
    con = sqlite3.connect(old, isolation_level=None)
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT)")
    for version, sql in enumerate(sqlite_store.MIGRATIONS[:4], start=1):
        con.executescript(sql)
        con.execute("INSERT INTO schema_migrations VALUES (?, '2026-01-01T00:00:00Z')", (version,))
    con.execute("ATTACH ? AS new", (str(new),))
    tables = [r[0] for r in con.execute("SELECT name FROM main.sqlite_master WHERE type = "
              "'table' AND name NOT IN ('schema_migrations', 'sqlite_sequence')")]  # fmt: skip
    for table in tables:
        cols = ", ".join(["rowid"] + [f'"{r[1]}"' for r in con.execute(
            f"PRAGMA main.table_info({table})")])  # fmt: skip
        con.execute(f"INSERT INTO main.{table} ({cols}) SELECT {cols} FROM new.{table}")
    con.close()
    return old


def test_migration_5_on_an_archive_made_before_it(tmp_path: Path) -> None:
    """An archive made before migration 5 (people only as ids in turns, no keys to them)
    gains the tables, keys and views, keeps its rows and turn rowids, and goes on working."""
    target = old_archive(tmp_path)
    con = sqlite3.connect(target)
    before = con.execute("SELECT rowid, doc_id, n, person FROM turns ORDER BY rowid").fetchall()
    mentions = con.execute("SELECT count(*) FROM mentions").fetchone()[0]
    assert not con.execute("SELECT 1 FROM sqlite_master WHERE name = 'people'").fetchone()
    con.close()
    store = open_store(target)
    try:
        assert store.schema_version() == len(sqlite_store.MIGRATIONS) >= 5
        rows = store.query("SELECT rowid, doc_id, n, person FROM turns ORDER BY rowid")
        assert [tuple(r) for r in rows] == before
        assert store.rows("SELECT count(*) AS c FROM mentions")[0]["c"] == mentions > 0
        people = store.rows("SELECT id, name, name_from FROM people ORDER BY id")
        # the seed's speakers: its interviewer, named in the title ("for Maya Bekbayeva's
        # project"), and "Sergey Lavrov"; before an enrich, names are labels
        assert people == [
            {"id": "journalist:maya-bekbayeva", "name": "Maya Bekbayeva", "name_from": "label"},
            {"id": "sergey-lavrov", "name": "Sergey Lavrov", "name_from": "label"},
        ]
        doc_id = before[0][1]
        doc = store.get(doc_id)
        # writes still work
        store.put_document(doc, store.raw_of(doc_id), "rehash", label_rows(doc))
        lavrov = store.rows("SELECT name_from FROM people WHERE id = 'sergey-lavrov'")
        assert lavrov[0]["name_from"] == "register"
        linked = store.rows("SELECT doc_id, document FROM changes ORDER BY seq")
        assert linked and all(r["document"] == r["doc_id"] == doc_id for r in linked)
        assert store.delete(doc_id)  # and deletes cascade through the new keys
        assert store.rows("SELECT count(*) AS c FROM mentions")[0]["c"] == 0
        # the history keeps the id; its link to the gone document is cleared
        for table in ("revisions", "changes", "paths", "ingest_log"):
            got = store.rows(f"SELECT doc_id, document FROM {table} WHERE doc_id = ?", (doc_id,))
            assert got and all(r["document"] is None for r in got), table
    finally:
        store.close()


def test_metadata_without_fts_says_where_search_lives(request, search_db: str, tmp_path) -> None:
    from communique.export.datasette import metadata

    db = copy_archive(request, search_db, tmp_path)
    store = open_store(db)
    try:
        meta = metadata(store, "archive")
    finally:
        store.close()
    turns = meta["databases"]["archive"]["tables"]["turns"]
    assert "fts_table" not in turns and "communique serve" in turns["description"]
    assert "communique serve" in meta["description"]
    assert meta["databases"]["archive"]["tables"]["raw_inputs"] == {"hidden": True}
    people = meta["databases"]["archive"]["tables"]["people"]
    assert people["label_column"] == "name" and people["license"] and people["source"]


def test_ingest_keeps_an_fts_copy_in_line(tmp_path: Path) -> None:
    """Once ``communique fts`` has made the copy, every ingest follows it like the search
    index: the seed's words are searchable in ``turns_fts`` without running ``fts`` again."""
    db = str(tmp_path / "a.db")
    kremlin = sorted((SEED.parents[1] / "corpus" / "kremlin_en" / "html").glob("*.html.gz"))[:3]
    runner = CliRunner()
    result = runner.invoke(app, ["ingest", *map(str, kremlin), "--db", db, "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(app, ["fts", "--db", db]).exit_code == 0
    result = runner.invoke(app, ["ingest", str(SEED), "--db", db, "--workers", "1"])
    assert result.exit_code == 0, result.output
    con = sqlite3.connect(db)
    try:
        # the seed: Lavrov on the Caspian Summit in Astana
        hits = con.execute(
            "SELECT doc_id FROM turns_fts WHERE turns_fts MATCH '\"Caspian Summit\"'"
        ).fetchall()
    finally:
        con.close()
    assert hits and all(d.startswith("midru-") for (d,) in hits)
