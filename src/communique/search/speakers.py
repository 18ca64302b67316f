"""Misspelt speakers: "did you mean Lavrov?" rather than 0 turns without a word.

A speaker filter value (``--speaker``, ``speaker=`` or ``speaker:`` in the query) that matches no
turn of the archive on its own is checked against the names the archive knows: the speakers of
its turns and the people of the register (names and aliases). The closest name word (or whole
name) by ``difflib`` similarity, at least ``CUTOFF``, is offered, and only when it does match
turns. Callers ask only when a search found nothing, so a search that finds turns costs nothing.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from communique.search.ast import MatchAll, Query
from communique.search.index import SearchIndex
from communique.search.selection import make_filters, parse

CUTOFF = 0.75  # least difflib ratio for a suggestion ("lavorv" / "lavrov": 0.83)
_WORD = re.compile(r"[^\W\d_]{2,}")


@dataclass(frozen=True)
class SpeakerHint:
    value: str  # the filter value as given
    suggestion: str | None  # a name that matches turns, or None

    @property
    def message(self) -> str:
        head = f"No speaker matches “{self.value}”"
        return f"{head}: did you mean {self.suggestion}?" if self.suggestion else f"{head}."


def known_names(index: SearchIndex) -> dict[str, str]:
    """Every name the archive knows, and each of its words, casefolded, to how it is written:
    the speakers of its turns and the register's people."""
    from communique.enrich.document import register

    names = [r[0] for r in index.store.query("SELECT DISTINCT speaker FROM turns") if r[0]]
    for person in register().people.values():
        names += [person.name, *person.names]
    out: dict[str, str] = {}
    for name in names:
        out.setdefault(name.casefold(), name)
        for word in _WORD.findall(name):
            out.setdefault(word.casefold(), word)
    return out


def _matches(index: SearchIndex, value: str) -> bool:
    return index.search(Query(MatchAll()), make_filters(speaker=value), limit=0).total > 0


def speaker_hints(
    index: SearchIndex, query: str, speakers: Sequence[str] | None
) -> list[SpeakerHint]:
    """The speaker values of ``query`` (``speaker:``) and of ``speakers`` that match no turn,
    each with the closest name that does (None when nothing is close)."""
    values = [*parse(query).filters.speaker] if query else []
    values += [v for v in speakers or [] if v.strip()]
    out: list[SpeakerHint] = []
    names: dict[str, str] | None = None
    for value in dict.fromkeys(v.strip() for v in values):
        if _matches(index, value):
            continue
        names = names if names is not None else known_names(index)
        close = difflib.get_close_matches(value.casefold(), list(names), n=5, cutoff=CUTOFF)
        suggestion = next((names[c] for c in close if _matches(index, names[c])), None)
        out.append(SpeakerHint(value, suggestion))
    return out


def hint_message(index: SearchIndex, query: str, speakers: Sequence[str] | None) -> str | None:
    """The hints of ``speaker_hints`` as one message, or None when every speaker matches."""
    hints = speaker_hints(index, query, speakers)
    return " ".join(h.message for h in hints) or None
