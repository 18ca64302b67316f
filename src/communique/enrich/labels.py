"""Names for the ``people`` and ``entities`` tables: the ids turns and mentions point at, with
the names a reader of the archive (Datasette, SQL) wants beside them.

A person's name is the register's (``enrich/data/people.csv`` and ``$COMMUNIQUE_PEOPLE``), else
the label the transcript prints; its kind is the register's (``official``, ``journalist``,
``outlet``), else the prefix of a derived id (``outlet:khabar-tv``). An entity's names are the
gazetteer's in English, Russian and Chinese; its kind is the prefix of its id (``country``,
``org``, ``person``). Every writer passes ``label_rows(doc)`` to ``SQLStore.put_document``,
which writes them with the turns, so the foreign keys ``turns.person`` and ``mentions.entity``
always resolve.
"""

from __future__ import annotations

from communique.enrich.document import register
from communique.enrich.entities import matcher
from communique.model import Document

PersonRow = tuple[str, str, str, str]  # id, name, kind, source (register | label)
EntityRow = tuple[str, str, str, str | None, str | None]  # id, kind, name, name_ru, name_zh


def label_rows(doc: Document) -> tuple[list[PersonRow], list[EntityRow]]:
    """The ``people`` and ``entities`` rows of ``doc``: what ``SQLStore.put_document`` takes."""
    return person_rows(doc), entity_rows(doc)


def person_rows(doc: Document) -> list[PersonRow]:
    """A row for every person the turns of ``doc`` point at."""
    people = register().people
    out: dict[str, PersonRow] = {}
    for turn in doc.turns:
        pid = turn.person
        if not pid or pid in out:
            continue
        known = people.get(pid)
        if known is not None:
            out[pid] = (pid, known.name, known.kind, "register")
        else:
            kind, sep, slug = pid.partition(":")
            name = turn.speaker or turn.affiliation or turn.label or slug.replace("-", " ")
            out[pid] = (pid, name, kind if sep else "unknown", "label")
    return list(out.values())


def entity_rows(doc: Document) -> list[EntityRow]:
    """A row for every entity the mentions of ``doc`` point at."""
    names = matcher().names
    out: dict[str, EntityRow] = {}
    for turn in doc.turns:
        for m in turn.mentions:
            if m.entity in out:
                continue
            kind, _, code = m.entity.partition(":")
            known = names.get(m.entity, {})
            out[m.entity] = (m.entity, kind or "unknown", known.get("en") or code or m.entity,
                             known.get("ru"), known.get("zh"))  # fmt: skip
    return list(out.values())
