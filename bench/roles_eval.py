"""Turns, roles, question->answer links and speakers of the parser against the hand-labelled gold.

    python bench/roles_eval.py                # dev and heldout: per publisher and split, per class
    python bench/roles_eval.py --json         # the same numbers as JSON
    python bench/roles_eval.py --split fresh  # the fresh held-out set, for the lead's final run
    python bench/roles_eval.py --split fresh2  # the second fresh held-out set (eighth round)
    python bench/roles_eval.py --split fresh3  # the third fresh held-out set (ninth round)
    python bench/roles_eval.py --split fresh4  # the fourth fresh held-out set (tenth round)
    python bench/roles_eval.py --split fresh5  # the fifth (eleventh round)
    python bench/roles_eval.py --split fresh6  # the sixth (twelfth round: the Direct Line)
    python bench/roles_eval.py --split fresh7  # a Direct Line, a news conference (dev, unnamed)
    python bench/roles_eval.py --split fresh8  # forums, a meeting, Q&A (dev, unnamed, drawn)

The gold (``tests/fixtures/gold_roles/<split>.json``, format in its README) names each page
by its path under ``../shared/corpus`` and each turn by a fingerprint of its first letters and
digits, never by its text. Each page is parsed the way ingest parses it (``parse_raw`` on the raw
input that ``iter_items`` yields for the path: manifest metadata, table rows, enrichment), and
parser turns are aligned to gold turns by fingerprint, in order (a longest common subsequence).

Measures, over the gold turns that are not leads (a gold turn the parser lost counts as wrong):
role accuracy; link accuracy (of gold answers, those whose ``answers`` points at the parser turn
aligned to the gold question); speaker accuracy (the parser's ``person``, its speaker's slug or
``outlet:<affiliation>`` equals the gold speaker; unnamed journalists are null on both sides);
turn-start precision / recall / F1. Lead kept: of pages with a lead (the Kremlin summary or
unlabelled narration before the first label), those whose every lead paragraph is somewhere in
the record (as a turn, inside a turn, or in a ``lead`` field if the record has one).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from communique.enrich.names import slug  # noqa: E402
from communique.ingest.pipeline import parse_raw  # noqa: E402
from communique.model import Document  # noqa: E402
from communique.sources.raw import RawInput  # noqa: E402
from communique.sources.walk import iter_items  # noqa: E402

GOLD_DIR = ROOT / "tests" / "fixtures" / "gold_roles"
CORPUS = ROOT.parent / "shared" / "corpus"
SPLITS = (
    "dev",
    "heldout",
    "fresh",
    "fresh2",
    "fresh3",
    "fresh4",
    "fresh5",
    "fresh6",
    "fresh7",
    "fresh8",
)
# the default run: the fresh splits (labelled last, never tuned on) are scored only
# when asked for by name
DEFAULT_SPLITS = ("dev", "heldout")
# letters/digits a parser turn may carry before the gold start ("耿爽表示", an id line)
MAX_SKIP = 12


def alnum(text: str) -> str:
    """Letters and digits only, lowercased: what fingerprints are made of."""
    return "".join(c for c in text.lower() if c.isalnum())


def fingerprint(letters: str) -> str:
    return hashlib.sha1(letters.encode()).hexdigest()[:16]


def load_gold(split: str) -> list[dict[str, Any]]:
    return json.loads((GOLD_DIR / f"{split}.json").read_text(encoding="utf-8"))["pages"]


def parse_page(path: str) -> Document:
    """The page's Document, built from its raw input exactly as ``communique ingest`` does."""
    file, _, row = path.partition("#row=")
    target = (CORPUS / file).resolve()
    for item in iter_items([target]):
        if not isinstance(item, RawInput):
            continue
        if row and not item.path.endswith(f"#row={row}"):
            continue
        parsed = parse_raw(item)
        if parsed.doc is None:
            raise RuntimeError(f"{path}: not parsed ({parsed.skip or parsed.error})")
        return parsed.doc
    raise FileNotFoundError(f"{path}: no raw input at {target}")


