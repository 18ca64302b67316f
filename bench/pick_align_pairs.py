"""Pick the fmprc en/zh pairs for the hand-checked alignment gold (run BEFORE the aligner).

Criteria, stated before picking: the pairs the version linker finds (``link_versions``,
method ``same-day``, one English and one Chinese document), regular press conferences only,
both sides with 10 to 40 turns; sorted by English id, then ``random.Random(SEED).sample``
of 10.

    .venv/bin/communique ingest ../shared/seeds ../shared/corpus --db /tmp/ver.db
    .venv/bin/python bench/pick_align_pairs.py --db /tmp/ver.db [--show]

``--show`` prints both versions turn by turn (number, role, label, text) for hand-checking.
"""

from __future__ import annotations

import argparse
import random

from communique.enrich.versions import link_versions, version_key
from communique.model import Document
from communique.store.sqlite import SQLiteStore

SEED = 20240611
N_PAIRS = 10
MIN_TURNS, MAX_TURNS = 10, 40


def fmprc_pairs(docs: list[Document]) -> list[tuple[Document, Document]]:
    """Every linked (English, Chinese) fmprc pair, sorted by the English id."""
    by_id = {d.id: d for d in docs}
    out = []
    for link in link_versions(d for d in docs if d.publisher == "fmprc.gov.cn"):
        a, b = by_id[link.a_id], by_id[link.b_id]
        if {a.lang, b.lang} != {"en", "zh"}:
            continue
        en, zh = (a, b) if a.lang == "en" else (b, a)
        out.append((en, zh))
    return sorted(out, key=lambda p: (p[0].id, p[1].id))


def pick(docs: list[Document]) -> list[tuple[Document, Document]]:
    eligible = [
        (en, zh)
        for en, zh in fmprc_pairs(docs)
        if (version_key(en) or "").endswith(":regular")
        and MIN_TURNS <= len(en.turns) <= MAX_TURNS
        and MIN_TURNS <= len(zh.turns) <= MAX_TURNS
    ]
    return random.Random(SEED).sample(eligible, N_PAIRS)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="/tmp/ver.db")
    ap.add_argument("--show", action="store_true")
    args = ap.parse_args()
    docs = list(SQLiteStore(args.db).documents())
    for en, zh in pick(docs):
        print(en.id, zh.id, en.date, len(en.turns), len(zh.turns))
        if args.show:
            for d in (en, zh):
                print(f"--- {d.id}")
                for t in d.turns:
                    text = " ".join(t.text.split())
                    print(f"{t.n:>3} {t.role[:3]} {t.label or '':<10.10} {text[:230]}")
            print()


if __name__ == "__main__":
    main()
