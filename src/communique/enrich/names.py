"""Person names as comparable keys: one person, many labels.

:func:`name_key` reads a speaker label or name (``Sergey Lavrov``, ``S.Lavrov``,
``С.В.Лавров``, ``Foreign Minister Sergey Lavrov``, ``Лавров Сергей Викторович``,
``MR. CARNEY``, ``耿爽``) and returns a :class:`NameKey`:

* office titles are taken off with the label reader's own helpers
  (:func:`communique.structure.labels.split_office`, ``is_office_word``), honorifics
  (Mr., Ms., Dr., г-н, господин, ...) are dropped;
* Cyrillic is transliterated to Latin with ``iuliia`` (the ``WIKIPEDIA`` schema: Сергей ->
  Sergey, Юрий -> Yury, Мария -> Mariya), never with a hand-written table;
* initials (``S.``, ``С.В.``) are kept as initials, full given names as names; a Russian
  patronymic (-вич, -вна, -ична / -vich, -vna, -ichna) is recognised and set apart, so that
  surname-first order (``Лавров Сергей Викторович``, ``Lavrov S.V.``) is read correctly;
* Chinese names (a run of CJK characters, ``耿爽``) are kept as written (no pinyin here: a
  Chinese name and its pinyin are linked through the register's aliases).

Loose comparison (:func:`fold`): after transliteration, each word is folded so that the usual
alternate Latin spellings of Russian names meet: ``y``/``j`` -> ``i``, a doubled ``ii`` -> ``i``
(Sergey/Sergei/Sergej -> ``sergei``, Yury/Yuri/Yuriy -> ``iuri``, Maria/Mariya -> ``maria``,
Dmitry/Dmitriy -> ``dmitri``), ``x`` -> ``ks`` (Alexei/Aleksey), ``yo``/``ё`` -> ``e``
(Fyodor/Fedor), a leading ``ye`` -> ``e`` (Yevgeny/Evgeny), ``kh`` -> ``h``, doubled letters
single, accents dropped. The folding is deliberately coarse: it decides which labels *may* be the
same person; :func:`compare` then says how sure that is.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from enum import IntEnum

import iuliia

from communique.structure.labels import HONORIFICS, OFFICE_WORDS, is_office_word, split_office

__all__ = [
    "Match",
    "NameKey",
    "compare",
    "fold",
    "has_cjk",
    "has_cyrillic",
    "name_key",
    "slug",
    "transliterate",
]

_CYRILLIC = re.compile(r"[А-ЯЁа-яё]")
_CJK = re.compile(r"[\u3400-\u9fff]")
_CJK_NAME = re.compile(r"^[\u3400-\u9fff·•]{2,6}$")
# Russian patronymics, in Cyrillic and in Latin transliteration.
_PATRONYMIC = re.compile(
    r"(?:[оеё]вич|[оеё]вна|ьич|ична|инична|vich|vna|yevna|ichna|inichna)$", re.I
)
_HONORIFIC_WORDS = HONORIFICS | {"mister", "miss", "mme", "m", "herr", "frau", "dame", "lord"}
# Words that may trail a name and are not part of it ("Jr.", "(as translated)").
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "phd"}
_INITIALS_GLUED = re.compile(r"^((?:[A-ZА-ЯЁ]\.\s?){1,3})([A-ZА-ЯЁ][\w’'\-]+)$")
_INITIAL = re.compile(r"^[A-ZА-ЯЁ]\.?$")
_INITIAL_RUN = re.compile(r"^(?:[A-ZА-ЯЁ]\.){1,3}$")


def has_cyrillic(text: str) -> bool:
    return bool(_CYRILLIC.search(text))


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def transliterate(text: str) -> str:
    """Cyrillic to Latin with iuliia's WIKIPEDIA schema (Latin text is returned unchanged)."""
    if not has_cyrillic(text):
        return text
    return iuliia.WIKIPEDIA.translate(text)


