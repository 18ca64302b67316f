"""A register of people and outlets, and speaker labels resolved to them.

The register ships as ``enrich/data/people.csv`` and ``enrich/data/leaders.csv`` (heads of
state and government, foreign ministers and White House officials, their roles read from corpus
titles such as "Telephone conversation with President of Kazakhstan Nursultan Nazarbayev") and
can be extended by the user with files in the
same plain CSV format (UTF-8, a header row, one *fact* a row)::

    id,kind,name,name_ru,name_zh,aliases,role,organisation,country,publisher,from,to,source
    sergey-lavrov,official,Sergey Lavrov,Сергей Лавров,,Sergei Lavrov|С.В.Лавров,Minister of
      Foreign Affairs,Ministry of Foreign Affairs of the Russian Federation,RU,mid.ru,2005-05-05,
      2025-04-01,http://en.kremlin.ru/events/president/news/33280 (...)

* ``id``: a stable slug (``sergey-lavrov``); outlets are ``outlet:<slug>`` (``outlet:reuters``),
  journalists ``journalist:<slug>``. Several rows with one id describe one person: the first sets
  the names, each row may add a role and aliases.
* ``kind``: ``official`` (default), ``journalist``, ``outlet`` or ``person``.
* ``name`` (English, as the person's page shows it), ``name_ru``, ``name_zh``, and ``aliases``
  (``|``-separated, any script: other spellings, surname-first forms, initials, pinyin).
* ``role``, ``organisation``, ``country`` (ISO 3166 alpha-2, checked with pycountry),
  ``publisher`` (the site whose pages carry this role's words: ``mid.ru``, ``fmprc.gov.cn``;
  the office labels of that site resolve to its holder, so a foreign head of state named in
  Kremlin titles has none), ``from`` and ``to`` (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; empty =
  open). In the shipped files ``from``/``to`` are the span the cited sources *attest*: the first
  and the last dated document that states the role, not the official term, unless the source
  says otherwise (US presidents and vice presidents: their terms, from noon on 20 January).
* ``source``: where the fact can be checked: a URL or corpus path, with the date and the words.

Later files override and extend earlier ones: a row whose id is known adds its aliases, and its
role (a role with the same title, organisation and ``from`` replaces the earlier one, so that a
user can close a range); a non-empty ``name`` replaces the display name.

:meth:`Register.resolve` turns a label or speaker into a :class:`Resolution`;
:func:`cluster_labels` groups an archive's labels into people, register people first, and lists
the merges a human should confirm.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date as date_
from functools import lru_cache
from pathlib import Path

import pycountry

from communique.enrich.names import (
    Match,
    NameKey,
    compare,
    fold,
    has_cjk,
    name_key,
    slug,
)
from communique.structure.labels import classify_label, is_office_word
from communique.structure.people import whole_name

__all__ = [
    "COLUMNS",
    "Cluster",
    "Clusters",
    "Person",
    "Register",
    "Resolution",
    "Role",
    "Uncertain",
    "cluster_labels",
]

SHIPPED = Path(__file__).with_name("data") / "people.csv"
# Heads of state and government, foreign ministers and other officials of the countries the
# corpus covers, each role with the corpus titles (or official pages) that state it.
LEADERS = SHIPPED.with_name("leaders.csv")
SHIPPED_FILES = (SHIPPED, LEADERS)
COLUMNS = (
    "id", "kind", "name", "name_ru", "name_zh", "aliases", "role", "organisation", "country",
    "publisher", "from", "to", "source",
)  # fmt: skip
KINDS = ("official", "journalist", "outlet", "person")
_CONFIDENCE = {
    Match.EXACT: 1.0,
    Match.LOOSE: 0.95,
    Match.TAIL: 0.9,
    Match.INITIALS: 0.9,
    Match.PREFIX: 0.7,
    Match.SURNAME: 0.6,
}
# Role titles that govern a country, by office.
GOVERNING = {
    "President": "head of state", "Acting President": "head of state", "King": "head of state",
    "Queen": "head of state", "Emir": "head of state", "Sultan": "head of state",
    "Prime Minister": "head of government", "Federal Chancellor": "head of government",
    "Chancellor": "head of government", "Premier of the State Council": "head of government",
    "Minister of Foreign Affairs": "foreign minister", "Secretary of State": "foreign minister",
}  # fmt: skip
_STOP = {"of", "the", "and", "for", "to", "on", "in", "mr", "ms", "mrs", "dr"}
_SYNONYMS = {"defense": "defence", "spokesman": "spokesperson", "spokeswoman": "spokesperson"}


def _lo(d: str) -> str:
    return d + "0000-01-01"[len(d) :] if d else ""


def _hi(d: str) -> str:
    return d + "9999-12-31"[len(d) :] if d else ""


@dataclass(frozen=True)
class Role:
    """One office held over a range of dates, with the source that states it."""

    title: str
    organisation: str | None = None
    country: str | None = None
    publisher: str | None = None
    start: str | None = None  # ISO date, maybe partial; None = open
    end: str | None = None
    source: str = ""

    def holds(self, date: str | None) -> bool:
        """True when ``date`` (ISO, maybe partial) falls within the range."""
        if not date:
            return False
        if self.start and _hi(date) < _lo(self.start):
            return False
        return not (self.end and _lo(date) > _hi(self.end))

    def title_words(self) -> set[str]:
        """The words of the title alone (``Vice President`` has ``vice``; ``President`` not)."""
        return _office_words(self.title)

    def words(self) -> set[str]:
        text = " ".join(
            p for p in (self.title, self.organisation, _country_name(self.country)) if p
        )
        return _office_words(text)


@lru_cache(maxsize=256)
def _country_name(code: str | None) -> str | None:
    if not code:
        return None
    c = pycountry.countries.get(alpha_2=code.upper()) or pycountry.countries.get(
        alpha_3=code.upper()
    )
    return f"{c.name} {getattr(c, 'official_name', '')}".strip() if c else None


def _office_words(text: str | None) -> set[str]:
    if not text:
        return set()
    words = re.findall(r"[a-z]+", text.casefold())
    return {_SYNONYMS.get(w, w)[:6] for w in words if w not in _STOP and len(w) > 1}


@dataclass
class Person:
    """A person or an outlet in the register."""

    id: str
    kind: str
    name: str
    names: list[str] = field(default_factory=list)  # every name and alias, any script
    roles: list[Role] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def roles_at(self, date: str | None, publisher: str | None = None) -> list[Role]:
        held = [r for r in self.roles if r.holds(date)]
        if publisher:
            held.sort(key=lambda r: r.publisher != publisher)
        return held

    def name_keys(self) -> list[NameKey]:
        return [k for k in (name_key(n) for n in [self.name, *self.names]) if k and k.has_name]


@dataclass(frozen=True)
class Resolution:
    """Who a label names.

    ``person_id`` is a register id (``sergey-lavrov``, ``outlet:reuters``), a derived id for
    outlets, journalists and other whole names not in the register (``outlet:khabar-tv``,
    ``journalist:maya-bekbayeva``, ``person:john-fraher``), or None (a role word such as ``Q``,
    a bare surname or an ambiguous name). ``role`` is the office held at ``date`` (None without
    a date or outside every range). ``match`` says how:
    exact, loose, initials, prefix, surname, office, office-named, outlet, cjk, derived,
    ambiguous, surname-only (a bare surname the date and publisher do not support), role-word,
    none. ``slug`` is the id the name would get if it were added to the register.
    """

    person_id: str | None
    kind: str  # official | journalist | outlet | person | unknown
    confidence: float
    name: str | None = None
    role: Role | None = None
    match: str = "none"
    candidates: tuple[str, ...] = ()
    slug: str | None = None


UNKNOWN = Resolution(None, "unknown", 0.0)


def _outlet_fold(text: str) -> str:
    t = text.casefold().strip()
    t = re.sub(r"(记者|的记者)$", "", t)
    t = re.sub(r"^the\s+", "", t)
    return re.sub(r"[\s.\-’'《》“”]+", "", t)


class Register:
    """People and outlets with their names and roles; resolves labels to them."""

    def __init__(self) -> None:
        self.people: dict[str, Person] = {}
        self._by_surname: dict[str, list[tuple[NameKey, str]]] = defaultdict(list)
        self._by_cjk: dict[str, str] = {}
        self._outlets: dict[str, str] = {}
        self._dirty = True

    # -- loading ----------------------------------------------------------------------------
    @classmethod
    def load(cls, *paths: str | Path, shipped: bool = True) -> Register:
        """The shipped register, then each user file in order (later files win)."""
        reg = cls()
        for path in (list(SHIPPED_FILES) if shipped else []) + [Path(p) for p in paths]:
            reg.read(path)
        return reg

    def read(self, path: str | Path) -> None:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = {"id", "name"} - set(reader.fieldnames or ())
            if missing:
                raise ValueError(f"{path}: missing columns {sorted(missing)}")
            for i, row in enumerate(reader, start=2):
                try:
                    self.add_row(row)
                except ValueError as e:
                    raise ValueError(f"{path}, line {i}: {e}") from None

    def add_row(self, row: dict[str, str | None]) -> None:
        """Add one fact (a CSV row as a dict; missing columns are empty)."""
        get = {k: (row.get(k) or "").strip() for k in COLUMNS}
        pid = get["id"]
        if not pid:
            raise ValueError("empty id")
        kind = get["kind"] or ("outlet" if pid.startswith("outlet:") else "official")
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        if get["country"] and not _country_name(get["country"]):
            raise ValueError(f"unknown country code {get['country']!r}")
        for d in ("from", "to"):
            if get[d] and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", get[d]):
                raise ValueError(f"bad date {get[d]!r} in {d!r}")
        person = self.people.get(pid)
        if person is None:
            if not get["name"]:
                raise ValueError(f"{pid}: a new id needs a name")
            person = self.people[pid] = Person(pid, kind, get["name"])
        elif get["name"] and get["name"] != person.name:
            person.names.append(person.name)
            person.name = get["name"]
        if row.get("kind"):
            person.kind = kind
        names = [get["name_ru"], get["name_zh"], *get["aliases"].split("|")]
        for n in (n.strip() for n in names):
            if n and n not in person.names and n != person.name:
                person.names.append(n)
        if get["role"]:
            role = Role(
                get["role"], get["organisation"] or None, get["country"] or None,
                get["publisher"] or None, get["from"] or None, get["to"] or None, get["source"],
            )  # fmt: skip
            same = (role.title, role.organisation, role.start)
            person.roles = [r for r in person.roles if (r.title, r.organisation, r.start) != same]
            person.roles.append(role)
        if get["source"] and get["source"] not in person.sources:
            person.sources.append(get["source"])
        self._dirty = True

    def _index(self) -> None:
        if not self._dirty:
            return
        self._by_surname.clear()
        self._by_cjk.clear()
        self._outlets.clear()
        for p in self.people.values():
            if p.kind == "outlet":
                for n in [p.name, *p.names]:
                    self._outlets[_outlet_fold(n)] = p.id
                continue
            for k in p.name_keys():
                if k.cjk:
                    self._by_cjk[k.cjk] = p.id
                    continue
                self._by_surname[k.fsurname].append((k, p.id))
                if k.fgiven:  # Chinese order in Latin: "Zhao Lijian" / "Lijian Zhao"
                    self._by_surname[k.fgiven].append((k, p.id))
        self._dirty = False

    # -- lookup ------------------------------------------------------------------------------
    def __contains__(self, pid: str) -> bool:
        return pid in self.people

    def __getitem__(self, pid: str) -> Person:
        return self.people[pid]

    def __len__(self) -> int:
        return len(self.people)

    def governs(self, country: str) -> list[dict[str, str | None]]:
        """Who governed ``country`` (ISO alpha-2, ``KZ``) as the register knows it: heads of
        state and government and foreign ministers, one entry per role, earliest first, each
        with its dates and source."""
        code = country.upper()
        out = []
        for p in self.people.values():
            for r in p.roles:
                office = GOVERNING.get(r.title)
                if office and (r.country or "").upper() == code:
                    out.append({"person": p.id, "name": p.name, "office": office,
                                "title": r.title, "from": r.start, "to": r.end,
                                "source": r.source})  # fmt: skip
        order = {o: i for i, o in enumerate(dict.fromkeys(GOVERNING.values()))}
        out.sort(key=lambda e: (order[e["office"] or ""], e["from"] or "", e["name"] or ""))
        return out

    def outlet(self, text: str) -> str | None:
        """The register id of an outlet named ``text`` (``Reuters``, ``路透社记者``), if any."""
        self._index()
        return self._outlets.get(_outlet_fold(text))

    def candidates(self, key: NameKey) -> dict[str, Match]:
        """Register people whose names may be ``key``'s, with the best match for each."""
        self._index()
        if key.cjk:
            pid = self._by_cjk.get(key.cjk)
            return {pid: Match.EXACT} if pid else {}
        out: dict[str, Match] = {}
        for k, pid in self._by_surname.get(key.fsurname, ()):
            m = compare(key, k)
            if m > Match.CONFLICT and m > out.get(pid, Match.CONFLICT):
                out[pid] = m
        return out

    def resolve(
        self,
        label: str | None,
        *,
        lang: str | None = None,
        date: str | None = None,
        publisher: str | None = None,
        role: str | None = None,
        affiliation: str | None = None,
        named: Iterable[str] = (),
    ) -> Resolution:
        """Who ``label`` (a turn's label or speaker) names.

        ``date`` picks the role held then and, with ``publisher``, settles surname-only labels
        between namesakes (``MR. IVANOV``); ``role`` is the turn's role: an unknown name that asks
        questions is a journalist; ``affiliation`` (an outlet) marks a journalist too. An office
        alone (``THE PRESIDENT``) is its holder at ``date``; in an undated document, the one
        holder of the office at ``publisher`` among the register ids in ``named`` (the people
        the document names), else the one whose term covers the spans of the officials it
        names, else nobody. An unknown whole name (given name and surname) that
        does not ask gets a derived ``person:`` id. ``lang`` is accepted for callers that know
        it; names are read by script.
        """
        del lang  # names are read by their script
        text = re.sub(r"[:：]\s*$", "", (label or "").strip()).strip()
        if not text:
            return UNKNOWN
        info = classify_label(text, from_markup=True)
        if info and info.category in ("question", "answer", "remark", "moderator"):
            outlet = info.office if info.category == "question" and has_cjk(text) else None
            if outlet:
                return self._outlet(outlet, certain=False)
            return Resolution(None, "unknown", 0.0, match="role-word")
        if self.outlet(text):
            return self._outlet(text, certain=True)
        if info and info.category == "outlet":
            return self._outlet(text, certain=False)
        key = name_key(text)
        if key is None:
            return UNKNOWN
        if not key.has_name:
            return self._by_office(key, date, publisher, named)
        found = self.candidates(key)
        if found:
            return self._pick(key, found, date, publisher)
        whole = _whole(key)
        sl = slug(whole.display if whole else key.display)
        if role == "question" or affiliation:
            return Resolution(f"journalist:{sl}", "journalist", 0.8, key.display, None, "derived",
                              slug=sl)  # fmt: skip
        if whole is not None and sl:
            return Resolution(f"person:{sl}", "person", 0.5, whole.display, None, "derived",
                              slug=sl)  # fmt: skip
        return Resolution(None, "unknown", 0.0, key.display, slug=sl)

    def _outlet(self, text: str, *, certain: bool) -> Resolution:
        pid = self.outlet(text)
        if pid:
            return Resolution(pid, "outlet", 1.0, self.people[pid].name, match="outlet")
        name = re.sub(r"记者$", "", text).strip()
        return Resolution(f"outlet:{slug(name)}", "outlet", 0.8 if certain else 0.7, name,
                          match="derived", slug=slug(name))  # fmt: skip

    def _by_office(
        self, key: NameKey, date: str | None, publisher: str | None, named: Iterable[str] = ()
    ) -> Resolution:
        """``THE PRESIDENT`` at whitehouse.gov in 2012: the one register person holding an
        office with those words then, on that publisher's pages. Every word of the role's title
        must be in the label or in the role's organisation other than its office words (``THE
        PRESIDENT`` is not the Vice President; ``PRESS SECRETARY`` is the White House Press
        Secretary, not the Principal Deputy). Without a date: the one holder, ever, among the
        people ``named``."""
        words = _office_words(key.office)
        if not words:
            return UNKNOWN

        def fits(r: Role) -> bool:
            if publisher and r.publisher != publisher:
                return False
            if not words <= r.words():
                return False
            place = " ".join(w for w in (r.organisation or "").split() if not is_office_word(w))
            return r.title_words() <= words | _office_words(place)

        if date:
            hits = {p.id: r for p in self.people.values() for r in p.roles_at(date, publisher)
                    if fits(r)}  # fmt: skip
            match, confidence = "office", 0.6
        else:
            wanted = set(named)
            hits = {p.id: r for p in self.people.values() if p.id in wanted for r in p.roles
                    if fits(r)}  # fmt: skip
            match, confidence = "office-named", 0.5
            if not hits:
                hits = self._holders_over(fits, wanted, publisher)
                match, confidence = "office-window", 0.4
        if len(hits) != 1:
            return Resolution(None, "unknown", 0.0, match="ambiguous" if hits else "none",
                              candidates=tuple(sorted(hits)))  # fmt: skip
        pid, r = next(iter(hits.items()))
        held = r if date else None
        return Resolution(pid, self.people[pid].kind, confidence, self.people[pid].name, held,
                          match)  # fmt: skip

    def _holders_over(
        self, fits: Callable[[Role], bool], named: set[str], publisher: str | None
    ) -> dict[str, Role]:
        """In an undated document: the holders of an office whose term covers every span in
        which the document's named officials of ``publisher`` held their roles there (``THE
        PRESIDENT`` in a press conference where Jay Carney, press secretary 2011-2014, gives
        the floor: Barack Obama)."""
        spans = [
            (_lo(r.start), _hi(r.end))
            for pid in named
            if pid in self.people
            for r in self.people[pid].roles
            if publisher and r.publisher == publisher and r.start and r.end and not fits(r)
        ]
        if not spans:
            return {}
        lo, hi = min(a for a, _ in spans), max(b for _, b in spans)
        return {
            p.id: r
            for p in self.people.values()
            for r in p.roles
            if fits(r) and r.start and _lo(r.start) <= lo and (not r.end or _hi(r.end) >= hi)
        }

    def _pick(
        self, key: NameKey, found: dict[str, Match], date: str | None, publisher: str | None
    ) -> Resolution:
        words = _office_words(key.office)

        def score(pid: str) -> float:
            p = self.people[pid]
            s = _CONFIDENCE[found[pid]]
            held = p.roles_at(date, publisher)
            if held:
                s += 0.02
                if publisher and held[0].publisher == publisher:
                    s += 0.01
            if publisher and any(r.publisher == publisher for r in p.roles):
                s += 0.025  # an official of this publisher's pages, over a namesake abroad
            if words and any(words <= r.words() for r in (held or p.roles)):
                s += 0.03
            return s

        ranked = sorted(found, key=score, reverse=True)
        best = ranked[0]
        top = score(best)
        tied = [pid for pid in ranked if abs(score(pid) - top) < 1e-9]
        if len(tied) > 1:
            near = _nearest_in_time(tied, [self.people[t] for t in tied], date, publisher)
            if near is None:
                return Resolution(None, "unknown", 0.0, key.display, match="ambiguous",
                                  candidates=tuple(sorted(tied)),
                                  slug=slug(key.display))  # fmt: skip
            best = near
            top -= 0.05  # settled by time alone
        p = self.people[best]
        held = p.roles_at(date, publisher)
        if found[best] == Match.SURNAME and (date or publisher):
            # "MR. CARNEY" is the register's Jay Carney where and when he speaks for an office:
            # a role held at the date, a role on this publisher's pages, or the label's office
            supported = (
                bool(held)
                or any(r.publisher == publisher for r in p.roles if publisher)
                or bool(words and any(words <= r.words() for r in p.roles))
            )
            if not supported:
                return Resolution(None, "unknown", 0.0, key.display, match="surname-only",
                                  candidates=(best,), slug=slug(key.display))  # fmt: skip
        kind = p.kind if p.kind in ("official", "journalist", "outlet") else "unknown"
        match = "cjk" if key.cjk else found[best].name.lower()
        return Resolution(best, kind, round(min(top, 1.0), 2), p.name, held[0] if held else None,
                          match, tuple(ranked[1:]), slug=best)  # fmt: skip


