"""Turn alignment on a real fmprc en/zh pair; the questions one version lacks."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from communique.enrich.align import align, align_paragraphs, length_ratio, numbers_in
from communique.model import Document
from communique.store import open_store
from tests.conftest import CORPUS, ingest_into, new_target

FMPRC = CORPUS / "fmprc_en_zh"
EN = FMPRC / "en" / "regular_presscon" / "t1643067.html"  # Lu Kang, 2019-03-05, 8 turns
ZH = FMPRC / "zh" / "regular_presscon" / "t1643000.html"  # 陆慷, same day, 8 turns


@pytest.fixture(scope="module")
def pair(
    request: pytest.FixtureRequest, backend: str, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Document, Document]:
    db = new_target(request, backend, tmp_path_factory.mktemp("align"))
    ingest_into(db, [EN, ZH])
    store = open_store(db)
    try:
        docs = {d.lang: d for d in store.documents()}
    finally:
        store.close()
    return docs["en"], docs["zh"]


def test_numbers() -> None:
    assert numbers_in("over $300 billion in 2019, 1,000 people, 3.5% and 5 more") == {
        "300",
        "2019",
        "1000",
        "3.5",
    }
    assert numbers_in("美国称将对3000多亿美元，２０１９年") == {"3000", "2019"}
    assert length_ratio("zh", "en") == pytest.approx(1 / length_ratio("en", "zh"))


def test_real_pair_aligns_one_to_one(pair: tuple[Document, Document]) -> None:
    en, zh = pair
    al = align(en, zh)
    assert [(p.a, p.b) for p in al.pairs] == [((n,), (n,)) for n in range(1, 9)]
    assert al.unmatched_a == al.unmatched_b == []
    assert al.missing_in_a() == al.missing_in_b() == []
    assert all(p.score > 0.5 for p in al.pairs)


def test_english_lacking_an_exchange(pair: tuple[Document, Document]) -> None:
    """The English page without the Canadians exchange (turns 3-4): the helper names zh question 3.

    A real pair with one exchange removed from the English side (no verified real omission
    was found in time; see the report).
    """
    en, zh = pair
    short = dataclasses.replace(en, turns=[t for t in en.turns if t.n not in (3, 4)])
    al = align(short, zh)
    assert [(m.question, m.answers) for m in al.missing_in_a()] == [(3, (4,))]
    assert al.unmatched_b == [3, 4] and al.unmatched_a == []
    assert ((5,), (5,)) in [(p.a, p.b) for p in al.pairs]
    back = align(zh, short)
    assert [(m.question, m.answers) for m in back.missing_in_b()] == [(3, (4,))]


@pytest.mark.xfail(
    strict=True,
    reason="no anchors (numbers, Latin names) tell the Xinjiang exchange "
    "from the INF one; lengths alone put the gap at 7-8",
)
def test_english_lacking_an_exchange_without_anchors(pair: tuple[Document, Document]) -> None:
    en, zh = pair
    short = dataclasses.replace(en, turns=[t for t in en.turns if t.n not in (5, 6)])
    assert [m.question for m in align(short, zh).missing_in_a()] == [5]


def test_paragraphs_within_a_turn(pair: tuple[Document, Document]) -> None:
    en, zh = pair
    beads = align_paragraphs(en.turns[3].text, zh.turns[3].text, "en", "zh")
    assert [b[:2] for b in beads][-1][1] == [1]  # the zh answer's 2 paragraphs are both covered
    assert sum(len(b[1]) for b in beads) == 2


def test_gold_fixture_is_turn_numbers_only() -> None:
    gold = json.loads((Path(__file__).parent / "fixtures" / "align_gold.json").read_text())
    assert gold["seed"] == 20240611 and len(gold["pairs"]) == 10
    for g in gold["pairs"]:
        for a, b in g["pairs"]:
            assert all(isinstance(x, int) for x in a + b)


def test_both_orders_are_mirror_images(pair: tuple[Document, Document]) -> None:
    """align(a, b) and align(b, a) pair the same turns, also with an exchange cut out."""
    en, zh = pair
    short = dataclasses.replace(en, turns=[t for t in en.turns if t.n not in (5, 6)])
    for a, b in ((en, zh), (short, zh)):
        ab, ba = align(a, b), align(b, a)
        assert [(p.a, p.b, p.score) for p in ab.pairs] == [(p.b, p.a, p.score) for p in ba.pairs]
        assert (ab.unmatched_a, ab.unmatched_b) == (ba.unmatched_b, ba.unmatched_a)
        mirrored = {("b" if o.lacking == "a" else "a", o.turns, o.verdict) for o in ba.omissions()}
        assert {(o.lacking, o.turns, o.verdict) for o in ab.omissions()} == mirrored


def test_a_question_whose_answer_is_paired_is_uncertain(pair: tuple[Document, Document]) -> None:
    """The zh question 3 dropped from the English side while its answer stays: the English
    answer still pairs with the Chinese one, so zh t3 has no counterpart, but the archive must
    not say the English version lacks it (the question may be glued to another turn)."""
    en, zh = pair
    glued = dataclasses.replace(en, turns=[t for t in en.turns if t.n != 3])
    al = align(glued, zh)
    assert al.missing_in_a() == []
    [o] = al.omissions()
    assert (o.lacking, o.turns, o.verdict) == ("a", (3,), "uncertain")
    assert "t4" in o.reason
    assert al.to_dict()["omissions"][0]["verdict"] == "uncertain"


def test_a_dropped_exchange_is_lacking(pair: tuple[Document, Document]) -> None:
    en, zh = pair
    short = dataclasses.replace(zh, turns=[t for t in zh.turns if t.n not in (7, 8)])
    [o] = align(en, short).omissions()
    assert (o.lacking, o.turns, o.verdict, o.reason) == ("b", (7, 8), "lacks", "")
    assert align(en, short).to_dict()["omissions"][0]["lacking_id"] == short.id


def test_an_answer_missing_a_paragraph_keeps_its_pair(pair: tuple[Document, Document]) -> None:
    """Each multi-paragraph answer cut to its first paragraph on the English side: no turn
    is missing, so nothing is said to lack anything; the cut answer still faces its
    translation, except answer 6, which the programme then takes for a question glued to it
    (2-1: en 6-7 with zh 6) and leaves uncertain."""
    en, zh = pair
    cut_ones = []
    for t in en.turns:
        if t.role != "answer" or "\n" not in t.text.strip():
            continue
        cut = dataclasses.replace(t, text=t.text.strip().split("\n")[0])
        short = dataclasses.replace(en, turns=[cut if u.n == t.n else u for u in en.turns])
        al = align(short, zh)
        assert [o for o in al.omissions() if o.certain] == [], t.n
        if ((t.n,), (t.n,)) in [(p.a, p.b) for p in al.pairs]:
            cut_ones.append(t.n)
        else:
            assert al.omissions() and t.n == 6
    assert cut_ones == [4]  # the answers of more than one paragraph: 4 and 6
