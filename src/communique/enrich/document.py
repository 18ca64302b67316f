"""Enrichment of one document: who each speaker is, and which entities each turn names.

Runs in the ingest workers right after structuring (``ingest.pipeline.parse_raw``), so it is a
pure function of the document and the register. What needs other documents (language versions,
acronyms learned from the archive) is run over the store by ``ingest.enrichment``.

The register is the shipped ``enrich/data/people.csv`` extended by the user's files named in
``$COMMUNIQUE_PEOPLE`` (paths separated by ``os.pathsep``; the format is described in
``enrich/people.py``). ``communique enrich`` re-applies it to the whole archive.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from itertools import pairwise

from communique.enrich.entities import matcher
from communique.enrich.names import name_key, slug
from communique.enrich.people import Register, Resolution
from communique.model import Document, Mention, Turn
from communique.structure.labels import is_office_word
from communique.structure.turns import QA_KINDS

PEOPLE_ENV = "COMMUNIQUE_PEOPLE"


@lru_cache(maxsize=8)
def _register(paths: tuple[str, ...]) -> Register:
    return Register.load(*paths)


def _user_files() -> tuple[str, ...]:
    return tuple(p for p in os.environ.get(PEOPLE_ENV, "").split(os.pathsep) if p.strip())


def register() -> Register:
    """The shipped register plus the user's files in ``$COMMUNIQUE_PEOPLE``."""
    return _register(_user_files())


def person_of(value: str) -> str | None:
    """The person a search's ``speaker:`` value means: a register or derived id as it is
    (``sergey-lavrov``, ``outlet:reuters``), else the person the register resolves the name to
    (``Lavrov``, ``С.В.Лавров``, ``S. Lavrov``); None when no one (or several) fit. Cached: a
    search asks it for every speaker filter."""
    return _person_of(value.strip(), _user_files())


@lru_cache(maxsize=8)
def _exact_names(files: tuple[str, ...]) -> dict[str, str]:
    """Every id, name and alias of the register, casefolded, to its person id."""
    out: dict[str, str] = {}
    for person in _register(files).people.values():
        for name in (person.id, person.name, *person.names):
            out.setdefault(name.casefold(), person.id)
    return out


@lru_cache(maxsize=4096)
def _person_of(value: str, files: tuple[str, ...]) -> str | None:
    if value.startswith(("outlet:", "journalist:", "person:")):
        return value
    exact = _exact_names(files).get(value.casefold())
    if exact is not None:
        return exact
    reg = _register(files)
    for candidate in dict.fromkeys((value, value.title())):  # "lavrov", "LAVROV" too
        found = reg.resolve(candidate)
        if found.person_id and found.match not in ("derived", "ambiguous", "none"):
            return found.person_id
    return None


def resolve_turn(
    turn: Turn,
    doc: Document,
    reg: Register,
    named: tuple[str, ...] = (),
    hosts: frozenset[str] = frozenset(),
) -> Resolution:
    """Who said ``turn``: its speaker as the document knows them, else its label. ``named``:
    the register ids the document names (for an office label in an undated document). An
    unknown name that asks is a journalist where journalists ask (interviews, briefings, press
    conferences) or when it hosts the session (``hosts``: speakers with a moderator turn, a
    forum panel's TV host); a meeting's guest who asks the President something is not."""
    journalistic = doc.kind in QA_KINDS or turn.speaker in hosts
    role = turn.role if journalistic or turn.role != "question" else None
    return reg.resolve(
        turn.speaker or turn.label, lang=doc.lang, date=doc.date, publisher=doc.publisher,
        role=role, affiliation=turn.affiliation, named=named,
    )  # fmt: skip


def _named_in(doc: Document, reg: Register) -> tuple[str, ...]:
    """Register people the document names as its participants (title, lead, speakers), or in
    its title by office and surname (``Press Conference by President Obama``). The people its
    turns only mention are left out: a briefing quotes former presidents."""
    names = [p.name for p in doc.participants]
    words = re.findall(r"[\w’'-]+", doc.title or "")
    names += [f"{a} {b}" for a, b in pairwise(words)
              if is_office_word(a) and b[:1].isupper() and not is_office_word(b)]  # fmt: skip
    ids: dict[str, None] = {}
    for name in names:
        r = reg.resolve(name)
        if r.person_id is not None and r.person_id in reg:
            ids[r.person_id] = None
    return tuple(ids)


def _asking_outlet(turn: Turn, reg: Register) -> str | None:
    """The outlet of a question nobody in particular asks for it: a follow-up after an
    outlet's question ("Follow-up:" after "The Australian:"), an outlet label the register does
    not know ("The Australian")."""
    if turn.speaker or not turn.affiliation or turn.role != "question":
        return None
    return reg.outlet(turn.affiliation) or f"outlet:{slug(turn.affiliation)}"


def _one_id_per_name(doc: Document) -> None:
    """A name not in the register that asks questions in the document is a journalist in all
    its turns there (``person:megyn-kelly`` -> ``journalist:megyn-kelly``)."""
    asked = {t.person.partition(":")[2] for t in doc.turns if t.person and
             t.person.startswith("journalist:")}  # fmt: skip
    for turn in doc.turns:
        if turn.person and turn.person.startswith("person:") and turn.person[7:] in asked:
            turn.person = "journalist:" + turn.person[7:]


def _same_surname(doc: Document, reg: Register) -> None:
    """A bare surname left unresolved (``MR. McDONOUGH``) is the one person of the document
    with that surname whom another turn names in full."""
    people: dict[str, set[str]] = {}
    for turn in doc.turns:
        key = name_key(turn.speaker or turn.label) if turn.person else None
        if key and key.surname and (key.given or turn.person in reg):
            people.setdefault(key.fsurname, set()).add(turn.person)  # type: ignore[arg-type]
    for turn in doc.turns:
        if turn.person or turn.role == "question":
            continue
        key = name_key(turn.speaker or turn.label)
        if key and key.surname and not key.given and not key.initials:
            found = people.get(key.fsurname, set())
            if len(found) == 1:
                turn.person = next(iter(found))


def enrich_document(doc: Document, reg: Register | None = None) -> Document:
    """Fill each turn's ``person`` and ``mentions`` (in place; returns ``doc``)."""
    reg = reg or register()
    find = matcher().find
    for turn in doc.turns:
        turn.mentions = [Mention(m.start, m.end, m.entity) for m in find(turn.text, doc.lang)]
    named = _named_in(doc, reg) if not doc.date else ()
    hosts = frozenset(t.speaker for t in doc.turns if t.role == "moderator" and t.speaker)
    seen: dict[tuple[str | None, str | None, str, str | None], str | None] = {}
    for turn in doc.turns:
        key = (turn.speaker, turn.label, turn.role, turn.affiliation)
        if key not in seen:
            seen[key] = resolve_turn(turn, doc, reg, named, hosts).person_id
        turn.person = seen[key] or _asking_outlet(turn, reg)
    _same_surname(doc, reg)
    _one_id_per_name(doc)
    return doc
