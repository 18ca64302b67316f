"""The parser against the hand-labelled role gold (issue 13), development split only.

The gold (``tests/fixtures/gold_roles/``, see its README) was labelled from the pages before the
parser ran on them. ``bench/roles_eval.py`` prints every measure on both splits; this test holds
the development split to the turn-start target (F1 >= 0.95 per publisher) and to floors for role
and link accuracy. The floors are what the parser of this branch measured (rounded down to two
decimals), so they catch a regression; the lead raises them after the parser work of issue 13
merges, towards the issue's target of 0.95 each. The held-out split is never asserted here: it
is for the evaluation, and parser developers do not tune on it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from communique.model import ROLES

ROOT = Path(__file__).resolve().parents[1]

START_F1_MIN = 0.95  # the target, per publisher
# Measured on the development split with the merged parser of 2026-12-07 (rounded down); the
# held-out split's figures are printed by bench/roles_eval.py, never asserted or tuned on.
ROLE_MIN = {
    "fmprc.gov.cn": 0.99,
    # The development split grew on 2026-12-07 by 12 Kremlin pages drawn where the role maker
    # was weakest (meetings with a minister, governor or company head; interviews): 0.850 on
    # them before the conversation rules of that day, 0.889 after; 0.926 on the whole split
    # after the second session's rules and the blind relabelling of 2 dev turns; a margin below
    "kremlin.ru": 0.91,
    "mid.ru": 1.0,
    "state.gov": 0.98,
    "whitehouse.gov": 0.98,
}
LINK_MIN = {
    "fmprc.gov.cn": 0.99,
    "kremlin.ru": 0.89,  # 0.865 on the grown split before the conversation rules, 0.902 after
    "mid.ru": 1.0,
    "state.gov": 1.0,
    "whitehouse.gov": 1.0,
}
# Speakers (person, speaker slug or outlet) against the gold, measured on the development split
# after the speaker fixes (unnamed questions of a named interviewer, long office labels, titles
# with a date, moderators named in their labels), less a small margin.
SPEAKER_MIN = {
    "fmprc.gov.cn": 0.99,
    "kremlin.ru": 0.98,
    "mid.ru": 0.98,
    "state.gov": 0.98,
    # 1.000 on 2026-12-07 (speakers branch: header names, "Thank you, Mike.", the register's
    # Amy Brundage)
    "whitehouse.gov": 0.98,
}
TARGET = 0.95  # issue 13: role and link accuracy per publisher, on pages never used to develop


def _load_eval() -> ModuleType:
    spec = importlib.util.spec_from_file_location("roles_eval", ROOT / "bench" / "roles_eval.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


roles_eval = _load_eval()


@pytest.fixture(scope="module")
def dev_scores() -> dict[str, dict]:
    result = roles_eval.evaluate(("dev",))
    return {row["publisher"]: row for row in result["publishers"]}


def test_gold_is_well_formed() -> None:
    """Paths exist, splits follow the hash rule, answers point at questions, no page text."""
    for split in ("dev", "heldout"):  # never "fresh": no test looks at it
        pages = roles_eval.load_gold(split)
        assert pages, split
        for page in pages:
            path = page["path"]
            assert (roles_eval.CORPUS / path.partition("#row=")[0]).is_file(), path
            first = hashlib.sha1(path.encode()).hexdigest()[0]
            held = not path.startswith("..") and first in "01"
            assert held == (split == "heldout"), path
            turns = page["turns"]
            assert [t["n"] for t in turns] == list(range(1, len(turns) + 1)), path
            for t in turns:
                assert set(t) == {"n", "fp", "chars", "label", "speaker", "role", "answers", "lead"}
                assert re.fullmatch(r"[0-9a-f]{16}", t["fp"]) and 1 <= t["chars"] <= 40
                assert t["role"] in ROLES
                if t["answers"] is not None:
                    assert t["role"] == "answer", (path, t["n"])
                    assert turns[t["answers"] - 1]["role"] == "question", (path, t["n"])
                if t["lead"]:
                    assert t["role"] == "statement" and t["label"] is None


def test_gold_covers_every_publisher_and_enough_pages() -> None:
    dev, held = (roles_eval.load_gold(s) for s in ("dev", "heldout"))
    assert len(dev) >= 20 and len(held) >= 12
    assert {p["publisher"] for p in dev} == set(ROLE_MIN)


def test_turn_starts_per_publisher(dev_scores: dict[str, dict]) -> None:
    for publisher, row in dev_scores.items():
        assert row["start_f1"] >= START_F1_MIN, (publisher, row)


def test_role_accuracy_floor(dev_scores: dict[str, dict]) -> None:
    for publisher, floor in ROLE_MIN.items():
        assert dev_scores[publisher]["role"] >= floor, (publisher, dev_scores[publisher])


def test_link_accuracy_floor(dev_scores: dict[str, dict]) -> None:
    for publisher, floor in LINK_MIN.items():
        assert dev_scores[publisher]["link"] >= floor, (publisher, dev_scores[publisher])


def test_speaker_accuracy_floor(dev_scores: dict[str, dict]) -> None:
    for publisher, floor in SPEAKER_MIN.items():
        assert dev_scores[publisher]["speaker"] >= floor, (publisher, dev_scores[publisher])


def test_roles_the_parser_does_not_flag_meet_the_target_and_flagged_ones_are_worse(
    dev_scores: dict[str, dict],
) -> None:
    """Turn.role_uncertain (docs/record.md "Uncertain roles") is worth reading only if it
    separates: on the development split, Kremlin turns left unflagged reach the issue's 0.95
    (0.972 measured), and the flagged ones are clearly less often right (0.838)."""
    kremlin = dev_scores["kremlin.ru"]
    assert kremlin["role_sure"] >= TARGET, kremlin
    assert kremlin["uncertain"] >= 50 and kremlin["role_uncertain"] <= 0.9, kremlin
    for publisher, row in dev_scores.items():
        assert row["sure"] >= 0.7 * row["turns"], (publisher, row)  # most turns stay unflagged


def test_alignment_by_fingerprint() -> None:
    """A parser turn that keeps a short prefix ("耿爽表示") still matches its gold start."""
    text = "耿爽表示，我们对此表示祝贺。"
    letters = roles_eval.alnum("我们对此表示祝贺")
    gold = [{"fp": roles_eval.fingerprint(letters), "chars": len(letters)}]
    parsed = [roles_eval.alnum("问：什么？"), roles_eval.alnum(text)]
    assert roles_eval.align(gold, parsed) == {0: 1}
    assert roles_eval.align(gold, [roles_eval.alnum("另一段话完全不同的文字")]) == {}
