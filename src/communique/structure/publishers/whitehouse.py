"""Reader for White House press briefings (whitehouse.gov "briefing-room", 2009-2016).

The corpus stores each page as ``<h1>TITLE</h1>`` and then the body field's HTML written as
``str(bytes)``: a Python bytes literal ``b'<div class="field ...'`` whose newlines, tabs and
non-ASCII are escapes (``\\n``, ``\\xc2\\xa0``). The literal is unwrapped with
:func:`ast.literal_eval` and decoded as UTF-8; titles and bodies may carry cp1252 or
UTF-8-as-cp1252 mojibake, repaired with :func:`repair_text`.

Three body templates occur: ``<p>`` paragraphs (centered ``p.rtecenter`` header lines), 2009's
``div.legacy-para`` blocks (``div.legacy-center`` header, with "THE WHITE HOUSE / Office of the
Press Secretary / For Immediate Release <date>"), and a few bare-text or ``<div>`` bodies.
Within any of them, paragraphs are also separated by ``<br/>`` + an NBSP-only line + ``<br/>``.

The header (place lines, the caps title repeated, the start time ``12:28 P.M. EST``) and the
closing ``END 1:33 P.M. EST`` line are read into the Page's fields and left out of the blocks;
every other paragraph becomes one Block with its label left in the text (``MR. CARNEY:  Good
afternoon``, ``Q    Thank you``): the turn maker reads labels by their shape.
"""

from __future__ import annotations

import ast
import html as htmllib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from selectolax.lexbor import LexborNode

from communique.sources.decode import UnreadableInput, bytes_to_text, repair_text
from communique.structure.dates import find_date, find_time
from communique.structure.html import parse_html
from communique.structure.page import Block, Page, Unparseable
from communique.structure.text import clean_inline

__all__ = ["PUBLISHER", "looks_like_whitehouse", "read_whitehouse"]

PUBLISHER = "whitehouse.gov"

_LOOKS = re.compile(r"\s*<h1>.{0,2000}?</h1>\s*b(['\"])<div class=\\?[\"']field\b", re.S)
_HEAD = re.compile(r"\s*<h1>(?P<title>.*?)</h1>\s*", re.S)

_BLOCK_TAGS = {
    "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table",
    "tr", "td", "th", "hr", "center", "pre", "section", "article",
}  # fmt: skip
_DROP_TAGS = {
    "script", "style", "noscript", "template", "iframe", "video", "audio", "nav", "footer",
    "header", "form", "button", "-comment",
}  # fmt: skip
_CENTER_CLASSES = ("rtecenter", "legacy-center")
_CENTER_STYLE = re.compile(r"text-align\s*:\s*center", re.I)
_BLANK_LINES = re.compile(r"\n[ \t\r\u00a0\u3000]*\n")
_BLANK = re.compile(r"^[\s\u00a0\u200b\ufeff]*$")


@dataclass
class _Para:
    """One paragraph as laid out in the page: its lines (split at single ``<br>``)."""

    lines: list[str] = field(default_factory=list)
    center: bool = False


class _Collector:
    """Paragraphs of a body: block elements, ``<br>`` + blank line, blank lines in text."""

    def __init__(self) -> None:
        self.paras: list[_Para] = []
        self._lines: list[str] = []
        self._line: list[str] = []
        self._center = False

    def text(self, s: str, center: bool) -> None:
        for i, part in enumerate(_BLANK_LINES.split(s)):
            if i:
                self.para_break()
            if part:
                self._line.append(part)
                if not _BLANK.match(part):
                    self._center = self._center or center

    def br(self) -> None:
        line = "".join(self._line)
        self._line = []
        if _BLANK.match(line):
            self.para_break()
        else:
            self._lines.append(line)

    def para_break(self) -> None:
        line = "".join(self._line)
        self._line = []
        if not _BLANK.match(line):
            self._lines.append(line)
        if self._lines:
            self.paras.append(_Para(self._lines, self._center))
        self._lines = []
        self._center = False

    def walk(self, node: LexborNode, center: bool = False) -> None:
        for child in node.iter(include_text=True):
            tag = child.tag
            if tag == "-text":
                self.text(child.text_content or "", center)
            elif tag in _DROP_TAGS:
                continue
            elif tag == "br":
                self.br()
            elif tag in _BLOCK_TAGS:
                self.para_break()
                self.walk(child, center or _is_centered(child))
                self.para_break()
            else:
                self.walk(child, center)


