"""Quote verification: recall of altered real quotes, false positives, latency (never a test).

    python bench/verify.py [--db PATH] [--corpus ../shared/corpus] [--n 200] [--seed 7]
                           [--min-score 80] [--json OUT]

Without ``--db`` it ingests ``--corpus`` into a temporary archive with ``communique ingest``;
with ``--db`` it reuses an archive (opened with ``communique.Archive``, which only syncs the
index, never rebuilds a current one: the 100k synthetic archive of ``bench/search.py`` is read
only).

- **Positives**: ``--n`` real turns drawn with ``random.Random(seed)`` (turns of at least 8
  words or 20 Chinese characters); from each a quote of one sentence (two if the first is short,
  at most 45 words) altered in one of five ways, in turn: ``punctuation`` (commas, full stops,
  quotation marks and capitals changed), ``elision`` (3+ words from the middle replaced by
  ``...``), ``words`` (two words replaced by words of another turn in the same script),
  ``reorder`` (two pairs of adjacent words swapped), ``cut`` (the first and last words
  dropped: cut mid-sentence at both ends). A quote is found when the source turn (or a turn
  with the very same text: the corpus holds some pages twice) is at rank 1 / within the top 5.
- **Negatives**: ``--n`` sentences absent from the archive, made by joining the first k words of
  a sentence of one turn with the last k words of a sentence of another turn (another document,
  same script; k = half the shorter sentence, at least 4):
  realistic, each half verbatim in the archive, the whole said nowhere. One is a false positive
  when anything scores at or above the threshold.
- **Latency**: every verify call (positives and negatives), p50 / p95 / max.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from communique import Archive  # noqa: E402
from communique.analysis.verify import MIN_SCORE, verify  # noqa: E402
from communique.search.analysis import has_han, segment  # noqa: E402
from communique.search.schema import INDEX_VERSION  # noqa: E402

ALTERATIONS = ("punctuation", "elision", "words", "reorder", "cut")
SENTENCE = re.compile(r"(?<=[.!?。！？])\s*")


def words_of(text: str) -> tuple[list[str], str]:
    """Words of a quote and the glue to join them back (Chinese: jieba words, no spaces)."""
    if has_han(text):
        return [w for w in segment(text).split() if w], ""
    return text.split(), " "


def make_quote(text: str, rng: random.Random) -> str | None:
    sentences = [s.strip() for s in SENTENCE.split(" ".join(text.split())) if s.strip()]
    good = [i for i, s in enumerate(sentences) if len(words_of(s)[0]) >= 8]
    if not good:
        return None
    i = rng.choice(good)
    quote = sentences[i]
    if len(words_of(quote)[0]) < 14 and i + 1 < len(sentences):
        quote += ("" if has_han(quote) else " ") + sentences[i + 1]
    ws, glue = words_of(quote)
    return glue.join(ws[:45])


def alter(quote: str, how: str, rng: random.Random, other_words: list[str]) -> str:
    ws, glue = words_of(quote)
    n = len(ws)
    if how == "punctuation":
        out = re.sub(r"[,;:]", "", quote)
        out = re.sub(r"[’']", "'", out).replace("—", "-").replace("–", "-")
        out = re.sub(r"[.。]$", "!", out) if rng.random() < 0.5 else out.rstrip(".。")
        out = out[:1].lower() + out[1:]
        return f"“{out}”"
    if how == "elision":
        length = max(3, n // 4)
        start = rng.randrange(2, max(3, n - length - 2))
        return glue.join(ws[:start]) + " ... " + glue.join(ws[start + length :])
    if how == "words":
        out = list(ws)
        for i in rng.sample(range(n), 2):
            out[i] = rng.choice(other_words)
        return glue.join(out)
    if how == "reorder":
        out = list(ws)
        for i in rng.sample(range(n - 1), 2):
            out[i], out[i + 1] = out[i + 1], out[i]
        return glue.join(out)
    if how == "cut":
        a = rng.randint(1, max(1, n // 5))
        b = n - rng.randint(1, max(1, n // 5))
        return glue.join(ws[a:b])
    raise ValueError(how)


def draw_turns(db: sqlite3.Connection, rng: random.Random, n: int) -> list[tuple[str, int, str]]:
    top = db.execute("SELECT max(rowid) FROM turns").fetchone()[0]
    out, seen = [], set()
    while len(out) < n:
        rowid = rng.randint(1, top)
        if rowid in seen:
            continue
        seen.add(rowid)
        row = db.execute("SELECT doc_id, n, text FROM turns WHERE rowid = ?", (rowid,)).fetchone()
        if row is None:
            continue
        text = row[2] or ""
        if len(words_of(text)[0]) < 8 or (has_han(text) and len(text) < 20):
            continue
        out.append((row[0], row[1], text))
    return out


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--db", type=Path, default=None, help="an existing archive (read only)")
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--min-score", type=float, default=MIN_SCORE)
    ap.add_argument("--allow-rebuild", action="store_true", help="let Archive rebuild the index")
    ap.add_argument("--json", type=Path, default=None, help="write every case here")
    args = ap.parse_args()
    print(f"seed {args.seed}, n {args.n}, min score {args.min_score:g}")

    if args.db is None:
        tmp = Path(tempfile.mkdtemp(prefix="verify-bench-"))
        args.db = tmp / "archive.db"
        args.allow_rebuild = True
        print(f"ingesting {args.corpus} into {args.db} ...", flush=True)
        subprocess.run([sys.executable, "-m", "communique.cli", "ingest", str(args.corpus),
                        "--db", str(args.db)], check=True)  # fmt: skip
    state = args.db.with_name(args.db.name + ".index") / "communique-index.json"
    current = state.exists() and json.loads(state.read_text()).get("version") == INDEX_VERSION
    if not current and not args.allow_rebuild:  # opening would rebuild the index: refuse
        sys.exit(f"the index of {args.db} is missing or not version {INDEX_VERSION}: opening "
                 "it would rebuild it (pass --allow-rebuild to accept)")  # fmt: skip
    t0 = time.perf_counter()
    archive = Archive(args.db)
    print(f"archive {args.db} opened in {time.perf_counter() - t0:.1f} s")
    db = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    ndocs = db.execute("SELECT count(*) FROM documents").fetchone()[0]
    print(f"{ndocs} documents")

    rng = random.Random(args.seed)
    pool = draw_turns(db, rng, args.n * 3)
    texts = {(d, n): t for d, n, t in pool}
    positives = []
    for i, (doc_id, n, text) in enumerate(pool):
        if len(positives) == args.n:
            break
        quote = make_quote(text, rng)
        if quote is None:
            continue
        how = ALTERATIONS[len(positives) % len(ALTERATIONS)]
        others = [t for _, _, t in pool[i + 1 : i + 40] if has_han(t) == has_han(text)]
        other = others[0] if others else pool[(i + 1) % len(pool)][2]
        other_words = words_of(other)[0] or ["word"]
        positives.append((doc_id, n, how, quote, alter(quote, how, rng, other_words)))

    negatives = []
    while len(negatives) < args.n:
        (d1, _, t1), (d2, _, t2) = rng.sample(pool, 2)
        if d1 == d2 or has_han(t1) != has_han(t2):
            continue
        q1, q2 = make_quote(t1, rng), make_quote(t2, rng)
        if not q1 or not q2:
            continue
        w1, glue = words_of(q1)
        w2, _ = words_of(q2)
        half = min(len(w1), len(w2)) // 2  # two halves of the same length
        if half < 4:
            continue
        negatives.append(glue.join(w1[:half] + w2[len(w2) - half :]))

    verify(archive.index, "warm up the segmenter 中文 and the index")  # not timed
    latencies: list[float] = []
    at1: Counter[str] = Counter()
    at5: Counter[str] = Counter()
    strict1: Counter[str] = Counter()
    total: Counter[str] = Counter()
    pos_scores: dict[str, list[float]] = defaultdict(list)
    cases = []
    for doc_id, n, how, quote, altered in positives:
        t = time.perf_counter()
        res = verify(archive.index, altered, min_score=args.min_score, limit=5, with_versions=False)
        latencies.append((time.perf_counter() - t) * 1000)
        source = texts[(doc_id, n)]
        ranks = [
            i
            for i, m in enumerate(res.matches)
            if (m.hit.doc_id, m.hit.n) == (doc_id, n) or m.hit.text == source
        ]
        total[how] += 1
        if ranks and ranks[0] == 0:
            at1[how] += 1
        if ranks:
            at5[how] += 1
        if res.matches and (res.matches[0].hit.doc_id, res.matches[0].hit.n) == (doc_id, n):
            strict1[how] += 1
        top = res.matches[0].score if res.matches else res.best_below
        pos_scores[how].append(top or 0.0)
        cases.append({"kind": how, "source": f"{doc_id}#t{n}", "quote": quote,
                      "altered": altered, "rank": ranks[0] + 1 if ranks else None,
                      "top": res.matches[0].permalink if res.matches else None,
                      "score": top})  # fmt: skip

    false_pos = 0
    neg_scores = []
    for sentence in negatives:
        t = time.perf_counter()
        res = verify(archive.index, sentence, min_score=0, limit=1, with_versions=False)
        latencies.append((time.perf_counter() - t) * 1000)
        best = res.matches[0].score if res.matches else 0.0
        neg_scores.append(best)
        if best >= args.min_score:
            false_pos += 1
        cases.append({"kind": "absent", "altered": sentence, "score": best,
                      "top": res.matches[0].permalink if res.matches else None})  # fmt: skip

    n_all = sum(total.values())
    print(f"\npositives: {n_all} quotes (min score {args.min_score:g})")
    print(f"{'alteration':<12} {'n':>4} {'recall@1':>9} {'recall@5':>9} {'strict@1':>9} "
          f"{'min score':>9} {'median':>7}")  # fmt: skip
    for how in (*ALTERATIONS, "all"):
        if how == "all":
            n_, a1, a5, s1 = n_all, sum(at1.values()), sum(at5.values()), sum(strict1.values())
            sc = [s for v in pos_scores.values() for s in v]
        else:
            n_, a1, a5, s1, sc = total[how], at1[how], at5[how], strict1[how], pos_scores[how]
        if not n_:
            continue
        print(f"{how:<12} {n_:>4} {a1 / n_:>9.3f} {a5 / n_:>9.3f} {s1 / n_:>9.3f} "
              f"{min(sc):>9.1f} {statistics.median(sc):>7.1f}")  # fmt: skip
    print(f"\nabsent sentences: {len(negatives)}, false positives (score ≥ {args.min_score:g}): "
          f"{false_pos}; their best scores: max {max(neg_scores):.1f}, "
          f"p95 {pct(neg_scores, 0.95):.1f}, "
          f"median {statistics.median(neg_scores):.1f}")  # fmt: skip
    print(f"\nlatency over {len(latencies)} calls (ms): p50 {pct(latencies, 0.5):.1f}, "
          f"p95 {pct(latencies, 0.95):.1f}, max {max(latencies):.1f}")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(cases, ensure_ascii=False, indent=1))
        print(f"cases written to {args.json}")
    archive.close()


if __name__ == "__main__":
    main()
