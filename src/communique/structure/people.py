"""People and outlets named in a document's title and lead.

The principal (the official whose interview, briefing or speech it is) answers the questions;
others named are interviewers. Used for ``participants`` and to resolve labels such as
``MR. CARNEY`` or ``A`` to a name as best known from the document itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from communique.model import Participant
from communique.structure.labels import MEDIA_WORDS, PARTICLES, is_office_word, split_office

_TOKEN = r"(?:(?:[A-ZА-ЯЁ]\.){1,3}\s?[A-ZА-ЯЁ][\w\-]+|[A-ZА-ЯЁ][\w\-]*\.?)"
_RUN = re.compile(rf"{_TOKEN}(?:\s+(?:(?:of|the|bin|al|de|von|van)\s+)*{_TOKEN})*(?:’s|'s)?")
_TITLE_CASE_WORDS = {
    "after", "before", "meeting", "meetings", "with", "on", "at", "by", "for", "about", "during",
    "following", "officials", "visit", "trip", "joint", "regular", "daily", "online", "weekly",
    "special", "new", "year", "session", "summit", "talks", "press", "news", "the", "and",
}  # fmt: skip
_EVENT_WORDS = {
    "briefing",
    "conference",
    "availability",
    "gaggle",
    "statement",
    "statements",
    "release",
    "room",
    "office",
    "readout",
    "remarks",
    "interview",
}
_CJK_SPOKES = re.compile(r"发言人([\u4e00-\u9fff]{2,4}?)(?:主持|答|就|在|表示|的)")
_MONTHS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
}  # fmt: skip


@dataclass
class Named:
    name: str
    office: str | None
    affiliation: str | None = None
    possessive: bool = False  # named as "X’s interview": the document is theirs


def named_in(text: str | None) -> tuple[list[Named], list[str]]:
    """(people, outlets) named in a title or lead, in order of appearance."""
    if not text:
        return [], []
    people: list[Named] = []
    outlets: list[str] = []
    m = _CJK_SPOKES.search(text)
    if m:
        people.append(Named(m.group(1), "发言人"))
    for run in _RUN.finditer(text):
        possessive = run.group(0).endswith(("’s", "'s"))
        tokens = [re.sub(r"(’s|'s)$", "", t) for t in run.group(0).split()]
        while tokens and tokens[-1].casefold() in PARTICLES:
            tokens.pop()
        if not tokens:
            continue
        folded = [t.casefold().strip(".") for t in tokens]
        if any(t in _EVENT_WORDS for t in folded):
            continue
        if any(t in MEDIA_WORDS for t in folded) and not any(is_office_word(t) for t in tokens):
            if len(tokens) > 1 or folded[0] not in _TITLE_CASE_WORDS | {"media", "daily"}:
                outlets.append(" ".join(tokens))
            continue
        office_tokens = [t for t in tokens if is_office_word(t)]
        office, name = split_office(tokens)
        if not name or any(t.casefold() in _MONTHS | _TITLE_CASE_WORDS for t in name.split()):
            continue
        if len(name.split()) < 2 and not re.search(r"[A-ZА-ЯЁ]\.", name):
            continue  # a single capitalised word is more often a place than a person
        people.append(Named(name, office if office_tokens else None, possessive=possessive))
    return people, outlets


def principal_and_others(
    title: str | None, lead: str | None, speaker_hint: str | None
) -> tuple[Named | None, list[Named], list[str]]:
    """The principal speaker, everyone named, and outlets named, from title then lead."""
    people, outlets = named_in(title)
    lead_people, lead_outlets = named_in(lead)
    outlets += [o for o in lead_outlets if o not in outlets]
    for p in lead_people:
        if not any(same_person(p.name, q.name) for q in people):
            people.append(p)
    if speaker_hint and not any(same_person(speaker_hint, p.name) for p in people):
        people.append(Named(speaker_hint, None))
    principal = next((p for p in people if p.office), None) or (people[0] if people else None)
    if speaker_hint:
        hinted = next((p for p in people if same_person(speaker_hint, p.name)), None)
        principal = hinted or principal
    if len(outlets) == 1:
        for p in people:
            if p is not principal and not p.office:
                p.affiliation = outlets[0]
    return principal, people, outlets


def surname(name: str) -> str:
    parts = re.split(r"[\s.]+", name.strip())
    parts = [p for p in parts if p]
    return parts[-1].casefold() if parts else ""


def same_person(a: str | None, b: str | None) -> bool:
    """Loose match within one document: same surname (Russian case endings allowed), or equal."""
    if not a or not b:
        return False
    if a.casefold() == b.casefold():
        return True
    sa, sb = surname(a), surname(b)
    if len(sa) < 2 or len(sb) < 2:
        return False
    if sa == sb:
        return True
    short, long_ = sorted((sa, sb), key=len)
    return len(short) >= 4 and long_.startswith(short) and len(long_) - len(short) <= 2


def participants_from(
    principal: Named | None, people: list[Named], speakers: list[tuple[str, str | None]]
) -> list[Participant]:
    """Participants: people named in title/lead, then labelled speakers not yet listed."""
    out: list[Participant] = []
    for p in people:
        if re.search(r"[А-ЯЁа-яё]", p.name):
            continue  # names in Russian titles are inflected; the labels give the nominative
        spoke = any(same_person(p.name, name) for name, _ in speakers)
        if not (p.office or p.possessive or p.affiliation or spoke or p is principal):
            continue  # a capitalised run that may be a place or a body ("Natural Resources")
        out.append(Participant(name=p.name, title=p.office, affiliation=p.affiliation))
    for name, office in speakers:
        if not any(same_person(name, q.name) for q in out):
            out.append(Participant(name=name, title=office))
    return out