def _is_centered(node: LexborNode) -> bool:
    if node.tag == "center":
        return True
    attrs = node.attributes
    classes = attrs.get("class") or ""
    if any(c in classes for c in _CENTER_CLASSES):
        return True
    if (attrs.get("align") or "").lower() == "center":
        return True
    return bool(_CENTER_STYLE.search(attrs.get("style") or ""))


def looks_like_whitehouse(text: str) -> bool:
    """``<h1>TITLE</h1>`` followed by a Python bytes literal of the body field's HTML."""
    return bool(_LOOKS.match(text[:4000]))


def _unwrap(text: str) -> tuple[str, str]:
    """(title HTML, body HTML) of a stored page; the bytes literal decoded."""
    m = _HEAD.match(text)
    if m is None:
        raise Unparseable("not a White House page: no <h1> title line")
    literal = text[m.end() :].strip()
    if not literal.startswith(("b'", 'b"')):
        raise Unparseable("White House page without the body's bytes literal after the <h1>")
    try:
        data = ast.literal_eval(literal)
    except (SyntaxError, ValueError) as e:
        raise Unparseable(
            f"the body is not a complete Python bytes literal ({type(e).__name__}): "
            "the file is probably truncated"
        ) from e
    if not isinstance(data, bytes):
        raise Unparseable("the body literal is not a bytes literal")
    try:
        body = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            body = bytes_to_text(data)
        except UnreadableInput as e:
            raise Unparseable(f"the body's bytes are not text: {e}") from e
    return m.group("title"), body


def _paragraphs(body_html: str) -> list[_Para]:
    """The body's paragraphs, lines kept apart."""
    tree = parse_html(body_html)
    root = tree.css_first("div.field-item") or tree.body
    if root is None:
        return []
    c = _Collector()
    c.walk(root)
    c.para_break()
    return c.paras


# --- line classification ------------------------------------------------------------------

_AMPM = r"[AaPp]\.?\s?[Mm]\b\.?"
_TIME = rf"\d{{1,2}}[:.]?\d{{2}}\s*{_AMPM}(?:\s*\(?[A-Za-z][A-Za-z ]{{0,24}}\)?)?\.?"
_TIME_LINE = re.compile(rf"^\(?{_TIME}\)?$")
_END_LINE = re.compile(rf"^(?:END|FIN)(?![A-Za-z])[\s.:]*(?:{_TIME})?$")
_TRAILING_TIME = re.compile(rf"(?<=[.?!)])\s+{_TIME}$")
_BARE_TIME = re.compile(r"^\d{1,2}:\d{2}$")
_DATE_LINE = re.compile(
    r"^\(?(?:[A-Z][a-z]+day,?\s+)?[A-Z][a-z]+\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}\)?$"
)
_FURNITURE = re.compile(
    r"^(?:THE WHITE HOUSE"
    r"|Office of the\b.{0,40}"
    r"|For Immediate Release\b.*"
    r"|Embargoed\b.*"
    r"|[\s_\-=*#~.·•]{2,}"
    r"|#\s?\d+[-–]\d{1,2}/\d{1,2}(?:/\d{2,4})?"
    r"|Unsubscribe"
    r"|The White House\s*·.*)$",
    re.I,
)
_RELEASE_DATE = re.compile(r"^(?:For Immediate Release|Embargoed\b)", re.I)
_POINTER = re.compile(
    r"^\W*(?:correction:\s*)?(?:please\s+)?(?:see|note(?!:))\b[^.:]{0,60}?"
    r"\b(?:below|correction|corrected|addendum|addition|transcript)\b"
    r"|click here|^\W*this transcript has been corrected",
    re.I,
)
_TITLE_START = re.compile(
    r"^(?:by|and|press\s+(?:briefing|gaggle|conference|call)|briefing|gaggle|remarks"
    r"|statement|readout|background\s+briefing|on\s+the|to\s+preview)\b",
    re.I,
)
_PLACE_START = re.compile(
    r"^(?:aboard|en\s+route|en\s+\w+,|via|returning|through|bus\s+tour|james\s+s\.\s+brady)\b",
    re.I,
)
_VENUE = re.compile(
    r"\b(?:room|center|centre|hotel|palace|building|auditorium|residence|airfield|pentagon)\b",
    re.I,
)
_NOTE = re.compile(
    r"^\W*(?:NOTE|EDITOR'?S NOTE|CORRECTION|CORRECTED|CLARIFICATION|UPDATE|ADDENDUM)\b", re.I
)
_SENTENCE_END = re.compile(r"[a-z]{2}[.?!;]$|[?!]$")

