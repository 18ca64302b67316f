"""The search index: one tantivy document per turn, derived from the store and following it.

Lives in ``<db>.index/`` beside the archive. ``communique-index.json`` there records the schema
version and the last ``changes.seq`` applied (written only after tantivy's commit), so a process
that dies between the store and the index is caught up on the next open by re-indexing only the
documents changed since. Design notes: ``docs/search.md``.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import multiprocessing
import os
import re
import shutil
import sqlite3
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field, replace
from datetime import date as Date
from pathlib import Path
from typing import Any, cast

import tantivy
from tantivy import Occur
from tantivy import Query as TQ

from communique.enrich.document import person_of
from communique.model import Document, turn_permalink
from communique.search.analysis import (
    analyzers,
    fold,
    has_han,
    has_han_fast,
    raw_terms,
    register,
    segment,
    segment_many,
    stem_and_start,
    stem_lang,
    stem_many,
    stemmed_terms,
)
from communique.search.ast import (
    And,
    Filters,
    MatchAll,
    Near,
    Node,
    Not,
    Or,
    Phrase,
    Prefix,
    Query,
    QueryError,
    QueryOverBudget,
    QueryTooCostly,
    Term,
)
from communique.search.cancel import check_cancelled
from communique.search.expand import AcronymTable, expand_acronyms
from communique.search.kwic import SORTS as KWIC_SORTS
from communique.search.kwic import (
    DocInfo,
    KwicLine,
    Matcher,
    Turn,
    snippet,
    sort_keys,
    sort_lines,
    turn_lines,
)
from communique.search.space import full_disk_error
from communique.store.paths import is_url
from communique.store.sql import SQLStore

Fetch = Callable[[str, Any], Iterable[Any]]  # a store's ``query``: (sql, args) -> rows

INDEX_VERSION = 5  # bump when fields or analysis change: an older index is rebuilt (5: turn 0)
STATE = "communique-index.json"
FACETS = ("year", "publisher", "kind", "lang", "speaker", "role", "entity")
# the field each facet counts: speakers are counted as people (person id, else the name)
FACET_FIELD = {"speaker": "who"}
ENTITY_FACET_SIZE = 25
NONE = "(none)"  # the facet value of a turn without one (undated, no speaker, ...)
OTHER = "(other)"  # speakers beyond the ones listed
SPEAKER_FACET_SIZE = 25
SORTS = ("relevance", "date", "oldest")
KWIC_PARALLEL_MIN = 20_000  # hits from which a concordance is shared out to processes
KWIC_MAX_WORKERS = 8
# cores from which that pays: on two (virtual) cores, two processes each ran ~1.6x slower
# than one alone, and shipping the lines back costs more than the rest saves
KWIC_MIN_CORES = 3
SQL_BATCH = 900  # ids in one `IN (...)` of a query
MAX_FORMS = 5000  # indexed words looked at to find the forms of a word (NEAR)
# Query cost limits (docs/query.md, "Limits"): one query never holds the archive for long.
MAX_PREFIX_TERMS = 5000  # indexed words one `*` may stand for
MAX_NEAR_PREFIX_TERMS = 500  # ... on a side of NEAR (each pair of words is a phrase search)
MAX_NEAR_PAIRS = 64  # alternatives on one side of NEAR times those on the other
QUERY_SECONDS = 10.0  # time budget of one search or concordance ($COMMUNIQUE_QUERY_SECONDS)
BUILD_HEAP = 1_000_000_000
POOL_MIN_ZH_DOCS = 200  # segment Chinese in worker processes when a build has this many
SYNC_HEAP = 200_000_000
TIE_WINDOW = 10_000  # hits looked at past a page to order equal scores alike on every replica
LANG_FIELD = {"en": "text_en", "ru": "text_ru"}
_EPOCH = Date(1900, 1, 1).toordinal()
_UNDATED = (1 << 20) - 1
_TURN_BITS = (1 << 40) - 1  # the part of a chrono key that identifies the turn
_TURN_SQL = (
    "SELECT d.id, d.revision, d.publisher, d.lang, d.kind, d.date, d.title, t.n, t.label, "
    "t.speaker, t.affiliation, t.role, t.interpreted, t.answers, t.text, t.rowid, t.person, "
    "(SELECT group_concat(DISTINCT m.entity) FROM mentions m WHERE m.doc_id = t.doc_id "
    "AND m.n = t.n) "
    "FROM documents d JOIN turns t ON t.doc_id = d.id"
)
# documents with a head (``Document.head``: turn 0, the lead or a turnless document's title):
# those whose record holds a lead, and those without turns
_HEAD_SQL = (
    "SELECT d.id, d.revision, d.publisher, d.lang, d.kind, d.date, d.title, d.record "
    "FROM documents d WHERE (d.record LIKE ? OR NOT EXISTS "
    "(SELECT 1 FROM turns t WHERE t.doc_id = d.id))"
)
_HAS_LEAD = '%"lead": "%'  # how a record with a lead reads (Document.to_dict, json.dumps)


def build_schema() -> tantivy.Schema:
    """The fields; see docs/search.md for what each is for."""
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("text_raw", stored=True, tokenizer_name="c_raw")
    sb.add_text_field("text_en", tokenizer_name="c_en")
    sb.add_text_field("text_ru", tokenizer_name="c_ru")
    sb.add_text_field("doc_id", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_unsigned_field("n", stored=True, indexed=True)
    for name in ("publisher", "kind", "lang", "role", "year", "speaker"):
        sb.add_text_field(name, stored=True, fast=True, tokenizer_name="raw", index_option="basic")
    for name in ("person", "who", "entity"):  # enrichment: person id, person or name, entities
        sb.add_text_field(name, fast=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("speaker_tok", tokenizer_name="c_raw")
    sb.add_integer_field("date", indexed=True, fast=True)  # YYYYMMDD
    sb.add_unsigned_field("chrono", fast=True)  # oldest first, undated last
    sb.add_unsigned_field("chrono_desc", fast=True)  # newest first, undated last
    sb.add_unsigned_field("gen", stored=True)  # the changes.seq this turn was indexed at
    sb.add_unsigned_field("rowid", fast=True)  # the turn's row in the store (KWIC reads it)
    # title, date, revision, label, affiliation, interpreted, answers, question n, who, text
    sb.add_bytes_field("meta", stored=True)  # packed by _pack
    sb.add_bytes_field("text_orig", stored=True)  # the text, when text_raw holds a changed copy
    return sb.build()


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


# -- turns to tantivy documents ---------------------------------------------------------------


def _chrono(date: str | None, doc_id: str) -> tuple[int, int, int, str]:
    """(YYYYMMDD or -1, ascending key, descending key, year) of a document; add ``n`` (the
    ascending key) or ``0xFFFF - n`` (the descending one) for a turn."""
    try:
        y, m, d = (int(x) for x in (date or "").split("-"))
        days, ymd, year = Date(y, m, d).toordinal() - _EPOCH, y * 10000 + m * 100 + d, str(y)
    except ValueError:
        days, ymd, year = -1, -1, NONE
    h = _doc_hash(doc_id)
    asc = ((days if days >= 0 else _UNDATED) << 40) | h
    desc = ((days + 1 if days >= 0 else 0) << 40) | h
    return ymd, asc, desc, year


def _needs_segmenting(text: str) -> str | None:
    """The folded text if it has Chinese to segment, else None."""
    if text.isascii() or not has_han_fast(text):
        return None
    return fold(text)


def _turn_docs(
    rows: list[Any], gen: int, segmented: dict[str, str] | None = None
) -> Iterator[tantivy.Document]:
    """The tantivy documents of one document's turns (rows of ``_TURN_SQL``, one document).

    ``segmented`` maps folded texts to their segmentation when it was done beforehand.
    """
    asked = {r[7]: r for r in rows if r[11] == "question"}
    doc_id, revision, publisher, lang, kind, date, title = rows[0][:7]
    lang_field = LANG_FIELD.get(lang or "")
    ymd, asc, desc, year = _chrono(date, doc_id)
    publisher, kind, lang = publisher or NONE, kind or NONE, lang or NONE
    for r in rows:
        n, label, speaker, affiliation, role, interpreted, answers, text, rowid = r[7:16]
        person, entities = r[16:18]
        q = asked.get(answers) if answers is not None else None
        question = (None, None, None) if q is None else (str(q[7]), q[9] or q[8], q[14])
        meta = _pack(  # what a hit shows that has no field of its own (see build_schema)
            title, date, revision, label, affiliation, "1" if interpreted else "",
            None if answers is None else str(answers), *question,
        )  # fmt: skip
        doc = tantivy.Document()
        raw = text
        if not text.isascii():
            if "ё" in text or "Ё" in text:
                raw = fold(text)
            if has_han_fast(raw):
                raw = segmented[raw] if segmented and raw in segmented else segment(raw)
        doc.add_text("text_raw", raw)
        if raw is not text:  # the index holds a folded or segmented copy: keep the original
            doc.add_bytes("text_orig", text.encode())
        if lang_field:
            doc.add_text(lang_field, raw)
        doc.add_text("doc_id", doc_id)
        doc.add_unsigned("n", n)
        doc.add_text("publisher", publisher)
        doc.add_text("kind", kind)
        doc.add_text("lang", lang)
        doc.add_text("role", role)
        doc.add_text("year", year)
        doc.add_text("speaker", speaker or NONE)
        doc.add_text("person", person or NONE)
        doc.add_text("who", person or speaker or NONE)
        for entity in entities.split(",") if entities else (NONE,):
            doc.add_text("entity", entity)
        if speaker:
            doc.add_text("speaker_tok", speaker if speaker.isascii() else fold(speaker))
        if ymd >= 0:
            doc.add_integer("date", ymd)
        n16 = min(n, 0xFFFF)
        doc.add_unsigned("chrono", asc | n16)
        doc.add_unsigned("chrono_desc", desc | (0xFFFF - n16))
        doc.add_unsigned("gen", gen)
        doc.add_unsigned("rowid", rowid)
        doc.add_bytes("meta", meta)
        yield doc


def _head_docs(rows: Iterable[Any], gen: int) -> Iterator[tantivy.Document]:
    """The tantivy documents of documents' heads (rows of ``_HEAD_SQL``): turn 0, an unlabelled
    statement holding the lead (or a turnless document's title). Its store row id is 0 (no
    turn row has it), so concordances and exports read it from the index's stored fields."""
    for r in rows:
        head = Document.from_dict(json.loads(r[7])).head()
        if head is not None:
            row = (*r[:7], 0, None, None, None, head.role, 0, None, head.text, 0, None, None)
            yield from _turn_docs([row], gen)


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
        if pool is None:  # segmented inline by _turn_docs
            pending.append((batch, [], None))
            return
        texts = sorted({t for g in batch for r in g if (t := _needs_segmenting(r[14]))})
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


