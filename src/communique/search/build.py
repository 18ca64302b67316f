"""Building the index from the store and following its change log.

``communique-index.json`` in the index directory records the schema version and the last
``changes.seq`` applied (written only after tantivy's commit), so a process that dies between
the store and the index is caught up on the next open by re-indexing only the documents
changed since. A build is made in ``<index>.tmp-PID`` and swapped in.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import shutil
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy
from tantivy import Occur
from tantivy import Query as TQ

from communique.search.analysis import register, segment_many
from communique.search.expand import AcronymTable
from communique.search.schema import (
    HAS_LEAD,
    HEAD_SQL,
    INDEX_VERSION,
    TURN_SQL,
    head_docs,
    needs_segmenting,
    turn_docs,
)
from communique.search.space import full_disk_error, swap_in
from communique.store.chunks import in_chunks
from communique.store.sql import SQLStore

STATE = "communique-index.json"
BUILD_HEAP = 1_000_000_000
POOL_MIN_ZH_DOCS = 200  # segment Chinese in worker processes when a build has this many
SYNC_HEAP = 200_000_000


@dataclass
class SyncReport:
    """What a sync did: documents re-indexed or removed, and the seq range applied."""

    documents: int = 0
    turns: int = 0
    heads: int = 0  # leads and turnless titles indexed as turn 0 (not counted in ``turns``)
    from_seq: int = 0
    to_seq: int = 0
    rebuilt: bool = False
    skipped: str | None = None  # why nothing was done (another process holds the writer)


def _segmenting_pool() -> ProcessPoolExecutor | None:
    """Worker processes for Chinese segmentation, started before the index writer's threads
    (they are forked: a spawned worker would re-run the caller's main script). None where
    processes cannot be forked: segmentation is then done inline."""
    workers = max(1, min((os.cpu_count() or 2) - 1, 8))
    try:
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
        for f in [pool.submit(segment_many, ["中文"]) for _ in range(workers)]:
            f.result()  # all started (and jieba loaded) now
    except (ValueError, OSError, BrokenProcessPool):
        return None
    return pool


def _segmented(
    groups: Iterable[list[Any]], pool: ProcessPoolExecutor | None, size: int = 50
) -> Iterator[tuple[list[list[Any]], dict[str, str]]]:
    """Batches of documents, with their Chinese texts segmented ahead in worker processes.

    Segmentation is the slowest step of a build. Batches come out in any order (the index does
    not care): a ready one first, else one the workers have not started, segmented here.
    """
    pending: list[tuple[list[list[Any]], list[str], Future[list[str]] | None]] = []
    batch: list[list[Any]] = []

    def submit() -> None:
        if pool is None:  # segmented inline by turn_docs
            pending.append((batch, [], None))
            return
        texts = sorted({t for g in batch for r in g if (t := needs_segmenting(r[14]))})
        fut = pool.submit(segment_many, texts) if texts else None
        pending.append((batch, texts, fut))

    def take() -> tuple[list[list[Any]], dict[str, str]]:
        while True:
            ready = [i for i, p in enumerate(pending) if p[2] is None or p[2].done()]
            if ready:
                done, texts, fut = pending.pop(ready[0])
                result = fut.result() if fut is not None else []
                return done, dict(zip(texts, result, strict=True))
            for i in reversed(range(len(pending))):
                fut = pending[i][2]
                if fut is not None and fut.cancel():
                    done, texts, _ = pending.pop(i)
                    return done, dict(zip(texts, segment_many(texts), strict=True))
            wait([p[2] for p in pending if p[2] is not None], return_when=FIRST_COMPLETED)

    for group in groups:
        batch.append(group)
        if len(batch) >= size:
            submit()
            batch = []
            if len(pending) > 32:
                yield take()
    if batch:
        submit()
    while pending:
        yield take()


def _by_document(rows: Iterable[Any]) -> Iterator[list[Any]]:
    """Consecutive rows grouped by their document id."""
    group: list[Any] = []
    for r in rows:
        if group and r[0] != group[0][0]:
            yield group
            group = []
        group.append(r)
    if group:
        yield group


class IndexBuilder:
    """The part of ``SearchIndex`` that builds its directory and keeps it in line with the
    store (the attributes below are set by ``SearchIndex``)."""

    store: SQLStore
    path: Path
    schema: tantivy.Schema
    _index: tantivy.Index | None
    _build: str
    _forms_cache: dict[str, frozenset[str]]
    _acronyms: AcronymTable | None

    # -- state ----------------------------------------------------------------------------------
    def state(self) -> dict[str, Any] | None:
        """The recorded version and last applied seq, or None if there is no usable index."""
        try:
            return json.loads((self.path / STATE).read_text())
        except (OSError, ValueError):
            return None

    @property
    def seq(self) -> int:
        return int((self.state() or {}).get("seq", -1))

    def contents(self) -> dict[str, int]:
        """Document id -> turns the index holds for it (deleted ones not counted). Read only:
        never builds or syncs; empty when there is no usable index (``communique check``)."""
        if not self._usable():
            return {}
        searcher = tantivy.Index.open(str(self.path)).searcher()
        turns = TQ.boolean_query(  # heads (turn 0) are not rows of the store's turns table
            [(Occur.Must, TQ.all_query()), (Occur.MustNot, TQ.term_query(self.schema, "n", 0))]
        )
        found = searcher.terms_with_prefix("doc_id", "", filter_query=turns)
        return {term: count for term, count in found if count}

    def _write_state(self, seq: int, build: str, path: Path | None = None) -> None:
        """Record the last applied seq (after tantivy's commit: never ahead of the index)."""
        target = (path or self.path) / STATE
        tmp = target.with_suffix(".tmp")
        with open(tmp, "w") as f:
            json.dump({"version": INDEX_VERSION, "seq": seq, "build": build}, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)

    def _usable(self) -> bool:
        st = self.state() or {}
        return st.get("version") == INDEX_VERSION and (self.path / "meta.json").exists()

    # -- open, build, sync ----------------------------------------------------------------------
    @property
    def index(self) -> tantivy.Index:
        if self._index is None:
            self.open()
        assert self._index is not None
        return self._index

    def open(self, sync: bool = True) -> SyncReport:
        """Open the index (building it if missing or outdated), then catch up with the store."""
        remove_stale_builds(self.path)
        if not self._usable():
            return self.rebuild()
        try:
            self._open_dir()
        except ValueError:  # unreadable (a damaged directory): it is derived, build it again
            return self.rebuild()
        return self.sync() if sync else SyncReport(from_seq=self.seq, to_seq=self.seq)

    def _open_dir(self) -> None:
        self._build = str((self.state() or {}).get("build", ""))
        self._index = tantivy.Index.open(str(self.path))
        register(self._index)
        self._forms_cache.clear()

    def rebuild(self) -> SyncReport:
        """Build the index from the store in a fresh directory, then swap it in."""
        self._acronyms = None
        self._index = None  # let go of the old one (and its reader threads) first
        tmp = self.path.with_name(self.path.name + f".tmp-{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        report = SyncReport(rebuilt=True)
        store = self.store
        pool = None
        try:
            try:
                with store.snapshot():  # one snapshot: the turns and the seq they correspond to
                    seq = store.last_change()
                    zh = store.query("SELECT count(*) FROM documents WHERE lang = 'zh'")
                    if zh.fetchone()[0] >= POOL_MIN_ZH_DOCS and (os.cpu_count() or 1) > 1:
                        pool = _segmenting_pool()
                    index = tantivy.Index(self.schema, path=str(tmp))
                    register(index)
                    writer = index.writer(heap_size=BUILD_HEAP)
                    rows = store.stream(TURN_SQL + " ORDER BY d.id, t.n")
                    for batch, segmented in _segmented(_by_document(rows), pool):
                        for group in batch:
                            for doc in turn_docs(group, seq, segmented):
                                writer.add_document(doc)
                                report.turns += 1
                            report.documents += 1
                    for doc in head_docs(store.stream(HEAD_SQL, (HAS_LEAD,)), seq):
                        writer.add_document(doc)
                        report.heads += 1
            finally:
                if pool is not None:
                    pool.shutdown(cancel_futures=True)
            writer.commit()
            writer.wait_merging_threads()
            del writer, index
            self._write_state(seq, os.urandom(8).hex(), tmp)
        except BaseException as e:
            full = full_disk_error(e, tmp)  # before the clean-up frees the space
            shutil.rmtree(tmp, ignore_errors=True)
            if full is not None:
                raise full from e
            raise
        swap_in(tmp, self.path)
        self._open_dir()
        report.from_seq = report.to_seq = seq
        return report

    def sync(self) -> SyncReport:
        """Apply the store's changes since the recorded seq: each changed document's turns are
        deleted from the index and its current turns (if it still exists) added again."""
        if self._index is None or not self._usable():
            self._acronyms = None
            return self.open()
        if (self.state() or {}).get("build") != self._build:
            self._open_dir()  # another process rebuilt the index since we opened it
        start = self.seq
        report = SyncReport(from_seq=start, to_seq=start)
        store = self.store
        if store.query("SELECT 1 FROM changes WHERE seq > ? LIMIT 1", (start,)).fetchone() is None:
            return report
        try:
            writer = self._index.writer(heap_size=SYNC_HEAP)
        except ValueError as e:  # another process is writing this index (and syncing it)
            report.skipped = str(e).split(".")[0]
            return report
        start = report.from_seq = self.seq  # read again, now that no one else can change it
        self._acronyms = None  # definitions may have changed with the documents
        try:
            with store.snapshot():  # one snapshot: the changes and the documents' current turns
                self._apply_changes(writer, start, report)
            writer.commit()
            writer.wait_merging_threads()
        except BaseException as e:
            full = full_disk_error(e, self.path)
            with contextlib.suppress(Exception):  # a writer whose threads died cannot
                writer.rollback()
            if full is not None:
                raise full from e
            raise
        del writer
        self._write_state(report.to_seq, self._build)
        self._index.reload()
        self._forms_cache.clear()
        return report

    def _apply_changes(self, writer: tantivy.IndexWriter, start: int, report: SyncReport) -> None:
        """Re-add the current turns of every document changed after ``start`` (to_seq: the
        last change applied)."""
        store = self.store
        changes = store.query(
            "SELECT max(seq), doc_id FROM changes WHERE seq > ? GROUP BY doc_id", (start,)
        ).fetchall()
        ids = sorted(c[1] for c in changes)
        seq = max((c[0] for c in changes), default=start)
        for doc_id in ids:
            writer.delete_documents_by_term("doc_id", doc_id)
        for marks, chunk in in_chunks(ids, 500):
            rows = store.query(f"{TURN_SQL} WHERE d.id IN ({marks}) ORDER BY d.id, t.n", chunk)
            for group in _by_document(rows):
                for doc in turn_docs(group, seq):
                    writer.add_document(doc)
                    report.turns += 1
            heads = store.query(f"{HEAD_SQL} AND d.id IN ({marks})", [HAS_LEAD, *chunk])
            for doc in head_docs(heads, seq):
                writer.add_document(doc)
                report.heads += 1
        report.documents, report.to_seq = len(ids), seq


def remove_stale_builds(path: Path) -> list[Path]:
    """Remove ``<index>.tmp-PID`` and ``<index>.old-PID`` left beside ``path`` by a build whose
    process is gone (killed mid-build); those of a live process are left alone."""
    removed = []
    for stale in path.parent.glob(f"{path.name}.*-*"):
        kind, _, pid = stale.name.removeprefix(path.name + ".").partition("-")
        if kind not in ("tmp", "old") or not pid.isdigit() or process_alive(int(pid)):
            continue
        shutil.rmtree(stale, ignore_errors=True)
        removed.append(stale)
    return removed


def process_alive(pid: int) -> bool:
    """Whether a process (not merely a thread: kill() accepts thread ids too) ``pid`` runs."""
    if pid == os.getpid():
        return True
    status = Path(f"/proc/{pid}/status")
    if Path("/proc/self").exists():
        try:
            tgid = next(ln for ln in status.read_text().splitlines() if ln.startswith("Tgid:"))
        except (OSError, StopIteration):
            return False
        return int(tgid.split()[1]) == pid
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
