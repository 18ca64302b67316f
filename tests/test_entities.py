"""Entity mentions on real turns (read from the corpus through a small archive, never copied)."""

from __future__ import annotations

import itertools

import pytest

from communique.enrich.entities import EntityMatcher, find, fold, matcher, ru_paradigm

from .conftest import rows_of

SEED_ID = "midru-8c250a16b4a4"  # mid.ru, Lavrov to Khabar, 2018 (en)


@pytest.fixture(scope="module")
def turns(search_db: str):
    def get(doc: str, like: str | None = None) -> list[tuple[int, str]]:
        sql = "SELECT n, text FROM turns WHERE doc_id = ?"
        args: tuple = (doc,)
        if like:
            sql += " AND text LIKE ?"
            args += (f"%{like}%",)
        return [(r["n"], r["text"]) for r in rows_of(search_db, sql + " ORDER BY n", args)]

    return get


def check_offsets(text: str, mentions) -> None:
    for m in mentions:
        assert text[m.start : m.end] == m.surface
    assert all(a.end <= b.start for a, b in itertools.pairwise(mentions))


def test_seed_eaeu_long_and_short_form(turns) -> None:
    [(_, text)] = turns(SEED_ID, "idea of Eurasian integration, the Eurasian Economic Union (EAEU)")
    ms = find(text, "en")
    check_offsets(text, ms)
    eaeu = [m for m in ms if m.entity == "org:EAEU"]
    # "... the Eurasian Economic Union (EAEU), which ... benefiting all the EAEU countries"
    assert [m.surface for m in eaeu] == ["Eurasian Economic Union", "EAEU", "EAEU"]
    long, short, _ = eaeu
    assert text.count("EAEU") == 2
    assert text[long.end : short.start] == " ("  # "Eurasian Economic Union (EAEU)"
    assert {m.kind for m in eaeu} == {"organisation"}
    kz = [m for m in ms if m.entity == "country:KZ"]
    assert kz and all(m.surface.startswith("Kazakhstan") for m in kz)
    assert all(m.kind == "country" for m in kz)


def test_seed_cica_and_longest_match(turns) -> None:
    [(_, text)] = turns(SEED_ID, "Confidence-Building Measures in Asia (CICA)")
    ms = find(text, "en")
    check_offsets(text, ms)
    cica = [m.surface for m in ms if m.entity == "org:CICA"]
    assert cica[0] == "Conference on Interaction and Confidence-Building Measures in Asia"
    assert "CICA" in cica
    # the whole seed: "UN Security Council" is one mention of the Council, not of the UN
    whole = " ".join(t for _, t in turns(SEED_ID))
    ms = find(whole, "en")
    unsc = [m for m in ms if m.surface == "UN Security Council"]
    assert unsc and all(m.entity == "org:UNSC" for m in unsc)
    assert not any(m.entity == "org:UN" and m.start == u.start for u in unsc for m in ms)


def test_us_pronoun_is_not_a_country(turns) -> None:
    rows = turns("kremlin-en-52830", " us ")
    assert rows
    for _, text in rows:
        ms = find(text, "en")
        check_offsets(text, ms)
        assert all(m.surface != "us" for m in ms)
        assert not [m for m in ms if m.entity == "country:US" and m.surface.islower()]
    # "U.S." and "US" in the same interview are the country
    surfaces = {m.surface for _, t in turns("kremlin-en-52830") for m in find(t, "en")}
    assert {"United States", "US", "U.S."} <= surfaces


def test_russian_inflected_forms(turns) -> None:
    found: dict[str, set[str]] = {}
    for _, text in turns("midru-ru-1821243"):
        ms = find(text, "ru")
        check_offsets(text, ms)
        for m in ms:
            found.setdefault(m.entity, set()).add(m.surface)
    assert {"Россия", "России", "Россию", "Россией", "Российской Федерации"} <= found["country:RU"]
    assert {"Украина", "Украины", "Украине"} <= found["country:UA"]
    assert {"Великобритания", "Великобритании"} <= found["country:GB"]
    assert {"Соединенные Штаты Америки", "США"} <= found["country:US"]  # е for ё
    assert {"Группы двадцати"} <= found["org:G20"]
    assert {"ЕС", "Евросоюза"} <= found["org:EU"]
    assert "Организации Объединенных Наций" in found["org:UN"]


def test_russian_paradigms_and_folding() -> None:
    assert ru_paradigm("казахстан")[0] == "казахстан"
    assert ru_paradigm("россия") == ("росс", ("ия", "ии", "ию", "ией", "ий"))
    text = "В Казахстане, с Казахстаном, из Казахстана; Соединённым Штатам. Того, что Германа нет."
    got = [(m.surface, m.entity) for m in find(text, "ru")]
    assert got == [
        ("Казахстане", "country:KZ"),
        ("Казахстаном", "country:KZ"),
        ("Казахстана", "country:KZ"),
        ("Соединённым Штатам", "country:US"),
    ]  # "Того" (that) is not Togo, "Германа" (a name) is not Germany
    assert fold("Соединённые\u00a0Штаты") == "соединенные штаты"


