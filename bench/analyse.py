"""Timings of the analyses against the targets of the analysis issue.

    .venv/bin/python bench/analyse.py --db /tmp/bench100k/archive.db

The first run builds the token cache (``<db>.analysis``, beside the archive; the archive itself
is not changed) and reports how long that took; the timings are of warm runs (best of
``--repeat``). Subcorpora for keyness: the two years with the most documents of about 10,000.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from communique import Archive
from communique.analysis import stats
from communique.analysis.corpus import token_cache

TARGETS = {"trend": 0.3, "collocations": 2.0, "keyness": 3.0}


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", required=True)
    ap.add_argument("--word", default="cooperation", help="a common word")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    t = time.perf_counter()
    archive = Archive(args.db)
    print(f"open archive: {time.perf_counter() - t:.2f} s")
    t = time.perf_counter()
    cache = token_cache(archive.index)
    print(f"token cache (build or check): {time.perf_counter() - t:.2f} s, "
          f"{len(cache.words)} words in the vocabulary")  # fmt: skip
    hits = archive.search(args.word, limit=0).total
    print(f"{args.word!r}: {hits} matching turns")
    docs = dict(archive.store.db.execute(
        "SELECT substr(date, 1, 4), count(*) FROM documents WHERE date IS NOT NULL GROUP BY 1"
    ).fetchall())  # fmt: skip
    years = sorted(docs, key=lambda y: abs(docs[y] - 10_000))[:2]
    a, b = sorted(years)
    print(f"keyness: date:{a} ({docs[a]} documents) vs date:{b} ({docs[b]} documents)")
    runs = {
        "trend": lambda: stats.trend(archive.index, args.word, by="month", per_10k=True),
        "trend (by year, split by publisher)": lambda: stats.trend(
            archive.index, args.word, by="year", split="publisher"
        ),
        "collocations": lambda: stats.collocations(archive.index, args.word, window=5),
        "keyness": lambda: stats.keyness(archive.index, f"date:{a}", f"date:{b}"),
        "who-says": lambda: stats.who_says(archive.index, args.word),
        "frequencies (words, whole archive)": lambda: stats.frequencies(archive.index),
    }
    for name, fn in runs.items():
        took, _ = best(fn, args.repeat)
        target = TARGETS.get(name)
        verdict = "" if target is None else (
            f"  target <= {target * 1000:.0f} ms: {'ok' if took <= target else 'MISSED'}"
        )  # fmt: skip
        print(f"{name:40s} {took * 1000:9.1f} ms{verdict}")
    archive.close()


if __name__ == "__main__":
    main()
