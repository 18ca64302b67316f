"""The embedded archive: one SQLite file, the source of truth.

Holds every raw input verbatim, each document's record (JSON) with its turns in a table of their
own, every revision seen, the ingest log, and a change log (``changes``) from which a search
index can follow the store. Writes happen in batches inside transactions (WAL mode), so a
process killed mid-batch leaves the archive as it was after the last committed batch. SQLite
admits one writer at a time (``BEGIN IMMEDIATE``), so the change log's seq values always
become visible in order. The logic shared with PostgreSQL is in ``store/sql.py``.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from communique.store.paths import data_paths
from communique.store.sql import CRAWL_PAGE_COLUMNS, Args, SQLStore, now

__all__ = ["CRAWL_PAGE_COLUMNS", "LINKS", "MIGRATIONS", "SQLiteStore", "now"]

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

# the tables people and entities, and the views, of LINKS (both backends run these as they are)
PEOPLE_ENTITIES = """
    CREATE TABLE people (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        name_from TEXT NOT NULL
    );
    INSERT INTO people
        SELECT person, coalesce(min(speaker), min(affiliation), min(label), person),
               CASE WHEN person LIKE 'outlet:%' THEN 'outlet'
                    WHEN person LIKE 'journalist:%' THEN 'journalist'
                    WHEN person LIKE 'person:%' THEN 'person' ELSE 'official' END,
               'label'
        FROM turns WHERE person IS NOT NULL GROUP BY person;
    CREATE TABLE entities (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        name_ru TEXT,
        name_zh TEXT
    );
    INSERT INTO entities
        SELECT entity,
               CASE WHEN entity LIKE 'country:%' THEN 'country'
                    WHEN entity LIKE 'org:%' THEN 'org'
                    WHEN entity LIKE 'person:%' THEN 'person' ELSE 'unknown' END,
               entity, NULL, NULL
        FROM (SELECT DISTINCT entity FROM mentions) e
"""
LINK_VIEWS = """
    CREATE VIEW turns_in_context AS
        SELECT t.doc_id, t.n, d.date, d.publisher, d.kind, d.lang, d.title, t.role,
               t.speaker, t.label, t.person, p.name AS person_name, t.answers,
               t.interpreted, t.text
        FROM turns t JOIN documents d ON d.id = t.doc_id
        LEFT JOIN people p ON p.id = t.person;
    CREATE VIEW questions_and_answers AS
        SELECT a.doc_id, d.date, d.publisher, d.lang, d.title,
               q.n AS question_n, q.speaker AS asked_by, q.text AS question,
               a.n AS answer_n, a.speaker AS answered_by, a.person AS answered_by_person,
               a.text AS answer
        FROM turns a JOIN turns q ON q.doc_id = a.doc_id AND q.n = a.answers
        JOIN documents d ON d.id = a.doc_id;
    CREATE VIEW mentions_in_context AS
        SELECT m.entity, e.name AS entity_name, e.kind AS entity_kind, m.doc_id, m.n,
               d.date, d.publisher, d.lang, t.role, t.speaker, t.person,
               substr(t.text, m.start + 1, m."end" - m.start) AS surface
        FROM mentions m JOIN entities e ON e.id = m.entity
        JOIN turns t ON t.doc_id = m.doc_id AND t.n = m.n
        JOIN documents d ON d.id = m.doc_id;
    CREATE VIEW speakers AS
        SELECT p.id, p.name, p.kind, count(*) AS turns, count(DISTINCT t.doc_id) AS documents,
               min(d.date) AS first_date, max(d.date) AS last_date
        FROM people p JOIN turns t ON t.person = p.id JOIN documents d ON d.id = t.doc_id
        GROUP BY p.id, p.name, p.kind;
    CREATE VIEW documents_by_month AS
        SELECT substr(date, 1, 7) AS month, publisher, lang, kind, count(*) AS documents
        FROM documents WHERE date IS NOT NULL GROUP BY 1, 2, 3, 4
