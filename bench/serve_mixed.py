"""Searches while heavy analyses run: does one user's keyness stall another's search?
(a benchmark, never a test)

    python bench/serve_mixed.py [--db ARCHIVE | --keep DIR] [--corpus ../shared/corpus]
                                [--searchers 16] [--heavy 4] [--seconds 60] [--seed N]
                                [--serve-option OPT ...] [--postgresql]

Serves an archive of the shared corpus (``--db``, or ingested into ``--keep DIR`` or a
temporary folder) with ``communique serve`` on loopback, then runs two phases of ``--seconds``
each: ``--searchers`` clients sending ``GET /api/v1/search`` alone (the baseline), then the same
searchers while ``--heavy`` clients cycle through keyness, collocations, verify and a KWIC sorted
by context (one kind each, in turn). Every loop is bounded by the phase's time. Prints, per
phase, search p50/p95/p99 and max, the heavy requests' count and latency, errors (a status other
than 200, 503 counted apart, or an exception), the server's RSS after start-up, after the
search-only phase and at the end, and its analysis workers'; then the targets of issue 17 (search
p99 < 150 ms and within 2x of the baseline, 0 errors, server RSS growth over the mixed run
< 20%) with yes/no. ``--serve-option`` passes options on to ``serve``
(``--max-client-connections`` is raised to the number of clients unless given: they all come
from 127.0.0.1). With ``--postgresql``,
then the same figures for two servers over one PostgreSQL archive of the same corpus (a
throwaway server from tests/pgserver.py on loopback; each server its own data dir), the clients
spread over both. Exits 1 on any error.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from tests.pgserver import PgServer  # noqa: E402

from serve_load import (  # noqa: E402
    WORD,
    Request,
    Tally,
    archive_for,
    client,
    ingest,
    make_queries,
    pct,
    sample_turns,
    say,
    start_server,
)

HEAVY_KINDS = ("keyness", "collocations", "verify", "kwic-sorted")


@dataclass
class Heavy:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)


def heavy_requests(turns: list[tuple[str, str | None, str]], rng: random.Random) -> list[Request]:
    """Heavy requests built from real turns: a keyness of two languages, collocations and a
    sorted KWIC of a frequent word, a verify of a real sentence."""
    words = [w.lower() for text, _, lang in turns if lang == "en" for w in WORD.findall(text)]
    common = [w for w, n in Counter(words).most_common(60) if len(w) >= 5] or ["russia"]
    sentences = [t[0][:160] for t in turns if t[2] == "en" and len(t[0]) > 80] or ["peace"]
    out = []
    for i in range(40):
        kind = HEAVY_KINDS[i % len(HEAVY_KINDS)]
        word = rng.choice(common)
        if kind == "keyness":
            params = (("a", word), ("b", ""), ("lang", "en"), ("limit", "20"))  # B: all of it
        elif kind == "collocations":
            params = (("q", word), ("limit", "20"))
        elif kind == "verify":
            params = (("q", rng.choice(sentences)),)
        else:
            params = (("q", word), ("sort", "left"), ("limit", "200"))
        out.append(Request(kind, params))
    return out


PATHS = {"keyness": "/api/v1/keyness", "collocations": "/api/v1/collocations",
         "verify": "/api/v1/verify", "kwic-sorted": "/api/v1/kwic"}  # fmt: skip


def heavy_client(url: str, reqs: list[Request], start: int, until: float, out: Heavy) -> None:
    i = start
    with httpx.Client(base_url=url, timeout=120) as http:
        while time.perf_counter() < until:
            req = reqs[i % len(reqs)]
            i += 1
            t = time.perf_counter()
            try:
                r = http.get(PATHS[req.kind], params=req.params)
                status = str(r.status_code)
            except Exception as e:  # counted, never fatal
                status = type(e).__name__
            with out.lock:
                out.statuses[f"{req.kind} {status}"] += 1
                if status == "200":
                    out.latencies.setdefault(req.kind, []).append(time.perf_counter() - t)


def rss_kb(pid: int, field: str = "VmRSS") -> int:
    """A process's resident memory in KiB: all of it (``VmRSS``), or its anonymous part
    (``RssAnon``: the heap, what a leak grows) or its mapped files (``RssFile``: the index's
    and the concordance store's pages, which the kernel may take back)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def sample_rss(pids: list[int], seconds: float, out: list[int], parts: int = 6) -> None:
    """The servers' total RSS (KiB) at ``parts`` even steps over ``seconds``: whether memory
    levels off (caches and allocator arenas filling) or keeps growing (a leak)."""
    for _ in range(parts):
        time.sleep(seconds / parts)
        out.append(sum(rss_kb(pid) for pid in pids))


def children_rss_kb(pid: int) -> int:
    """RSS of the server's child processes (its analysis workers)."""
    total = 0
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "stat").read_text().rsplit(")", 1)[1].split()[
                1
            ] == str(pid):
                total += rss_kb(int(entry.name))
        except (OSError, IndexError):
            continue
    return total


