"""Plain-text pages: page dumps like the seed, and the text column of transcript tables.

Layout found in such text: an optional header (date and time, glued or not; the title; the
site's language-version line ``en-GB1 ru-RU1``; mid.ru's internal id ``867-05-05-2023``; site
menus and notices), the body in paragraphs separated by blank lines (with hard line breaks
inside them, or one turn a line), and a trailer of site furniture (``Advanced settings``,
``Дата публикации:``, ``Ссылка на материал:``, ``Tags``...), whose publication date is read
before it is dropped.
"""

from __future__ import annotations

import re

from communique.structure.dates import find_date, iso_date_line
from communique.structure.labels import classify_label, is_office_word, split_label
from communique.structure.page import Block, Page
from communique.structure.text import clean_inline, guess_lang, split_paragraphs

_VERSIONS_LINE = re.compile(r"^[•·*\-\s]*(?:[a-z]{2}(?:-[A-Z]{2})?\d*\s*){1,12}$")
_VERSION_CODE = re.compile(r"\b([a-z]{2})-[A-Z]{2}\d*\b")
_MIDRU_VERSIONS = re.compile(r"\b[a-z]{2}-[A-Z]{2}1\b")
_INTERNAL_ID = re.compile(r"^\d{1,5}-\d{2}-\d{2}-\d{4}$")
_TRAILERS = (
    "advanced settings", "дата публикации", "опубликован в разделах", "ссылка на материал",
    "текстовая версия", "официальный сайт президента россии", "tags", "related articles",
    "related news", "share this", "print version",
)  # fmt: skip
_FURNITURE = (
    "official websites use .gov", "secure .gov websites use https", "a .gov website belongs",
    "a lock (", "archived content", "2021-2025 archived content", "2009-2017 archived content",
    "you are viewing archived content", "content in this archive site is not updated",
    "for current information, go to", "все материалы сайта доступны по лицензии",
    "creative commons attribution 4.0 international", "skip to main content", "advanced settings",
    "[audio]", "[full video", "[dsl/cable]", "текстовая версия", "this is an archive",
    "here's how you know",
)  # fmt: skip
# kremlin.ru person tooltips dumped with the text: after a name, a run of spaces, the person's
# "Surname Name Patronymic" glued to their office, then a space before the punctuation
# ("С.Шойгу      Шойгу Сергей КужугетовичСекретарь Совета Безопасности :").
_TOOLTIP_NAME = (
    r"[ \t\u00a0]{3,}[А-ЯЁ][а-яё\-]+ [А-ЯЁ][а-яё]+ [А-ЯЁ][а-яё]+?(?:вич|вна|ична|ич|кызы|оглы)"
)
_TOOLTIP = re.compile(_TOOLTIP_NAME + r"(?:[А-ЯЁа-яё][^,:;\n]{0,160}?)?[ \t\u00a0]+(?=[,:;])")
_TOOLTIP_BARE = re.compile(_TOOLTIP_NAME + r"(?=[А-ЯЁа-яё])")  # the office's end unknown: kept
_LICENSE = re.compile(r"creative commons attribution 4\.0", re.I)
_SENTENCE_END = re.compile(r"[.!?…»”\"')\]]$")
_ABBREVIATION_END = re.compile(r"\b(?:[A-Z]\.){2,}$")  # "New York, N.Y.", "Washington, D.C."


def _tooltip_names(text: str) -> list[str]:
    """The whole names the tooltips give, as "Name Patronymic Surname" ("Шойгу Сергей
    Кужугетович" -> "Сергей Кужугетович Шойгу"): who "С.Шойгу" is, for the turn maker."""
    out: list[str] = []
    for m in re.finditer(_TOOLTIP_NAME, text):
        surname, first, patronymic = m.group(0).split()
        name = f"{first} {patronymic} {surname}"
        if name not in out:
            out.append(name)
    return out


def looks_like_text_page(text: str) -> bool:
    head = text.lstrip()[:200]
    return not head.startswith("<")


# A transcript's time stamp alone on its line: "(1:50 p.m. EDT)", "12:28 P.M. EST", "END 1:33 P.M."
_TIME_STAMP = re.compile(
    r"^\(?\s*(?:END\s*)?\d{1,2}[:.]\d{2}\s*(?:[AaPp]\.?\s?[Mm]\.?)?\s*(?:[A-Z]{2,4})?\s*\)?\.?$"
)


def _is_furniture(par: str) -> bool:
    low = par.casefold().strip(" •·")
    return any(low.startswith(f) for f in _FURNITURE)


def _menu_like(par: str) -> bool:
    """A short line with no sentence punctuation: site navigation, a header line."""
    one = clean_inline(par)
    ends_sentence = _SENTENCE_END.search(one) and not _ABBREVIATION_END.search(one)
    return "\n" not in par.strip() and len(one.split()) <= 7 and not ends_sentence


