"""Metadata on real pages: kinds of press statements and telephone conversations, dates read
from ISO date lines of plain-text pages, titles made for documents published without one.
Expected values come from reading the pages."""

from __future__ import annotations

import gzip
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from communique.cite import cite
from communique.ingest.pipeline import parse_raw
from communique.sources.walk import iter_items
from communique.structure.dates import iso_date_line
from communique.structure.kinds import classify_kind
from communique.structure.publishers.textpage import read_text_page

from .conftest import CORPUS, KREMLIN_HTML

CMFA = CORPUS / "cmfa_presscon_subset" / "ukraine_dataset_combined.csv"


def parsed(path: Path, row: int | None = None):
    items = iter(iter_items([path]))
    item = next(items) if row is None else next(i for i in items if i.path.endswith(f"#row={row}"))
    p = parse_raw(item)
    assert p.doc is not None, p.skip or p.error
    return p.doc


def test_press_statements_following_talks_are_statements() -> None:
    # "Press statements following Russian-Chinese talks", 2017-07-04: Putin's and Xi's statements
    doc = parsed(KREMLIN_HTML / "054979.html.gz")
    assert doc.kind == "statement"
    assert [t.speaker for t in doc.turns[:2]] == ["Vladimir Putin", "Xi Jinping"]
    assert classify_kind("Press statement following Russian-Turkish talks") == "statement"
    # with answers to questions it is still a press conference
    title = "Press statements and answers to journalists’ questions following Russian-Finnish talks"
    assert classify_kind(title) == "press_conference"


def test_telephone_conversations_have_one_kind() -> None:
    # "Telephone conversation with President of Kazakhstan Nursultan Nazarbayev" (lead only)
    call = parsed(KREMLIN_HTML / "009275.html.gz")
    assert call.kind == "phone_call"
    assert call.turns[0].speaker is None  # the narration is nobody's turn
    # "President Vladimir Putin spoke by telephone with Czech President Vaclav Klaus" (headline)
    spoke = parsed(KREMLIN_HTML / "028297.html.gz")
    assert spoke.kind == "phone_call" and spoke.date == "2003-03-11"
    for title in (
        "Acting Russian President Vladimir Putin spoke on\xa0the\xa0phone with Polish President",
        "President Vladimir Putin telephoned Indian Prime Minister Atal Bihari Vajpayee",
        "Phone conversation with King of Morocco Mohammed VI",
        "Wang Yi Holds Phone Talks with Russian Foreign Minister Sergey Lavrov",
        "Телефонный разговор Министра иностранных дел России С.В.Лаврова",
        "王毅同俄罗斯外长拉夫罗夫通电话",
    ):
        assert classify_kind(title, publisher="kremlin.ru") == "phone_call", title
    assert classify_kind("Meeting with Gazprom CEO Alexei Miller") == "meeting"


def test_iso_date_lines() -> None:
    assert iso_date_line("2013-02-20 18:30") == iso_date_line(" 2013-02-20T18:30:00 ")
    info = iso_date_line("2013-02-20 18:30")
    assert info is not None and (info.date, info.time) == ("2013-02-20", "18:30")
    assert iso_date_line("2013-02-20").time is None  # type: ignore[union-attr]
    for not_a_line in ("2013-02-30", "2013-02-20 25:00", "On 2013-02-20 we met", "867-05-05-2023"):
        assert iso_date_line(not_a_line) is None, not_a_line


def _article_paragraphs(path: Path) -> list[str]:
    html = gzip.decompress(path.read_bytes()).decode("utf-8")
    body = LexborHTMLParser(html).css_first("[itemprop=articleBody]")
    assert body is not None
    return [" ".join(p.text().split()) for p in body.css("p") if p.text().strip()]


def test_plain_text_page_with_an_iso_date_line() -> None:
    # "Meeting with Gazprom CEO Alexei Miller" as a plain-text page: the header as its markup
    # gives it (June 15, 2010, 20:30, Gorki, Moscow Region), the body paragraphs of the page
    path = KREMLIN_HTML / "008055.html.gz"
    body = "\n\n".join(_article_paragraphs(path))
    title = "Meeting with Gazprom CEO Alexei Miller"
    lead = "The discussion focused on the terms for clearing Belarus’ debt for Russian gas."
    under_title = f"{title}\n2010-06-15 20:30\nGorki, Moscow Region\n\n{lead}\n\n{body}"
    after_lead = f"{title}\n\n{lead}\n\n2010-06-15 20:30\n\nGorki, Moscow Region\n\n{body}"
    for text in (under_title, after_lead):
        page = read_text_page(text)
        assert (page.title, page.date, page.time) == (title, "2010-06-15", "20:30")
        assert page.place == "Gorki, Moscow Region"
        assert not any(b.text.startswith("2010-06-15") for b in page.blocks)
        assert page.blocks[-1].text == _article_paragraphs(path)[-1]
    assert read_text_page(after_lead).lead == lead  # the paragraph between title and date line
    # "The draft of the European Security Treaty" (2009-11-29 15:50, no speaker labels) with
    # its date line below three paragraphs: read and dropped, the paragraphs stay body text
    paras = _article_paragraphs(KREMLIN_HTML / "006152.html.gz")
    draft = "The draft of the European Security Treaty"
    lower = "\n\n".join([draft, *paras[:3], "2009-11-29 15:50", *paras[3:]])
    page = read_text_page(lower)
    assert (page.title, page.date, page.time, page.lead) == (draft, "2009-11-29", "15:50", None)
    above = [p for p in paras[:3] if p != "* * *"]  # a section break is not text
    assert [b.text for b in page.blocks][: len(above)] == above
    assert not any(b.text.startswith("2009-11-29") for b in page.blocks)
    # a title with a colon above its date line is still the title
    page = read_text_page("Russia and the Netherlands: traditions\n2013-04-06 08:00\n\n" + body)
    assert page.title == "Russia and the Netherlands: traditions" and page.date == "2013-04-06"


def test_cmfa_rows_get_an_inferred_title() -> None:
    # row 1: Kong Quan's press conference of 19 November 2002 (Excel date 37579), no title column
    doc = parsed(CMFA, row=1)
    assert doc.title == "Chinese MFA briefing, 2002-11-19" and doc.title_inferred
    assert doc.to_dict()["title_inferred"] is True
    c = cite(doc)
    assert "“Chinese MFA briefing, 2002-11-19”" in c.text
    assert "(untitled)" not in c.text + c.bibtex and doc.id not in c.csl["title"]
    # a published title is not flagged
    assert parsed(KREMLIN_HTML / "054979.html.gz").title_inferred is False