def phase(urls: list[str], queries: list[Request], heavy: list[Request], searchers: int,
          heavies: int, seconds: float) -> tuple[Tally, Heavy, float]:  # fmt: skip
    """One phase; client ``i`` talks to server ``i`` modulo their number."""
    tally, out = Tally(), Heavy()
    until = time.perf_counter() + seconds
    threads = [threading.Thread(target=client,
                                args=(urls[i % len(urls)], queries, i * 37, until, tally))
               for i in range(searchers)]  # fmt: skip
    threads += [threading.Thread(target=heavy_client,
                                 args=(urls[i % len(urls)], heavy, i, until, out))
                for i in range(heavies)]  # fmt: skip
    start = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return tally, out, time.perf_counter() - start


def report(name: str, tally: Tally, out: Heavy, wall: float) -> tuple[float, int]:
    every = [v for values in tally.latencies.values() for v in values]
    errors = sum(tally.failures.values())
    print(f"\n== {name}: {len(every)} searches in {wall:.1f} s ({len(every) / wall:.1f}/s)")
    p99 = pct(every, 99) if every else float("inf")
    if every:
        print(f"search ms: p50 {pct(every, 50):.1f}  p95 {pct(every, 95):.1f}  p99 {p99:.1f}  "
              f"max {max(every) * 1000:.1f}")  # fmt: skip
    print(f"search errors: {errors}" + (f" {dict(tally.failures)}" if errors else ""))
    for example in tally.examples:
        print(f"  e.g. {example}")
    for kind in HEAVY_KINDS:
        values = out.latencies.get(kind, [])
        if values:
            print(f"{kind:<13} {len(values):>4} ok  p50 {pct(values, 50):8.0f} ms  "
                  f"max {max(values) * 1000:8.0f} ms")  # fmt: skip
    bad = {k: n for k, n in out.statuses.items() if not k.endswith(" 200")}
    busy = sum(n for k, n in bad.items() if k.endswith(" 503"))
    if out.statuses:
        print(
            f"heavy: {sum(out.statuses.values())} requests, busy (503) {busy}, "
            f"other errors {sum(bad.values()) - busy}" + (f" {bad}" if bad else "")
        )
    return p99, errors + sum(bad.values()) - busy