_SEP, _NULL, _JSON = "\x1f", "\x00", "\x1e"


def _pack(*fields: str | None) -> bytes:
    """Strings (or None) as bytes: joined by U+001F, or (marked by U+001E) JSON when one of them
    holds a control character used here. Reading is a ``split``: much quicker than JSON."""
    if any(f and (_SEP in f or _NULL in f or _JSON in f) for f in fields):
        return (_JSON + json.dumps(fields, ensure_ascii=False)).encode()
    return _SEP.join(_NULL if f is None else f for f in fields).encode()


def _unpack(data: bytes) -> list[str | None]:
    text = data.decode()
    if text[:1] == _JSON:
        return json.loads(text[1:])
    return [None if f == _NULL else f for f in text.split(_SEP)]


def _text(doc: tantivy.Document) -> str:
    """A stored turn's text as published."""
    orig = doc.get_first("text_orig")
    return orig.decode() if orig is not None else (doc.get_first("text_raw") or "")


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


# -- the index --------------------------------------------------------------------------------


class SearchIndex:
    """The tantivy index of one archive: build, follow the change log, search, facets."""

    def __init__(self, store: SQLStore, path: str | Path | None = None) -> None:
        self.store = store
        self.path = Path(path) if path is not None else store.paths.index
        self.schema = build_schema()
        self._index: tantivy.Index | None = None
        self._build = ""  # the id of the build we opened (a rebuild elsewhere changes it)
        self._forms_cache: dict[str, frozenset[str]] = {}
        self._acronyms: AcronymTable | None = None

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
                    rows = store.stream(_TURN_SQL + " ORDER BY d.id, t.n")
                    for batch, segmented in _segmented(_by_document(rows), pool):
                        for group in batch:
                            for doc in _turn_docs(group, seq, segmented):
                                writer.add_document(doc)
                                report.turns += 1
                            report.documents += 1
                    for doc in _head_docs(store.stream(_HEAD_SQL, (_HAS_LEAD,)), seq):
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
        old = self.path.with_name(self.path.name + f".old-{os.getpid()}")
        if self.path.exists():
            os.replace(self.path, old)
        os.replace(tmp, self.path)
        shutil.rmtree(old, ignore_errors=True)
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
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            rows = store.query(f"{_TURN_SQL} WHERE d.id IN ({marks}) ORDER BY d.id, t.n", chunk)
            for group in _by_document(rows):
                for doc in _turn_docs(group, seq):
                    writer.add_document(doc)
                    report.turns += 1
            heads = store.query(f"{_HEAD_SQL} AND d.id IN ({marks})", [_HAS_LEAD, *chunk])
            for doc in _head_docs(heads, seq):
                writer.add_document(doc)
                report.heads += 1
        report.documents, report.to_seq = len(ids), seq

    # -- compiling queries ----------------------------------------------------------------------
    def _terms(self, field_name: str, tokens: list[str], slop: int = 0) -> TQ:
        if len(tokens) == 1:
            return TQ.term_query(self.schema, field_name, tokens[0])
        return TQ.phrase_query(self.schema, field_name, tokens, slop)

    def _term(self, word: str) -> TQ:
        """A word: stemmed on the English and Russian fields, as is on the raw field."""
        raw = raw_terms(word)
        clauses = []
        if not has_han(word):
            for lang, field_name in LANG_FIELD.items():
                toks = stemmed_terms(word, lang)
                if toks:
                    clauses.append(self._terms(field_name, toks))
        if raw:
            clauses.append(self._terms("text_raw", raw))
        if not clauses:
            return TQ.empty_query()
        return (
            clauses[0]
            if len(clauses) == 1
            else TQ.boolean_query([(Occur.Should, c) for c in clauses])
        )

    def forms(self, token: str) -> frozenset[str]:
        """Indexed words with the stem of ``token`` (a folded, lowercased single word), from
        the term dictionary: what a word on a side of NEAR matches."""
        if token in self._forms_cache:
            return self._forms_cache[token]
        out = {token}
        lang = stem_lang(token)
        stem, prefix = stem_and_start(token, lang)
        if prefix and not token.isdigit():
            found = self.index.searcher().terms_with_prefix("text_raw", prefix, limit=MAX_FORMS)
            cands = [t for t, _ in found]
            stems = stem_many(cands, lang)
            out.update(c for c, s in zip(cands, stems, strict=True) if s == stem)
        result = frozenset(out)
        if len(self._forms_cache) > 10_000:
            self._forms_cache.clear()
        self._forms_cache[token] = result
        return result

    def _positions(self, node: Node) -> list[list[str]] | None:
        """A NEAR side as alternatives, each a list of per-position regexes on ``text_raw``;
        None when the side is not made of words, phrases and prefixes (and OR of those)."""
        if isinstance(node, Term):
            toks = raw_terms(node.text)
            if len(toks) == 1 and not has_han(toks[0]):
                forms = sorted(self.forms(toks[0]))
                alt = "(" + "|".join(map(_rx, forms)) + ")" if len(forms) > 1 else _rx(forms[0])
                return [[alt]]
            return [[_rx(t) for t in toks]] if toks else []
        if isinstance(node, Phrase):
            toks = [t for w in node.words for t in raw_terms(w)]
            return [[_rx(t) for t in toks]] if toks else []
        if isinstance(node, Prefix):
            toks = raw_terms(node.prefix)
            if toks:
                self._check_prefix(node, toks[-1], MAX_NEAR_PREFIX_TERMS, " on a side of NEAR")
            return [[*map(_rx, toks[:-1]), _rx(toks[-1]) + ".*"]] if toks else []
        if isinstance(node, Or):
            out: list[list[str]] = []
            for child in node.children:
                alts = self._positions(child)
                if alts is None:
                    return None
                out += alts
            return out
        return None

    def _check_prefix(self, node: Prefix, start: str, limit: int, where: str = "") -> None:
        """Refuse a ``*`` that stands for more than ``limit`` indexed words."""
        found = self.index.searcher().terms_with_prefix("text_raw", start, limit=limit + 1)
        if len(found) > limit:
            raise QueryTooCostly(
                f"{node.prefix}* matches more than {limit:,} different words{where}: "
                "write more letters before the *, or the words themselves"
            )

    def _leaves(self, node: Node) -> list[Node]:
        """The positive words, phrases and prefixes of a subtree."""
        if isinstance(node, Term | Phrase | Prefix):
            return [node]
        if isinstance(node, And | Or):
            return [leaf for c in node.children for leaf in self._leaves(c)]
        if isinstance(node, Near):
            return self._leaves(node.left) + self._leaves(node.right)
        return []

    def _near(self, node: Near) -> TQ:
        """Both sides at most ``distance`` words apart, in either order (phrases with slop)."""
        sides: list[list[list[str]]] = []
        extra: list[TQ] = []
        for side in (node.left, node.right):
            alts = self._positions(side)
            if alts is None:  # a group such as (a AND b): it must match, and one of its words
                extra.append(self.compile(side))  # must be near the other side
                alts = [a for leaf in self._leaves(side) for a in (self._positions(leaf) or [])]
            sides.append(alts)
        pairs = len(sides[0]) * len(sides[1])
        if pairs > MAX_NEAR_PAIRS:
            raise QueryTooCostly(
                f"NEAR/{node.distance} between {len(sides[0])} and {len(sides[1])} alternatives "
                f"is {pairs:,} pairs of words to look for, more than {MAX_NEAR_PAIRS}: put fewer "
                "words (or word beginnings) on its sides, or split it into several searches"
            )
        slop = max(node.distance - 1, 0)
        clauses = []
        for a in sides[0]:
            for b in sides[1]:
                for seq in (a + b, b + a):
                    if all(_is_literal(p) for p in seq):
                        words = [_unrx(p) for p in seq]
                        clauses.append(TQ.phrase_query(self.schema, "text_raw", words, slop))
                    else:
                        clauses.append(TQ.regex_phrase_query(self.schema, "text_raw", seq, slop))
        near = (
            TQ.boolean_query([(Occur.Should, c) for c in clauses]) if clauses else TQ.empty_query()
        )
        if not extra:
            return near
        return TQ.boolean_query([(Occur.Must, q) for q in (near, *extra)])

    def compile(self, node: Node) -> TQ:
        """The tantivy query for a query tree (without filters)."""
        if isinstance(node, Term):
            return self._term(node.text)
        if isinstance(node, Phrase):
            toks = [t for w in node.words for t in raw_terms(w)]
            return self._terms("text_raw", toks) if toks else TQ.empty_query()
        if isinstance(node, Prefix):
            toks = raw_terms(node.prefix)
            if not toks:
                return TQ.empty_query()
            self._check_prefix(node, toks[-1], MAX_PREFIX_TERMS)
            if len(toks) == 1:
                return TQ.regex_query(self.schema, "text_raw", _rx(toks[0]) + ".*")
            words = [*map(_rx, toks[:-1]), _rx(toks[-1]) + ".*"]
            return TQ.regex_phrase_query(self.schema, "text_raw", words)
        if isinstance(node, Near):
            return self._near(node)
        if isinstance(node, And):
            clauses = [
                (Occur.MustNot, self.compile(c.child))
                if isinstance(c, Not)
                else (Occur.Must, self.compile(c))
                for c in node.children
            ]
            if all(o == Occur.MustNot for o, _ in clauses):
                clauses.append((Occur.Must, TQ.all_query()))
            return TQ.boolean_query(clauses)
        if isinstance(node, Or):
            return TQ.boolean_query([(Occur.Should, self.compile(c)) for c in node.children])
        if isinstance(node, Not):
            return TQ.boolean_query(
                [(Occur.Must, TQ.all_query()), (Occur.MustNot, self.compile(node.child))]
            )
        if isinstance(node, MatchAll):
            return TQ.all_query()
        raise TypeError(f"not a query node: {node!r}")

    def expand(self, query: Query) -> Query:
        """``query`` with each acronym also matching its long forms and each long form its
        acronym, in every language the archive and the organisations table know (``CICA`` ->
        ``Conference on Interaction and Confidence-Building Measures in Asia``, ``СВМДА``,
        ``亚信``)."""
        node = expand_acronyms(query.node, self.acronyms().expand)
        return query if node is query.node else replace(query, node=node)

    def acronyms(self) -> AcronymTable:
        """The archive's acronym definitions (read again after each sync or rebuild)."""
        if self._acronyms is None:
            self._acronyms = AcronymTable(self.store.acronym_table())
        return self._acronyms

    def compile_filters(self, f: Filters) -> list[TQ]:
        """One query per filtered field (values OR-ed within a field)."""
        out: list[TQ] = []
        if f.speaker:
            alts = []
            for value in f.speaker:
                person = person_of(value)
                if person is not None:  # every label and script the person is known by
                    alts.append(TQ.term_query(self.schema, "person", person))
                toks = analyzers()["c_raw"].analyze(fold(value))
                if toks:
                    alts.append(self._terms("speaker_tok", toks))
            out.append(_any(alts) if alts else TQ.empty_query())
        if f.entity:
            out.append(TQ.term_set_query(self.schema, "entity", list(f.entity)))
        for name, values in (("role", f.role), ("kind", f.kind), ("lang", f.lang),
                             ("publisher", f.publisher)):  # fmt: skip
            if values:
                norm = [v.strip().lower() for v in values]
                if name == "kind":
                    norm = [v.replace("-", "_").replace(" ", "_") for v in norm]
                out.append(TQ.term_set_query(self.schema, name, norm))
        if f.doc:
            alts = []
            for value in f.doc:
                ident, _, n = value.strip().partition("#t")
                ident = ident.partition("@")[0].lower()
                q = TQ.term_query(self.schema, "doc_id", ident)
                if n.isdigit():
                    q = TQ.boolean_query(
                        [(Occur.Must, q), (Occur.Must, TQ.term_query(self.schema, "n", int(n)))]
                    )
                alts.append(q)
            out.append(_any(alts))
        if f.date_from or f.date_to:
            lo = _ymd(f.date_from) if f.date_from else None
            hi = _ymd(f.date_to) if f.date_to else None
            out.append(TQ.range_query(self.schema, "date", tantivy.FieldType.Integer, lo, hi))
        return out

    def query(self, query: Query, extra: Filters | None = None) -> TQ:
        """The whole tantivy query: the text part, AND the filters (which do not score)."""
        main = self.compile(query.node)
        filters = query.filters.merged(extra) if extra is not None else query.filters
        parts = self.compile_filters(filters)
        if not parts:
            return main
        clauses = [(Occur.Must, main)]
        clauses += [(Occur.Must, TQ.const_score_query(p, 0.0)) for p in parts]
        return TQ.boolean_query(clauses)

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
        counting = _aggregator().submit(searcher.aggregate, tq, facet_request()) if facets else None
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
            out.facets = _facet_counts(counting.result())
        return out

    @staticmethod
    def _hit(doc: tantivy.Document, score: float | None, matcher: Matcher, size: int) -> Hit:
        text = _text(doc)
        title, date, revision, label, affiliation, interp, answers, q_n, q_who, q_text = _unpack(
            doc.get_first("meta")
        )
        snip, marks = snippet(text, matcher.spans(text), size)
        return Hit(
            doc_id=doc.get_first("doc_id"), n=doc.get_first("n"), revision=revision, title=title,
            date=date, publisher=_none(doc.get_first("publisher")),
            kind=_none(doc.get_first("kind")), lang=_none(doc.get_first("lang")),
            speaker=_none(doc.get_first("speaker")), label=label, affiliation=affiliation,
            role=doc.get_first("role"), interpreted=bool(interp),
            answers=None if answers is None else int(answers),
            question=None if q_n is None else Question(int(q_n), q_who, q_text or ""),
            snippet=snip, highlights=marks, text=text,
            score=score,
        )  # fmt: skip

    def facets(self, tq: TQ, searcher: tantivy.Searcher | None = None) -> dict[str, dict[str, int]]:
        """Counts per year, publisher, kind, language, speaker and role of the query's hits."""
        return _facet_counts((searcher or self.searcher()).aggregate(tq, facet_request()))

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
        with _gc_paused():
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
        items = _items(searcher, hits, offset)
        by_order = {order: addr for order, (_, addr) in enumerate(hits, start=offset)}

        def stored(orders: list[int]) -> list[Turn]:
            return [_stored_turn(searcher.doc(by_order[o])) for o in orders]

        job = _KwicJob(self.store.target, node, width, sort)
        workers = min(os.cpu_count() or 1, KWIC_MAX_WORKERS)
        if len(items) < KWIC_PARALLEL_MIN or workers < KWIC_MIN_CORES:
            lines, keys, _ = job.run(self.store.query, items, stored)
            return lines, keys
        return _kwic_parallel(
            job, items, workers, lambda part: job.run(self.store.query, part, stored)
        )

    def count(self, tq: TQ) -> int:
        return self.searcher().search(tq, 1, count=True).count or 0

    def close(self) -> None:
        self._index = None


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


