"""Reader for the Chinese Ministry of Foreign Affairs site (fmprc.gov.cn), English and Chinese.

Two templates, one per language:

- English (``mfa_eng``): title in ``h2.title``, an empty ``#News_Body_Time``, body in
  ``div.content``; the date is only in the title (``on July 3, 2020``, sometimes ``on June11, 2018``
  or ``on September 10`` with no year), breadcrumb in ``div.urhere``.
- Chinese (``web``): title in ``#News_Body_Title``, date in ``#News_Body_Time`` (``2020-07-03``),
  body in ``#News_Body_Txt_A`` with paragraphs indented by ``\\u3000\\u3000``, breadcrumb in
  ``div.nav``.

Around the body: menus, ``[字体：大 中 小]``, print and e-mail widgets, "Related News" / 相关新闻,
share buttons; none of it is inside the body region, and :func:`_is_furniture` drops it if a page
ever puts it there. List pages (``default_N.shtml``) and error pages raise :class:`NotADocument`.
"""

from __future__ import annotations

import html as html_lib
import re
from datetime import date as Date
from pathlib import PurePath

from selectolax.lexbor import LexborHTMLParser, LexborNode

from communique.structure.dates import DateInfo, find_date
from communique.structure.html import (
    SKIP_TAGS,
    bold_runs,
    node_text,
    paragraph_block,
    parse_html,
)
from communique.structure.ids import publisher_doc_id
from communique.structure.page import Block, NotADocument, Page, Unparseable
from communique.structure.publishers.fmprc_roles import mark_roles
from communique.structure.text import clean_inline, guess_lang

PUBLISHER = "fmprc.gov.cn"

_SITE = re.compile(r"fmprc\.gov\.cn|mfa\.gov\.cn", re.I)
# The site's own template (ids, image folders, copyright line, title suffix), not a mere link.
_MARKERS = (
    "news_body_txt_a",
    "news_body_title",
    "fmprc.gov.cn/mfa_eng/images/",
    "fmprc.gov.cn/web/images/",
    "fmprc.gov.cn/chn/images/",
)
_TEMPLATE = re.compile(
    r"Copyright\W{0,3}\d{4}-\d{4}, Ministry of Foreign Affairs, the People's Republic of China"
    r"|中华人民共和国外交部(?:&#12288;|\s)*版权所有"
    r"|<title>[^<]*中华人民共和国外交部\s*</title>",
    re.I,
)
_STATUS_TITLE = re.compile(r"<title>\s*[1-5]\d\d\s", re.I)
_DOC_LINK = re.compile(r"(?:^|/)t(?:\d{6,}|\d{8}_\d+)\.s?html?(?:[?#]|$)", re.I)
_DOC_ID = re.compile(r"^t(?:\d{6,}|\d{8}_\d+)$", re.I)
_HTTP_STATUS = re.compile(r"^\s*(?:[1-5]\d\d)\b")
_NOT_FOUND = re.compile(
    r"page you requested cannot be found|没有找到您要的网页|page not found|页面不存在", re.I
)
# Uploaded images carry their upload day: W020200703667259410426.jpg, /webpic/W0202007/.
_IMAGE_STAMP = re.compile(r"W0(20\d\d)(\d\d)(\d\d)\d{6,}")
_URL_DATE = re.compile(r"/(20\d\d)(\d\d)/t(20\d\d)(\d\d)(\d\d)_|/t(20\d\d)(\d\d)(\d\d)_\d+\.")
_FURNITURE = re.compile(
    r"^(?:\[?\s*字体[：:].{0,12}\]?|打印本页|关闭窗口|【\s*关闭\s*】|相关新闻|附件|推荐给朋友|"
    r"Print|Related News:?|Appendix:?|Suggest to a friend|Close|Share(?: to)?:?)$",
    re.I,
)
_SEPARATOR = re.compile(r"^[\s*＊※]{3,}$")
_PARAGRAPH_TAGS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "td", "dd"}
_CONTAINER_TAGS = {"table", "tbody", "thead", "tfoot", "tr", "ul", "ol", "dl", "center", "section"}

