"""Search speed on a large archive: one command, prints numbers and ratios (never a test).

    python bench/search.py [--docs 100000] [--queries 200] [--seed N] [--keep DIR]
                           [--source-db DB] [--corpus ../shared/corpus] [--budget S]
                           [--warmup N] [--reuse-index]

``--docs 5000`` is a quick smoke run (about a minute). ``--keep DIR`` keeps the archive, the
FTS5 database and the real-turn source archive in DIR and reuses them when the document count
(and ``--seed``, if given) match; ``--reuse-index`` also skips rebuilding the project's index.

Builds an archive of ``--docs`` documents (100,000 by default, about 2 million turns) resampled
from the real turns of ``../shared/corpus`` (bench/synth.py), indexes it with the project's own
``Archive.reindex()``, then runs ``--queries`` queries of each kind (rare word, common word,
phrase, boolean, word + speaker + date + role filters, common word with facets) on:

- ``communique``: ``Archive.search`` (top 10 with snippets), without and with facets;
- ``floor``: raw tantivy on the same index, the same query, top 10 with a count, and tantivy's
  own ``SnippetGenerator`` for the 10 hits;
- ``fts5``: SQLite FTS5 over the same turns (unicode61 + porter, ``ORDER BY rank`` = ``bm25()``,
  ``snippet()`` for the top 10, filters through an indexed metadata table joined with
  ``CROSS JOIN``; facets as one ``GROUP BY`` per facet, Datasette style).

Prints p50/p95/p99 per kind and system, the ratios, KWIC timings, index build time and size,
and each target with OK or MISSED. Everything random comes from ``--seed`` (printed).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import shutil
import sqlite3
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

# a panic inside tantivy is reported as a Python exception; spare the Rust backtrace
os.environ["RUST_BACKTRACE"] = "0"
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from communique.store.sqlite import SQLiteStore  # noqa: E402
from synth import (  # noqa: E402
    WORD,
    Source,
    Synthesis,
    Vocab,
    load_source,
    synthesize,
    usable,
    vocabulary,
    write_archive,
)

KINDS = ("rare", "common", "phrase", "boolean", "filtered", "faceted")
SYSTEMS = ("communique", "communique+facets", "floor (tantivy)", "floor+facets", "fts5")
T0 = time.perf_counter()


def say(msg: str) -> None:
    print(f"[{time.perf_counter() - T0:6.1f}s] {msg}", flush=True)


def mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1e6
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


# -- queries ----------------------------------------------------------------------------------


@dataclass
class Q:
    """One query, in the project's syntax and translated to FTS5's, with its filters."""

    text: str
    fts: str
    speaker: str | None = None
    role: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    facets: bool = False

    def filters(self) -> dict[str, Any]:
        out = {
            "speaker": self.speaker,
            "role": self.role,
            "date_from": self.date_from,
            "date_to": self.date_to,
        }
        return {k: v for k, v in out.items() if v is not None}


def english_stems(words: list[str]) -> dict[str, str]:
    """Each word's English (Snowball) stem, by tantivy's stemmer; the word itself without it."""
    try:
        import tantivy

        analyzer = (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.stemmer("english"))
            .build()
        )
    except Exception:
        return {w: w for w in words}
    return {w: (analyzer.analyze(w) or [w])[0] for w in words}


def fq(word: str) -> str:
    """A word or phrase as an FTS5 string (quoted: never read as an operator)."""
    return '"' + word.replace('"', '""') + '"'


class QueryMaker:
    """Query sets drawn from the synthetic archive's English vocabulary.

    A word's frequency counts every turn holding a word with its (English) stem, since both
    the project and FTS5 match stemmed: a rare word has all its forms in 10-100 turns."""

    def __init__(self, source: Source, vocab: Vocab, stats: Synthesis, rng: random.Random):
        self.source, self.vocab, self.stats, self.rng = source, vocab, stats, rng
        n = vocab.turns
        stem = english_stems(list(vocab.df))
        by_stem: Counter[str] = Counter()
        for w, c in vocab.df.items():
            by_stem[stem[w]] += c  # an upper bound: a turn with two forms counts twice
        self.df = {w: by_stem[stem[w]] for w in vocab.df}
        words = [(w, self.df[w]) for w in vocab.df if usable(w)]
        self.rare = sorted(w for w, c in words if 10 <= c <= 100 and len(w) >= 4)
        self.common = sorted(w for w, c in words if 0.01 * n <= c <= 0.10 * n)
        self.mid = {w for w, c in words if 0.0005 * n <= c <= 0.05 * n}
        self.filter_words = sorted(w for w, c in words if 0.005 * n <= c <= 0.08 * n)
        target = 0.10 * n
        # the word in ~10% of turns for KWIC, and the next closest (warms up the process)
        near = sorted((w for w, _ in words), key=lambda w: (abs(self.df[w] - target), w))
        self.kwic_word, self.kwic_warm = near[0], near[1]

    def pick(self, pool: list[str], k: int) -> list[str]:
        if len(pool) >= k:
            return self.rng.sample(pool, k)
        return [self.rng.choice(pool) for _ in range(k)]

    def turn_text(self) -> str:
        v = self.vocab
        i = self.rng.randrange(v.en_weights[-1])
        lo, hi = 0, len(v.en_weights)
        while lo < hi:  # first cumulative weight above i
            mid = (lo + hi) // 2
            if v.en_weights[mid] > i:
                hi = mid
            else:
                lo = mid + 1
        return self.source.turns[v.en_turns[lo]].text

    def phrase(self, text: str | None = None) -> str | None:
        """2-3 consecutive words of a real turn (only spaces between), not all stop words."""
        for _ in range(50):
            t = text or self.turn_text()
            toks = list(re.finditer(r"[A-Za-z]+", t))
            if len(toks) < 3:
                continue
            size = self.rng.choice((2, 3))
            i = self.rng.randrange(len(toks) - size + 1)
            run = toks[i : i + size]
            if any(t[a.end() : b.start()] != " " for a, b in itertools.pairwise(run)):
                continue
            words = [m.group().lower() for m in run]
            if sum(usable(w) for w in words) and all(len(w) >= 2 for w in words):
                return " ".join(words)
        return None

    def rare_queries(self, k: int) -> list[Q]:
        return [Q(w, fq(w)) for w in self.pick(self.rare, k)]

    def phrase_queries(self, k: int) -> list[Q]:
        out = []
        while len(out) < k:
            p = self.phrase()
            if p:
                out.append(Q(f'"{p}"', fq(p)))
        return out

    def boolean_queries(self, k: int) -> list[Q]:
        """Shapes ``a AND (b OR c) -d``, ``(a OR b) AND c``, ``"p q" AND a``, ``a AND b AND NOT d``:
        a, b, c from one real turn (so that something matches), d a common word not in it."""
        out: list[Q] = []
        while len(out) < k:
            text = self.turn_text()
            present = set(WORD.findall(text.lower()))
            ws = sorted(present & self.mid)
            if len(ws) < 3:
                continue
            a, b, c = self.rng.sample(ws, 3)
            d = self.rng.choice([w for w in self.common if w not in present] or self.common)
            shape = len(out) % 4
            if shape == 0:
                out.append(
                    Q(f"{a} AND ({b} OR {c}) -{d}", f"{fq(a)} AND ({fq(b)} OR {fq(c)}) NOT {fq(d)}")
                )
            elif shape == 1:
                out.append(Q(f"({a} OR {b}) AND {c}", f"({fq(a)} OR {fq(b)}) AND {fq(c)}"))
            elif shape == 2:
                p = self.phrase(text)
                if not p:
                    continue
                out.append(Q(f'"{p}" AND {a}', f"{fq(p)} AND {fq(a)}"))
            else:
                out.append(Q(f"{a} AND {b} AND NOT {d}", f"{fq(a)} AND {fq(b)} NOT {fq(d)}"))
        return out

    def filtered_queries(self, k: int) -> list[Q]:
        """A word, a speaker with one of the roles they have (drawn by their English turns), and
        a date range of 1-8 years."""
        pairs = [(s, r) for (lang, s, r), _ in sorted(self.stats.speakers.items()) if lang == "en"]
        weights = [c for (lang, _, _), c in sorted(self.stats.speakers.items()) if lang == "en"]
        out = []
        for _ in range(k):
            word = self.rng.choice(self.filter_words)
            speaker, role = self.rng.choices(pairs, weights)[0]
            start = date(1999, 1, 1) + timedelta(days=self.rng.randrange(22 * 365))
            end = min(start + timedelta(days=self.rng.randrange(365, 8 * 365)), date(2024, 12, 31))
            out.append(Q(word, fq(word), speaker, role, start.isoformat(), end.isoformat()))
        return out

    def all(self, k: int) -> dict[str, list[Q]]:
        common = self.pick(self.common, 2 * k)  # common and faceted: different words if possible
        return {
            "rare": self.rare_queries(k),
            "common": [Q(w, fq(w)) for w in common[:k]],
            "phrase": self.phrase_queries(k),
            "boolean": self.boolean_queries(k),
            "filtered": self.filtered_queries(k),
            "faceted": [Q(w, fq(w), facets=True) for w in common[k:]],
        }


# -- systems ----------------------------------------------------------------------------------

FACETS = ("kind", "publisher", "lang", "role", "speaker", "year")  # as the project's facets
SNIPPET_CHARS = 240  # the project's snippet size


class Fts5:
    """SQLite FTS5 over the same turns, set up as well as SQLite allows."""

    TOP = (
        "SELECT m.doc_id, m.n, m.speaker, m.date, snippet(fts, 0, '[', ']', '…', 40) "
        "FROM fts CROSS JOIN meta m ON m.id = fts.rowid WHERE fts MATCH ?"
    )

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        self.db.execute("PRAGMA mmap_size = 8000000000")
        self.db.execute("PRAGMA cache_size = -1000000")

    @staticmethod
    def build(archive: Path, path: Path) -> None:
        path.unlink(missing_ok=True)
        db = sqlite3.connect(path, isolation_level=None)
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        db.execute("PRAGMA cache_size = -1000000")
        db.execute("ATTACH ? AS a", (f"file:{archive}?mode=ro",))
        db.execute("BEGIN")
        db.execute(
            "CREATE TABLE meta (id INTEGER PRIMARY KEY, doc_id TEXT, n INTEGER, speaker TEXT, "
            "role TEXT, date TEXT, kind TEXT, lang TEXT, publisher TEXT)"
        )
        db.execute(
            "CREATE VIRTUAL TABLE fts USING fts5(text, "
            "tokenize = 'porter unicode61 remove_diacritics 2')"
        )
        db.execute(
            "INSERT INTO meta SELECT t.rowid, t.doc_id, t.n, t.speaker, t.role, d.date, d.kind, "
            "d.lang, d.publisher FROM a.turns t JOIN a.documents d ON d.id = t.doc_id"
        )
        db.execute("INSERT INTO fts (rowid, text) SELECT rowid, text FROM a.turns")
        for col in ("speaker", "role", "date", "kind", "lang", "publisher"):
            db.execute(f"CREATE INDEX meta_{col} ON meta ({col}, date)")
        db.execute("COMMIT")
        db.execute("INSERT INTO fts (fts) VALUES ('optimize')")
        db.execute("DETACH a")
        db.close()

    @staticmethod
    def where(q: Q) -> tuple[str, list[Any]]:
        sql, args = "", [q.fts]
        for col, value in (("speaker", q.speaker), ("role", q.role)):
            if value is not None:
                sql += f" AND m.{col} = ?"
                args.append(value)
        if q.date_from:
            sql += " AND m.date >= ?"
            args.append(q.date_from)
        if q.date_to:
            sql += " AND m.date <= ?"
            args.append(q.date_to)
        return sql, args

    def search(self, q: Q) -> int:
        where, args = self.where(q)
        rows = self.db.execute(f"{self.TOP}{where} ORDER BY rank LIMIT 10", args).fetchall()
        if q.facets:
            for f in FACETS:
                col = "substr(m.date, 1, 4)" if f == "year" else f"m.{f}"
                limit = 25 if f == "speaker" else 1000  # as the project's facets
                self.db.execute(
                    f"SELECT {col}, count(*) FROM fts CROSS JOIN meta m ON m.id = fts.rowid "
                    f"WHERE fts MATCH ?{where} GROUP BY 1 ORDER BY 2 DESC LIMIT {limit}",
                    args,
                ).fetchall()
        return len(rows)

    def count(self, q: Q) -> int:
        where, args = self.where(q)
        sql = "SELECT count(*) FROM fts CROSS JOIN meta m ON m.id = fts.rowid WHERE fts MATCH ?"
        return self.db.execute(sql + where, args).fetchone()[0]


class Floor:
    """Raw tantivy on the project's index: the same tantivy query (compiled by the project
    beforehand, outside the timing), top 10 with a count, tantivy's ``SnippetGenerator`` on the
    10 hits; with ``facets``, the project's aggregation request too."""

    def __init__(self, index_dir: Path, compiler: Any, facets: bool = False) -> None:
        import tantivy

        from communique.search.analysis import register

        self.tantivy = tantivy
        self.index = tantivy.Index.open(str(index_dir))
        register(self.index)
        self.schema = self.index.schema
        self.compiler = compiler  # the project's SearchIndex, for compiling queries only
        self.compiled: dict[int, Any] = {}
        self.aggs = facet_aggs() if facets else None

    def prepare(self, queries: list[Q]) -> None:
        from communique.search.query import parse_query
        from communique.search.selection import make_filters

        for q in queries:
            extra = make_filters(**q.filters())
            self.compiled[id(q)] = self.compiler.query(parse_query(q.text), extra)

    def search(self, q: Q) -> int:
        tq = self.compiled[id(q)]
        searcher = self.index.searcher()
        res = searcher.search(tq, 10, count=True)
        gen = self.tantivy.SnippetGenerator.create(searcher, tq, self.schema, "text_raw")
        gen.set_max_num_chars(SNIPPET_CHARS)
        for _, addr in res.hits:
            gen.snippet_from_doc(searcher.doc(addr)).to_html()
        if self.aggs is not None:
            searcher.aggregate(tq, self.aggs)
        return int(res.count or 0)