def _days(d: str) -> int:
    """Day number of an ISO date; a date that is no calendar day (``2009-02-30``) raises."""
    return date_.fromisoformat(d).toordinal()


def _nearest_in_time(
    ids: list[str], people: list[Person], date: str | None, publisher: str | None
) -> str | None:
    """Of namesakes none of whom holds a role at ``date``, the one whose roles at
    ``publisher`` are within two years of it while every other's are five years or more away
    (``MS. RICE`` in a 2013 briefing: Susan Rice, not Condoleezza Rice); else None."""
    try:
        return _nearest(ids, people, date, publisher) if date else None
    except ValueError:  # a date that is no calendar day settles nothing
        return None


def _nearest(ids: list[str], people: list[Person], date: str, publisher: str | None) -> str | None:
    when = _days(_lo(date))
    gaps = []
    for person in people:
        gap = None
        for r in person.roles:
            if publisher and r.publisher != publisher:
                continue
            lo = _days(_lo(r.start)) if r.start else -(10**9)
            hi = _days(_hi(r.end)) if r.end else 10**9
            g = 0 if lo <= when <= hi else min(abs(when - lo), abs(when - hi))
            gap = g if gap is None else min(gap, g)
        gaps.append(10**9 if gap is None else gap)
    order = sorted(range(len(ids)), key=lambda i: gaps[i])
    first, rest = gaps[order[0]], [gaps[i] for i in order[1:]]
    if first <= 2 * 366 and all(g >= first + 3 * 366 for g in rest):
        return ids[order[0]]
    return None


