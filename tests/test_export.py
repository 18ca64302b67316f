"""Exports of a subcorpus (tables, TEI, citation bundles) over the small real archive of
``SEARCH_INPUTS``: from the Python API, the CLI and a real server. The seed's expectations
(9 questions, 9 answers by Sergey Lavrov) come from reading the seed file."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import httpx
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from communique.export import export, select
from communique.export.subcorpus import TooMany, doc_ids
from communique.export.tables import COLUMNS
from communique.export.tei import (
    ROOT_FILE,
    TEI_NS,
    XML_NS,
    document_xml,
    paragraphs,
    turn_text,
    xml_id,
)
from communique.model import Document, Origin, Turn
from communique.search.selection import Selection
from communique.web.service import BadRequest, selection_from_query

from .conftest import SEED, db_options

NS = {"tei": TEI_NS}
XML_ID = f"{{{XML_NS}}}id"
KZ = Selection(q="Kazakhstan", role="answer")


def seed_labels() -> tuple[int, int]:
    """Questions and Sergey Lavrov's turns, counted from the seed's labels."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    return (
        sum(line.startswith("Question:") for line in lines),
        sum(line.startswith("Sergey Lavrov:") for line in lines),
    )


def seed_id(archive) -> str:
    title = "Foreign Minister Sergey Lavrov’s interview with Khabar"
    (doc_id,) = [d for d in archive.store.doc_ids()
                 if (archive.store.get(d).title or "").startswith(title)]  # fmt: skip
    return doc_id