def facet_aggs() -> dict[str, Any]:
    """The aggregation request the project sends for its facets (the floor sends it too)."""
    from communique.search.facets import facet_request

    return facet_request()


def load_archive_api() -> tuple[Any, str | None]:
    """The project's ``Archive`` class, or None and why not."""
    try:
        try:
            from communique import Archive  # type: ignore[attr-defined]
        except ImportError:
            from communique.archive import Archive  # type: ignore[import-not-found]
        return Archive, None
    except Exception as e:
        return None, f"{type(e).__name__}: {e}"


def touch_hits(res: Any) -> int:
    """Make sure every hit's snippet was produced (in case they are computed lazily)."""
    hits = list(res.hits)
    for h in hits:
        for attr in ("snippet", "snippets", "text"):
            if hasattr(h, attr):
                getattr(h, attr)
                break
    return len(hits)


class Project:
    """``communique.Archive``: search (top 10 with snippets), facets, KWIC."""

    def __init__(self, cls: Any, db: Path) -> None:
        self.archive = cls(db)

    def search(self, q: Q, facets: bool | None = None) -> int:
        res = self.archive.search(
            q.text, **q.filters(), limit=10, facets=q.facets if facets is None else facets
        )
        touch_hits(res)
        return int(res.total)

    def kwic(self, word: str, sort: str, limit: int | None) -> int:
        res = self.archive.kwic(word, width=60, sort=sort, limit=limit)
        lines = getattr(res, "lines", res)
        return len(list(lines))