def _whole(key: NameKey) -> NameKey | None:
    """The key of the whole name in ``key`` (given name and surname), with words before it that
    no name has dropped (``Editor Lionel Barber`` -> ``Lionel Barber``, ``Senator Gillibrand``
    -> None); None when no whole name is left."""
    if key.cjk or not key.given:
        return None
    words = " ".join(w for w in (key.given, *key.others, key.surname) if w)
    whole = whole_name(words)
    found = name_key(whole) if whole else None
    return found if found is not None and found.given else None


@lru_cache(maxsize=1)
def default_register() -> Register:
    """The shipped register (cached)."""
    return Register.load()


# -- growing from the corpus ---------------------------------------------------------------------
@dataclass
class Cluster:
    """One person (or outlet) and the labels that name them."""

    id: str
    kind: str  # official | journalist | outlet | person
    name: str
    labels: list[tuple[str, str, int]] = field(default_factory=list)  # (label, lang, count)
    in_register: bool = False

    @property
    def count(self) -> int:
        return sum(c for _, _, c in self.labels)


@dataclass(frozen=True)
class Uncertain:
    """A merge made (or withheld) that a human should confirm."""

    label: str
    lang: str
    count: int
    into: str | None  # the cluster the label went to (None: kept apart)
    reason: str  # transliteration | spelling | prefix | surname-only | ambiguous | same-initial
    other: str  # the name or label it was matched with, or the candidates


