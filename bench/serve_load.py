"""Load on the REST API: concurrent clients against a real server (a benchmark, never a test).

    python bench/serve_load.py [--db ARCHIVE | --keep DIR] [--corpus ../shared/corpus]
                               [--clients 8] [--seconds 30] [--seed N] [--queries 300]

Without ``--db``, ingests ``--corpus`` (the shared corpus) into a temporary archive, or into
``--keep DIR`` (reused when it is already there). Starts ``communique serve`` on loopback, then
``--clients`` threads, each with its own HTTP connection, send ``GET /api/v1/search`` for
``--seconds`` seconds, cycling through a mix of real queries drawn from the archive's turns with
``--seed`` (printed): single words, two words, quoted phrases, ``OR``, prefixes, Chinese words,
words with a filter, some with facets or a second page. Prints throughput (requests/s),
p50/p95/p99 latency overall and per kind of query, and the failed requests (a status other than
200, or an exception); exits 1 if any failed.
"""

from __future__ import annotations

import argparse
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
WORD = re.compile(r"[^\W\d_]{4,}")  # letters only: never an operator, a filter or a quote
HAN = re.compile(r"[\u4e00-\u9fff]{2,4}")
T0 = time.perf_counter()


def say(msg: str) -> None:
    print(f"[{time.perf_counter() - T0:6.1f}s] {msg}", flush=True)


# -- the archive ----------------------------------------------------------------------------------


def ingest(corpus: Path, db: Path) -> None:
    say(f"ingesting {corpus} into {db} (and building the search index)")
    cmd = [sys.executable, "-m", "communique.cli", "ingest", str(corpus), "--db", str(db), "-q"]
    subprocess.run(cmd, check=True, cwd=ROOT)


def archive_for(db: Path | None, keep: Path | None, corpus: Path, tmp: Path) -> Path:
    """The archive to serve: ``--db`` as given, else ``archive.db`` in ``--keep`` (reused if
    there) or in ``tmp``, ingested from ``corpus``."""
    if db:
        db = db.resolve()
        if not db.exists():
            raise SystemExit(f"no archive at {db}")
        return db
    folder = keep.resolve() if keep else tmp
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "archive.db"
    if db.exists():
        say(f"reusing {db}")
    else:
        t = time.perf_counter()
        ingest(corpus, db)
        say(f"ingested in {time.perf_counter() - t:.0f} s")
    return db


