"""The reference page (../shared/seeds): every field checked against a reading of the page."""

from __future__ import annotations

import pytest

from communique.ingest.pipeline import parse_raw
from communique.model import Document
from communique.sources.raw import RawInput

from .conftest import SEED

FURNITURE = ("Advanced settings", "en-GB1", "ru-RU1", "201820:00")


@pytest.fixture(scope="module")
def seed() -> Document:
    raw = RawInput(path=str(SEED), data=SEED.read_bytes(), kind="file")
    parsed = parse_raw(raw)
    assert parsed.error is None and parsed.skip is None, parsed.error or parsed.skip
    assert parsed.doc is not None
    return parsed.doc


def test_header(seed: Document) -> None:
    assert seed.date == "2018-12-09"
    assert seed.date_inferred is False
    assert seed.time == "20:00"
    assert seed.title == (
        "Foreign Minister Sergey Lavrov’s interview with Khabar Agency, Kazakhstan, "
        "for Maya Bekbayeva’s project The Era of Revival, Moscow, December 9, 2018"
    )
    assert seed.versions == ["en", "ru"]
    assert seed.lang == "en"
    assert seed.kind == "interview"
    assert seed.place == "Moscow"
    assert seed.publisher == "mid.ru"


def test_participants(seed: Document) -> None:
    people = {p.name: p for p in seed.participants}
    assert set(people) == {"Sergey Lavrov", "Maya Bekbayeva"}
    assert people["Sergey Lavrov"].title == "Foreign Minister"
    assert people["Maya Bekbayeva"].affiliation == "Khabar Agency"


def test_turns_pair_nine_questions_with_lavrov(seed: Document) -> None:
    assert len(seed.turns) == 18
    assert [t.n for t in seed.turns] == list(range(1, 19))
    questions = [t for t in seed.turns if t.role == "question"]
    answers = [t for t in seed.turns if t.role == "answer"]
    assert len(questions) == 9 and len(answers) == 9
    for q, a in zip(seed.turns[0::2], seed.turns[1::2], strict=True):
        # unnamed, but the title names the one interviewer ("for Maya Bekbayeva’s project")
        assert (q.label, q.speaker, q.role) == ("Question", "Maya Bekbayeva", "question")
        assert q.affiliation == "Khabar Agency"
        assert (a.label, a.speaker, a.role, a.answers) == (
            "Sergey Lavrov",
            "Sergey Lavrov",
            "answer",
            q.n,
        )
    assert seed.turns[16].text == "Vladimir Solovyov does."
    assert seed.turns[0].text.startswith("Which of Kazakhstan’s peace initiatives")
    # the first answer holds five paragraphs, joined by blank lines
    assert seed.turns[1].text.count("\n\n") == 4
    assert seed.turns[17].text.endswith("reputation of our organisation and each of its members.")


def test_no_furniture_in_any_turn(seed: Document) -> None:
    for t in seed.turns:
        for bit in FURNITURE:
            assert bit not in t.text


def test_id_is_stable_and_path_independent(seed: Document, tmp_path) -> None:
    copy = tmp_path / "elsewhere.txt"
    copy.write_bytes(SEED.read_bytes())
    again = parse_raw(RawInput(path=str(copy), data=copy.read_bytes(), kind="file")).doc
    assert again is not None
    assert again.id == seed.id and again.revision == seed.revision
    assert seed.id.startswith("midru-")
    assert seed.revision == seed.origin[0].sha256[:12]