@pytest.fixture(scope="module")
def tei_dir(search_archive, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole archive as TEI (an empty query: every turn)."""
    folder = tmp_path_factory.mktemp("tei")
    n = export(search_archive.index, Selection(), "tei", folder)
    assert n == len(search_archive.store.doc_ids())
    return folder


def list_person(root_file: Path | bytes) -> ET.Element:
    """The root's listPerson (in its header's particDesc)."""
    root = (
        ET.fromstring(root_file) if isinstance(root_file, bytes) else ET.parse(root_file).getroot()
    )
    found = root.find("tei:teiHeader/tei:profileDesc/tei:particDesc/tei:listPerson", NS)
    assert found is not None
    return found


def test_every_who_resolves_to_list_person(tei_dir: Path) -> None:
    people = list_person(tei_dir / ROOT_FILE)
    listed = {p.get(XML_ID) for p in people.findall("tei:person", NS)}
    assert all(p.find("tei:persName", NS) is not None for p in people.findall("tei:person", NS))
    used: set[str] = set()
    files = [p for p in tei_dir.glob("*.xml") if p.name != ROOT_FILE]
    assert files
    for path in files:
        for u in ET.parse(path).getroot().iter(f"{{{TEI_NS}}}u"):
            who = u.get("who")
            assert who and who.startswith("#"), (path.name, who)
            assert who[1:] in listed, (path.name, who)
            used.add(who[1:])
    assert used == listed  # nobody listed who does not speak


def test_text_of_every_turn_round_trips(search_archive, tei_dir: Path) -> None:
    checked = 0
    for doc_id in search_archive.store.doc_ids():
        doc = search_archive.store.get(doc_id)
        root = ET.parse(tei_dir / f"{xml_id(doc_id)}.xml").getroot()
        assert root.get(XML_ID) == xml_id(doc_id)
        us = list(root.iter(f"{{{TEI_NS}}}u"))
        assert [int(u.get("n")) for u in us] == [t.n for t in doc.turns]
        for u, turn in zip(us, doc.turns, strict=True):
            assert turn_text(u) == turn.text, (doc_id, turn.n)
            assert len(u.findall("tei:seg", NS)) == len(paragraphs(turn.text))
            assert u.get("ana").split()[0] == f"#{turn.role}"
            checked += 1
    assert checked == sum(len(search_archive.store.get(d).turns)
                          for d in search_archive.store.doc_ids())  # fmt: skip


def test_seed_tei(search_archive, tei_dir: Path) -> None:
    questions, lavrov = seed_labels()
    assert (questions, lavrov) == (9, 9)
    doc_id = seed_id(search_archive)
    root = ET.parse(tei_dir / f"{xml_id(doc_id)}.xml").getroot()
    us = list(root.iter(f"{{{TEI_NS}}}u"))
    assert len(us) == questions + lavrov == 18
    assert sum(u.get("who") == "#sergey-lavrov" for u in us) == lavrov
    askers = {u.get("who") for u in us if u.get("ana") == "#question"}
    # "Question:" is the one interviewer the seed's title names ("for Maya Bekbayeva’s project")
    assert askers == {"#journalist.maya-bekbayeva"}
    notes = [n.text for n in root.iter(f"{{{TEI_NS}}}note") if n.get("type") == "speaker"]
    assert notes.count("Question") == 9 and notes.count("Sergey Lavrov") == 9
    # each answer points at the question it answers
    answer = us[1]
    assert answer.get("corresp") == f"#{us[0].get(XML_ID)}"
    header = root.find("tei:teiHeader", NS)
    assert header.find(".//tei:sourceDesc//tei:date", NS).get("when") == "2018-12-09"
    assert header.find(".//tei:titleStmt/tei:title", NS).text.startswith("Foreign Minister")
    # the seed page states no licence: availability unknown, no licence, a note on the terms
    avail = header.find(".//tei:availability", NS)
    assert avail.get("status") == "unknown" and avail.find("tei:licence", NS) is None
    assert "Ministry of Foreign Affairs" in avail.find("tei:p", NS).text
    people = list_person(tei_dir / ROOT_FILE)
    lavrov_entry = [p for p in people.findall("tei:person", NS) if p.get(XML_ID) == "sergey-lavrov"]
    assert lavrov_entry[0].find("tei:persName", NS).text == "Sergey Lavrov"
    corpus = ET.parse(tei_dir / ROOT_FILE).getroot()
    hrefs = {e.get("href") for e in corpus.iter("{http://www.w3.org/2001/XInclude}include")}
    assert f"{xml_id(doc_id)}.xml" in hrefs


HOSTILE = (
    "<b>bold</b> & <![CDATA[ x ]]> \"quotes\" 'apos' ]]> &amp;\n\n"
    "bell\x07 nul\x00 escape\x1b cr\r\nlf tab\t vt\x0b ff\x0c \ufffe\uffff lone\ud800 end  \n\n"
    "\n\n  leading and trailing spaces  \n\n\n\n</u></TEI>"
)


def test_hostile_text_stays_well_formed_and_round_trips() -> None:
    doc = Document(
        id="test-hostile", revision="r1", origin=[Origin("x", None, "0")], publisher="mid.ru",
        lang="en", title="A <title> & ]]> \x07 bell", kind="interview", date="2020-01-02",
        turns=[
            Turn(1, "Q<&>", None, "question", HOSTILE),
            Turn(2, "Mr. X\x01", "Mr. X\x01", "answer", "plain", answers=1),
            Turn(3, None, None, "statement", ""),
        ],
    )  # fmt: skip
    data = document_xml(doc)
    assert b"\x07" not in data and b"\x00" not in data and b"\r" not in data
    root = ET.fromstring(data)  # well-formed (expat is strict about XML 1.0 characters)
    us = list(root.iter(f"{{{TEI_NS}}}u"))
    assert [turn_text(u) for u in us] == [t.text for t in doc.turns]
    assert root.find(".//tei:titleStmt/tei:title", NS).text == "A <title> & ]]> \ufffd bell"
    # the forbidden characters are <g> elements naming the code point
    gs = [g.get("n") for g in us[0].iter(f"{{{TEI_NS}}}g")]
    assert {"U+0007", "U+0000", "U+001B", "U+000D", "U+000B", "U+000C", "U+FFFE", "U+FFFF",
            "U+D800"} == set(gs)  # fmt: skip


def _jsonl(data: bytes) -> list[dict]:
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


def test_tables_have_the_search_rows(search_archive, tmp_path: Path) -> None:
    res = search_archive.search("Kazakhstan", role="answer", limit=1000)
    assert res.total > 3
    hits = {h.permalink for h in res.hits}
    for fmt in ("csv", "jsonl", "parquet"):
        assert export(search_archive.index, KZ, fmt, tmp_path / f"kz.{fmt}") == res.total
    with open(tmp_path / "kz.csv", encoding="utf-8", newline="") as f:
        table = list(csv.DictReader(f))
    lines = _jsonl((tmp_path / "kz.jsonl").read_bytes())
    parquet = pq.read_table(tmp_path / "kz.parquet").to_pylist()
    assert len(table) == len(lines) == len(parquet) == res.total
    assert tuple(lines[0]) == COLUMNS and tuple(table[0]) == COLUMNS
    assert {r["permalink"] for r in lines} == hits
    # the same rows; JSONL has no nulls ("" and 0), Parquet has nulls and dates as dates
    for pr, jr in zip(parquet, lines, strict=True):
        assert {k: v for k, v in jr.items() if k != "date"} == {
            k: ("" if v is None and k not in ("n", "answers") else 0 if v is None else v)
            for k, v in pr.items() if k != "date"
        }  # fmt: skip
        assert (pr["date"].isoformat() if pr["date"] else "") == jr["date"]
    assert [r["text"] for r in table] == [r["text"] for r in lines]
    assert all(r["role"] == "answer" and "Kazakhstan" in r["text"] for r in lines)
    # each row's text is the store's text, its question that of the turn it answers
    for r in lines:
        doc = search_archive.store.get(r["doc_id"])
        turn = next(t for t in doc.turns if t.n == r["n"])
        assert r["text"] == turn.text and r["pinned"] == f"{doc.id}@{doc.revision}#t{turn.n}"
        if turn.answers is not None:
            assert r["question"] == next(t.text for t in doc.turns if t.n == turn.answers)
    seed = [r for r in lines if r["person"] == "sergey-lavrov" and r["date"] == "2018-12-09"]
    assert seed and all(r["question"] for r in seed)


def test_filters_only_selects_every_matching_turn(search_archive) -> None:
    everything = select(search_archive.index, Selection())
    docs = [search_archive.store.get(d) for d in search_archive.store.doc_ids()]
    # every turn, and turn 0 of the documents with a lead (the Bloomberg interview, ...)
    heads = {(d.id, 0) for d in docs if d.head() is not None}
    assert ("kremlin-en-52830", 0) in heads
    total = sum(len(d.turns) for d in docs) + len(heads)
    assert len(everything) == len(set(everything)) == total
    assert heads <= set(everything)
    ru = select(search_archive.index, Selection(lang="ru", role="question"))
    assert ru and len(ru) == _count(search_archive, lang="ru", role="question")
    # each document's turns together and in order
    for d in doc_ids(everything):
        ns = [n for doc, n in everything if doc == d]
        assert ns == sorted(ns)
    with pytest.raises(TooMany, match="at most 5"):
        select(search_archive.index, Selection(), cap=5)
    with pytest.raises(ValueError):
        select(search_archive.index, Selection(role="nobody"))


def test_a_selection_reads_back_the_query_string_it_writes(search_archive) -> None:
    # two speakers who are not one person: a selection of both is the turns of either
    rows = search_archive.store.query(
        "SELECT min(speaker) FROM turns WHERE speaker IS NOT NULL "
        "GROUP BY coalesce(person, speaker) ORDER BY count(*) DESC LIMIT 2"
    )
    a, b = (r[0] for r in rows)
    both = Selection(speaker=(a, b), role="answer,question")
    params = {**both.to_query(), "sort": "date", "page": "2", "format": "csv"}
    assert params["speaker"] == f"{a},{b}"
    again = selection_from_query(params)  # paging, order and format are not the selection's
    assert type(again) is Selection and again.speakers() == (a, b)
    assert again.to_query() == both.to_query()
    with pytest.raises(BadRequest, match="role 'nobody'"):
        selection_from_query({"role": "nobody"})
    each = [set(select(search_archive.index, Selection(speaker=s, role=both.role))) for s in (a, b)]
    assert each[0] and each[1] and each[0] != each[1]
    assert set(select(search_archive.index, again)) == each[0] | each[1]


def _count(archive, **filters: str) -> int:
    return sum(
        1
        for d in archive.store.doc_ids()
        for t in archive.store.get(d).turns
        if archive.store.get(d).lang == filters["lang"] and t.role == filters["role"]
    )


def test_citation_bundle(search_archive, tmp_path: Path) -> None:
    docs = doc_ids(select(search_archive.index, KZ))
    assert export(search_archive.index, KZ, "bibtex", tmp_path / "kz.bib") == len(docs) > 1
    bib = (tmp_path / "kz.bib").read_text(encoding="utf-8")
    assert len(re.findall(r"^@misc\{", bib, re.M)) == len(docs)
    export(search_archive.index, KZ, "csl", tmp_path / "kz.json")
    items = json.loads((tmp_path / "kz.json").read_text(encoding="utf-8"))
    revisions = {d: search_archive.store.get(d).revision for d in docs}
    assert [i["id"] for i in items] == [f"{d}@{revisions[d]}" for d in docs]
    assert all(i["title"] and i["type"] for i in items)


def test_cli_subcorpus(search_db: Path, tmp_path: Path) -> None:
    from communique.cli import app

    runner = CliRunner()
    out = tmp_path / "kz.jsonl"
    args = ["subcorpus", "Kazakhstan", "--role", "answer", "-f", "jsonl", "-o", str(out),
            *db_options(search_db), "-q"]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    rows = _jsonl(out.read_bytes())
    assert len(rows) > 3 and all(r["role"] == "answer" for r in rows)
    folder = tmp_path / "tei"
    result = runner.invoke(app, ["subcorpus", "--lang", "ru", "-f", "tei", "-o", str(folder),
                                 *db_options(search_db), "-q"])  # fmt: skip
    assert result.exit_code == 0, result.output
    names = {p.name for p in folder.iterdir()}
    assert ROOT_FILE in names and len(names) > 1
    bad = runner.invoke(app, ["subcorpus", "foo AND (", *db_options(search_db), "-q"])
    assert bad.exit_code == 2


def test_public_url_from_the_environment(search_db: Path, tmp_path: Path) -> None:
    """$COMMUNIQUE_PUBLIC_URL (or --public-url) is where the permalinks of a TEI export and a
    citation bundle point: nothing a user copies names the machine the export ran on."""
    from communique.cli import app

    runner = CliRunner()
    env = {"COMMUNIQUE_PUBLIC_URL": "https://archive.example.org"}
    folder = tmp_path / "tei"
    result = runner.invoke(app, ["subcorpus", "Kazakhstan", "-f", "tei", "-o", str(folder),
                                 *db_options(search_db), "-q"], env=env)  # fmt: skip
    assert result.exit_code == 0, result.output
    tei = "".join(p.read_text(encoding="utf-8") for p in folder.iterdir())
    assert "https://archive.example.org/d/" in tei and "127.0.0.1" not in tei
    bib = tmp_path / "kz.bib"
    result = runner.invoke(app, ["subcorpus", "Kazakhstan", "-f", "bibtex", "-o", str(bib),
                                 "--public-url", "https://mirror.example.net",
                                 *db_options(search_db), "-q"], env=env)  # fmt: skip
    assert result.exit_code == 0, result.output
    text = bib.read_text(encoding="utf-8")
    assert "https://mirror.example.net/d/" in text and "archive.example.org" not in text


def test_api_subcorpus(server) -> None:
    url = f"{server.url}/api/v1/subcorpus"
    params = {"q": "Kazakhstan", "role": "answer"}
    total = httpx.get(f"{server.url}/api/v1/search", params=params).json()["total"]
    summary = httpx.get(f"{url}/summary", params=params).json()
    assert summary["turns"] == total and summary["exportable"]
    r = httpx.get(url, params={**params, "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    assert r.content.startswith("\ufeff".encode())  # a byte-order mark: Excel reads UTF-8
    assert len(list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))) == total
    r = httpx.get(url, params={**params, "format": "jsonl"})
    assert r.headers["content-type"].startswith("application/x-ndjson")
    lines = _jsonl(r.content)
    assert len(lines) == total
    r = httpx.get(url, params={**params, "format": "parquet"})
    assert r.headers["content-type"] == "application/vnd.apache.parquet"
    assert len(pq.read_table(io.BytesIO(r.content)).to_pylist()) == len(lines)
    r = httpx.get(url, params={**params, "format": "bibtex"})
    assert r.headers["content-type"].startswith("application/x-bibtex")
    assert r.text.count("@misc{") == summary["documents"]
    r = httpx.get(url, params={**params, "format": "csl"})
    assert len(r.json()) == summary["documents"]
    r = httpx.get(url, params={"format": "tei", "speaker": "Sergey Lavrov"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        names = zf.namelist()
        assert f"communique-tei/{ROOT_FILE}" in names
        people = list_person(zf.read(f"communique-tei/{ROOT_FILE}"))
        listed = {p.get(XML_ID) for p in people.findall("tei:person", NS)}
        docs = [n for n in names if not n.endswith(ROOT_FILE)]
        assert docs
        for name in docs:
            for u in ET.fromstring(zf.read(name)).iter(f"{{{TEI_NS}}}u"):
                assert u.get("who")[1:] in listed
    for bad in ({"format": "docx"}, {"q": "foo AND ("}, {"role": "nobody"},
                {"entity": "Atlantis"}, {"q": "zzyzxqqq", "format": "tei"}):  # fmt: skip
        r = httpx.get(url, params=bad)
        assert r.status_code == 400, bad
        assert r.json()["error"] == "bad_request" and r.json()["message"]
