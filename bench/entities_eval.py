"""Precision and recall of the entity matcher against the hand-annotated turns.

    .venv/bin/python bench/entities_eval.py --db /tmp/ent.db

The gold (``tests/fixtures/entities_gold.json``) names each turn by document id and turn number
with the set of country and organisation ids a reader finds in it; the text is read from the
archive. Scores are micro-averaged over (turn, entity) pairs, per kind and per language.
Also measures the matcher's throughput over all turns in the archive (``--speed``).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from communique.enrich.entities import matcher  # noqa: E402

GOLD = ROOT / "tests" / "fixtures" / "entities_gold.json"


def prf(tp: int, fp: int, fn: int) -> str:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return f"P {p:.3f}  R {r:.3f}  F1 {f:.3f}  (tp {tp}, fp {fp}, fn {fn})"


def evaluate(db: str) -> None:
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    con = sqlite3.connect(db)
    m = matcher()
    counts: Counter = Counter()
    misses = []
    for g in gold["turns"]:
        row = con.execute(
            "SELECT text FROM turns WHERE doc_id = ? AND n = ?", (g["doc"], g["turn"])
        ).fetchone()
        if row is None:
            sys.exit(f"turn {g['doc']}#{g['turn']} is not in {db}")
        text = row[0]
        found = m.find(text, g["lang"])
        want = {f"country:{c}" for c in g["countries"]} | {f"org:{o}" for o in g["organisations"]}
        # the gold has countries and organisations; people found are not scored here
        got = {x.entity for x in found if x.entity.startswith(("country:", "org:"))}
        for ent in want | got:
            kind = "country" if ent.startswith("country:") else "organisation"
            key = "tp" if ent in want and ent in got else "fp" if ent in got else "fn"
            for group in ("all", kind, g["lang"], g["publisher"], "set " + g["set"]):
                counts[group, key] += 1
            if key != "tp":
                where = [x.surface for x in found if x.entity == ent]
                misses.append(f"{key.upper()} {g['doc']}#{g['turn']} ({g['lang']}) {ent} {where}")
    print(f"{len(gold['turns'])} turns")
    groups = ["all", "country", "organisation", "en", "ru", "zh"]
    groups += [*sorted({g["publisher"] for g in gold["turns"]}), "set A", "set B"]
    for group in groups:
        print(f"{group:14s} " + prf(*(counts[group, k] for k in ("tp", "fp", "fn"))))
    print("\nmisses:")
    for line in misses:
        print(" ", line)


def speed(db: str) -> None:
    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT t.text, d.lang FROM turns t JOIN documents d ON d.id = t.doc_id"
    ).fetchall()
    m = matcher()
    by_lang: Counter = Counter()
    secs: Counter = Counter()
    n_mentions = 0
    for text, lang in rows:
        t0 = time.perf_counter()
        n_mentions += len(m.find(text, lang))
        secs[lang] += time.perf_counter() - t0
        by_lang[lang] += len(text.encode("utf-8"))
    total_b, total_s = sum(by_lang.values()), sum(secs.values())
    print(f"\n{len(rows)} turns, {total_b / 1e6:.1f} MB UTF-8, {n_mentions} mentions")
    print(f"overall {total_b / 1e6 / total_s:.1f} MB/s ({total_s:.1f} s)")
    for lang in sorted(by_lang, key=str):
        print(
            f"  {lang}: {by_lang[lang] / 1e6:.1f} MB, {by_lang[lang] / 1e6 / secs[lang]:.1f} MB/s"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default="/tmp/ent.db")
    ap.add_argument("--speed", action="store_true", help="also time the matcher on every turn")
    args = ap.parse_args()
    evaluate(args.db)
    if args.speed:
        speed(args.db)


if __name__ == "__main__":
    main()