# The publisher's own category, by the title's wording (first match wins), then the breadcrumb.
_KIND_PHRASES = (
    "Daily Briefing Online",
    "Regular Press Conference",
    "Press Conference",
    "网上例行记者会",
    "例行记者会",
    "答记者问",
    "发表谈话",
)
# A spokesperson's answers to a journalist or statement to the press outside a briefing.
_ZH_COMMENT = re.compile(r"发言人.{0,60}(?:发表谈话|表明立场)")
_EN_REMARKS = re.compile(r"Spokesperson\W*s Remarks|'s Remarks\b", re.I)


def looks_like_fmprc(text: str) -> bool:
    """Cheap check on decoded HTML: an fmprc.gov.cn page (document, list or error page)."""
    if not _SITE.search(text):
        return False
    low = text.lower()
    if any(marker in low for marker in _MARKERS) or _TEMPLATE.search(text):
        return True
    # the server's own short status page ("302 Found", moved to fmprc.gov.cn/error.htm)
    return len(text) < 4000 and bool(_STATUS_TITLE.search(text))


def read_fmprc(html: str, *, url: str | None = None, path: str | None = None) -> Page:
    """Read one fmprc.gov.cn page into a :class:`Page`.

    Raises :class:`NotADocument` for list pages (``index page: list of links``) and error pages
    (``error page: ...``), :class:`Unparseable` for empty input.
    """
    if not html or not html.strip():
        raise Unparseable("empty input")
    tree = parse_html(html)
    region = tree.css_first("#News_Body_Txt_A") or _en_content(tree)
    blocks, after_separator = _blocks(region) if region is not None else ([], set())
    body_text = " ".join(b.text for b in blocks[:40])
    if not blocks or (len(body_text) < 400 and _NOT_FOUND.search(body_text)):
        _check_error_page(tree)
        if _is_index(tree, region):
            raise NotADocument("index page: list of links")
        raise NotADocument("error page: site shell with no content")
    if _is_link_list(region):
        raise NotADocument("index page: list of links")

    title = _title(tree)
    lang = guess_lang(f"{title or ''} {body_text}")
    page = Page(
        blocks=blocks,
        publisher=PUBLISHER,
        publisher_id=_publisher_id(url, path),
        url=url,
        lang=lang,
        title=title,
        attribution=PUBLISHER,
        kind_hint=_kind_hint(tree, title),
    )
    page.versions = [lang] if lang else []
    _set_date(page, tree, region, url)
    mark_roles(blocks, title=title, after_separator=after_separator)
    return page


# --- non-documents -------------------------------------------------------------------------------


def _check_error_page(tree: LexborHTMLParser) -> None:
    """Raise NotADocument for HTTP status pages (``302 Found``) and "page not found" pages.

    Only called for pages without body text, so a document mentioning a 404 is not one.
    """
    title = node_text(tree.css_first("title")) or ""
    if _HTTP_STATUS.match(title):
        target = None
        link = tree.css_first("body a[href]")
        if link is not None:
            target = link.attributes.get("href")
        where = f" -> {target}" if target else ""
        raise NotADocument(f"error page: {title}{where}")
    body = tree.body
    text = node_text(body) if body is not None else None
    if text and _NOT_FOUND.search(text):
        raise NotADocument("error page: page not found")


def _doc_links(node: LexborNode | None) -> list[LexborNode]:
    if node is None:
        return []
    return [a for a in node.css("a[href]") if _DOC_LINK.search(a.attributes.get("href") or "")]


def _is_index(tree: LexborHTMLParser, region: LexborNode | None) -> bool:
    """A list page: links to documents (tNNNNNNN.shtml) in the page's main area."""
    for selector in ("div.newsLst_mod", "div.rebox_news", "div.rebox_r", "div.main", "ul"):
        for node in tree.css(selector):
            if node.parent is not None and _inside_related(node):
                continue
            if len(_doc_links(node)) >= 3:
                return True
    return len(_doc_links(region)) >= 3


def _inside_related(node: LexborNode) -> bool:
    """True for the "Related News"/相关新闻 box under a document (not a list page)."""
    cur: LexborNode | None = node
    while cur is not None and cur.tag != "body":
        ident = (cur.attributes.get("id") or "").lower()
        if ident in {"id_relnewslist", "id_relnewslist_li", "relnews_list"}:
            return True
        cur = cur.parent
    return False