# -- timing -----------------------------------------------------------------------------------


@dataclass
class Cell:
    """Timings (ms) of one system on one kind of query."""

    times: list[float] = field(default_factory=list)
    hits: list[int] = field(default_factory=list)
    error: str | None = None
    planned: int = 0

    def pct(self, p: float) -> float:
        """Percentile by linear interpolation between closest ranks."""
        xs = sorted(self.times)
        if not xs:
            return float("nan")
        k = (len(xs) - 1) * p / 100
        lo = int(k)
        hi = min(lo + 1, len(xs) - 1)
        return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def run_cell(fn: Callable[[Q], int], queries: list[Q], budget: float, warm: list[Q]) -> Cell:
    """Time ``fn`` on each query after untimed runs of the ``warm`` queries (other queries of
    the same kind: the process, the index and the caches are then as in a running server);
    stop after ``budget`` s if at least 50 queries were timed."""
    cell = Cell(planned=len(queries))
    re.purge()  # no regular expression compiled for another cell's queries
    try:
        for q in warm:
            fn(q)
        start = time.perf_counter()
        for q in queries:
            t = time.perf_counter_ns()
            n = fn(q)
            cell.times.append((time.perf_counter_ns() - t) / 1e6)
            cell.hits.append(n)
            if time.perf_counter() - start > budget and len(cell.times) >= 50:
                break
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:  # also tantivy's PanicException (a BaseException)
        cell.error = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
        traceback.print_exc(limit=3)
    return cell


