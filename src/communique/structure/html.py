"""Shared HTML helpers for publisher readers: paragraphs to :class:`Block` with bold labels.

Official sites mark speaker labels with bold runs at the start of a paragraph, in many shapes:
``<b>Vladimir Putin:</b>``, ``<b>Vladimir Putin: </b>``, a name split over several ``<b>``
elements, the colon outside the ``<b>``, or (fmprc's English pages) a whole bold question whose
first words are the outlet's label. :func:`paragraph_block` reads them all the same way.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from communique.structure.page import Block
from communique.structure.text import clean_inline

BOLD_TAGS = {"b", "strong"}
SKIP_TAGS = {"script", "style", "noscript", "template", "iframe", "video", "audio", "-comment"}
BLOCK_TAGS = {"p", "div", "li", "h2", "h3", "h4", "h5", "h6", "blockquote", "td"}
# "font-weight: bold", not Word's "mso-bidi-font-weight: bold" (bold only in complex scripts)
_BOLD_STYLE = re.compile(r"(?<![\w-])font-weight\s*:\s*(bold|[6-9]00)", re.I)
_MAX_LABEL = 200
_LABEL_IN_BOLD = re.compile(rf"^(?P<label>[^:：]{{1,{_MAX_LABEL}}}?)\s*[:：]\s*(?P<body>.*)$", re.S)


def parse_html(text: str) -> LexborHTMLParser:
    return LexborHTMLParser(text)


def bold_runs(node: LexborNode, bold: bool, out: list[tuple[str, bool]]) -> None:
    """Collect (text, is_bold) runs in document order; ``("\\n", bold)`` for each ``<br>``."""
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            out.append((child.text_content or "", bold))
        elif tag in SKIP_TAGS:
            continue
        elif tag == "br":
            out.append(("\n", bold))
        else:
            style = child.attributes.get("style") or ""
            child_bold = bold or tag in BOLD_TAGS or bool(_BOLD_STYLE.search(style))
            bold_runs(child, child_bold, out)


def paragraph_block(node: LexborNode) -> Block | None:
    """One paragraph element as a Block; None when it holds no text."""
    runs: list[tuple[str, bool]] = []
    bold_runs(node, False, runs)
    full = "".join(t for t, _ in runs)
    text = clean_inline(full)
    if not text:
        return None
    # Bold prefix: the bold runs at the start (whitespace between them does not break it).
    prefix_parts: list[str] = []
    consumed = 0
    for t, is_bold in runs:
        if is_bold or not t.strip():
            prefix_parts.append(t)
            consumed += len(t)
            continue
        break
    prefix = "".join(prefix_parts)
    rest_raw = full[consumed:]
    all_bold = not clean_inline(rest_raw)
    label = _markup_label(prefix, rest_raw)
    if label is not None:
        name, body = label
        return Block(text=clean_inline(body), label=name, bold=all_bold)
    return Block(text=text, bold=all_bold and bool(clean_inline(prefix)))


def _markup_label(prefix: str, rest: str) -> tuple[str, str] | None:
    """(label, body) when the bold prefix is a label ending at a colon, else None."""
    p = clean_inline(prefix)
    if not p:
        return None
    # colon inside the bold run: "Name:" or "Name: first bold words..."
    m = _LABEL_IN_BOLD.match(p)
    if m and not p.endswith((":", "：")):
        # label inside a fully bold question ("CCTV: The foreign ministry ...?")
        return m.group("label"), m.group("body") + rest
    if m:
        return m.group("label"), rest
    # colon right after the bold run: "<b>Name</b>: text"
    r = rest.lstrip(" \t\u00a0")
    if r[:1] in (":", "：") and len(p) <= _MAX_LABEL:
        return p, r[1:]
    return None


def blocks_from(container: LexborNode | None, selector: str = "p") -> list[Block]:
    """Blocks for every ``selector`` element under ``container``, in order."""
    if container is None:
        return []
    blocks = []
    for node in container.css(selector):
        block = paragraph_block(node)
        if block is not None:
            blocks.append(block)
    return blocks


def node_text(node: LexborNode | None) -> str | None:
    """Clean inline text of a node, or None."""
    if node is None:
        return None
    text = clean_inline(node.text(deep=True, separator=""))
    return text or None


def meta_content(tree: LexborHTMLParser, selector: str) -> str | None:
    node = tree.css_first(selector)
    if node is None:
        return None
    value = node.attributes.get("content") or node.attributes.get("href")
    return value.strip() if value else None