def _is_link_list(region: LexborNode | None) -> bool:
    """A body region whose text is nearly all links to documents."""
    links = _doc_links(region)
    if region is None or len(links) < 3:
        return False
    total = len(re.sub(r"\s+", "", region.text(deep=True)))
    linked = sum(len(re.sub(r"\s+", "", a.text(deep=True))) for a in links)
    return total > 0 and linked / total > 0.7


# --- header ---------------------------------------------------------------------------------------


def _en_content(tree: LexborHTMLParser) -> LexborNode | None:
    """The English body: the ``div.content`` that follows ``h2.title`` (else the first one)."""
    holder = tree.css_first("div.content_mod")
    if holder is not None:
        node = holder.css_first("div.content")
        if node is not None:
            return node
    return tree.css_first("div.content")


def _title(tree: LexborHTMLParser) -> str | None:
    for selector in ("#News_Body_Title", "h2.title"):
        text = node_text(tree.css_first(selector))
        if text:
            return text
    text = node_text(tree.css_first("title"))
    if text:
        text = re.split(r"\s+[—–-]\s+中华人民共和国外交部", text)[0].strip()
    return text or None


def _breadcrumb(tree: LexborHTMLParser) -> list[str]:
    for selector in ("div.urhere", "div.nav"):
        node = tree.css_first(selector)
        if node is not None:
            parts = [node_text(a) for a in node.css("a")]
            crumbs = [p for p in parts if p]
            if crumbs:
                return crumbs
    return []


def _kind_hint(tree: LexborHTMLParser, title: str | None) -> str | None:
    """The site's own category: from the title's wording, else the breadcrumb's last item.

    A spokesperson's 发表谈话 / 表明立场 is ``comment`` (the archive's kind), like 答记者问.
    """
    if title and _ZH_COMMENT.search(title):
        return "comment"
    if title:
        for phrase in _KIND_PHRASES:
            if phrase.lower() in title.lower():
                return phrase
        if _EN_REMARKS.search(title):
            return "Spokesperson's Remarks"
    crumbs = _breadcrumb(tree)
    return crumbs[-1] if crumbs else None


def _publisher_id(url: str | None, path: str | None) -> str | None:
    if url:
        found = publisher_doc_id(PUBLISHER, url)
        if found:
            return found
    if path:
        stem = PurePath(path).name.split(".")[0]
        if _DOC_ID.match(stem):
            return stem
    return None


def _set_date(
    page: Page, tree: LexborHTMLParser, region: LexborNode | None, url: str | None
) -> None:
    """ZH: ``#News_Body_Time``; EN: the title's date, its year inferred from the page if missing."""
    stamp = node_text(tree.css_first("#News_Body_Time"))
    info = find_date(stamp) if stamp else None
    if (info is None or info.date is None) and page.title:
        info = find_date(page.title)
        if info is not None and (info.date is None or info.inferred):  # title without a year
            info = _with_inferred_year(page.title, _reference_date(tree, region, url)) or info
    if info is None or info.date is None:
        return
    page.date = info.date
    page.date_inferred = bool(info.inferred)
    page.time = info.time
    page.tz = info.tz


def _with_inferred_year(title: str, ref: Date | None) -> DateInfo | None:
    """The title's month and day in the year that puts it nearest to ``ref``."""
    if ref is None:
        return None
    best = None
    best_gap: int | None = None
    for year in (ref.year - 1, ref.year, ref.year + 1):
        info = find_date(title, default_year=year)
        if info is None or info.date is None:
            continue
        try:
            gap = abs((Date.fromisoformat(info.date) - ref).days)
        except ValueError:
            continue
        if best_gap is None or gap < best_gap:
            best, best_gap = info, gap
    return best


