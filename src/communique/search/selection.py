"""A selection: a query (may be empty) and the search filters, as every service takes it.

Searches, concordances, analyses, exports and watches all select turns the same way:
:class:`Selection` holds what a caller asked for (as text: a value or a comma list per filter)
and :func:`make_filters` checks the filter options and turns them into the index's
:class:`~communique.search.ast.Filters`. Reading one from a query string (with its 400s) is the
web's part (``web.service.SearchParams``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from communique.enrich.entities import lookup as lookup_entity
from communique.model import KINDS, ROLES
from communique.search.ast import Filters, Query
from communique.search.query import parse_query
from communique.structure.dates import date_bound

Values = str | Sequence[str] | None


def _values(value: Values) -> tuple[str, ...]:
    """One value, a comma-separated list, or a sequence, as a tuple."""
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else list(value)
    return tuple(v.strip() for item in items for v in item.split(",") if v.strip())


def make_filters(
    *,
    speaker: Values = None,
    role: Values = None,
    kind: Values = None,
    lang: Values = None,
    publisher: Values = None,
    doc: Values = None,
    entity: Values = None,
    date_from: str | None = None,
    date_to: str | None = None,
) -> Filters:
    """Filters from keyword options (checked: an unknown role, kind or entity is a
    ValueError). ``entity`` takes ids, ISO codes or names (``KZ``, ``Kazakhstan``, ``ЕАЭС``)."""
    roles = tuple(r.lower() for r in _values(role))
    kinds = tuple(k.lower().replace("-", "_").replace(" ", "_") for k in _values(kind))
    for name, got, known in (("role", roles, ROLES), ("kind", kinds, KINDS)):
        bad = [v for v in got if v not in known]
        if bad:
            raise ValueError(f"{name} {bad[0]!r} is not one of {', '.join(known)}")
    speakers = (speaker,) if isinstance(speaker, str) else tuple(speaker or ())
    entities = []
    for value in _values(entity):
        found = lookup_entity(value)
        if found is None:
            raise ValueError(
                f"entity {value!r} names no country or organisation this archive knows"
            )
        entities.append(found)
    return Filters(
        speaker=tuple(s for s in speakers if s.strip()),
        role=roles,
        kind=kinds,
        lang=tuple(v.lower() for v in _values(lang)),
        publisher=tuple(v.lower() for v in _values(publisher)),
        doc=_values(doc),
        entity=tuple(entities),
        date_from=date_bound(date_from, False),
        date_to=date_bound(date_to, True),
    )


def parse(query: str | Query) -> Query:
    """``query`` parsed (the language of docs/query.md), or as it is when parsed already."""
    return parse_query(query) if isinstance(query, str) else query


@dataclass(frozen=True)
class Selection:
    """A query (may be empty) and the search filters.

    List filters take a value or a comma list, as :meth:`Archive.search` does; ``speaker`` may
    also be a tuple (whose items are kept whole: a name may hold a comma).
    """

    q: str = ""
    speaker: str | tuple[str, ...] = ""
    role: str = ""
    kind: str = ""
    lang: str = ""
    publisher: str = ""
    entity: str = ""
    date_from: str = ""
    date_to: str = ""

    @classmethod
    def of(cls, value: Selection | Mapping[str, Any] | Any) -> Selection:
        """A Selection from itself, one with more fields (a web ``SearchParams``), or a mapping
        of its field names."""
        if type(value) is Selection:
            return value
        names = [f.name for f in fields(Selection)]
        if isinstance(value, Mapping):
            return cls(**{k: v for k, v in value.items() if k in names and v is not None})
        return cls(**{k: getattr(value, k) for k in names if hasattr(value, k)})

    def speakers(self) -> tuple[str, ...]:
        """The speaker values: a comma list split, a tuple's items as they are."""
        if isinstance(self.speaker, str):
            return _values(self.speaker)
        return tuple(s.strip() for s in self.speaker if s.strip())

    def filters(self) -> dict[str, Any]:
        """Keyword arguments of :func:`make_filters` (and of :meth:`Archive.search`)."""
        return {
            "speaker": self.speakers() or None,
            "role": self.role or None, "kind": self.kind or None, "lang": self.lang or None,
            "publisher": self.publisher or None, "entity": self.entity or None,
            "date_from": self.date_from or None, "date_to": self.date_to or None,
        }  # fmt: skip

    def make_filters(self) -> Filters:
        """The checked filters (ValueError for an unknown role, kind, entity...)."""
        return make_filters(**self.filters())

    def to_query(self) -> dict[str, str]:
        """The query string of this selection (empty values left out)."""
        speaker = self.speaker if isinstance(self.speaker, str) else ",".join(self.speaker)
        out = {
            "q": self.q, "speaker": speaker, "role": self.role, "kind": self.kind,
            "lang": self.lang, "publisher": self.publisher, "entity": self.entity,
            "from": self.date_from, "to": self.date_to,
        }  # fmt: skip
        return {k: v for k, v in out.items() if v}
