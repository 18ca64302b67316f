"""People behind the speaker labels of a whole archive: clusters and uncertain merges.

Build the archive once, then run from the project root::

    communique ingest ../shared/seeds ../shared/corpus --db /tmp/ppl.db
    python bench/people_report.py /tmp/ppl.db [--user extra.csv ...] [--top 30] [--csv grown.csv]

Prints: distinct labels (and resolved speakers) -> people, outlets and journalists; the top
people with their label variants; the uncertain merges for a human to confirm; how many labelled
turns :meth:`Register.resolve` (with each document's date and publisher) gives a person or outlet.
``--csv`` writes the people grown from the corpus as register rows, to review and load.
"""

from __future__ import annotations

import argparse
import csv
import sqlite3
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from communique.enrich.people import COLUMNS, Clusters, Register, cluster_labels  # noqa: E402


def rows(db: sqlite3.Connection, column: str) -> list[tuple[str, str, int, str]]:
    """(value, lang, turns, usual role) for every distinct label or speaker."""
    roles: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for value, lang, role, n in db.execute(
        f"SELECT t.{column}, coalesce(d.lang, ''), t.role, count(*) FROM turns t "
        f"JOIN documents d ON d.id = t.doc_id WHERE t.{column} IS NOT NULL AND t.{column} != '' "
        "GROUP BY 1, 2, 3"
    ):
        roles[(value, lang)][role] += n
    return [
        (value, lang, sum(c.values()), c.most_common(1)[0][0]) for (value, lang), c in roles.items()
    ]


def summary(name: str, items: list[tuple[str, str, int, str]], cl: Clusters) -> None:
    kinds = Counter(c.kind for c in cl.people.values())
    in_reg = sum(1 for c in cl.people.values() if c.in_register)
    assigned = sum(n for (lab, lang, n, _) in items if cl.person_of(lab, lang))
    total = sum(n for *_, n, _ in items)
    print(f"\n== {name}: {len(items)} distinct (value, lang) over {total} turns")
    print(
        f"   -> {len(cl.people)} clusters ({in_reg} register entries; "
        + ", ".join(f"{k} {v}" for k, v in kinds.most_common())
        + f"); {len(cl.skipped)} role words / no name; {len(cl.uncertain)} uncertain merges"
    )
    print(f"   turns whose value is assigned to a cluster: {assigned}/{total}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("--user", action="append", default=[], help="extra register CSV files")
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--csv", help="write the people grown from the corpus to this CSV")
    args = ap.parse_args()
    started = time.perf_counter()
    reg = Register.load(*args.user)
    db = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)

    labels = rows(db, "label")
    cl = cluster_labels(labels, reg)
    summary("labels", labels, cl)
    speakers = rows(db, "speaker")
    cs = cluster_labels(speakers, reg)
    summary("speakers (labels resolved within each document)", speakers, cs)

    print(f"\n== top {args.top} people/outlets by turns (labels), with their label variants")
    for c in sorted(cl.people.values(), key=lambda c: -c.count)[: args.top]:
        variants = sorted(c.labels, key=lambda x: -x[2])
        shown = ", ".join(f"{lab!r}[{lang}]={n}" for lab, lang, n in variants[:8])
        more = f" +{len(variants) - 8} more" if len(variants) > 8 else ""
        tag = "R" if c.in_register else " "
        print(f"  {tag} {c.id:32} {c.count:6}  {shown}{more}")

    print(f"\n== uncertain merges (labels): {len(cl.uncertain)}")
    reasons = Counter(u.reason for u in cl.uncertain)
    print("   by reason: " + ", ".join(f"{k} {v}" for k, v in reasons.most_common()))
    for u in sorted(cl.uncertain, key=lambda u: -u.count)[:40]:
        print(f"   {u.reason:15} {u.label!r}[{u.lang}] ({u.count}) -> {u.into} ~ {u.other!r}")
    print(f"\n== uncertain merges (speakers): {len(cs.uncertain)}")
    for u in sorted(cs.uncertain, key=lambda u: -u.count)[:20]:
        print(f"   {u.reason:15} {u.label!r}[{u.lang}] ({u.count}) -> {u.into} ~ {u.other!r}")

    # Per-turn resolution with the document's date and publisher, as the archive would do it.
    kinds: Counter[str] = Counter()
    matches: Counter[str] = Counter()
    cache: dict[tuple, tuple[str, str]] = {}
    for label, speaker, aff, role, date, pub, n in db.execute(
        "SELECT t.label, t.speaker, t.affiliation, t.role, d.date, d.publisher, count(*) "
        "FROM turns t JOIN documents d ON d.id = t.doc_id WHERE t.label IS NOT NULL "
        "AND t.label != '' GROUP BY 1, 2, 3, 4, 5, 6"
    ):
        k = (label, speaker, aff, role, date, pub)
        if k not in cache:
            r = reg.resolve(speaker or label, date=date, publisher=pub, role=role, affiliation=aff)
            if r.person_id is None and aff:
                r = reg.resolve(aff, date=date, publisher=pub)
            cache[k] = (r.kind, r.match)
        kinds[cache[k][0]] += n
        matches[cache[k][1]] += n
    total = sum(kinds.values())
    print(f"\n== per-turn resolution of {total} labelled turns (speaker or label, date, publisher)")
    print("   by kind: " + ", ".join(f"{k} {v} ({v / total:.1%})" for k, v in kinds.most_common()))
    print("   by match: " + ", ".join(f"{k} {v}" for k, v in matches.most_common()))

    if args.csv:
        with open(args.csv, "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=COLUMNS)
            w.writeheader()
            for row in cl.to_rows():
                w.writerow(row)
        print(f"\nwrote {args.csv}")
    print(f"\n{time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
