"""Beyond one machine: ingest throughput and PostgreSQL-backed servers under load (never a test).

    python bench/scale.py [--corpus ../shared/corpus] [--docs 3000] [--seconds 30]
                          [--clients 16] [--queries 300] [--seed N] [--only corpus,synth,serve]

1. **corpus**: ingest the shared corpus into a fresh archive with 1 and 2 parse workers, on
   SQLite and on PostgreSQL (a throwaway server from tests/pgserver.py on loopback); prints
   documents/s and MB/s (uncompressed input, as bench/ingest.py counts it) and the ratios.
2. **synth**: the same for ``--docs`` synthetic documents resampled from the corpus's real turns
   (bench/synth.py, the generator of bench/search.py's 100k archive), each written as a text page
   the real parser reads, so parsing, enrichment and writes are all measured. The default 3,000
   keeps the whole run to minutes; ``--docs 100000`` is the full archive (about 20 min a run).
3. **serve**: two ``communique serve`` processes on the PostgreSQL corpus archive, each with its
   own data dir (its own tantivy index, built from the store and following its change log):
   time to build the index, its size, top-10 search latency p50/p95/p99 on each server (the
   query mix of bench/serve_load.py, every request once per server, one client), whether both
   servers answer alike, then ``--seconds`` of load with ``--clients`` concurrent clients split
   across the two servers: throughput, p50/p95/p99 and errors (target: none, p99 < 100 ms).

Exits 1 if a load request failed.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from tests.pgserver import PgServer, database_of  # noqa: E402

from communique.ingest.pipeline import Ingester, IngestReport  # noqa: E402
from communique.model import Document  # noqa: E402
from communique.sources.raw import RawInput  # noqa: E402
from communique.store import open_store  # noqa: E402
from ingest import read_floor  # noqa: E402
from serve_load import (  # noqa: E402
    Request,
    Tally,
    client,
    make_queries,
    pct,
    sample_turns,
    say,
    start_server,
)
from synth import Synthesis, load_source, synthesize, write_archive  # noqa: E402

BACKENDS = ("sqlite", "postgresql")
WORKERS = (1, 2)
PARTS = ("corpus", "synth", "serve")


@dataclass
class Run:
    """One timed ingest into a fresh archive."""

    backend: str
    workers: int
    seconds: float
    report: IngestReport
    target: str

    @property
    def docs(self) -> int:
        return self.report.counts["new"] + self.report.counts["updated"]


class Targets:
    """Fresh archives: SQLite files in a folder, databases on one throwaway PostgreSQL server."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.pg: PgServer | None = None
        self.n = 0

    def new(self, backend: str) -> str:
        self.n += 1
        if backend == "sqlite":
            return str(self.folder / f"a{self.n}.db")
        if self.pg is None:
            self.pg = PgServer.start()
            say(f"PostgreSQL on 127.0.0.1:{self.pg.port} ({self.pg.bin_dir.parent.name})")
        return self.pg.new_database()

    def size_mb(self, target: str) -> float:
        """The archive's size on disk: the SQLite file (and its WAL), or the database."""
        if self.pg is not None and target.startswith("postgresql://"):
            name = database_of(target)
            return int(self.pg.sql(f"SELECT pg_database_size('{name}')")) / 1e6
        return sum(p.stat().st_size for p in Path(target).parent.glob(Path(target).name + "*")
                   if p.is_file()) / 1e6  # fmt: skip

    def close(self) -> None:
        if self.pg is not None:
            self.pg.stop()


