"""The archive's data model: the document record that every stage reads and writes.

The JSON form of :class:`Document` is the export contract (``docs/record.md``,
``schema/record.schema.json``). Later stages only ever *add* fields.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

# 2: lead, title_inferred, kind phone_call; 3: role_inferred; 4: role_uncertain; 5: two more
# role_uncertain reasons; 6: one more (answer_asks_on) (docs/record.md, "what changed")
SCHEMA_VERSION = 6

Kind = Literal[
    "interview",
    "press_conference",
    "briefing",
    "speech",
    "statement",
    "meeting",
    "phone_call",
    "article",
    "comment",
    "news",
    "other",
]
KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]

Role = Literal["question", "answer", "statement", "remark", "moderator"]
ROLES: tuple[str, ...] = Role.__args__  # type: ignore[attr-defined]


def turn_permalink(doc_id: str, n: int, revision: str | None = None) -> str:
    """A turn's permalink, ``<id>#t<n>``; pinned to a revision, ``<id>@<revision>#t<n>``."""
    return f"{doc_id}@{revision}#t{n}" if revision else f"{doc_id}#t{n}"


def _same_text(a: str, b: str) -> bool:
    """Equal but for spacing (a lead published as a page's only text is its turn 1)."""
    return a.split() == b.split()


@dataclass
class Origin:
    """Where one raw input came from: a file, or one row of a table."""

    path: str
    url: str | None
    sha256: str


@dataclass
class Participant:
    name: str
    title: str | None = None
    affiliation: str | None = None


@dataclass
class Mention:
    """An entity named in a turn: ``text[start:end]`` names ``entity`` (``country:KZ``,
    ``org:EAEU``). Added by the enrichment step."""

    start: int
    end: int
    entity: str


@dataclass
class Turn:
    n: int
    label: str | None
    speaker: str | None
    role: Role
    text: str
    affiliation: str | None = None
    interpreted: bool = False
    answers: int | None = None
    role_inferred: bool = False  # the role is read from the text's shape alone (docs/record.md)
    role_uncertain: str | None = None  # why an inferred role reads two ways (structure/doubts.py)
    person: str | None = None  # the speaker resolved to a person or outlet id (enrichment)
    mentions: list[Mention] = field(default_factory=list)  # entities named (enrichment)


@dataclass
class Document:
    id: str
    revision: str
    origin: list[Origin]
    publisher: str | None
    lang: str | None
    title: str | None
    kind: Kind
    turns: list[Turn]
    date: str | None = None
    date_inferred: bool = False
    time: str | None = None
    tz: str | None = None
    place: str | None = None
    url: str | None = None
    license: str | None = None
    attribution: str | None = None
    versions: list[str] = field(default_factory=list)
    participants: list[Participant] = field(default_factory=list)
    parser_version: str = ""
    schema_version: int = SCHEMA_VERSION
    lead: str | None = None  # the summary under the title, before the first turn (not a turn)
    title_inferred: bool = False  # the title was made from publisher, kind and date

    def head(self) -> Turn | None:
        """Turn 0 (``<id>#t0``): the lead, or the title of a document without turns; what the
        search index, exports and citations use for text that is not a turn. Turn numbers
        from 1 stay as they are; None when the document has neither."""
        if self.lead and not (self.turns and _same_text(self.turns[0].text, self.lead)):
            return Turn(n=0, label=None, speaker=None, role="statement", text=self.lead)
        if not self.turns and self.title and not self.title_inferred:
            return Turn(n=0, label=None, speaker=None, role="statement", text=self.title)
        return None

    def turn(self, n: int) -> Turn | None:
        """Turn ``n`` of the document (0: :meth:`head`), or None."""
        if n == 0:
            return self.head()
        return next((t for t in self.turns if t.n == n), None)

    def to_dict(self) -> dict[str, Any]:
        """The record as exported (key order follows ``docs/record.md``)."""
        d = asdict(self)
        order = [
            "schema_version", "id", "revision", "origin", "publisher", "url", "license",
            "attribution", "lang", "date", "date_inferred", "time", "tz", "title",
            "title_inferred", "place", "kind", "versions", "participants", "lead", "turns",
            "parser_version",
        ]  # fmt: skip
        return {k: d[k] for k in order}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Document:
        d = dict(d)
        d["origin"] = [Origin(**o) for o in d.get("origin", [])]
        d["participants"] = [Participant(**p) for p in d.get("participants", [])]
        d["turns"] = [
            Turn(**{**t, "mentions": [Mention(**m) for m in t.get("mentions", ())]})
            for t in d.get("turns", [])
        ]
        return cls(**d)
