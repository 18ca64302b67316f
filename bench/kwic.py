"""Sorted concordances from the concordance store against today's path: one command, numbers.

    python bench/kwic.py [--db /tmp/b100k/a.db] [--word WORD] [--reps 3]

On an archive made by bench/search.py (``--keep DIR``; the 100,000-document one has about
2 million turns), for a word in about 10% of the turns (``--word``, else the store's word
closest to 10% among its frequent ones), sorted by the left and by the right context:

- ``store order``: every line's place (keys read from the store and sorted), and the count;
- ``store first 100``: the first 100 lines, cut from their turns' texts (what a page shows);
- ``store all lines``: every line cut from its turn's text (``Archive.kwic`` without a limit);
- ``index path``: today's path (``SearchIndex.kwic``: every matching turn read and matched),
  all lines, and the first 100 (which also reads every turn to sort them).

Prints the medians of ``--reps`` runs, the ratios to the index path and the targets (sorted
order of all lines <= 1 s, first 100 lines <= 50 ms). The store is built first if missing
(its build time is printed). Other work on the machine adds noise: the load average is shown.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# today's path takes seconds on this archive: no query budget stops it here
os.environ.setdefault("COMMUNIQUE_QUERY_SECONDS", "600")
sys.path.insert(0, str(ROOT / "src"))

from communique import Archive  # noqa: E402
from communique.search.concordance import concordance_of, prepare_concordance, serve  # noqa: E402
from communique.search.query import parse_query  # noqa: E402

TARGET_ALL_S = 1.0
TARGET_FIRST_MS = 50.0


CPU: dict[str, float] = {}  # the CPU seconds of the last timed call (median of its runs)


def timed(fn: Callable[[], Any], reps: int) -> tuple[float, Any]:
    """Median seconds of ``reps`` runs after one warm-up, and the last result (the median CPU
    seconds of this process in ``CPU["last"]``: the machine may be shared)."""
    out = fn()
    times, cpu = [], []
    for _ in range(reps):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    CPU["last"] = statistics.median(cpu)
    return statistics.median(times), out


def pick_word(archive: Archive, share: float = 0.10) -> tuple[str, int]:
    """The word whose matching turns are closest to ``share`` of the turns, among the store's
    words with about that many occurrences (each candidate counted by the index)."""
    conc = concordance_of(archive.store)
    _, segs, words, _, _ = conc._load()
    total = sum(len(s.rowid) for s in segs)
    occ: dict[int, int] = {}
    for seg in segs:
        counts = seg.post_off[1:] - seg.post_off[:-1]
        for i in ((counts > 0.5 * share * len(seg.rowid)).nonzero()[0]):
            occ[int(i)] = occ.get(int(i), 0) + int(counts[i])
    cands = [words[i] for i, c in occ.items() if 0.08 * total <= c <= 0.16 * total
             and words[i].isalpha() and len(words[i]) >= 4][:40]  # fmt: skip
    best = ("", -1)
    for w in cands:
        turns = archive.search(w, limit=0).total
        if abs(turns - share * total) < abs(best[1] - share * total):
            best = (w, turns)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", default="/tmp/b100k/a.db")
    ap.add_argument("--word")
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()
    archive = Archive(args.db, sync=False)
    store = archive.store
    turns_all = store.query("SELECT count(*) FROM turns").fetchone()[0]
    conc = concordance_of(store)
    if conc.state() is None or conc.seq < store.last_change():
        t = time.perf_counter()
        n = prepare_concordance(store)
        print(f"concordance store built or updated: {n:,} turns in {time.perf_counter() - t:.0f} s")
    size = sum(f.stat().st_size for f in conc.path.rglob("*") if f.is_file())
    print(f"archive {args.db}: {turns_all:,} turns; concordance store {size / 2**30:.2f} GiB")
    word, turns = (args.word, archive.search(args.word, limit=0).total) if args.word else \
        pick_word(archive)  # fmt: skip
    print(f"word {word!r}: {turns:,} matching turns ({100 * turns / turns_all:.1f}%)"
          f"{' (over the 100,000 the web used to refuse)' if turns > 100_000 else ''}")  # fmt: skip
    q = parse_query(word)
    index = archive.index
    ok = True
    for sort in ("left", "right"):

        def order(sort: str = sort) -> int:
            occ = conc.occurrences(conc.word_ids(q.node, index.forms), sort)
            occ.order()
            return len(occ)

        def first(sort: str = sort) -> Any:
            return serve(index, store, q, None, width=60, sort=sort, limit=100)

        def every(sort: str = sort) -> Any:
            return serve(index, store, q, None, width=60, sort=sort, limit=None)

        t_order, lines = timed(order, args.reps)
        c_order = CPU["last"]
        t_first, served = timed(first, args.reps)
        c_first = CPU["last"]
        t_every, _ = timed(every, 1)
        t_old, old = timed(lambda s=sort: index.kwic(q, None, width=60, sort=s), 1)
        t_old100, old100 = timed(lambda s=sort: index.kwic(q, None, width=60, sort=s, limit=100),
                                 1)  # fmt: skip
        same = sorted(map(tuple, old)) == sorted(map(tuple, every().lines))
        print(f"sort={sort}: {lines:,} lines (index path: {len(old):,}; same lines: {same})")
        print(f"  store order of all lines   {1000 * t_order:8.1f} ms  (target <= "
              f"{1000 * TARGET_ALL_S:.0f} ms: {'OK' if t_order <= TARGET_ALL_S else 'MISSED'})"
              f"; CPU {1000 * c_order:.1f} ms")  # fmt: skip
        first_ok = "OK" if 1000 * t_first <= TARGET_FIRST_MS else "MISSED"
        print(f"  store first 100 lines      {1000 * t_first:8.1f} ms  (target <= "
              f"{TARGET_FIRST_MS:.0f} ms: {first_ok}; CPU {1000 * c_first:.1f} ms); index path "
              f"{1000 * t_old100:.0f} ms, {t_old100 / t_first:.0f}x")  # fmt: skip
        print(f"  store all lines cut        {1000 * t_every:8.1f} ms; index path "
              f"{1000 * t_old:.0f} ms, {t_old / t_every:.1f}x")  # fmt: skip
        print(f"  first lines agree with the index path's first 100: "
              f"{sum(a == b for a, b in zip(served.lines, old100, strict=False))}/100")
        ok &= t_order <= TARGET_ALL_S and 1000 * t_first <= TARGET_FIRST_MS
    print(f"load average {os.getloadavg()[0]:.2f}; targets {'met' if ok else 'MISSED'}")


if __name__ == "__main__":
    main()
