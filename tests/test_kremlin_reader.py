"""kremlin.ru reader on real pages from ../shared/corpus/kremlin_en (read in place).

Expected values were written by reading the raw pages (``zcat .../html/052830.html.gz``).
"""

from __future__ import annotations

import gzip
import html
import random
import re
from collections import Counter
from pathlib import Path

import pytest

from communique.structure.page import Block, NotADocument, Page
from communique.structure.publishers.kremlin import looks_like_kremlin, read_kremlin

from .conftest import CORPUS

KREMLIN = CORPUS / "kremlin_en" / "html"
SAMPLE_SEED = 20240611
SAMPLE_SIZE = 300


def raw(news_id: int) -> str:
    return read_raw(KREMLIN / f"{news_id:06d}.html.gz")


def read_raw(path: Path) -> str:
    # One page (063123) has a stray non-UTF-8 byte: replace it, as the decoder upstream would.
    return gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")


def page(news_id: int) -> Page:
    return read_kremlin(raw(news_id))


def labels(p: Page) -> list[str]:
    return [b.label for b in p.blocks if b.label is not None]


def block_starting(p: Page, start: str) -> Block:
    return next(b for b in p.blocks if b.text.startswith(start))


# -- an independent scan of the raw HTML for bold labels (plain regex, no html.py) -----------

_BODY = re.compile(r'itemprop="articleBody"(.*?)(?:class="read__bottommeta|</article>)', re.S)
_QUOTE = re.compile(r"<blockquote\b.*?</blockquote>", re.S | re.I)
_PARA = re.compile(r"<p\b[^>]*>(.*?)</p>", re.S | re.I)
_TOKEN = re.compile(r"<(/?)([a-zA-Z][\w-]*)[^>]*>|([^<]+)")
_TOOLTIP_OPEN = re.compile(r'<span class="read__tooltip[^"]*"[^>]*>')
_SPAN = re.compile(r"<span\b[^>]*>|</span>")
_LOST_SPACE = re.compile(r"([a-z])</(b|i)><\2>(?=[A-Z][a-z]|(?:of|the|and)\b)")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_NOTE = re.compile(r"\s*\([^():]*\)?\s*[:：]")  # " (retranslated):" after the bold name
_NOTE_TAIL = re.compile(r"[^():]*\)?\s*[:：]")  # "retranslated):" when "(" closed the bold run


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", _INVISIBLE.sub("", html.unescape(text))).strip()


def _cut_tooltips(text: str) -> str:
    """Remove every ``<span class="read__tooltip ...">`` with its nested spans."""
    while m := _TOOLTIP_OPEN.search(text):
        depth, end = 0, len(text)
        for s in _SPAN.finditer(text, m.start()):
            depth += -1 if s.group(0) == "</span>" else 1
            if depth == 0:
                end = s.end()
                break
        text = text[: m.start()] + text[end:]
    return text


def scan_labels(page_html: str) -> list[str]:
    """Labels of body paragraphs that open with a bold run ending in a colon.

    Also ``<b>Name</b>:`` (colon just after the bold run), ``<b>Name</b> (<i>note</i>):``
    (the label keeps its note) and ``<b>Name: Go</b>od`` (bold running past the colon into
    the text); not a wholly bold paragraph with a colon inside. Pull quotes (``<blockquote>``)
    and tooltips are left out; ``<b>Vladimir</b><b>Putin</b>`` gets its lost space back.
    """
    m = _BODY.search(page_html)
    if m is None:
        return []
    body = _cut_tooltips(_QUOTE.sub("", m.group(1)))
    found = []
    for para in _PARA.findall(body):
        para = _LOST_SPACE.sub(r"\1</\2> <\2>", para)
        bold, lead, rest = 0, "", ""
        for close, tag, text in _TOKEN.findall(para):
            if tag.lower() in ("b", "strong"):
                bold += -1 if close else 1
            elif tag.lower() == "br":
                text = "\n"
            if not text:
                continue
            if rest or not (bold > 0 or not html.unescape(text).strip()):
                rest += text
            else:
                lead += text
        lead_text = _fold(lead)
        rest = html.unescape(rest)
        if not lead_text:
            continue
        if lead_text.endswith((":", "：")):
            found.append(_fold(lead_text[:-1]))
        elif (c := re.search("[:：]", lead_text)) and rest.strip():  # <b>Name: Go</b>od...
            found.append(_fold(lead_text[: c.start()]))
        elif re.match(r"\s*[:：]", rest):
            found.append(lead_text)
        elif n := (_NOTE_TAIL if lead_text.endswith("(") else _NOTE).match(rest):
            found.append(_fold(lead + n.group(0)[:-1]))
    return found


