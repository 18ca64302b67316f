"""Pick the turns for the entity-mention evaluation, with a recorded random seed.

Run once, before looking at the matcher's output on them; the picked turns are then read and
annotated by hand in ``tests/fixtures/entities_gold.json`` (ids only, never the text).

    .venv/bin/communique ingest ../shared/seeds ../shared/corpus --db /tmp/ent.db
    .venv/bin/python bench/pick_entity_turns.py --db /tmp/ent.db --set A > /tmp/picked.txt
    .venv/bin/python bench/pick_entity_turns.py --db /tmp/ent.db --set B > /tmp/picked_b.txt

Set A: three publishers, 12 turns each, split by language (mid.ru en/ru, kremlin.ru en/ru,
fmprc.gov.cn en/zh), uniform. Set B (24 turns): turns with a generic organisation word, from
five publishers. Turns of 60..1500 characters only, so that each can be read in full.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sqlite3

SETS = {
    # set A: uniform over turns, three publishers. (publisher, lang, how many)
    "A": (
        20250611,
        [
            ("mid.ru", "en", 6),
            ("mid.ru", "ru", 6),
            ("kremlin.ru", "en", 8),
            ("kremlin.ru", "ru", 4),
            ("fmprc.gov.cn", "en", 6),
            ("fmprc.gov.cn", "zh", 6),
        ],
        False,
    ),
    # set B: turns holding a generic organisation word (ORG_WORD, not the gazetteer), so that
    # organisations are numerous enough to measure; plus two more publishers.
    "B": (
        20250612,
        [
            ("whitehouse.gov", "en", 6),
            ("state.gov", "en", 6),
            ("kremlin.ru", "en", 6),
            ("fmprc.gov.cn", "en", 4),
            ("fmprc.gov.cn", "zh", 4),
            ("mid.ru", "ru", 2),
        ],
        True,
    ),
}
ORG_WORD = re.compile(
    r"organi[sz]ation|union|council|alliance|summit|group|community|assembly|"
    r"组织|联盟|理事会|集团|峰会|大会|организаци|союз|совет|групп|саммит|ассамбле",
    re.IGNORECASE,
)
MIN_CHARS, MAX_CHARS = 60, 1500


def pick(db: str, which: str = "A") -> list[dict]:
    seed, strata, org_words = SETS[which]
    rng = random.Random(seed)
    con = sqlite3.connect(db)
    out = []
    for publisher, lang, k in strata:
        rows = con.execute(
            "SELECT t.doc_id, t.n, t.text FROM turns t JOIN documents d ON d.id = t.doc_id "
            "WHERE d.publisher = ? AND d.lang = ? AND length(t.text) BETWEEN ? AND ? "
            "ORDER BY t.doc_id, t.n",
            (publisher, lang, MIN_CHARS, MAX_CHARS),
        ).fetchall()
        if org_words:
            rows = [r for r in rows if ORG_WORD.search(r[2])]
        for doc_id, n, text in rng.sample(rows, min(k, len(rows))):
            out.append(
                {"publisher": publisher, "lang": lang, "doc": doc_id, "turn": n, "text": text}
            )
    con.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default="/tmp/ent.db")
    ap.add_argument("--set", default="A", choices=sorted(SETS), help="which sample")
    ap.add_argument("--json", action="store_true", help="one JSON object a line")
    args = ap.parse_args()
    for t in pick(args.db, args.set):
        if args.json:
            print(json.dumps(t, ensure_ascii=False))
        else:
            print(f"=== {t['publisher']} {t['lang']} {t['doc']} #{t['turn']}")
            print(t["text"])
            print()


if __name__ == "__main__":
    main()