def query_seconds() -> float:
    """The time budget of one query: ``$COMMUNIQUE_QUERY_SECONDS``, else ``QUERY_SECONDS``."""
    try:
        return float(os.environ.get("COMMUNIQUE_QUERY_SECONDS") or QUERY_SECONDS)
    except ValueError:
        return QUERY_SECONDS


class Budget:
    """A query's deadline, checked between steps of its work (a step already in tantivy runs
    to its end; the cost limits keep every step short). The same checks stop the query once
    the client that asked for it has gone (``search.cancel``)."""

    def __init__(self, seconds: float | None = None) -> None:
        self.seconds = query_seconds() if seconds is None else seconds
        self.deadline = time.monotonic() + self.seconds

    def check(self) -> None:
        check_cancelled()  # the client has gone: nobody waits for the answer
        if time.monotonic() > self.deadline:
            raise QueryOverBudget(
                f"the query ran longer than its budget of {self.seconds:g} s and was stopped: "
                "narrow it (longer word beginnings before *, a smaller NEAR distance, fewer "
                "alternatives) or add a filter such as date:2020 or speaker:lavrov"
            )


@functools.cache
def facet_request() -> dict[str, Any]:
    """One terms aggregation per facet field. Every turn has a value in each ((none) when it
    has none), so none needs ``missing`` (which makes tantivy slower)."""
    aggs: dict[str, Any] = {}
    for name in FACETS:
        terms: dict[str, Any] = {"field": FACET_FIELD.get(name, name), "size": 1000}
        if name == "speaker":
            terms["size"] = SPEAKER_FACET_SIZE
        if name == "entity":
            terms["size"] = ENTITY_FACET_SIZE + 1  # (none) may take one place
        if name == "year":
            terms["order"] = {"_key": "asc"}
        aggs[name] = {"terms": terms}
    return aggs