def tooltip_leaks(page_html: str, blocks: list[Block]) -> list[str]:
    """Tooltip text found in the blocks, as it would read if left in: "Islam Karimov Karimov Islam".

    Each needle is the visible text just before a tooltip followed by the tooltip's own text.
    """
    texts = [_fold(f"{b.label or ''}: {b.text}") for b in blocks]
    needles = set()
    while m := _TOOLTIP_OPEN.search(page_html):
        depth, end = 0, len(page_html)
        for s in _SPAN.finditer(page_html, m.start()):
            depth += -1 if s.group(0) == "</span>" else 1
            if depth == 0:
                end = s.end()
                break
        before = _fold(re.sub(r"<[^>]+>", " ", page_html[max(0, m.start() - 200) : m.start()]))
        inside = _fold(re.sub(r"<[^>]+>", " ", page_html[m.start() : end]))
        word = before.split(" ")[-1] if before else ""
        if word and inside:
            needles.add(f"{word} {inside[:25]}")
            needles.add(f"{word}{inside[:25]}")
        page_html = page_html[: m.start()] + page_html[end:]
    return sorted(n for n in needles if any(n in t for t in texts))


# -- pages read by hand ---------------------------------------------------------------------


def test_bloomberg_interview_052830() -> None:
    p = page(52830)
    assert p.publisher == "kremlin.ru"
    assert p.publisher_id == "52830"
    assert p.url == "http://en.kremlin.ru/events/president/news/52830"
    assert p.lang == "en"
    assert p.title == "Interview to Bloomberg"
    assert (p.date, p.time, p.place) == ("2016-09-05", "10:30", "Vladivostok")
    assert p.lead is not None
    assert p.lead.startswith("Full text of Vladimir Putin's interview to the international")
    assert p.lead.endswith("recorded on September 1, 2016, in Vladivostok.")
    assert p.versions == ["en", "ru"]
    assert (p.license, p.attribution) == ("CC BY 4.0", "kremlin.ru")
    assert p.kind_hint == "News ,Transcripts ,President"
    assert len(p.blocks) == 239  # 239 <p> in the body; the video player above them is dropped
    assert Counter(labels(p)) == {
        "John Micklethwait": 61,
        "Vladimir Putin": 60,
        "President of Russia Vladimir Putin": 1,
    }
    first, second, third = p.blocks[:3]
    assert first.label == "John Micklethwait"
    assert first.text.startswith(
        "Mr President, thank you very much for speaking to Bloomberg. Here"
    )
    assert second.label == "President of Russia Vladimir Putin"
    assert second.text.startswith("We would like to draw the attention of our partners")
    assert third.label is None and third.text.startswith("The Far East is of particular")
    assert (p.blocks[-1].label, p.blocks[-1].text) == ("Vladimir Putin", "Thank you very much.")
    assert not any("\n" in b.text or "\xa0" in b.text for b in p.blocks)


