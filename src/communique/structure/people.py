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
from communique.structure.name_words import (
    CONNECTORS,
    TITLE_CASE_WORDS,
    places,
    plain_word,
)

_TOKEN = (
    r"(?:(?:[A-ZА-ЯЁ]\.){1,3}\s?[A-ZА-ЯЁ][\w\-]+|(?:(?:el|al|ad|as|bin|ibn|abu)-)?[A-ZА-ЯЁ][\w\-]*\.?)"
)
_JOIN = r"(?:of|the|bin|ibn|al|el|de|da|dos|du|del|della|di|von|van|der|den|la|le|y)"
_RUN = re.compile(rf"{_TOKEN}(?:\s+(?:{_JOIN}\s+)*{_TOKEN})*(?:’s|'s)?")
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
_NAME_JOINERS = {
    "bin", "ibn", "al", "el", "de", "da", "dos", "du", "del", "della", "di", "von", "van",
    "der", "den", "la", "le", "y",
}  # fmt: skip
# "外交部发言人耿爽答记者问", "外交部发言人耿爽2月15日答记者问" (a date between name and verb)
_CJK_SPOKES = re.compile(
    r"发言人([\u4e00-\u9fff]{2,4}?)(?:\s*\d{1,2}\s*月\s*\d{1,2}\s*日)?(?:主持|答|就|在|表示|的)"
)


def not_a_name_word(token: str) -> bool:
    """A word that is no part of a person's name: a plain word or an office word."""
    return plain_word(token) or is_office_word(token)


@dataclass
class Named:
    name: str
    office: str | None
    affiliation: str | None = None
    possessive: bool = False  # named as "X’s interview": the document is theirs


def _pieces(tokens: list[str]) -> list[list[str]]:
    """A run cut at title-case connectors ("Aboard", "En Route"): each piece read alone."""
    out: list[list[str]] = [[]]
    for tok in tokens:
        if tok.casefold().strip(".,") in CONNECTORS:
            out.append([])
        else:
            out[-1].append(tok)
    return [p for p in out if p]


def whole_name(name: str | None) -> str | None:
    """``name`` if it reads as a whole person's name, else None.

    Words before the name that no name has are dropped: job nouns, office words, and words of
    things, places, bodies and events (``Speechwriter Ben Rhodes`` -> ``Ben Rhodes``, ``Strategic
    Communications Ben Rhodes`` -> ``Ben Rhodes``). What is left must be two to five
    capitalised words (name particles such as ``bin`` or ``el-`` aside), or initials and a
    surname, with no number or code in it (``AF1``): ``Air Force One`` and ``Cup International
    Competition`` are nobody.
    """
    if not name:
        return None
    tokens = name.split()
    mixed = not all(t.isupper() for t in tokens)
    cut = max(
        (i for i, t in enumerate(tokens)
         if not_a_name_word(t) or (mixed and len(t) > 2 and t.isupper())),  # "ISIL Brett McGurk"
        default=-1,
    )  # fmt: skip
    tokens = tokens[cut + 1 :]
    while tokens and tokens[0].casefold() in _NAME_JOINERS:
        tokens = tokens[1:]
    words = [t for t in tokens if t.casefold() not in _NAME_JOINERS]
    if not words or len(words) > 5:
        return None
    initials = re.match(r"^(?:[A-ZА-ЯЁ]\.){1,3}\s?[A-ZА-ЯЁ]", " ".join(words))
    if len(words) < 2 and not initials:
        return None
    for w in words:
        if re.search(r"\d", w) or not re.match(r"^(?:(?:el|al|ad|as|bin|ibn|abu)-)?[A-ZА-ЯЁ]", w):
            return None
        if len(w) > 2 and w.isupper() and not re.fullmatch(r"(?:[A-ZА-ЯЁ]\.)+", w):
            return None  # an acronym (AF1, CSTO); all-caps labels are read elsewhere
    if tokens[-1].casefold() in _NAME_JOINERS:
        return None  # a name cut short after "bin"
    return " ".join(tokens)


def _office_and_name(tokens: list[str]) -> tuple[str | None, str | None]:
    """(office, name) of a run of title-case words; the name whole or None.

    The office is the words up to the last office word, with its object ("of Colombia", "of the
    United Arab Emirates"); the name is what follows. When the object's end is not clear (more
    capitalised words follow than a place name and a name can hold), the name is None: never a
    name cut short ("President of Colombia Juan") or one that holds a place.
    """
    last = max((i for i, t in enumerate(tokens) if is_office_word(t)), default=-1)
    if last < 0:
        return None, whole_name(" ".join(tokens))
    rest = tokens[last + 1 :]
    office = tokens[: last + 1]
    if rest and rest[0].casefold() == "of":
        obj = rest[1:]
        if obj and obj[0].casefold() == "the":
            obj = obj[1:]
        place = _place_prefix(obj)
        if place == 0:
            return " ".join(tokens), None
        office = tokens[: last + 1 + (len(rest) - len(obj)) + place]
        rest = obj[place:]
    name = whole_name(" ".join(rest))
    return " ".join(office), name


