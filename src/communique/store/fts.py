"""An SQLite FTS5 table over the turns, for Datasette's search box (``communique fts``).

A derived copy, off by default: the search of the archive is the tantivy index
(``communique search``, ``communique serve``). ``turns_fts`` holds each turn's ``text`` and
``speaker`` under the turn's ``rowid``, with ``doc_id`` and ``n`` (unindexed);
``turns_fts_docs`` says which rows belong to which document. Like the other derived indexes it
follows the store's change log: each run applies the changes since the seq it last reached
(kept in the ``state`` table under ``fts_seq``), so re-running after an ingest is cheap. The
tokenizer is FTS5's ``unicode61`` (case and diacritics folded): English and Russian words, not
Chinese segmentation (for Chinese, use ``communique search``).
"""

from __future__ import annotations

from typing import Any

from communique.store.chunks import in_chunks, placeholders

FTS_TABLE = "turns_fts"
DOCS_TABLE = "turns_fts_docs"
STATE_KEY = "fts_seq"
BATCH = 200  # documents a transaction


def _sqlite(store: Any) -> Any:
    db = getattr(store, "db", None)
    if db is None:
        raise ValueError("the FTS5 table is for a SQLite archive (Datasette reads SQLite files)")
    return db


def exists(store: Any) -> bool:
    db = _sqlite(store)
    found = db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (FTS_TABLE,)).fetchone()
    return found is not None


def drop(store: Any) -> None:
    """Remove the table and its bookkeeping."""
    db = _sqlite(store)
    store.begin()
    try:
        db.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
        db.execute(f"DROP TABLE IF EXISTS {DOCS_TABLE}")
        db.execute("DELETE FROM state WHERE key = ?", (STATE_KEY,))
    except BaseException:
        store.rollback()
        raise
    store.commit()


def _index_docs(db: Any, doc_ids: list[str]) -> int:
    """(Re)index the turns of ``doc_ids`` (a document gone from the store loses its rows)."""
    marks = placeholders(len(doc_ids))
    old = [r[0] for r in db.execute(
        f"SELECT rowid FROM {DOCS_TABLE} WHERE doc_id IN ({marks})", doc_ids)]  # fmt: skip
    for old_marks, chunk in in_chunks(old, 500):
        db.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({old_marks})", chunk)
    db.execute(f"DELETE FROM {DOCS_TABLE} WHERE doc_id IN ({marks})", doc_ids)
    rows = db.execute(
        f"SELECT rowid, doc_id, n, speaker, text FROM turns WHERE doc_id IN ({marks})", doc_ids
    ).fetchall()
    db.executemany(
        f"INSERT INTO {FTS_TABLE} (rowid, doc_id, n, speaker, text) VALUES (?, ?, ?, ?, ?)",
        [tuple(r) for r in rows],
    )
    db.executemany(f"INSERT INTO {DOCS_TABLE} VALUES (?, ?)", [(r[0], r[1]) for r in rows])
    return len(rows)


def update(store: Any) -> dict[str, int]:
    """Create the table if need be (from every turn) or apply the change log since the last
    run; returns the documents and turns (re)indexed and the change seq reached."""
    db = _sqlite(store)
    created = not exists(store)
    last = store.last_change()
    if created:
        store.begin()
        try:
            db.execute(
                f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
                "doc_id UNINDEXED, n UNINDEXED, speaker, text, "
                "tokenize = 'unicode61 remove_diacritics 2')"
            )
            db.execute(f"CREATE TABLE {DOCS_TABLE} (rowid INTEGER PRIMARY KEY, doc_id TEXT)")
            db.execute(f"CREATE INDEX {DOCS_TABLE}_doc ON {DOCS_TABLE}(doc_id)")
        except BaseException:
            store.rollback()
            raise
        store.commit()
        since = 0
        todo = store.doc_ids()
    else:
        since = int(store.get_state(STATE_KEY) or 0)
        todo = list(dict.fromkeys(d for _, d, _ in store.changes_since(since)))
    turns = 0
    for i in range(0, len(todo), BATCH):
        store.begin()
        try:
            turns += _index_docs(db, todo[i : i + BATCH])
        except BaseException:
            store.rollback()
            raise
        store.commit()
    store.set_state(STATE_KEY, str(last))
    return {"documents": len(todo), "turns": turns, "seq": last, "created": int(created)}