def test_news_conference_2012_017173() -> None:
    p = page(17173)
    assert p.title == "News conference of Vladimir Putin"
    assert (p.date, p.time, p.place) == ("2012-12-20", "16:40", "Moscow")
    assert p.versions == ["en", "ru"]
    assert p.lead == (
        "Vladimir Putin's news conference took place at the World Trade Centre"
        " on Krasnopresnenskaya Embankment."
    )
    assert len(p.blocks) == 789  # 790 <p>, one of them the bold "* * *" break
    assert not any("* * *" in b.text for b in p.blocks)
    count = Counter(labels(p))
    assert count["Vladimir Putin"] == 143
    assert count["Question"] == 79
    assert count["Dmitry Peskov"] == 53
    assert count["Dmitry PeskoV"] == 1  # <b>Dmitry Pesko</b><b>V:</b>, the site's own typo
    assert count["Reply"] == 6
    assert p.blocks[2].label == "President of Russia Vladimir Putin"
    assert p.blocks[2].text == "Good afternoon, ladies and gentlemen,"
    assert p.blocks[0].text.startswith("Over 1,000 Russian and 200 foreign journalists")
    # "<b>REPLY</b> (<i>without a microphone</i>)." has no colon: not a label
    reply = block_starting(p, "REPLY (without a microphone)")
    assert reply.label is None
    assert p.blocks[-1].text == "Goodbye!"


def test_meeting_with_split_bold_labels_054071() -> None:
    p = page(54071)
    assert p.title == (
        "Working meeting with Natural Resources and Environment Minister Sergei Donskoy"
    )
    assert (p.date, p.time, p.place) == ("2017-03-20", "14:15", "The Kremlin, Moscow")
    assert len(p.blocks) == 41
    # <b>Vladimir</b><b>Putin</b>: the space the page lost is put back
    assert Counter(labels(p)) == {
        "President of Russia Vladimir Putin": 1,
        "Natural Resources and Environment Minister Sergei Donskoy": 1,  # tooltip inside
        "Vladimir Putin": 10,
        "Sergey Donskoy": 5,
        "Sergei Donskoy": 4,
    }
    assert p.blocks[1].text.startswith("Yes, Mr President")
    assert p.blocks[19].label == "Vladimir Putin"
    assert p.blocks[19].text == "What are the legal areas in need of bolstering in your opinion?"
    assert p.blocks[20].label == "Sergei Donskoy"
    assert p.blocks[20].text.startswith("We need to focus on economic incentives")


def test_label_with_tooltip_and_place_008010() -> None:
    p = page(8010)
    assert p.title == "Meeting with President of Uzbekistan Islam Karimov"
    assert (p.date, p.time, p.place) == ("2010-06-10", "15:00", "Tashkent")
    assert len(p.blocks) == 13  # 14 <p> less one "* * *"
    karimov = p.blocks[2]
    # not "President of Uzbekistan Islam Karimov Karimov Islam" (the tooltip's card)
    assert karimov.label == "President of Uzbekistan Islam Karimov"
    assert karimov.text.startswith("Mr President, I am truly happy to see you")
    assert p.blocks[0].text.startswith("The President of Uzbekistan told President Medvedev")
    # glossary tooltip cut, the term kept
    assert "the preparations for the SCO Council of Heads of State meeting." in p.blocks[0].text
    assert labels(p).count("President of Russia Dmitry Medvedev") == 1
    assert tooltip_leaks(raw(8010), p.blocks) == []


def test_retranslated_note_between_name_and_colon_017400() -> None:
    p = page(17400)
    assert len(p.blocks) == 22
    heading = p.blocks[1]
    assert (heading.label, heading.bold) == (None, True)
    assert heading.text == "Beginning of meeting with Prime Minister of Hungary Viktor Orban"
    orban = p.blocks[10]
    assert orban.label == "Prime Minister of Hungary Viktor Orban (retranslated)"
    assert orban.text == "Mr President,"
    assert p.blocks[20].label == "Vladimir Putin"


def test_news_item_without_labels_or_place_006152() -> None:
    p = page(6152)
    assert p.title == "The draft of the European Security Treaty"
    assert (p.date, p.time, p.place, p.lead) == ("2009-11-29", "15:50", None, None)
    assert p.kind_hint == "News ,President"
    assert len(p.blocks) == 66  # 68 <p>: one "* * *", one empty
    assert labels(p) == []
    assert p.blocks[0].text.startswith("On June 5, 2008, the President of Russia put forward")
    assert (p.blocks[2].text, p.blocks[2].bold) == ("EUROPEAN SECURITY TREATY", True)


