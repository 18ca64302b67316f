"""The embedded archive: one SQLite file, the source of truth.

Holds every raw input verbatim, each document's record (JSON) with its turns in a table of their
own, every revision seen, the ingest log, and a change log (``changes``) from which a search
index can follow the store. Writes happen in batches inside transactions (WAL mode), so a
process killed mid-batch leaves the archive as it was after the last committed batch.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from communique.model import Document
from communique.store.base import DocFilter, StoredRaw

MIGRATIONS: list[str] = [
    # 1: the initial schema
    """
    CREATE TABLE raw_inputs (
        sha256 TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        data BLOB NOT NULL,
        meta TEXT NOT NULL,
        first_path TEXT NOT NULL,
        size INTEGER NOT NULL,
        first_seen TEXT NOT NULL
    );
    CREATE TABLE documents (
        id TEXT PRIMARY KEY,
        revision TEXT NOT NULL,
        raw_sha256 TEXT NOT NULL REFERENCES raw_inputs(sha256),
        content_hash TEXT NOT NULL,
        publisher TEXT, lang TEXT, kind TEXT, date TEXT, title TEXT,
        parser_version TEXT NOT NULL,
        record TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX documents_publisher ON documents(publisher, date);
    CREATE INDEX documents_kind ON documents(kind, date);
    CREATE INDEX documents_date ON documents(date);
    CREATE TABLE origins (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        path TEXT NOT NULL,
        url TEXT,
        sha256 TEXT NOT NULL REFERENCES raw_inputs(sha256),
        PRIMARY KEY (doc_id, path, sha256)
    );
    CREATE INDEX origins_sha ON origins(sha256);
    CREATE TABLE revisions (
        doc_id TEXT NOT NULL,
        revision TEXT NOT NULL,
        raw_sha256 TEXT NOT NULL REFERENCES raw_inputs(sha256),
        seen_at TEXT NOT NULL,
        PRIMARY KEY (doc_id, raw_sha256)
    );
    CREATE TABLE turns (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        n INTEGER NOT NULL,
        label TEXT, speaker TEXT, affiliation TEXT,
        role TEXT NOT NULL,
        interpreted INTEGER NOT NULL,
        answers INTEGER,
        text TEXT NOT NULL,
        PRIMARY KEY (doc_id, n)
    );
    CREATE INDEX turns_speaker ON turns(speaker);
    CREATE TABLE paths (
        path TEXT PRIMARY KEY,
        sha256 TEXT NOT NULL,
        status TEXT NOT NULL,
        reason TEXT,
        doc_id TEXT,
        seen_at TEXT NOT NULL
    );
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        inputs TEXT NOT NULL,
        counts TEXT
    );
    CREATE TABLE ingest_log (
        run_id INTEGER NOT NULL,
        path TEXT NOT NULL,
        status TEXT NOT NULL,
        reason TEXT,
        doc_id TEXT,
        at TEXT NOT NULL
    );
    CREATE INDEX ingest_log_status ON ingest_log(status, run_id);
    CREATE TABLE changes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        doc_id TEXT NOT NULL,
        op TEXT NOT NULL,
        at TEXT NOT NULL
    );
    """,
    # 2: enrichment: people, entity mentions, links between language versions, acronyms
    """
    ALTER TABLE turns ADD COLUMN person TEXT;
    CREATE INDEX turns_person ON turns(person);
    CREATE TABLE mentions (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        n INTEGER NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        entity TEXT NOT NULL
    );
    CREATE INDEX mentions_entity ON mentions(entity, doc_id);
    CREATE INDEX mentions_turn ON mentions(doc_id, n);
    CREATE TABLE version_links (
        a TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        b TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        method TEXT NOT NULL,
        score REAL NOT NULL,
        PRIMARY KEY (a, b)
    );
    CREATE INDEX version_links_b ON version_links(b);
    CREATE TABLE acronyms (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        short TEXT NOT NULL,
        long TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (doc_id, short, long)
    );
    """,
    # 3: small named values: how far derived work (cross-document enrichment) has got
    """
    CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # 4: following the sources: the crawl ledger (one row per page URL) and saved searches
    """
    CREATE TABLE crawl_pages (
        url TEXT PRIMARY KEY,
        site TEXT NOT NULL,
        state TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        last_tried TEXT,
        last_ok TEXT,
        http_status INTEGER,
        etag TEXT,
        last_modified TEXT,
        sha256 TEXT,
        doc_id TEXT,
        failures INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        next_try TEXT,
        gone_since TEXT,
        meta TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX crawl_pages_site ON crawl_pages(site, state);
    CREATE INDEX crawl_pages_doc ON crawl_pages(doc_id);
    CREATE TABLE watches (
        name TEXT PRIMARY KEY,
        query TEXT NOT NULL,
        filters TEXT NOT NULL,
        created TEXT NOT NULL
    );
    """,
]

