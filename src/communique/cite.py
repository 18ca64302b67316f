"""Citations of a document or of one turn: plain text, BibTeX and CSL-JSON.

A document published without a title is cited by the title made from publisher, kind and date
(``Chinese MFA briefing, 2022-03-01``; records built since carry it with ``title_inferred``),
never by its id. A lead or a turnless document's title is turn 0 (``<id>#t0``).

Every citation carries the version-pinned permalink (``<id>@<revision>`` or
``<id>@<revision>#t<n>``), so a reader can reach exactly the wording that was cited even after
the publisher edits the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from communique.model import Document, Turn, turn_permalink
from communique.structure.document import inferred_title

# CSL item types by document kind (https://docs.citationstyles.org/en/stable/specification.html)
_CSL_TYPE = {
    "interview": "interview",
    "speech": "speech",
    "press_conference": "speech",
    "briefing": "speech",
    "statement": "article",
    "article": "article-newspaper",
    "news": "article-newspaper",
    "phone_call": "personal_communication",
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


def display_title(doc: Document) -> tuple[str, bool]:
    """The title to show and whether it is inferred. A document without a title gets one made
    of what the archive knows, "<publisher>, <kind>, <date>" (never "(untitled)")."""
    derived = getattr(doc, "display_title", None)  # the record's own, where it has one
    if doc.title:
        return doc.title, bool(getattr(doc, "title_inferred", False))
    if isinstance(derived, str) and derived:
        return derived, True
    return inferred_title(doc.publisher, doc.kind or "document", doc.date), True


@dataclass(frozen=True)
class _Cited:
    """What every citation format is made from."""

    doc: Document
    turn: Turn | None
    pinned: str
    url: str
    title: str
    author: str  # the speaker of a turn, else the publisher
    publisher: str

    title_inferred: bool = False

    @property
    def note(self) -> str:
        note = f"Archived version {self.pinned}: {self.url}"
        if self.title_inferred:
            note = f"Title supplied by the archive (the source gives none). {note}"
        return f"Turn {self.turn.n} ({role_phrase(self.turn)}). {note}" if self.turn else note


def role_phrase(turn: Turn) -> str:
    """The role as a citation gives it: ``answer``, or ``answer, role uncertain`` when the
    archive's reading of it is flagged (``Turn.role_uncertain``, docs/record.md)."""
    return f"{turn.role}, role uncertain" if turn.role_uncertain else turn.role


def _name_key(name: str) -> str:
    """A name's last word, casefolded (``Sergey Lavrov`` and ``S.Lavrov`` both ``lavrov``)."""
    words = re.findall(r"[^\W\d_]+", name.casefold())
    return words[-1] if words else ""


def questioner(doc: Document, turn: Turn) -> str | None:
    """Who asks an unnamed question: the one participant the page lists who speaks no named
    turn (the interviewer of an interview: Maya Bekbayeva in the seed). None when the page
    lists none or several such participants (a press conference's journalists), or the turn
    is no question or already has a speaker."""
    if turn.role != "question" or turn.speaker:
        return None
    speakers = {_name_key(t.speaker) for t in doc.turns if t.speaker}
    askers = [p for p in doc.participants if p.name and _name_key(p.name) not in speakers]
    return askers[0].name if len(askers) == 1 else None


def _author(doc: Document, turn: Turn) -> str:
    """Who said ``turn``: its speaker, an unnamed question's asker from the participants, else
    "Unnamed questioner" for a question (its label, "Question", names no one), else its label."""
    named = turn.speaker or questioner(doc, turn)
    if named:
        return named
    if turn.role == "question":
        return "Unnamed questioner"
    return turn.label or publisher_name(doc.publisher)


def cite(doc: Document, turn: Turn | None = None, *, base_url: str = "") -> Citation:
    """The citation of ``doc`` (or of its ``turn``), with permalinks under ``base_url``."""
    pinned = turn_permalink(doc.id, turn.n, doc.revision) if turn else f"{doc.id}@{doc.revision}"
    publisher = publisher_name(doc.publisher)
    title, inferred = display_title(doc)
    c = _Cited(
        doc=doc, turn=turn, pinned=pinned, url=f"{base_url.rstrip('/')}/d/{pinned}",
        title=title, author=_author(doc, turn) if turn else publisher,
        publisher=publisher, title_inferred=inferred,
    )  # fmt: skip
    return Citation(pinned=pinned, url=c.url, text=_plain(c), bibtex=_bibtex(c), csl=_csl(c))


def _plain(c: _Cited) -> str:
    parts = [f"{c.author} ({c.doc.date or 'n.d.'}).", f"“{c.title}”."]
    if c.turn:
        parts.append(f"Turn {c.turn.n} ({role_phrase(c.turn)}).")
    parts.append(f"{c.publisher}.")
    if c.doc.url:
        parts.append(f"Original: {c.doc.url}.")
    parts.append(f"Archived version: {c.url}")
    return " ".join(parts)


_BIB_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$",
    "#": r"\#", "_": r"\_", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
}  # fmt: skip
_BIB_RE = re.compile(r"[\\{}&%$#_^~]")


def _bib_escape(value: str) -> str:
    """The characters BibTeX treats specially, escaped in one pass (so nothing twice)."""
    return _BIB_RE.sub(lambda m: _BIB_SPECIAL[m.group()], value)


def _bibtex(c: _Cited) -> str:
    key = re.sub(r"[^A-Za-z0-9]+", "_", c.pinned).strip("_")
    # a person's name goes in braces so BibTeX does not split it; an organisation likewise
    fields: list[tuple[str, str]] = [
        ("title", _bib_escape(c.title)),
        ("author", "{" + _bib_escape(c.author) + "}"),
        ("publisher", _bib_escape(c.publisher)),
    ]
    if c.doc.date:
        fields += [("year", c.doc.date[:4]), ("date", c.doc.date)]
    if c.doc.url:
        fields.append(("url", c.doc.url))  # verbatim: biblatex reads url fields as they are
    fields.append(("note", _bib_escape(c.note)))
    if c.doc.lang:
        fields.append(("language", c.doc.lang))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{key},\n{body}\n}}"


def _csl(c: _Cited) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": c.pinned,
        "type": _CSL_TYPE.get(c.doc.kind, "document"),
        "title": c.title,
        "author": [{"literal": c.author}],
        "publisher": c.publisher,
        "URL": c.doc.url or c.url,
        "note": c.note,
    }
    if c.doc.date:
        item["issued"] = {"date-parts": [[int(x) for x in c.doc.date.split("-")]]}
    if c.doc.lang:
        item["language"] = c.doc.lang
    return item
