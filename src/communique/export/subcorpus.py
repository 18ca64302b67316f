"""A subcorpus: every turn a search (query and filters) matches, in corpus order.

The selection takes the same parameters as a search (``q``, ``speaker``, ``role``, ``kind``,
``lang``, ``publisher``, ``entity``, ``from``, ``to``); an empty query with filters selects every
turn the filters let through. The index gives the matching turns' store rows (oldest first,
undated last, each document's turns together and in order); texts are read from the store, a
few documents at a time, so an export never holds the whole subcorpus in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

import tantivy

from communique.model import Document, Turn
from communique.search.ast import MatchAll, Query
from communique.search.index import SearchIndex
from communique.search.query import parse_query
from communique.search.schema import TURN_BITS, doc_hash
from communique.search.selection import Selection
from communique.store.chunks import in_chunks
from communique.store.sql import SQLStore

T = TypeVar("T")
Guard = Callable[[Callable[[], T]], T]  # runs a read (e.g. under the web service's lock)
PAGE = 10_000  # hits read from the index at a time
SQL_BATCH = 500
DOC_BATCH = 20  # documents read from the store at a time
Key = tuple[str, int]  # (doc_id, n)


class TooMany(ValueError):
    """The selection has more turns than the caller allows."""


class EmptySelection(ValueError):
    """The selection matches no turn: there is nothing to export."""

    def __init__(self, selection: Selection) -> None:
        super().__init__(
            f"nothing to export: no turn matches {describe(selection)!r} "
            "(loosen the query or the filters)"
        )


def require(keys: list[Key], selection: Selection) -> list[Key]:
    """``keys`` when there are any; else ``EmptySelection``."""
    if not keys:
        raise EmptySelection(selection)
    return keys


def _direct(fn: Callable[[], T]) -> T:
    return fn()


def select(index: SearchIndex, selection: Selection, *, cap: int | None = None) -> list[Key]:
    """(doc_id, n) of every turn ``index`` (and its store) holds that matches, oldest first
    (undated last), each document's turns together and in order. Raises ``TooMany`` beyond
    ``cap`` turns, ``ValueError`` (or ``QueryError``) for a malformed query or filter."""
    query = parse_query(selection.q) if selection.q.strip() else Query(MatchAll())
    tq = index.query(index.expand(query), selection.make_filters())
    searcher = index.searcher()
    total = searcher.search(tq, 1, count=True).count or 0
    if cap is not None and total > cap:
        raise TooMany(
            f"the selection has {total:,} turns; at most {cap:,} can be exported at once "
            "(narrow it with filters, e.g. from/to, lang or publisher)"
        )
    keys: list[Key] = []
    store = index.store
    for offset in range(0, total, PAGE):
        hits = searcher.search(tq, PAGE, count=False, order_by_field="chrono", offset=offset,
                               order=tantivy.Order.Asc).hits  # fmt: skip
        addrs = [a for _, a in hits]
        rowids = searcher.fast_field_values("rowid", addrs)
        want = sorted({r for r in rowids if r is not None})
        rows: dict[int, tuple[str, int]] = {}
        for marks, chunk in in_chunks(want, SQL_BATCH):
            sql = f"SELECT rowid, doc_id, n FROM turns WHERE rowid IN ({marks})"
            rows.update({r[0]: (r[1], r[2]) for r in store.query(sql, chunk)})
        for (key, addr), rowid in zip(hits, rowids, strict=True):
            row = rows.get(rowid) if rowid is not None else None
            # the chrono key carries a checksum of the turn's id: a row the store has changed
            # since the index saw it is looked up in the index's own stored fields instead
            if row is None or int(key) & TURN_BITS != doc_hash(row[0]) | min(row[1], 0xFFFF):
                doc = searcher.doc(addr)
                row = (doc.get_first("doc_id"), int(doc.get_first("n")))
            keys.append(row)
    return keys


_ROLE_WORDS = {"question": "questions", "answer": "answers", "statement": "statements",
               "remark": "remarks", "moderator": "moderators' turns"}  # fmt: skip
_LANGUAGES = {"en": "English", "ru": "Russian", "zh": "Chinese"}


def _values(value: str | tuple[str, ...]) -> list[str]:
    items = [value] if isinstance(value, str) else list(value)
    return [v.strip() for item in items for v in item.split(",") if v.strip()]


def _either(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def describe(selection: Selection) -> str:
    """The selection in words: ``Answers by Sergey Lavrov matching “Kazakhstan”, in Russian,
    dated 2018 to 2019`` (``All turns`` for no query and no filter)."""
    from communique.cite import publisher_name

    roles = [_ROLE_WORDS.get(r, f"{r} turns") for r in _values(selection.role)]
    head = " and ".join(roles).capitalize() if roles else "All turns"
    parts = [head]
    if speakers := _values(selection.speaker):
        parts.append("by " + _either(speakers))
    if selection.q.strip():
        parts.append(f"matching “{selection.q.strip()}”")
    rest = []
    if entities := _values(selection.entity):
        rest.append("naming " + _either(entities))
    if kinds := _values(selection.kind):
        rest.append("in " + _either([k.replace("_", " ") + "s" for k in kinds]))
    if langs := _values(selection.lang):
        rest.append("in " + _either([_LANGUAGES.get(x, x) for x in langs]))
    if publishers := _values(selection.publisher):
        rest.append("published by " + _either([publisher_name(x) for x in publishers]))
    if selection.date_from and selection.date_to:
        rest.append(f"dated {selection.date_from} to {selection.date_to}")
    elif selection.date_from:
        rest.append(f"dated {selection.date_from} or later")
    elif selection.date_to:
        rest.append(f"dated {selection.date_to} or earlier")
    return ", ".join([" ".join(parts), *rest])


def doc_ids(keys: list[Key]) -> list[str]:
    """The documents of ``keys``, in their first turn's order."""
    return list(dict.fromkeys(d for d, _ in keys))


def documents(store: SQLStore, ids: list[str], *, guard: Guard = _direct) -> Iterator[Document]:
    """The documents ``ids`` from ``store``, ``DOC_BATCH`` at a time (each batch read through
    ``guard``); ids no longer in the store are left out."""
    for i in range(0, len(ids), DOC_BATCH):
        chunk = ids[i : i + DOC_BATCH]
        docs = guard(lambda chunk=chunk: [store.get(d) for d in chunk])
        yield from (d for d in docs if d is not None)


def turns(
    store: SQLStore, keys: list[Key], *, guard: Guard = _direct
) -> Iterator[tuple[Document, Turn]]:
    """Each selected turn with its document, in the order of ``keys``."""
    wanted: dict[str, list[int]] = {}
    for d, n in keys:
        wanted.setdefault(d, []).append(n)
    for doc in documents(store, list(wanted), guard=guard):
        by_n = {t.n: t for t in doc.turns}
        head = doc.head()  # turn 0: the lead, or the title of a document without turns
        if head is not None:
            by_n[0] = head
        for n in wanted[doc.id]:
            turn = by_n.get(n)
            if turn is not None:
                yield doc, turn
