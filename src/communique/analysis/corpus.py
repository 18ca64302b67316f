"""The token cache the analyses read: every turn as a sequence of word ids, and word counts.

It lives in ``<db>.analysis`` beside the archive (a SQLite file of its own, derived like the
search index: delete it and it is built again; for a PostgreSQL archive, ``analysis`` in the
data directory, ``store.paths``). A SQLite archive is attached to it read-only, so bringing it
up to date is SQL between the two files; a PostgreSQL archive's turns are read through the
store. Tables (created with ``CREATE TABLE IF NOT
EXISTS`` here):

- ``vocab(id INTEGER PRIMARY KEY, word TEXT UNIQUE, freq INTEGER)``: every word (as the index
  holds it: folded, lowercased, Chinese segmented by jieba) and its frequency in the archive.
- ``turn_tokens(rowid INTEGER PRIMARY KEY, chars, ymd, publisher, kind, lang, role, who,
  words, toks BLOB)``: one row per turn of the store (same rowid); ``toks`` is the turn's words
  as little-endian uint32 vocabulary ids; ``words`` their number; ``ymd`` the document date as
  ``YYYYMMDD`` (NULL undated); ``who`` the person id, else the speaker, else ``(none)`` (what the
  index's ``who`` field holds).
- ``words_agg(ymd, publisher, kind, lang, role, turns, words)``: words per day and facet values,
  so that per-10,000-word rates over the whole archive (or publisher, kind, language, role and
  date filters) need no pass over the turns.
- ``meta(key, value)``: ``seq``, the store's last ``changes.seq`` the cache reflects.

A word is what the index calls a token (``search.analysis.raw_tokens``), so word counts are the
index's positions. When the store changed since (``changes.seq``), the next use brings the cache
up to date: turns added or changed (rowid new, or its length different) are tokenised, rows of
deleted turns dropped, frequencies and ``words_agg`` recomputed.
"""

from __future__ import annotations

import itertools
import sqlite3
import threading
import weakref
from array import array
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from communique import progress
from communique.analysis.stopwords import is_stop
from communique.search.analysis import raw_tokens
from communique.store.chunks import in_chunks
from communique.store.sqlite import SQLiteStore
from communique.structure.dates import ymd_number

if TYPE_CHECKING:
    from communique.search.index import SearchIndex
    from communique.store.sql import SQLStore

SENTINEL = np.uint32(0xFFFFFFFF)  # between turns in a joined token array
BUILD_BATCH = 5000
Progress = Callable[[str, int, int], None]  # (what, done, total)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS vocab(id INTEGER PRIMARY KEY, word TEXT UNIQUE, freq INTEGER);
CREATE TABLE IF NOT EXISTS turn_tokens(
    rowid INTEGER PRIMARY KEY, chars INTEGER, ymd INTEGER, publisher TEXT, kind TEXT,
    lang TEXT, role TEXT, who TEXT, words INTEGER, toks BLOB);
