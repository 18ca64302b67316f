"""The ingest job: inputs -> raw inputs -> pages -> documents -> the store, in batches.

Parsing runs on a process pool or a Dask cluster (``executors.py``); all writes happen in this
process, one transaction per batch, so a crash leaves the archive as it was after the last
committed batch, and the next run picks up where it stopped (paths already stored with the
same bytes are recognised as unchanged).
"""

from __future__ import annotations

import hashlib
import json
import os
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from communique.enrich.document import enrich_document
from communique.enrich.labels import label_rows
from communique.ingest.duplicates import LENGTH_RATIO, join_parts, row_number, same_transcript
from communique.ingest.enrichment import EnrichReport, after_ingest
from communique.ingest.executors import ParseExecutor, open_executor, worker_id
from communique.model import Document, Origin
from communique.sources.decode import UnreadableInput
from communique.sources.raw import Failure, RawInput, Skip
from communique.sources.walk import iter_items, iter_paths
from communique.store.sql import SQLStore
from communique.structure.document import PARSER_VERSION, build_document
from communique.structure.page import NotADocument, Unparseable
from communique.structure.readers import read_raw

# Items (skips and unchanged inputs too) after which the open transaction is committed, so
# a table of millions of skipped rows never grows one transaction without bound.
_RECORDS_PER_COMMIT = 2000

STATUSES = ("new", "updated", "unchanged", "skipped", "failed")


@dataclass
class IngestReport:
    counts: Counter[str] = field(default_factory=Counter)
    skip_reasons: Counter[str] = field(default_factory=Counter)
    failures: list[tuple[str, str]] = field(default_factory=list)
    merged: int = 0  # inputs that were another route to a document already held
    run_id: int = 0
    enriched: EnrichReport | None = None  # version links and acronyms of the changed documents
    workers: Counter[str] = field(default_factory=Counter)  # inputs parsed per "host:pid"

    @property
    def ok(self) -> bool:
        return self.counts["failed"] == 0


@dataclass
class Parsed:
    raw: RawInput
    doc: Document | None = None
    content_hash: str = ""
    skip: str | None = None
    error: str | None = None
    worker: str = field(default_factory=worker_id)  # the process that parsed it ("host:pid")