def test_news_item_with_place_007506() -> None:
    p = page(7506)
    assert p.title == "Russian-Uzbekistani talks took place"
    assert (p.date, p.time, p.place) == ("2010-04-20", "15:00", "The Kremlin, Moscow")
    assert p.lead == "Talks were held in both restricted and expanded formats."
    assert len(p.blocks) == 24  # 25 <p> less one "* * *"; the photo gallery is dropped
    assert p.blocks[0].text.startswith("Dmitry Medvedev and President of Uzbekistan Islam Karimov")


def test_announcement_dated_by_publication_status_017109() -> None:
    p = page(17109)  # announcements have no read__published/read__time
    assert p.title == "Vladimir Putin will meet with President of Brazil Dilma Rousseff"
    assert (p.date, p.time, p.place) == ("2012-12-10", "16:00", None)
    assert p.kind_hint == "News ,For the Media ,Announcements ,President"
    assert len(p.blocks) == 2
    assert "such as the UN, BRICS, the G20 and others." in p.blocks[1].text
    assert tooltip_leaks(raw(17109), p.blocks) == []


def test_pull_quotes_dropped_007970() -> None:
    p = page(7970)
    assert len(p.blocks) == 14  # 17 <p>: two in <blockquote> pull quotes, one "* * *"
    assert not any(b.text.startswith("”") for b in p.blocks)
    assert sum("global fund, into which countries" in b.text for b in p.blocks) == 1


def test_bold_overrun_and_bold_notes() -> None:
    # <b>President of Russia\nVladimir Putin: G</b>ood afternoon, colleagues.
    p = page(52929)
    first = next(b for b in p.blocks if b.label)
    assert (first.label, first.text) == (
        "President of Russia Vladimir Putin",
        "Good afternoon, colleagues.",
    )
    assert p.blocks[-1].text == "<…>"  # the site's mark for omitted passages is kept
    # <b>Contact telephone number: +7 (495) 606–4357.</b>: a bold note, not a speaker
    note = page(9165).blocks[-1]
    assert (note.label, note.bold) == (None, True)
    assert note.text == "Contact telephone number: +7 (495) 606–4357."


def test_long_title_labels_056002() -> None:
    p = page(56002)
    assert (
        "Chairman of the National Council for the Coordination of Cooperation with the Russian"
        " Federation and the People's Republic of China, President of the Republic of Serbia"
        " (2012–2017) Tomislav Nikolic"
    ) in labels(p)


def test_versions_without_russian_twin_047905() -> None:
    p = page(47905)  # the footer's language switch points at kremlin.ru/, not at a twin
    assert p.versions == ["en"]
    assert p.title == "Congratulations to Academician Guri Marchuk"
    assert len(p.blocks) == 4


def test_news_item_with_title_only_027293() -> None:
    p = page(27293)
    assert p.blocks == [] and p.lead is None
    assert p.title is not None and p.title.startswith("President Vladimir Putin and Khabarovsk")
    assert (p.date, p.time) == ("2002-08-15", "00:00")


# -- shapes the corpus lacks: the Russian twin, list pages ------------------------------------