# -- the archive ------------------------------------------------------------------------------


def ingest_source(corpus: Path, path: Path) -> None:
    from communique.ingest.pipeline import Ingester

    store = SQLiteStore(path)
    try:
        report = Ingester(store).run([corpus])
    finally:
        store.close()
    say(f"source ingested: {dict(report.counts)}")


def build_archive(source: Source, db: Path, docs: int, seed: int) -> tuple[Synthesis, float]:
    for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        p.unlink(missing_ok=True)
    stats = Synthesis()
    store = SQLiteStore(db)
    t0 = time.perf_counter()
    step = max(1000, docs // 10)

    def progress(done: int) -> None:
        if done % step == 0:
            say(f"  {done:,} documents, {stats.turns:,} turns ({time.perf_counter() - t0:.0f} s)")

    try:
        write_archive(store, synthesize(source, docs, seed, stats), progress=progress)
    finally:
        store.close()
    return stats, time.perf_counter() - t0


def save_state(path: Path, state: dict[str, Any], stats: Synthesis) -> None:
    state = dict(state)
    state["uses"] = sorted(stats.uses.items())
    state["speakers"] = [[*k, v] for k, v in sorted(stats.speakers.items())]
    state["turns"] = stats.turns
    path.write_text(json.dumps(state))


def load_state(path: Path) -> tuple[dict[str, Any], Synthesis] | None:
    if not path.exists():
        return None
    state = json.loads(path.read_text())
    stats = Synthesis()
    stats.uses.update({int(i): n for i, n in state.pop("uses")})
    stats.speakers.update({(a, b, c): n for a, b, c, n in state.pop("speakers")})
    stats.turns = state["turns"]
    stats.docs = state["docs"]
    return state, stats


# -- report -----------------------------------------------------------------------------------


def fmt(x: float) -> str:
    if x != x:  # nan
        return "-"
    return f"{x:.2f}" if x < 100 else f"{x:.0f}"


def ratio(a: float, b: float) -> str:
    return "-" if a != a or b != b or b == 0 else f"{a / b:.2f}x"


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("OK" if ok else "MISSED")


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--keep", type=Path, default=None, help="build (or reuse) the archive here")
    ap.add_argument("--source-db", type=Path, default=None, help="an archive of the real corpus")
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument(
        "--budget", type=float, default=90.0, help="seconds per system and kind (>= 50 queries)"
    )
    ap.add_argument("--warmup", type=int, default=20, help="untimed queries before each cell")
    ap.add_argument("--reuse-index", action="store_true", help="with --keep: do not reindex")
    args = ap.parse_args()

    if args.keep:
        work = args.keep.resolve()
        work.mkdir(parents=True, exist_ok=True)
    else:
        work = Path(tempfile.mkdtemp(prefix="communique-search-bench-"))
    db, fts_path, state_path = work / "archive.db", work / "fts5.db", work / "bench.json"
    index_dir = Path(f"{db}.index")

    loaded = load_state(state_path) if args.keep else None
    if loaded and loaded[0]["docs"] == args.docs and args.seed in (None, loaded[0]["seed"]):
        state, stats = loaded
        seed = state["seed"]
        reuse = db.exists()
    else:
        state, stats, reuse = {}, Synthesis(), False
        seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**31)
    print(
        f"search bench: {args.docs:,} documents, {args.queries} queries a kind, seed {seed} "
        f"(--seed {seed} repeats it); work dir {work}{' (reused)' if reuse else ''}",
        flush=True,
    )

    try:
        run(args, work, db, fts_path, state_path, index_dir, state, stats, seed, reuse)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def run(
    args: argparse.Namespace,
    work: Path,
    db: Path,
    fts_path: Path,
    state_path: Path,
    index_dir: Path,
    state: dict[str, Any],
    stats: Synthesis,
    seed: int,
    reuse: bool,
) -> None:
    # 1. the real turns
    source_db = args.source_db or Path(state.get("source_db") or work / "source.db")
    if not source_db.exists():
        say(f"ingesting {args.corpus} into {source_db} (the real turns) ...")
        ingest_source(args.corpus, source_db)
    source = load_source(source_db)
    say(
        f"source: {len(source.turns):,} real turns from {source.n_docs:,} documents "
        f"({', '.join(f'{k} {len(v):,} units' for k, v in source.units.items())})"
    )

    # 2. the synthetic archive
    if reuse:
        say(f"reusing {db}: {stats.docs:,} documents, {stats.turns:,} turns")
    else:
        say(f"synthesising {args.docs:,} documents into {db} ...")
        shutil.rmtree(index_dir, ignore_errors=True)
        stats, synth_s = build_archive(source, db, args.docs, seed)
        say(f"archive written: {stats.turns:,} turns in {synth_s:.0f} s, {mb(db):.0f} MB")
        fts_path.unlink(missing_ok=True)
        state = {"docs": args.docs, "seed": seed, "source_db": str(source_db)}
        if args.keep:
            save_state(state_path, state, stats)
    vocab = vocabulary(source, stats)

    # 3. the project's index
    cls, api_error = load_archive_api()
    build_s: float | None = None
    if cls is not None:
        try:
            build_s = build_index(cls, db, index_dir, state, args.reuse_index)
            if args.keep:
                state["build_s"] = build_s
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as e:  # also tantivy's PanicException
            api_error = f"{type(e).__name__}: {e}"
            traceback.print_exc(limit=5)
    if api_error:
        cls = None
        say(f"communique.Archive is not usable ({api_error}): its rows are left out")

    # 4. the FTS5 baseline
    if not fts_path.exists() or "fts_build_s" not in state:
        say("building the FTS5 baseline ...")
        t = time.perf_counter()
        Fts5.build(db, fts_path)
        state["fts_build_s"] = time.perf_counter() - t
        say(f"FTS5 built in {state['fts_build_s']:.1f} s, {mb(fts_path):.0f} MB")
    if args.keep:
        save_state(state_path, state, stats)

    # 5. queries
    maker = QueryMaker(source, vocab, stats, random.Random(seed + 1))
    queries = maker.all(args.queries)
    warm = QueryMaker(source, vocab, stats, random.Random(seed + 2)).all(args.warmup)
    say(
        f"query sets ({args.queries} each, English vocabulary of the archive): "
        f"{len(maker.rare):,} rare words (10-100 turns), {len(maker.common):,} common "
        f"(1-10% of turns), KWIC word {maker.kwic_word!r} "
        f"({100 * maker.df[maker.kwic_word] / vocab.turns:.1f}% of turns)"
    )
    for kind in KINDS:
        q = queries[kind][0]
        extra = q.filters()
        say(f"  e.g. {kind:9s} {q.text}  {extra if extra else ''}{' facets' if q.facets else ''}")

    files = [p for p in (*index_dir.rglob("*"), fts_path) if p.is_file()]
    t = time.perf_counter()
    size = read_through(files)
    say(
        f"page cache warmed: read the index and the FTS5 database, {size / 1e6:,.0f} MB in "
        f"{time.perf_counter() - t:.1f} s; load average {os.getloadavg()[0]:.2f}"
    )

    # each cell gets fresh instances (no cache warmed by another cell's queries)
    def project(facets: bool) -> Callable[[list[Q]], Callable[[Q], int]]:
        def make(_qs: list[Q]) -> Callable[[Q], int]:
            p = Project(cls, db)
            return lambda q: p.search(q, facets=facets)

        return make

    def floor(facets: bool) -> Callable[[list[Q]], Callable[[Q], int]]:
        def make(qs: list[Q]) -> Callable[[Q], int]:
            f = Floor(index_dir, Project(cls, db).archive.index, facets=facets)
            f.prepare(qs)
            return f.search

        return make

    def fts5(_qs: list[Q]) -> Callable[[Q], int]:
        return Fts5(fts_path).search

    Factory = Callable[[list[Q]], Callable[[Q], int]]
    systems: list[tuple[str, Factory | None, tuple[str, ...]]] = [
        ("communique", project(False) if cls else None, KINDS),
        ("communique+facets", project(True) if cls else None, KINDS),
        ("floor (tantivy)", floor(False) if cls else None, KINDS),
        ("floor+facets", floor(True) if cls else None, ("faceted",)),
        ("fts5", fts5, KINDS),
    ]
    cells: dict[tuple[str, str], Cell] = {}
    for kind in KINDS:
        for name, factory, kinds in systems:
            if kind not in kinds:
                continue
            if factory is None:
                cells[kind, name] = Cell(error=api_error or "not available")
                continue
            qs = queries[kind]
            try:
                fn = factory(warm[kind] + qs)
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as e:  # also tantivy's PanicException
                traceback.print_exc(limit=5)
                cells[kind, name] = Cell(error=f"{type(e).__name__}: {e}")
                continue
            c = cells[kind, name] = run_cell(fn, qs, args.budget, warm[kind])
            say(
                f"  {kind:9s} {name:18s} p50 {fmt(c.pct(50)):>7s} p95 {fmt(c.pct(95)):>7s} ms"
                f"  ({len(c.times)} queries{', ' + c.error if c.error else ''})"
            )

    # 6. KWIC
    kwic: dict[str, Cell] = {}
    if cls is not None:
        word = maker.kwic_word
        for sort, limit, reps in (("corpus", 100, 5), ("left", None, 3), ("right", None, 3)):
            p = Project(cls, db)
            kwic[sort] = c = run_cell(
                lambda q, p=p, s=sort, lim=limit: p.kwic(q.text, s, lim),
                [Q(word, fq(word))] * reps,
                args.budget,
                [Q(maker.kwic_warm, fq(maker.kwic_warm))],
            )
            say(
                f"  kwic {word!r} sort={sort} limit={limit}: {fmt(c.pct(50))} ms median "
                f"({c.hits[0] if c.hits else '-'} lines{', ' + c.error if c.error else ''})"
            )

    say(f"queries done; load average {os.getloadavg()[0]:.2f} (other work adds noise)")
    agree = agreement(Project(cls, db), Fts5(fts_path), queries) if cls else {}
    report(args, cells, kwic, agree, build_s, index_dir, fts_path, db, state, maker, stats,
           api_error)  # fmt: skip


