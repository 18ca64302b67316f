"""The store's logic, written once in the SQL both backends share (``?`` placeholders).

``SQLStore`` holds every public method of the storage interface; a backend (``sqlite.py``,
``postgres.py``) supplies the connection and a few hooks: ``query`` (run one statement, give a
cursor of tuples), ``_many`` (one statement over many rows), ``begin``/``commit``/``rollback``,
``in_transaction``, ``snapshot`` (a consistent read view) and ``stream`` (a large read,
fetched a batch at a time). Upserts are ``ON CONFLICT ... DO UPDATE/NOTHING``, valid in both.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from typing import Any

from communique.model import Document
from communique.store.base import DocFilter, StoredRaw
from communique.store.chunks import in_chunks
from communique.store.paths import DataPaths

Args = Sequence[Any]
# rows of ``people`` (id, name, kind, name_from) and ``entities`` (id, kind, name, name_ru,
# name_zh) that a document's turns and mentions point at: ``enrich.labels.label_rows`` makes them
Labels = tuple[
    Sequence[tuple[str, str, str, str]], Sequence[tuple[str, str, str, str | None, str | None]]
]

CRAWL_PAGE_COLUMNS = (
    "url", "site", "state", "first_seen", "last_tried", "last_ok", "http_status", "etag",
    "last_modified", "sha256", "doc_id", "failures", "error", "next_try", "gone_since", "meta",
)  # fmt: skip
RAW_COLUMNS = ("sha256", "kind", "data", "meta", "first_path", "size", "first_seen")
WATCH_COLUMNS = ("name", "query", "filters", "created")


# the ``document`` link of a history row: its doc_id if that document exists (migration 5)
_LINK = "(SELECT id FROM documents WHERE id = ?)"


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class SQLStore:
    """The storage interface over a SQL connection; subclasses provide the dialect hooks."""

    target: str  # the SQLite path or the PostgreSQL URL the store was opened with
    paths: DataPaths  # where this archive's derived files live on this machine
    # whether several servers may each keep a search index of this archive (they must then
    # rank equal scores alike, which costs a little: search.index._by_relevance)
    replicated: bool = False

    # -- dialect hooks ----------------------------------------------------------------------------
    def query(self, sql: str, args: Args = ()) -> Any:
        """Run one statement (``?`` placeholders); a cursor (iterable of rows, ``fetchone``,
        ``fetchall``, ``rowcount``)."""
        raise NotImplementedError

    def _many(self, sql: str, rows: Iterable[Args]) -> None:
        raise NotImplementedError

    def stream(self, sql: str, args: Args = ()) -> Iterator[Any]:
        """The rows of a large read, fetched a batch at a time (inside ``snapshot`` when the
        rows must agree with other reads)."""
        raise NotImplementedError

    def snapshot(self) -> AbstractContextManager[None]:
        """A read-only transaction: every read inside sees the archive at one moment."""
        raise NotImplementedError

    @property
    def in_transaction(self) -> bool:
        raise NotImplementedError

    def begin(self) -> None:
        """Start a write transaction (writers are serialised: see the backend's notes)."""
        raise NotImplementedError

    def commit(self) -> None:
        raise NotImplementedError

    def rollback(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def integrity_ok(self) -> bool:
        raise NotImplementedError

    # -- shared helpers -------------------------------------------------------------------------
    def _one(self, sql: str, args: Args = ()) -> Any:
        """The first column of the first row (None when there is no row)."""
        rows = self.query(sql, args).fetchall()  # all: a RETURNING statement runs to its end
        return rows[0][0] if rows else None

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """A write transaction, unless the caller already holds one (then it is theirs)."""
        if self.in_transaction:
            yield
            return
        self.begin()
        try:
            yield
        except BaseException:
            self.rollback()
            raise
        self.commit()

    def schema_version(self) -> int:
        return int(self._one("SELECT max(version) FROM schema_migrations") or 0)

    # -- plain queries --------------------------------------------------------------------------
    def rows(self, sql: str, args: Args = ()) -> list[dict[str, Any]]:
        """Rows of a read query written in the SQL both backends share, ``?`` placeholders.

        For modules outside ``store/`` that need a query of their own (checks, reports): keep to
        standard SQL (no ``PRAGMA``, no SQLite-only functions) so it runs on every backend.
        """
        cur = self.query(sql, args)
        names = [d[0] for d in cur.description or ()]
        return [dict(zip(names, r, strict=True)) for r in cur]

    # -- runs and the log -----------------------------------------------------------------------
    def start_run(self, inputs: list[str]) -> int:
        return int(
            self._one(
                "INSERT INTO runs (started_at, inputs) VALUES (?, ?) RETURNING id",
                (now(), json.dumps(inputs)),
            )
        )

    def finish_run(self, run_id: int, counts: dict[str, int]) -> None:
        self.query(
            "UPDATE runs SET finished_at = ?, counts = ? WHERE id = ?",
            (now(), json.dumps(counts), run_id),
        )

    def log(
        self, run_id: int, path: str, status: str, reason: str | None, doc_id: str | None
    ) -> None:
        self.query(
            "INSERT INTO ingest_log (run_id, path, status, reason, doc_id, at, document) "
            f"VALUES (?, ?, ?, ?, ?, ?, {_LINK})",
            (run_id, path, status, reason, doc_id, now(), doc_id),
        )

    def set_path(
        self, path: str, sha256: str, status: str, reason: str | None, doc_id: str | None
    ) -> None:
        self.query(
            "INSERT INTO paths (path, sha256, status, reason, doc_id, seen_at, document) "
            f"VALUES (?, ?, ?, ?, ?, ?, {_LINK}) ON CONFLICT (path) DO UPDATE SET "
            "sha256 = excluded.sha256, status = excluded.status, reason = excluded.reason, "
            "doc_id = excluded.doc_id, seen_at = excluded.seen_at, document = excluded.document",
            (path, sha256, status, reason, doc_id, now(), doc_id),
        )

    def path_status(self, path: str) -> tuple[str, str, str | None] | None:
        row = self.query("SELECT sha256, status, doc_id FROM paths WHERE path = ?", (path,))
        found = row.fetchone()
        return (found[0], found[1], found[2]) if found else None

    def path_reason(self, path: str) -> str | None:
        """Why the latest ingest of ``path`` skipped or failed it, if it did."""
        return self._one("SELECT reason FROM paths WHERE path = ?", (path,))

    def errors(self, limit: int = 100) -> list[dict[str, Any]]:
        """Failures of the latest ingest of each path that still fails."""
        return self.rows(
            "SELECT p.path, p.reason, p.seen_at FROM paths p WHERE p.status = 'failed' "
            "ORDER BY p.seen_at DESC, p.path LIMIT ?",
            (limit,),
        )

    # -- raw inputs -----------------------------------------------------------------------------
    def put_raw(self, sha256: str, kind: str, data: bytes, meta: dict[str, Any], path: str) -> None:
        self.query(
            "INSERT INTO raw_inputs VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
            (sha256, kind, data, json.dumps(meta, ensure_ascii=False), path, len(data), now()),
        )

    def get_raw(self, sha256: str) -> StoredRaw | None:
        cols = ", ".join(RAW_COLUMNS)
        row = self.query(f"SELECT {cols} FROM raw_inputs WHERE sha256 = ?", (sha256,)).fetchone()
        if row is None:
            return None
        return StoredRaw(row[0], row[1], bytes(row[2]), json.loads(row[3]), row[4])

    def doc_for_raw(self, sha256: str) -> str | None:
        return self._one("SELECT doc_id FROM origins WHERE sha256 = ? LIMIT 1", (sha256,))

    # -- documents ------------------------------------------------------------------------------
    def current(self, doc_id: str) -> tuple[str, str] | None:
        """(raw sha256, content hash) of the stored document, if any."""
        row = self.query(
            "SELECT raw_sha256, content_hash FROM documents WHERE id = ?", (doc_id,)
        ).fetchone()
        return (row[0], row[1]) if row else None

    def put_document(
        self, doc: Document, raw_sha256: str, content_hash: str, labels: Labels
    ) -> None:
        """Insert or replace a document with its turns, origins and a revision entry (in the
        caller's write transaction, else in one of its own); ``labels`` are the ``people`` and
        ``entities`` rows its turns and mentions point at (``enrich.labels.label_rows``)."""
        numbers = {t.n for t in doc.turns}
        for t in doc.turns:  # turns.(doc_id, answers) is a key to the question turn
            if t.answers is not None and t.answers not in numbers:
                raise ValueError(f"{doc.id}: turn {t.n} answers turn {t.answers}, which it lacks")
        record = json.dumps(doc.to_dict(), ensure_ascii=False)
        with self._writing():
            existed = self.current(doc.id) is not None  # writers are serialised: still true
            # an upsert, not a replace: a replace deletes the row first, and the cascade
            # would take the document's version links and acronyms with it
            self.query(
                "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET revision = excluded.revision, "
                "raw_sha256 = excluded.raw_sha256, content_hash = excluded.content_hash, "
                "publisher = excluded.publisher, lang = excluded.lang, kind = excluded.kind, "
                "date = excluded.date, title = excluded.title, "
                "parser_version = excluded.parser_version, record = excluded.record, "
                "updated_at = excluded.updated_at",
                (
                    doc.id, doc.revision, raw_sha256, content_hash, doc.publisher, doc.lang,
                    doc.kind, doc.date, doc.title, doc.parser_version, record, now(),
                ),
            )  # fmt: skip
            self._labels(labels)
            self.query("DELETE FROM turns WHERE doc_id = ?", (doc.id,))
            self._many(
                "INSERT INTO turns (doc_id, n, label, speaker, affiliation, role, interpreted, "
                "answers, text, person, role_inferred, role_uncertain) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (doc.id, t.n, t.label, t.speaker, t.affiliation, t.role, int(t.interpreted),
                     t.answers, t.text, t.person, int(t.role_inferred), t.role_uncertain)
                    for t in doc.turns
                ],
            )  # fmt: skip
            self.query("DELETE FROM mentions WHERE doc_id = ?", (doc.id,))
            self._many(
                "INSERT INTO mentions VALUES (?, ?, ?, ?, ?)",
                [(doc.id, t.n, m.start, m.end, m.entity) for t in doc.turns for m in t.mentions],
            )
            self.query("DELETE FROM origins WHERE doc_id = ?", (doc.id,))
            self._many(
                "INSERT INTO origins VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [(doc.id, i, o.path, o.url, o.sha256) for i, o in enumerate(doc.origin)],
            )
            self.query(
                "INSERT INTO revisions (doc_id, revision, raw_sha256, seen_at, document) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (doc.id, doc.revision, raw_sha256, now(), doc.id),
            )
            self._change(doc.id, "update" if existed else "insert")

    def _labels(self, labels: Labels) -> None:
        """The people and entities a document's turns and mentions point at: a register name
        replaces a label; a label never replaces a name."""
        people, entities = labels
        self._many(
            "INSERT INTO people VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
            "name = excluded.name, kind = excluded.kind, name_from = excluded.name_from "
            "WHERE excluded.name_from = 'register' AND (people.name <> excluded.name "
            "OR people.kind <> excluded.kind OR people.name_from <> 'register')",
            people,
        )
        self._many(
            "INSERT INTO entities VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
            "name = excluded.name, name_ru = excluded.name_ru, name_zh = excluded.name_zh "
            "WHERE entities.name <> excluded.name",
            entities,
        )

    def _change(self, doc_id: str, op: str) -> None:
        self.query(
            "INSERT INTO changes (doc_id, op, at, document) VALUES (?, ?, ?, ?)",
            (doc_id, op, now(), None if op == "delete" else doc_id),
        )

    def get(self, doc_id: str, revision: str | None = None) -> Document | None:
        record = self._one("SELECT record FROM documents WHERE id = ?", (doc_id,))
        if record is None:
            return None
        doc = Document.from_dict(json.loads(record))
        if revision is None or revision == doc.revision:
            return doc
        return None

    def records(self, where: str = "", args: Args = ()) -> Iterator[Document]:
        """Documents whose row matches ``where`` (SQL over ``documents``, ``?`` placeholders),
        read a batch at a time."""
        sql = "SELECT record FROM documents" + (f" WHERE {where}" if where else "")
        for row in self.stream(sql, args):
            yield Document.from_dict(json.loads(row[0]))

    def revisions(self, doc_id: str) -> list[dict[str, Any]]:
        return self.rows(
            "SELECT revision, raw_sha256, seen_at FROM revisions WHERE doc_id = ? ORDER BY seen_at",
            (doc_id,),
        )

    def revision_raw(self, doc_id: str, revision: str) -> str | None:
        """The sha256 of the raw input that gave ``revision`` of a document, if seen."""
        return self._one(
            "SELECT raw_sha256 FROM revisions WHERE doc_id = ? AND revision = ?",
            (doc_id, revision),
        )

    def documents(self, flt: DocFilter | None = None) -> Iterator[Document]:
        sql, args = self._filter_sql(flt or DocFilter())
        for row in self.stream(f"SELECT record FROM documents {sql}", args):
            yield Document.from_dict(json.loads(row[0]))

    def summaries(self, flt: DocFilter | None = None) -> list[dict[str, Any]]:
        sql, args = self._filter_sql(flt or DocFilter())
        return self.rows(
            "SELECT id, date, publisher, kind, lang, title, "
            "(SELECT count(*) FROM turns t WHERE t.doc_id = documents.id) AS turns "
            f"FROM documents {sql}",
            args,
        )

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
        return [r[0] for r in self.query("SELECT id FROM documents ORDER BY id")]

    def raw_of(self, doc_id: str) -> str | None:
        return self._one("SELECT raw_sha256 FROM documents WHERE id = ?", (doc_id,))

    def delete(self, doc_id: str) -> bool:
        """Remove a document (its raw inputs stay, so it can be re-ingested or reparsed)."""
        with self._writing():
            deleted = self.query("DELETE FROM documents WHERE id = ?", (doc_id,)).rowcount
            if deleted:
                self.query("UPDATE paths SET status = 'deleted' WHERE doc_id = ?", (doc_id,))
                self._change(doc_id, "delete")
        return bool(deleted)

    # -- enrichment across documents ------------------------------------------------------------
    def delete_version_links(self, doc_ids: list[str]) -> None:
        """Forget every version link touching ``doc_ids`` (before they are linked again)."""
        for marks, chunk in in_chunks(doc_ids, 500):
            self.query(
                f"DELETE FROM version_links WHERE a IN ({marks}) OR b IN ({marks})", chunk + chunk
            )

    def add_version_links(self, links: list[tuple[str, str, str, float]]) -> None:
        """Links (a, b, method, score) between documents that are versions of one another."""
        self._many(
            "INSERT INTO version_links VALUES (?, ?, ?, ?) ON CONFLICT (a, b) DO UPDATE SET "
            "method = excluded.method, score = excluded.score",
            links,
        )

    def version_links(self, doc_id: str) -> list[dict[str, Any]]:
        """The documents linked to ``doc_id`` as its language versions, with their language."""
        return self.rows(
            "SELECT d.id, d.lang, l.method, l.score FROM version_links l "
            "JOIN documents d ON d.id = CASE WHEN l.a = ? THEN l.b ELSE l.a END "
            "WHERE l.a = ? OR l.b = ? ORDER BY d.lang, d.id",
            (doc_id, doc_id, doc_id),
        )

    def set_acronyms(self, doc_id: str, counts: dict[tuple[str, str], int]) -> None:
        """The acronym definitions (short form, long form) -> times seen in one document."""
        self.query("DELETE FROM acronyms WHERE doc_id = ?", (doc_id,))
        self._many(
            "INSERT INTO acronyms VALUES (?, ?, ?, ?)",
            [(doc_id, short, long, n) for (short, long), n in counts.items()],
        )

    def acronym_table(self) -> dict[str, dict[str, int]]:
        """``{short form: {long form: count}}`` as learned from the archive."""
        table: dict[str, dict[str, int]] = {}
        rows = self.query("SELECT short, long, sum(count) FROM acronyms GROUP BY 1, 2")
        for short, long, count in rows:
            table.setdefault(short, {})[long] = int(count)
        return table

    def get_state(self, key: str) -> str | None:
        return self._one("SELECT value FROM state WHERE key = ?", (key,))

    def set_state(self, key: str, value: str) -> None:
        self.query(
            "INSERT INTO state VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def last_change(self) -> int:
        """The seq of the latest entry of the change log (0 when empty)."""
        return int(self._one("SELECT coalesce(max(seq), 0) FROM changes"))

    def changes_since(self, seq: int) -> Iterator[tuple[int, str, str]]:
        """The change log after ``seq``, in order (no gaps appear later: see the backends)."""
        for row in self.query(
            "SELECT seq, doc_id, op FROM changes WHERE seq > ? ORDER BY seq", (seq,)
        ).fetchall():
            yield (int(row[0]), row[1], row[2])

    # -- the crawl ledger -----------------------------------------------------------------------
    def crawl_page(self, url: str) -> dict[str, Any] | None:
        """The ledger row of one page URL (``meta`` decoded), if the crawler has seen it."""
        found = self._crawl_rows("WHERE url = ?", [url])
        return found[0] if found else None

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
        updates = ", ".join(f"{c} = excluded.{c}" for c in (*CRAWL_PAGE_COLUMNS[1:], "document"))
        self.query(
            f"INSERT INTO crawl_pages ({', '.join(CRAWL_PAGE_COLUMNS)}, document) "
            f"VALUES ({marks}, {_LINK}) ON CONFLICT (url) DO UPDATE SET {updates}",
            [*(row[c] for c in CRAWL_PAGE_COLUMNS), row["doc_id"]],
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
        return self._crawl_rows(("WHERE " + " AND ".join(where)) if where else "", args)

    def _crawl_rows(self, where: str, args: list[Any]) -> list[dict[str, Any]]:
        cols = ", ".join(CRAWL_PAGE_COLUMNS)
        rows = self.query(f"SELECT {cols} FROM crawl_pages {where} ORDER BY url", args)
        out = [dict(zip(CRAWL_PAGE_COLUMNS, r, strict=True)) for r in rows]
        for page in out:
            page["meta"] = json.loads(page["meta"] or "{}")
        return out

    # -- saved searches -------------------------------------------------------------------------
    def put_watch(self, name: str, query: str, filters: dict[str, Any]) -> None:
        """Save (or replace) a named search: its query text and filters (JSON-able)."""
        self.query(
            "INSERT INTO watches VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
            "query = excluded.query, filters = excluded.filters",
            (name, query, json.dumps(filters, ensure_ascii=False, sort_keys=True), now()),
        )

    def watches(self) -> list[dict[str, Any]]:
        rows = self.query(f"SELECT {', '.join(WATCH_COLUMNS)} FROM watches ORDER BY name")
        return [
            {**dict(zip(WATCH_COLUMNS, r, strict=True)), "filters": json.loads(r[2])} for r in rows
        ]

    def delete_watch(self, name: str) -> bool:
        return bool(self.query("DELETE FROM watches WHERE name = ?", (name,)).rowcount)

    # -- numbers --------------------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        one = self._one
        out: dict[str, Any] = {
            "documents": one("SELECT count(*) FROM documents"),
            "turns": one("SELECT count(*) FROM turns"),
            "raw_inputs": one("SELECT count(*) FROM raw_inputs"),
            "raw_bytes": int(one("SELECT coalesce(sum(size), 0) FROM raw_inputs")),
            "failed_paths": one("SELECT count(*) FROM paths WHERE status = 'failed'"),
            "skipped_paths": one("SELECT count(*) FROM paths WHERE status = 'skipped'"),
            "schema_version": self.schema_version(),
        }
        for column in ("publisher", "kind", "lang"):
            out[f"by_{column}"] = self._counts(
                f"SELECT coalesce({column}, '(none)'), count(*) FROM documents "
                f"GROUP BY 1 ORDER BY 2 DESC"
            )
        out["by_year"] = self._counts(
            "SELECT coalesce(substr(date, 1, 4), '(none)'), count(*) FROM documents "
            "GROUP BY 1 ORDER BY 1"
        )
        out["by_role"] = self._counts("SELECT role, count(*) FROM turns GROUP BY 1 ORDER BY 2 DESC")
        return out

    def _counts(self, sql: str) -> dict[str, int]:
        return {r[0]: int(r[1]) for r in self.query(sql)}
