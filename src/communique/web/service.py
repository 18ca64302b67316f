"""What the web interface and the REST API ask of the archive, in one thread-safe place.

Both front ends take their parameters through :class:`SearchParams` (so a page URL and an API URL
with the same query string mean the same search) and read through :class:`ArchiveService`.

Requests run side by side: each borrows a store connection from a bounded pool (SQLite in WAL
mode, or a PostgreSQL connection) and shares the one tantivy index (its searchers are
thread-safe). Only writes (uploads) and the background thread that follows the store's change
log hold the write lock, and readers never wait for it.
"""

from __future__ import annotations

import copy
import hashlib
import logging
import queue
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from communique.analysis.corpus import (
    Preparing,
    prepare_token_cache,
    share_token_cache,
    token_cache,
)
from communique.archive import Archive
from communique.enrich.align import Alignment, align
from communique.enrich.document import register
from communique.enrich.entities import entity_name, lookup
from communique.ingest.pipeline import Ingester, IngestReport
from communique.model import KINDS, ROLES, Document, Turn
from communique.search.analysis import segment
from communique.search.ast import MatchAll, Query
from communique.search.concordance import NotReady, concordance_of, prepare_concordance, serve
from communique.search.index import SORTS, SearchResults
from communique.search.kwic import SORTS as KWIC_SORTS
from communique.search.kwic import KwicLine
from communique.search.query import parse_query
from communique.search.selection import Selection
from communique.store.chunks import placeholders
from communique.store.paths import is_url
from communique.store.sql import SQLStore
from communique.store.sqlite import SQLiteStore
from communique.track.revisions import document_at
from communique.web.heavy import DEADLINE_S, QUEUE, WORKERS, Busy, HeavyPool

T = TypeVar("T")
MAX_PAGE_SIZE = 100
MAX_QUERY_CHARS = 2000
MAX_KWIC_LINES = 5000
SYNC_EVERY_S = 2.0  # how often the server applies the store's change log to its index
READERS = 32  # store connections requests may hold at once (more requests wait for one)
log = logging.getLogger(__name__)


def split_ref(doc_ref: str) -> tuple[str, str | None]:
    """``id`` or ``id@revision`` -> (id, revision or None)."""
    ident, _, revision = doc_ref.partition("@")
    return ident, revision or None


class BadRequest(ValueError):
    """A parameter a client sent is wrong; the message says which and what is allowed."""


def _one(params: Mapping[str, Any], name: str, default: str = "", *, many: bool = False) -> str:
    value = params.get(name, default)
    if many and hasattr(params, "getlist"):  # a query string: every value of a repeated name
        value = params.getlist(name) or default
    if isinstance(value, list | tuple):
        value = ",".join(str(v) for v in value if str(v).strip())
    value = str(value if value is not None else default).strip()
    if len(value) > MAX_QUERY_CHARS:
        raise BadRequest(f"{name} is longer than {MAX_QUERY_CHARS} characters")
    return value


DATE_PARAMS = ("from", "to", "since")
_FULL_DATE = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*")


def impossible_date(params: Mapping[str, Any]) -> str | None:
    """What is wrong with a day that does not exist in a date parameter (``from=2020-02-30``,
    ``to=2021-02-29``), or None. Partial dates (``2020``, ``2020-02``) are bounds, always fine;
    other shapes are left to the parameter's own check."""
    for name in DATE_PARAMS:
        values = params.getlist(name) if hasattr(params, "getlist") else [params.get(name)]
        for value in values:
            m = _FULL_DATE.fullmatch(str(value or ""))
            if m is None:
                continue
            y, mo, d = (int(g) for g in m.groups())
            try:
                date(y, mo, d)
            except ValueError as e:
                return f"{name}: {value.strip()!r} is not a date ({e})"
    return None


def all_values(params: Mapping[str, Any], name: str) -> Any:
    """Every value of ``name`` (a list, for a query string), for passing parameters on."""
    return params.getlist(name) if hasattr(params, "getlist") else params[name]


def int_param(params: Mapping[str, Any], name: str, default: int, lo: int, hi: int) -> int:
    """A whole-number parameter within [lo, hi], or a BadRequest that says so."""
    raw = _one(params, name, str(default)) or str(default)
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a whole number, not {raw!r}") from None
    if not lo <= value <= hi:
        raise BadRequest(f"{name} must be between {lo} and {hi}, not {value}")
    return value


