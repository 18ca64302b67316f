"""Choose the reader for a raw input and run it: raw bytes or a table row to a :class:`Page`."""

from __future__ import annotations

import json
import re
from typing import Any

from communique.sources.decode import bytes_to_text, maybe_gunzip, repair_text
from communique.sources.raw import RawInput
from communique.structure.dates import find_date, parse_date_field
from communique.structure.ids import canonical_url, publisher_doc_id, publisher_from_url, url_lang
from communique.structure.page import Block, NotADocument, Page
from communique.structure.publishers.fmprc import looks_like_fmprc, read_fmprc
from communique.structure.publishers.generic_html import read_generic_html
from communique.structure.publishers.kremlin import looks_like_kremlin, read_kremlin
from communique.structure.publishers.textpage import read_text_page
from communique.structure.publishers.whitehouse import looks_like_whitehouse, read_whitehouse
from communique.structure.text import clean_inline, guess_lang


def read_raw(raw: RawInput, *, publisher: str | None = None) -> Page:
    """The Page for one raw input; raises NotADocument (a skip) or an error (a failure)."""
    page = _read_row(raw) if raw.kind == "row" else _read_file(raw)
    meta = raw.meta
    if publisher:
        page.publisher = publisher
    url = page.url or meta.get("url")
    page.url = url
    if page.publisher is None:
        page.publisher = publisher_from_url(url) or meta.get("publisher")
    if page.lang is None:
        page.lang = meta.get("lang") or url_lang(url)
    if page.date is None and meta.get("date"):
        found = parse_date_field(str(meta["date"]))
        if found and found.date:
            page.date = found.date
    if page.title is None and meta.get("title"):
        page.title = meta["title"]
    if page.speaker_hint is None and meta.get("spokesperson"):
        page.speaker_hint = meta["spokesperson"]
    if not page.blocks and page.lead:
        page.blocks = [Block(text=page.lead)]  # a news item published as its lead alone
    if not page.blocks and not _headline_item(page):
        raise NotADocument("no text in the page (only site furniture)")
    return page


def _headline_item(page: Page) -> bool:
    """A publisher's news item published as its headline alone: a document without turns."""
    return bool(page.publisher and page.title and len(page.title.split()) >= 6)


def _read_file(raw: RawInput) -> Page:
    data = maybe_gunzip(raw.data)
    text = bytes_to_text(data)
    if not text.strip():
        raise NotADocument("empty file")
    url = raw.meta.get("url")
    if raw.meta.get("format") == "text":
        return read_text_page(repair_text(text), url=url)
    head = text.lstrip()[:4000].lower()
    if looks_like_whitehouse(text):
        return read_whitehouse(text, url=url)
    if looks_like_kremlin(text):
        return read_kremlin(text, url=url)
    if looks_like_fmprc(text):
        return read_fmprc(text, url=url, path=raw.path)
    html_start = ("<!doctype", "<html", "<?xml", "<head", "<body", "<div", "<p", "<h1")
    if raw.meta.get("format") == "html" or head.startswith(html_start):
        return read_generic_html(text, url=url)
    return read_text_page(repair_text(text), url=url)


def _cell(row: dict[str, Any], col: str | None) -> str | None:
    if not col:
        return None
    value = row.get(col)
    if value is None:
        return None
    s = str(value).strip()
    return None if s.casefold() in ("", "na", "nan", "none", "null", "-") else s


def _read_row(raw: RawInput) -> Page:
    row: dict[str, Any] = json.loads(raw.data)
    cols: dict[str, str] = raw.meta.get("columns", {})
    found_url = _cell(row, cols.get("url"))
    url = canonical_url(found_url)
    title = _cell(row, cols.get("title"))
    publisher = _cell(row, cols.get("publisher")) or publisher_from_url(url)
    lang = _cell(row, cols.get("lang"))
    speaker = _cell(row, cols.get("speaker"))
    question, answer = _cell(row, cols.get("question")), _cell(row, cols.get("answer"))
    text = _cell(row, cols.get("text"))
    if text:
        page = read_text_page(
            repair_text(text), title=title, url=url, publisher=publisher, lang=lang
        )
    elif question or answer:
        page = _dyad_page(row, cols, question, answer, speaker, url, publisher, lang, title)
    else:
        raise NotADocument("row with empty text")
    page.speaker_hint = speaker
    page.found_url = found_url
    page.lang = page.lang or url_lang(url)
    date = _cell(row, cols.get("date"))
    found = parse_date_field(date) if date else None
    if found and found.date and found.date == _capture_date(_cell(row, cols.get("url"))):
        found = None  # the day a web archive captured the page, not the day it was published
    if found and found.date:
        page.date, page.date_inferred = found.date, found.inferred
    elif page.date is None and title:
        found = find_date(title)
        if found and found.date:
            page.date, page.date_inferred = found.date, found.inferred
    row_id = _cell(row, cols.get("id"))
    if row_id and (question or answer) and not text:
        base = page.publisher_id or publisher_doc_id(page.publisher, url) or ""
        page.publisher_id = f"{base}-{row_id}".strip("-") if base else f"row{row_id}"
    return page


_WAYBACK = re.compile(r"web\.archive\.org/web/(\d{4})(\d{2})(\d{2})")


def _capture_date(url: str | None) -> str | None:
    m = _WAYBACK.search(url or "")
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else None


_SEPARATOR = re.compile(r"\s+\*{3,}\s+")


def _dyad_page(
    row: dict[str, Any],
    cols: dict[str, str],
    question: str | None,
    answer: str | None,
    speaker: str | None,
    url: str | None,
    publisher: str | None,
    lang: str | None,
    title: str | None,
) -> Page:
    """A question/answer pair table row (CMFA PressCon): a two-turn excerpt of a briefing."""
    asker = _cell(row, cols.get("asker"))
    blocks = []
    # the columns say who asks and who answers, whatever the labels look like ("The Paper")
    if question:
        q_text = clean_inline(repair_text(question))
        blocks.append(Block(text=q_text, label=asker or "Question", role="question"))
    if answer:
        # a closing notice after a "*****" line is the spokesperson's statement, not the answer
        a_text, *notice = _SEPARATOR.split(clean_inline(repair_text(answer)), maxsplit=1)
        blocks.append(Block(text=a_text, label=speaker or "Answer", role="answer"))
        blocks.extend(Block(text=n, role="statement") for n in notice if n)
    sample = " ".join(b.text for b in blocks)
    return Page(
        blocks=blocks,
        url=url,
        publisher=publisher,
        lang=lang or guess_lang(sample),
        title=title,
        kind_hint="regular press conference" if publisher == "fmprc.gov.cn" else None,
        attribution=publisher,
    )