def _split_on_line_labels(par: str) -> list[str]:
    """Split a paragraph where a line opens with a label (one turn a line, no blank lines)."""
    lines = par.split("\n")
    if len(lines) == 1:
        return [par]
    out: list[str] = [lines[0]]
    for line in lines[1:]:
        split = split_label(line.strip())
        info = classify_label(split.label, interpreted=split.interpreted) if split else None
        if info is not None and info.strong and (split.body or line.strip().endswith((":", "："))):
            out.append(line)
        else:
            out[-1] += "\n" + line
    return out


def read_text_page(
    text: str,
    *,
    title: str | None = None,
    url: str | None = None,
    publisher: str | None = None,
    lang: str | None = None,
) -> Page:
    """A plain-text page or a table's text cell as a Page (header read, furniture dropped)."""
    names = _tooltip_names(text)
    text = _TOOLTIP_BARE.sub(" ", _TOOLTIP.sub("", text))
    pars = split_paragraphs(text)
    page = Page(blocks=[], title=title, url=url, publisher=publisher, name_lines=names)
    if _LICENSE.search(text):
        page.license = "CC BY 4.0"
    page.versions = _versions(pars)
    if publisher is None and any(_MIDRU_VERSIONS.search(p) for p in pars[:6]):
        page.publisher = "mid.ru"  # mid.ru's language switcher reads "en-GB1 ru-RU1"
    pars = _cut_trailer(pars, page)
    body = _read_header(_split_date_lines(pars), page)
    blocks: list[Block] = []
    for par in body:
        for piece in _split_on_line_labels(par):
            cleaned = _clean_paragraph(piece)
            if (
                cleaned
                and cleaned != "* * *"
                and not _is_furniture(cleaned)
                and not _TIME_STAMP.match(cleaned)  # "(1:50 p.m. EDT)" in the body
            ):
                blocks.append(Block(text=cleaned))
    page.blocks = blocks
    page.lang = lang or guess_lang(" ".join(b.text for b in blocks[:20]) or (title or ""))
    if page.lang and page.lang not in page.versions and page.versions:
        page.versions = sorted({*page.versions, page.lang})
    if page.title and not page.place:
        page.place = place_from_title(page.title)
    return page


def _clean_paragraph(par: str) -> str:
    """Fold hard line breaks, but keep a label alone on its line attached to its text."""
    lines = [ln.strip() for ln in par.split("\n") if ln.strip()]
    return clean_inline(" ".join(lines))


def _versions(pars: list[str]) -> list[str]:
    for par in pars[:8]:
        line = par.strip()
        if _VERSIONS_LINE.match(line) and _VERSION_CODE.search(line):
            return sorted({m.group(1) for m in _VERSION_CODE.finditer(line)})
    return []


def _cut_trailer(pars: list[str], page: Page) -> list[str]:
    """Drop the site's trailer; read the publication date it carries."""
    for i, par in enumerate(pars):
        if i < len(pars) // 2 and len(pars) > 6:
            continue
        low = par.casefold().strip()
        if any(low.startswith(t) for t in _TRAILERS):
            for later in pars[i:]:
                if later.casefold().startswith("дата публикации"):
                    info = find_date(later)
                    if info and info.date and not page.date:
                        page.date, page.time = info.date, info.time
                if later.casefold().startswith("ссылка на материал") and not page.url:
                    m = re.search(r"(kremlin\.ru/\S+)", later)
                    page.url = f"http://{m.group(1)}" if m else None
            return pars[:i]
    return pars


def _read_header(pars: list[str], page: Page) -> list[str]:
    """Consume header paragraphs (date, title, versions, menus, notices); return the body."""
    i = 0
    header_lines: list[str] = []
    while i < len(pars):
        par = pars[i].strip()
        one = clean_inline(par)
        if _is_furniture(one) or (_VERSIONS_LINE.match(par) and _VERSION_CODE.search(par)):
            i += 1
            continue
        if _INTERNAL_ID.match(one):
            info = find_date(one)
            if info and info.date and not page.date:
                page.date = info.date
            i += 1
            continue
        info = find_date(one) if len(one) <= 40 else None
        if info and info.date and _menu_like(par):
            if not page.date:
                page.date, page.time, page.tz = info.date, info.time, info.tz
                page.date_inferred = info.inferred
            i += 1
            nxt = pars[i].strip() if i < len(pars) else ""
            if iso_date_line(one) and "\n" not in nxt and nxt and _place_line(nxt):
                page.place = page.place or clean_inline(nxt)  # the place under a date line
                i += 1
            continue
        if page.title is None and i <= 2 and "\n" not in par and len(one) <= 1000:
            split = split_label(one)
            dated = _date_line_follows(pars, i)  # a title above its date line, colon or not
            if dated or (len(one) <= 400 and not (split and classify_label(split.label))):
                page.title = one
                i += 1
                continue
        if page.title and one.casefold() == page.title.casefold():
            i += 1
            continue
        if _menu_like(par) and not _opens_turn(one) and _more_header_follows(pars, i):
            header_lines.append(one)
            i += 1
            continue
        break
    _place_from_header(header_lines, page)
    return _date_after_lead(pars, i, page)


_HEAD_PARS = 6  # paragraphs at the top of a page where a date line is looked for
_LEAD_PARS = 2  # paragraphs a lead between the title and its date line may have
_PLACE_LINE = re.compile(r"^[A-ZА-ЯЁ][\w.’'\- ]+(?:, [A-ZА-ЯЁ][\w.’'\- ]+){0,3}$")


