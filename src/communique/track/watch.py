"""Saved searches ("watches"): a name, a query and filters, kept in the store.

A watch's filters use the names of the search URL's query string (``speaker``, ``role``,
``kind``, ``lang``, ``publisher``, ``entity``, ``from``, ``to``), so ``/search?q=<query>&<filters>``
is its search page. Its latest hits are the matching turns of the documents that arrived in the
archive most recently (a document arrives when its first revision is stored), newest first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from communique.search.ast import MatchAll, Query
from communique.search.index import Hit, SearchIndex, SearchResults
from communique.search.query import parse_query
from communique.search.selection import Selection, make_filters
from communique.store.chunks import in_chunks

FILTER_KEYS = ("speaker", "role", "kind", "lang", "publisher", "entity", "from", "to")
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")
FEED_ENTRIES = 50
_FETCH = 2000  # hits read at once while walking the documents by arrival
_FIRST_CHUNK = 32  # documents in the first group searched; each next group is four times larger
_LARGEST_CHUNK = 4096


class WatchError(ValueError):
    """A watch that cannot be saved or found; the message says what to change."""


@dataclass
class Watch:
    name: str
    query: str
    filters: dict[str, str]
    created: str

    def selection(self) -> Selection:
        """The query and filters as a :class:`Selection` (several speakers kept apart)."""
        f = self.filters
        return Selection(
            q=self.query, speaker=tuple(s for s in f.get("speaker", "").split("|") if s.strip()),
            role=f.get("role", ""), kind=f.get("kind", ""), lang=f.get("lang", ""),
            publisher=f.get("publisher", ""), entity=f.get("entity", ""),
            date_from=f.get("from", ""), date_to=f.get("to", ""),
        )  # fmt: skip

    def query_string(self) -> dict[str, str]:
        """The search page's parameters (``q`` and the filters)."""
        params = {"q": self.query}
        params.update({k: v for k, v in self.filters.items() if k != "speaker"})
        if self.filters.get("speaker"):
            params["speaker"] = self.filters["speaker"].replace("|", ",")
        return {k: v for k, v in params.items() if v}

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "query": self.query, "filters": self.filters,
                "created": self.created}  # fmt: skip


def clean_filters(filters: dict[str, Any]) -> dict[str, str]:
    """Known filter names only, empty ones left out; several speakers joined with ``|``."""
    unknown = sorted(set(filters) - set(FILTER_KEYS))
    if unknown:
        raise WatchError(f"unknown filter {unknown[0]!r}: use {', '.join(FILTER_KEYS)}")
    out = {}
    for key in FILTER_KEYS:
        value = filters.get(key)
        if isinstance(value, list | tuple):
            sep = "|" if key == "speaker" else ","
            value = sep.join(str(v).strip() for v in value if str(v).strip())
        if value:
            out[key] = str(value).strip()
    return out


def add_watch(store: Any, name: str, query: str, filters: dict[str, Any] | None = None) -> Watch:
    """Check and save a watch (replacing one of the same name).

    The name goes in URLs (``/feeds/<name>.atom``): letters, digits, ``.``, ``_`` and ``-``. The
    query must parse and the filters must be valid (an unknown role, kind, entity or a malformed
    date is refused with the reason); an empty query with filters watches everything they match.
    """
    _check_text("the watch name", name)
    _check_text("the query", query)
    for key, value in (filters or {}).items():
        _check_text(f"the filter {key!r}", key)
        for v in value if isinstance(value, list | tuple) else [value]:
            _check_text(f"the filter {key!r}", str(v))
    if not NAME.fullmatch(name or ""):
        raise WatchError(
            f"watch name {name!r}: use 1-80 letters, digits, '.', '_' or '-' "
            "(it is part of the feed's URL), starting with a letter or digit"
        )
    cleaned = clean_filters(filters or {})
    if not query.strip() and not cleaned:
        raise WatchError("a watch needs a query or at least one filter")
    watch = Watch(name, query.strip(), cleaned, "")
    try:
        if watch.query:
            parse_query(watch.query)
        watch.selection().make_filters()
    except ValueError as e:
        raise WatchError(str(e)) from None
    store.put_watch(name, watch.query, cleaned)
    return get_watch(store, name)


