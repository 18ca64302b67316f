"""The search index of one archive: ``SearchIndex``, the one class users hold (open, search,
facets, concordances), and the results it returns.

One tantivy document per turn, derived from the store and following it; it lives in
``<db>.index/`` beside the archive. Its parts: ``schema`` (fields and documents), ``build``
(building and following the change log), ``compile`` (queries and filters), ``facets``,
``budget`` and ``kwic_fetch``. Design notes: ``docs/search.md``.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import tantivy
from tantivy import Query as TQ

from communique.model import turn_permalink
from communique.search.ast import Filters, Node, Query
from communique.search.budget import Budget
from communique.search.build import IndexBuilder
from communique.search.compile import QueryCompiler
from communique.search.expand import AcronymTable
from communique.search.facets import aggregator, facet_counts, facet_request
from communique.search.kwic import SORTS as KWIC_SORTS
from communique.search.kwic import KwicLine, Matcher, Turn, snippet, sort_lines
from communique.search.kwic_fetch import KwicJob, gc_paused, hit_items, kwic_parallel, stored_turn
from communique.search.schema import build_schema, known_or_none, stored_text, unpack_meta
from communique.store.sql import SQLStore

SORTS = ("relevance", "date", "oldest")
KWIC_PARALLEL_MIN = 20_000  # hits from which a concordance is shared out to processes
KWIC_MAX_WORKERS = 8
# cores from which that pays: on two (virtual) cores, two processes each ran ~1.6x slower
# than one alone, and shipping the lines back costs more than the rest saves
KWIC_MIN_CORES = 3
TIE_WINDOW = 10_000  # hits looked at past a page to order equal scores alike on every replica


# -- results ----------------------------------------------------------------------------------


@dataclass
class Question:
    """The question an answer answers."""

    n: int
    who: str | None
    text: str


@dataclass(slots=True)
class Hit:
    """One matching turn, with what a reader needs to see and cite it."""

    doc_id: str
    n: int
    revision: str
    title: str | None
    date: str | None
    publisher: str | None
    kind: str | None
    lang: str | None
    speaker: str | None
    label: str | None
    affiliation: str | None
    role: str
    interpreted: bool
    answers: int | None
    question: Question | None
    snippet: str
    highlights: list[tuple[int, int]]  # spans of ``snippet`` to highlight
    text: str
    score: float | None
    role_uncertain: str | None = None  # why the role reads two ways (docs/record.md)

    @property
    def permalink(self) -> str:
        return turn_permalink(self.doc_id, self.n)

    @property
    def pinned(self) -> str:
        return turn_permalink(self.doc_id, self.n, self.revision)

    def to_dict(self) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in self.__slots__ if k != "text"}  # type: ignore[attr-defined]
        d["question"] = asdict(self.question) if self.question else None
        d["highlights"] = [list(s) for s in self.highlights]
        return {"permalink": self.permalink, "pinned": self.pinned, **d}


@dataclass
class SearchResults:
    query: str
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    offset: int = 0
    sort: str = "relevance"


# -- the index --------------------------------------------------------------------------------


class SearchIndex(IndexBuilder, QueryCompiler):
    """The tantivy index of one archive: build and follow the change log (``IndexBuilder``),
    compile queries (``QueryCompiler``), search, facets, concordances."""

    def __init__(self, store: SQLStore, path: str | Path | None = None) -> None:
        self.store = store
        self.path = Path(path) if path is not None else store.paths.index
        self.schema = build_schema()
        self._index: tantivy.Index | None = None
        self._build = ""  # the id of the build we opened (a rebuild elsewhere changes it)
        self._forms_cache: dict[str, frozenset[str]] = {}
        self._acronyms: AcronymTable | None = None

    # -- searching ------------------------------------------------------------------------------
    def searcher(self) -> tantivy.Searcher:
        return self.index.searcher()

    def matcher(self, node: Node) -> Matcher:
        return Matcher(node)

    def search(
        self,
        query: Query,
        extra: Filters | None = None,
        *,
        sort: str = "relevance",
        limit: int = 10,
        offset: int = 0,
        facets: bool = False,
        text: str = "",
        snippet_size: int = 240,
    ) -> SearchResults:
        """Top hits (with snippets and the question each answer answers), total, facets."""
        if sort not in SORTS:
            raise ValueError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
        if limit < 0 or offset < 0:
            raise ValueError("limit and offset must not be negative")
        budget = Budget()
        query = self.expand(query)
        tq = self.query(query, extra)
        searcher = self.searcher()
        if limit == 0:
            out = SearchResults(text, self.count(tq), [], offset=offset, sort=sort)
            out.facets = self.facets(tq, searcher) if facets else {}
            return out
        # facets are counted on another thread (tantivy lets go of the GIL) while this one
        # finds the top hits and makes their snippets: the same searcher, the same snapshot
        counting = aggregator().submit(searcher.aggregate, tq, facet_request()) if facets else None
        if sort == "relevance" and self.store.replicated:
            res = _by_relevance(searcher, tq, limit, offset)  # every replica ranks alike
        elif sort == "relevance":
            res = searcher.search(tq, limit, count=True, offset=offset)
        else:
            key, order = (
                ("chrono_desc", tantivy.Order.Desc)
                if sort == "date"
                else ("chrono", tantivy.Order.Asc)
            )
            res = searcher.search(tq, limit, count=True, order_by_field=key, offset=offset,
                                  order=order)  # fmt: skip
        matcher = self.matcher(query.node)
        hits = []
        for score, addr in res.hits:
            budget.check()
            hits.append(self._hit(searcher.doc(addr), score if sort == "relevance" else None,
                                  matcher, snippet_size))  # fmt: skip
        total = res.count if res.count is not None else len(hits)
        out = SearchResults(text, total, hits, offset=offset, sort=sort)
        if counting is not None:
            out.facets = facet_counts(counting.result())
        return out

    @staticmethod
    def _hit(doc: tantivy.Document, score: float | None, matcher: Matcher, size: int) -> Hit:
        text = stored_text(doc)
        meta = unpack_meta(doc.get_first("meta"))
        title, date, revision, label, affiliation, interp, answers, q_n, q_who, q_text = meta
        snip, marks = snippet(text, matcher.spans(text), size)
        return Hit(
            doc_id=doc.get_first("doc_id"), n=doc.get_first("n"), revision=revision, title=title,
            date=date, publisher=known_or_none(doc.get_first("publisher")),
            kind=known_or_none(doc.get_first("kind")), lang=known_or_none(doc.get_first("lang")),
            speaker=known_or_none(doc.get_first("speaker")), label=label, affiliation=affiliation,
            role=doc.get_first("role"), interpreted=bool(interp),
            answers=None if answers is None else int(answers),
            question=None if q_n is None else Question(int(q_n), q_who, q_text or ""),
            snippet=snip, highlights=marks, text=text,
            score=score, role_uncertain=known_or_none(doc.get_first("uncertain")),
        )  # fmt: skip

    def facets(self, tq: TQ, searcher: tantivy.Searcher | None = None) -> dict[str, dict[str, int]]:
        """Counts per year, publisher, kind, language, speaker and role of the query's hits."""
        return facet_counts((searcher or self.searcher()).aggregate(tq, facet_request()))

    def kwic(
        self,
        query: Query,
        extra: Filters | None = None,
        *,
        width: int = 60,
        sort: str = "corpus",
        limit: int | None = None,
    ) -> list[KwicLine]:
        """Every occurrence of the query's words in its hits, chronologically or sorted by the
        left or right context. With ``limit`` and a chronological sort, hits are read page by
        page until there are enough lines.

        The index gives the hits in order with their store row ids (a fast field); the texts
        come from the store, which reads many of them much faster than tantivy's document store.
        From ``KWIC_PARALLEL_MIN`` hits and ``KWIC_MIN_CORES`` cores, forked worker processes
        share the work.
        """
        if sort not in KWIC_SORTS:
            raise ValueError(f"sort must be one of {', '.join(KWIC_SORTS)}, not {sort!r}")
        with gc_paused():
            return self._kwic(query, extra, width, sort, limit)

    def _kwic(
        self, query: Query, extra: Filters | None, width: int, sort: str, limit: int | None
    ) -> list[KwicLine]:
        """``kwic``, its arguments checked."""
        budget = Budget()
        query = self.expand(query)
        tq = self.query(query, extra)
        searcher = self.searcher()
        lines: list[KwicLine] = []
        keys: list[str] = []
        paged = sort in ("corpus", "date") and limit is not None
        offset = 0
        while True:
            size = max(2 * (limit or 0), 100) if paged else max(self.count(tq), 1)
            hits = searcher.search(tq, size, count=False, order_by_field="chrono",
                                   offset=offset, order=tantivy.Order.Asc).hits  # fmt: skip
            found, found_keys = self._kwic_lines(query.node, searcher, hits, offset, width, sort)
            lines += found
            keys += found_keys
            offset += size
            budget.check()
            if not paged or len(hits) < size or len(lines) >= (limit or 0):
                break
        if sort in ("left", "right"):
            lines = sort_lines(lines, keys)
        return lines[:limit] if limit is not None else lines

    def _kwic_lines(
        self,
        node: Node,
        searcher: tantivy.Searcher,
        hits: list[tuple[Any, tantivy.DocAddress]],
        offset: int,
        width: int,
        sort: str,
    ) -> tuple[list[KwicLine], list[str]]:
        """The lines of ``hits`` (chronological) and their sort keys, on up to one process a
        core when there are many; a chunk whose rows changed in the store is done again here
        with those turns read from the index."""
        items = hit_items(searcher, hits, offset)
        by_order = {order: addr for order, (_, addr) in enumerate(hits, start=offset)}

        def stored(orders: list[int]) -> list[Turn]:
            return [stored_turn(searcher.doc(by_order[o])) for o in orders]

        job = KwicJob(self.store.target, node, width, sort)
        workers = min(os.cpu_count() or 1, KWIC_MAX_WORKERS)
        if len(items) < KWIC_PARALLEL_MIN or workers < KWIC_MIN_CORES:
            lines, keys, _ = job.run(self.store.query, items, stored)
            return lines, keys
        return kwic_parallel(
            job, items, workers, lambda part: job.run(self.store.query, part, stored)
        )

    def count(self, tq: TQ) -> int:
        return self.searcher().search(tq, 1, count=True).count or 0

    def close(self) -> None:
        self._index = None


