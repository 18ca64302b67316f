"""Reader for kremlin.ru news pages (``en.kremlin.ru`` and the Russian twin, same layout).

A news page is ``article#event-NNNN``: title ``h1.entry-title``, lead ``div.read__lead``, date
``time.read__published[datetime]`` + ``div.read__time`` (announcements have neither: their
publication date is in ``div.read__status time``), place ``div.read__place``, body
``div[itemprop=articleBody]`` of ``<p>``. The body also holds furniture (video, photo galleries,
"see also" cuts, tags and publication status) and pull quotes (``<blockquote>`` repeating a
sentence of the text); person and glossary tooltips are embedded inside names, labels included.

Labels are read by :func:`communique.structure.html.paragraph_block`, with private helpers here
for what it misses or misreads on these pages:

* a note between the bold name and the colon: ``<b>Name</b> (<i>retranslated</i>):`` (label kept
  verbatim with its note: ``Name (retranslated)``);
* names with titles longer than html.py's 120-character limit (up to ~200 here);
* a wholly bold paragraph with a colon inside (``<b>Contact telephone numbers: +7...</b>``) is a
  bold note here, not a label (html.py reads it as fmprc's bold "Outlet: question");
* a name split over adjacent ``<b>`` (or ``<i>``) elements with the space lost
  (``<b>Vladimir</b><b>Putin</b>``): a space is put back where a lowercase letter meets a
  capitalised word or ``of``/``the``/``and``.
"""

from __future__ import annotations

import html as htmllib
import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from communique.structure.html import (
    SKIP_TAGS,
    bold_runs,
    meta_content,
    node_text,
    paragraph_block,
    parse_html,
)
from communique.structure.page import Block, NotADocument, Page, Unparseable
from communique.structure.text import clean_inline

PUBLISHER = "kremlin.ru"
LICENSE = "CC BY 4.0"

_HOST = r"(?:[\w-]+\.)?kremlin\.ru"
_LOOKS = re.compile(
    r"""(?:og:url|rel=["']?canonical|hreflang)[^>]{0,200}?https?://""" + _HOST + "/"
    r"""|https?://""" + _HOST + r"""/[^"'>]{0,200}["'][^>]{0,100}?(?:hreflang|og:url)"""
    r"""|class=["'][^"']*\bread__(?:published|lead|place)\b""",
    re.I,
)
_DOC_ID = re.compile(r"/(\d+)(?:\.html?)?/?(?:[?#].*)?$")  # .../news/52830, /d/52830
_EVENT_LINK = re.compile(r"/events/[\w/-]*?/(\d+)(?:\.html?)?/?$")
_EVENT_ID = re.compile(r"^event-(\d+)$")
_TIME = re.compile(r"\b([01]?\d|2[0-3])[:.]([0-5]\d)\b")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_BREAK = re.compile(r"^(?:[*\u2217\u204e\u2042]\s*)+$")  # "* * *", "***", "⁂"
_COLON = re.compile(r"[:：]")
_NOTE_END = re.compile(r"\(\s*[^()]*\)?\s*$")  # a trailing "(note)" (closing paren may be lost)
_PARTICLE = re.compile(r"^(?:of|the|and)\b")
_MAX_LABEL = 250  # longest name-and-title label seen: 201 characters
_MAX_NOTE = 200

# Classes of body elements that are page furniture, never text.
_FURNITURE = {
    "read__bottommeta",  # tags, publication status, "Text version" link
    "read__status",
    "read__tags",
    "hidden-copy",
    "masha-ignore",  # site's own marker for "not text" (selection sharing ignores it)
    "slider",  # photo gallery
    "media",  # photo
    "media__container",  # video
    "video__description",
    "read__cut",  # "see also" links to other pages
    "gallery",
}
# Embedded tooltips (person cards, glossary terms) to cut out before reading text.
_TOOLTIPS = ", ".join(
    [
        "span.read__tooltip",
        ".tooltip",
        ".tooltip_person",
        ".tooltip_term",
        "[role=tooltip]",
        ".hidden",
        "[hidden]",
    ]
)
_EMPHASIS = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic"}
_HEADINGS = {"h2", "h3", "h4", "h5", "h6"}
_CONTAINERS = {"div", "section", "article", "main", "center", "table", "tbody", "thead", "tr", "td"}


def looks_like_kremlin(text: str) -> bool:
    """Cheap check on decoded HTML: kremlin.ru in og:url/canonical/hreflang, or Kremlin classes."""
    return bool(_LOOKS.search(text))


