"""A watch's latest hits as an Atom 1.0 feed (RFC 4287).

The feed's id is its own URL; each entry is one turn: its id and link are the turn's permalink
(``<base>/d/<id>#t<n>``), ``updated`` is when the document arrived in the archive, ``published``
the document's date (for an undated document, its arrival, with a ``category term="undated"``
saying so), the author is the speaker, the summary the turn's text (shortened). Entries are
newest first. Atom is the default namespace (no prefixes).
"""

from __future__ import annotations

from urllib.parse import quote, urlencode
from xml.etree import ElementTree as ET

from communique.track.watch import Watch, WatchHit

ATOM = "http://www.w3.org/2005/Atom"
SUMMARY_CHARS = 1000
UNDATED_NOTE = "Undated document: published is when the archive received it"
# Atom as the default namespace. Not register_namespace(""): that would take "" away from any
# other namespace given it (TEI in export/tei.py), and one of the two would get ns0: prefixes
ET._namespace_map[ATOM] = ""  # type: ignore[attr-defined]


def _shorten(text: str, limit: int = SUMMARY_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def turn_url(base: str, doc_id: str, n: int) -> str:
    return f"{base}/d/{quote(doc_id, safe='')}#t{n}"


def feed_url(base: str, name: str) -> str:
    return f"{base}/feeds/{quote(name, safe='')}.atom"


def atom_feed(watch: Watch, hits: list[WatchHit], base: str) -> bytes:
    """The feed document (UTF-8 XML) of ``watch`` with ``hits`` (newest first)."""

    def add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            el.text = text
        return el

    feed = ET.Element(f"{{{ATOM}}}feed")
    self_url = feed_url(base, watch.name)
    add(feed, "id", self_url)
    described = f" ({watch.query})" if watch.query else ""
    add(feed, "title", f"communique watch: {watch.name}{described}")
    add(feed, "updated", max((h.arrived for h in hits), default=watch.created))
    add(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    search = f"{base}/search?{urlencode({**watch.query_string(), 'sort': 'date'})}"
    add(feed, "link", rel="alternate", type="text/html", href=search)
    add(add(feed, "author"), "name", "communique")
    add(feed, "generator", "communique")
    for item in hits:
        h = item.hit
        url = turn_url(base, h.doc_id, h.n)
        who = h.speaker or h.label or h.role.capitalize()
        entry = add(feed, "entry")
        add(entry, "id", url)
        add(entry, "title", f"{who}: {h.title or h.doc_id} (#t{h.n})")
        add(entry, "updated", item.arrived)
        dated = bool(h.date and len(h.date) == 10)
        add(entry, "published", f"{h.date}T00:00:00Z" if dated else item.arrived)
        add(add(entry, "author"), "name", who)
        add(entry, "link", rel="alternate", type="text/html", href=url)
        for term in (h.publisher, h.kind, h.lang):
            if term:
                add(entry, "category", term=term)
        if not dated:
            add(entry, "category", term="undated", label=UNDATED_NOTE)
        add(entry, "summary", _shorten(h.text or h.snippet), type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