def _reference_date(
    tree: LexborHTMLParser, region: LexborNode | None, url: str | None
) -> Date | None:
    """A dated clue for a title without a year, most specific first.

    The body's image upload stamps (``W020180910...jpg``), a date in the URL path (newer fmprc
    URLs: ``/202107/t20210705_9170836.html``), then the latest dated title under "Related News".
    """
    if region is not None:
        for m in _IMAGE_STAMP.finditer(region.html or ""):
            found = _ymd(m.group(1), m.group(2), m.group(3))
            if found:
                return found
    if url:
        m = _URL_DATE.search(url)
        if m:
            g = [x for x in m.groups() if x]
            found = _ymd(g[-3], g[-2], g[-1])
            if found:
                return found
    latest: Date | None = None
    for a in _doc_links(tree.body):
        text = node_text(a)
        info = find_date(text) if text else None
        if info is None or info.date is None or info.inferred:
            continue
        try:
            day = Date.fromisoformat(info.date)
        except ValueError:
            continue
        if latest is None or day > latest:
            latest = day
    return latest


def _ymd(y: str, m: str, d: str) -> Date | None:
    try:
        return Date(int(y), int(m), int(d))
    except ValueError:
        return None


# --- body -----------------------------------------------------------------------------------------


def _blocks(region: LexborNode) -> tuple[list[Block], set[int]]:
    """Every paragraph of the body region in order, furniture and images left out; and the
    indexes of the blocks that follow a separator line (``********``)."""
    blocks: list[Block] = []
    after_separator: set[int] = set()
    for fragment in _paragraphs(region):
        for block in _split_blocks(fragment):
            if not _is_furniture(block):
                blocks.append(block)
            elif _SEPARATOR.match(block.text):
                after_separator.add(len(blocks))
    return blocks, after_separator


def _paragraphs(container: LexborNode) -> list[LexborNode | str]:
    """Paragraph elements, plus HTML strings for runs of loose inline content between them."""
    out: list[LexborNode | str] = []
    loose: list[str] = []

    def flush() -> None:
        if loose:
            joined = "".join(loose)
            if clean_inline(LexborHTMLParser(f"<p>{joined}</p>").text(deep=True)):
                out.append(f"<p>{joined}</p>")
            loose.clear()

    for child in container.iter(include_text=True):
        tag = child.tag
        if tag in SKIP_TAGS or tag == "img":
            continue
        if tag == "-text":
            loose.append(html_lib.escape(child.text_content or "", quote=False))
            continue
        has_inner_block = _has_block_inside(child)
        if tag in _PARAGRAPH_TAGS or tag in _CONTAINER_TAGS:
            flush()
            if has_inner_block or tag in _CONTAINER_TAGS:
                out.extend(_paragraphs(child))
            else:
                out.append(child)
        elif has_inner_block:  # an inline wrapper around paragraphs (<span><p>...</p></span>)
            flush()
            out.extend(_paragraphs(child))
        else:
            loose.append(child.html or "")
    flush()
    return out


def _has_block_inside(node: LexborNode) -> bool:
    """True when a paragraph-like element sits below ``node`` (lexbor's css matches node itself)."""
    return any(d.tag in _PARAGRAPH_TAGS for d in node.traverse(include_text=False) if d != node)


def _split_blocks(fragment: LexborNode | str) -> list[Block]:
    """One paragraph as Blocks: one per line when ``<br>`` separates several paragraphs."""
    if isinstance(fragment, str):
        node = LexborHTMLParser(fragment).css_first("p")
        if node is None:
            return []
    else:
        node = fragment
    if node.css_first("br") is None:
        block = paragraph_block(node)
        return [block] if block is not None else []
    runs: list[tuple[str, bool]] = []
    bold_runs(node, False, runs)
    lines: list[list[tuple[str, bool]]] = [[]]
    for text, bold in runs:
        if text == "\n":
            lines.append([])
        else:
            lines[-1].append((text, bold))
    blocks = []
    for line in lines:
        markup = "".join(
            f"<b>{html_lib.escape(t, quote=False)}</b>" if b else html_lib.escape(t, quote=False)
            for t, b in line
        )
        if not clean_inline("".join(t for t, _ in line)):
            continue
        rebuilt = LexborHTMLParser(f"<p>{markup}</p>").css_first("p")
        block = paragraph_block(rebuilt) if rebuilt is not None else None
        if block is not None:
            blocks.append(block)
    return blocks


def _is_furniture(block: Block) -> bool:
    """Page widgets, and separators or stray marks with no letter or digit (``* * *``, ``、``)."""
    if block.label is not None:
        return False
    if not any(ch.isalnum() for ch in block.text):
        return True
    return bool(_FURNITURE.match(block.text))
