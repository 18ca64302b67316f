"""Citations of a document or of one turn: plain text, BibTeX and CSL-JSON.

Every citation carries the version-pinned permalink (``<id>@<revision>`` or
``<id>@<revision>#t<n>``), so a reader can reach exactly the wording that was cited even after
the publisher edits the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from communique.model import Document, Turn, turn_permalink

# CSL item types by document kind (https://docs.citationstyles.org/en/stable/specification.html)
_CSL_TYPE = {
    "interview": "interview",
    "speech": "speech",
    "press_conference": "speech",
    "briefing": "speech",
    "statement": "article",
    "article": "article-newspaper",
    "news": "article-newspaper",
}
_PUBLISHER_NAMES = {
    "mid.ru": "Ministry of Foreign Affairs of the Russian Federation",
    "kremlin.ru": "President of Russia (kremlin.ru)",
    "fmprc.gov.cn": "Ministry of Foreign Affairs of the People's Republic of China",
    "whitehouse.gov": "The White House",
    "state.gov": "U.S. Department of State",
}


@dataclass(frozen=True)
class Citation:
    """One thing cited, in every format."""

    pinned: str  # id@revision or id@revision#tN
    url: str  # the permalink URL in this archive
    text: str
    bibtex: str
    csl: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "pinned": self.pinned, "url": self.url, "text": self.text,
            "bibtex": self.bibtex, "csl": self.csl,
        }  # fmt: skip


def publisher_name(publisher: str | None) -> str:
    return _PUBLISHER_NAMES.get(publisher or "", publisher or "Unknown publisher")


def cite(doc: Document, turn: Turn | None = None, *, base_url: str = "") -> Citation:
    """The citation of ``doc`` (or of its ``turn``), with permalinks under ``base_url``."""
    pinned = turn_permalink(doc.id, turn.n, doc.revision) if turn else f"{doc.id}@{doc.revision}"
    url = f"{base_url.rstrip('/')}/d/{pinned}"
    title = doc.title or "(untitled)"
    author = (turn.speaker or turn.label) if turn and (turn.speaker or turn.label) else None
    publisher = publisher_name(doc.publisher)
    return Citation(
        pinned=pinned,
        url=url,
        text=_plain(doc, turn, title, author, publisher, url),
        bibtex=_bibtex(doc, turn, title, author, publisher, url, pinned),
        csl=_csl(doc, turn, title, author, publisher, url, pinned),
    )


def _plain(
    doc: Document, turn: Turn | None, title: str, author: str | None, publisher: str, url: str
) -> str:
    when = doc.date or "n.d."
    parts = [f"{author or publisher} ({when}).", f"“{title}”."]
    if turn:
        parts.append(f"Turn {turn.n} ({turn.role}).")
    parts.append(f"{publisher}.")
    if doc.url:
        parts.append(f"Original: {doc.url}.")
    parts.append(f"Archived version: {url}")
    return " ".join(parts)


def _bib_escape(value: str) -> str:
    """Braces and the characters BibTeX treats specially, escaped."""
    value = value.replace("\\", r"\textbackslash{}")
    return re.sub(r"([{}&%$#_^~])", r"\\\1", value)


def _bibtex(
    doc: Document,
    turn: Turn | None,
    title: str,
    author: str | None,
    publisher: str,
    url: str,
    pinned: str,
) -> str:
    key = re.sub(r"[^A-Za-z0-9]+", "_", pinned).strip("_")
    fields: list[tuple[str, str]] = [("title", title)]
    # a person's name goes in braces so BibTeX does not split it; an organisation likewise
    fields.append(("author", "{" + _bib_escape(author or publisher) + "}"))
    fields.append(("publisher", publisher))
    if doc.date:
        fields.append(("year", doc.date[:4]))
        fields.append(("date", doc.date))
    if doc.url:
        fields.append(("url", doc.url))
    note = f"Archived version {pinned}: {url}"
    if turn:
        note = f"Turn {turn.n} ({turn.role}). " + note
    fields.append(("note", note))
    if doc.lang:
        fields.append(("language", doc.lang))
    body = ",\n".join(
        f"  {name} = {{{value if name == 'author' else _bib_escape(value)}}}"
        for name, value in fields
    )
    return f"@misc{{{key},\n{body}\n}}"


def _csl(
    doc: Document,
    turn: Turn | None,
    title: str,
    author: str | None,
    publisher: str,
    url: str,
    pinned: str,
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": pinned,
        "type": _CSL_TYPE.get(doc.kind, "document"),
        "title": title,
        "author": [{"literal": author or publisher}],
        "publisher": publisher,
        "URL": doc.url or url,
        "note": f"Archived version {pinned}: {url}",
    }
    if doc.date:
        item["issued"] = {"date-parts": [[int(x) for x in doc.date.split("-")]]}
    if doc.lang:
        item["language"] = doc.lang
    if turn:
        item["note"] = f"Turn {turn.n} ({turn.role}). " + item["note"]
    return item