def _place_prefix(tokens: list[str]) -> int:
    """How many leading tokens name a place (a country, in any of its usual English names)."""
    folded = [t.casefold().strip(".,") for t in tokens]
    for n in range(min(len(tokens), 6), 0, -1):
        if " ".join(folded[:n]) in places():
            return n
    # an unknown place of one word ("of Bavaria"), when a two-word name follows it
    two_word_name = len(tokens) == 3 or (len(tokens) >= 4 and tokens[2].casefold() in _NAME_JOINERS)
    return 1 if two_word_name else 0


def _name_of_outlet(tokens: list[str]) -> tuple[str, str] | None:
    """(name, outlet) of "George Stephanopoulos of ABC This Week", "Chuck Todd of NBC": a whole
    name, "of", and an outlet (an acronym or a media word first)."""
    if "of" not in tokens:
        return None
    i = tokens.index("of")
    head, tail = tokens[:i], tokens[i + 1 :]
    if not head or not tail or any(is_office_word(t) for t in head):
        return None
    name = " ".join(head)
    if whole_name(name) != name:
        return None
    first = tail[0].strip(".,")
    acronym = first.isupper() and first.isalpha() and 2 <= len(first) <= 6
    if not (acronym or any(t.casefold().strip(".,") in MEDIA_WORDS for t in tail)):
        return None
    return name, " ".join(tail)


def _after_office(name: str, run: list[str]) -> str:
    """A name of three words (four right after a particle) that follows an office's words
    (``run``: the text's words up to the end of the name), cut as a label's is
    (``labels.split_office``): "Head of the Federal Agency for Fishery Ilya Shestakov" names
    Ilya Shestakov, not "Fishery Ilya Shestakov", and "... for Financial Monitoring Yury
    Chikhanchin" Yury Chikhanchin (the words before the name are the office's object). Only
    when nothing but capitalised words and particles stands between the office word and the
    name; "President of Turkey Recep Tayyip Erdogan", longer names ("Aung San Suu Kyi") and
    names with initials ("George W. Bush") stay whole."""
    words = name.split()
    n = len(words)
    if n not in (3, 4) or any(re.fullmatch(r"(?:\w\.)+", w) for w in words):
        return name
    start = next((i for i in range(len(run) - n, -1, -1) if run[i : i + n] == words), None)
    if start is None or (n == 4 and (start == 0 or run[start - 1] not in PARTICLES)):
        return name  # four words only as a particle's object: "for Financial Monitoring Yury X"
    office = max(
        (i for i in range(start) if is_office_word(run[i]) and run[i].casefold() != "the"),
        default=None,
    )
    if office is None or not all(
        t[:1].isupper() or t.casefold() in PARTICLES for t in run[office + 1 : start]
    ):
        return name
    _office, cut = split_office(run[office : start + n])
    return cut if cut and len(cut.split()) == 2 and name.endswith(" " + cut) else name


def named_in(text: str | None) -> tuple[list[Named], list[str]]:
    """(people, outlets) named in a title or lead, in order of appearance; people by their
    whole names only."""
    if not text:
        return [], []
    text = text.replace("\u00a0", " ")
    people: list[Named] = []
    outlets: list[str] = []
    m = _CJK_SPOKES.search(text)
    if m:
        people.append(Named(m.group(1), "发言人"))
    for run in _RUN.finditer(text):
        possessive = run.group(0).endswith(("’s", "'s"))
        all_tokens = [re.sub(r"(’s|'s)$", "", t) for t in run.group(0).split()]
        for tokens in _pieces(all_tokens):
            while tokens and tokens[-1].casefold() in PARTICLES:
                tokens.pop()
            if not tokens:
                continue
            folded = [t.casefold().strip(".") for t in tokens]
            if any(t in _EVENT_WORDS for t in folded):
                continue
            of_outlet = _name_of_outlet(tokens)
            if of_outlet is not None:  # "George Stephanopoulos of ABC This Week"
                people.append(Named(of_outlet[0], None, affiliation=of_outlet[1]))
                outlets.append(of_outlet[1])
                continue
            if any(t in MEDIA_WORDS for t in folded) and not any(is_office_word(t) for t in tokens):
                if len(tokens) > 1 or folded[0] not in TITLE_CASE_WORDS | {"media", "daily"}:
                    outlets.append(" ".join(tokens))
                continue
            office_tokens = [t for t in tokens if is_office_word(t)]
            office, name = _office_and_name(tokens)
            if not name:
                continue
            name = _after_office(name, text[: run.end()].split())
            if re.search(r"[А-ЯЁа-яё]", name) is None and not any(
                t[:1].isupper() for t in name.split()
            ):
                continue
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