def run_mixed(label: str, procs: list[Any], urls: list[str], queries: list[Request],
              heavy: list[Request], args: argparse.Namespace) -> int:  # fmt: skip
    """Both phases against the servers ``urls`` (the clients spread over them), then the
    figures and the targets; the errors counted."""
    for url in urls:
        with httpx.Client(base_url=url, timeout=300) as warm:  # untimed first requests
            ready_by = time.monotonic() + 900  # the word cache is built in the background
            while time.monotonic() < ready_by:
                derived = warm.get("/api/v1/stats").json().get("derived", {})
                if derived.get("word_cache", {"ready": True})["ready"]:
                    break
                time.sleep(1)
            for req in [*queries[:20], *heavy[: len(HEAVY_KINDS)]]:
                path = PATHS.get(req.kind, "/api/v1/search")
                warm.get(path, params=req.params)
    pids = [p.pid for p in procs]
    rss0 = sum(rss_kb(pid) for pid in pids)
    say(f"{label}: {', '.join(urls)}, RSS {rss0 / 1024:.0f} MiB; search only")
    base = phase(urls, queries, heavy, args.searchers, 0, args.seconds)
    rss_base = sum(rss_kb(pid) for pid in pids)
    anon_base = sum(rss_kb(pid, "RssAnon") for pid in pids)
    say(f"RSS {rss_base / 1024:.0f} MiB; searches with heavy clients")
    steps: list[int] = []
    sampler = threading.Thread(target=sample_rss, args=(pids, args.seconds, steps), daemon=True)
    sampler.start()
    mixed = phase(urls, queries, heavy, args.searchers, args.heavy, args.seconds)
    sampler.join(args.seconds)
    rss1 = sum(rss_kb(pid) for pid in pids)
    anon1 = sum(rss_kb(pid, "RssAnon") for pid in pids)
    files1 = sum(rss_kb(pid, "RssFile") for pid in pids)
    workers = sum(children_rss_kb(pid) for pid in pids)
    print(f"\n##### {label}")
    p99_base, errors_base = report("search only", *base)
    p99_mixed, errors_mixed = report(f"search + {args.heavy} heavy clients", *mixed)
    growth = (rss1 - rss_base) / rss_base * 100 if rss_base else 0.0  # over the mixed run
    servers = "server" if len(pids) == 1 else f"{len(pids)} servers'"
    print(f"\n{servers} RSS: {rss0 / 1024:.0f} MiB, after search only {rss_base / 1024:.0f} "
          f"MiB, at the end {rss1 / 1024:.0f} MiB ({growth:+.0f}% over the mixed run); "
          f"child processes (analysis workers) {workers / 1024:.0f} MiB")  # fmt: skip
    half = steps[len(steps) // 2 - 1] if len(steps) >= 2 else rss_base
    print(f"  RSS over the mixed run, MiB: {' '.join(f'{k / 1024:.0f}' for k in steps)}; over "
          f"its second half {(rss1 - half) / half * 100:+.0f}%")  # fmt: skip
    anon_growth = (anon1 - anon_base) / anon_base * 100 if anon_base else 0.0
    print(f"  of which anonymous (heap) {anon_base / 1024:.0f} -> {anon1 / 1024:.0f} MiB "
          f"({anon_growth:+.0f}%), mapped files at the end {files1 / 1024:.0f} MiB")  # fmt: skip
    errors = errors_base + errors_mixed
    print("targets:")
    print(f"  search p99 < 150 ms with heavy clients: {p99_mixed:.1f} ms "
          f"{'yes' if p99_mixed < 150 else 'NO'}")  # fmt: skip
    ratio = p99_mixed / p99_base if p99_base else float("inf")
    print(f"  within 2x of search only ({p99_base:.1f} ms): {ratio:.2f}x "
          f"{'yes' if ratio <= 2 else 'NO'}")  # fmt: skip
    print(f"  0 errors: {errors} {'yes' if errors == 0 else 'NO'}")
    print(f"  server RSS growth over the mixed run < 20%: {growth:+.0f}% "
          f"{'yes' if growth < 20 else 'NO'}")  # fmt: skip
    return errors


def stop(procs: list[Any]) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(10)
        except Exception:
            proc.kill()
            proc.wait()


def on_postgresql(corpus: Path, tmp: Path, queries: list[Request], heavy: list[Request],
                  args: argparse.Namespace) -> int:  # fmt: skip
    """The corpus ingested into a throwaway PostgreSQL server, served by two servers (each
    its own data dir: index and word cache), the clients spread over both."""
    pg = PgServer.start()
    procs: list[Any] = []
    try:
        target = pg.new_database()
        t = time.perf_counter()
        ingest(corpus, target)  # type: ignore[arg-type]
        say(f"PostgreSQL on 127.0.0.1:{pg.port}: ingested in {time.perf_counter() - t:.0f} s")
        urls = []
        for i in range(2):
            data_dir = tmp / f"pg-server{i}"
            proc, url = start_server(target, tmp / f"pg-serve{i}.log",
                                     ("--data-dir", str(data_dir), *args.serve_option))  # fmt: skip
            procs.append(proc)
            urls.append(url)
        return run_mixed("PostgreSQL, two servers", procs, urls, queries, heavy, args)
    finally:
        stop(procs)
        pg.stop()


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--db", type=Path, help="an existing archive (default: ingest --corpus)")
    ap.add_argument("--keep", type=Path, help="ingest into (or reuse the archive in) this folder")
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--searchers", type=int, default=16)
    ap.add_argument("--heavy", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--serve-option", action="append", default=[], help="passed on to serve")
    ap.add_argument("--postgresql", action="store_true",
                    help="then the same over PostgreSQL with two servers")  # fmt: skip
    args = ap.parse_args()
    if not any(o.startswith("--max-client-connections") for o in args.serve_option):
        # every client is on 127.0.0.1: without this the server's per-client cap (16) answers
        # the clients beyond it 503, which says nothing about heavy work
        args.serve_option += ["--max-client-connections", str(args.searchers + args.heavy + 4)]
    seed = args.seed if args.seed is not None else random.randrange(1_000_000)
    rng = random.Random(seed)
    say(f"seed {seed}; {args.searchers} searchers, {args.heavy} heavy clients, "
        f"{args.seconds:g} s per phase")  # fmt: skip

    with tempfile.TemporaryDirectory(prefix="serve-mixed-") as tmp:
        db = archive_for(args.db, args.keep, args.corpus, Path(tmp))
        turns = sample_turns(db, rng, 2000)
        queries = make_queries(turns, rng, 300)
        heavy = heavy_requests(turns, rng)
        proc, url = start_server(db, Path(tmp) / "serve.log", tuple(args.serve_option))
        try:
            errors = run_mixed(f"SQLite, one server over {db}", [proc], [url], queries, heavy,
                               args)  # fmt: skip
        finally:
            stop([proc])
        if args.postgresql:
            errors += on_postgresql(args.corpus, Path(tmp), queries, heavy, args)
    print(f"seed {seed}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