def read_through(paths: list[Path]) -> int:
    """Read files once, so that every system starts with them in the OS page cache."""
    total = 0
    for path in paths:
        with open(path, "rb") as f:
            while chunk := f.read(1 << 24):
                total += len(chunk)
    return total


def build_index(cls: Any, db: Path, index_dir: Path, state: dict[str, Any], reuse: bool) -> float:
    """Seconds to build the project's index of the whole archive (Archive.reindex())."""
    if reuse and index_dir.exists() and "build_s" in state:
        say(f"reusing the index {index_dir} (built in {state['build_s']:.0f} s)")
        return float(state["build_s"])
    say("building the project's index: Archive(db).reindex() ...")
    t = time.perf_counter()
    archive = cls(db)  # opening an archive without an index builds it: that is the build
    if not archive.last_sync.rebuilt:
        t = time.perf_counter()
        archive.reindex()
    build_s = time.perf_counter() - t
    archive.close()
    say(f"index built in {build_s:.1f} s, {mb(index_dir):.0f} MB")
    return build_s


def agreement(project: Project, fts: Fts5, queries: dict[str, list[Q]]) -> dict[str, str]:
    """Do the two find the same turns? Totals of the first 10 queries of each kind."""
    out = {}
    for kind in KINDS:
        pairs = []
        try:
            for q in queries[kind][:10]:
                pairs.append((project.search(q, facets=False), fts.count(q)))
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as e:  # also tantivy's PanicException
            out[kind] = f"{type(e).__name__}: {e}"
            continue
        same = sum(a == b for a, b in pairs)
        ours, theirs = sum(a for a, _ in pairs), sum(b for _, b in pairs)
        out[kind] = f"{same}/{len(pairs)} equal; matches {ours:,} vs fts5 {theirs:,}"
    return out


