"""People behind speaker labels: name keys, the register, resolution and clustering.

Expected values come from reading the pages (paths and dates in the comments) and from the
shipped register ``enrich/data/people.csv``, whose every fact cites a corpus document.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from communique.enrich.names import Match, compare, fold, name_key, transliterate
from communique.enrich.people import SHIPPED, Register, cluster_labels
from communique.store import open_store
from tests.conftest import CORPUS, SEED, ingest_into, new_target

LAVROV_FORMS = [
    "Sergey Lavrov",
    "S.Lavrov",
    "С.В.Лавров",
    "Foreign Minister Sergey Lavrov",
    "Лавров Сергей Викторович",
]


@pytest.fixture(scope="module")
def reg() -> Register:
    return Register.load()


# -- names ------------------------------------------------------------------------------------
def test_transliteration_uses_iuliia_and_folds_spellings() -> None:
    assert transliterate("Сергей Лавров") == "Sergey Lavrov"
    assert transliterate("Юрий") == "Yury"
    assert fold("Sergey") == fold("Sergei") == fold("Sergej") == fold("Сергей")
    assert fold("Yuri") == fold("Yury") == fold("Yuriy") == fold("Юрий")
    assert fold("Maria") == fold("Mariya") == fold("Мария")
    assert fold("Alexei") == fold("Aleksey")
    assert fold("Fyodor") == fold("Fedor")
    assert fold("Yevgeny") == fold("Evgeny")
    assert fold("Lavrov") != fold("Lavrova")


def test_name_keys_of_the_lavrov_forms() -> None:
    keys = [name_key(form) for form in LAVROV_FORMS]
    assert all(k is not None and k.surname == "Lavrov" for k in keys)
    full = keys[0]
    assert full is not None and full.given == "Sergey" and full.office is None
    initials = name_key("S.Lavrov")
    assert initials is not None and initials.given is None and initials.initials == ("s",)
    cyr = name_key("С.В.Лавров")
    assert cyr is not None and cyr.initials == ("s", "v") and cyr.script == "cyrillic"
    office = name_key("Foreign Minister Sergey Lavrov")
    assert office is not None and office.office == "Foreign Minister"
    # surname first with a patronymic
    rev = name_key("Лавров Сергей Викторович")
    assert rev is not None
    assert (rev.surname, rev.given, rev.patronymic) == ("Lavrov", "Sergey", "Viktorovich")
    latin_rev = name_key("Lavrov S.V.")
    assert latin_rev is not None and latin_rev.surname == "Lavrov"
    assert latin_rev.initials == ("s", "v")
    spaced = name_key("S. V. Lavrov")
    assert spaced is not None and spaced.initials == ("s", "v")


def test_compare_levels() -> None:
    def cmp(a: str, b: str) -> Match:
        ka, kb = name_key(a), name_key(b)
        assert ka is not None and kb is not None
        return compare(ka, kb)

    assert cmp("Sergey Lavrov", "Foreign Minister Sergey Lavrov") == Match.EXACT
    assert cmp("Сергей Лавров", "Sergey Lavrov") == Match.EXACT  # iuliia spells it Sergey
    assert cmp("Сергей Лавров", "Sergei Lavrov") == Match.LOOSE
    assert cmp("S.Lavrov", "Sergey Lavrov") == Match.INITIALS
    assert cmp("С.В.Лавров", "Лавров Сергей Викторович") == Match.INITIALS
    assert cmp("MR. CARNEY", "Jay Carney") == Match.SURNAME
    assert cmp("Zhao Lijian", "Lijian Zhao") == Match.LOOSE
    assert cmp("Gazprom CEO Alexei Miller", "Alexei Miller") == Match.EXACT  # CEO: an office
    assert cmp("Rostec Sergei Chemezov", "Sergei Chemezov") == Match.TAIL
    assert cmp("Igor Ivanov", "Sergei Ivanov") == Match.CONFLICT
    assert cmp("S.Lavrov", "V.Lavrov") == Match.CONFLICT


def test_honorifics_offices_and_non_names() -> None:
    carney = name_key("MR. CARNEY")
    assert carney is not None and carney.surname == "Carney" and carney.honorific == "MR."
    gn = name_key("Г-н Лавров")
    assert gn is not None and gn.surname == "Lavrov" and gn.honorific == "Г-н"
    mc = name_key("MR. McDONOUGH")
    assert mc is not None and mc.surname == "McDonough"
    president = name_key("THE PRESIDENT")
    assert president is not None and not president.has_name and president.office
    # an office word misspelt in the source is still an office word
    typo = name_key("SECRETRARY DUNCAN")
    assert typo is not None and typo.given is None and typo.surname == "Duncan"
    assert name_key("Q") is None
    assert name_key("问") is None
    zh = name_key("耿爽")
    assert zh is not None and zh.cjk == "耿爽"


# -- the register ---------------------------------------------------------------------------------
def test_shipped_register_is_well_formed() -> None:
    with open(SHIPPED, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and all(None not in r for r in rows)  # no stray commas
    assert all(r["source"] for r in rows), "every fact cites its source"
    ids = {r["id"] for r in rows}
    for pid in ("sergey-lavrov", "vladimir-putin", "geng-shuang", "jay-carney", "colin-powell"):
        assert pid in ids


def test_five_lavrov_forms_are_one_person(reg: Register) -> None:
    ids = {reg.resolve(form).person_id for form in LAVROV_FORMS}
    assert ids == {"sergey-lavrov"}
    assert reg.resolve("Сергей Лавров").person_id == "sergey-lavrov"
    assert reg.resolve("Sergei Lavrov").person_id == "sergey-lavrov"  # Kremlin's spelling
    r = reg.resolve("S.Lavrov")
    assert r.kind == "official" and 0.8 <= r.confidence < 1.0


def test_putin_forms(reg: Register) -> None:
    for form in ("Владимир Путин", "V.Putin", "President Vladimir Putin", "В.Путин"):
        r = reg.resolve(form)
        assert r.person_id == "vladimir-putin", form
        assert r.kind == "official"


def test_namesakes_stay_apart(reg: Register) -> None:
    # Kremlin 2001-08-23 (news/41852): "Foreign Minister Igor Ivanov and Defence Minister
    # Sergei Ivanov" - two people, one surname.
    assert reg.resolve("Igor Ivanov").person_id == "igor-ivanov"
    assert reg.resolve("Sergei Ivanov").person_id == "sergei-ivanov"
    bare = reg.resolve("MR. IVANOV")
    assert bare.person_id is None and bare.match == "ambiguous"
    assert set(bare.candidates) == {"igor-ivanov", "sergei-ivanov"}
    # the office settles it: State Department 2001-2003 labels "FOREIGN MINISTER IVANOV"
    fm = reg.resolve("(As Translated)FOREIGN MINISTER IVANOV", date="2002-01-15")
    assert fm.person_id == "igor-ivanov"
    assert fm.role is not None and fm.role.title == "Minister of Foreign Affairs"
    dm = reg.resolve("DEFENCE MINISTER IVANOV", date="2002-01-15")
    assert dm.person_id == "sergei-ivanov"


def test_roles_over_time(reg: Register) -> None:
    lavrov_2018 = reg.resolve("Sergey Lavrov", date="2018-12-09")
    assert lavrov_2018.role is not None and lavrov_2018.role.title == "Minister of Foreign Affairs"
    assert lavrov_2018.role.source  # the fact says where it comes from
    # 2002: Igor Ivanov was the minister; Lavrov is still Lavrov, without the role
    lavrov_2002 = reg.resolve("Sergey Lavrov", date="2002-06-01")
    assert lavrov_2002.person_id == "sergey-lavrov" and lavrov_2002.role is None
    # Putin: acting president and prime minister on 1999-12-31, president in 2016
    putin = reg["vladimir-putin"]
    assert {r.title for r in putin.roles_at("1999-12-31")} == {"Prime Minister", "Acting President"}
    assert [r.title for r in putin.roles_at("2016-09-05")] == ["President"]
    # no date, no role
    assert reg.resolve("Vladimir Putin").role is None
    # an office label alone, with a date and a publisher: the holder then
    obama = reg.resolve("THE PRESIDENT", date="2012-05-01", publisher="whitehouse.gov")
    assert obama.person_id == "barack-obama" and obama.match == "office"
    assert reg.resolve("THE PRESIDENT").person_id is None


def test_outlets_and_journalists(reg: Register) -> None:
    for label, pid in (
        ("Reuters:", "outlet:reuters"),
        ("Khabar Agency", "outlet:khabar-agency"),
        ("路透社记者", "outlet:reuters"),  # the same outlet on the Chinese page
        ("Bloomberg News", "outlet:bloomberg"),
    ):
        r = reg.resolve(label)
        assert (r.person_id, r.kind) == (pid, "outlet"), label
    # an outlet by shape, not in the register
    r = reg.resolve("Hubei Media Group")
    assert r.kind == "outlet" and r.person_id == "outlet:hubei-media-group"
    # a journalist: a name that asks the questions
    j = reg.resolve("Maya Bekbayeva", role="question")
    assert (j.person_id, j.kind) == ("journalist:maya-bekbayeva", "journalist")
    # role words are nobody
    for word in ("Q", "Question:", "问", "Follow-up"):
        assert reg.resolve(word).person_id is None


def test_chinese_names_link_to_pinyin(reg: Register) -> None:
    assert reg.resolve("耿爽").person_id == reg.resolve("Geng Shuang").person_id == "geng-shuang"
    assert reg.resolve("赵立坚").person_id == "zhao-lijian"
    r = reg.resolve("华春莹", date="2019-03-01")
    assert r.person_id == "hua-chunying" and r.role and r.role.title.endswith("Spokesperson")


def test_user_file_extends_and_overrides(tmp_path: Path) -> None:
    user = tmp_path / "mine.csv"
    user.write_text(
        "id,kind,name,name_ru,aliases,role,organisation,country,from,to,source\n"
        # a new person, with a Cyrillic name
        "maya-bekbayeva,journalist,Maya Bekbayeva,Майя Бекбаева,,Journalist,Khabar Agency,KZ,"
        "2018,,../shared/seeds/000_4edebaca2194af6e.txt\n"
        # an alias and an earlier role for a shipped person (kind left empty: unchanged)
        "sergey-lavrov,,,,Lavrov S.V.,Permanent Representative to the UN,,RU,1994,2004,"
        "my notes\n"
        # a minimal row: id and name only
        "ivan-petrov,,Ivan Petrov,,,,,,,,\n",
        encoding="utf-8",
    )
    reg = Register.load(user)
    assert reg.resolve("Майя Бекбаева").person_id == "maya-bekbayeva"
    assert reg.resolve("Maya Bekbayeva").kind == "journalist"
    assert reg.resolve("Ivan Petrov").kind == "official"  # the default kind
    assert reg.resolve("Sergey Lavrov").kind == "official"  # an empty kind changes nothing
    r = reg.resolve("Лавров Сергей Викторович", date="2000-01-01")
    assert r.person_id == "sergey-lavrov"
    assert r.role is not None and r.role.title == "Permanent Representative to the UN"
    assert len(reg) == len(Register.load()) + 2
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name,country\nx,X,ZZ\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.csv, line 2"):
        Register.load(bad)


# -- clustering ---------------------------------------------------------------------------------
def test_cluster_labels() -> None:
    labels = [
        *((form, "ru" if "Лав" in form else "en", 3) for form in LAVROV_FORMS),
        ("Kirill Kleymenov", "en", 115, "question"),
        ("Kirill Kleimenov", "en", 4, "question"),  # a spelling variant: merged, but asked
        ("Andrei Vandenko", "en", 287, "question"),
        ("Mike Froman", "en", 126),
        ("Michael Froman", "en", 10),
        ("MR. FROMAN", "en", 172),  # fits both Froman clusters: asked
        ("Reuters", "en", 146),
        ("路透社记者", "zh", 61),
        ("Q", "en", 1000),
    ]
    cl = cluster_labels(labels)
    assert {cl.person_of(f, "ru" if "Лав" in f else "en") for f in LAVROV_FORMS} == {
        "sergey-lavrov"
    }
    assert cl.people["sergey-lavrov"].in_register
    kk = cl.person_of("Kirill Kleymenov", "en")
    assert kk == "journalist:kirill-kleymenov" == cl.person_of("Kirill Kleimenov", "en")
    assert cl.person_of("Reuters", "en") == cl.person_of("路透社记者", "zh") == "outlet:reuters"
    assert cl.person_of("Mike Froman", "en") != cl.person_of("Michael Froman", "en")
    reasons = {(u.label, u.reason) for u in cl.uncertain}
    assert ("Kirill Kleimenov", "spelling") in reasons
    assert ("MR. FROMAN", "ambiguous") in reasons
    assert ("Michael Froman", "same-initial") in reasons
    assert ("Q", "en", 1000, "role word") in cl.skipped
    rows = cl.to_rows()
    assert any(r["id"] == "journalist:andrei-vandenko" for r in rows)
    assert not any(r["id"] == "sergey-lavrov" for r in rows)


# -- real pages ---------------------------------------------------------------------------------
PAGES = [
    SEED,  # mid.ru 2018-12-09: "Question:" / "Sergey Lavrov:"
    CORPUS / "kremlin_en" / "html" / "052830.html.gz",  # 2016-09-05, Putin to Bloomberg
    CORPUS / "fmprc_en_zh" / "zh" / "regular_presscon" / "t1417538.html",  # 耿爽, 2016-11-22
    CORPUS / "fmprc_en_zh" / "en" / "regular_presscon" / "t1760477.html",  # Geng, 2020-03-24
    CORPUS / "whitehouse_briefings" / "html" / "1212.html.gz",  # Carney, 2011-02-16
    CORPUS / "official_transcripts" / "lavrov_ukraine_combined.csv",  # С.В.Лавров (ru)
]


@pytest.fixture(scope="module")
def page_turns(
    request: pytest.FixtureRequest, backend: str, tmp_path_factory: pytest.TempPathFactory
) -> list[tuple]:
    db = new_target(request, backend, tmp_path_factory.mktemp("people"))
    ingest_into(db, PAGES)
    store = open_store(db)
    try:
        return store.query(
            "SELECT d.publisher, d.lang, d.date, t.label, t.speaker, t.affiliation, t.role "
            "FROM turns t JOIN documents d ON d.id = t.doc_id ORDER BY t.doc_id, t.n"
        ).fetchall()
    finally:
        store.close()


def _resolved(reg: Register, page_turns: list[tuple], publisher: str, lang: str) -> dict:
    out: dict = {}
    for pub, lg, date, label, speaker, aff, role in page_turns:
        if pub != publisher or lg != lang or not (label or speaker):
            continue
        r = reg.resolve(speaker or label, date=date, publisher=pub, role=role, affiliation=aff)
        if r.person_id is None and aff:
            r = reg.resolve(aff, date=date, publisher=pub)
        out.setdefault(label, set()).add((r.person_id, r.role.title if r.role else None))
    return out


def test_real_pages_resolve(reg: Register, page_turns: list[tuple]) -> None:
    # mid.ru seed: the minister answers, on 2018-12-09, in office
    mid = _resolved(reg, page_turns, "mid.ru", "en")
    assert mid["Sergey Lavrov"] == {("sergey-lavrov", "Minister of Foreign Affairs")}
    assert mid["Question"] == {(None, None)}
    # mid.ru Russian pages: "С.В.Лавров:" (some "(перевод с английского языка)")
    ru = _resolved(reg, page_turns, "mid.ru", "ru")
    assert {pid for v in ru.values() for pid, _ in v} - {None} == {"sergey-lavrov"}
    # Kremlin, Interview to Bloomberg: Putin answers John Micklethwait
    kr = _resolved(reg, page_turns, "kremlin.ru", "en")
    assert kr["Vladimir Putin"] == {("vladimir-putin", "President")}
    assert kr["President of Russia Vladimir Putin"] == {("vladimir-putin", "President")}
    assert kr["John Micklethwait"] == {("journalist:john-micklethwait", None)}
    # fmprc zh 2016-11-22: "答：" is 耿爽 (named in the title)
    zh = _resolved(reg, page_turns, "fmprc.gov.cn", "zh")
    assert zh["答"] == {("geng-shuang", "Foreign Ministry Spokesperson")}
    # fmprc en 2020-03-24: outlets ask, Geng Shuang answers
    en = _resolved(reg, page_turns, "fmprc.gov.cn", "en")
    assert en["Geng Shuang"] == {("geng-shuang", "Foreign Ministry Spokesperson")}
    for outlet, pid in (
        ("Reuters", "outlet:reuters"),
        ("CCTV", "outlet:cctv"),
        ("China Daily", "outlet:china-daily"),
        ("Bloomberg News", "outlet:bloomberg"),
        ("Kyodo News", "outlet:kyodo-news"),
        ("The Paper", "outlet:the-paper"),
    ):
        assert en[outlet] == {(pid, None)}, outlet
    # White House 2011-02-16: "MR. CARNEY:" is the press secretary that day
    wh = _resolved(reg, page_turns, "whitehouse.gov", "en")
    assert wh["MR. CARNEY"] == {("jay-carney", "White House Press Secretary")}