def _choice(params: Mapping[str, Any], name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = _one(params, name, default) or default
    if value not in allowed:
        raise BadRequest(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def _listed(params: Mapping[str, Any], name: str, allowed: tuple[str, ...] | None) -> str:
    """A comma list (or a repeated parameter), checked against ``allowed`` when given."""
    value = _one(params, name, many=True)
    items = [v.strip() for v in value.split(",") if v.strip()]
    if allowed is not None:
        bad = [v for v in items if v.lower().replace("-", "_") not in allowed]
        if bad:
            raise BadRequest(f"{name} {bad[0]!r} is not one of {', '.join(allowed)}")
    return ",".join(items)


@dataclass(frozen=True)
class SearchParams(Selection):
    """A search as a URL says it: the :class:`Selection` (``q`` and the filters), the order and
    the page.

    ``from_query`` reads (and checks) a query string; ``to_query`` writes the canonical one back,
    so every search has one shareable URL.
    """

    speaker: str = ""  # a comma list (repeated ``speaker`` parameters joined)
    sort: str = "relevance"
    page: int = 1
    size: int = 20

    @classmethod
    def from_query(cls, params: Mapping[str, Any], *, default_size: int = 20) -> SearchParams:
        return cls(
            q=_one(params, "q"),
            speaker=_one(params, "speaker", many=True),
            role=_listed(params, "role", ROLES),
            kind=_listed(params, "kind", KINDS),
            lang=_listed(params, "lang", None).lower(),
            publisher=_listed(params, "publisher", None).lower(),
            entity=_listed(params, "entity", None),
            date_from=_one(params, "from"),
            date_to=_one(params, "to"),
            sort=_choice(params, "sort", "relevance", SORTS),
            page=int_param(params, "page", 1, 1, 10_000),
            size=int_param(params, "size", default_size, 1, MAX_PAGE_SIZE),
        )

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    def to_query(self, **changes: Any) -> dict[str, str]:
        """The canonical query string (defaults left out), with ``changes`` applied."""
        p = replace(self, **changes) if changes else self
        out = Selection.of(p).to_query()
        if p.sort != "relevance":
            out["sort"] = p.sort
        if p.page != 1:
            out["page"] = str(p.page)
        if p.size != 20:
            out["size"] = str(p.size)
        return {k: v for k, v in out.items() if v}


@dataclass(frozen=True)
class KwicParams:
    """A concordance as a URL says it: the search's filters plus width, order and line limit."""

    search: SearchParams
    width: int = 60
    sort: str = "corpus"
    limit: int = 500

    @classmethod
    def from_query(cls, params: Mapping[str, Any]) -> KwicParams:
        return cls(
            search=SearchParams.from_query(
                {k: all_values(params, k) for k in params if k != "sort"}
            ),
            width=int_param(params, "width", 60, 10, 300),
            sort=_choice(params, "sort", "corpus", KWIC_SORTS) if "sort" in params else "corpus",
            limit=int_param(params, "limit", 500, 1, MAX_KWIC_LINES),
        )


def selection_from_query(params: Mapping[str, Any]) -> Selection:
    """The :class:`Selection` of a query string (``from``/``to`` for the dates; paging, order
    and ``format`` left out), checked as a search is (``BadRequest`` for a bad value)."""
    keep = {k: v for k, v in _items(params) if k not in ("page", "size", "sort", "format")}
    return Selection.of(SearchParams.from_query(_Multi(keep)))


class _Multi(dict):  # type: ignore[type-arg]
    """A dict with ``getlist`` (what SearchParams reads repeated parameters with)."""

    def getlist(self, name: str) -> list[str]:
        value = self.get(name, [])
        return list(value) if isinstance(value, list | tuple) else [value]


def _items(params: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    getlist = getattr(params, "getlist", None)
    for k in params:
        yield k, (getlist(k) if getlist else params[k])


@dataclass
class TurnView:
    """A turn with what a reader needs around it: its document and the question it answers."""

    doc: Document
    turn: Turn
    question: Turn | None


@dataclass
class SpeakerSummary:
    name: str
    turns: int
    documents: int
    by_year: dict[str, int] = field(default_factory=dict)
    by_kind: dict[str, int] = field(default_factory=dict)
    by_role: dict[str, int] = field(default_factory=dict)
    labels: list[str] = field(default_factory=list)


@dataclass
class PersonSummary:
    id: str
    name: str
    kind: str  # official | journalist | outlet | person
    turns: int
    documents: int
    roles: list[dict[str, Any]] = field(default_factory=list)  # with the source of each
    names: list[str] = field(default_factory=list)  # the register's names and aliases
    labels: dict[str, int] = field(default_factory=dict)  # as the transcripts write them
    by_year: dict[str, int] = field(default_factory=dict)
    by_kind: dict[str, int] = field(default_factory=dict)
    by_role: dict[str, int] = field(default_factory=dict)
    latest: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class EntitySummary:
    id: str
    names: dict[str, str]
    mentions: int
    documents: int
    turns: int
    by_year: dict[str, int] = field(default_factory=dict)
    by_lang: dict[str, int] = field(default_factory=dict)
    speakers: list[dict[str, Any]] = field(default_factory=list)  # who names it most
    together: list[dict[str, Any]] = field(default_factory=list)  # named in the same turns
    # a country's heads of state and government and foreign ministers in the register
    governed_by: list[dict[str, Any]] = field(default_factory=list)


class _Readers:
    """A bounded pool of store connections for reads: a request borrows one and gives it back."""

    def __init__(self, open_one: Callable[[], SQLStore], size: int) -> None:
        self._open_one = open_one
        self._idle: queue.LifoQueue[SQLStore] = queue.LifoQueue()
        self._room = threading.BoundedSemaphore(size)  # connections that may still be opened
        self._all: list[SQLStore] = []
        self._lock = threading.Lock()

    @contextmanager
    def borrow(self) -> Iterator[SQLStore]:
        try:
            store = self._idle.get_nowait()
        except queue.Empty:
            if self._room.acquire(blocking=False):
                try:
                    store = self._open_one()
                except BaseException:
                    self._room.release()
                    raise
                with self._lock:
                    self._all.append(store)
            else:  # every connection is in use: wait for one
                store = self._idle.get()
        try:
            yield store
        finally:
            self._give_back(store)

    def _give_back(self, store: SQLStore) -> None:
        """Back to the pool; a connection the database closed (a restart) is dropped instead."""
        conn = getattr(store, "conn", None)  # PostgreSQL's
        if conn is not None and (conn.closed or conn.broken):
            with self._lock:
                self._all.remove(store)
            self._room.release()
            return
        if store.in_transaction:  # a request that stopped half-way through a read
            store.rollback()
        self._idle.put(store)

    def close(self) -> None:
        with self._lock:
            for store in self._all:
                store.close()
            self._all.clear()


class _Current:
    """``ArchiveService.archive``: the archive handle of the request running in this thread
    (inside :meth:`ArchiveService.run` and the service's methods), else the service's own;
    with ``part``, that handle's part (``ArchiveService.store``: its store)."""

    def __init__(self, service: ArchiveService, part: str = "") -> None:
        self._service = service
        self._part = part

    def __getattr__(self, name: str) -> Any:
        handle = self._service._handle()
        return getattr(getattr(handle, self._part) if self._part else handle, name)


class ArchiveService:
    """The archive behind the web interface and the API; requests read side by side."""

    def __init__(
        self,
        db_path: str | Path,
        *,
        sync_every: float = SYNC_EVERY_S,
        data_dir: str | Path | None = None,
        readers: int = READERS,
        heavy_workers: int = WORKERS,
        heavy_queue: int = QUEUE,
        deadline: float = DEADLINE_S,
    ) -> None:
        """``db_path``: a SQLite file or a PostgreSQL URL; ``data_dir``: where this server keeps
        its index, token cache and uploads (``store.paths.data_paths``); ``readers``: the most
        store connections requests hold at once. A thread applies the store's change log to the
        index every ``sync_every`` seconds (documents another process ingested). Heavy
        analyses run in ``heavy_workers`` processes with ``heavy_queue`` more waiting, each
        answered within ``deadline`` seconds or refused (``web.heavy``)."""
        self.db_path = db_path if is_url(db_path) else Path(db_path)
        self._data_dir = data_dir
        # the service's own archive: the writer (uploads) and the index's follower
        self._main = Archive(self.db_path, check_same_thread=False, data_dir=data_dir)
        self._lock = threading.RLock()  # writes and index syncs (never taken by a read)
        self._sync_every = sync_every
        self._cache: dict[str, Any] = {}
        self._generation = 0  # one more at each change of the archive
        self._local = threading.local()
        self._readers = _Readers(self._open_reader, readers)
        self.archive: Any = _Current(self)
        self.store: Any = _Current(self, "store")  # the store of the request's handle
        self._stop = threading.Event()
        self._main.index.acronyms()  # read once here, shared by every request's handle
        segment("中文")  # load the Chinese segmenter now, not in a first request
        # the analyses' word cache, built and updated by a thread of its own (with its own
        # connection), never in a request: until it is first built they answer "preparing"
        self._derived = self._view(self._open_reader(), shared=False)
        self._changed = threading.Event()
        self._changed.set()
        self._threads = [
            threading.Thread(target=self._follow, name="index-follower", daemon=True),
            threading.Thread(target=self._prepare, name="word-cache", daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        self._pool = HeavyPool(
            self.db_path, data_dir, workers=heavy_workers, queue_size=heavy_queue,
            deadline=deadline,
        )  # fmt: skip

    def close(self) -> None:
        self._stop.set()
        self._pool.close()
        for thread in self._threads:
            thread.join(timeout=10)  # a first build of the word cache may go on: it is derived
        with self._lock:
            self._readers.close()
            self._main.close()
            self._derived.store.close()

    # -- handles on the archive -----------------------------------------------------------------
    def _open_reader(self) -> SQLStore:
        """A store connection of its own for requests (the archive is migrated already)."""
        if is_url(self.db_path):
            from communique.store.postgres import PostgresStore

            return PostgresStore(str(self.db_path), migrate=False, data_dir=self._data_dir)
        return SQLiteStore(
            self.db_path, check_same_thread=False, data_dir=self._data_dir, migrate=False
        )

    def _view(self, store: SQLStore, *, shared: bool = True) -> Archive:
        """A handle on the archive for one request: its own store connection, the shared index
        (as last synced: a sync swaps in a new tantivy searcher, never changes one in use) and,
        if ``shared``, the word cache the service keeps up to date."""
        view = copy.copy(self._main)
        view.store = store
        view.index = copy.copy(self._main.index)
        view.index.store = store
        if shared:
            share_token_cache(view.index, self._derived.index)
        return view

    def _handle(self) -> Archive:
        return getattr(self._local, "view", None) or self._main

    @contextmanager
    def _reading(self) -> Iterator[Archive]:
        """This thread's request handle (re-entrant: nested calls share one connection)."""
        current = getattr(self._local, "view", None)
        if current is not None:
            yield current
            return
        with self._readers.borrow() as store:
            self._local.view = self._view(store)
            try:
                yield self._local.view
            finally:
                self._local.view = None

    def _follow(self) -> None:
        """Apply the store's change log to the index every ``sync_every`` seconds."""
        while not self._stop.wait(self._sync_every):
            try:
                self.sync()
            except Exception:  # the next round tries again; requests go on meanwhile
                log.exception("bringing the index up to date failed")

    def sync(self) -> None:
        """Apply the store's changes to the index now (documents another process ingested)."""
        with self._lock:
            done = self._main.sync()
            if done.documents or done.rebuilt:
                self._changed_now()

    def _changed_now(self) -> None:
        self._generation += 1
        self._cache.clear()  # what was counted over the archive is stale
        self._main.index.acronyms()
        self._changed.set()  # the word cache follows

    def _prepare(self) -> None:
        """Build the word cache, then update it after each change (the analyses read it)."""
        while not self._stop.is_set():
            if not self._changed.wait(1.0):
                continue
            self._changed.clear()
            try:
                prepare_token_cache(self._derived.index)
            except Exception:  # the next change tries again
                if not self._stop.is_set():
                    log.exception("preparing the word cache failed")
            try:
                prepare_concordance(self._derived.store)
            except Exception:  # the next change tries again
                if not self._stop.is_set():
                    log.exception("preparing the concordance store failed")

    def preparing(self) -> dict[str, Any]:
        """How far the derived data is: ``{"word_cache": {"ready": bool, "percent": N},
        "concordance": {...}}``."""
        try:
            token_cache(self._view(self._derived.store).index)
        except Preparing as e:
            words = {"ready": False, "percent": e.percent}
        else:
            words = {"ready": True, "percent": 100}
        conc = concordance_of(self._derived.store)
        if conc.state() is None:
            done = NotReady(*(conc.progress or (0, 0)))
            return {"word_cache": words, "concordance": {"ready": False, "percent": done.percent}}
        return {"word_cache": words, "concordance": {"ready": True, "percent": 100}}

    def run(self, fn: Callable[[Archive], T]) -> T:
        """Run ``fn(archive)`` with this request's handle on the archive (for analyses and
        exports that read the archive in their own way)."""
        with self._reading() as archive:
            return fn(archive)

    def heavy(self, fn: Callable[[Archive], T]) -> T:
        """``fn(archive)`` in the pool of analysis workers (keyness, collocations, verify, a
        sorted concordance...): :class:`web.heavy.Busy` when the queue is full or the deadline
        passes, :class:`Preparing` while the word cache is first built. ``fn`` may be a
        closure (it is sent with cloudpickle); what it returns must pickle."""
        try:
            return self._pool.call(fn, self.run)
        except Preparing:  # the worker knows it is not ready; the server knows how far it is
            state = self.preparing()["word_cache"]
            if state["ready"]:
                raise Busy("the word cache was just prepared: try again", 1) from None
            raise Preparing(state["percent"], 100) from None

    def _locked(self, fn: Callable[[], T]) -> T:
        """``fn()`` with this request's handle bound (``self.archive`` inside it). The name is
        historical: reads take no lock."""
        with self._reading():
            return fn()

    def _cached(self, key: str, fn: Callable[[], T]) -> T:
        """``fn()`` once until the archive changes (counts over the whole archive)."""
        if key in self._cache:
            return self._cache[key]
        generation = self._generation
        value = fn()
        if generation == self._generation:  # not counted over a state a sync has replaced
            self._cache[key] = value
        return value

    @property
    def _db(self) -> Any:
        """The store, for queries of the service's own (``?`` placeholders, either backend)."""
        return self.archive.store

    # -- search ---------------------------------------------------------------------------------
    def search(self, p: SearchParams, *, facets: bool = True) -> SearchResults:
        """Hits for ``p`` (an empty query lists every turn matching the filters)."""
        try:
            parsed = parse_query(p.q) if p.q else Query(MatchAll())  # no words: filters only
        except ValueError as e:
            raise BadRequest(str(e)) from None

        def run() -> SearchResults:
            return self.archive.search(
                parsed, sort=p.sort, limit=p.size, offset=p.offset, facets=facets,
                **p.filters(),
            )  # fmt: skip

        try:
            return self._locked(run)
        except ValueError as e:
            raise BadRequest(str(e)) from None

    def kwic(self, k: KwicParams) -> list[KwicLine]:
        """Concordance lines; sorted by context (every hit read), in the analysis workers."""
        if not k.search.q:
            raise BadRequest("a concordance needs a query (q)")
        try:
            if k.sort in ("left", "right"):
                served = self._locked(lambda: served_kwic(self.archive, k))
                if served is not None:  # from the concordance store: no worker needed
                    return served
                return self.heavy(partial(kwic_lines, k=k))
            return self._locked(lambda: kwic_lines(self.archive, k))
        except ValueError as e:
            raise BadRequest(str(e)) from None

    def kwic_count(self, k: KwicParams) -> int | None:
        """How many lines the whole concordance ``k`` has, from the concordance store (None
        when it cannot serve the query)."""
        try:
            return self._locked(lambda: served_kwic(self.archive, k, count_only=True))
        except (PreparingConcordance, ValueError):
            return None

    def parallel(self, places: list[tuple[str, int, int | None]]) -> list[list[dict[str, Any]]]:
        """For each (document id, turn number, character offset or None): the aligned passage
        in every other language version held (the parallel concordance)."""
        from communique.enrich.versions import parallel_passages

        def run() -> list[list[dict[str, Any]]]:
            memo: dict[str, Any] = {}
            return [[p.to_dict() for p in parallel_passages(self._db, d, n, at, memo)]
                    for d, n, at in places]  # fmt: skip

        return self._locked(run)

    # -- documents and turns --------------------------------------------------------------------
    def document(self, doc_id: str, revision: str | None = None) -> Document | None:
        """The document; with ``revision``, that version (re-derived from its raw input)."""
        return self._locked(lambda: self._document(doc_id, revision))

    def _document(self, doc_id: str, revision: str | None) -> Document | None:
        return document_at(self.archive.store, doc_id, revision)

    def revisions(self, doc_id: str) -> list[dict[str, Any]]:
        return self._locked(lambda: self.archive.store.revisions(doc_id))

    def turn(self, doc_id: str, n: int, revision: str | None = None) -> TurnView | None:
        doc = self.document(doc_id, revision)
        if doc is None:
            return None
        by_n = {t.n: t for t in doc.turns}
        turn = by_n.get(n) if n else doc.head()  # turn 0: the lead or a turnless title
        if turn is None:
            return None
        return TurnView(doc, turn, by_n.get(turn.answers) if turn.answers else None)

    def versions(self, doc_id: str) -> list[dict[str, Any]]:
        """The documents held that are other-language versions of ``doc_id``."""
        return self._locked(lambda: self.archive.store.version_links(doc_id))

    def versions_held(self, doc: Document) -> dict[str, str]:
        """Language -> id of the versions of ``doc`` held in the archive, ``doc`` included."""
        held = {v["lang"] or "": v["id"] for v in reversed(self.versions(doc.id))}
        held[doc.lang or ""] = doc.id
        return held

    def align(self, a_id: str, b_id: str) -> tuple[Document, Document, Alignment] | None:
        """Two documents and their turn-by-turn alignment (None if either is missing)."""
        a, b = self.document(a_id), self.document(b_id)
        if a is None or b is None:
            return None
        return a, b, align(a, b)

    def documents(
        self, *, publisher: str = "", kind: str = "", lang: str = "", page: int = 1,
        size: int = 20, newest_first: bool = True,
    ) -> tuple[int, list[dict[str, Any]]]:  # fmt: skip
        """(total, one page of document summaries) matching the filters."""
        if kind and kind not in KINDS:
            raise BadRequest(f"kind {kind!r} is not one of {', '.join(KINDS)}")
        publisher, lang = publisher.lower(), lang.lower()
        where, args = [], []
        for column, value in (("publisher", publisher), ("kind", kind), ("lang", lang)):
            if value:
                where.append(f"d.{column} = ?")
                args.append(value)
        sql = (" WHERE " + " AND ".join(where)) if where else ""
        order = "DESC" if newest_first else "ASC"

        def run() -> tuple[int, list[dict[str, Any]]]:
            total = self._db.query(f"SELECT count(*) FROM documents d{sql}", args).fetchone()[0]
            rows = self._db.query(
                "SELECT d.id, d.date, d.publisher, d.kind, d.lang, d.title, "
                "(SELECT count(*) FROM turns t WHERE t.doc_id = d.id) AS turns "
                f"FROM documents d{sql} ORDER BY d.date IS NULL, d.date {order}, d.id "
                "LIMIT ? OFFSET ?",
                [*args, size, (page - 1) * size],
            )
            return total, [dict(zip(_SUMMARY, r, strict=True)) for r in rows]

        return self._locked(run)

    # -- speakers -------------------------------------------------------------------------------
    def speakers(
        self, prefix: str = "", *, limit: int = 20, offset: int = 0
    ) -> list[dict[str, Any]]:
        """Speakers by number of turns; with ``prefix``, those whose name contains it."""
        escaped = prefix.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{escaped}%"

        def run() -> list[dict[str, Any]]:
            rows = self._db.query(
                "SELECT speaker, count(*) AS turns, count(DISTINCT doc_id) AS documents "
                "FROM turns WHERE speaker IS NOT NULL AND speaker LIKE ? ESCAPE '\\' "
                "GROUP BY speaker ORDER BY turns DESC, speaker LIMIT ? OFFSET ?",
                (like, limit, offset),
            )
            return [{"name": r[0], "turns": r[1], "documents": r[2]} for r in rows]

        if not escaped:  # the most frequent speakers: a scan of every turn, counted once
            return self._locked(lambda: self._cached(f"speakers:{limit}:{offset}", run))
        return self._locked(run)

    def speaker(self, name: str) -> SpeakerSummary | None:
        """Everything counted about one speaker: turns, documents, by year, kind and role."""

        def run() -> SpeakerSummary | None:
            one = self._db.query
            turns, docs = one(
                "SELECT count(*), count(DISTINCT doc_id) FROM turns WHERE speaker = ?", (name,)
            ).fetchone()
            if not turns:
                return None
            join = "FROM turns t JOIN documents d ON d.id = t.doc_id WHERE t.speaker = ?"
            by_year = one(
                f"SELECT coalesce(substr(d.date, 1, 4), '(none)'), count(*) {join} "
                "GROUP BY 1 ORDER BY 1",
                (name,),
            ).fetchall()
            by_kind = one(f"SELECT d.kind, count(*) {join} GROUP BY 1 ORDER BY 2 DESC", (name,))
            by_role = one(f"SELECT t.role, count(*) {join} GROUP BY 1 ORDER BY 2 DESC", (name,))
            labels = one(
                "SELECT DISTINCT label FROM turns WHERE speaker = ? AND label IS NOT NULL LIMIT 50",
                (name,),
            )
            return SpeakerSummary(
                name, turns, docs, dict(by_year), dict(by_kind.fetchall()),
                dict(by_role.fetchall()), sorted(r[0] for r in labels),
            )  # fmt: skip

        return self._locked(run)

    # -- people ---------------------------------------------------------------------------------
    @staticmethod
    def person_name(person_id: str) -> str:
        """The register's name for a person or outlet id (else the id made readable)."""
        person = register().people.get(person_id)
        if person is not None:
            return person.name
        slug = person_id.partition(":")[2] or person_id
        return slug.replace("-", " ").title()

    def person(self, person_id: str) -> PersonSummary | None:
        """One person (register id, ``outlet:…``, ``journalist:…``): roles with their sources,
        the labels the transcripts use, turns by year, kind and role, latest turns."""

        def run() -> PersonSummary | None:
            one = self._db.query
            turns, docs = one(
                "SELECT count(*), count(DISTINCT doc_id) FROM turns WHERE person = ?",
                (person_id,),
            ).fetchone()
            known = register().people.get(person_id)
            if not turns and known is None:
                return None
            join = "FROM turns t JOIN documents d ON d.id = t.doc_id WHERE t.person = ?"
            count = lambda sql: dict(one(sql, (person_id,)).fetchall())  # noqa: E731
            latest = one(
                "SELECT t.doc_id, t.n, d.date, d.title, d.lang, substr(t.text, 1, 300) "
                f"{join} ORDER BY d.date IS NULL, d.date DESC, t.doc_id, t.n LIMIT 10",
                (person_id,),
            ).fetchall()
            return PersonSummary(
                id=person_id, name=self.person_name(person_id),
                kind=known.kind if known else person_id.partition(":")[0] or "person",
                turns=turns, documents=docs,
                roles=[asdict(r) for r in (known.roles if known else [])],
                names=list(known.names) if known else [],
                labels=count(
                    "SELECT coalesce(label, speaker), count(*) FROM turns WHERE person = ? "
                    "GROUP BY 1 ORDER BY 2 DESC LIMIT 30"
                ),
                by_year=count(
                    f"SELECT coalesce(substr(d.date, 1, 4), '(none)'), count(*) {join} "
                    "GROUP BY 1 ORDER BY 1"
                ),
                by_kind=count(f"SELECT d.kind, count(*) {join} GROUP BY 1 ORDER BY 2 DESC"),
                by_role=count(f"SELECT t.role, count(*) {join} GROUP BY 1 ORDER BY 2 DESC"),
                latest=[dict(zip(("doc_id", "n", "date", "title", "lang", "text"), r, strict=True))
                        for r in latest],
            )  # fmt: skip

        return self._locked(run)

    def people(self, value: str = "", *, limit: int = 20, offset: int = 0) -> list[dict[str, Any]]:
        """People by number of turns; with ``value``, those whose id or label contains it."""
        escaped = value.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")

        def run() -> list[dict[str, Any]]:
            rows = self._db.query(
                "SELECT person, count(*), count(DISTINCT doc_id) FROM turns "
                "WHERE person IS NOT NULL AND (person LIKE ? ESCAPE '\\' OR "
                "coalesce(speaker, label) LIKE ? ESCAPE '\\') "
                "GROUP BY person ORDER BY 2 DESC, 1 LIMIT ? OFFSET ?",
                (f"%{escaped}%", f"%{escaped}%", limit, offset),
            )
            return [{"id": r[0], "name": self.person_name(r[0]), "turns": r[1], "documents": r[2]}
                    for r in rows]  # fmt: skip

        return self._locked(run)

    # -- entities -------------------------------------------------------------------------------
    def entities(
        self, value: str = "", *, limit: int = 20, offset: int = 0
    ) -> list[dict[str, Any]]:
        """Entities by number of mentions; with ``value`` (an id, code or name), that one."""
        wanted = lookup(value) if value.strip() else None

        def run() -> list[dict[str, Any]]:
            where, args = ("WHERE entity = ?", [wanted]) if wanted else ("", [])
            if value.strip() and not wanted:
                return []
            rows = self._db.query(
                "SELECT entity, count(*), count(DISTINCT doc_id) FROM mentions "
                f"{where} GROUP BY entity ORDER BY 2 DESC, 1 LIMIT ? OFFSET ?",
                [*args, limit, offset],
            )
            return [{"id": r[0], "name": entity_name(r[0]), "mentions": r[1], "documents": r[2]}
                    for r in rows]  # fmt: skip

        return self._locked(run)

    def entity(self, value: str) -> EntitySummary | None:
        """Mentions of one entity (an id, code or name) over time, who names it most, and the
        entities named with it in the same turns."""
        ident = lookup(value)
        if ident is None:
            return None

        def run() -> EntitySummary | None:
            one = self._db.query
            mentions, docs, turns = one(
                "SELECT count(*), count(DISTINCT doc_id), count(DISTINCT doc_id || '#' || n) "
                "FROM mentions WHERE entity = ?",
                (ident,),
            ).fetchone()
            join = "FROM mentions m JOIN documents d ON d.id = m.doc_id WHERE m.entity = ?"
            by_year = one(
                f"SELECT coalesce(substr(d.date, 1, 4), '(none)'), count(*) {join} "
                "GROUP BY 1 ORDER BY 1",
                (ident,),
            ).fetchall()
            by_lang = one(f"SELECT d.lang, count(*) {join} GROUP BY 1 ORDER BY 2 DESC", (ident,))
            speakers = one(
                "SELECT max(t.person), max(t.speaker), count(*) FROM mentions m "
                "JOIN turns t ON t.doc_id = m.doc_id AND t.n = m.n WHERE m.entity = ? "
                "AND coalesce(t.person, t.speaker) IS NOT NULL "
                "GROUP BY coalesce(t.person, t.speaker) ORDER BY 3 DESC LIMIT 15",
                (ident,),
            ).fetchall()
            together = one(
                "SELECT o.entity, count(DISTINCT o.doc_id || '#' || o.n) FROM mentions m "
                "JOIN mentions o ON o.doc_id = m.doc_id AND o.n = m.n AND o.entity != m.entity "
                "WHERE m.entity = ? GROUP BY 1 ORDER BY 2 DESC LIMIT 15",
                (ident,),
            ).fetchall()
            names = {lang: entity_name(ident, lang) for lang in ("en", "ru", "zh")}
            return EntitySummary(
                ident, names, mentions, docs, turns, dict(by_year), dict(by_lang.fetchall()),
                [{"person": pid, "name": self.person_name(pid) if pid else who, "mentions": n}
                 for pid, who, n in speakers],
                [{"id": e, "name": entity_name(e), "turns": n} for e, n in together],
                _governed_by(ident, one),
            )  # fmt: skip

        return self._locked(run)

    # -- the archive as a whole -----------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        """What the archive holds (counted once until it changes)."""
        counted = self._locked(lambda: self._cached("stats", self.archive.store.stats))
        # how far the store's change log and this server's index are (replicas converge), and
        # whether the derived data the analyses read is ready
        return {**counted, **self._locked(self.positions), "derived": self.preparing(),
                "analyses": self._pool.load()}  # fmt: skip

    def positions(self) -> dict[str, int]:
        """``change_seq``: the store's latest change; ``index_seq``: the latest this server's
        index has applied (it follows the change log every ``sync_every`` seconds)."""
        return {
            "change_seq": self.archive.store.last_change(),
            "index_seq": self.archive.index.seq,
        }

    def run_log(self, run_id: int) -> list[dict[str, Any]]:
        """What an ingest run did with each input: path, status, reason, document id."""
        rows = self._locked(
            lambda: self._db.query(
                "SELECT path, status, reason, doc_id FROM ingest_log WHERE run_id = ?", (run_id,)
            ).fetchall()
        )
        return [{"path": Path(r[0]).name, "status": r[1], "reason": r[2], "doc_id": r[3]}
                for r in rows]  # fmt: skip

    def ingest(self, filename: str, data: bytes, *, fmt: str | None = None) -> IngestReport:
        """Store an uploaded file as the CLI's ``ingest`` would, then bring the index in line.

        The file is kept under ``<db>.uploads/`` with a sanitised name (the raw bytes are in the
        archive anyway); the same upload twice is recognised as unchanged.
        """
        folder = self._main.store.paths.uploads
        # a folder per content: two different files sent under one name are two inputs, not an
        # edit of one (the same file sent again is unchanged); the name itself is kept, since
        # readers take ids from it (fmprc t1740278.html)
        path = folder / hashlib.sha256(data).hexdigest()[:16] / safe_filename(filename)

        with self._lock:  # one upload at a time, on the service's own connection
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            report = Ingester(self._main.store, workers=1, fmt=fmt).run([path])
            self._main.sync()
            self._changed_now()
            return report


def kwic_lines(archive: Archive, k: KwicParams) -> list[KwicLine]:
    """The concordance ``k`` asks for."""
    return archive.kwic(k.search.q, width=k.width, sort=k.sort, limit=k.limit, **k.search.filters())


class PreparingConcordance(Preparing):
    """The concordance store is being built (``Preparing``: a 503 saying how far)."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__(done, total)
        self.args = (f"preparing: {self.percent}% (the concordance store is being built from "
                     "the archive; try again shortly)",)  # fmt: skip


def served_kwic(archive: Archive, k: KwicParams, count_only: bool = False) -> Any:
    """The concordance ``k`` asks for from the concordance store (lines, or with
    ``count_only`` their number), or None when the store cannot serve it;
    :class:`PreparingConcordance` while it is first built."""
    from communique.archive import make_filters

    try:
        parsed = parse_query(k.search.q)
        served = serve(archive.index, archive.store, parsed, make_filters(**k.search.filters()),
                       width=k.width, sort=k.sort if count_only is False else "left",
                       limit=k.limit, count_only=count_only, lag_ok=True)  # fmt: skip
    except NotReady as e:
        raise PreparingConcordance(e.done, e.total) from None
    if served is None:
        return None
    return served.total if count_only else served.lines


def safe_filename(name: str) -> str:
    """A file name with no directory parts, no leading dots and only plain characters."""
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", name.replace("\\", "/").rsplit("/", 1)[-1])
    base = base.lstrip(".")[:120]
    return base or "upload"


_SUMMARY = ("id", "date", "publisher", "kind", "lang", "title", "turns")


def _governed_by(entity: str, query: Any) -> list[dict[str, Any]]:
    """A country entity's heads of state and government and foreign ministers from the
    register, each with the turns the archive holds from them."""
    if not entity.startswith("country:"):
        return []
    rows = register().governs(entity.partition(":")[2])
    ids = sorted({r["person"] for r in rows})
    turns: dict[str, int] = {}
    if ids:
        marks = placeholders(len(ids))
        turns = dict(query(
            f"SELECT person, count(*) FROM turns WHERE person IN ({marks}) GROUP BY person", ids
        ).fetchall())  # fmt: skip
    return [{**r, "turns": turns.get(r["person"], 0)} for r in rows]