def _starts_with(letters: str, turn: dict[str, Any]) -> bool:
    n = turn["chars"]
    return any(
        fingerprint(letters[k : k + n]) == turn["fp"]
        for k in range(min(MAX_SKIP, max(len(letters) - n, 0)) + 1)
    )


def _contains(letters: str, turn: dict[str, Any]) -> bool:
    n = turn["chars"]
    return any(
        fingerprint(letters[k : k + n]) == turn["fp"] for k in range(max(len(letters) - n, 0) + 1)
    )


def align(gold: list[dict[str, Any]], letters: list[str]) -> dict[int, int]:
    """Gold turn index -> parser turn index: the longest in-order matching by fingerprint."""
    g, p = len(gold), len(letters)
    ok = [[_starts_with(letters[j], gold[i]) for j in range(p)] for i in range(g)]
    best = [[0] * (p + 1) for _ in range(g + 1)]
    for i in range(g - 1, -1, -1):
        for j in range(p - 1, -1, -1):
            best[i][j] = max(
                best[i + 1][j], best[i][j + 1], best[i + 1][j + 1] + 1 if ok[i][j] else 0
            )
    out: dict[int, int] = {}
    i = j = 0
    while i < g and j < p:
        if ok[i][j] and best[i][j] == best[i + 1][j + 1] + 1:
            out[i] = j
            i, j = i + 1, j + 1
        elif best[i + 1][j] >= best[i][j + 1]:
            i += 1
        else:
            j += 1
    return out


def speaker_keys(turn: Any) -> set[str]:
    """What the parser says about who spoke, in the gold's terms."""
    keys = set()
    if turn.person:
        keys.add(turn.person.removeprefix("person:").removeprefix("journalist:"))
    if turn.speaker:
        keys.add(slug(turn.speaker))
    if turn.affiliation:
        keys.add(f"outlet:{slug(turn.affiliation)}")
    return keys


@dataclass
class Score:
    """Counts for one group of pages (a publisher in a split, a class)."""

    pages: int = 0
    gold: int = 0  # gold turns, leads excluded
    parsed: int = 0  # parser turns counted for precision
    matched: int = 0
    role_ok: int = 0
    speaker_ok: int = 0
    answers: int = 0
    link_ok: int = 0
    lead_pages: int = 0
    lead_kept: int = 0
    given: int = 0  # matched turns whose role the page says (Turn.role_inferred false)
    given_ok: int = 0
    inferred_ok: int = 0
    uncertain: int = 0  # matched turns whose role the parser flags (Turn.role_uncertain)
    uncertain_ok: int = 0
    sure_answers: int = 0  # gold answers matched to a turn the parser does not flag
    sure_link_ok: int = 0
    either_ok: int = 0  # role right by the gold's reading or by its labeller's second one
    either_link_ok: int = 0
    unsure_gold: int = 0  # matched turns the labeller marked unsure (fresh3 on)
    unsure_gold_flagged: int = 0  # ... that the parser flags too
    errors: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for name in vars(self):
            if name == "errors":
                self.errors += other.errors
            else:
                setattr(self, name, getattr(self, name) + getattr(other, name))

    def measures(self) -> dict[str, float | int | None]:
        def ratio(a: int, b: int) -> float | None:
            return round(a / b, 4) if b else None

        p, r = ratio(self.matched, self.parsed), ratio(self.matched, self.gold)
        f1 = round(2 * p * r / (p + r), 4) if p and r else (0.0 if p is not None else None)
        return {
            "pages": self.pages,
            "turns": self.gold,
            "role": ratio(self.role_ok, self.gold),
            "link": ratio(self.link_ok, self.answers),
            "speaker": ratio(self.speaker_ok, self.gold),
            "start_p": p,
            "start_r": r,
            "start_f1": f1,
            "lead_kept": ratio(self.lead_kept, self.lead_pages),
            "lead_pages": self.lead_pages,
            "given": self.given,
            "role_given": ratio(self.given_ok, self.given),
            "inferred": self.matched - self.given,
            "role_inferred": ratio(self.inferred_ok, self.matched - self.given),
            "sure": self.matched - self.uncertain,
            "role_sure": ratio(self.role_ok - self.uncertain_ok, self.matched - self.uncertain),
            "link_sure": ratio(self.sure_link_ok, self.sure_answers),
            "uncertain": self.uncertain,
            "role_uncertain": ratio(self.uncertain_ok, self.uncertain),
            "role_either": ratio(self.either_ok, self.gold),
            "link_either": ratio(self.either_link_ok, self.answers),
            "gold_unsure": self.unsure_gold,
            "also_flagged": ratio(self.unsure_gold_flagged, self.unsure_gold),
        }


