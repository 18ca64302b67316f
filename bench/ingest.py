"""Ingest throughput on the shared corpus: one command, prints numbers and ratios.

    python bench/ingest.py [--corpus ../shared/corpus] [--workers N]

Measures (1) merely reading and decompressing every file, (2) a full ingest into a fresh
archive, (3) a re-ingest of the same inputs (all unchanged); prints documents/s, MB/s, the
ratio of ingest to the read floor, and peak memory (RSS) of the ingest process and its workers.
"""

from __future__ import annotations

import argparse
import gzip
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from communique.ingest.pipeline import Ingester  # noqa: E402
from communique.store.sqlite import SQLiteStore  # noqa: E402


def read_floor(corpus: Path) -> tuple[float, int, int]:
    """Seconds to read (and gunzip) every file; files and bytes read."""
    t0 = time.perf_counter()
    files = size = 0
    for p in sorted(corpus.rglob("*")):
        if p.is_file():
            data = p.read_bytes()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            files += 1
            size += len(data)
    return time.perf_counter() - t0, files, size


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--workers", type=int, default=None)
    args = ap.parse_args()

    floor_s, files, size = read_floor(args.corpus)
    mb = size / 1e6
    print(f"read floor: {files} files, {mb:.1f} MB uncompressed in {floor_s:.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        store = SQLiteStore(db)
        t0 = time.perf_counter()
        report = Ingester(store, workers=args.workers).run([args.corpus])
        ingest_s = time.perf_counter() - t0
        docs = report.counts["new"] + report.counts["updated"]
        t0 = time.perf_counter()
        again = Ingester(store, workers=args.workers).run([args.corpus])
        reingest_s = time.perf_counter() - t0
        store.close()
        db_mb = db.stat().st_size / 1e6
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    c = report.counts
    print(
        f"ingest: {ingest_s:.1f} s, {docs} documents ({docs / ingest_s:.0f} docs/s), "
        f"{mb / ingest_s:.1f} MB/s; new {c['new']}, skipped {c['skipped']}, failed {c['failed']}"
    )
    print(f"ingest / read floor: {ingest_s / floor_s:.1f}x")
    print(
        f"re-ingest (all unchanged: {again.counts['unchanged']}): {reingest_s:.1f} s "
        f"({reingest_s / floor_s:.1f}x the read floor)"
    )
    print(f"archive: {db_mb:.0f} MB; peak RSS: main {self_kb / 1024:.0f} MB, "
          f"largest worker {child_kb / 1024:.0f} MB")  # fmt: skip
    print("target: ingest under 60 s on 2 cores ->", "OK" if ingest_s < 60 else "MISSED")


if __name__ == "__main__":
    main()