def _check_text(what: str, value: str) -> None:
    """Refuse text that is not valid Unicode (a lone surrogate such as ``\\udfff``, which no
    store can keep) with a :class:`WatchError` naming where it is."""
    try:
        str(value).encode("utf-8")
    except UnicodeEncodeError as e:
        bad = str(value)[e.start]
        raise WatchError(
            f"{what} holds a character that is not valid text (U+{ord(bad):04X}, half of a "
            f"surrogate pair) at position {e.start}: remove it"
        ) from None


def watches(store: Any) -> list[Watch]:
    return [Watch(w["name"], w["query"], w["filters"], w["created"]) for w in store.watches()]


def get_watch(store: Any, name: str) -> Watch:
    for w in watches(store):
        if w.name == name:
            return w
    raise WatchError(f"no watch named {name!r} (see: communique watch list)")


def remove_watch(store: Any, name: str) -> None:
    if not store.delete_watch(name):
        raise WatchError(f"no watch named {name!r} (see: communique watch list)")


@dataclass
class WatchHit:
    """A hit of a watch and when its document arrived in the archive."""

    hit: Hit
    arrived: str


def arrivals(store: Any, offset: int, limit: int) -> list[tuple[str, str]]:
    """(document id, when its first revision was stored), latest arrival first."""
    rows = store.rows(
        "SELECT r.doc_id, min(r.seen_at) AS arrived FROM revisions r, documents d "
        "WHERE d.id = r.doc_id GROUP BY r.doc_id ORDER BY arrived DESC, r.doc_id "
        "LIMIT ? OFFSET ?",
        [limit, offset],
    )
    return [(r["doc_id"], r["arrived"]) for r in rows]


def arrived(store: Any, doc_ids: list[str]) -> dict[str, str]:
    """When each of ``doc_ids`` arrived (its first revision was stored)."""
    out: dict[str, str] = {}
    for marks, chunk in in_chunks(doc_ids, 500):
        rows = store.rows(
            "SELECT doc_id, min(seen_at) AS arrived FROM revisions "
            f"WHERE doc_id IN ({marks}) GROUP BY doc_id",
            chunk,
        )
        out.update((r["doc_id"], r["arrived"]) for r in rows)
    return out


def _search(index: SearchIndex, watch: Watch, doc: list[str] | None = None) -> SearchResults:
    """The first ``_FETCH`` hits of ``watch`` (in documents ``doc``), newest first."""
    query = parse_query(watch.query) if watch.query else Query(MatchAll())
    extra = make_filters(**watch.selection().filters(), doc=doc)
    return index.search(query, extra, sort="date", limit=_FETCH, text=watch.query)


def latest_hits(index: SearchIndex, watch: Watch, limit: int = FEED_ENTRIES) -> list[WatchHit]:
    """The hits of ``watch`` in ``index`` (and its store) in the documents that arrived last,
    newest arrival first (then by document date, newest first, and turn order).

    A watch with at most 2,000 hits is read whole; a broader one is searched in groups of
    documents by arrival (32, 128, 512, ... at a time) until ``limit`` hits are found.
    """
    res = _search(index, watch)
    if res.total <= len(res.hits):
        when = arrived(index.store, sorted({h.doc_id for h in res.hits}))
        found = [WatchHit(h, when.get(h.doc_id, "")) for h in res.hits]
    else:
        found = []
        offset, size = 0, _FIRST_CHUNK
        while len(found) < limit:
            group = arrivals(index.store, offset, size)
            if not group:
                break
            found += _hits_in(index, watch, group)
            offset, size = offset + len(group), min(size * 4, _LARGEST_CHUNK)

    def newest(w: WatchHit) -> tuple[str, str, str, int]:
        return (w.arrived, w.hit.date or "", w.hit.doc_id, -w.hit.n)

    return sorted(found, key=newest, reverse=True)[:limit]


def _hits_in(index: SearchIndex, watch: Watch, group: list[tuple[str, str]]) -> list[WatchHit]:
    """Every hit in the documents of ``group`` (split further while a part has too many)."""
    when = dict(group)
    res = _search(index, watch, list(when))
    if res.total > len(res.hits) and len(group) > 1:
        half = len(group) // 2
        return _hits_in(index, watch, group[:half]) + _hits_in(index, watch, group[half:])
    return [WatchHit(h, when.get(h.doc_id, "")) for h in res.hits]
