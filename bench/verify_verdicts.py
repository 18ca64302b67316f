"""Quote verdicts on real sentences: altered, verbatim, trimmed, not found (never a test).

    python bench/verify_verdicts.py [--db PATH] [--corpus ../shared/corpus] [--n 100] [--seed 14]
                                    [--show]

Without ``--db`` it ingests ``--corpus`` into a temporary archive first. English sentences
of 10 to 40 words are drawn from the archive's turns with ``random.Random(seed)``; each family
takes the next ``--n`` sentences it can be made from:

- ``untouched``: the sentence as it stands -> ``verbatim``;
- ``negation+``: ``not`` put after an auxiliary (is, will, can...) -> ``altered``, ``not`` listed;
- ``negation-``: a ``not`` / ``n't`` / ``never`` taken out -> ``altered``, that word listed;
- ``number``: a number changed (+1, or +10 for a year) -> ``altered``, the new number listed;
- ``stance``: a word of stance swapped (support/oppose, welcome/condemn, praise/criticise,
  accept/reject, agree/disagree) -> ``altered``, the new word listed;
- ``name``: a capitalised word inside the sentence replaced by one of another sentence ->
  ``altered``, the new name listed;
- ``elision...``: 3-6 words inside replaced by ``...``, ``…`` or ``[...]`` -> ``trimmed``;
- ``elision``: 2-3 words inside left out, unmarked -> ``trimmed``;
- ``absent``: the first half of one sentence and the last half of another's (another
  document) -> ``not found``.

"Listed" means the verdict's ``differences`` hold the changed word (on the side it was put in
or taken from). Elisions never take out a negation (that makes a quote ``altered``). Prints each
family's rate and the latency of every call (p50, p95, max).
"""

from __future__ import annotations

import argparse
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from communique import Archive  # noqa: E402
from communique.analysis.verdict import NEGATIONS, words  # noqa: E402
from communique.analysis.verify import verify  # noqa: E402

SEED = 14
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"])")
AUX = re.compile(r"\b(is|are|was|were|will|would|can|could|should|has|have|must)\b(?! not)")
NEG = re.compile(r"\b(not|never)\b|n't\b")
NUMBER = re.compile(r"\b\d[\d,.]*\d\b|\b\d\b")
STANCE = {
    "support": "oppose", "supports": "opposes", "supported": "opposed", "supporting": "opposing",
    "welcome": "condemn", "welcomes": "condemns", "welcomed": "condemned",
    "welcoming": "condemning", "praise": "criticise", "praised": "criticised",
    "accept": "reject", "accepted": "rejected", "accepts": "rejects", "agree": "disagree",
    "agreed": "disagreed", "agrees": "disagrees",
}  # fmt: skip
STANCE.update({v: k for k, v in list(STANCE.items())})
STANCE_RE = re.compile(r"\b(" + "|".join(sorted(STANCE, key=len, reverse=True)) + r")\b")
NAME = re.compile(r"(?<=[a-z,;] )([A-Z][a-z]{3,})\b")
FAMILIES = ("untouched", "negation+", "negation-", "number", "stance", "name", "elision...",
            "elision", "absent")  # fmt: skip
EXPECTED = {"untouched": "verbatim", "elision...": "trimmed", "elision": "trimmed",
            "absent": "not found"}  # fmt: skip


def sentences(db: sqlite3.Connection, rng: random.Random, limit: int) -> list[tuple[str, str]]:
    """(document id, sentence) of English turns, drawn at random (10-40 words each)."""
    rows = db.execute(
        "SELECT t.doc_id, t.text FROM turns t JOIN documents d ON d.id = t.doc_id "
        "WHERE d.lang = 'en' ORDER BY t.doc_id, t.n"
    ).fetchall()
    rng.shuffle(rows)
    out = []
    for doc_id, text in rows:
        parts = [s.strip() for s in SENTENCE.split(" ".join((text or "").split()))]
        good = [s for s in parts if 10 <= len(s.split()) <= 40 and "..." not in s]
        if good:
            out.append((doc_id, rng.choice(good)))
        if len(out) >= limit:
            break
    return out