CRAWL_PAGE_COLUMNS = (
    "url", "site", "state", "first_seen", "last_tried", "last_ok", "http_status", "etag",
    "last_modified", "sha256", "doc_id", "failures", "error", "next_try", "gone_since", "meta",
)  # fmt: skip


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class SQLiteStore:
    """The embedded store. One writer at a time; readers can share the file."""

    def __init__(self, path: str | Path, *, check_same_thread: bool = True) -> None:
        """Open (creating and migrating) the archive at ``path``.

        ``check_same_thread=False`` lets a server use the connection from several threads; it
        must then serialise the calls itself (``web.service.ArchiveService`` holds a lock).
        """
        self.path = str(path)
        self.db = sqlite3.connect(
            self.path, isolation_level=None, timeout=30, check_same_thread=check_same_thread
        )
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    # -- schema ---------------------------------------------------------------------------------
    def _migrate(self) -> None:
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(version INTEGER PRIMARY KEY, applied_at TEXT)"
        )
        done = {r[0] for r in self.db.execute("SELECT version FROM schema_migrations")}
        for version, sql in enumerate(MIGRATIONS, start=1):
            if version in done:
                continue
            self.db.execute("BEGIN IMMEDIATE")
            try:
                for statement in sql.split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute("INSERT INTO schema_migrations VALUES (?, ?)", (version, now()))
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    def schema_version(self) -> int:
        return self.db.execute("SELECT max(version) FROM schema_migrations").fetchone()[0]

    def close(self) -> None:
        self.db.close()

    # -- transactions ---------------------------------------------------------------------------
    def begin(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        self.db.execute("COMMIT")

    def rollback(self) -> None:
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")

    # -- plain queries --------------------------------------------------------------------------
    def rows(self, sql: str, args: tuple[Any, ...] | list[Any] = ()) -> list[dict[str, Any]]:
        """Rows of a read query written in the SQL both backends share, ``?`` placeholders.

        For modules outside ``store/`` that need a query of their own (checks, reports): keep to
        standard SQL (no ``PRAGMA``, no SQLite-only functions) so it runs on every backend.
        """
        return [dict(r) for r in self.db.execute(sql, args)]

    # -- runs and the log -----------------------------------------------------------------------
    def start_run(self, inputs: list[str]) -> int:
        cur = self.db.execute(
            "INSERT INTO runs (started_at, inputs) VALUES (?, ?)", (now(), json.dumps(inputs))
        )
        return int(cur.lastrowid or 0)

    def finish_run(self, run_id: int, counts: dict[str, int]) -> None:
        self.db.execute(
            "UPDATE runs SET finished_at = ?, counts = ? WHERE id = ?",
            (now(), json.dumps(counts), run_id),
        )

    def log(
        self, run_id: int, path: str, status: str, reason: str | None, doc_id: str | None
    ) -> None:
        self.db.execute(
            "INSERT INTO ingest_log VALUES (?, ?, ?, ?, ?, ?)",
            (run_id, path, status, reason, doc_id, now()),
        )

    def set_path(
        self, path: str, sha256: str, status: str, reason: str | None, doc_id: str | None
    ) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO paths VALUES (?, ?, ?, ?, ?, ?)",
            (path, sha256, status, reason, doc_id, now()),
        )

    def path_status(self, path: str) -> tuple[str, str, str | None] | None:
        row = self.db.execute(
            "SELECT sha256, status, doc_id FROM paths WHERE path = ?", (path,)
        ).fetchone()
        return (row[0], row[1], row[2]) if row else None

    def errors(self, limit: int = 100) -> list[dict[str, Any]]:
        """Failures of the latest ingest of each path that still fails."""
        rows = self.db.execute(
            "SELECT p.path, p.reason, p.seen_at FROM paths p WHERE p.status = 'failed' "
            "ORDER BY p.seen_at DESC, p.path LIMIT ?",
            (limit,),
        )
        return [dict(r) for r in rows]

    # -- raw inputs -----------------------------------------------------------------------------
    def put_raw(self, sha256: str, kind: str, data: bytes, meta: dict[str, Any], path: str) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO raw_inputs VALUES (?, ?, ?, ?, ?, ?, ?)",
            (sha256, kind, data, json.dumps(meta, ensure_ascii=False), path, len(data), now()),
        )

    def get_raw(self, sha256: str) -> StoredRaw | None:
        row = self.db.execute("SELECT * FROM raw_inputs WHERE sha256 = ?", (sha256,)).fetchone()
        if row is None:
            return None
        return StoredRaw(
            row["sha256"], row["kind"], row["data"], json.loads(row["meta"]), row["first_path"]
        )

    def doc_for_raw(self, sha256: str) -> str | None:
        row = self.db.execute(
            "SELECT doc_id FROM origins WHERE sha256 = ? LIMIT 1", (sha256,)
        ).fetchone()
        return row[0] if row else None

    # -- documents ------------------------------------------------------------------------------
    def current(self, doc_id: str) -> tuple[str, str] | None:
        """(raw sha256, content hash) of the stored document, if any."""
        row = self.db.execute(
            "SELECT raw_sha256, content_hash FROM documents WHERE id = ?", (doc_id,)
        ).fetchone()
        return (row[0], row[1]) if row else None

    def put_document(self, doc: Document, raw_sha256: str, content_hash: str) -> None:
        """Insert or replace a document with its turns, origins and a revision entry."""
        record = json.dumps(doc.to_dict(), ensure_ascii=False)
        existed = self.current(doc.id) is not None
        # an upsert, not INSERT OR REPLACE: a replace deletes the row first, and the cascade
        # would take the document's version links and acronyms with it
        self.db.execute(
            "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET revision = excluded.revision, "
            "raw_sha256 = excluded.raw_sha256, content_hash = excluded.content_hash, "
            "publisher = excluded.publisher, lang = excluded.lang, kind = excluded.kind, "
            "date = excluded.date, title = excluded.title, "
            "parser_version = excluded.parser_version, record = excluded.record, "
            "updated_at = excluded.updated_at",
            (
                doc.id, doc.revision, raw_sha256, content_hash, doc.publisher, doc.lang, doc.kind,
                doc.date, doc.title, doc.parser_version, record, now(),
            ),
        )  # fmt: skip
        self.db.execute("DELETE FROM turns WHERE doc_id = ?", (doc.id,))
        self.db.executemany(
            "INSERT INTO turns (doc_id, n, label, speaker, affiliation, role, interpreted, "
            "answers, text, person) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (doc.id, t.n, t.label, t.speaker, t.affiliation, t.role, int(t.interpreted),
                 t.answers, t.text, t.person)
                for t in doc.turns
            ],
        )  # fmt: skip
        self.db.execute("DELETE FROM mentions WHERE doc_id = ?", (doc.id,))
        self.db.executemany(
            "INSERT INTO mentions VALUES (?, ?, ?, ?, ?)",
            [(doc.id, t.n, m.start, m.end, m.entity) for t in doc.turns for m in t.mentions],
        )
        self.db.execute("DELETE FROM origins WHERE doc_id = ?", (doc.id,))
        self.db.executemany(
            "INSERT OR IGNORE INTO origins VALUES (?, ?, ?, ?, ?)",
            [(doc.id, i, o.path, o.url, o.sha256) for i, o in enumerate(doc.origin)],
        )
        self.db.execute(
            "INSERT OR IGNORE INTO revisions VALUES (?, ?, ?, ?)",
            (doc.id, doc.revision, raw_sha256, now()),
        )
        self.db.execute(
            "INSERT INTO changes (doc_id, op, at) VALUES (?, ?, ?)",
            (doc.id, "update" if existed else "insert", now()),
        )

    def get(self, doc_id: str, revision: str | None = None) -> Document | None:
        row = self.db.execute("SELECT record FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            return None
        doc = Document.from_dict(json.loads(row[0]))
        if revision is None or revision == doc.revision:
            return doc
        return None

    def revisions(self, doc_id: str) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT revision, raw_sha256, seen_at FROM revisions WHERE doc_id = ? ORDER BY seen_at",
            (doc_id,),
        )
        return [dict(r) for r in rows]

    def documents(self, flt: DocFilter | None = None) -> Iterator[Document]:
        sql, args = self._filter_sql(flt or DocFilter())
        for row in self.db.execute(f"SELECT record FROM documents {sql}", args):
            yield Document.from_dict(json.loads(row[0]))

    def summaries(self, flt: DocFilter | None = None) -> list[dict[str, Any]]:
        sql, args = self._filter_sql(flt or DocFilter())
        rows = self.db.execute(
            "SELECT id, date, publisher, kind, lang, title, "
            "(SELECT count(*) FROM turns t WHERE t.doc_id = documents.id) AS turns "
            f"FROM documents {sql}",
            args,
        )
        return [dict(r) for r in rows]

    @staticmethod
    def _filter_sql(flt: DocFilter) -> tuple[str, list[Any]]:
        where, args = [], []
        for column, value in (("publisher", flt.publisher), ("kind", flt.kind), ("lang", flt.lang)):
            if value:
                where.append(f"{column} = ?")
                args.append(value)
        if flt.date_from:
            where.append("date >= ?")
            args.append(flt.date_from)
        if flt.date_to:
            where.append("date <= ?")
            args.append(flt.date_to)
        sql = ("WHERE " + " AND ".join(where)) if where else ""
        sql += " ORDER BY date IS NULL, date, id"
        if flt.limit:
            sql += f" LIMIT {int(flt.limit)}"
        return sql, args

    def doc_ids(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT id FROM documents ORDER BY id")]

    def raw_of(self, doc_id: str) -> str | None:
        row = self.db.execute("SELECT raw_sha256 FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return row[0] if row else None

    def delete(self, doc_id: str) -> bool:
        """Remove a document (its raw inputs stay, so it can be re-ingested or reparsed)."""
        self.begin()
        try:
            cur = self.db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
            if cur.rowcount:
                self.db.execute("UPDATE paths SET status = 'deleted' WHERE doc_id = ?", (doc_id,))
                self.db.execute(
                    "INSERT INTO changes (doc_id, op, at) VALUES (?, 'delete', ?)", (doc_id, now())
                )
            self.commit()
        except BaseException:
            self.rollback()
            raise
        return bool(cur.rowcount)

    # -- enrichment across documents ------------------------------------------------------------
    def delete_version_links(self, doc_ids: list[str]) -> None:
        """Forget every version link touching ``doc_ids`` (before they are linked again)."""
        for i in range(0, len(doc_ids), 500):
            chunk = doc_ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            self.db.execute(
                f"DELETE FROM version_links WHERE a IN ({marks}) OR b IN ({marks})", chunk + chunk
            )

    def add_version_links(self, links: list[tuple[str, str, str, float]]) -> None:
        """Links (a, b, method, score) between documents that are versions of one another."""
        self.db.executemany("INSERT OR REPLACE INTO version_links VALUES (?, ?, ?, ?)", links)

    def version_links(self, doc_id: str) -> list[dict[str, Any]]:
        """The documents linked to ``doc_id`` as its language versions, with their language."""
        rows = self.db.execute(
            "SELECT d.id, d.lang, l.method, l.score FROM version_links l "
            "JOIN documents d ON d.id = CASE WHEN l.a = ? THEN l.b ELSE l.a END "
            "WHERE l.a = ? OR l.b = ? ORDER BY d.lang, d.id",
            (doc_id, doc_id, doc_id),
        )
        return [dict(r) for r in rows]

    def set_acronyms(self, doc_id: str, counts: dict[tuple[str, str], int]) -> None:
        """The acronym definitions (short form, long form) -> times seen in one document."""
        self.db.execute("DELETE FROM acronyms WHERE doc_id = ?", (doc_id,))
        self.db.executemany(
            "INSERT INTO acronyms VALUES (?, ?, ?, ?)",
            [(doc_id, short, long, n) for (short, long), n in counts.items()],
        )

    def acronym_table(self) -> dict[str, dict[str, int]]:
        """``{short form: {long form: count}}`` as learned from the archive."""
        table: dict[str, dict[str, int]] = {}
        rows = self.db.execute("SELECT short, long, sum(count) FROM acronyms GROUP BY 1, 2")
        for short, long, count in rows:
            table.setdefault(short, {})[long] = count
        return table

    def get_state(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_state(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO state VALUES (?, ?)", (key, value))

    def last_change(self) -> int:
        """The seq of the latest entry of the change log (0 when empty)."""
        return self.db.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]

    def changes_since(self, seq: int) -> Iterator[tuple[int, str, str]]:
        yield from self.db.execute(
            "SELECT seq, doc_id, op FROM changes WHERE seq > ? ORDER BY seq", (seq,)
        )

    # -- the crawl ledger -----------------------------------------------------------------------
    def crawl_page(self, url: str) -> dict[str, Any] | None:
        """The ledger row of one page URL (``meta`` decoded), if the crawler has seen it."""
        row = self.db.execute("SELECT * FROM crawl_pages WHERE url = ?", (url,)).fetchone()
        return _crawl_row(row) if row else None

    def put_crawl_page(self, page: dict[str, Any]) -> None:
        """Insert or replace a ledger row; missing columns take their defaults.

        States: ``pending`` (listed, not fetched yet), ``ok``, ``failed`` (retried from
        ``next_try``), ``gone`` (404/410 or no longer listed, since ``gone_since``).
        """
        row = {c: page.get(c) for c in CRAWL_PAGE_COLUMNS}
        row["first_seen"] = row["first_seen"] or now()
        row["failures"] = row["failures"] or 0
        row["meta"] = json.dumps(row["meta"] or {}, ensure_ascii=False)
        marks = ", ".join("?" * len(CRAWL_PAGE_COLUMNS))
        updates = ", ".join(f"{c} = excluded.{c}" for c in CRAWL_PAGE_COLUMNS[1:])
        self.db.execute(
            f"INSERT INTO crawl_pages ({', '.join(CRAWL_PAGE_COLUMNS)}) VALUES ({marks}) "
            f"ON CONFLICT (url) DO UPDATE SET {updates}",
            [row[c] for c in CRAWL_PAGE_COLUMNS],
        )

    def crawl_pages(
        self, site: str | None = None, state: str | None = None
    ) -> list[dict[str, Any]]:
        """Ledger rows, optionally of one site and/or one state, by URL."""
        where, args = [], []
        if site is not None:
            where.append("site = ?")
            args.append(site)
        if state is not None:
            where.append("state = ?")
            args.append(state)
        sql = "SELECT * FROM crawl_pages"
        if where:
            sql += " WHERE " + " AND ".join(where)
        return [_crawl_row(r) for r in self.db.execute(sql + " ORDER BY url", args)]

    # -- saved searches -------------------------------------------------------------------------
    def put_watch(self, name: str, query: str, filters: dict[str, Any]) -> None:
        """Save (or replace) a named search: its query text and filters (JSON-able)."""
        self.db.execute(
            "INSERT INTO watches VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
            "query = excluded.query, filters = excluded.filters",
            (name, query, json.dumps(filters, ensure_ascii=False, sort_keys=True), now()),
        )

    def watches(self) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT * FROM watches ORDER BY name")
        return [{**dict(r), "filters": json.loads(r["filters"])} for r in rows]

    def delete_watch(self, name: str) -> bool:
        return bool(self.db.execute("DELETE FROM watches WHERE name = ?", (name,)).rowcount)

    # -- numbers --------------------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        one = self.db.execute
        out: dict[str, Any] = {
            "documents": one("SELECT count(*) FROM documents").fetchone()[0],
            "turns": one("SELECT count(*) FROM turns").fetchone()[0],
            "raw_inputs": one("SELECT count(*) FROM raw_inputs").fetchone()[0],
            "raw_bytes": one("SELECT coalesce(sum(size), 0) FROM raw_inputs").fetchone()[0],
            "failed_paths": one("SELECT count(*) FROM paths WHERE status = 'failed'").fetchone()[0],
            "skipped_paths": one("SELECT count(*) FROM paths WHERE status = 'skipped'").fetchone()[
                0
            ],
            "schema_version": self.schema_version(),
        }
        for column in ("publisher", "kind", "lang"):
            out[f"by_{column}"] = dict(
                one(
                    f"SELECT coalesce({column}, '(none)'), count(*) FROM documents "
                    f"GROUP BY 1 ORDER BY 2 DESC"
                ).fetchall()
            )
        out["by_year"] = dict(
            one(
                "SELECT coalesce(substr(date, 1, 4), '(none)'), count(*) FROM documents "
                "GROUP BY 1 ORDER BY 1"
            ).fetchall()
        )
        out["by_role"] = dict(
            one("SELECT role, count(*) FROM turns GROUP BY 1 ORDER BY 2 DESC").fetchall()
        )
        return out

    def integrity_ok(self) -> bool:
        return self.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _crawl_row(row: sqlite3.Row) -> dict[str, Any]:
    return {**dict(row), "meta": json.loads(row["meta"] or "{}")}