"""

# history tables: their doc_id outlives a deleted document (the change log's delete entry is
# what the indexes follow), so it cannot be a key; ``document`` is the same id as a link, while
# the document exists (set when the row is written, NULL once the document is deleted)
HISTORY_TABLES = ("revisions", "changes", "paths", "ingest_log", "crawl_pages")
HISTORY_LINKS = ";".join(
    f"""
    ALTER TABLE {t} ADD COLUMN document TEXT REFERENCES documents(id) ON DELETE SET NULL;
    UPDATE {t} SET document = doc_id WHERE doc_id IN (SELECT id FROM documents);
    CREATE INDEX {t}_document ON {t}(document)"""
    for t in HISTORY_TABLES
)

# 5 (LINKS): foreign keys for Datasette and SQL readers. ``people`` (turns.person ->) and
# ``entities`` (mentions.entity ->), with names (enrich/labels.py makes them as documents are
# stored; here, for an existing archive, from the labels); turns.(doc_id, answers) -> the
# question turn; mentions.(doc_id, n) -> its turn; ``document`` in the history tables (above).
# SQLite cannot add a constraint to a table:
# turns and mentions are rebuilt (rows, rowids and indexes kept; ``_migrate`` turns foreign
# keys off around it). PostgreSQL adds the constraints instead (postgres.PG_INSTEAD). And
# views for the common questions.
LINKS = (
    PEOPLE_ENTITIES
    + ";"
    + """
    CREATE TABLE turns_linked (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        n INTEGER NOT NULL,
        label TEXT, speaker TEXT, affiliation TEXT,
        role TEXT NOT NULL,
        interpreted INTEGER NOT NULL,
        answers INTEGER,
        text TEXT NOT NULL,
        person TEXT REFERENCES people(id),
        PRIMARY KEY (doc_id, n),
        FOREIGN KEY (doc_id, answers) REFERENCES turns(doc_id, n) DEFERRABLE INITIALLY DEFERRED
    );
    INSERT INTO turns_linked (rowid, doc_id, n, label, speaker, affiliation, role, interpreted,
                              answers, text, person)
        SELECT rowid, doc_id, n, label, speaker, affiliation, role, interpreted, answers, text,
               person FROM turns;
    DROP TABLE turns;
    ALTER TABLE turns_linked RENAME TO turns;
    CREATE INDEX turns_speaker ON turns(speaker);
    CREATE INDEX turns_person ON turns(person);
    CREATE TABLE mentions_linked (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        n INTEGER NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        entity TEXT NOT NULL REFERENCES entities(id),
        FOREIGN KEY (doc_id, n) REFERENCES turns(doc_id, n) ON DELETE CASCADE
    );
    INSERT INTO mentions_linked SELECT doc_id, n, start, "end", entity FROM mentions;
    DROP TABLE mentions;
    ALTER TABLE mentions_linked RENAME TO mentions;
    CREATE INDEX mentions_entity ON mentions(entity, doc_id);
    CREATE INDEX mentions_turn ON mentions(doc_id, n);
"""
    + ";"
    + HISTORY_LINKS
    + ";"
    + LINK_VIEWS
)
MIGRATIONS.append(LINKS)
# 6: a turn's role read from its wording (record schema 3); 0 until the document is reparsed
MIGRATIONS.append("ALTER TABLE turns ADD COLUMN role_inferred INTEGER NOT NULL DEFAULT 0")
# 7: why a turn's inferred role reads two ways (record schema 4); null until reparsed
MIGRATIONS.append("ALTER TABLE turns ADD COLUMN role_uncertain TEXT")


class SQLiteStore(SQLStore):
    """The embedded store. One writer at a time; readers can share the file."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        check_same_thread: bool = True,
        data_dir: str | os.PathLike[str] | None = None,
        migrate: bool = True,
    ) -> None:
        """Open (creating and migrating) the archive at ``path``.

        ``check_same_thread=False`` lets a server use the connection from several threads; it
        must then serialise the calls itself (``web.service.ArchiveService`` gives each request
        a connection of its own). ``migrate=False``: another connection has migrated it (a
        server's read connections, which must not wait for a writer's lock to open).
        """
        self.path = str(path)
        self.target = self.path
        self.paths = data_paths(Path(path), data_dir)
        self.db = sqlite3.connect(
            self.path, isolation_level=None, timeout=30, check_same_thread=check_same_thread
        )
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.query = self.db.execute  # type: ignore[method-assign]  # the fast path: no wrapper
        if migrate:
            self._migrate()

    # -- schema ---------------------------------------------------------------------------------
    def _migrate(self) -> None:
        """Apply the missing migrations, each in a transaction; ``BEGIN IMMEDIATE`` takes the
        write lock first, so of two processes opening a new archive only one migrates.
        Foreign keys are off meanwhile (a migration may rebuild a table others point at, as
        SQLite's ALTER TABLE procedure asks) and checked before each commit."""
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(version INTEGER PRIMARY KEY, applied_at TEXT)"
        )
        self.db.execute("PRAGMA foreign_keys=OFF")  # not inside a transaction: there it is a no-op
        try:
            self._apply_migrations()
        finally:
            self.db.execute("PRAGMA foreign_keys=ON")

    def _apply_migrations(self) -> None:
        for version, sql in enumerate(MIGRATIONS, start=1):
            self.db.execute("BEGIN IMMEDIATE")
            try:
                done = self.db.execute(
                    "SELECT 1 FROM schema_migrations WHERE version = ?", (version,)
                ).fetchone()
                if not done:
                    for statement in sql.split(";"):
                        if statement.strip():
                            self.db.execute(statement)
                    broken = self.db.execute("PRAGMA foreign_key_check").fetchone()
                    if broken:
                        raise sqlite3.IntegrityError(f"migration {version}: {tuple(broken)}")
                    self.db.execute("INSERT INTO schema_migrations VALUES (?, ?)", (version, now()))
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    def close(self) -> None:
        self.db.close()

    # -- dialect hooks --------------------------------------------------------------------------
    def _many(self, sql: str, rows: Iterable[Args]) -> None:
        self.db.executemany(sql, rows)

    def stream(self, sql: str, args: Args = ()) -> Iterator[Any]:
        return iter(self.db.execute(sql, args))

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """A deferred transaction: reads inside it see one state of the file (WAL)."""
        if self.db.in_transaction:
            yield
            return
        self.db.execute("BEGIN")
        try:
            yield
        finally:
            self.db.execute("COMMIT")

    @property
    def in_transaction(self) -> bool:
        return self.db.in_transaction

    def begin(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        self.db.execute("COMMIT")

    def rollback(self) -> None:
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")

    def integrity_ok(self) -> bool:
        return self.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