@dataclass
class _Ranked:
    hits: list[tuple[float, tantivy.DocAddress]]
    count: int | None


def _by_relevance(searcher: tantivy.Searcher, tq: TQ, limit: int, offset: int) -> _Ranked:
    """The hits ``offset:offset+limit`` by score, equal scores in the order of the turns'
    ``chrono`` key then store rowid. Tantivy breaks ties by where a document sits in its
    segments, which differs between two indexes of the same archive (replicas build and merge
    segments at their own pace); looking past the page while scores tie (up to
    ``TIE_WINDOW`` hits) gives every replica the same answer. It costs: BM25 scores often tie
    (norms are quantised), and then more hits are collected (about 1 ms at p50 on 100,000
    documents), so it is used only for archives several servers share (``store.replicated``)."""
    want = offset + limit
    size = want
    while True:
        res = searcher.search(tq, size + 1, count=True)
        hits = res.hits
        if len(hits) <= want or hits[-1][0] < hits[want - 1][0]:
            break
        if size >= want + TIE_WINDOW:
            if hits[0][0] == hits[-1][0]:
                # every hit scores alike (a prefix query's constant score): the order is the
                # turns' chronological key, which the index sorts by itself
                asc = tantivy.Order.Asc
                by_key = searcher.search(
                    tq, limit, count=False, offset=offset, order_by_field="chrono", order=asc
                )
                return _Ranked([(hits[0][0], a) for _, a in by_key.hits], res.count)
            break
        size = min(size * 4, want + TIE_WINDOW)
    addrs = [a for _, a in hits]
    chrono = searcher.fast_field_values("chrono", addrs)
    rowid = searcher.fast_field_values("rowid", addrs)
    order = sorted(range(len(hits)), key=lambda i: (-hits[i][0], chrono[i], rowid[i]))
    return _Ranked([hits[i] for i in order[offset:want]], res.count)