def sample_turns(db: Path, rng: random.Random, n: int) -> list[tuple[str, str | None, str]]:
    """``n`` random turns (text, speaker, document language), read-only."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        top = con.execute("SELECT max(rowid) FROM turns").fetchone()[0] or 0
        if not top:
            raise SystemExit(f"{db} has no turns")
        out: list[tuple[str, str | None, str]] = []
        tries = 0
        while len(out) < n and tries < n * 20:
            tries += 1
            row = con.execute(
                "SELECT t.text, t.speaker, d.lang FROM turns t JOIN documents d ON d.id = t.doc_id "
                "WHERE t.rowid = ?",
                (rng.randint(1, top),),
            ).fetchone()
            if row and row[0]:
                out.append((row[0], row[1], row[2] or ""))
        return out
    finally:
        con.close()


# -- the query mix --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    kind: str
    params: tuple[tuple[str, str], ...]


def make_queries(
    turns: list[tuple[str, str | None, str]], rng: random.Random, n: int
) -> list[Request]:
    """``n`` requests of several kinds, every word taken from a real turn."""
    chinese = [t for t in turns if HAN.search(t[0])]
    out: list[Request] = []
    for _ in range(n * 50):  # bounded: an archive may lack some kinds (no Chinese turns)
        if len(out) >= n:
            break
        text, speaker, lang = rng.choice(turns)
        words = [w.lower() for w in WORD.findall(text)]
        kind = rng.choice(("word", "two words", "phrase", "or", "prefix", "filtered", "faceted",
                           "page 2", "chinese"))  # fmt: skip
        q: str | None = None
        extra: list[tuple[str, str]] = []
        if kind == "chinese":
            q = rng.choice(HAN.findall(rng.choice(chinese)[0])) if chinese else None
        elif len(words) < 3:
            continue
        elif kind == "word" or kind == "page 2":
            q = rng.choice(words)
            if kind == "page 2":
                extra = [("page", "2")]
        elif kind == "two words":
            q = " ".join(rng.sample(words, 2))
        elif kind == "phrase":
            i = rng.randrange(len(words) - 1)
            q = '"' + " ".join(words[i : i + rng.choice((2, 3))]) + '"'
        elif kind == "or":
            q = f"{rng.choice(words)} OR {rng.choice(words)}"
        elif kind == "prefix":
            q = rng.choice(words)[:4] + "*"
        elif kind == "filtered":
            q = rng.choice(words)
            extra = [("lang", lang)] if lang else []
            if speaker:
                extra.append(("speaker", speaker))
        elif kind == "faceted":
            q = rng.choice(words)
            extra = [("facets", "true")]
        if q:
            out.append(Request(kind, (("q", q), *extra)))
    return out


# -- the server and the clients -------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    db: str | Path, log: Path, extra: tuple[str, ...] = ()
) -> tuple[subprocess.Popen[bytes], str]:
    """``communique serve`` on a free loopback port (``extra``: more options, e.g.
    ``--data-dir``); returns the process and its URL once it answers."""
    port = free_port()
    cmd = [sys.executable, "-m", "communique.cli", "serve", "--db", str(db), "--port", str(port)]
    cmd += extra
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300  # a first start may build the index
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/api/v1/stats", timeout=5).status_code == 200:
                return proc, url
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise SystemExit("the server did not answer in time")


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failures: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, why: str, req: Request) -> None:
        with self.lock:
            self.failures[why] += 1
            if len(self.examples) < 5:
                self.examples.append(f"{why}: {dict(req.params)}")


def client(url: str, queries: list[Request], start: int, until: float, tally: Tally) -> None:
    mine: dict[str, list[float]] = defaultdict(list)
    i = start
    with httpx.Client(base_url=url, timeout=30) as http:
        while time.perf_counter() < until:
            req = queries[i % len(queries)]
            i += 1
            t = time.perf_counter()
            try:
                r = http.get("/api/v1/search", params=req.params)
                elapsed = time.perf_counter() - t
                if r.status_code != 200:
                    tally.fail(f"HTTP {r.status_code}", req)
                    continue
                r.json()
            except Exception as e:  # every failure is counted, none is fatal
                tally.fail(type(e).__name__, req)
                continue
            mine[req.kind].append(elapsed)
    with tally.lock:
        for kind, values in mine.items():
            tally.latencies[kind].extend(values)


def pct(values: list[float], p: float) -> float:
    """The ``p``-th percentile (nearest rank), in milliseconds."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k] * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--db", type=Path, help="an existing archive (default: ingest --corpus)")
    ap.add_argument("--keep", type=Path, help="ingest into (or reuse the archive in) this folder")
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--queries", type=int, default=300, help="distinct requests in the mix")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1_000_000)
    rng = random.Random(seed)
    say(f"seed {seed}, {args.clients} clients, {args.seconds:g} s")

    with tempfile.TemporaryDirectory(prefix="serve-load-") as tmp:
        db = archive_for(args.db, args.keep, args.corpus, Path(tmp))
        turns = sample_turns(db, rng, 2000)
        queries = make_queries(turns, rng, args.queries)
        mix = Counter(q.kind for q in queries)
        say(
            f"{len(queries)} requests in the mix: "
            + ", ".join(f"{k} {mix[k]}" for k in sorted(mix))
        )

        proc, url = start_server(db, Path(tmp) / "serve.log")
        try:
            # untimed: the first request of each kind loads what it needs (jieba for Chinese)
            first = {q.kind: q for q in reversed(queries)}
            with httpx.Client(base_url=url, timeout=60) as warm:
                for req in [*first.values(), *queries[:20]]:
                    warm.get("/api/v1/search", params=req.params)
            say(f"server {url} over {db}; running")
            tally = Tally()
            start = time.perf_counter()
            until = start + args.seconds
            threads = [
                threading.Thread(target=client, args=(url, queries, i * 37, until, tally))
                for i in range(args.clients)
            ]
            for th in threads:
                th.start()
            for th in threads:
                th.join()
            wall = time.perf_counter() - start
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
            log = (Path(tmp) / "serve.log").read_text(errors="replace").strip()

    every = [v for values in tally.latencies.values() for v in values]
    failed = sum(tally.failures.values())
    total = len(every) + failed
    print()
    print(f"requests: {total} in {wall:.1f} s with {args.clients} clients "
          f"-> {total / wall:.1f} req/s (successful {len(every) / wall:.1f} req/s)")  # fmt: skip
    if every:
        print(f"latency ms: p50 {pct(every, 50):.1f}  p95 {pct(every, 95):.1f}  "
              f"p99 {pct(every, 99):.1f}  max {max(every) * 1000:.1f}")  # fmt: skip
    print(f"{'kind':<10} {'n':>6} {'p50':>7} {'p95':>7} {'p99':>7}")
    for kind, values in sorted(tally.latencies.items()):
        print(f"{kind:<10} {len(values):>6} {pct(values, 50):>7.1f} {pct(values, 95):>7.1f} "
              f"{pct(values, 99):>7.1f}")  # fmt: skip
    print(f"failed: {failed}" + (f" ({dict(tally.failures)})" if failed else ""))
    for example in tally.examples:
        print(f"  e.g. {example}")
    if failed and log:
        print("server log (end):\n" + "\n".join(log.splitlines()[-20:]))
    print(f"seed {seed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