def score_page(page: dict[str, Any], doc: Document) -> Score:
    gold = page["turns"]
    letters = [alnum(t.text) for t in doc.turns]
    pairs = align(gold, letters)
    s = Score(pages=1)
    by_gold_n = {gold[i]["n"]: doc.turns[j].n for i, j in pairs.items()}
    lead_rows = {j for i, j in pairs.items() if gold[i]["lead"]}
    firsts = [j for i, j in pairs.items() if not gold[i]["lead"]]
    first_turn = min(firsts) if firsts else len(doc.turns)
    # unlabelled parser turns before the first real turn hold the lead and page furniture
    s.parsed = sum(
        1
        for j, t in enumerate(doc.turns)
        if j not in lead_rows and not (j < first_turn and t.label is None)
    )
    for i, g in enumerate(gold):
        if g["lead"]:
            continue
        s.gold += 1
        j = pairs.get(i)
        t = doc.turns[j] if j is not None else None
        if g["role"] == "answer":
            s.answers += 1
        if t is None:
            s.errors.append(f"{page['path']} gold turn {g['n']}: no parser turn starts here")
            continue
        s.matched += 1
        s.role_ok += t.role == g["role"]
        if getattr(t, "role_inferred", False):  # getattr: also scores parsers older than it
            s.inferred_ok += t.role == g["role"]
        else:
            s.given += 1
            s.given_ok += t.role == g["role"]
        unsure = bool(getattr(t, "role_uncertain", None))
        s.uncertain += unsure
        s.uncertain_ok += unsure and t.role == g["role"]
        s.either_ok += t.role in (g["role"], g.get("alt_role"))
        s.unsure_gold += bool(g.get("unsure"))
        s.unsure_gold_flagged += bool(g.get("unsure")) and unsure
        keys = speaker_keys(t)
        speaker_ok = (not keys) if g["speaker"] is None else g["speaker"] in keys
        s.speaker_ok += speaker_ok
        if not speaker_ok:
            s.errors.append(
                f"{page['path']} gold turn {g['n']}: speaker {sorted(keys)}, gold {g['speaker']}"
            )
        if g["role"] == "answer":
            linked = t.answers is not None and t.answers == by_gold_n.get(g["answers"])
            s.link_ok += linked
            s.sure_answers += not unsure
            s.sure_link_ok += linked and not unsure
            alt = by_gold_n.get(g.get("alt_answers", -1))
            s.either_link_ok += linked or (t.answers is not None and t.answers == alt)
            if t.role == "answer" and not linked:
                s.errors.append(
                    f"{page['path']} gold turn {g['n']}: answers parser turn {t.answers}, "
                    f"gold's question is parser turn {by_gold_n.get(g['answers'])}"
                )
        if t.role != g["role"]:
            flag = f" (flagged {t.role_uncertain})" if unsure else " (sure)"
            s.errors.append(
                f"{page['path']} gold turn {g['n']}: role {t.role}, gold {g['role']}{flag}"
            )
    leads = [g for g in gold if g["lead"]]
    if leads:
        s.lead_pages = 1
        record = "".join(letters) + alnum(str(getattr(doc, "lead", None) or ""))
        s.lead_kept = all(_contains(record, g) for g in leads)
    return s


