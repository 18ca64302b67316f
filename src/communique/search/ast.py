"""The search query as a tree: what ``query.parse_query`` returns and ``index`` compiles.

Words are kept as the user typed them; analysis (case folding, ё/е, stemming, Chinese
segmentation) is the index's business, so that the same tree runs on any backend.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Term:
    """A word; matched stemmed (``sanction`` finds ``sanctions``)."""

    text: str


@dataclass(frozen=True)
class Phrase:
    """``"exact phrase"``: words in order, unstemmed (quotes turn stemming off)."""

    words: tuple[str, ...]


@dataclass(frozen=True)
class Prefix:
    """``sovereign*``: any word starting with the prefix (unstemmed)."""

    prefix: str


@dataclass(frozen=True)
class Near:
    """``a NEAR/5 b``: both within ``distance`` words of each other, in either order."""

    left: Node
    right: Node
    distance: int


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    """``NOT x`` or ``-x``; only meaningful inside an And (or with filters) in the index."""

    child: Node


@dataclass(frozen=True)
class MatchAll:
    """A query made only of filters (``speaker:lavrov role:answer``)."""


Node = Term | Phrase | Prefix | Near | And | Or | Not | MatchAll


@dataclass(frozen=True)
class Filters:
    """Field filters, from the query text (``speaker:lavrov``) or from options (``--speaker``).

    Every list is OR-ed within itself and AND-ed with the others; dates are inclusive
    ``YYYY-MM-DD`` bounds (``date:2014-01..2014-12`` gives 2014-01-01 and 2014-12-31).
    """

    speaker: tuple[str, ...] = ()
    role: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()
    lang: tuple[str, ...] = ()
    publisher: tuple[str, ...] = ()
    doc: tuple[str, ...] = ()
    entity: tuple[str, ...] = ()  # entity ids (country:KZ, org:EAEU)
    uncertain: tuple[str, ...] = ()  # "no", "yes" or a reason of Turn.role_uncertain
    date_from: str | None = None
    date_to: str | None = None

    def merged(self, other: Filters) -> Filters:
        """Both sets of filters (lists joined; the narrower date bounds)."""
        lo = max(filter(None, (self.date_from, other.date_from)), default=None)
        hi = min(filter(None, (self.date_to, other.date_to)), default=None)
        return Filters(
            speaker=self.speaker + other.speaker,
            role=self.role + other.role,
            kind=self.kind + other.kind,
            lang=self.lang + other.lang,
            publisher=self.publisher + other.publisher,
            doc=self.doc + other.doc,
            entity=self.entity + other.entity,
            uncertain=self.uncertain + other.uncertain,
            date_from=lo,
            date_to=hi,
        )


@dataclass(frozen=True)
class Query:
    """A parsed query: the text part and the filters written inside it."""

    node: Node
    filters: Filters = field(default_factory=Filters)


class QueryError(ValueError):
    """A malformed query. ``position`` is the 0-based character offset of the problem."""

    def __init__(self, message: str, query: str, position: int) -> None:
        self.message = message
        self.query = query
        self.position = position
        pointer = " " * position + "^"
        super().__init__(f"{message}\n  {query}\n  {pointer}")

    def __reduce__(self) -> tuple[type, tuple[str, str, int]]:
        """Pickled with its three parts (it travels back from the analysis workers)."""
        return (type(self), (self.message, self.query, self.position))


class QueryTooCostly(ValueError):
    """A query the archive will not run as written (a ``*`` matching too many words, NEAR
    with too many alternatives): the message says what to narrow. A 400 over HTTP."""


class QueryOverBudget(RuntimeError):
    """A query that ran past its time budget and was stopped: the message says what to
    narrow. A 503 over HTTP."""