def _ascii(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def fold(word: str) -> str:
    """One name word folded for loose comparison (see the module docstring)."""
    w = _ascii(transliterate(word)).casefold()
    w = re.sub(r"[^a-z]", "", w)
    if not w:
        return ""
    w = w.replace("kh", "h").replace("x", "ks").replace("yo", "e").replace("jo", "e")
    if w.startswith("ye"):
        w = w[1:]
    w = w.replace("j", "i").replace("y", "i")
    w = re.sub(r"(.)\1+", r"\1", w)  # doubled letters once: ii, ss, ll
    return w


def slug(text: str) -> str:
    """A stable ASCII slug for an id: ``Sergey Lavrov`` -> ``sergey-lavrov``."""
    s = _ascii(transliterate(text)).casefold()
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    if not s and has_cjk(text):
        s = "zh-" + "-".join(f"{ord(c):x}" for c in text if has_cjk(c))
    return s


@dataclass(frozen=True)
class NameKey:
    """What a label says about a person's name, in comparable form.

    ``surname`` and ``given`` are transliterated and title-cased as written (``Lavrov``,
    ``Sergey``); ``fsurname``/``fgiven`` their loose folds. ``initials`` are the folded first
    letters of the given name(s) and patronymic as written or derived (``("s", "v")``).
    For a Chinese name, ``cjk`` holds it verbatim and ``surname`` is empty.
    """

    raw: str
    surname: str = ""
    given: str | None = None
    patronymic: str | None = None
    initials: tuple[str, ...] = ()
    cjk: str | None = None
    office: str | None = None
    honorific: str | None = None
    script: str = "latin"  # latin | cyrillic | cjk
    others: tuple[str, ...] = field(default=())  # middle names beyond the first

    @property
    def fsurname(self) -> str:
        return fold(self.surname)

    @property
    def fgiven(self) -> str | None:
        return fold(self.given) if self.given else None

    @property
    def has_name(self) -> bool:
        return bool(self.surname or self.cjk)

    @property
    def display(self) -> str:
        """The name as a person's page would show it (Latin, given name first)."""
        if self.cjk:
            return self.cjk
        first = self.given or " ".join(f"{i.upper()}." for i in self.initials[:1])
        return " ".join(p for p in (first, self.surname) if p)

    @property
    def strict(self) -> str:
        """Exact key: transliterated words as spelled, case-folded (Sergey vs Sergei differ)."""
        if self.cjk:
            return self.cjk
        return f"{_ascii(self.surname).casefold()}|{_ascii(self.given or '').casefold()}"

    @property
    def loose(self) -> str:
        """Loose key: folded surname and given name (Sergey and Sergei meet)."""
        if self.cjk:
            return self.cjk
        return f"{self.fsurname}|{self.fgiven or ''}"


def _clean_tokens(text: str) -> list[str]:
    text = text.replace("\u00a0", " ").replace("\u3000", " ")
    text = re.sub(r"\((?:[^()]*)\)", " ", text)  # "(as translated)", "(через переводчика)"
    text = re.sub(r"[:：]\s*$", "", text.strip())
    # "S.Lavrov", "С.В.Лавров": split initials glued to the surname
    tokens: list[str] = []
    for tok in text.split():
        m = _INITIALS_GLUED.match(tok)
        if m:
            tokens += [f"{c}." for c in re.findall(r"[A-ZА-ЯЁ]", m.group(1))]
            tokens.append(m.group(2))
        elif _INITIAL_RUN.match(tok) and len(tok) > 2:
            tokens += [f"{c}." for c in re.findall(r"[A-ZА-ЯЁ]", tok)]  # "S.V."
        else:
            tokens.append(tok)
    return [t.strip(",;") for t in tokens if t.strip(",;")]


def _titlecase(word: str) -> str:
    """ALL-CAPS names as written in title case: CARNEY -> Carney, McDONOUGH -> McDonough."""
    if word.isupper() and len(word) > 1:
        return "-".join(p.capitalize() for p in word.split("-"))
    m = re.fullmatch(r"(Mc|Mac|La|De|Di|O')([A-Z][A-Z'\-]+)", word)
    return m.group(1) + m.group(2).capitalize() if m else word


def _is_initial(tok: str) -> bool:
    return bool(_INITIAL.match(tok)) and (tok.endswith(".") or len(tok) == 1)


def name_key(label: str | None) -> NameKey | None:
    """The name key of a label or name, or None when it names nobody (``Question``, ``A``,
    ``THE PRESIDENT`` has an office and no name: it gives a key with ``office`` only)."""
    if not label or not label.strip():
        return None
    raw = label.strip()
    text = re.sub(r"[:：]\s*$", "", raw).strip()
    if has_cjk(text):
        core = re.sub(r"\s+", "", re.sub(r"[（(][^）)]*[）)]", "", text))
        if _CJK_NAME.match(core):
            return NameKey(raw, cjk=core, script="cjk")
        return None
    tokens = _clean_tokens(text)
    if not tokens:
        return None
    # "Д.Медведев Медведев Дмитрий Анатольевич...": a label that opens with initials and a
    # surname is that name; what follows is the page's caption run into it.
    run = 0
    while run < len(tokens) and _is_initial(tokens[run]):
        run += 1
    if 0 < run < len(tokens) - 1 and not _is_initial(tokens[run + 1]):
        tokens = tokens[: run + 1]
    honorific = None
    kept: list[str] = []
    for tok in tokens:
        low = tok.casefold().strip(".")
        if low in _HONORIFIC_WORDS and not kept:
            honorific = tok
            continue
        kept.append(tok)
    while kept and kept[-1].casefold().strip(".") in _SUFFIXES:
        kept.pop()
    if not kept:
        return None
    # Office titles: "Foreign Minister Sergey Lavrov", "SECRETARY POWELL", "President of Russia
    # Vladimir Putin". Initials are not office words; keep them out of split_office's way.
    office, name_tokens = _split_office_keep_initials(kept)
    if honorific is None and name_tokens and name_tokens[0].casefold().strip(".") in HONORIFICS:
        honorific, name_tokens = name_tokens[0], name_tokens[1:]
    if not name_tokens:
        return NameKey(raw, office=office, honorific=honorific) if office else None
    script = "cyrillic" if any(has_cyrillic(t) for t in name_tokens) else "latin"
    words = [_titlecase(transliterate(t)) for t in name_tokens]
    return _from_words(raw, words, name_tokens, office, honorific, script)


# Nouns that end office titles and are never given names ("... for Strategic Communications Ben
# Rhodes", "... and Counterterrorism John Brennan" cut short by a label reader).
_NOUN_ENDING = re.compile(r"(?:ment|tions?|sions?|ism|ics|acy|ship|ogy|omist)$")
_LONG_OFFICE_WORDS = sorted(w for w in OFFICE_WORDS if len(w) >= 6 and w.isalpha())


def _office_like(word: str) -> bool:
    """A word of an office title: an office word misspelt (SECRETRARY, AMBASSSADOR, CHANCELLER)
    or a noun that no given name is (Communications, Development, Counterterrorism)."""
    w = word.casefold().strip(".,")
    if len(w) >= 6 and _NOUN_ENDING.search(w) and not has_cyrillic(w):
        return True
    if len(w) < 6:
        return False
    return any(SequenceMatcher(None, w, o).ratio() >= 0.85 for o in _LONG_OFFICE_WORDS)


def _split_office_keep_initials(tokens: list[str]) -> tuple[str | None, list[str]]:
    # Trailing part: initials and name words; split_office only sees the words.
    if any(_is_initial(t) for t in tokens):
        first_name_tok = next(
            i
            for i, t in enumerate(tokens)
            if _is_initial(t) or not (is_office_word(t) or t.casefold() in {"of", "the"})
        )
        # words before the first initial or name word that are office words form the office
        office_tokens = tokens[:first_name_tok]
        return (" ".join(office_tokens) or None), tokens[first_name_tok:]
    office, name = split_office(tokens)
    if name is None:
        return office, []
    n = len(name.split())
    name_tokens = tokens[len(tokens) - n :]
    mixed_case = not all(t.isupper() for t in name_tokens)
    while len(name_tokens) > 1 and (
        _office_like(name_tokens[0])
        or (mixed_case and name_tokens[0].isupper() and 2 <= len(name_tokens[0]) <= 5)  # CEO
    ):
        office = " ".join(p for p in (office, name_tokens[0]) if p)
        name_tokens = name_tokens[1:]
    return office, name_tokens


def _from_words(
    raw: str,
    words: list[str],
    original: list[str],
    office: str | None,
    honorific: str | None,
    script: str,
) -> NameKey | None:
    initials = [w for w in words if _is_initial(w)]
    full = [w for w in words if not _is_initial(w)]
    patronymic = None
    # Surname-first with a patronymic: "Лавров Сергей Викторович" / "Lavrov Sergey Viktorovich"
    if len(full) >= 3 and _PATRONYMIC.search(original[-1]) and not initials:
        surname, given, patronymic = full[0], full[1], full[-1]
        others = tuple(full[2:-1])
        inits = (fold(given)[:1], fold(patronymic)[:1])
        return NameKey(
            raw, surname, given, patronymic, inits, None, office, honorific, script, others
        )
    # "Sergey Viktorovich Lavrov"
    if len(full) >= 3 and _PATRONYMIC.search(original[-2]) and not initials:
        given, patronymic, surname = full[0], full[-2], full[-1]
        others = tuple(full[1:-2])
        inits = (fold(given)[:1], fold(patronymic)[:1])
        return NameKey(
            raw, surname, given, patronymic, inits, None, office, honorific, script, others
        )
    # Initials after the surname: "Lavrov S.V.", "Лавров С.В."
    if initials and full and _is_initial(words[-1]) and not _is_initial(words[0]):
        surname = full[-1] if len(full) == 1 else full[0]
        inits = tuple(fold(i)[:1] for i in initials)
        return NameKey(raw, surname, None, None, inits, None, office, honorific, script)
    if not full:  # "S.V." or "Q" alone: no name
        return NameKey(raw, office=office, honorific=honorific) if office else None
    surname = full[-1]
    given_words = full[:-1]
    given = given_words[0] if given_words else None
    others = tuple(given_words[1:])
    if initials and given is None:
        inits = tuple(fold(i)[:1] for i in initials)
    elif given is not None:
        # "S. V. Lavrov" has no full given; "George W. Bush": given + middle initial
        inits = (fold(given)[:1], *(fold(i)[:1] for i in initials))
    else:
        inits = ()
    return NameKey(raw, surname, given, None, inits, None, office, honorific, script, others)


class Match(IntEnum):
    """How two name keys relate, weakest to strongest."""

    CONFLICT = 0  # different surnames, or the same surname with incompatible given names
    SURNAME = 1  # same surname, one side has no given name or initials ("MR. CARNEY")
    INITIALS = 2  # same surname, initials compatible ("S.Lavrov" ~ "Sergey Lavrov")
    PREFIX = 3  # same surname, one given name a prefix of the other ("Alex" ~ "Alexander"),
    # or given names that overlap without being equal
    TAIL = 4  # one name is the other's last words ("Gazprom Alexei Miller" ~ "Alexei Miller")
    LOOSE = 5  # same folded surname and given name, spelled differently (Sergei ~ Sergey)
    EXACT = 6  # same surname and given name as transliterated


def _initials_compatible(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    n = min(len(a), len(b))
    return n > 0 and a[:n] == b[:n]


def compare(a: NameKey, b: NameKey) -> Match:
    """How sure it is that two keys name the same person, from their names alone."""
    if a.cjk or b.cjk:
        return Match.EXACT if a.cjk and a.cjk == b.cjk else Match.CONFLICT
    if not a.surname or not b.surname:
        return Match.CONFLICT
    if a.fsurname != b.fsurname:
        # Chinese order in Latin ("Zhao Lijian" vs "Lijian Zhao"): the same words reversed
        if a.given and b.given and {a.fsurname, a.fgiven} == {b.fsurname, b.fgiven}:
            return Match.LOOSE
        return Match.CONFLICT
    if a.given and b.given:
        if a.strict == b.strict:
            return Match.EXACT
        if a.fgiven == b.fgiven:
            return Match.LOOSE
        ga, gb = a.fgiven or "", b.fgiven or ""
        if min(len(ga), len(gb)) >= 3 and (ga.startswith(gb) or gb.startswith(ga)):
            return Match.PREFIX
        # a stray word before the given name ("Communications Ben Rhodes" ~ "Ben Rhodes")
        wa = [fold(w) for w in (a.given, *a.others)]
        wb = [fold(w) for w in (b.given, *b.others)]
        short, long_ = sorted((wa, wb), key=len)
        if len(short) < len(long_) and long_[-len(short) :] == short:
            return Match.TAIL
        if len(wa) != len(wb) and set(wa) & set(wb):
            return Match.PREFIX
        return Match.CONFLICT
    if a.initials and b.initials:
        return Match.INITIALS if _initials_compatible(a.initials, b.initials) else Match.CONFLICT
    return Match.SURNAME