def _date_line_follows(pars: list[str], i: int) -> bool:
    """True when an ISO date line comes within a lead's length after paragraph ``i``."""
    return any(iso_date_line(p.strip()) for p in pars[i + 1 : i + 2 + _LEAD_PARS])


def _split_date_lines(pars: list[str]) -> list[str]:
    """Top paragraphs holding an ISO date line among other lines (``Title\n2013-02-20 18:30``)
    split around it, so that the title, the date line, a place line after it and the rest are
    read apart."""
    out: list[str] = []
    for k, par in enumerate(pars):
        lines = par.split("\n")
        if k >= _HEAD_PARS or len(lines) < 2 or not any(iso_date_line(ln) for ln in lines):
            out.append(par)
            continue
        chunk: list[str] = []
        after_date = False
        last_date = max(n for n, ln in enumerate(lines) if iso_date_line(ln))
        for n, line in enumerate(lines):
            header = n < last_date and line.strip()  # title and kicker lines above the date
            if header or iso_date_line(line) or (after_date and _place_line(line)):
                if chunk:
                    out.append("\n".join(chunk))
                    chunk = []
                out.append(line.strip())
                after_date = bool(iso_date_line(line))
            else:
                chunk.append(line)
                after_date = False
        if chunk:
            out.append("\n".join(chunk))
    return out


_PLACE_SMALL = frozenset({"of", "on", "am", "de", "la", "le", "del", "upon", "the", "and"})


def _place_line(line: str) -> bool:
    """A place as printed under a date line: ``Gorki, Moscow Region``, ``The Kremlin, Moscow``
    (capitalised words, no sentence punctuation, six words at most)."""
    one = clean_inline(line)
    words = one.replace(",", " ").split()
    capitalised = all(w[:1].isupper() or w in _PLACE_SMALL for w in words)
    return (
        bool(_PLACE_LINE.match(one))
        and 0 < len(words) <= 6
        and capitalised
        and not one.endswith(".")
        and not _opens_turn(one)
    )


def _date_after_lead(pars: list[str], i: int, page: Page) -> list[str]:
    """An ISO date line after a lead (``Title / lead / 2013-02-20 18:30 / body``): the date is
    read, the paragraphs before it become the page's lead (when the page has a title and the
    lead is short), a place line after it the place. A paragraph that is only an ISO date is
    never body text: one further down the top of the page is read and dropped too. Returns
    the body."""
    if page.date:
        return pars[i:]
    for j in range(i, min(i + _HEAD_PARS, len(pars))):
        info = iso_date_line(pars[j].strip())
        if info is not None:
            break
        if _opens_turn(clean_inline(pars[j])):
            return pars[i:]
    else:
        return pars[i:]
    page.date, page.time, page.tz = info.date, info.time, info.tz
    if page.title and 0 < j - i <= _LEAD_PARS and page.lead is None:
        page.lead = " ".join(clean_inline(p) for p in pars[i:j])
        kept: list[str] = []
    else:
        kept = pars[i:j]  # body paragraphs above the date line stay body
    j += 1
    if j < len(pars) and "\n" not in pars[j].strip() and _place_line(pars[j]):
        page.place = page.place or clean_inline(pars[j])
        j += 1
    return kept + pars[j:]


def _opens_turn(one: str) -> bool:
    split = split_label(one)
    return bool(split and classify_label(split.label, interpreted=split.interpreted))


def _more_header_follows(pars: list[str], i: int) -> bool:
    """Header lines stand in a run of short lines ended by a date line or a notice."""
    for par in pars[i + 1 : i + 30]:
        one = clean_inline(par)
        if _is_furniture(one):
            return True
        info = find_date(one) if len(one) <= 40 else None
        if info and info.date:
            return True
        if not _menu_like(par):
            return False
    return False


def _place_from_header(lines: list[str], page: Page) -> None:
    """The line before the header's date, when it reads like a place ("Brussels, Belgium")."""
    if page.place or not lines:
        return
    last = lines[-1]
    shaped = re.match(r"^[A-ZА-ЯЁ][\w.\- ]+(?:, [A-ZА-ЯЁ][\w.\- ]+){0,2}$", last)
    if shaped and "," in last and not any(is_office_word(w) for w in last.split()):
        page.place = last


_PLACE_BEFORE_DATE = re.compile(
    r",\s*(?P<place>[A-ZА-ЯЁ][\w’'\-]+(?:\s[A-ZА-ЯЁ][\w’'\-]+){0,2})\s*,\s*"
    r"(?:on\s+)?(?:\d{1,2}\s+\w+|\w+\s+\d{1,2})(?:,?\s*\d{4})?(?:\s*года)?\.?\s*$"
)


def place_from_title(title: str) -> str | None:
    """``..., Moscow, December 9, 2018`` -> ``Moscow``: the comma-separated part before the date."""
    m = _PLACE_BEFORE_DATE.search(title)
    if not m:
        return None
    info = find_date(title[m.end("place") :])
    return m.group("place") if info and info.date else None
