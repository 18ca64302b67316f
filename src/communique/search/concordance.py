"""The concordance store: every turn's words as vocabulary ids, with a posting list per word,
so that a concordance sorted by its left or right context is a range read and a sort of small
integer keys, never a re-tokenisation of every matching turn.

Derived like the search index: it lives in ``<db>.concordance/`` beside a SQLite archive (or
``concordance/`` in a PostgreSQL archive's data directory, ``store.paths``), follows the
store's change log (``state.json`` holds the last ``changes.seq`` applied) and is rebuilt when
missing, outdated or damaged. Layout:

- ``vocab.txt``: the words (as the index holds them: folded, lowercased, Chinese segmented),
  one a line, the line number being the word's id; ``rank.npy``: each id's place in the
  alphabetical order of all words (what sort keys compare).
- ``seg-NNNN/``: a segment of turns (a full build writes several of at most ``SEGMENT_TOKENS``
  words; each sync adds one with the turns of the documents changed since). ``toks.npy``:
  the turns' word ids one after the other; ``turn_off.npy``: where each turn starts in it;
  ``post_off.npy``/``post.npy``: for each word id, the positions in ``toks`` where it occurs
  (ascending); per turn ``rowid`` (the store's turn row, 0 for a document's head), ``n``,
  ``doc`` (an index into ``docs.json``) and ``chrono`` (the index's corpus-order key).
- ``state.json``: version, seq, the segments, and for each the file of its dead turns (turns of
  documents changed or deleted since the segment was written: a sync marks them).

A query the store serves (:func:`servable`: one word, with its forms as the index finds them
(same stem); a quoted phrase; a word beginning ``w*``; not Chinese) gives its occurrences
from the posting lists; with filters, they are kept to the turns the index matches (their
``chrono`` keys). Keys: the ranks of the 1-4 words before the keyword (nearest first) or after
it, then the keyword, then corpus order. Only the lines shown are cut from the turns' texts
(by the same :class:`~communique.search.kwic.Matcher` as every concordance).
"""

from __future__ import annotations

import fcntl
import gc
import json
import os
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import tantivy

from communique.model import Document
from communique.search.analysis import has_han, raw_terms, raw_tokens
from communique.search.ast import Filters, Node, Phrase, Prefix, Query, Term
from communique.search.kwic import KwicLine, Matcher
from communique.search.schema import chrono
from communique.search.space import swap_in
from communique.store.chunks import in_chunks

VERSION = 1
STATE = "state.json"
SEGMENT_TOKENS = 40_000_000  # words in one segment of a full build (bounds the build's memory)
CONTEXT = 4  # words of context compared by a sort key
BATCH = 2000  # turns read from the store at a time
MAX_SYNC_SEGMENTS = 16  # segments written by syncs before they are folded into one
RANK_BITS = 21  # three ranks in one 64-bit primary key (vocabularies up to 2 million words)
Progress = Callable[[str, int, int], None]  # (what, done, total)

_TURNS = (
    "SELECT t.rowid, d.id, d.date, t.n, t.text FROM turns t JOIN documents d ON d.id = t.doc_id"
)
_HEADS = (
    "SELECT d.id, d.date, d.record FROM documents d WHERE (d.record LIKE ? OR NOT EXISTS "
    "(SELECT 1 FROM turns t WHERE t.doc_id = d.id))"
)
_HAS_LEAD = '%"lead": "%'