def test_security_council_of_russia_is_not_the_uns(turns) -> None:
    ms = find("Глава государства провёл заседание Совета Безопасности Российской Федерации.", "ru")
    assert [m.entity for m in ms] == ["country:RU"]
    ms = find("Совета Безопасности ООН и Совбез ООН", "ru")
    assert [m.entity for m in ms] == ["org:UNSC", "org:UNSC"]


def test_chinese_substrings(turns) -> None:
    found: dict[str, set[str]] = {}
    for _, text in turns("fmprc-zh-t1417538"):
        ms = find(text, "zh")
        check_offsets(text, ms)
        for m in ms:
            found.setdefault(m.entity, set()).add(m.surface)
    assert "中国" in found["country:CN"]
    assert "缅甸" in found["country:MM"]
    assert {"亚太经合组织", "APEC"} <= found["org:APEC"]
    assert "东盟" in found["org:ASEAN"]
    ms = find("哈萨克斯坦和白俄罗斯都是发展中国家，中哈关系很好。", "zh")
    assert [(m.surface, m.entity) for m in ms] == [
        ("哈萨克斯坦", "country:KZ"),
        ("白俄罗斯", "country:BY"),  # not 俄罗斯 inside it
        ("中", "country:CN"),  # 发展中国家 (developing countries) holds no 中国
        ("哈", "country:KZ"),
    ]


def test_same_entity_in_three_languages() -> None:
    m = matcher()
    assert m.entities("the Eurasian Economic Union", "en") == {"org:EAEU"}
    assert m.entities("Евразийского экономического союза и ЕАЭС", "ru") == {"org:EAEU"}
    assert m.entities("欧亚经济联盟", "zh") == {"org:EAEU"}
    assert m.entities("Kazakhstan", "en") == m.entities("Казахстан", "ru") == {"country:KZ"}
    assert m.entities("哈萨克斯坦", "zh") == {"country:KZ"}
    assert find("Казахстан") == find("Казахстан", "ru")  # language guessed from the script


def test_case_and_blocking_rules() -> None:
    m = matcher()
    assert m.entities("We ate turkey in Latin America with a woman from Oman.", "en") == {
        "country:OM"
    }
    assert m.entities("TURKEY AND CHINA", "en") == {"country:TR", "country:CN"}
    assert m.entities("the National Security Council", "en") == set()
    assert m.entities("the Security Council", "en") == {"org:UNSC"}
    # a name alone on its line is a reporter called on by name, not the country
    got = find("Thanks.\n\nJordan.\n\nJordan is a key partner.", "en")
    assert [(m.surface, m.start) for m in got] == [("Jordan", 18)]


def test_built_once() -> None:
    assert matcher() is matcher()
    assert isinstance(matcher(), EntityMatcher)


def test_country_names_are_the_current_iso_names() -> None:
    from communique.enrich.entities import entity_name, lookup

    # ISO 3166-1 short names as of today; older names only as aliases
    assert entity_name("country:BY") == "Belarus"
    assert entity_name("country:BY", "ru") == "Беларусь"
    assert entity_name("country:TR") == "Türkiye"
    assert entity_name("country:CZ") == "Czechia"
    assert entity_name("country:MK") == "North Macedonia"
    assert entity_name("country:SZ") == "Eswatini"
    # common names where ISO gives one; index forms ("Palestine, State of") turned round
    assert entity_name("country:IR") == "Iran"
    assert entity_name("country:PS") == "State of Palestine"
    assert entity_name("country:CD") == "Democratic Republic of the Congo"
    assert entity_name("country:VG") == "British Virgin Islands"
    assert entity_name("country:SU") == "USSR"  # a former country keeps its own name
    for old, code in (("Belorussia", "BY"), ("Turkey", "TR"), ("Czech Republic", "CZ"),
                      ("Swaziland", "SZ"), ("Macedonia", "MK"), ("Белоруссия", "BY")):  # fmt: skip
        assert lookup(old) == f"country:{code}", old
    assert [m.entity for m in find("Belorussia, as it was called, is Belarus.")] == [
        "country:BY", "country:BY"]  # fmt: skip


def test_belarus_in_real_turns(turns) -> None:
    from communique.enrich.entities import entity_name

    # Hua Chunying, 2020-02-03: "... Kazakhstan, Hungary, Iran, Belarus, Indonesia and ..."
    ((_, text),) = [t for t in turns("fmprc-en-t1739548", "Belarus") if t[0] == 7]
    by = [m for m in find(text) if m.entity == "country:BY"]
    assert [text[m.start : m.end] for m in by] == ["Belarus"]
    assert entity_name(by[0].entity) == "Belarus"