@dataclass
class Clusters:
    people: dict[str, Cluster] = field(default_factory=dict)
    uncertain: list[Uncertain] = field(default_factory=list)
    skipped: list[tuple[str, str, int, str]] = field(default_factory=list)  # role words, no name
    assignment: dict[tuple[str, str], str] = field(default_factory=dict)  # (label, lang) -> id

    def person_of(self, label: str, lang: str = "") -> str | None:
        return self.assignment.get((label, lang))

    def _add(self, cid: str, kind: str, name: str, item: tuple[str, str, int], reg: bool) -> None:
        c = self.people.get(cid)
        if c is None:
            c = self.people[cid] = Cluster(cid, kind, name, in_register=reg)
        c.labels.append(item)
        self.assignment[(item[0], item[1])] = cid

    def to_rows(self) -> list[dict[str, str]]:
        """The people grown from the corpus (not in the register) as register CSV rows, for a
        human to review and load as a user file."""
        rows = []
        for c in sorted(self.people.values(), key=lambda c: -c.count):
            if c.in_register:
                continue
            aliases = sorted({lab for lab, _, _ in c.labels if lab != c.name})
            rows.append({
                "id": c.id, "kind": c.kind, "name": c.name, "aliases": "|".join(aliases),
                "source": f"corpus labels ({c.count} turns)",
            })  # fmt: skip
        return rows


