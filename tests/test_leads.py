"""Text that is not a turn: a Kremlin page's lead and a headline-only page's title are kept in
the record as turn 0 (``<id>#t0``), found by search, exported and cited, without renumbering
the turns. Expected values come from reading the pages (their raw HTML)."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from communique.cite import cite
from communique.cli import app
from communique.export import export
from communique.ingest.pipeline import parse_raw
from communique.ops.check import check
from communique.search.selection import Selection
from communique.sources.walk import iter_items

from .conftest import (
    KREMLIN_HTML,
    data_dir_of,
    db_options,
    ingest_into,
    open_archive,
    start_server,
    stop_server,
)

runner = CliRunner()
GAZPROM = KREMLIN_HTML / "008055.html.gz"  # "Meeting with Gazprom CEO Alexei Miller", 2010-06-15
GAZPROM_ID = "kremlin-en-8055"
GAZPROM_LEAD = "The discussion focused on the terms for clearing Belarus’ debt for Russian gas."
KHABAROVSK = KREMLIN_HTML / "027293.html.gz"  # 2002-08-15, a headline and nothing else
KHABAROVSK_ID = "kremlin-en-27293"
KHABAROVSK_TITLE = (
    "President Vladimir Putin and Khabarovsk Governor Viktor Ishayev signed an agreement "
    "terminating the agreement on the delimitation of powers between the federal authorities "
    "and the authorities of the Khabarovsk Region which was signed on April 24, 1996"
)


def parsed(path: Path):
    p = parse_raw(next(iter(iter_items([path]))))
    assert p.doc is not None, p.skip or p.error
    return p.doc


def test_kremlin_lead_is_in_the_record_and_turns_keep_their_numbers() -> None:
    doc = parsed(GAZPROM)
    assert doc.lead == GAZPROM_LEAD
    assert doc.to_dict()["lead"] == GAZPROM_LEAD
    # the first labelled paragraph is still turn 1 (Medvedev: "Mr Miller, several days ago...")
    assert doc.turns[0].n == 1 and doc.turns[0].text.startswith("Mr Miller, several days ago")
    assert all(GAZPROM_LEAD not in t.text for t in doc.turns)
    head = doc.head()
    assert head is not None and head.n == 0 and head.text == GAZPROM_LEAD
    assert head.label is None and head.role == "statement"


def test_headline_only_page_is_a_document_with_its_title_as_turn_0() -> None:
    doc = parsed(KHABAROVSK)
    assert doc.id == KHABAROVSK_ID and doc.date == "2002-08-15"
    assert doc.turns == [] and doc.lead is None
    assert doc.title == KHABAROVSK_TITLE
    head = doc.head()
    assert head is not None and head.n == 0 and head.text == KHABAROVSK_TITLE
    # its citation names it by its title, turn 0 pinned to the revision
    c = cite(doc, head, base_url="http://x")
    assert c.pinned == f"{KHABAROVSK_ID}@{doc.revision}#t0"
    assert "Khabarovsk Governor Viktor Ishayev" in c.text and "(untitled)" not in c.text


@pytest.fixture
def lead_db(archive_target: str) -> str:
    ingest_into(archive_target, [GAZPROM, KHABAROVSK])
    return archive_target


def test_search_finds_lead_and_headline_words(lead_db: str) -> None:
    with open_archive(lead_db) as a:
        # "focused" is only in the lead of the Gazprom page (the body says "During the discussion")
        res = a.search("focused", limit=50)
        assert [(h.doc_id, h.n) for h in res.hits] == [(GAZPROM_ID, 0)]
        hit = res.hits[0]
        assert hit.permalink == f"{GAZPROM_ID}#t0" and hit.label is None
        assert "focused" in hit.text
        # the headline-only page is found by a word of its title, and filters apply to it
        res = a.search("Ishayev", limit=50)
        assert [(h.doc_id, h.n) for h in res.hits] == [(KHABAROVSK_ID, 0)]
        assert a.search("Ishayev", publisher="kremlin.ru", date_from="2002-08-15").total == 1
        assert a.search("Ishayev", date_from="2003-01-01").total == 0
        # a word of the Gazprom turns still finds its turns, numbered as before
        res = a.search("Lukashenko", doc=GAZPROM_ID, limit=50)
        assert res.total >= 1 and all(h.n >= 1 for h in res.hits)
        # concordance lines read turn 0 from the index
        lines = a.kwic("delimitation")
        assert len(lines) == 1 and lines[0].doc_id == KHABAROVSK_ID
    # the index is in line with the store: turn 0 is not a row of the turns table
    report = check(lead_db, data_dir=data_dir_of(lead_db))
    assert report.ok, report.to_dict()


def test_exports_and_citation_bundles_hold_leads_and_headlines(
    lead_db: str, tmp_path: Path
) -> None:
    with open_archive(lead_db) as a:
        out = tmp_path / "x.jsonl"
        assert export(a.index, Selection(q="Ishayev"), "jsonl", out) == 1
        row = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
        assert row["doc_id"] == KHABAROVSK_ID and row["n"] == 0
        assert row["text"] == KHABAROVSK_TITLE and row["permalink"] == f"{KHABAROVSK_ID}#t0"
        out = tmp_path / "lead.jsonl"
        assert export(a.index, Selection(q="focused"), "jsonl", out) == 1
        row = json.loads(out.read_text(encoding="utf-8"))
        assert (row["doc_id"], row["n"], row["text"]) == (GAZPROM_ID, 0, GAZPROM_LEAD)
        # every document of a publisher, the headline-only one included
        out = tmp_path / "all.csv"
        export(a.index, Selection(publisher="kremlin.ru"), "csv", out)
        assert KHABAROVSK_ID in out.read_text(encoding="utf-8")
        bib = tmp_path / "x.bib"
        assert export(a.index, Selection(q="Ishayev"), "bibtex", bib) == 1
        text = bib.read_text(encoding="utf-8")
        assert "Khabarovsk Governor Viktor Ishayev" in text and "kremlin-en-27293@" in text
        tei = tmp_path / "tei"
        export(a.index, Selection(q="focused"), "tei", tei)
        xml = next(p for p in tei.iterdir() if "8055" in p.name).read_text(encoding="utf-8")
        assert 'type="lead"' in xml and "clearing Belarus’ debt" in xml


def test_show_prints_the_lead(lead_db: str) -> None:
    result = runner.invoke(app, ["show", GAZPROM_ID, *db_options(lead_db)])
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    assert "#t0 lead" in flat and "clearing Belarus’ debt" in flat
    assert flat.index("clearing Belarus’ debt") < flat.index("#t1")
    result = runner.invoke(app, ["show", GAZPROM_ID, "--json", *db_options(lead_db)])
    assert json.loads(result.output)["lead"] == GAZPROM_LEAD


def test_web_shows_leads_headlines_and_inferred_titles(archive_target: str) -> None:
    cmfa = KREMLIN_HTML.parents[1] / "cmfa_presscon_subset" / "ukraine_dataset_combined.csv"
    ingest_into(archive_target, [GAZPROM, KHABAROVSK, cmfa])
    srv = start_server(archive_target)
    try:

        def get(path: str) -> str:
            with urllib.request.urlopen(srv.url + path, timeout=30) as r:
                return r.read().decode("utf-8")

        page = get(f"/d/{GAZPROM_ID}")
        assert 'id="t0"' in page and "clearing Belarus’ debt" in page
        assert page.index('id="t0"') < page.index('id="t1"')  # above the turns, numbered as before
        headline = get(f"/d/{KHABAROVSK_ID}")  # a hit's #t0 lands on the headline
        assert re.search(r'<h1 class="doc-title" id="t0">President Vladimir Putin and', headline)
        cited = get(f"/d/{KHABAROVSK_ID}/cite?turn=0")
        assert "Khabarovsk Governor Viktor Ishayev" in cited and f"{KHABAROVSK_ID}@" in cited
        hits = json.loads(get("/api/v1/search?q=focused&publisher=kremlin.ru"))["hits"]
        assert [(h["doc_id"], h["n"], h["permalink"]) for h in hits] == [
            (GAZPROM_ID, 0, f"{GAZPROM_ID}#t0")
        ]
        record = json.loads(get(f"/api/v1/documents/{GAZPROM_ID}"))
        assert (record.get("record") or record)["lead"] == GAZPROM_LEAD
        # the home page lists the latest documents (CMFA rows, published without a title) by
        # their inferred titles: never "(untitled)", never an id
        home = get("/")
        titles = re.findall(r'class="doc-title"[^>]*>([^<]*)</a>', home)
        assert titles and all(t.startswith("Chinese MFA briefing, 20") for t in titles), titles
        assert "(untitled)" not in home
    finally:
        stop_server(srv)
