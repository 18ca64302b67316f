"""Enrichment wired into the archive: people and entity mentions on stored turns, language
versions linked at ingest, acronyms learned, and the CLI / API over them.

Expected values come from reading the pages: the seed is Lavrov's interview to Khabar Agency
(labels ``Question`` / ``Sergey Lavrov``; turn 2 names the Eurasian Economic Union (EAEU) and
defines CICA); fmprc t1647080 (en) and t1646964 (zh) are the same press conference of
2019-03-20, five questions and answers each, the first about Kazakhstan's president resigning.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from communique.cli import app
from communique.enrich.labels import label_rows
from communique.ingest.enrichment import enrich_archive
from communique.store import open_store
from tests.conftest import Server, copy_archive, db_options

EN, ZH = "fmprc-en-t1647080", "fmprc-zh-t1646964"
SEED_ID = "midru-8c250a16b4a4"
runner = CliRunner()


def test_speakers_are_resolved_to_people(pair_db: str) -> None:
    store = open_store(pair_db)
    try:
        seed = store.get(SEED_ID)
        zh = store.get(ZH)
    finally:
        store.close()
    assert seed is not None and zh is not None
    by_label = {(t.label, t.person) for t in seed.turns}
    # "Question:" is the interviewer the title names ("for Maya Bekbayeva’s project")
    assert by_label == {
        ("Question", "journalist:maya-bekbayeva"),
        ("Sergey Lavrov", "sergey-lavrov"),
    }
    # the Chinese spokesperson's answers (label 答) are the register's Geng Shuang
    answers = {t.person for t in zh.turns if t.role == "answer"}
    assert answers == {"geng-shuang"}


def test_mentions_are_stored_with_offsets(pair_db: str) -> None:
    store = open_store(pair_db)
    try:
        seed = store.get(SEED_ID)
        en, zh = store.get(EN), store.get(ZH)
        rows = store.query(
            'SELECT n, start, "end", entity FROM mentions WHERE doc_id = ? ORDER BY n, start',
            (SEED_ID,),
        ).fetchall()
    finally:
        store.close()
    assert seed is not None and en is not None and zh is not None
    turn2 = seed.turns[1]
    eaeu = [turn2.text[m.start : m.end] for m in turn2.mentions if m.entity == "org:EAEU"]
    assert "Eurasian Economic Union" in eaeu and "EAEU" in eaeu
    # the table holds exactly what the record says
    recorded = [(t.n, m.start, m.end, m.entity) for t in seed.turns for m in t.mentions]
    assert [tuple(r) for r in rows] == sorted(recorded)
    # the first question of both versions is about Kazakhstan, in its own script
    for doc, name in ((en, "Kazakhstan"), (zh, "哈萨克斯坦")):
        q1 = doc.turns[0]
        spans = {q1.text[m.start : m.end] for m in q1.mentions if m.entity == "country:KZ"}
        assert name in spans


def test_acronyms_are_learned_from_the_archive(pair_db: str) -> None:
    store = open_store(pair_db)
    try:
        table = store.acronym_table()
    finally:
        store.close()
    assert "Conference on Interaction and Confidence-Building Measures in Asia" in table["CICA"]


def test_language_versions_are_linked_at_ingest(pair_db: str) -> None:
    store = open_store(pair_db)
    try:
        assert [v["id"] for v in store.version_links(EN)] == [ZH]
        assert [v["lang"] for v in store.version_links(ZH)] == ["en"]
        assert store.version_links(SEED_ID) == []  # its Russian twin is not held
    finally:
        store.close()
    result = runner.invoke(app, ["versions", EN, *db_options(pair_db)])
    assert result.exit_code == 0 and ZH in result.stdout and "same-day" in result.stdout


def test_align_cli_pairs_the_five_exchanges(pair_db: str) -> None:
    result = runner.invoke(app, ["align", EN, ZH, *db_options(pair_db), "--json"])
    assert result.exit_code == 0, result.stdout
    out = json.loads(result.stdout)
    assert [(p["a"], p["b"]) for p in out["pairs"]] == [([n], [n]) for n in range(1, 11)]
    assert out["missing_in_a"] == [] and out["missing_in_b"] == []
    missing = runner.invoke(app, ["align", EN, "nope", *db_options(pair_db)])
    assert missing.exit_code == 1 and "No document nope" in missing.stdout + missing.stderr


def test_enrich_archive_redoes_links_and_is_idempotent(
    request: pytest.FixtureRequest, pair_db: str, tmp_path: Path
) -> None:
    db = copy_archive(request, pair_db, tmp_path)
    store = open_store(db)
    try:
        # as after an older parser, or before the register knew the speakers: no people
        store.begin()
        store.query("DELETE FROM version_links")
        seed = store.get(SEED_ID)
        assert seed is not None
        for t in seed.turns:
            t.person = None
        raw, content = store.current(SEED_ID) or ("", "")
        store.put_document(seed, raw, content, label_rows(seed))
        store.commit()
        before = store.query("SELECT count(*) FROM mentions").fetchone()[0]
        seq = store.last_change()
        report = enrich_archive(store)
        assert report.documents == 3 and report.links == 1
        assert [v["id"] for v in store.version_links(EN)] == [ZH]
        people = store.query("SELECT count(*) FROM turns WHERE person = 'sergey-lavrov'")
        assert people.fetchone()[0] == 9  # the seed's nine answers
        assert store.query("SELECT count(*) FROM mentions").fetchone()[0] == before
        assert store.last_change() == seq + 1  # only the seed changed, so only it was re-saved
        again = enrich_archive(store)
        assert again.links == 1 and store.last_change() == seq + 1
        assert store.query("SELECT count(*) FROM mentions").fetchone()[0] == before
    finally:
        store.close()


def test_api_versions_and_alignment(pair_server: Server) -> None:
    got = httpx.get(f"{pair_server.url}/api/v1/documents/{EN}/versions").json()
    assert [(v["id"], v["lang"], v["method"]) for v in got["versions"]] == [(ZH, "zh", "same-day")]
    doc = httpx.get(f"{pair_server.url}/api/v1/documents/{ZH}").json()
    assert doc["versions_held"] == {"zh": ZH, "en": EN}
    assert doc["turns"][1]["person"] == "geng-shuang"
    aligned = httpx.get(f"{pair_server.url}/api/v1/align", params={"a": EN, "b": ZH}).json()
    assert len(aligned["pairs"]) == 10 and aligned["unmatched_a"] == []
    # the first answer (turn 2) has four paragraphs in both languages, matched one to one
    with_paras = httpx.get(
        f"{pair_server.url}/api/v1/align", params={"a": EN, "b": ZH, "paragraphs": "true"}
    ).json()
    answer = next(p for p in with_paras["pairs"] if p["a"] == [2])
    assert [(x["a"], x["b"]) for x in answer["paragraphs"]] == [([i], [i]) for i in range(4)]
    nothing = httpx.get(f"{pair_server.url}/api/v1/align", params={"a": EN, "b": "nope"})
    assert nothing.status_code == 404 and "nope" in nothing.json()["message"]


def test_api_people_merge_spellings_and_scripts(server: Server) -> None:
    lavrov = httpx.get(f"{server.url}/api/v1/people/sergey-lavrov").json()
    # the seed writes "Sergey Lavrov", the Tucker Carlson transcript "SERGEY LAVROV", the
    # Russian transcripts "С.В.Лавров": one person
    assert {"Sergey Lavrov", "SERGEY LAVROV", "С.В.Лавров"} <= set(lavrov["labels"])
    assert sum(lavrov["by_year"].values()) == lavrov["turns"]
    ministers = [r for r in lavrov["roles"] if r["title"] == "Minister of Foreign Affairs"]
    assert ministers and all(r["source"] for r in ministers)
    found = httpx.get(f"{server.url}/api/v1/people", params={"q": "carlson"}).json()["items"]
    assert [p["id"] for p in found] == ["journalist:tucker-carlson"]
    assert httpx.get(f"{server.url}/api/v1/people/nobody-at-all").status_code == 404


def test_api_entity_by_any_name(server: Server) -> None:
    for name in ("Казахстан", "Kazakhstan", "KZ", "country:KZ", "哈萨克斯坦"):
        got = httpx.get(f"{server.url}/api/v1/entities/{name}").json()
        assert got["id"] == "country:KZ", name
    assert got["names"] == {"en": "Kazakhstan", "ru": "Казахстан", "zh": "哈萨克斯坦"}
    assert sum(got["by_year"].values()) == got["mentions"] >= got["turns"] > 0
    assert "sergey-lavrov" in {s["person"] for s in got["speakers"]}  # the seed's answers
    eaeu = httpx.get(f"{server.url}/api/v1/entities/EAEU").json()
    assert eaeu["id"] == "org:EAEU" and "country:KZ" in {e["id"] for e in eaeu["together"]}
    missing = httpx.get(f"{server.url}/api/v1/entities/Atlantis")
    assert missing.status_code == 404 and "Atlantis" in missing.json()["message"]


def test_people_cli_clusters_speakers_and_writes_grown_rows(pair_db: str, tmp_path: Path) -> None:
    grown = tmp_path / "grown.csv"
    result = runner.invoke(
        app, ["people", *db_options(pair_db), "--uncertain", "--csv", str(grown)]
    )
    assert result.exit_code == 0, result.stdout
    assert "sergey-lavrov" in result.stdout and "geng-shuang" in result.stdout
    # Geng Shuang is one person in both scripts (耿爽 on the Chinese page)
    row = next(line for line in result.stdout.splitlines() if "geng-shuang" in line)
    assert "耿爽" in row and "Geng Shuang" in row
    header = grown.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("id,kind,name")


def test_people_named_in_turns_are_mentions(server: Server) -> None:
    # Putin to Bloomberg (kremlin-en-52830): the turns about the US election name Hillary
    # Clinton; the Tucker Carlson transcript says "Tony Blinken", an alias of Antony Blinken
    query = {"q": "entity:person:hillary-clinton", "size": 50}
    clinton = httpx.get(f"{server.url}/api/v1/search", params=query).json()
    assert clinton["total"] > 0
    assert {h["doc_id"] for h in clinton["hits"]} == {"kremlin-en-52830"}
    blinken = httpx.get(f"{server.url}/api/v1/entities/Antony Blinken").json()
    assert blinken["id"] == "person:antony-blinken" and blinken["documents"] >= 2


def test_resaving_a_document_keeps_its_links_and_acronyms(
    request: pytest.FixtureRequest, pair_db: str, tmp_path: Path
) -> None:
    db = copy_archive(request, pair_db, tmp_path)
    store = open_store(db)
    try:
        acronyms = store.acronym_table()
        doc, seed = store.get(EN), store.get(SEED_ID)
        assert doc is not None and seed is not None
        store.begin()
        for d in (doc, seed):  # e.g. the same page met again by another route
            raw, content = store.current(d.id) or ("", "")
            store.put_document(d, raw, content, label_rows(d))
        store.commit()
        assert [v["id"] for v in store.version_links(ZH)] == [EN]
        assert store.acronym_table() == acronyms and "CICA" in acronyms
    finally:
        store.close()


def test_links_are_caught_up_after_a_crash_before_enrichment(
    request: pytest.FixtureRequest, pair_db: str, tmp_path: Path
) -> None:
    from communique.ingest.enrichment import ENRICHED, after_ingest

    db = copy_archive(request, pair_db, tmp_path)
    store = open_store(db)
    try:
        # as if the ingest died after its batches were committed, before linking versions
        store.begin()
        store.query("DELETE FROM version_links")
        store.query("DELETE FROM acronyms")
        store.set_state(ENRICHED, "0")
        store.commit()
        report = after_ingest(store)
        assert report.documents == 3 and report.links == 1
        assert [v["id"] for v in store.version_links(EN)] == [ZH]
        assert "CICA" in store.acronym_table()
        assert after_ingest(store).documents == 0  # nothing left to do
    finally:
        store.close()


def test_entity_lists_who_governs_it(server: Server) -> None:
    # Kazakhstan: the register's heads of state, each linked to a person page with its source
    got = httpx.get(f"{server.url}/api/v1/entities/Kazakhstan").json()
    heads = {g["person"]: g for g in got["governed_by"] if g["office"] == "head of state"}
    assert {"nursultan-nazarbayev", "kassym-jomart-tokayev"} <= set(heads)
    naz = heads["nursultan-nazarbayev"]
    assert naz["title"] == "President" and naz["source"] and naz["from"] <= naz["to"]
    page = httpx.get(f"{server.url}/entity/Kazakhstan").text
    assert 'href="/person/nursultan-nazarbayev"' in page and "Who governs it" in page
    person = httpx.get(f"{server.url}/api/v1/people/nursultan-nazarbayev").json()
    assert person["name"] == "Nursultan Nazarbayev"
    assert any(r["country"] == "KZ" and r["source"] for r in person["roles"])
    # an organisation is governed by nobody here
    eaeu = httpx.get(f"{server.url}/api/v1/entities/EAEU").json()
    assert eaeu["governed_by"] == []