_REASON = {Match.PREFIX: "prefix", Match.SURNAME: "surname-only", Match.INITIALS: "initials"}


def cluster_labels(
    labels: Iterable[tuple[str, str, int] | tuple[str, str, int, str | None]],
    register: Register | None = None,
) -> Clusters:
    """Group speaker labels into people.

    ``labels`` are ``(label, lang, count)`` tuples, optionally with a fourth item, the turns'
    usual role (``question`` makes an unknown name a journalist). Register people come first
    (:meth:`Register.resolve`); the rest are clustered by name key: labels with a given name
    join when their loose keys meet, then labels with initials or a surname only join the one
    compatible cluster of their surname. Merges that rest on transliteration or spelling alone,
    a given-name prefix or a bare surname, and labels that fit several clusters (same surname,
    compatible initials, different given names) are listed in ``uncertain``.
    """
    reg = register if register is not None else default_register()
    out = Clusters()
    counts: Counter[tuple[str, str]] = Counter()
    roles: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for item in labels:
        label, lang, n = item[0], item[1] or "", item[2]
        if not label or not label.strip():
            continue
        counts[(label, lang)] += n
        if len(item) > 3 and item[3]:
            roles[(label, lang)][item[3]] += n  # type: ignore[misc]

    pending: list[tuple[tuple[str, str, int], NameKey]] = []
    for (label, lang), n in counts.most_common():
        item = (label, lang, n)
        r = reg.resolve(label)
        if r.kind == "outlet" and r.person_id:
            out._add(r.person_id, "outlet", r.name or label, item, r.person_id in reg)
            continue
        if r.match == "role-word":
            out.skipped.append((label, lang, n, "role word"))
            continue
        if r.person_id and r.person_id in reg:
            out._add(r.person_id, reg[r.person_id].kind, reg[r.person_id].name, item, True)
            key = name_key(label)
            m = Match[r.match.upper()] if r.match.upper() in Match.__members__ else None
            confirmed = m == Match.SURNAME and _office_fits(key, reg[r.person_id])
            if m in _REASON and m != Match.INITIALS and not confirmed:
                out.uncertain.append(Uncertain(label, lang, n, r.person_id, _REASON[m],
                                               reg[r.person_id].name))  # fmt: skip
            elif key and key.script == "cyrillic" and not _same_script_name(key, reg[r.person_id]):
                out.uncertain.append(Uncertain(label, lang, n, r.person_id, "transliteration",
                                               reg[r.person_id].name))  # fmt: skip
            continue
        if r.match == "ambiguous":
            out.uncertain.append(Uncertain(label, lang, n, None, "ambiguous",
                                           " | ".join(r.candidates)))  # fmt: skip
        key = name_key(label)
        if key is None or not key.has_name:
            out.skipped.append((label, lang, n, "no name"))
            continue
        pending.append((item, key))

    _cluster_unknown(pending, out, roles)
    return out