def report(
    args: argparse.Namespace,
    cells: dict[tuple[str, str], Cell],
    kwic: dict[str, Cell],
    agree: dict[str, str],
    build_s: float | None,
    index_dir: Path,
    fts_path: Path,
    db: Path,
    state: dict[str, Any],
    maker: QueryMaker,
    stats: Synthesis,
    api_error: str | None,
) -> None:
    nan = float("nan")
    print()
    print(f"== search: {stats.docs:,} documents, {stats.turns:,} turns; times in ms ==")
    head = (
        f"{'kind':9s} {'system':18s} {'p50':>8s} {'p95':>8s} {'p99':>8s} {'matches':>9s} {'n':>4s}"
    )
    print(head)
    print("-" * len(head))
    for kind in KINDS:
        for name in SYSTEMS:
            c = cells.get((kind, name))
            if c is None:
                continue
            label = "fts5+facets" if kind == "faceted" and name == "fts5" else name
            if not c.times:
                print(f"{kind:9s} {label:18s} not run: {c.error or '?'}")
                continue
            matches = "-" if name == "fts5" else f"{sum(c.hits) / len(c.hits):,.0f}"
            err = f"  ERROR {c.error}" if c.error else ""
            print(
                f"{kind:9s} {label:18s} {fmt(c.pct(50)):>8s} {fmt(c.pct(95)):>8s} "
                f"{fmt(c.pct(99)):>8s} {matches:>9s} {len(c.times):>4d}{err}"
            )
        us, fac, fl, fx = (cells[kind, n] for n in ("communique", "communique+facets",
                                                    "floor (tantivy)", "fts5"))  # fmt: skip
        ours = fac if kind == "faceted" else us
        line = (
            f"{'':9s} communique/floor p50 {ratio(us.pct(50), fl.pct(50))}, "
            f"fts5/communique p95 {ratio(fx.pct(95), ours.pct(95))}, "
            f"facets add {fmt(fac.pct(95) - us.pct(95))} ms at p95"
        )
        if kind == "faceted" and (kind, "floor+facets") in cells:
            ff = cells[kind, "floor+facets"]
            line += f", with facets communique/floor p50 {ratio(fac.pct(50), ff.pct(50))}"
        print(line)
        if kind in agree:
            print(f"{'':9s} same matches as fts5? first 10 queries: {agree[kind]}")
    print(
        "(matches: mean total of the query; fts5 is timed without counting its matches. "
        "faceted: fts5 runs one GROUP BY per facet.)"
    )
    if kwic:
        print()
        share = 100 * maker.df[maker.kwic_word] / stats.turns
        print(f"KWIC {maker.kwic_word!r} ({share:.1f}% of turns), width 60:")
        for sort, c in kwic.items():
            lines = c.hits[0] if c.hits else "-"
            err = f"  ERROR {c.error}" if c.error else ""
            worst = fmt(max(c.times, default=nan))
            limit = "first 100" if sort == "corpus" else "all"
            print(
                f"  sort={sort:6s} {limit:9s} {lines:>8} lines  median {fmt(c.pct(50))} ms, "
                f"max {worst} ms over {len(c.times)} runs{err}"
            )

    print()
    idx_mb = mb(index_dir) if index_dir.exists() else nan
    print(
        f"index: built in {fmt(build_s) if build_s is not None else '-'} s, "
        f"{fmt(idx_mb)} MB on disk ({index_dir.name}/); archive {mb(db):.0f} MB; "
        f"FTS5 baseline built in {state.get('fts_build_s', nan):.0f} s, {mb(fts_path):.0f} MB"
    )

    print()
    print("targets:")

    def line(title: str, values: dict[str, float], ok: Callable[[float], bool], unit: str) -> None:
        shown = [(k, v) for k, v in values.items() if v == v]
        if not shown:
            print(f"  {title:40s} not measured -> n/a")
            return
        vals = "  ".join(f"{k} {fmt(v)}{unit}" for k, v in shown)
        print(f"  {title:40s} {vals} -> {verdict(all(ok(v) for _, v in shown))}")

    def p(kind: str, name: str, pct: float) -> float:
        c = cells.get((kind, name))
        return c.pct(pct) if c is not None else nan

    us, fac, fl, fx = "communique", "communique+facets", "floor (tantivy)", "fts5"
    line(
        "p50 <= 5 ms (top 10 with snippets)", {k: p(k, us, 50) for k in KINDS}, lambda v: v <= 5, ""
    )
    line(
        "p95 <= 25 ms (top 10 with snippets)",
        {k: p(k, us, 95) for k in KINDS},
        lambda v: v <= 25,
        "",
    )
    line(
        "facets add <= 10 ms at p95",
        {k: p(k, fac, 95) - p(k, us, 95) for k in KINDS},
        lambda v: v <= 10,
        "",
    )
    line(
        "overhead over the floor <= 1.5x at p50",
        {k: p(k, us, 50) / p(k, fl, 50) for k in KINDS},
        lambda v: v <= 1.5,
        "x",
    )
    line(
        ">= 5x faster than FTS5 at p95",
        {k: p(k, fx, 95) / p(k, fac if k == "faceted" else us, 95) for k in KINDS},
        lambda v: v >= 5,
        "x",
    )
    line(
        "KWIC first 100 lines <= 200 ms",
        {"corpus": kwic["corpus"].pct(50) if kwic else nan},
        lambda v: v <= 200,
        " ms",
    )
    line(
        "KWIC sorted, all lines <= 2 s",
        {s: kwic[s].pct(50) if kwic else nan for s in ("left", "right")},
        lambda v: v <= 2000,
        " ms",
    )
    line("index build < 3 min", {"build": build_s if build_s is not None else nan},
         lambda v: v < 180, " s")  # fmt: skip
    if args.docs != 100_000:
        print(f"  (the targets are for 100,000 documents; this run has {args.docs:,})")
    if api_error:
        print(f"  communique.Archive was not usable ({api_error}): its targets are n/a")
    print(f"total run time {time.perf_counter() - T0:.0f} s")


if __name__ == "__main__":
    main()