CREATE INDEX IF NOT EXISTS turn_tokens_who ON turn_tokens(who);
CREATE TABLE IF NOT EXISTS words_agg(
    ymd INTEGER, publisher TEXT, kind TEXT, lang TEXT, role TEXT, turns INTEGER, words INTEGER);
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
"""
_STORE_TURNS = (
    "SELECT t.rowid, length(t.text), d.date, coalesce(d.publisher, '(none)'), "
    "coalesce(d.kind, '(none)'), coalesce(d.lang, '(none)'), t.role, "
    "coalesce(t.person, t.speaker, '(none)'), t.text "
    "FROM turns t JOIN documents d ON d.id = t.doc_id"
)
_TURNS = _STORE_TURNS.replace("FROM turns t JOIN documents d", "FROM a.turns t JOIN a.documents d")
_CHANGED = (
    "SELECT t.rowid FROM {a}turns t WHERE t.doc_id IN (SELECT doc_id FROM {a}changes WHERE seq > ?)"
)


class _Vocab(dict[str, int]):
    """Word -> id, giving a new word the next id."""

    def __missing__(self, word: str) -> int:
        value = self[word] = len(self)
        return value


def _ymd(date: str | None) -> int | None:
    try:
        return ymd_number(date)
    except ValueError:
        return None


class TokenCache:
    """The cache of one archive's ``store`` (see the module's notes)."""

    def __init__(self, store: SQLStore) -> None:
        self.store = store
        self.path = store.paths.analysis
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(_SCHEMA)
        self.attached = isinstance(self.store, SQLiteStore)  # else: read through the store
        if self.attached:
            uri = f"file:{Path(self.store.target).resolve()}?mode=ro"
            self.db.execute("ATTACH DATABASE ? AS a", (uri,))
        self.lock = threading.RLock()
        self._vocab: _Vocab | None = None
        self._words: list[str] = []
        self._freq: np.ndarray = np.zeros(0, np.int64)
        self._stop: np.ndarray | None = None
        self._loaded = -1  # the seq of the file the vocabulary was read at (a follower's)

    def close(self) -> None:
        self.db.close()

    # -- keeping up with the store --------------------------------------------------------------
    def _store_seq(self) -> int:
        if not self.attached:
            return self.store.last_change()
        row = self.db.execute("SELECT coalesce(max(seq), 0) FROM a.changes").fetchone()
        return int(row[0])

    def _seq(self) -> int:
        row = self.db.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()
        return int(row[0]) if row else -1

    def sync(self, progress: Progress | None = None) -> int:
        """Bring the cache in line with the store; the number of turns tokenised."""
        with self.lock:
            seq = self._store_seq()
            if seq == self._seq():
                self._load()
                return 0
            return self._update(seq, progress)

    def follow(self) -> None:
        """Read the vocabulary again if another process updated the file since (a follower's
        cache: see ``follow_token_cache``)."""
        with self.lock:
            seq = self._seq()
            if seq < 0:
                raise Preparing(0, 0)
            if seq != self._loaded:
                self._vocab, self._words, self._freq = self._read_vocab()
                self._stop, self._loaded = None, seq

    def _load(self) -> None:
        if self._vocab is not None:
            return
        with self.lock:
            if self._vocab is None:
                self._vocab, self._words, self._freq = self._read_vocab()
                self._stop = None

    def _read_vocab(self) -> tuple[_Vocab, list[str], np.ndarray]:
        rows = self.db.execute("SELECT id, word, freq FROM vocab ORDER BY id").fetchall()
        vocab = _Vocab((w, i) for i, w, _ in rows)
        return vocab, [w for _, w, _ in rows], np.array([f or 0 for _, _, f in rows], np.int64)

    def _update(self, seq: int, progress: Progress | None) -> int:
        """Tokenise what changed; readers in other threads keep the vocabulary they have until
        the new one is swapped in at the end."""
        since = self._seq()
        vocab = self._read_vocab()[0]  # as the file holds it (another process may have updated)
        db = self.db
        known = len(vocab)
        db.execute("BEGIN")
        try:
            todo, rows = self._drop_stale(since) if self.attached else self._drop_stale_apart(since)
            done = 0
            getter = vocab.__getitem__
            for batch in _batches(rows, BUILD_BATCH):
                out = []
                for rowid, chars, date, pub, kind, lang, role, who, text in batch:
                    toks = array("I", map(getter, raw_tokens(text)))
                    out.append((rowid, chars, _ymd(date), pub, kind, lang, role, who, len(toks),
                                toks.tobytes()))  # fmt: skip
                db.executemany("INSERT INTO turn_tokens VALUES (?,?,?,?,?,?,?,?,?,?)", out)
                done += len(batch)
                if progress:
                    progress("tokenising turns", done, todo)
            db.executemany(
                "INSERT INTO vocab(id, word, freq) VALUES (?, ?, 0)",
                [(i, w) for w, i in vocab.items() if i >= known],
            )
            freq = np.zeros(len(vocab), np.int64)
            cur = db.execute("SELECT toks FROM turn_tokens")
            while chunk := cur.fetchmany(20_000):
                arr = np.frombuffer(b"".join(r[0] or b"" for r in chunk), np.uint32)
                freq += np.bincount(arr, minlength=len(vocab))
            db.executemany("UPDATE vocab SET freq = ? WHERE id = ?",
                           [(int(f), i) for i, f in enumerate(freq)])  # fmt: skip
            db.execute("DELETE FROM words_agg")
            db.execute(
                "INSERT INTO words_agg SELECT ymd, publisher, kind, lang, role, count(*), "
                "sum(words) FROM turn_tokens GROUP BY ymd, publisher, kind, lang, role"
            )
            db.execute("INSERT OR REPLACE INTO meta VALUES ('seq', ?)", (str(seq),))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        words = [""] * len(vocab)
        for w, i in vocab.items():
            words[i] = w
        self._vocab, self._words, self._freq, self._stop = vocab, words, freq, None
        return done

    def _drop_stale(self, since: int) -> tuple[int, Iterable[Any]]:
        """Drop the rows of turns gone or changed since ``since``: the number and the rows of
        the store's turns left to tokenise (the archive attached)."""
        db = self.db
        # rows of turns no longer in the store (or changed: redone below)
        db.execute(
            "DELETE FROM turn_tokens WHERE rowid NOT IN (SELECT t.rowid FROM a.turns t "
            "JOIN a.documents d ON d.id = t.doc_id)"
        )
        # turns of documents changed since the last update (their rows may have been
        # reused, and a speaker, date or kind may have changed with the same text)
        db.execute(
            f"DELETE FROM turn_tokens WHERE rowid IN ({_CHANGED.format(a='a.')})",
            (since,),
        )
        todo = db.execute(
            f"SELECT count(*) FROM ({_TURNS} WHERE t.rowid NOT IN (SELECT rowid FROM turn_tokens))"
        ).fetchone()[0]
        rows = db.execute(
            f"{_TURNS} WHERE t.rowid NOT IN (SELECT rowid FROM turn_tokens) ORDER BY t.rowid"
        )
        return todo, rows

    def _drop_stale_apart(self, since: int) -> tuple[int, Iterable[Any]]:
        """``_drop_stale`` for a store on a server: the rowids are compared here."""
        with self.store.snapshot():
            live = {r[0] for r in self.store.stream("SELECT t.rowid FROM turns t")}
            changed = {r[0] for r in self.store.query(_CHANGED.format(a=""), (since,))}
        have = {r[0] for r in self.db.execute("SELECT rowid FROM turn_tokens")}
        drop = sorted((have - live) | (have & changed))
        for marks, chunk in in_chunks(drop):
            self.db.execute(f"DELETE FROM turn_tokens WHERE rowid IN ({marks})", chunk)
        kept = have.difference(drop)
        rows = (
            r for r in self.store.stream(f"{_STORE_TURNS} ORDER BY t.rowid") if r[0] not in kept
        )
        return len(live - kept), rows

    # -- reading --------------------------------------------------------------------------------
    @property
    def vocab(self) -> dict[str, int]:
        self._load()
        assert self._vocab is not None
        return self._vocab

    @property
    def words(self) -> list[str]:
        self._load()
        return self._words

    @property
    def freq(self) -> np.ndarray:
        """Each word's frequency in the whole archive, by id."""
        self._load()
        return self._freq

    def stop_mask(self) -> np.ndarray:
        """True for the ids of stop words (``stopwords.is_stop``)."""
        if self._stop is None or len(self._stop) != len(self.words):
            self._stop = np.fromiter((is_stop(w) for w in self.words), bool, len(self.words))
        return self._stop

    def id_of(self, word: str) -> int | None:
        return self.vocab.get(word) if word in self.vocab else None

    def blobs(self, rowids: Iterable[int]) -> list[bytes]:
        """The token blobs of turns by rowid (turns not in the cache are left out)."""
        want = sorted(set(rowids))
        out: list[bytes] = []
        sql = "SELECT toks FROM turn_tokens WHERE rowid IN"
        with self.lock:
            done = 0
            for marks, chunk in in_chunks(want):
                out += [r[0] for r in self.db.execute(f"{sql} ({marks})", chunk)]
                done += len(chunk)
                progress.report(done, len(want))
        return out

    def joined(self, rowids: Iterable[int], gap: int) -> np.ndarray:
        """The turns' word ids in one array, ``gap`` sentinels before, between and after."""
        sep = SENTINEL.tobytes() * max(gap, 1)
        return np.frombuffer(sep + sep.join(self.blobs(rowids)) + sep, np.uint32)

    def counts(self, rowids: Iterable[int] | None) -> np.ndarray:
        """Word frequencies (by id) over turns, or the whole archive when ``rowids`` is None."""
        if rowids is None:
            return self.freq
        arr = self.joined(rowids, 1)
        arr = arr[arr != SENTINEL]
        return np.bincount(arr, minlength=len(self.words)).astype(np.int64)

    def query(self, sql: str, args: Iterable[Any] = ()) -> list[Any]:
        with self.lock:
            return self.db.execute(sql, tuple(args)).fetchall()