def _facet_counts(result: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Facet name -> value -> count, from the aggregation's result; speakers beyond the listed
    ones are summed as (other)."""
    out: dict[str, dict[str, int]] = {}
    for name in FACETS:
        agg = result.get(name, {})
        counts = {str(b["key"]): int(b["doc_count"]) for b in agg.get("buckets", [])}
        if name == "entity":  # several a turn: counts do not add up to the hits; no (none)
            counts.pop(NONE, None)
            counts = dict(list(counts.items())[:ENTITY_FACET_SIZE])
        elif agg.get("sum_other_doc_count"):
            counts[OTHER] = int(agg["sum_other_doc_count"])
        out[name] = counts
    return out


@functools.cache
def _aggregator() -> ThreadPoolExecutor:
    """The threads that count facets while a search runs."""
    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="communique-facets")


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
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


def _items(
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
    for i in range(0, len(want), SQL_BATCH):
        chunk = want[i : i + SQL_BATCH]
        rows.update({r[5]: r for r in fetch(f"{sql} ({','.join('?' * len(chunk))})", chunk)})
    hashes: dict[str, int] = {}  # crc24(doc id) << 16, by document
    out: list[Turn | None] = []
    for _, key, rowid in items:
        row = rows.get(rowid)
        if row is not None:
            h = hashes.get(row[0])
            if h is None:
                h = hashes[row[0]] = _doc_hash(row[0])
            if key & _TURN_BITS != h | min(row[1], 0xFFFF):
                row = None
        out.append(row)
    return out


def _doc_info(fetch: Fetch, ids: set[str]) -> dict[str, DocInfo]:
    """(revision, date, publisher, title) of documents, from the store."""
    out: dict[str, DocInfo] = {}
    want = sorted(ids)
    for i in range(0, len(want), SQL_BATCH):
        chunk = want[i : i + SQL_BATCH]
        sql = "SELECT id, revision, date, publisher, title FROM documents WHERE id IN"
        for r in fetch(f"{sql} ({','.join('?' * len(chunk))})", chunk):
            out[r[0]] = tuple(r[1:])
    return out


def _stored_turn(doc: tantivy.Document) -> Turn:
    """A turn as the index holds it (when its store row changed)."""
    return (doc.get_first("doc_id"), doc.get_first("n"), _none(doc.get_first("speaker")),
            doc.get_first("role"), _text(doc), None)  # fmt: skip


Chunk = tuple[list[KwicLine], list[str], bool]  # lines, their sort keys, done


@dataclass(frozen=True)
class _KwicJob:
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
        plain = list(map(tuple, lines))  # made KwicLines again by _kwic_parallel
        return cast(list[KwicLine], plain), keys, done


def _kwic_parallel(
    job: _KwicJob, items: Items, workers: int, here: Callable[[Items], Chunk]
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


def _doc_hash(doc_id: str) -> int:
    """The document part of a ``chrono`` key: crc24 of the id, shifted past the turn number."""
    return (zlib.crc32(doc_id.encode()) & 0xFFFFFF) << 16


def _none(value: str | None) -> str | None:
    return None if value in (None, NONE) else value


def _any(queries: list[TQ]) -> TQ:
    return (
        queries[0] if len(queries) == 1 else TQ.boolean_query([(Occur.Should, q) for q in queries])
    )


def _ymd(value: str) -> int:
    """``YYYY-MM-DD`` (``-31`` of a short month is fine) as an integer ``YYYYMMDD``."""
    parts = [*value.split("-"), "1", "1"][:3]
    try:
        y, m, d = (int(p) for p in parts)
    except ValueError:
        raise QueryError(
            f"not a date: {value!r}: use YYYY, YYYY-MM or YYYY-MM-DD", value, 0
        ) from None
    return y * 10000 + m * 100 + d


_RX_SPECIAL = set("\\.+*?()|[]{}^$#&-~")


def _rx(token: str) -> str:
    return "".join("\\" + c if c in _RX_SPECIAL else c for c in token)


def _is_literal(pattern: str) -> bool:
    return re.fullmatch(r"(?:\\.|[^\\.+*?()|\[\]{}^$#&~-])*", pattern) is not None


def _unrx(pattern: str) -> str:
    return re.sub(r"\\(.)", r"\1", pattern)