def make(family: str, s: str, rng: random.Random, names: list[str]) -> tuple[str, str] | None:
    """(quote, the changed word) for ``family`` from sentence ``s``, or None if it cannot."""
    ws = s.split()
    if family == "untouched":
        return s, ""
    if family == "negation+":
        m = AUX.search(s)
        return (s[: m.end()] + " not" + s[m.end() :], "not") if m else None
    if family == "negation-":
        m = NEG.search(s)
        if not m:
            return None
        word = "not" if m.group(0) == "n't" else m.group(0)
        return re.sub(r"\s+", " ", s[: m.start()] + s[m.end() :]), word
    if family == "number":
        found = list(NUMBER.finditer(s))
        if not found:
            return None
        m = rng.choice(found)
        raw = m.group(0).replace(",", "")
        if not raw.isdigit():
            return None
        new = str(int(raw) + (10 if len(raw) == 4 else 1))
        return s[: m.start()] + new + s[m.end() :], new
    if family == "stance":
        m = STANCE_RE.search(s)
        if not m:
            return None
        new = STANCE[m.group(0)]
        return s[: m.start()] + new + s[m.end() :], new
    if family == "name":
        found = list(NAME.finditer(s))
        others = [n for n in names if n not in s]
        if not found or not others:
            return None
        m = rng.choice(found)
        new = rng.choice(others)
        return s[: m.start()] + new + s[m.end() :], new
    if family in ("elision...", "elision"):
        k = rng.randint(3, 6) if family == "elision..." else rng.randint(2, 3)
        if len(ws) < k + 6:
            return None
        start = rng.randrange(3, len(ws) - k - 2)
        cut = ws[start : start + k]
        if any(w.lower().strip(".,;:") in NEGATIONS or "n't" in w for w in cut):
            return None
        mark = [rng.choice(("...", "[...]", "…"))] if family == "elision..." else []
        return " ".join(ws[:start] + mark + ws[start + k :]), ""
    raise ValueError(family)


def listed(res: object, word: str) -> bool:
    if not word:
        return True
    w = words(word)[0][0]
    return any(
        w in {x for x, _, _ in words(d.quote + " " + d.source)}
        for d in res.matches[0].differences  # type: ignore[attr-defined]
    )


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", type=Path)
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--show", action="store_true", help="print every case that misses")
    args = ap.parse_args()
    if args.db is None:
        args.db = Path(tempfile.mkdtemp(prefix="verdicts-")) / "archive.db"
        print(f"ingesting {args.corpus} into {args.db} ...", flush=True)
        subprocess.run([sys.executable, "-m", "communique.cli", "ingest", str(args.corpus),
                        "--db", str(args.db), "-q"], check=True)  # fmt: skip
    archive = Archive(args.db)
    db = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    rng = random.Random(args.seed)
    pool = sentences(db, rng, 40 * args.n)
    names = sorted({m.group(1) for _, s in pool[:2000] for m in NAME.finditer(s)})
    cases: list[tuple[str, str, str]] = []  # (family, quote, word)
    for family in FAMILIES[:-1]:
        made = 0
        for _, s in rng.sample(pool, len(pool)):
            got = make(family, s, rng, names)
            if got:
                cases.append((family, *got))
                made += 1
                if made == args.n:
                    break
    absent = 0
    while absent < args.n:
        (d1, s1), (d2, s2) = rng.sample(pool, 2)
        w1, w2 = s1.split(), s2.split()
        half = min(len(w1), len(w2)) // 2
        if d1 == d2 or half < 5:
            continue
        cases.append(("absent", " ".join(w1[:half] + w2[len(w2) - half :]), ""))
        absent += 1

    verify(archive.index, "warm up the index and the segmenter")
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    verdicts: dict[str, Counter[str]] = {f: Counter() for f in FAMILIES}
    latencies = []
    for family, quote, word in cases:
        t = time.perf_counter()
        res = verify(archive.index, quote, limit=3, with_versions=False)
        latencies.append((time.perf_counter() - t) * 1000)
        expected = EXPECTED.get(family, "altered")
        ok = res.verdict == expected and (expected != "altered" or listed(res, word))
        total[family] += 1
        right[family] += ok
        verdicts[family][res.verdict] += 1
        if args.show and not ok:
            diffs = [d.to_dict() for d in res.matches[0].differences] if res.matches else []
            top = res.matches[0].permalink if res.matches else None
            print(f"MISS {family:10} got {res.verdict:9} {quote!r} {word!r} {top} {diffs}")
    print(f"seed {args.seed}, {args.n} per family, archive {args.db}")
    print(f"{'family':<11} {'n':>4} {'expected':<10} {'rate':>6}  verdicts")
    for family in FAMILIES:
        n = total[family]
        expected = EXPECTED.get(family, "altered") + ("" if family in EXPECTED else "+word")
        got = ", ".join(f"{v} {c}" for v, c in verdicts[family].most_common())
        print(f"{family:<11} {n:>4} {expected:<10} {right[family] / max(1, n):>6.3f}  {got}")
    print(f"latency over {len(latencies)} calls (ms): p50 {pct(latencies, 0.5):.0f}, "
          f"p95 {pct(latencies, 0.95):.0f}, max {max(latencies):.0f}")  # fmt: skip
    archive.close()


if __name__ == "__main__":
    main()
