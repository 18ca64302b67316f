"""Omissions the aligner reports: precision and recall of "X lacks turns ..." (never a test).

    python bench/omissions.py [--db PATH] [--corpus ../shared/corpus/fmprc_en_zh] [--seed 14]

Without ``--db`` it ingests ``--corpus`` into a temporary archive first. The pairs are the
fmprc en/zh pairs the archive links (``version_links``).

- **Untouched**: every linked pair as published. Any ``lacks`` counts as a false positive (the
  62 pairs checked by hand for issue 14 held no real omission; this is the strict reading).
- **Injected** (on the pairs whose two versions have the same sequence of roles, so that turn
  *i* of one is turn *i* of the other and the truth is known), one omission per pair and family,
  the side (English or Chinese) and the place drawn with ``random.Random(seed)``:
  - ``exchange``: a question and its answers deleted from one side;
  - ``closing``: the last exchange of one side deleted (the end of a page: no pair after it);
  - ``paragraph``: one paragraph deleted from a multi-paragraph answer of one side; no turn
    is missing, so the right report is none at turn level (a ``lacks`` here is false).
  A report is right when it names the side that lost turns and exactly the turns of the other
  version that were deleted.

Precision = right ``lacks`` / all ``lacks`` (injected and untouched pairs together); recall =
injected exchanges (``exchange`` and ``closing``) reported right / injected. ``uncertain``
reports are counted apart: they are never published as omissions.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from communique.enrich.align import align, paragraphs  # noqa: E402
from communique.model import Document  # noqa: E402
from communique.store import open_store  # noqa: E402

SEED = 14


def linked_pairs(db: str) -> list[tuple[Document, Document]]:
    """Every linked (English, Chinese) fmprc pair held, sorted by the English id."""
    store = open_store(db)
    try:
        out = []
        for r in store.rows("SELECT a, b FROM version_links ORDER BY a, b"):
            a, b = store.get(r["a"]), store.get(r["b"])
            if a is None or b is None or {a.lang, b.lang} != {"en", "zh"}:
                continue
            out.append((a, b) if a.lang == "en" else (b, a))
        return sorted(out, key=lambda p: p[0].id)
    finally:
        store.close()


def parallel(en: Document, zh: Document) -> bool:
    return len(en.turns) >= 3 and [t.role for t in en.turns] == [t.role for t in zh.turns]


def exchanges(doc: Document) -> list[list[int]]:
    """Positions (0-based) of each question with its answers."""
    out = []
    for i, t in enumerate(doc.turns):
        if t.role == "question":
            answers = [j for j, u in enumerate(doc.turns) if u.answers == t.n]
            if answers:
                out.append([i, *answers])
    return out


def without(doc: Document, positions: list[int]) -> Document:
    gone = set(positions)
    return dataclasses.replace(doc, turns=[t for i, t in enumerate(doc.turns) if i not in gone])


def without_paragraph(doc: Document, rng: random.Random) -> Document | None:
    multi = [
        i for i, t in enumerate(doc.turns) if t.role == "answer" and len(paragraphs(t.text)) > 1
    ]
    if not multi:
        return None
    i = rng.choice(multi)
    paras = paragraphs(doc.turns[i].text)
    del paras[rng.randrange(len(paras))]
    turns = list(doc.turns)
    turns[i] = dataclasses.replace(turns[i], text="\n\n".join(paras))
    return dataclasses.replace(doc, turns=turns)


def reports(en: Document, zh: Document) -> list[tuple[str, tuple[int, ...], bool]]:
    """(lacking language, turns of the other version, certain) for each omission reported."""
    al = align(en, zh)
    return [("en" if o.lacking == "a" else "zh", o.turns, o.certain) for o in al.omissions()]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db")
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus" / "fmprc_en_zh"))
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--show", action="store_true", help="print each wrong or missed report")
    args = ap.parse_args()
    db = args.db
    if not db:
        db = str(Path(tempfile.mkdtemp(prefix="omissions-")) / "archive.db")
        print(f"ingesting {args.corpus} into {db} ...", flush=True)
        cmd = [sys.executable, "-m", "communique.cli", "ingest", args.corpus, "--db", db, "-q"]
        subprocess.run(cmd, check=True, capture_output=True)
    started = time.perf_counter()
    pairs = linked_pairs(db)
    rng = random.Random(args.seed)
    lacks = right = 0
    uncertain: Counter[str] = Counter()
    injected: Counter[str] = Counter()
    found: Counter[str] = Counter()
    false_by: Counter[str] = Counter()

    def score(family: str, en: Document, zh: Document, truth: tuple[str, tuple[int, ...]] | None,
              label: str) -> None:  # fmt: skip
        nonlocal lacks, right
        hit = False
        for lang, turns, certain in reports(en, zh):
            if not certain:
                uncertain[family] += 1
                continue
            lacks += 1
            if truth is not None and (lang, turns) == truth:
                right += 1
                hit = True
            else:
                false_by[family] += 1
                if args.show:
                    print(f"FALSE {family:9} {label}: {lang} lacks {turns} (truth {truth})")
        if truth is not None:
            injected[family] += 1
            found[family] += hit
            if args.show and not hit:
                print(f"MISSED {family:8} {label}: {truth}")

    for en, zh in pairs:
        score("untouched", en, zh, None, f"{en.id}/{zh.id}")
    for en, zh in pairs:
        if not parallel(en, zh):
            continue
        ex = exchanges(en)
        if not ex:
            continue
        for family in ("exchange", "closing"):
            positions = rng.choice(ex) if family == "exchange" else ex[-1]
            side = rng.choice(("en", "zh"))
            other = zh if side == "en" else en
            truth = (side, tuple(other.turns[i].n for i in positions))
            cut_en = without(en, positions) if side == "en" else en
            cut_zh = without(zh, positions) if side == "zh" else zh
            score(family, cut_en, cut_zh, truth, f"{en.id}/{zh.id} -{side}{positions}")
        side = rng.choice(("en", "zh"))
        cut = without_paragraph(en if side == "en" else zh, rng)
        if cut is not None:
            pair = (cut, zh) if side == "en" else (en, cut)
            score("paragraph", *pair, None, f"{en.id}/{zh.id} -{side} paragraph")

    total_injected = sum(injected.values())
    print(f"pairs: {len(pairs)} linked, {sum(parallel(*p) for p in pairs)} with parallel roles "
          f"(seed {args.seed}, {time.perf_counter() - started:.0f} s)")  # fmt: skip
    for family in ("exchange", "closing"):
        n = injected[family]
        print(f"  {family:9} injected {n:4}  reported 'lacks' right {found[family]:4}  "
              f"recall {found[family] / max(1, n):.3f}  uncertain {uncertain[family]}")  # fmt: skip
    print(f"  false 'lacks': untouched {false_by['untouched']}, exchange {false_by['exchange']}, "
          f"closing {false_by['closing']}, paragraph {false_by['paragraph']}; "
          f"'uncertain' on untouched pairs {uncertain['untouched']}, "
          f"on paragraph deletions {uncertain['paragraph']}")  # fmt: skip
    precision = right / lacks if lacks else 1.0
    recall = sum(found.values()) / max(1, total_injected)
    print(f"precision {precision:.3f} ({right}/{lacks})  recall {recall:.3f} "
          f"({sum(found.values())}/{total_injected})")  # fmt: skip


if __name__ == "__main__":
    main()
