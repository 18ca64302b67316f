"""A concordance's turns read from the store by row id, in forked processes when there are
many."""

from __future__ import annotations

import contextlib
import functools
import gc
import multiprocessing
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, cast

import tantivy

from communique.search.ast import Node
from communique.search.kwic import DocInfo, KwicLine, Matcher, Turn, sort_keys, turn_lines
from communique.search.schema import TURN_BITS, doc_hash, known_or_none, stored_text
from communique.store.chunks import SQL_BATCH, in_chunks
from communique.store.paths import is_url

Fetch = Callable[[str, Any], Iterable[Any]]  # a store's ``query``: (sql, args) -> rows


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection meanwhile: a concordance makes hundreds of thousands of
    tuples (none in a cycle), and each collection would walk all of them again."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


Items = list[tuple[int, int, int | None]]  # (order, chrono key, store rowid) of hits


def hit_items(
    searcher: tantivy.Searcher, hits: list[tuple[Any, tantivy.DocAddress]], offset: int
) -> Items:
    """(order, chrono key, store rowid) of hits sorted by ``chrono`` (the value each carries)."""
    rowids = searcher.fast_field_values("rowid", [a for _, a in hits])
    return [
        (order, int(key), rowid)
        for order, ((key, _), rowid) in enumerate(zip(hits, rowids, strict=True), start=offset)
    ]


def _fetch_turns(fetch: Fetch, items: Items) -> list[Turn | None]:
    """The turns of ``items`` from the store by rowid, in the same order; None for a row that
    is no longer the turn the index saw (``chrono`` holds a checksum of its id and number)."""
    want = sorted({r for _, _, r in items if r is not None})
    rows: dict[int | None, Turn] = {}
    sql = "SELECT doc_id, n, speaker, role, text, rowid FROM turns WHERE rowid IN"
    for marks, chunk in in_chunks(want):
        rows.update({r[5]: r for r in fetch(f"{sql} ({marks})", chunk)})
    hashes: dict[str, int] = {}  # crc24(doc id) << 16, by document
    out: list[Turn | None] = []
    for _, key, rowid in items:
        row = rows.get(rowid)
        if row is not None:
            h = hashes.get(row[0])
            if h is None:
                h = hashes[row[0]] = doc_hash(row[0])
            if key & TURN_BITS != h | min(row[1], 0xFFFF):
                row = None
        out.append(row)
    return out


def _doc_info(fetch: Fetch, ids: set[str]) -> dict[str, DocInfo]:
    """(revision, date, publisher, title) of documents, from the store."""
    out: dict[str, DocInfo] = {}
    want = sorted(ids)
    sql = "SELECT id, revision, date, publisher, title FROM documents WHERE id IN"
    for marks, chunk in in_chunks(want):
        for r in fetch(f"{sql} ({marks})", chunk):
            out[r[0]] = tuple(r[1:])
    return out


def stored_turn(doc: tantivy.Document) -> Turn:
    """A turn as the index holds it (when its store row changed)."""
    return (doc.get_first("doc_id"), doc.get_first("n"), known_or_none(doc.get_first("speaker")),
            doc.get_first("role"), stored_text(doc), None)  # fmt: skip


Chunk = tuple[list[KwicLine], list[str], bool]  # lines, their sort keys, done


@dataclass(frozen=True)
class KwicJob:
    """What a concordance needs to turn hits into lines, in this process or a forked one."""

    target: str  # the store: a SQLite file or a PostgreSQL URL
    node: Node
    width: int
    sort: str

    def run(
        self,
        fetch: Fetch,
        items: Items,
        stored: Callable[[list[int]], list[Turn]] | None = None,
    ) -> Chunk:
        """The lines of ``items`` and their sort keys. Turns whose store row changed are read
        with ``stored`` (from the index, by order); without it, the chunk comes back not done."""
        matcher, lines = Matcher(self.node), []
        for i in range(0, len(items), SQL_BATCH):  # a batch at a time: texts do not pile up
            part = items[i : i + SQL_BATCH]
            turns = _fetch_turns(fetch, part)
            if None in turns:
                if stored is None:
                    return [], [], False
                missing = [k for k, t in enumerate(turns) if t is None]
                for k, turn in zip(missing, stored([part[k][0] for k in missing]), strict=True):
                    turns[k] = turn
            found = cast(list[Turn], turns)
            docs = _doc_info(fetch, {t[0] for t in found})
            lines += turn_lines(found, matcher, self.width, docs)
        if self.sort not in ("left", "right"):
            return lines, [], True
        keys = sort_keys(lines, self.sort)
        order = sorted(range(len(lines)), key=keys.__getitem__)  # sorted runs merge quickly
        return [lines[i] for i in order], [keys[i] for i in order], True

    def run_apart(self, items: Items) -> Chunk:
        """``run`` in a worker process, on its own read-only connection to the store. The
        lines come back as plain tuples: they pickle several times faster than named ones."""
        if is_url(self.target):
            from communique.store.postgres import PostgresStore

            store = PostgresStore(self.target, migrate=False)
            try:
                lines, keys, done = self.run(store.query, items)
            finally:
                store.close()
        else:
            db = sqlite3.connect(f"file:{self.target}?mode=ro", uri=True)
            try:
                lines, keys, done = self.run(db.execute, items)
            finally:
                db.close()
        plain = list(map(tuple, lines))  # made KwicLines again by kwic_parallel
        return cast(list[KwicLine], plain), keys, done


def kwic_parallel(
    job: KwicJob, items: Items, workers: int, here: Callable[[Items], Chunk]
) -> tuple[list[KwicLine], list[str]]:
    """``items`` in ``workers`` equal chunks: the first done ``here`` (this process), the
    others by forked processes at the same time (they only read SQLite and run Python). A
    chunk a worker could not finish (rows changed in the store) is done again ``here``."""
    size = -(-len(items) // workers)
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max(len(chunks) - 1, 1), mp_context=ctx) as pool:
        futures = [pool.submit(job.run_apart, chunk) for chunk in chunks[1:]]
        results = [here(chunks[0])] + [f.result() for f in futures]
    lines: list[KwicLine] = []
    keys: list[str] = []
    for k, (chunk, (found, found_keys, done)) in enumerate(zip(chunks, results, strict=True)):
        if not done:
            found, found_keys, _ = here(chunk)
        elif k:  # plain tuples from a worker
            found = list(map(_as_line, found))
        lines += found
        keys += found_keys
    return lines, keys


_as_line = functools.partial(tuple.__new__, KwicLine)  # a tuple as a KwicLine, quickly