def evaluate(splits: tuple[str, ...] = DEFAULT_SPLITS) -> dict[str, Any]:
    """Scores per (split, publisher), per class, per split and overall."""
    by_pub: dict[tuple[str, str], Score] = defaultdict(Score)
    by_class: dict[str, Score] = defaultdict(Score)
    by_split: dict[str, Score] = defaultdict(Score)
    total = Score()
    for split in splits:
        for page in load_gold(split):
            s = score_page(page, parse_page(page["path"]))
            for acc in (by_pub[(split, page["publisher"])], by_class[page["class"]]):
                acc.add(s)
            by_split[split].add(s)
            total.add(s)
    return {
        "publishers": [
            {"split": sp, "publisher": pub, **sc.measures()}
            for (sp, pub), sc in sorted(by_pub.items())
        ],
        "classes": [{"class": c, **sc.measures()} for c, sc in sorted(by_class.items())],
        "splits": [{"split": sp, **sc.measures()} for sp, sc in by_split.items()],
        "total": total.measures(),
        "errors": total.errors,
    }


COLUMNS = ("pages", "turns", "role", "link", "speaker")
COLUMNS += ("start_p", "start_r", "start_f1", "lead_kept")


def _cell(v: object) -> str:
    return "-" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)


# Calibration of Turn.role_inferred: role accuracy where the page says the role, and where the
# parser reads it from the wording
TRUST_COLUMNS = ("turns", "given", "role_given", "inferred", "role_inferred")
# Calibration of Turn.role_uncertain: accuracy of the turns the parser does not flag, and of those
# it flags as reading two ways
DOUBT_COLUMNS = ("turns", "sure", "role_sure", "link_sure", "uncertain", "role_uncertain")
# Where the labeller read a turn two ways (fresh3 marks "unsure" turns with "alt_role" /
# "alt_answers"): accuracy by either reading, and how many such turns the parser flags too
EITHER_COLUMNS = ("turns", "role", "role_either", "link", "link_either", "gold_unsure")
EITHER_COLUMNS += ("also_flagged",)


def table(
    rows: list[dict[str, Any]], keys: tuple[str, ...], columns: tuple[str, ...] = COLUMNS
) -> str:
    head = (*keys, *columns)
    body = [[_cell(r.get(k)) for k in head] for r in rows]
    widths = [max(len(h), *(len(b[i]) for b in body)) for i, h in enumerate(head)]
    fmt = "  ".join(f"{{:<{w}}}" if i < len(keys) else f"{{:>{w}}}" for i, w in enumerate(widths))
    return "\n".join([fmt.format(*head), *(fmt.format(*b) for b in body)])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print the numbers as JSON")
    ap.add_argument("--split", choices=SPLITS, help="only this split")
    ap.add_argument("--errors", action="store_true", help="also list each wrong or missing turn")
    args = ap.parse_args()
    result = evaluate((args.split,) if args.split else DEFAULT_SPLITS)
    if args.json:
        print(json.dumps(result, indent=1, ensure_ascii=False))
        return
    print("Per publisher and split (role, link, speaker: accuracy; start_*: turn starts)\n")
    print(table(result["publishers"], ("split", "publisher")))
    print("\nPer split\n")
    print(table([*result["splits"], {"split": "all", **result["total"]}], ("split",)))
    print("\nPer class (the splits above)\n")
    print(table(result["classes"], ("class",)))
    print("\nRoles the page says (given) and roles read from the wording (inferred)\n")
    print(table(result["publishers"], ("split", "publisher"), TRUST_COLUMNS))
    print("\nRoles the parser does not flag (sure) and roles it flags as reading two ways\n")
    print(table(result["publishers"], ("split", "publisher"), DOUBT_COLUMNS))
    if any(row["gold_unsure"] for row in result["publishers"]):
        print("\nCounting the labeller's second reading of the turns marked unsure\n")
        print(table(result["publishers"], ("split", "publisher"), EITHER_COLUMNS))
    if args.errors:
        print("\n" + "\n".join(result["errors"]))


if __name__ == "__main__":
    main()
