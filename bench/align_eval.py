"""Measure the turn aligner on the hand-checked gold, and count the questions each version lacks.

    .venv/bin/communique ingest ../shared/seeds ../shared/corpus --db /tmp/ver.db
    .venv/bin/python bench/align_eval.py --db /tmp/ver.db            # gold accuracy + lacking
    .venv/bin/python bench/align_eval.py --db /tmp/ver.db --ratio    # the en/zh length model

Accuracy on ``tests/fixtures/align_gold.json``: the share of gold beads (pairs of turn-number
lists) the aligner returns exactly; link precision/recall over turn-to-turn links (every
(a turn, b turn) implied by a bead); unmatched turns found exactly.
Then, over ALL linked fmprc en/zh pairs: how many questions each language version lacks
(questions of the other version left without counterpart), totals and a distribution.
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections import Counter
from pathlib import Path

from communique.enrich.align import align, text_length
from communique.enrich.versions import link_versions
from communique.model import Document
from communique.store.sqlite import SQLiteStore

GOLD = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "align_gold.json"


def fmprc_pairs(docs: list[Document]) -> list[tuple[Document, Document]]:
    by_id = {d.id: d for d in docs}
    out = []
    for link in link_versions(d for d in docs if d.publisher == "fmprc.gov.cn"):
        a, b = by_id[link.a_id], by_id[link.b_id]
        if {a.lang, b.lang} == {"en", "zh"}:
            out.append((a, b) if a.lang == "en" else (b, a))
    return sorted(out, key=lambda p: p[0].id)


def _links(beads: list[tuple[tuple[int, ...], tuple[int, ...]]]) -> set[tuple[int, int]]:
    return {(x, y) for a, b in beads for x in a for y in b}


def evaluate(by_id: dict[str, Document]) -> None:
    gold = json.loads(GOLD.read_text())
    n_beads = n_exact = 0
    tp = n_pred = n_gold = 0
    un_ok = un_total = 0
    for g in gold["pairs"]:
        al = align(by_id[g["a"]], by_id[g["b"]])
        got = {(p.a, p.b) for p in al.pairs}
        want = {(tuple(a), tuple(b)) for a, b in g["pairs"]}
        n_beads += len(want)
        n_exact += len(want & got)
        gl, pl = _links(list(want)), _links(list(got))
        tp += len(gl & pl)
        n_pred += len(pl)
        n_gold += len(gl)
        un_total += 1
        un_ok += sorted(al.unmatched_a) == sorted(g["unmatched_a"]) and sorted(
            al.unmatched_b
        ) == sorted(g["unmatched_b"])
        wrong = sorted(want - got)
        print(f"{g['a']} {g['b']}: {len(want & got)}/{len(want)} beads exact", end="")
        print(f"; missed {wrong[:4]}" if wrong else "")
    p, r = tp / max(1, n_pred), tp / max(1, n_gold)
    print(f"\nbeads exact: {n_exact}/{n_beads} = {n_exact / n_beads:.3f}")
    print(
        f"turn links: precision {p:.3f}, recall {r:.3f} ({tp} of {n_pred} predicted, {n_gold} gold)"
    )
    print(f"documents with exactly the gold unmatched turns: {un_ok}/{un_total}")


def lacking(pairs: list[tuple[Document, Document]]) -> None:
    en_lacks: Counter[int] = Counter()
    zh_lacks: Counter[int] = Counter()
    tot_en = tot_zh = 0
    q_en = q_zh = 0
    examples = []
    for en, zh in pairs:
        al = align(en, zh)
        a, b = len(al.missing_in_a()), len(al.missing_in_b())
        en_lacks[a] += 1
        zh_lacks[b] += 1
        tot_en += a
        tot_zh += b
        q_en += sum(t.role == "question" for t in en.turns)
        q_zh += sum(t.role == "question" for t in zh.turns)
        if a and len(examples) < 5:
            examples.append((en.id, zh.id, [m.question for m in al.missing_in_a()]))
    print(f"\n{len(pairs)} linked fmprc en/zh pairs; questions: en {q_en}, zh {q_zh}")
    print(f"questions the English version lacks (zh questions without counterpart): {tot_en}")
    print(f"questions the Chinese version lacks (en questions without counterpart): {tot_zh}")
    for name, c in (("en lacks", en_lacks), ("zh lacks", zh_lacks)):
        dist = ", ".join(f"{k}: {v}" for k, v in sorted(c.items()))
        print(f"  {name} per pair -> number of pairs: {dist}")
    for ex in examples:
        print("  e.g.", ex)


def ratio(pairs: list[tuple[Document, Document]], skip: set[str]) -> None:
    rs, la_s, lb_s = [], [], []
    for en, zh in pairs:
        if en.id in skip or len(en.turns) < 4:
            continue
        if [t.role for t in en.turns] != [t.role for t in zh.turns]:
            continue
        for x, y in zip(en.turns, zh.turns, strict=True):
            la, lb = text_length(x.text), text_length(y.text)
            if la > 20:
                rs.append(lb / la)
                la_s.append(la)
                lb_s.append(lb)
    c = statistics.median(rs)
    var = statistics.mean(
        (lb - c * la) ** 2 / ((c * la + lb) / 2) for la, lb in zip(la_s, lb_s, strict=True)
    )
    print(
        f"{len(rs)} turn pairs: zh/en ratio median {c:.3f}, "
        f"mean {statistics.mean(rs):.3f}; variance {var:.2f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="/tmp/ver.db")
    ap.add_argument("--ratio", action="store_true")
    args = ap.parse_args()
    docs = [d for d in SQLiteStore(args.db).documents() if d.publisher == "fmprc.gov.cn"]
    by_id = {d.id: d for d in docs}
    pairs = fmprc_pairs(docs)
    if args.ratio:
        skip = {g["a"] for g in json.loads(GOLD.read_text())["pairs"]}
        ratio(pairs, skip)
        return
    evaluate(by_id)
    lacking(pairs)


if __name__ == "__main__":
    main()
