"""Any other HTML page: title and paragraphs, with index and error pages told apart."""

from __future__ import annotations

import re

from communique.structure.html import blocks_from, node_text, parse_html
from communique.structure.page import NotADocument, Page

_ERROR_TITLE = re.compile(r"\b(?:30[12]|40[034]|50[03])\b|not found|moved|forbidden|error", re.I)
_CHROME = "script, style, nav, header, footer, aside, form, noscript"


def read_generic_html(html: str, *, url: str | None = None) -> Page:
    """Title from ``h1`` or ``<title>``; body from the paragraphs of the main region."""
    tree = parse_html(html)
    title = node_text(tree.css_first("h1")) or node_text(tree.css_first("title"))
    for node in tree.css(_CHROME):
        node.decompose()
    root = tree.css_first("article") or tree.css_first("main") or tree.body
    text = node_text(root) or ""
    if title and _ERROR_TITLE.search(title) and len(text) < 1500:
        raise NotADocument(f"error page ({title})")
    check_not_index(root)
    blocks = blocks_from(root, "p, li, blockquote")
    if not blocks and text:
        raise NotADocument("no paragraphs of text (site shell or error page)")
    return Page(blocks=blocks, title=title, url=url)


def check_not_index(root) -> None:
    """Raise NotADocument for a page whose content is a list of links."""
    if root is None:
        return
    links = root.css("a")
    text = node_text(root) or ""
    link_chars = sum(len(node_text(a) or "") for a in links)
    if len(links) >= 15 and text and link_chars / len(text) > 0.5:
        raise NotADocument("index page: list of links")