RUSSIAN_PAGE = """<!doctype html><html lang="ru"><head>
<meta itemprop="inLanguage" content="ru"/>
<meta name="keywords" content="Новости ,Стенограммы ,Президент"/>
<link rel="alternate" type="text/html" hreflang="en" href="http://en.kremlin.ru/events/president/news/99999"/>
</head><body>
<article class="read__in hentry h-entry" id="event-99999"><div class="read__content">
<h1 class="entry-title p-name">Встреча с&nbsp;&laquo;Деловой Россией&raquo;</h1>
<div class="read__lead"><div><p>Глава государства встретился с&nbsp;предпринимателями.</p>
</div></div>
<div class="read__meta"><time class="read__published" datetime="2019-05-22">22 мая 2019 года</time>
<div class="read__time">15:20</div>
<div class="read__place p-location"><i></i>Москва, Кремль</div></div>
<div class="entry-content e-content read__internal_content" itemprop="articleBody">
<div class="slider masha-ignore"><div class="slide"><p>Подпись к&nbsp;фото</p></div></div>
<p><b>В.Путин:</b> Добрый день!</p>
<p><b><a class="person_tag read__tag" href="/catalog/persons/1">Алексей Репик<span
 class="read__tooltip tooltip_person hidden masha-ignore"><span class="tooltip__text"><span
 class="tooltip_title tooltip_link">Репик Алексей</span></span></span></a></b>: Уважаемый Владимир
Владимирович!</p>
<p>* * *</p>
<ul><li>первое;</li><li>второе.</li></ul>
Текст вне абзаца.
<div class="read__bottommeta hidden-copy"><p>Опубликован в&nbsp;разделах: Новости</p></div>
</div></div></article>
<div class="footer__license"><p>Все материалы сайта доступны по&nbsp;лицензии:</p>
<p><a href="http://creativecommons.org/licenses/by/4.0/deed.ru" rel="license">Creative Commons
Attribution 4.0 International</a></p></div>
</body></html>"""


def test_russian_twin_layout() -> None:
    assert looks_like_kremlin(RUSSIAN_PAGE)
    p = read_kremlin(RUSSIAN_PAGE, url="http://kremlin.ru/events/president/news/99999")
    assert (p.publisher_id, p.url, p.lang) == (
        "99999",
        "http://kremlin.ru/events/president/news/99999",
        "ru",
    )
    assert p.title == "Встреча с «Деловой Россией»"
    assert (p.date, p.time, p.place) == ("2019-05-22", "15:20", "Москва, Кремль")
    assert p.lead == "Глава государства встретился с предпринимателями."
    assert p.versions == ["en", "ru"]
    assert (p.license, p.attribution) == ("CC BY 4.0", "kremlin.ru")
    assert [(b.label, b.text) for b in p.blocks] == [
        ("В.Путин", "Добрый день!"),
        ("Алексей Репик", "Уважаемый Владимир Владимирович!"),
        (None, "первое;"),
        (None, "второе."),
        (None, "Текст вне абзаца."),
    ]


def test_list_page_is_not_a_document() -> None:
    items = "".join(
        f'<div class="hentry h-entry hentry_event"><a href="/events/president/news/{n}">'
        f"<h3>News {n}</h3></a></div>"
        for n in range(60000, 60010)
    )
    listing = (
        '<html lang="en"><head><meta property="og:url" '
        'content="http://en.kremlin.ru/events/president/news"/></head>'
        f'<body><div class="events">{items}</div></body></html>'
    )
    assert looks_like_kremlin(listing)
    with pytest.raises(NotADocument, match="index page"):
        read_kremlin(listing)


def test_looks_like_kremlin_rejects_other_publishers() -> None:
    assert looks_like_kremlin(raw(52830))
    other = CORPUS / "whitehouse_briefings" / "html" / "0000.html.gz"
    assert not looks_like_kremlin(read_raw(other))
    fmprc = CORPUS / "fmprc_en_zh" / "en" / "regular_presscon" / "default.html"
    assert not looks_like_kremlin(fmprc.read_bytes().decode("utf-8", errors="replace"))


# -- a seeded sample against the independent scan ------------------------------------------


def sample_pages() -> list[Path]:
    files = sorted(KREMLIN.glob("*.html.gz"))
    return random.Random(SAMPLE_SEED).sample(files, min(SAMPLE_SIZE, len(files)))


def test_sample_labels_match_independent_scan() -> None:
    disagree = {}
    dirty = []
    for path in sample_pages():
        text = read_raw(path)
        p = read_kremlin(text)
        got, want = Counter(labels(p)), Counter(scan_labels(text))
        if got != want:
            disagree[path.name] = (got - want, want - got)
        for b in p.blocks:
            if "* * *" in b.text or "\xa0" in b.text or "\xa0" in (b.label or ""):
                dirty.append((path.name, b.text[:60]))
        if leaks := tooltip_leaks(text, p.blocks):
            dirty.append((path.name, leaks))
    assert disagree == {}
    assert dirty == []
