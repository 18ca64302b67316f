"""Enrichment of one document: who each speaker is, and which entities each turn names.

Runs in the ingest workers right after structuring (``ingest.pipeline.parse_raw``), so it is a
pure function of the document and the register. What needs other documents (language versions,
acronyms learned from the archive) is in ``enrich.corpus``.

The register is the shipped ``enrich/data/people.csv`` extended by the user's files named in
``$COMMUNIQUE_PEOPLE`` (paths separated by ``os.pathsep``; the format is described in
``enrich/people.py``). ``communique enrich`` re-applies it to the whole archive.
"""

from __future__ import annotations

import os
from functools import lru_cache

from communique.enrich.entities import matcher
from communique.enrich.people import Register, Resolution
from communique.model import Document, Mention, Turn

PEOPLE_ENV = "COMMUNIQUE_PEOPLE"


@lru_cache(maxsize=8)
def _register(paths: tuple[str, ...]) -> Register:
    return Register.load(*paths)


def register() -> Register:
    """The shipped register plus the user's files in ``$COMMUNIQUE_PEOPLE``."""
    value = os.environ.get(PEOPLE_ENV, "")
    return _register(tuple(p for p in value.split(os.pathsep) if p.strip()))


def person_of(value: str) -> str | None:
    """The person a search's ``speaker:`` value means: a register or derived id as it is
    (``sergey-lavrov``, ``outlet:reuters``), else the person the register resolves the name to
    (``Lavrov``, ``С.В.Лавров``, ``S. Lavrov``); None when no one (or several) fit."""
    value = value.strip()
    reg = register()
    if value in reg.people or value.startswith(("outlet:", "journalist:", "person:")):
        return value
    for candidate in dict.fromkeys((value, value.title())):  # "lavrov", "LAVROV" too
        found = reg.resolve(candidate)
        if found.person_id and found.match not in ("derived", "ambiguous", "none"):
            return found.person_id
    return None


def resolve_turn(turn: Turn, doc: Document, reg: Register) -> Resolution:
    """Who said ``turn``: its speaker as the document knows them, else its label."""
    return reg.resolve(
        turn.speaker or turn.label, lang=doc.lang, date=doc.date, publisher=doc.publisher,
        role=turn.role, affiliation=turn.affiliation,
    )  # fmt: skip


def enrich_document(doc: Document, reg: Register | None = None) -> Document:
    """Fill each turn's ``person`` and ``mentions`` (in place; returns ``doc``)."""
    reg = reg or register()
    find = matcher().find
    seen: dict[tuple[str | None, str | None, str, str | None], str | None] = {}
    for turn in doc.turns:
        key = (turn.speaker, turn.label, turn.role, turn.affiliation)
        if key not in seen:
            seen[key] = resolve_turn(turn, doc, reg).person_id
        turn.person = seen[key]
        turn.mentions = [Mention(m.start, m.end, m.entity) for m in find(turn.text, doc.lang)]
    return doc