def read_kremlin(html: str, *, url: str | None = None) -> Page:
    """Read one kremlin.ru news page into a :class:`Page` (blocks from the article body)."""
    if not html or not html.strip():
        raise Unparseable("empty input")
    tree = parse_html(html)
    if tree.body is None:
        raise Unparseable("no HTML body")
    body = tree.css_first("[itemprop=articleBody]") or tree.css_first("div.entry-content")
    if body is None:
        raise NotADocument(_skip_reason(tree))

    own_url = meta_content(tree, 'meta[property="og:url"]') or url
    news_id = _news_id(tree, own_url, url)
    if not own_url or _DOC_ID.search(own_url) is None:
        own_url = url or own_url
    lang = _lang(tree)
    date, time = _date_time(tree)
    cc_by = _cc_by_4(tree)
    return Page(
        blocks=_body_blocks(body),
        publisher=PUBLISHER,
        publisher_id=news_id,
        url=own_url,
        lang=lang,
        title=node_text(tree.css_first("h1.entry-title") or tree.css_first("h1")),
        date=date,
        time=time,
        place=node_text(tree.css_first(".read__place")),
        lead=_lead(tree),
        versions=_versions(tree, lang, news_id),
        license=LICENSE if cc_by else None,
        attribution=PUBLISHER if cc_by else None,
        kind_hint=_kind_hint(tree),
    )


# -- header ---------------------------------------------------------------------------------


def _skip_reason(tree: LexborHTMLParser) -> str:
    links = {
        m.group(1)
        for a in tree.css("a[href]")
        if (m := _EVENT_LINK.search((a.attributes.get("href") or "").split("?")[0]))
    }
    if len(links) >= 3:
        return "index page"
    return "no article body"


def _news_id(tree: LexborHTMLParser, *urls: str | None) -> str | None:
    for u in urls:
        if u and (m := _DOC_ID.search(u)):
            return m.group(1)
    for node in tree.css("article[id]"):
        if m := _EVENT_ID.match(node.attributes.get("id") or ""):
            return m.group(1)
    for node in tree.css("[data-href]"):
        href = node.attributes.get("data-href") or ""
        if "/news/" in href and (m := _DOC_ID.search(href)):
            return m.group(1)
    return None


def _lang(tree: LexborHTMLParser) -> str | None:
    for selector in (
        "head meta[itemprop=inLanguage]",
        ".read__meta meta[itemprop=inLanguage]",
    ):
        value = meta_content(tree, selector)
        if value:
            return value.lower()[:2]
    root = tree.css_first("html")
    value = root.attributes.get("lang") if root is not None else None
    return value.strip().lower()[:2] if value else None


def _date_time(tree: LexborHTMLParser) -> tuple[str | None, str | None]:
    """Publication date and time: ``read__published``/``read__time``, else the status block."""
    node = tree.css_first("time.read__published[datetime]")
    date = _iso_date(node.attributes.get("datetime") if node is not None else None)
    time = _hhmm(node_text(tree.css_first(".read__time")))
    if date is None:  # announcements: "Publication date: <time datetime=...>Dec 10, 2012, 16:00"
        for status in tree.css(".read__status time[datetime]"):
            date = _iso_date(status.attributes.get("datetime"))
            if date is not None:
                time = time or _hhmm(node_text(status))
                break
    return date, time


def _iso_date(value: str | None) -> str | None:
    m = _DATE.match(value.strip()) if value else None
    return "-".join(m.groups()) if m else None


def _hhmm(text: str | None) -> str | None:
    if not text:
        return None
    found = _TIME.findall(text)
    if not found:
        return None
    hh, mm = found[-1]
    return f"{int(hh):02d}:{mm}"


def _lead(tree: LexborHTMLParser) -> str | None:
    node = tree.css_first(".read__lead")
    if node is None:
        return None
    _respace_split_runs(node)
    paras = [t for p in node.css("p") if (t := node_text(p))]
    return " ".join(paras) if paras else node_text(node)


def _versions(tree: LexborHTMLParser, lang: str | None, news_id: str | None) -> list[str]:
    """Own language plus every alternate that names this document (not the site's home page)."""
    langs = {lang} if lang else set()
    for node in tree.css("[rel~=alternate][hreflang]"):
        code = (node.attributes.get("hreflang") or "").strip().lower()
        href = (node.attributes.get("href") or "").strip()
        if not code or code == "x-default" or not href:
            continue
        m = _DOC_ID.search(href.split("?")[0])
        if node.tag == "link" or (m and news_id and m.group(1) == news_id):
            langs.add(code[:2])
    return sorted(langs)


def _cc_by_4(tree: LexborHTMLParser) -> bool:
    for a in tree.css("a[rel~=license]"):
        if "creativecommons.org/licenses/by/4.0" in (a.attributes.get("href") or ""):
            return True
    footer = tree.css_first(".footer__license") or tree.css_first("#footer")
    return footer is not None and "Creative Commons Attribution 4.0" in (node_text(footer) or "")


def _kind_hint(tree: LexborHTMLParser) -> str | None:
    """The site's sections, raw: ``meta name=keywords`` ('News ,Transcripts ,President')."""
    keywords = meta_content(tree, "meta[name=keywords]")
    if keywords:
        return keywords
    sections = [t for a in tree.css(".read__status a[href*='/events/']") if (t := node_text(a))]
    return " ,".join(sections) or None


# -- body -----------------------------------------------------------------------------------