class NotReady(RuntimeError):
    """The store is being built (``done`` of ``total`` turns) and cannot serve yet."""

    def __init__(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        self.percent = int(100 * done / total) if total else 0
        super().__init__(f"preparing: {self.percent}% (the concordance store is being built)")


# -- building -----------------------------------------------------------------------------------


def _chrono_key(date: str | None, doc_id: str, n: int) -> int:
    """The index's own corpus-order key of turn ``n``."""
    return chrono(date, doc_id)[1] | min(n, 0xFFFF)


class _Vocab(dict[str, int]):
    def __missing__(self, word: str) -> int:
        value = self[word] = len(self)
        return value


@dataclass
class _Pending:
    """Turns being gathered into a segment."""

    toks: list[np.ndarray]
    rowid: list[int]
    n: list[int]
    doc: list[int]
    chrono: list[int]
    docs: dict[str, int]
    size: int = 0

    @classmethod
    def empty(cls) -> _Pending:
        return cls([], [], [], [], [], {})

    def add(self, rowid: int, doc_id: str, date: str | None, n: int, ids: np.ndarray) -> None:
        self.toks.append(ids)
        self.rowid.append(rowid)
        self.n.append(n)
        self.doc.append(self.docs.setdefault(doc_id, len(self.docs)))
        self.chrono.append(_chrono_key(date, doc_id, n))
        self.size += len(ids)


def _write_segment(folder: Path, p: _Pending, vocab_size: int) -> None:
    folder.mkdir(parents=True)
    lengths = np.fromiter((len(t) for t in p.toks), np.int64, len(p.toks))
    off = np.zeros(len(p.toks) + 1, np.int64)
    np.cumsum(lengths, out=off[1:])
    toks = np.concatenate(p.toks) if p.toks else np.zeros(0, np.uint32)
    order = np.argsort(toks, kind="stable").astype(np.uint32)  # positions grouped by word
    post_off = np.zeros(vocab_size + 1, np.int64)
    np.cumsum(np.bincount(toks, minlength=vocab_size), out=post_off[1:])
    arrays = {
        "toks": toks.astype(np.uint32), "turn_off": off, "post": order, "post_off": post_off,
        "rowid": np.array(p.rowid, np.int64), "n": np.array(p.n, np.int32),
        "doc": np.array(p.doc, np.int32), "chrono": np.array(p.chrono, np.uint64),
    }  # fmt: skip
    for name, arr in arrays.items():
        np.save(folder / f"{name}.npy", arr)
    docs = [""] * len(p.docs)
    for doc_id, i in p.docs.items():
        docs[i] = doc_id
    (folder / "docs.json").write_text(json.dumps(docs))


def _written_by_sync(name: str) -> bool:
    """Segments of a full build are ``seg-NNNN``; a sync's are named by its seq (10 digits)."""
    return len(name) == len("seg-") + 10


def _store_turns(store: Any, ids: Sequence[str] | None) -> Iterator[tuple[int, str, str | None,
                                                                          int, str]]:
    """(rowid, doc id, date, n, text) of every turn and head (rowid 0), or of ``ids``' only."""
    if ids is None:
        yield from store.stream(_TURNS + " ORDER BY t.rowid")
        yield from _heads(store.stream(_HEADS, (_HAS_LEAD,)))
        return
    for marks, chunk in in_chunks(ids):
        yield from store.query(f"{_TURNS} WHERE d.id IN ({marks}) ORDER BY t.rowid", chunk)
        yield from _heads(store.query(f"{_HEADS} AND d.id IN ({marks})", [_HAS_LEAD, *chunk]))


def _heads(rows: Iterable[Any]) -> Iterator[tuple[int, str, str | None, int, str]]:
    for doc_id, date, record in rows:
        head = Document.from_dict(json.loads(record)).head()
        if head is not None:
            yield 0, doc_id, date, 0, head.text


def _tokens(vocab: _Vocab, text: str) -> np.ndarray:
    return np.fromiter(map(vocab.__getitem__, raw_tokens(text)), np.uint32)


# -- the store ------------------------------------------------------------------------------------


class _Segment:
    """One segment's arrays, memory-mapped."""

    def __init__(self, folder: Path, dead: Path | None) -> None:
        self.folder = folder

        def load(name: str) -> np.ndarray:
            return np.load(folder / f"{name}.npy", mmap_mode="r")

        self.toks, self.turn_off = load("toks"), np.asarray(load("turn_off"))
        self.post, self.post_off = load("post"), np.asarray(load("post_off"))
        self.rowid, self.n = np.asarray(load("rowid")), np.asarray(load("n"))
        self.doc, self.chrono = np.asarray(load("doc")), np.asarray(load("chrono"))
        self.docs: list[str] = json.loads((folder / "docs.json").read_text())
        self.doc_ids = np.array(self.docs, object)
        self.dead = np.load(dead) if dead is not None else np.zeros(len(self.rowid), bool)
        self.any_dead = bool(self.dead.any())

    def positions(self, ids: Iterable[int]) -> np.ndarray:
        """Where any of the word ``ids`` occurs in ``toks`` (ascending for each word)."""
        limit = len(self.post_off) - 1
        parts = [self.post[self.post_off[i] : self.post_off[i + 1]] for i in ids if i < limit]
        parts = [p for p in parts if len(p)]
        if not parts:
            return np.zeros(0, np.int64)
        return np.concatenate(parts).astype(np.int64)


@dataclass
class Occurrences:
    """A concordance's lines before they are cut: per line its segment, turn (in that
    segment), word position (in the segment's ``toks``) and ordinal among the turn's lines; the
    first sort key for every line, the others made only for the lines that need them."""

    segs: list[_Segment]
    rank: np.ndarray
    sort: str
    span: int  # words of the keyword (a phrase has several)
    seg: np.ndarray
    turn: np.ndarray
    pos: np.ndarray
    primary: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        first = self._context(None, range(1, 4))
        self.packed = len(self.rank) < (1 << RANK_BITS) - 1
        if self.packed:  # the three nearest words in one key
            self.primary = (first[0] << (2 * RANK_BITS)) | (first[1] << RANK_BITS) | first[2]
        else:
            self.primary = first[0]

    def __len__(self) -> int:
        return len(self.seg)

    def _context(self, rows: np.ndarray | None, which: Iterable[int]) -> list[np.ndarray]:
        """For ``rows`` (None: every line), the rank + 1 of the ``j``-th word before (``left``)
        or after the keyword, for each ``j`` of ``which``; 0 beyond the turn."""
        which = list(which)
        size = len(self.seg) if rows is None else len(rows)
        out = [np.zeros(size, np.int64) for _ in which]
        rank1 = self.rank.astype(np.int64) + 1
        seg_of = self.seg if rows is None else self.seg[rows]
        present = np.flatnonzero(np.bincount(seg_of)) if size else []
        for k in present:  # the segments present (no sort)
            seg = self.segs[int(k)]
            if rows is None:  # every line: the segments' lines are consecutive
                lo, hi = np.searchsorted(self.seg, [k, k + 1])
                where: Any = slice(lo, hi)
                pos, turn = self.pos[lo:hi], self.turn[lo:hi]
            else:
                where = seg_of == k
                pos, turn = self.pos[rows[where]], self.turn[rows[where]]
            last = max(len(seg.toks) - 1, 0)
            if self.sort == "left":
                start = seg.turn_off[turn]
                for c, j in enumerate(which):
                    at = pos - j  # a negative index reads some word: masked below
                    out[c][where] = np.where(at >= start, rank1[seg.toks[at]], 0)
            else:
                stop = seg.turn_off[turn + 1]
                for c, j in enumerate(which):
                    at = pos + (self.span - 1 + j)
                    word = seg.toks[np.minimum(at, last)]
                    out[c][where] = np.where(at < stop, rank1[word], 0)
        return out

    def ordinals(self, rows: np.ndarray) -> list[int]:
        """For ``rows``, how many lines of the same turn come before each (the k-th line of a
        turn is the Matcher's k-th span there)."""
        # the lines of those turns only (their turn numbers first: a quick table look-up)
        near = np.flatnonzero(np.isin(self.turn, self.turn[rows], kind="table"))
        key = (self.seg[near].astype(np.int64) << 40) | self.turn[near]
        mine = (self.seg[rows].astype(np.int64) << 40) | self.turn[rows]
        inside = np.isin(key, mine)
        same, key = near[inside], key[inside]
        by = np.lexsort((self.pos[same], key))
        order, grouped = same[by], key[by]
        first = np.r_[True, grouped[1:] != grouped[:-1]]
        idx = np.arange(len(order))
        every = np.zeros(len(self.seg), np.int64)
        every[order] = idx - np.maximum.accumulate(np.where(first, idx, 0))
        return [int(k) for k in every[rows]]

    def _rest(self, rows: np.ndarray) -> list[np.ndarray]:
        """The keys after the first of ``rows``: the other context words, the keyword, the
        corpus order (``chrono``) and the position in the turn."""
        more = self._context(rows, range(4, CONTEXT + 1) if self.packed else range(2, CONTEXT + 1))
        keyword = np.zeros(len(rows), np.int64)
        chrono = np.zeros(len(rows), np.uint64)
        where = np.zeros(len(rows), np.int64)
        seg_of = self.seg[rows]
        for k in np.flatnonzero(np.bincount(seg_of)):  # the segments present (no sort)
            seg = self.segs[int(k)]
            mask = seg_of == k
            pos, turn = self.pos[rows[mask]], self.turn[rows[mask]]
            keyword[mask] = self.rank[seg.toks[pos]]
            chrono[mask] = seg.chrono[turn]
            where[mask] = pos - seg.turn_off[turn]
        return [*more, keyword, chrono, where]

    def order(self, limit: int | None = None) -> np.ndarray:
        """The lines' order by their keys; with ``limit``, only the first ``limit`` (the
        candidates found by partitioning on the first key, then sorted)."""
        n = len(self)
        if not n:
            return np.zeros(0, np.int64)
        cand = np.arange(n)
        if limit is not None and limit < n // 4:
            if limit <= 0:
                return np.zeros(0, np.int64)
            kth = np.partition(self.primary, limit - 1)[limit - 1]
            cand = np.nonzero(self.primary <= kth)[0]
        keys = [self.primary[cand], *self._rest(cand)]
        order = cand[np.lexsort(list(reversed(keys)))]
        return order[:limit] if limit is not None else order


class ConcordanceStore:
    """The concordance store of one archive (see the module's notes)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._loaded: tuple[Any, ...] | None = None  # (state, segments, words, rank, by rank)
        self._state: tuple[tuple[int, int, int], dict[str, Any] | None] | None = None
        self._ids: tuple[list[str], dict[str, int]] | None = None  # (words, word -> id)
        self._lock = threading.Lock()
        self.progress: tuple[int, int] | None = None  # (done, total) while building

    # -- state --------------------------------------------------------------------------------
    def state(self) -> dict[str, Any] | None:
        """The recorded state, or None if there is no usable store (read again only when the
        file changed)."""
        try:
            info = os.stat(self.path / STATE)
            stamp = (info.st_ino, info.st_mtime_ns, info.st_size)
            if self._state is not None and self._state[0] == stamp:
                return self._state[1]
            st = json.loads((self.path / STATE).read_text())
        except (OSError, ValueError):
            return None
        st = st if st.get("version") == VERSION else None
        self._state = (stamp, st)
        return st

    @property
    def seq(self) -> int:
        return int((self.state() or {}).get("seq", -1))

    def ready(self, store: Any) -> bool:
        """Built, and not behind ``store``'s change log."""
        st = self.state()
        return st is not None and int(st["seq"]) >= store.last_change()

    def _write_state(self, st: dict[str, Any]) -> None:
        tmp = self.path / (STATE + ".tmp")
        with open(tmp, "w") as f:
            json.dump(st, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path / STATE)

    # -- building -------------------------------------------------------------------------------
    def prepare(self, store: Any, progress: Progress | None = None) -> int:
        """Build the store if missing or outdated, else apply the changes since its seq; the
        number of turns tokenised."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, open(self.path.with_name(self.path.name + ".lock"), "a") as lock:
            try:  # one writer across processes (an ingest and a server's thread)
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return 0  # another process is bringing it up to date
            st = self.state()
            if st is None:
                return self._rebuild(store, progress)
            try:
                return self._sync(store, st, progress)
            except (OSError, ValueError, KeyError):  # damaged: it is derived, build it again
                return self._rebuild(store, progress)

    def _step(self, progress: Progress | None, done: int, total: int) -> None:
        self.progress = (done, total)
        if progress:
            progress("concordance", done, total)

    def _rebuild(self, store: Any, progress: Progress | None) -> int:
        from communique.search.build import remove_stale_builds

        remove_stale_builds(self.path)  # left by a build whose process was killed
        tmp = self.path.with_name(self.path.name + f".tmp-{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        vocab = _Vocab()
        segments: list[str] = []
        done = 0
        try:
            with store.snapshot():
                seq = store.last_change()
                total = store.query("SELECT count(*) FROM turns").fetchone()[0]
                self._step(progress, 0, total)
                pending = _Pending.empty()
                for rowid, doc_id, date, n, text in _store_turns(store, None):
                    pending.add(rowid, doc_id, date, n, _tokens(vocab, text))
                    done += 1
                    if done % BATCH == 0:
                        self._step(progress, done, max(total, done))
                    if pending.size >= SEGMENT_TOKENS:
                        segments.append(f"seg-{len(segments):04d}")
                        _write_segment(tmp / segments[-1], pending, len(vocab))
                        pending = _Pending.empty()
                if pending.toks or not segments:
                    segments.append(f"seg-{len(segments):04d}")
                    _write_segment(tmp / segments[-1], pending, len(vocab))
            _write_vocab(tmp, vocab)
            old_path, self.path = self.path, tmp
            try:
                self._write_state({"version": VERSION, "seq": seq,
                                   "segments": [[s, None] for s in segments]})  # fmt: skip
            finally:
                self.path = old_path
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            self.progress = None
            raise
        swap_in(tmp, self.path)
        self._loaded = None
        self.progress = None
        return done

    def _sync(self, store: Any, st: dict[str, Any], progress: Progress | None) -> int:
        start = int(st["seq"])
        if store.query("SELECT 1 FROM changes WHERE seq > ? LIMIT 1", (start,)).fetchone() is None:
            return 0
        # Each sync writes a segment: past MAX_SYNC_SEGMENTS they are written again as one
        # (their documents' current turns), so a server following a long crawl keeps a bounded
        # number of segments and no dead turns from syncs.
        synced = [name for name, _ in st["segments"] if _written_by_sync(name)]
        fold = set(synced) if len(synced) >= MAX_SYNC_SEGMENTS else set()
        refolded = {
            doc for name in fold for doc in json.loads((self.path / name / "docs.json").read_text())
        }
        with store.snapshot():
            changes = store.query(
                "SELECT max(seq), doc_id FROM changes WHERE seq > ? GROUP BY doc_id", (start,)
            ).fetchall()
            ids = sorted({c[1] for c in changes} | refolded)
            seq = max((c[0] for c in changes), default=start)
            vocab = _Vocab((w, i) for i, w in enumerate(_read_words(self.path)))
            known = len(vocab)
            pending = _Pending.empty()
            for rowid, doc_id, date, n, text in _store_turns(store, ids):
                pending.add(rowid, doc_id, date, n, _tokens(vocab, text))
        changed = set(ids)
        segments: list[list[Any]] = []
        for name, dead_file in st["segments"]:  # the changed documents' turns are dead now
            folder = self.path / name
            if name in fold:
                shutil.rmtree(folder, ignore_errors=True)
                continue
            docs = json.loads((folder / "docs.json").read_text())
            doc = np.load(folder / "doc.npy")
            dead = np.load(folder / dead_file) if dead_file else np.zeros(len(doc), bool)
            hit = np.array([d in changed for d in docs], bool)
            if len(doc) and hit[doc].any():
                dead = dead | hit[doc]
                dead_file = f"dead-{seq}.npy"
                np.save(folder / dead_file, dead)
            if not dead.all() or not len(dead):
                segments.append([name, dead_file])
            else:
                shutil.rmtree(folder, ignore_errors=True)  # nothing alive in it
        if pending.toks:
            name = f"seg-{seq:010d}"
            shutil.rmtree(self.path / name, ignore_errors=True)
            _write_segment(self.path / name, pending, len(vocab))
            segments.append([name, None])
        if len(vocab) > known:
            _write_vocab(self.path, vocab)
        self._write_state({"version": VERSION, "seq": seq, "segments": segments})
        self._loaded = None
        self._step(progress, len(pending.toks), len(pending.toks))
        self.progress = None
        return len(pending.toks)

    # -- reading --------------------------------------------------------------------------------
    def _load(self) -> tuple[dict[str, Any], list[_Segment], list[str], np.ndarray, np.ndarray]:
        st = self.state()
        if st is None:
            raise NotReady(*(self.progress or (0, 0)))
        loaded = self._loaded
        if loaded is None or loaded[0] != st:
            words = _read_words(self.path)
            rank = np.load(self.path / "rank.npy")
            segs = [
                _Segment(self.path / name, self.path / name / dead if dead else None)
                for name, dead in st["segments"]
            ]
            loaded = self._loaded = (st, segs, words, rank, np.argsort(rank))
        return loaded

    def word_ids(self, node: Node, forms: Callable[[str], frozenset[str]]) -> list[list[int]]:
        """The ids each position of a servable query may have (alternatives per position)."""
        _, _, words, _, by_rank = self._load()
        if self._ids is None or self._ids[0] is not words:  # (held: compared by identity)
            self._ids = (words, {w: i for i, w in enumerate(words)})
        vocab = self._ids[1]
        if isinstance(node, Term):
            (tok,) = raw_terms(node.text)
            return [sorted(vocab[f] for f in forms(tok) if f in vocab)]
        if isinstance(node, Prefix):
            (tok,) = raw_terms(node.prefix)
            return [_with_prefix(words, by_rank, tok)]
        assert isinstance(node, Phrase)
        toks = [t for w in node.words for t in raw_terms(w)]
        return [[vocab[t]] if t in vocab else [] for t in toks]

    def _positions(
        self, ids: list[list[int]], allowed: np.ndarray | None
    ) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        """Per segment: where a query whose word positions may hold ``ids`` occurs (positions
        in ``toks``, ascending) and in which turns, in live turns (and with ``allowed``, turns
        whose ``chrono`` key is in it)."""
        _, segs, _, _, _ = self._load()
        span = len(ids)
        for k, seg in enumerate(segs):
            pos = seg.positions(ids[0]) if span else np.zeros(0, np.int64)
            if not len(pos):
                continue
            turn = np.searchsorted(seg.turn_off, pos, side="right") - 1
            keep = ~seg.dead[turn] if seg.any_dead else np.ones(len(pos), bool)
            if span > 1:
                keep &= pos + span <= seg.turn_off[turn + 1]
            for i in range(1, span):  # the phrase's other words follow in the same turn
                nxt = np.minimum(pos + i, len(seg.toks) - 1)
                keep &= np.isin(seg.toks[nxt], np.array(ids[i], np.uint32))
            if allowed is not None:
                keep &= np.isin(seg.chrono[turn], allowed)
            if not keep.all():
                pos, turn = pos[keep], turn[keep]
            if len(pos):
                yield k, pos, turn

    def count(self, ids: list[list[int]], allowed: np.ndarray | None = None) -> int:
        """How many lines (see :meth:`occurrences`): no sort keys made."""
        return sum(len(pos) for _, pos, _ in self._positions(ids, allowed))

    def occurrences(
        self, ids: list[list[int]], sort: str, allowed: np.ndarray | None = None
    ) -> Occurrences:
        """Every line of a query whose word positions may hold ``ids``, to be sorted by
        ``sort`` (``left`` or ``right``); with ``allowed``, only in turns whose ``chrono`` key
        is in it."""
        _, segs, _, rank, _ = self._load()
        parts = [(np.full(len(pos), k, np.int32), turn, pos)
                 for k, pos, turn in self._positions(ids, allowed)]  # fmt: skip
        cols = [np.concatenate([p[c] for p in parts]) if parts else np.zeros(0, np.int64)
                for c in range(3)]  # fmt: skip
        return Occurrences(segs, rank, sort, len(ids), *cols)

    def lines(
        self, store: Any, occ: Occurrences, rows: np.ndarray, matcher: Matcher, width: int
    ) -> list[KwicLine]:
        """The lines ``rows`` of ``occ`` (in that order), cut from the turns' texts (read
        through ``store``)."""
        _, segs, _, _, _ = self._load()
        rows = np.asarray(rows, np.int64)
        seg_of, turn_of = occ.seg[rows], occ.turn[rows]
        doc_of = np.empty(len(rows), object)
        n_of = np.zeros(len(rows), np.int64)
        rowid_of = np.zeros(len(rows), np.int64)
        for k in np.flatnonzero(np.bincount(seg_of)):  # the segments present (no sort)
            seg, mask = segs[int(k)], seg_of == k
            t = turn_of[mask]
            doc_of[mask] = seg.doc_ids[seg.doc[t]]
            n_of[mask], rowid_of[mask] = seg.n[t], seg.rowid[t]
        turns = list(zip(doc_of.tolist(), n_of.tolist(), rowid_of.tolist(), strict=True))
        want = {(d, n): r for d, n, r in turns}
        texts = _turn_texts(store, want)
        docs = _doc_info(store, {d for d, _ in want})
        out: list[KwicLine] = []
        new = tuple.__new__
        spans: dict[tuple[str, int], list[tuple[int, int]]] = {}
        ordinals = occ.ordinals(np.asarray(rows, np.int64)) if len(rows) else []
        for k, (doc_id, n, _) in zip(ordinals, turns, strict=True):
            turn = texts.get((doc_id, n))
            if turn is None:
                continue
            speaker, role, text = turn
            found = spans.get((doc_id, n))
            if found is None:
                found = spans[doc_id, n] = matcher.spans(text)
            if k >= len(found):
                continue
            a, b = found[k]
            revision, date, publisher, title = docs.get(doc_id, ("", None, None, None))
            line = (text[max(a - width, 0) : a], text[a:b], text[b : b + width], doc_id, n,
                    speaker, role, a, revision, date, publisher, title)  # fmt: skip
            out.append(new(KwicLine, line))  # a KwicLine without its __new__: quicker
        return out


def _write_vocab(folder: Path, vocab: dict[str, int]) -> None:
    words = [""] * len(vocab)
    for w, i in vocab.items():
        words[i] = w
    order = sorted(range(len(words)), key=words.__getitem__)
    rank = np.zeros(len(words), np.uint32)
    rank[np.array(order, np.int64)] = np.arange(len(words), dtype=np.uint32)
    # each replaced whole: a reader never sees half a file (ids only grow: an older state's
    # segments read a newer vocabulary alike)
    (folder / "vocab.txt.tmp").write_text("\n".join(words))
    with open(folder / "rank.npy.tmp", "wb") as f:
        np.save(f, rank)
    os.replace(folder / "vocab.txt.tmp", folder / "vocab.txt")
    os.replace(folder / "rank.npy.tmp", folder / "rank.npy")


def _read_words(folder: Path) -> list[str]:
    text = (folder / "vocab.txt").read_text()
    return text.split("\n") if text else []


def _with_prefix(words: list[str], by_rank: np.ndarray, prefix: str) -> list[int]:
    """Ids of the words starting with ``prefix`` (by bisection in alphabetical order)."""
    lo, hi = 0, len(words)
    while lo < hi:
        mid = (lo + hi) // 2
        if words[by_rank[mid]] < prefix:
            lo = mid + 1
        else:
            hi = mid
    out = []
    while lo < len(words) and words[by_rank[lo]].startswith(prefix):
        out.append(int(by_rank[lo]))
        lo += 1
    return out


def _turn_texts(store: Any, want: dict[tuple[str, int], int]) -> dict[tuple[str, int],
                                                                      tuple[Any, str, str]]:
    """(speaker, role, text) of turns by (doc id, n): rows by rowid, heads from records."""
    out: dict[tuple[str, int], tuple[Any, str, str]] = {}
    rowids = sorted({r for r in want.values() if r})
    sql = "SELECT doc_id, n, speaker, role, text FROM turns WHERE rowid IN"
    for marks, chunk in in_chunks(rowids):
        for d, n, speaker, role, text in store.query(f"{sql} ({marks})", chunk):
            if (d, n) in want:
                out[d, n] = (speaker, role, text)
    heads = sorted({d for (d, n), r in want.items() if not r})
    for marks, chunk in in_chunks(heads):
        for d, record in store.query(f"SELECT id, record FROM documents WHERE id IN ({marks})",
                                     chunk):  # fmt: skip
            head = Document.from_dict(json.loads(record)).head()
            if head is not None:
                out[d, 0] = (head.speaker, head.role, head.text)
    return out


def _doc_info(store: Any, ids: set[str]) -> dict[str, tuple[Any, ...]]:
    out: dict[str, tuple[Any, ...]] = {}
    want = sorted(ids)
    sql = "SELECT id, revision, date, publisher, title FROM documents WHERE id IN"
    for marks, chunk in in_chunks(want):
        for r in store.query(f"{sql} ({marks})", chunk):
            out[r[0]] = tuple(r[1:])
    return out


# -- serving ------------------------------------------------------------------------------------


def servable(query: Query) -> bool:
    """Whether the store can serve ``query`` (after acronym expansion): one word (its forms),
    a quoted phrase or a word beginning (``w*``), not Chinese. Filters are fine."""
    node = query.node
    if isinstance(node, Term | Prefix):
        text = node.text if isinstance(node, Term) else node.prefix
        return len(raw_terms(text)) == 1 and not has_han(text)
    if isinstance(node, Phrase):
        text = " ".join(node.words)
        return bool(raw_terms(text)) and not has_han(text)
    return False


_STORES: dict[Path, ConcordanceStore] = {}
_STORES_LOCK = threading.Lock()


def concordance_of(store: Any) -> ConcordanceStore:
    """The concordance store of ``store``'s archive (one object a path in this process: its
    memory maps are shared; ``store`` is the connection lines are read with)."""
    path = store.paths.concordance
    with _STORES_LOCK:
        found = _STORES.get(path)
        if found is None:
            found = _STORES[path] = ConcordanceStore(path)
    return found


def prepare_concordance(store: Any, progress: Progress | None = None) -> int:
    """Build or update the concordance store of ``store``'s archive (at ingest, or in a
    server's background thread): the number of turns tokenised."""
    return concordance_of(store).prepare(store, progress)