def _office_fits(key: NameKey | None, person: Person) -> bool:
    """A surname-only label whose office words fit one of the person's roles (``SECRETARY
    POWELL`` and Secretary of State Colin Powell): no need to ask."""
    words = _office_words(key.office if key else None)
    return bool(words) and any(words <= r.words() for r in person.roles)


def _same_script_name(key: NameKey, person: Person) -> bool:
    """Whether a register name in the label's own script matches it (not transliteration)."""
    for n in [person.name, *person.names]:
        k = name_key(n)
        if k and k.script == key.script and compare(key, k) >= Match.INITIALS:
            return True
    return False


def _cluster_unknown(
    pending: list[tuple[tuple[str, str, int], NameKey]],
    out: Clusters,
    roles: dict[tuple[str, str], Counter[str]],
) -> None:
    groups: dict[str, list[tuple[tuple[str, str, int], NameKey]]] = defaultdict(list)
    for item, key in pending:
        groups[key.cjk or key.fsurname].append((item, key))
    for members in groups.values():
        anchors = [(it, k) for it, k in members if k.given or k.cjk]
        rest = [(it, k) for it, k in members if not (k.given or k.cjk)]
        # union-find over anchors whose keys meet loosely (or by prefix)
        parent = list(range(len(anchors)))

        def find(i: int, parent: list[int] = parent) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        notes: list[tuple[int, str, int]] = []  # (member, reason, matched with)
        for i in range(len(anchors)):
            for j in range(i):
                m = compare(anchors[i][1], anchors[j][1])
                if m >= Match.PREFIX:
                    if find(i) != find(j):
                        parent[find(i)] = find(j)
                    if m == Match.PREFIX:
                        notes.append((i, "prefix", j))
                    elif m == Match.LOOSE:
                        cross = anchors[i][1].script != anchors[j][1].script
                        notes.append((i, "transliteration" if cross else "spelling", j))
        heads: dict[int, list[int]] = defaultdict(list)
        for i in range(len(anchors)):
            heads[find(i)].append(i)
        cluster_of: dict[int, str] = {}
        for members_i in heads.values():
            lead = max(members_i, key=lambda i: (anchors[i][1].script == "latin", anchors[i][0][2]))
            items = [anchors[i][0] for i in members_i]
            cid = _new_id(out, anchors[lead][1], items, roles)
            for i in members_i:
                cluster_of[i] = cid
                out._add(cid, _kind(items, roles), anchors[lead][1].display, anchors[i][0], False)
        for i, reason, j in notes:
            it = anchors[i][0]
            out.uncertain.append(Uncertain(it[0], it[1], it[2], cluster_of[i], reason,
                                           anchors[j][0][0]))  # fmt: skip
        # different given names, same surname and initial (Mike/Michael Froman): kept apart, asked
        heads_list = list(heads.values())
        for x in range(len(heads_list)):
            for y in range(x):
                kx, ky = anchors[heads_list[x][0]][1], anchors[heads_list[y][0]][1]
                if kx.initials[:1] and kx.initials[:1] == ky.initials[:1] and not kx.cjk:
                    small, big = sorted((heads_list[x], heads_list[y]), key=lambda h: sum(
                        anchors[i][0][2] for i in h))  # fmt: skip
                    it = anchors[small[0]][0]
                    out.uncertain.append(Uncertain(it[0], it[1], it[2], None, "same-initial",
                                                   cluster_of[big[0]]))  # fmt: skip
        # initials-only and surname-only labels: the one compatible cluster, or their own
        by_cluster: dict[str, list[NameKey]] = defaultdict(list)
        for i, cid in cluster_of.items():
            by_cluster[cid].append(anchors[i][1])
        for it, k in rest:
            fits = {
                cid: max(compare(k, a) for a in keys)
                for cid, keys in by_cluster.items()
                if max(compare(k, a) for a in keys) >= Match.SURNAME
            }
            if len(fits) == 1:
                cid, m = next(iter(fits.items()))
                out._add(cid, out.people[cid].kind, out.people[cid].name, it, False)
                if m == Match.SURNAME:
                    out.uncertain.append(Uncertain(it[0], it[1], it[2], cid, "surname-only",
                                                   out.people[cid].name))  # fmt: skip
                continue
            if len(fits) > 1:
                out.uncertain.append(Uncertain(it[0], it[1], it[2], None, "ambiguous",
                                               " | ".join(sorted(fits))))  # fmt: skip
            cid = _new_id(out, k, [it], roles)
            out._add(cid, _kind([it], roles), k.display, it, False)
            by_cluster[cid].append(k)


def _kind(items: list[tuple[str, str, int]], roles: dict[tuple[str, str], Counter[str]]) -> str:
    c: Counter[str] = Counter()
    for label, lang, _ in items:
        c.update(roles.get((label, lang), Counter()))
    if not c:
        return "person"
    return "journalist" if c.most_common(1)[0][0] == "question" else "person"


def _new_id(
    out: Clusters,
    key: NameKey,
    items: list[tuple[str, str, int]],
    roles: dict[tuple[str, str], Counter[str]],
) -> str:
    prefix = "journalist" if _kind(items, roles) == "journalist" else "person"
    base = f"{prefix}:{slug(key.display) or fold(key.surname)}"
    cid, n = base, 2
    while cid in out.people:
        cid, n = f"{base}-{n}", n + 1
    return cid
