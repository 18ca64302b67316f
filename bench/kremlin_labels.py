"""Kremlin reader's markup labels vs an independent regex scan, over every Kremlin page.

Run from the project root: ``python bench/kremlin_labels.py``. Prints the number of pages,
labels found by each side, agreement (labels in common over labels in either, and pages that
agree exactly) and the first 20 disagreeing pages with what differs.
"""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import CORPUS  # noqa: E402
from tests.test_kremlin_reader import read_raw, scan_labels  # noqa: E402

from communique.ingest.pipeline import parse_raw  # noqa: E402
from communique.sources.raw import RawInput  # noqa: E402
from communique.structure.publishers.kremlin import read_kremlin  # noqa: E402

NOTE = re.compile(r"\s*\([^()]*\)?$")  # "(retranslated)": turns keep the label without it


def turn_labels(path: Path) -> Counter[str]:
    """Labels of the turns the full parse makes of one page."""
    doc = parse_raw(RawInput(path=str(path), data=path.read_bytes(), kind="file")).doc
    return Counter(t.label for t in doc.turns if t.label) if doc else Counter()


def main() -> int:
    files = sorted((CORPUS / "kremlin_en" / "html").glob("*.html.gz"))
    started = time.perf_counter()
    reader_total = scan_total = common = either = 0
    bad: list[tuple[str, Counter[str], Counter[str]]] = []
    for path in files:
        text = read_raw(path)
        got = Counter(b.label for b in read_kremlin(text).blocks if b.label is not None)
        want = Counter(scan_labels(text))
        reader_total += got.total()
        scan_total += want.total()
        common += (got & want).total()
        either += (got | want).total()
        if got != want:
            bad.append((path.name, got - want, want - got))
    seconds = time.perf_counter() - started
    print(f"pages: {len(files)} ({seconds:.1f} s)")
    print(f"labels: reader {reader_total}, scan {scan_total}, in common {common}")
    print(
        f"agreement: {100 * common / max(either, 1):.2f}% of labels, "
        f"{100 * (len(files) - len(bad)) / max(len(files), 1):.2f}% of pages "
        f"({len(bad)} pages disagree)"
    )
    for name, extra, missing in bad[:20]:
        print(f"  {name}: reader only {dict(extra)}; scan only {dict(missing)}")

    # The whole parse: do the turns carry the page's own <b> labels?
    total = common = 0
    bad = []
    for path in files:
        want = Counter(NOTE.sub("", label).strip() for label in scan_labels(read_raw(path)))
        got = turn_labels(path)
        total += want.total()
        common += (got & want).total()
        if got != want:
            bad.append((path.name, got - want, want - got))
    print(
        f"turns vs <b> labels: {common} of {total} labels start a turn with that label "
        f"({100 * common / max(total, 1):.2f}%); {len(files) - len(bad)} of {len(files)} pages "
        f"agree exactly"
    )
    for name, extra, missing in bad[:30]:
        print(f"  {name}: turns only {dict(extra)}; <b> only {dict(missing)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
