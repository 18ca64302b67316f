"""Whole names a page gives to labels that carry only a surname or initials ("MR. MUNDACA" is
"Michael Mundaca" where the text says "This is Michael Mundaca"; "С.Чупшева" is "Светлана
Чупшева"): read from the page's text, title, lead and header lines, never guessed.
"""

from __future__ import annotations

import re

from communique.structure.people import not_a_name_word


def full_names(names: list[str], texts: list[str]) -> dict[str, str]:
    """Whole names the page gives to surname-only labels ("MR. MUNDACA": "This is Michael
    Mundaca"; "DR. BERNSTEIN": a header's "JARED BERNSTEIN, CHIEF ECONOMIST"), in its text,
    title, lead or header lines. Only when the first names found are one person's: the longest
    ("Michael" rather than "Mike"), when all begin alike; two people ("Jim Jones", "Mary
    Jones") leave the surname as it is."""
    body = "\n".join(texts)
    out: dict[str, str] = {}
    for name in {n for n in names if " " not in n.strip() and len(n) > 2}:
        initialled = INITIALLED.fullmatch(name)
        if initialled:  # "С.Чупшева": a "Светлана Чупшева" of the page
            whole = initialled_name(initialled.group(1)[0], initialled.group(2), body)
            if whole:
                out[name.casefold()] = whole
            continue
        found: dict[str, int] = {}
        # the surname in any case ("McDONOUGH" of "MR. McDONOUGH" is "Denis McDonough")
        title = rf"\b([A-Z][a-z]+(?:-[A-Z][a-z]+)?) (?:[A-Z]\. )?(?i:({re.escape(name)}))\b"
        caps = rf"\b([A-Z]{{2,}}(?:-[A-Z]{{2,}})?) (?:[A-Z]\. )?{re.escape(name.upper())}\b"
        written = [m.group(2) for m in re.finditer(title, body) if not m.group(2).isupper()]
        firsts = [m.group(1) for m in re.finditer(title, body, re.I if name.isupper() else 0)]
        firsts += [m.group(1).title() for m in re.finditer(caps, body)]  # "JARED BERNSTEIN"
        for first in firsts:
            low = first.casefold()
            if not first[0].isupper() or low in NOT_FIRST_NAMES:
                continue
            if not_a_name_word(first) and low not in GIVEN_NAMES_ALSO_WORDS:
                continue
            found[first] = found.get(first, 0) + 1
        if found and len({f[0] for f in found}) == 1:
            best = max(found, key=lambda f: (len(f), found[f]))  # "Michael" over "Mike"
            surname = max(set(written), key=written.count) if written else name
            out[name.casefold()] = f"{best} {surname}"
    # a label with the first name of one person the page names in full ("SECRETARY ARNE" beside
    # "SECRETARY DUNCAN", who is "Arne Duncan")
    wholes = set(out.values()) | {n.strip() for n in names if len(n.split()) == 2}
    for name in {n for n in names if " " not in n.strip() and len(n) > 2}:
        if name.casefold() in out:
            continue
        same = {w for w in wholes if w.split()[0].casefold() == name.casefold()}
        if len(same) == 1:
            out[name.casefold()] = same.pop()
    return out


# Given names that are also plain words: "Bill Burns" is a name, the "bill" of a title is not
GIVEN_NAMES_ALSO_WORDS = frozenset({"bill"})


def name_words(name: str) -> list[str]:
    """The words of a label's name that may be a person's: no initials, jobs or offices."""
    return [w for w in name.split() if not re.fullmatch(r"(?:\w\.)+", w) and not not_a_name_word(w)]


INITIALLED = re.compile(r"((?:[A-ZА-ЯЁ]\.\s?){1,2})([A-ZА-ЯЁ][\w\-]+)")


def initialled_name(initial: str, surname: str, body: str) -> str | None:
    """The whole name of "С.Чупшева" ("Светлана Чупшева") when the page gives one first name
    with that initial before the surname, as written (a nominative: a title's "Светланой
    Чупшевой" is not read), a patronymic between them allowed (a tooltip's "Сергей
    Кужугетович Шойгу")."""
    word = r"[A-ZА-ЯЁ][a-zа-яё]+"
    pattern = rf"(?<![\w.])({word})\s+({word}\s+)?{re.escape(surname)}(?![\w])"
    found = [
        (m.group(1), bool(m.group(2)))
        for m in re.finditer(pattern, body)
        if m.group(1)[0] == initial and not not_a_name_word(m.group(1))
    ]
    if any(full for _, full in found):  # with a patronymic: a tooltip's nominative
        found = [f for f in found if f[1]]
    firsts = sorted({first for first, _ in found}, key=len)
    # one name in several cases ("Сергей", "Сергеем Шойгу" of a title): the shortest
    if firsts and all(f[:4] == firsts[0][:4] for f in firsts):
        return f"{firsts[0]} {surname}"
    return None


# Capitalised words that stand before a surname without being a first name
NOT_FIRST_NAMES = {
    "mr", "ms", "mrs", "dr", "thanks", "thank", "and", "but", "with", "to", "from", "by", "said",
    "says", "as", "like", "ask", "asked", "call", "dear", "hi", "hello", "welcome", "colleague",
    "senator", "congressman", "congresswoman", "judge", "justice", "professor", "leader",
    "madam", "sir", "lord", "lady", "saint", "st", "uncle", "aunt", "brother", "sister",
}  # fmt: skip
