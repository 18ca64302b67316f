"""Acronym definitions learned from real turns (the seed and the archive built from the corpus)."""

from __future__ import annotations

from collections import Counter

import pytest

from communique.enrich.acronyms import definitions, expansions, find_definitions, learn

from .conftest import SEED, rows_of

CICA_LONG = "Conference on Interaction and Confidence-Building Measures in Asia"


@pytest.fixture(scope="module")
def archive_texts(search_db: str) -> list[str]:
    return [r["text"] for r in rows_of(search_db, "SELECT text FROM turns ORDER BY doc_id, n")]


def test_seed_definitions() -> None:
    pairs = set(find_definitions(SEED.read_text(encoding="utf-8")))
    assert ("CICA", CICA_LONG) in pairs  # plain Schwartz & Hearst would stop at "Confidence-"
    assert ("EAEU", "Eurasian Economic Union") in pairs
    assert ("CSTO", "Collective Security Treaty Organisation") in pairs
    assert ("CIS", "Commonwealth of Independent States") in pairs


def test_learn_and_expand_both_ways(archive_texts: list[str]) -> None:
    table = learn(archive_texts)
    assert table["CICA"][CICA_LONG] >= 1
    assert table["EAEU"]["Eurasian Economic Union"] == 2
    assert definitions(table, 2)["EAEU"] == "Eurasian Economic Union"
    assert "CICA" not in definitions(table, 2)  # defined once in this small archive
    assert expansions("CICA", table, 1) == {"CICA", CICA_LONG}
    assert expansions(CICA_LONG.lower(), table, 1) == {CICA_LONG.lower(), "CICA"}
    assert expansions("EAEU", table) == {"EAEU", "Eurasian Economic Union"}
    assert expansions("Eurasian  Economic Union", table) == {"Eurasian Economic Union", "EAEU"}
    assert expansions("nothing here", table) == {"nothing here"}


def test_expansions_across_languages_from_the_organisations_table() -> None:
    table = learn(["Conference on Interaction and Confidence-Building Measures in Asia (CICA)"])
    got = expansions("CICA", table, 1, organisations=True)
    assert {"CICA", CICA_LONG, "СВМДА", "亚信"} <= got
    assert "ЕАЭС" in expansions("EAEU", {}, organisations=True)


def test_russian_and_chinese_definitions() -> None:
    ru = "участники Организации Договора о коллективной безопасности (ОДКБ) и ШОС"
    assert list(find_definitions(ru)) == [
        ("ОДКБ", "Организации Договора о коллективной безопасности")
    ]
    zh = "中方支持上海合作组织（上合组织）发展，欢迎亚洲相互协作与信任措施会议（亚信）峰会。"
    assert list(find_definitions(zh)) == [
        ("上合组织", "上海合作组织"),
        ("亚信", "亚洲相互协作与信任措施会议"),
    ]


def test_short_form_first_and_minimum_count() -> None:
    pairs = list(find_definitions("members of the EAEU (Eurasian Economic Union) met"))
    assert pairs == [("EAEU", "Eurasian Economic Union")]
    table = {"XYZ": Counter({"X Y Zed": 1, "Xenon Yard Zone": 3, "xenon yard zone": 1})}
    assert definitions(table, 2) == {"XYZ": "Xenon Yard Zone"}
    assert definitions(table, 5) == {}
    # parenthesised words that are no short form are not definitions
    assert list(find_definitions("as I said (and I repeat) before (see above)")) == []