def _body_blocks(body: LexborNode) -> list[Block]:
    for node in body.css(_TOOLTIPS):
        node.decompose()
    _respace_split_runs(body)
    items: list[tuple[Block, bool]] = []  # (block, from a blockquote)
    _walk(body, items, quoted=False)
    main_words = _words(" ".join(b.text for b, quoted in items if not quoted))
    return [b for b, quoted in items if not quoted or not _is_pull_quote(b.text, main_words)]


def _classes(node: LexborNode) -> set[str]:
    return set((node.attributes.get("class") or "").split())


def _walk(node: LexborNode, out: list[tuple[Block, bool]], *, quoted: bool) -> None:
    """Blocks of a container's children in order; loose inline runs become one paragraph."""
    inline: list[LexborNode] = []

    def flush() -> None:
        if inline:
            _add(_loose_paragraph(inline), out, quoted)
            inline.clear()

    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            if (child.text_content or "").strip():
                inline.append(child)
            continue
        if tag in SKIP_TAGS or _classes(child) & _FURNITURE or tag in {"figure", "hr", "img"}:
            flush()
            continue
        if tag in {"p", "li", "dd", "dt"} | _HEADINGS:
            flush()
            _add(_paragraph(child), out, quoted)
        elif tag in {"ul", "ol", "dl"} | _CONTAINERS:
            flush()
            _walk(child, out, quoted=quoted)
        elif tag == "blockquote":
            flush()
            _walk(child, out, quoted=True)
        else:  # inline markup (b, i, a, span, sup, br...) outside any paragraph
            inline.append(child)
    flush()


def _add(block: Block | None, out: list[tuple[Block, bool]], quoted: bool) -> None:
    if block is None or (block.label is None and _BREAK.match(block.text)):
        return
    out.append((block, quoted))


def _loose_paragraph(nodes: list[LexborNode]) -> Block | None:
    parts = [
        htmllib.escape(n.text_content or "", quote=False) if n.tag == "-text" else (n.html or "")
        for n in nodes
    ]
    p = parse_html("<p>" + "".join(parts) + "</p>").css_first("p")
    return _paragraph(p) if p is not None else None


def _paragraph(node: LexborNode) -> Block | None:
    block = paragraph_block(node)
    if block is None:
        return None
    if block.label is not None and block.bold and block.text:
        # html.py reads "Label: text" inside a wholly bold paragraph (fmprc's bold questions);
        # here those are bold notes and headings ("Contact telephone numbers: +7...").
        return Block(text=clean_inline(f"{block.label}: {block.text}"), bold=True)
    if block.label is None:
        return _fallback_label(node) or block
    return block


# -- labels html.py does not read ----------------------------------------------------------


def _fallback_label(node: LexborNode) -> Block | None:
    """Labels html.py misses: longer than its limit, or with a note before the colon.

    ``<b>Name:</b>``, ``<b>Name: Fi</b>rst...``, ``<b>Name</b>:`` with a name up to
    ``_MAX_LABEL`` characters, and ``<b>Name</b> (<i>retranslated</i>):`` -> ``Name
    (retranslated)``. A wholly bold paragraph with a colon inside is not a label.
    """
    runs: list[tuple[str, bool]] = []
    bold_runs(node, False, runs)
    full = "".join(t for t, _ in runs)
    bold_end = 0
    for t, is_bold in runs:
        if not (is_bold or not t.strip()):
            break
        bold_end += len(t)
    prefix, rest = full[:bold_end], full[bold_end:]
    colon = _COLON.search(full)
    if not clean_inline(prefix) or colon is None:
        return None
    head = name = full[: colon.start()]
    if colon.start() < bold_end:  # colon inside the bold run
        if prefix[colon.end() :].strip() and not rest.strip():
            return None
    elif full[bold_end : colon.start()].strip():  # something between bold run and colon
        note = _NOTE_END.search(head)
        if note is None or full[bold_end : note.start()].strip() or len(note[0]) > _MAX_NOTE:
            return None
        name = head[: note.start()]
    if not clean_inline(name) or len(clean_inline(name)) > _MAX_LABEL:
        return None
    return Block(text=clean_inline(full[colon.end() :]), label=clean_inline(head))


def _respace_split_runs(node: LexborNode) -> None:
    """Put back the space lost between adjacent ``<b>`` (or ``<i>``) runs: ``VladimirPutin``."""
    for first in node.css("b, strong, i, em"):
        nxt = first.next
        if nxt is None or _EMPHASIS.get(nxt.tag or "") != _EMPHASIS[first.tag or ""]:
            continue
        left, right = first.text() or "", nxt.text() or ""
        if left[-1:].islower() and (
            (right[:1].isupper() and right[1:2].islower()) or _PARTICLE.match(right)
        ):
            first.insert_after(" ")


# -- pull quotes ----------------------------------------------------------------------------


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"\w+", text.lower())) + " "


def _is_pull_quote(text: str, main_words: str) -> bool:
    """A blockquote repeating the body's own words (most of its 5-word runs occur in the body)."""
    words = _words(text).split()
    if not words:
        return True
    grams = [" ".join(words[i : i + 5]) for i in range(max(1, len(words) - 4))]
    found = sum(1 for g in grams if f" {g} " in main_words)
    return found >= 0.5 * len(grams)
