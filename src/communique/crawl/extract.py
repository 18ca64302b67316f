"""Reading list pages: item links, titles and dates by XPath or CSS rules.

Rules are XPath 1.0 with one extension, ``has-class("a", "b c")`` (true when the node's
``class`` attribute has every class named; the function Scrapy/parsel users know, used by the
Diplomatic Pulse registry), or CSS selectors written ``css:div.item a``. Under an item, a rule
that starts with ``//`` is read relative to the item (``.//``), as list-page registries mean it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from communique.structure.dates import parse_date_field


class RuleError(ValueError):
    """A rule that does not compile."""


def _has_class(context: Any, *classes: Any) -> bool:
    node = context.context_node
    if not isinstance(node, etree._Element):
        return False
    own = set((node.get("class") or "").split())
    wanted = {c for arg in classes for c in str(arg).split()}
    return bool(wanted) and wanted <= own


EXTENSIONS = {(None, "has-class"): _has_class}


@dataclass(frozen=True)
class Rule:
    """A compiled rule: the text as written and its XPath (whole page, and under an item)."""

    text: str
    page: etree.XPath
    item: etree.XPath

    @classmethod
    def parse(cls, text: str) -> Rule:
        text = text.strip()
        if not text:
            raise RuleError("empty rule")
        if text.startswith("css:"):
            from cssselect import SelectorError
            from lxml.cssselect import CSSSelector

            try:
                path = CSSSelector(text[4:].strip(), translator="html").path
            except SelectorError as e:
                raise RuleError(f"not a CSS selector: {e}") from None
            relative = path
        else:
            path = text
            relative = "." + text if text.startswith("//") else text
        try:
            return cls(text, _xpath(path), _xpath(relative))
        except etree.XPathSyntaxError as e:
            raise RuleError(f"not an XPath expression ({e}): {text!r}") from None

    def values(self, node: Any, *, under_item: bool = False) -> list[Any]:
        """The rule's results (elements, strings or numbers) on a page or under an item."""
        got = (self.item if under_item else self.page)(node)
        return got if isinstance(got, list) else [got]


def _xpath(path: str) -> etree.XPath:
    return etree.XPath(path, extensions=EXTENSIONS, smart_strings=False)


_SPACE = re.compile(r"\s+")


def text_of(values: list[Any]) -> str:
    """Results as one line of text (elements by their text content)."""
    parts = []
    for v in values:
        s = v.text_content() if isinstance(v, etree._Element) else str(v)
        parts.append(s)
    return _SPACE.sub(" ", " ".join(parts)).strip()


def links_of(values: list[Any]) -> list[str]:
    """Results as link targets (an element gives its ``href``, or ``src``)."""
    out = []
    for v in values:
        if isinstance(v, etree._Element):
            v = v.get("href") or v.get("src")
        if v is not None and str(v).strip():
            out.append(str(v).strip())
    return out


def parse_html(data: bytes, encoding: str | None = None) -> Any:
    """An lxml document from page bytes (the page's own charset declaration unless given)."""
    parser = lxml.html.HTMLParser(encoding=encoding) if encoding else None
    try:
        return lxml.html.document_fromstring(data, parser=parser)
    except (etree.ParserError, ValueError):
        return lxml.html.document_fromstring(b"<html></html>")


@dataclass
class Listed:
    """An item link found on a list page."""

    url: str
    title: str = ""
    date: str | None = None  # YYYY-MM-DD when the list shows one


def item_date(text: str, pattern: re.Pattern[str] | None) -> str | None:
    """A list entry's date from its text (``pattern`` picks the part to read)."""
    if pattern is not None:
        m = pattern.search(text)
        if m is None:
            return None
        text = m.group(1) if pattern.groups else m.group(0)
    info = parse_date_field(text)
    return info.date if info else None


def list_items(
    doc: Any,
    base_url: str,
    *,
    item: Rule,
    link: Rule,
    title: Rule | None = None,
    date: Rule | None = None,
    date_pattern: re.Pattern[str] | None = None,
    link_pattern: re.Pattern[str] | None = None,
) -> list[Listed]:
    """Every item of a list page, in page order, each URL once, made absolute."""
    found: list[Listed] = []
    seen: set[str] = set()
    for node in item.values(doc):
        if not isinstance(node, etree._Element):
            continue
        for href in links_of(link.values(node, under_item=True))[:1]:
            url = urljoin(base_url, href)
            if urlsplit(url).scheme not in ("http", "https") or url in seen:
                continue
            if link_pattern is not None and not link_pattern.search(url):
                continue
            seen.add(url)
            name = text_of(title.values(node, under_item=True)) if title else ""
            when = None
            if date is not None:
                when = item_date(text_of(date.values(node, under_item=True)), date_pattern)
            found.append(Listed(url, name, when))
    return found


def page_links(doc: Any, base_url: str, rule: Rule) -> Iterator[str]:
    """Absolute links a page-level rule gives (a "next" link, language versions)."""
    for href in links_of(rule.values(doc)):
        yield urljoin(base_url, href)