# Speaker labels as the White House prints them: "MR. CARNEY:", "THE PRESIDENT:", "MR. McDONOUGH:",
# "SECRETARY LaHOOD:", "Mr. EARNEST:", "SENIOR ADMINISTRATION OFFICIAL:", and "Q" + spaces.
_UP = "A-Z\u00c0-\u00de"
_NAME = rf"(?:Mc|Mac|La|Le|De|Di|Da|Van|O['’])?[{_UP}][{_UP}0-9.'’#\-]*"
_HONORIFIC = r"(?:M[RSrs]|MRS|Mrs|D[Rr])\.\s?"
_CAPS_LABEL = rf"(?:{_HONORIFIC})?{_NAME}(?: {_NAME}){{0,7}}(?:\s?\([^()\n]{{1,40}}\))?\s?:"
_Q_LABEL = r"Q(?=[\s:.*\-]|$)"
_LABEL_LINE = re.compile(rf"^(?:\*+\s?)?(?:{_Q_LABEL}|{_CAPS_LABEL})")
# A label inside a paragraph whose breaks were lost: after a sentence end, an honorific or
# two caps words (or Q and a capital), then the colon and a space.
_INLINE_LABEL = (
    rf"(?:{_HONORIFIC}{_NAME}|(?:THE )?{_NAME} {_NAME}(?: {_NAME}){{0,5}})"
    rf"(?:\s?\([^()\n]{{1,40}}\))?:\s|Q\s{{2,}}|Q\s(?=[A-Z])"
)
_INLINE_SPLIT = re.compile(
    r"(?:(?<=[a-z0-9)”\"’][.?!])|(?<=[.?!][”\"’)])|(?<=--))"
    r"(?<!\bMr\.)(?<!\bMs\.)(?<!\bMrs\.)(?<!\bDr\.)(?<!\bSt\.)"
    rf"\s+(?={_INLINE_LABEL})"
)
# cheap tests that let most lines skip the two regexes above
_INLINE_HINT = re.compile(rf"[.?!)”\"’-]\s+(?:[{_UP}][{_UP}.]|Mc|Mr|Ms|Dr|Q\s)")
_TIME_HINT = re.compile(r"\d\s*[AaPp]\.?\s?[Mm]\b")
_INLINE_TIME = re.compile(rf"(?:^|(?<=[.?!]))\s*({_TIME})\s+(?={_INLINE_LABEL})")
_WORD = re.compile(r"[^\W\d_]+")
_LITERAL_BR = re.compile(r"<\s*br\s*/?\s*>", re.I)
_MAX_HEADER = 40

_ES_WORDS = {"el", "la", "los", "las", "del", "que", "y", "por", "para", "con", "una", "es", "se"}
_EN_WORDS = {"the", "and", "of", "to", "that", "is", "for", "we", "it", "you", "this", "with"}