def timed_ingest(targets: Targets, backend: str, workers: int, run: Any, label: str) -> Run:
    target = targets.new(backend)
    with closing(open_store(target)) as store:
        t0 = time.perf_counter()
        report = run(Ingester(store, workers=workers))
        seconds = time.perf_counter() - t0
    result = Run(backend, workers, seconds, report, target)
    c = report.counts
    say(
        f"{label} {backend:<10} {workers} worker{'s' if workers > 1 else ' '}: {seconds:6.1f} s, "
        f"{result.docs} documents, {c['skipped']} skipped, {c['failed']} failed, "
        f"parsed on {len(report.workers)} processes; archive {targets.size_mb(target):.0f} MB; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    return result


def print_table(title: str, runs: list[Run], megabytes: float) -> None:
    print(f"\n{title}")
    print(f"{'backend':<11} {'workers':>7} {'seconds':>8} {'docs':>6} {'docs/s':>7} {'MB/s':>6}")
    for r in runs:
        print(
            f"{r.backend:<11} {r.workers:>7} {r.seconds:>8.1f} {r.docs:>6} "
            f"{r.docs / r.seconds:>7.1f} {megabytes / r.seconds:>6.2f}"
        )
    by = {(r.backend, r.workers): r.seconds for r in runs}
    for backend in BACKENDS:
        if (backend, 1) in by and (backend, 2) in by:
            print(f"  {backend}: 2 workers {by[backend, 1] / by[backend, 2]:.2f}x the speed of 1")
    for w in WORKERS:
        if ("sqlite", w) in by and ("postgresql", w) in by:
            ratio = by["postgresql", w] / by["sqlite", w]
            print(f"  {w} worker(s): PostgreSQL takes {ratio:.2f}x the time of SQLite")


# -- synthetic documents as text pages -----------------------------------------------------------


def text_page(doc: Document) -> bytes:
    """A synthetic document as a plain-text page (date, title, labelled paragraphs), the shape
    of the seed page, so the real reader parses it."""
    day = date.fromisoformat(doc.date or "2000-01-01")
    lines = [f"{day.day} {day.strftime('%B %Y')}", "", doc.title or "Untitled", ""]
    for t in doc.turns:
        lines += [f"{t.label}: {t.text}" if t.label else t.text, ""]
    return "\n".join(lines).encode()


def synthetic_inputs(source_db: str, n: int, seed: int) -> tuple[list[RawInput], int]:
    """``n`` synthetic text pages and their number of turns."""
    source = load_source(source_db)
    stats = Synthesis()
    items = [
        RawInput(path=f"synth/{seed}/{doc.id}.txt", data=text_page(doc), kind="file",
                 meta={"format": "text", "lang": doc.lang})
        for doc, _raw in synthesize(source, n, seed, stats)
    ]  # fmt: skip
    return items, stats.turns


def write_ceiling(targets: Targets, source_db: str, n: int, seed: int) -> None:
    """The writer alone: the same synthetic documents stored already parsed (bench/synth.py's
    ``write_archive``, one transaction per 1,000), the ceiling of one ingest's writes."""
    source = load_source(source_db)
    print("\nwrites alone (documents already parsed; one writer, as every ingest has)")
    for backend in BACKENDS:
        with closing(open_store(targets.new(backend))) as store:
            t0 = time.perf_counter()
            done = write_archive(store, synthesize(source, n, seed, Synthesis()))
            seconds = time.perf_counter() - t0
        rate = done / seconds
        print(f"{backend:<11} {done:>6} documents in {seconds:6.1f} s: {rate:7.1f} docs/s")


# -- serving -------------------------------------------------------------------------------------


def dir_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


@contextmanager
def servers(target: str, folder: Path, n: int) -> Iterator[list[str]]:
    """``n`` servers over one archive, each with its own data dir; yields their URLs."""
    procs = []
    try:
        urls = []
        for i in range(n):
            data_dir = folder / f"server{i}"
            t0 = time.perf_counter()
            proc, url = start_server(
                target, folder / f"server{i}.log", ("--data-dir", str(data_dir))
            )
            procs.append(proc)
            urls.append(url)
            say(
                f"server {i + 1} at {url}: answering after {time.perf_counter() - t0:.1f} s "
                f"(its own index built from the store: {dir_mb(data_dir):.0f} MB in {data_dir})"
            )
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
            try:
                proc.wait(10)
            except Exception:
                proc.kill()


def answer(http: httpx.Client, req: Request) -> tuple[float, Any]:
    t0 = time.perf_counter()
    r = http.get("/api/v1/search", params=req.params)
    elapsed = time.perf_counter() - t0
    r.raise_for_status()
    body = r.json()
    return elapsed, (body["total"], [h.get("permalink") for h in body["hits"]])


def latency(urls: list[str], queries: list[Request]) -> None:
    """Every request once on each server (one client); prints p50/p95/p99 and how many
    requests the servers answered differently (totals, the top 10 as a set, its order)."""
    results: list[dict[Request, Any]] = []
    print("\ntop-10 search latency, one client (ms)")
    print(f"{'server':<24} {'n':>5} {'p50':>6} {'p95':>6} {'p99':>6} {'max':>6}")
    for url in urls:
        seen: dict[Request, Any] = {}
        times: list[float] = []
        with httpx.Client(base_url=url, timeout=60) as http:
            for req in queries:
                elapsed, seen[req] = answer(http, req)
                times.append(elapsed)
        results.append(seen)
        print(
            f"{url:<24} {len(times):>5} {pct(times, 50):>6.1f} {pct(times, 95):>6.1f} "
            f"{pct(times, 99):>6.1f} {max(times) * 1000:>6.1f}"
        )
    a, b = results[0], results[-1]
    totals = sum(1 for q in queries if a[q][0] != b[q][0])
    sets = sum(1 for q in queries if set(a[q][1]) != set(b[q][1]))
    order = sum(1 for q in queries if a[q][1] != b[q][1])
    print(
        f"the two servers differ on: totals {totals}, top-10 sets {sets}, top-10 order {order} "
        f"of {len(queries)} requests"
    )
    for q in [q for q in queries if a[q] != b[q]][:2]:
        print(f"  e.g. {dict(q.params)}: {a[q]} vs {b[q]}")


def load(urls: list[str], queries: list[Request], clients: int, seconds: float) -> int:
    """``clients`` threads split across ``urls`` for ``seconds``; prints the figures; returns
    the number of failed requests."""
    tally = Tally()
    start = time.perf_counter()
    threads = [
        threading.Thread(
            target=client, args=(urls[i % len(urls)], queries, i * 37, start + seconds, tally)
        )
        for i in range(clients)
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - start
    every = [v for values in tally.latencies.values() for v in values]
    failed = sum(tally.failures.values())
    print(f"\nload: {clients} clients across {len(urls)} servers for {wall:.1f} s")
    print(f"requests: {len(every) + failed} -> {(len(every) + failed) / wall:.1f} req/s")
    if every:
        p99 = pct(every, 99)
        print(
            f"latency ms: p50 {pct(every, 50):.1f}  p95 {pct(every, 95):.1f}  p99 {p99:.1f}  "
            f"max {max(every) * 1000:.1f}"
        )
        print(f"target p99 < 100 ms: {'OK' if p99 < 100 else 'MISSED'}")
    print(
        f"errors: {failed}" + (f" {dict(tally.failures)} e.g. {tally.examples}" if failed else "")
    )
    return failed


# -- main ----------------------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--docs", type=int, default=3000, help="synthetic documents (default 3000)")
    ap.add_argument("--seconds", type=float, default=30.0, help="load run length")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--queries", type=int, default=300, help="distinct requests in the mix")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--only", default=",".join(PARTS), help="parts to run: corpus,synth,serve")
    args = ap.parse_args()
    parts = set(args.only.split(","))
    seed = args.seed if args.seed is not None else random.randrange(1_000_000)
    say(f"seed {seed}; parts: {', '.join(p for p in PARTS if p in parts)}")
    say(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (other work skews timings)")

    folder = Path(tempfile.mkdtemp(prefix="communique-scale-"))
    targets = Targets(folder)
    failed = 0
    try:
        floor_s, files, size = read_floor(args.corpus)
        corpus_mb = size / 1e6
        say(f"corpus: {files} files, {corpus_mb:.1f} MB uncompressed (read in {floor_s:.1f} s)")
        # the corpus in SQLite (2 workers) is the synthetic documents' source and the query
        # mix's; the corpus in PostgreSQL (2 workers) is what the servers serve
        runs: list[Run] = []
        for backend in BACKENDS:
            for w in WORKERS if "corpus" in parts else (2,):
                runs.append(timed_ingest(
                    targets, backend, w, lambda i: i.run([args.corpus]), "corpus"
                ))  # fmt: skip
        if "corpus" in parts:
            print_table(
                f"ingest: the shared corpus ({corpus_mb:.1f} MB, {files} files)", runs, corpus_mb
            )
        source = next(r for r in runs if r.backend == "sqlite" and r.workers == 2).target
        served = next(r for r in runs if r.backend == "postgresql" and r.workers == 2).target

        if "synth" in parts:
            items, turns = synthetic_inputs(source, args.docs, seed)
            synth_mb = sum(len(i.data) for i in items) / 1e6
            say(f"{len(items)} synthetic pages, {turns} turns, {synth_mb:.1f} MB")
            synth_runs = [
                timed_ingest(
                    targets, backend, w, lambda i: i.run_items(items, ["synthetic"]), "synth"
                )
                for backend in BACKENDS
                for w in WORKERS
            ]
            print_table(
                f"ingest: {len(items):,} synthetic documents ({turns:,} turns, {synth_mb:.1f} MB; "
                "--docs sets the count, 100000 is bench/search.py's archive)",
                synth_runs,
                synth_mb,
            )
            write_ceiling(targets, source, args.docs, seed)

        if "serve" in parts:
            rng = random.Random(seed)
            queries = [
                Request(q.kind, (*q.params, ("size", "10")))
                for q in make_queries(sample_turns(Path(source), rng, 2000), rng, args.queries)
            ]
            with servers(served, folder, 2) as urls:
                first = {q.kind: q for q in reversed(queries)}
                for url in urls:  # untimed: the first request of each kind loads what it needs
                    with httpx.Client(base_url=url, timeout=60) as warm:
                        for req in [*first.values(), *queries[:20]]:
                            warm.get("/api/v1/search", params=req.params)
                latency(urls, queries)
                failed = load(urls, queries, args.clients, args.seconds)
        print(f"\nseed {seed}")
    finally:
        targets.close()
        shutil.rmtree(folder, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