def _batches(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(rows)
    while batch := list(itertools.islice(it, size)):
        yield batch


# kept per handle on the archive: its SearchIndex (which holds the store connection it reads)
_CACHES: weakref.WeakKeyDictionary[Any, TokenCache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()
_OWNERS: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()
_PREPARING: weakref.WeakKeyDictionary[Any, tuple[int, int]] = weakref.WeakKeyDictionary()
_FOLLOWERS: weakref.WeakSet[Any] = weakref.WeakSet()


class Preparing(RuntimeError):
    """The token cache is being built (in the background) and not usable yet."""

    def __init__(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        self.percent = int(100 * done / total) if total else 0
        super().__init__(
            f"preparing: {self.percent}% (the word counts the analyses read are being built "
            "from the archive; try again shortly)"
        )

    def __reduce__(self) -> tuple[type, tuple[int, int]]:
        """Pickled with its counts (it travels back from the analysis workers)."""
        return (type(self), (self.done, self.total))


def share_token_cache(handle: SearchIndex, owner: SearchIndex) -> None:
    """Let ``handle`` (the index of a server's handle on the archive for one request) use
    ``owner``'s token cache as ``prepare_token_cache(owner)`` last brought it up to date: its
    analyses never build or update the cache, and raise :class:`Preparing` while it is first
    built."""
    _OWNERS[handle] = owner


def prepare_token_cache(index: SearchIndex, progress: Progress | None = None) -> TokenCache:
    """Build or update the token cache of ``index``'s store (off the request path: at ingest, or in
    a server's background thread); handles shared with it see the progress as :class:`Preparing`
    until a first build is done."""

    def step(what: str, done: int, total: int) -> None:
        _PREPARING[index] = (done, total)
        if progress:
            progress(what, done, total)

    cache = _cache_of(index)
    first = cache._seq() < 0
    if first:
        _PREPARING[index] = (0, 0)
    try:
        cache.sync(step if first else progress)
    finally:
        _PREPARING.pop(index, None)
    return cache


def _cache_of(index: SearchIndex) -> TokenCache:
    with _CACHES_LOCK:
        cache = _CACHES.get(index)
        if cache is None:
            cache = _CACHES[index] = TokenCache(index.store)
            weakref.finalize(index, cache.close)
    return cache


def follow_token_cache(index: SearchIndex) -> None:
    """The analyses of ``index`` read its token cache as another process keeps it (a server's
    background thread) and never build or update it themselves (:class:`Preparing` until it is first
    built)."""
    _FOLLOWERS.add(index)


@contextmanager
def reading_token_cache(index: SearchIndex) -> Iterator[None]:
    """One state of a followed cache for everything inside (a read transaction on its file)."""
    if index not in _FOLLOWERS:
        yield
        return
    cache = _cache_of(index)
    with cache.lock:
        cache.db.execute("BEGIN")
        try:
            yield
        finally:
            cache.db.execute("COMMIT")


def token_cache(index: SearchIndex, progress: Progress | None = None) -> TokenCache:
    """The token cache of ``index``'s store, brought up to date with it (for a handle shared with
    ``share_token_cache``: its owner's cache as it is, or :class:`Preparing`; for one that
    ``follow_token_cache``: as the file holds it)."""
    if index in _FOLLOWERS:
        cache = _cache_of(index)
        cache.follow()
        return cache
    owner = _OWNERS.get(index)
    if owner is None:
        cache = _cache_of(index)
        cache.sync(progress)
        return cache
    state = _PREPARING.get(owner)
    if state is not None:
        raise Preparing(*state)
    with _CACHES_LOCK:
        cache = _CACHES.get(owner)
    if cache is None:
        raise Preparing(0, 0)
    return cache