def content_hash(doc: Document) -> str:
    """What makes two inputs the same document: title, date, the turns' text and the lead
    (left out when there is none, so documents without one hash as before)."""
    parts: list[object] = [doc.title, doc.date, [t.text for t in doc.turns]]
    if doc.lead:
        parts.append(doc.lead)
    body = json.dumps(parts, ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


def parse_raw(raw: RawInput, publisher: str | None = None) -> Parsed:
    """Raw input to a Document (or a skip, or an error); never raises."""
    try:
        page = read_raw(raw, publisher=publisher)
        url = raw.meta.get("url") or page.found_url or page.url
        origin = Origin(path=raw.path, url=url, sha256=raw.sha256)
        doc = enrich_document(build_document(page, origin=origin, revision=raw.sha256[:12]))
        return Parsed(raw, doc=doc, content_hash=content_hash(doc))
    except NotADocument as e:
        return Parsed(raw, skip=str(e))
    except (UnreadableInput, Unparseable) as e:
        return Parsed(raw, error=str(e))
    except Exception as e:  # a parser bug must not stop the batch
        where = traceback.extract_tb(e.__traceback__)[-1]
        return Parsed(
            raw, error=f"parser error {type(e).__name__}: {e} ({where.name}:{where.lineno})"
        )


def _parse_star(args: tuple[RawInput, str | None]) -> Parsed:
    return parse_raw(*args)


class Ingester:
    """One ingest run against a store."""

    def __init__(
        self,
        store: SQLStore,
        *,
        publisher: str | None = None,
        column_overrides: dict[str, str] | None = None,
        fmt: str | None = None,
        workers: int | None = None,
        dask: str | None = None,
        executor: ParseExecutor | None = None,
        batch_size: int = 64,
    ) -> None:
        """Parsing runs on ``executor`` when given (the caller closes it), else on the Dask
        cluster at ``dask``, else on ``workers`` local processes (default: cores)."""
        self.store = store
        self.publisher = publisher
        self.column_overrides = column_overrides
        self.fmt = fmt
        self.workers = workers or os.cpu_count() or 1
        self.dask = dask
        self.executor = executor
        self.batch_size = batch_size
        self.report = IngestReport()
        self._table_ids: dict[str, str] = {}  # doc id -> the table file that gave it in this run

    def run(self, inputs: list[Path], on_file: Callable[[str], None] | None = None) -> IngestReport:
        """Ingest files, folders and tables found under ``inputs``."""
        items = iter_items(inputs, column_overrides=self.column_overrides, fmt=self.fmt)
        return self.run_items(items, [str(p) for p in inputs], on_file)

    def run_items(
        self,
        items: Iterable[RawInput | Skip | Failure],
        described_as: list[str],
        on_file: Callable[[str], None] | None = None,
    ) -> IngestReport:
        """Ingest raw inputs from any source (files, table rows, fetched pages).

        ``described_as`` is what the run log records as this run's inputs. A raw input's
        ``path`` names where it came from (a file path, ``<table>#row=<n>``, or a URL): an input
        seen before at the same path with the same bytes is recognised as unchanged.
        """
        pool = self.executor or open_executor(self.workers, self.dask)  # before any write
        self.report.run_id = self.store.start_run(described_as)
        try:
            batch: list[RawInput] = []
            pending: Iterator[Parsed] | None = None  # a batch the workers are parsing
            self.store.begin()
            # every _RECORDS_PER_COMMIT items (skips and failures too) the transaction commits
            for recorded, item in enumerate(items, start=1):
                if on_file is not None:
                    on_file(item.path)
                if isinstance(item, Skip):
                    self._record(item.path, "", "skipped", item.reason, None)
                elif isinstance(item, Failure):
                    self._record(item.path, "", "failed", item.reason, None)
                elif not self._unchanged(item):
                    batch.append(item)
                if len(batch) >= self.batch_size or recorded % _RECORDS_PER_COMMIT == 0:
                    pending = self._next_batch(pending, batch, pool)
                    batch = []
                    self.store.commit()
                    self.store.begin()
            pending = self._next_batch(pending, batch, pool)  # the last batch starts ...
            self._next_batch(pending, [], pool)  # ... and is written
            self.store.finish_run(self.report.run_id, dict(self.report.counts))
            self.store.commit()
            self.report.enriched = after_ingest(self.store)
        except BaseException:
            self.store.rollback()
            raise
        finally:
            if self.executor is None:
                pool.close()
        return self.report

    def _next_batch(
        self, pending: Iterator[Parsed] | None, batch: list[RawInput], pool: ParseExecutor
    ) -> Iterator[Parsed] | None:
        """Start parsing ``batch`` (if any), then write the batch parsed before it, so the
        workers parse one batch while this process writes the previous one. No transaction is
        open while waiting for the workers (on PostgreSQL a write transaction holds the
        archive's write lock: other processes write meanwhile); the writes of a batch are one."""
        started = self._parse(batch, pool) if batch else None
        if pending is not None:
            self.store.commit()
            parsed = list(pending)
            self.store.begin()
            self._write(iter(parsed))
        return started

    def _parse(self, batch: list[RawInput], pool: ParseExecutor) -> Iterator[Parsed]:
        return pool.map(_parse_star, [(raw, self.publisher) for raw in batch])

    def _record(
        self, path: str, sha: str, status: str, reason: str | None, doc_id: str | None
    ) -> None:
        self.report.counts[status] += 1
        if status == "skipped" and reason:
            self.report.skip_reasons[reason] += 1
        if status == "failed":
            self.report.failures.append((path, reason or ""))
        self.store.log(self.report.run_id, path, status, reason, doc_id)
        self.store.set_path(path, sha, status, reason, doc_id)

    def _unchanged(self, raw: RawInput) -> bool:
        """True (and recorded) when this exact input is already stored; no parsing needed."""
        seen = self.store.path_status(raw.path)
        if seen and seen[0] == raw.sha256 and seen[1] in ("new", "updated", "unchanged", "skipped"):
            status = "skipped" if seen[1] == "skipped" else "unchanged"
            reason = None
            if status == "skipped":
                reason = self.store.path_reason(raw.path)
            self._record(raw.path, raw.sha256, status, reason, seen[2])
            if raw.kind == "row" and seen[2]:
                self._table_ids.setdefault(seen[2], raw.path.partition("#row=")[0])
            return True
        return False

    def _write(self, results: Iterator[Parsed]) -> None:
        for p in results:
            raw = p.raw
            self.report.workers[p.worker] += 1
            if p.skip is not None:
                self._record(raw.path, raw.sha256, "skipped", p.skip, None)
                continue
            if p.error is not None or p.doc is None:
                self._record(raw.path, raw.sha256, "failed", p.error, None)
                continue
            try:
                self._store_document(p)
            except ValueError as exc:  # a record the store refuses (checked before any write)
                self._record(raw.path, raw.sha256, "failed", f"invalid record: {exc}", None)

    def _store_document(self, p: Parsed) -> None:
        doc, raw = p.doc, p.raw
        assert doc is not None
        self.store.put_raw(raw.sha256, raw.kind, raw.data, raw.meta, raw.path)
        current = self.store.current(doc.id)
        seen = self.store.path_status(raw.path)
        if current is None and doc.url is None and seen and seen[2] and seen[2] != doc.id:
            # an edited page with no URL or publisher id (its id hashes its text): the same
            # file changed, so it updates the document it gave before and keeps that id
            doc.id = seen[2]
            current = self.store.current(doc.id)
        if raw.kind == "row" and current is not None and current[1] != p.content_hash:
            table = raw.path.partition("#row=")[0]
            if self._table_ids.get(doc.id) == table or _other_parts(self.store, doc, raw.path):
                # rows of one table with one URL but different texts: parts, not revisions
                self._store_parts(p)
                return
        if raw.kind == "row":
            self._table_ids.setdefault(doc.id, raw.path.partition("#row=")[0])
        if current is None:
            twin = find_twin(self.store, doc)
            if twin is not None:  # the same transcript under another id: another route to it
                doc.id, current = twin, self.store.current(twin)
                assert current is not None
                self._add_route(doc, current, raw)
                return
            self.store.put_document(doc, raw.sha256, p.content_hash, label_rows(doc))
            self._record(raw.path, raw.sha256, "new", None, doc.id)
            return
        stored = self.store.get(doc.id)
        assert stored is not None
        new_origin = doc.origin[0]
        known = [
            o for o in stored.origin if (o.path, o.sha256) != (new_origin.path, new_origin.sha256)
        ]
        if current[0] == raw.sha256 or current[1] == p.content_hash:
            # the same document again, maybe by another route: record the route, change nothing else
            self._add_route(doc, current, raw)
            return
        doc.origin = [new_origin, *known]
        self.store.put_document(doc, raw.sha256, p.content_hash, label_rows(doc))
        self._record(raw.path, raw.sha256, "updated", None, doc.id)

    def _add_route(self, doc: Document, current: tuple[str, str], raw: RawInput) -> None:
        """``raw`` is another route to the stored document ``doc.id``: add it as an origin."""
        stored = self.store.get(doc.id)
        assert stored is not None
        new_origin = doc.origin[0]
        if all((o.path, o.sha256) != (new_origin.path, new_origin.sha256) for o in stored.origin):
            stored.origin.append(new_origin)
            self.store.put_document(stored, current[0], current[1], label_rows(stored))
            self.report.merged += 1
        self._record(raw.path, raw.sha256, "unchanged", None, doc.id)

    def _store_parts(self, p: Parsed) -> None:
        """A table row that is one part of a stored document: the document again, its parts
        (this row replacing its own earlier version) joined in row order."""
        doc, raw = p.doc, p.raw
        assert doc is not None
        stored = self.store.get(doc.id)
        assert stored is not None
        joined, raw_sha = joined_parts(self.store, stored, doc)
        self.store.put_document(joined, raw_sha, content_hash(joined), label_rows(joined))
        status = "updated" if any(o.path == raw.path for o in stored.origin) else "new"
        self._record(raw.path, raw.sha256, status, None, doc.id)


def find_twin(store: SQLStore, doc: Document) -> str | None:
    """A stored document of the same publisher, language and date that is the same transcript
    as ``doc`` (``duplicates.same_transcript``), or None."""
    if not doc.publisher or not doc.date or not doc.turns:
        return None
    texts = [t.text for t in doc.turns]
    size = sum(len(t) for t in texts)
    candidates = store.query(
        "SELECT d.id, d.title, (SELECT coalesce(sum(length(t.text)), 0) FROM turns t "
        "WHERE t.doc_id = d.id) FROM documents d WHERE d.publisher = ? AND d.date = ? "
        "AND coalesce(d.lang, '') = ? AND d.id <> ?",
        (doc.publisher, doc.date, doc.lang or "", doc.id),
    ).fetchall()
    for other_id, title, other_size in candidates:
        if not other_size or min(size, other_size) / max(size, other_size) < LENGTH_RATIO:
            continue
        rows = store.query("SELECT text FROM turns WHERE doc_id = ? ORDER BY n", (other_id,))
        own = None if doc.title_inferred else doc.title  # made-up titles tell nothing apart
        if same_transcript(own, texts, title, [r[0] for r in rows]):
            return str(other_id)
    return None


def _parse_origin(store: SQLStore, origin: Origin) -> Document | None:
    stored = store.get_raw(origin.sha256)
    if stored is None:
        return None
    raw = RawInput(path=stored.path, data=stored.data, kind=stored.kind, meta=stored.meta)
    doc = parse_raw(raw).doc
    if doc is not None:
        doc.origin = [origin]
    return doc


def _other_parts(store: SQLStore, doc: Document, path: str) -> bool:
    """True when the stored document ``doc.id`` holds rows of ``path``'s table other than it."""
    stored = store.get(doc.id)
    table = path.partition("#row=")[0]
    return stored is not None and any(
        o.path.partition("#row=")[0] == table and "#row=" in o.path and o.path != path
        for o in stored.origin
    )


def joined_parts(
    store: SQLStore, stored: Document, new: Document | None = None
) -> tuple[Document, str]:
    """The stored document's parts (its rows of one table with different texts, ``new``
    replacing the row it comes from) joined in row order, and the raw input of the first
    part. Origins that carry the same text as a part stay as routes, after the parts."""
    table = stored.origin[0].path.partition("#row=")[0]
    replaced = new.origin[0].path if new is not None else None
    parts: dict[str, Document] = {}  # content hash -> the part (the first row that has it)
    routes = []
    for origin in stored.origin:
        if origin.path == replaced:
            continue
        part = None
        if "#row=" in origin.path and origin.path.partition("#row=")[0] == table:
            part = _parse_origin(store, origin)
        key = content_hash(part) if part is not None else None
        if part is None or key in parts:
            routes.append(origin)
        else:
            parts[key] = part  # type: ignore[index]
    if new is not None:
        parts.setdefault(content_hash(new), new)
    ordered = sorted(parts.values(), key=lambda d: row_number(d.origin[0].path))
    joined = join_parts(ordered)
    joined.id = stored.id
    joined.origin += routes
    return joined, ordered[0].origin[0].sha256


def merge_twins(store: SQLStore, doc_ids: list[str]) -> int:
    """Documents among ``doc_ids`` that are the same transcript as another stored document
    (``find_twin``; an archive ingested before near-duplicates were merged): the one seen first
    keeps its id and takes the other's origins and paths; the other is deleted. Returns the
    number of documents merged away."""
    seen = {
        r[0]: r[1] or ""
        for r in store.query("SELECT doc_id, min(seen_at) FROM revisions GROUP BY doc_id")
    }
    merged = 0
    for doc_id in doc_ids:
        while (doc := store.get(doc_id)) is not None and (twin := find_twin(store, doc)):
            keep, drop = sorted((doc_id, twin), key=lambda d: (seen.get(d, ""), d))
            kept, dropped = store.get(keep), store.get(drop)
            current = store.current(keep)
            assert kept is not None and dropped is not None and current is not None
            have = {(o.path, o.sha256) for o in kept.origin}
            kept.origin += [o for o in dropped.origin if (o.path, o.sha256) not in have]
            store.put_document(kept, current[0], current[1], label_rows(kept))
            store.query("UPDATE paths SET doc_id = ? WHERE doc_id = ?", (keep, drop))
            store.delete(drop)
            merged += 1
            if drop == doc_id:
                break
    return merged


def _has_parts(doc: Document) -> bool:
    """True for a document joined from several rows of one table (see ``joined_parts``)."""
    table = doc.origin[0].path.partition("#row=")[0] if doc.origin else ""
    rows = {o.sha256 for o in doc.origin if "#row=" in o.path and o.path.startswith(table + "#")}
    return len(rows) > 1 and doc.revision != doc.origin[0].sha256[:12]


def count_files(inputs: list[Path]) -> int:
    return sum(1 for _ in iter_paths(inputs))


def reparse(store: SQLStore, *, everything: bool = False) -> Counter[str]:
    """Re-derive documents from their stored raw inputs with the current parser, under the
    ids they have."""
    counts: Counter[str] = Counter()
    rows = store.query("SELECT id, raw_sha256, parser_version, record FROM documents").fetchall()
    done: list[str] = []
    store.begin()
    try:
        for doc_id, sha, version, record in rows:
            if not everything and version == PARSER_VERSION:
                counts["current"] += 1
                continue
            stored = store.get_raw(sha)
            if stored is None:
                counts["missing raw"] += 1
                continue
            raw = RawInput(path=stored.path, data=stored.data, kind=stored.kind, meta=stored.meta)
            p = parse_raw(raw)
            if p.doc is None:
                counts["failed"] += 1
                continue
            before = Document.from_dict(json.loads(record))
            p.doc.origin = before.origin
            # the id the ingest gave stays (permalinks): a table's ``-rowN`` parts and an
            # edited URL-less page (whose id hashes its first text) parse to another id
            p.doc.id = doc_id
            done.append(doc_id)
            if _has_parts(before):  # rows of one table joined into one document
                joined, sha = joined_parts(store, before)
                store.put_document(joined, sha, content_hash(joined), label_rows(joined))
                counts["reparsed"] += 1
                continue
            store.put_document(p.doc, sha, p.content_hash, label_rows(p.doc))
            counts["reparsed"] += 1
        if done:
            counts["merged"] = merge_twins(store, done)
            if not counts["merged"]:
                del counts["merged"]
        store.commit()
    except BaseException:
        store.rollback()
        raise
    after_ingest(store)
    return counts