@dataclass
class Served:
    """A concordance the store served: the lines asked for and how many there are in all."""

    lines: list[KwicLine]
    total: int


def serve(
    index: Any,
    store: Any,
    query: Query,
    extra: Filters | None,
    *,
    width: int,
    sort: str,
    limit: int | None,
    count_only: bool = False,
    lag_ok: bool = False,
) -> Served | None:
    """The concordance of ``query`` sorted by ``sort`` (``left``/``right``) from the store, or
    None when the store cannot serve it (the caller takes the index's path). :class:`NotReady`
    while the store is first built. With filters (in the
    query or ``extra``), the lines are kept to the turns the index matches. ``count_only``:
    the total, no lines; ``lag_ok``: serve from the store even if it has not applied the
    latest changes yet (a server, whose background thread follows them, as its index does)."""
    if sort not in ("left", "right"):
        return None
    expanded = index.expand(query)
    if expanded.node != query.node or not servable(expanded):
        return None
    conc = concordance_of(store)
    state = conc.state()
    if state is None:
        raise NotReady(*(conc.progress or (0, 0)))
    if not lag_ok and int(state["seq"]) < store.last_change():
        return None  # behind the store: the index's path is up to date
    merged = query.filters.merged(extra) if extra is not None else query.filters
    allowed = None
    if merged != Filters():
        tq = index.query(query, extra)
        searcher = index.searcher()
        n = searcher.search(tq, 1, count=True).count or 0
        hits = searcher.search(tq, max(n, 1), count=False, order_by_field="chrono",
                               order=tantivy.Order.Asc).hits  # fmt: skip
        allowed = np.array([key for key, _ in hits], np.uint64)
    ids = conc.word_ids(query.node, index.forms)
    if count_only:
        return Served([], conc.count(ids, allowed))
    occ = conc.occurrences(ids, sort, allowed)
    rows = occ.order(limit)
    if limit is not None:
        rows = rows[:limit]
    was = gc.isenabled()
    gc.disable()  # many tuples, none in a cycle: a collection would walk them all again
    try:
        return Served(conc.lines(store, occ, rows, Matcher(query.node), width), len(occ))
    finally:
        if was:
            gc.enable()