@dataclass
class _Line:
    text: str  # on one line, spaces folded
    raw: str  # as laid out (spaces kept), for the block text
    para: int
    center: bool


def _split_inline(raw: str) -> list[str]:
    """A line cut where a label (or a time then a label) runs on inside it."""
    s = raw
    if _TIME_HINT.search(s):
        s = _INLINE_TIME.sub(lambda m: f"\x00{m.group(1)}\x00", s)
    if _INLINE_HINT.search(s):
        s = _INLINE_SPLIT.sub("\x00", s)
    return s.split("\x00")


def _lines(paras: list[_Para]) -> list[_Line]:
    out = []
    for n, p in enumerate(paras):
        for line in p.lines:
            for raw in _split_inline(_LITERAL_BR.sub(" ", line)):
                text = clean_inline(raw)
                if text:
                    out.append(_Line(text, raw, n, p.center))
    return out


def _is_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def _in_title(text: str, title_words: set[str], *, strict: bool) -> bool:
    """The line repeats words of the title (a broken-up caption, not a place).

    ``strict`` (centered lines, usually places): three words or more, all in the title.
    """
    words = [w.lower() for w in _WORD.findall(text) if len(w) > 1]
    if strict:
        return len(words) >= 3 and all(w in title_words for w in words)
    if len(words) < 2:
        return bool(words) and words[0] in title_words and len(words[0]) > 3
    return sum(w in title_words for w in words) >= 0.8 * len(words)


def _header_kind(
    line: _Line, title_words: set[str], *, loose: bool, in_caption: bool = False
) -> str | None:
    """furniture | date | pointer | title | place, or None for a line of text.

    ``in_caption``: the line before, in the same paragraph, repeated the title (a caption
    broken over lines: "Press Briefing / By / Denis McDonough, Deputy National / ...").
    """
    t = line.text
    if _FURNITURE.match(t) or _TIME_LINE.match(t):
        return "date" if _RELEASE_DATE.match(t) else "furniture"
    if _DATE_LINE.match(t):
        return "date"
    if _POINTER.search(t):
        return "pointer"
    if len(t) > 400 or t.endswith(":") or t.startswith("*") or _LABEL_LINE.match(t):
        return None
    if _is_caps(t) or (_TITLE_START.match(t) and not _SENTENCE_END.search(t)):
        return "title"
    if len(t) > 150 or _SENTENCE_END.search(t):
        return None
    if _PLACE_START.match(t) and len(t) < 90:
        return "place"
    if in_caption and not _VENUE.search(t):
        return "title"
    if _VENUE.search(t) and len(t) < 90:
        return "place"
    if _in_title(t, title_words, strict=line.center):
        return "title"
    if line.center:
        return "place"
    if loose and len(t) <= 60:
        return "place"
    return None


def _drop_end_times(lines: list[_Line]) -> list[_Line]:
    """Without the closing time that follows an END line ("END" / "11:29")."""
    out: list[_Line] = []
    for line in lines:
        if out and _END_LINE.match(out[-1].text) and _BARE_TIME.match(line.text):
            continue
        out.append(line)
    return out


def _is_body_furniture(text: str) -> bool:
    """END and time lines, rules, release furniture and notes about corrections."""
    return bool(
        _END_LINE.match(text)
        or _TIME_LINE.match(text)
        or _FURNITURE.match(text)
        or (text.startswith("*") and len(text) < 200 and bool(_POINTER.search(text)))
    )


@dataclass
class _Header:
    places: list[str] = field(default_factory=list)
    time_line: str | None = None
    dates: list[str] = field(default_factory=list)
    end: int = 0  # index of the first line after the header


