"""Migration 5 (people, entities, foreign keys, views) on an existing archive, and the FTS5 copy
of the turns (``communique fts``): one command, prints seconds and rates.

    python bench/links.py [--pages 1000] [--corpus ../shared/corpus]

Ingests the first N pages of kremlin_en/html into a fresh SQLite archive; copies its rows into
the schema of migrations 1-4 (an archive as the code before migration 5 wrote it) and times
opening that copy (the migration: turns and mentions rebuilt, keys, views); then times building
``turns_fts`` and bringing it up to date after a tenth of the documents are stored again.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from communique.enrich.labels import label_rows  # noqa: E402
from communique.ingest.pipeline import Ingester  # noqa: E402
from communique.store import fts  # noqa: E402
from communique.store.sqlite import MIGRATIONS, SQLiteStore  # noqa: E402


def pre_links_copy(new: Path, old: Path) -> None:
    """``new``'s rows in an archive of the schema of migrations 1-4 (turn rowids kept)."""
    con = sqlite3.connect(old, isolation_level=None)
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT)")
    for version, sql in enumerate(MIGRATIONS[:4], start=1):
        con.executescript(sql)
        con.execute("INSERT INTO schema_migrations VALUES (?, '2026-01-01T00:00:00Z')", (version,))
    con.execute("ATTACH ? AS new", (str(new),))
    tables = [r[0] for r in con.execute(
        "SELECT name FROM main.sqlite_master WHERE type = 'table' "
        "AND name NOT IN ('schema_migrations', 'sqlite_sequence')")]  # fmt: skip
    for table in tables:
        cols = ", ".join(["rowid"] + [f'"{r[1]}"' for r in con.execute(
            f"PRAGMA main.table_info({table})")])  # fmt: skip
        con.execute(f"INSERT INTO main.{table} ({cols}) SELECT {cols} FROM new.{table}")
    con.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    args = ap.parse_args()
    pages = sorted((args.corpus / "kremlin_en" / "html").glob("*.html.gz"))[: args.pages]
    with tempfile.TemporaryDirectory() as tmp:
        new, old = Path(tmp) / "new.db", Path(tmp) / "old.db"
        store = SQLiteStore(new)
        t = time.perf_counter()
        report = Ingester(store, workers=2).run(pages)
        ingest = time.perf_counter() - t
        docs = report.counts["new"]
        turns = store.rows("SELECT count(*) AS c FROM turns")[0]["c"]
        mentions = store.rows("SELECT count(*) AS c FROM mentions")[0]["c"]
        store.close()
        print(f"ingest (this code): {docs} documents, {turns} turns, {mentions} mentions in "
              f"{ingest:.1f} s ({docs / ingest:.0f} documents/s)")  # fmt: skip
        pre_links_copy(new, old)
        t = time.perf_counter()
        store = SQLiteStore(old)  # migrates
        migrate = time.perf_counter() - t
        print(
            f"migration 5 on the pre-5 copy: {migrate:.2f} s ({turns / migrate:,.0f} turns/s); "
            f"people {store.rows('SELECT count(*) AS c FROM people')[0]['c']}, "
            f"entities {store.rows('SELECT count(*) AS c FROM entities')[0]['c']}"
        )
        t = time.perf_counter()
        built = fts.update(store)
        build = time.perf_counter() - t
        print(f"fts build: {built['turns']} turns in {build:.2f} s ({built['turns'] / build:,.0f} "
              "turns/s)")  # fmt: skip
        ids = store.doc_ids()[::10]
        for doc_id in ids:
            doc = store.get(doc_id)
            assert doc is not None
            store.put_document(doc, store.raw_of(doc_id) or "", "bench", label_rows(doc))
        t = time.perf_counter()
        done = fts.update(store)
        print(f"fts update after {len(ids)} documents stored again: {done['turns']} turns in "
              f"{time.perf_counter() - t:.2f} s")  # fmt: skip
        store.close()


if __name__ == "__main__":
    main()