def _read_header(lines: list[_Line], title: str) -> tuple[_Header, list[_Line]]:
    """The header's fields, and the lines before the body's start that are text (notes)."""
    title_words = {w.lower() for w in _WORD.findall(title)}
    head = _Header()
    time_at = None
    for i, line in enumerate(lines[:_MAX_HEADER]):
        if _TIME_LINE.match(line.text):
            time_at = i
            break
        if _LABEL_LINE.match(line.text) and not _NOTE.match(line.text):
            break  # the transcript started without a time line
    notes: list[_Line] = []
    stop = time_at + 1 if time_at is not None else len(lines)
    caption_para = None
    for i, line in enumerate(lines[:stop]):
        kind = _header_kind(
            line, title_words, loose=time_at is not None, in_caption=line.para == caption_para
        )
        caption_para = line.para if kind == "title" else None
        if kind is None:
            if time_at is None:
                head.end = i
                return head, notes
            notes.append(line)
        elif kind == "place":
            place = line.text.strip(" ,;").removeprefix("(").removesuffix(")").strip()
            if place and place not in head.places:
                head.places.append(place)
        elif kind == "date":
            head.dates.append(line.text)
        elif _TIME_LINE.match(line.text) and head.time_line is None:
            head.time_line = line.text
    head.end = stop
    return head, notes


def _block_text(raw: str) -> str:
    """A paragraph on one line; the gap after a leading label kept as published."""
    text = raw.replace("\u00a0", " ").replace("\t", " ").strip()
    flat = clean_inline(text)
    m = _LABEL_LINE.match(flat)
    if m:
        label = m.group(0)
        head = re.match(r"\s+".join(map(re.escape, label.split())) + r"([ \r\n]*)", text)
        if head:
            gap = re.sub(r"[\r\n]+", " ", head.group(1))
            rest = clean_inline(text[head.end() :])
            return f"{label}{gap}{rest}" if rest else label
    return flat


def _group(lines: list[_Line]) -> Iterator[str]:
    """Paragraph texts: lines of one paragraph joined, split again where a label starts."""
    cur: list[str] = []
    para = None
    for line in lines:
        if cur and (line.para != para or _LABEL_LINE.match(line.text)):
            yield " ".join(cur)
            cur = []
        cur.append(line.raw)
        para = line.para
    if cur:
        yield " ".join(cur)


def _lang(blocks: list[Block]) -> str:
    words = [w.lower() for b in blocks[:60] for w in _WORD.findall(b.text)][:3000]
    es = sum(w in _ES_WORDS for w in words)
    en = sum(w in _EN_WORDS for w in words)
    return "es" if es > en else "en"


def read_whitehouse(text: str, *, url: str | None = None) -> Page:
    """Read one stored White House briefing page into a :class:`Page`."""
    title_html, body_html = _unwrap(text)
    title = clean_inline(repair_text(htmllib.unescape(re.sub(r"<[^>]+>", "", title_html))))
    lines = _lines(_paragraphs(repair_text(body_html)))
    head, notes = _read_header(lines, title)
    body = [ln for ln in _drop_end_times(lines[head.end :]) if not _is_body_furniture(ln.text)]
    if body:  # a closing time glued to the last paragraph: "Thank you. 3:21 P.M. PDT"
        last = body[-1]
        body[-1] = _Line(last.text, _TRAILING_TIME.sub("", last.raw.rstrip()), last.para, False)
    blocks = [Block(text=t) for t in map(_block_text, _group(notes + body)) if t]
    noted = {id(n) for n in notes}
    page = Page(
        blocks=blocks,
        publisher=PUBLISHER,
        url=url,
        lang=_lang(blocks),
        title=title or None,
        place=", ".join(head.places) or None,
        # "BY BRIAN DEESE, ..., AND JARED BERNSTEIN, CHIEF ECONOMIST": who "DR. BERNSTEIN" is
        name_lines=[ln.text for ln in lines[: head.end] if id(ln) not in noted],
    )
    for source in (title, *head.dates):
        found = find_date(source) if source else None
        if found and found.date:
            page.date, page.date_inferred = found.date, found.inferred
            break
    if head.time_line:
        found_time = find_time(head.time_line)
        if found_time:
            page.time, page.tz = found_time
    return page
