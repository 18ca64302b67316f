"""Acronym definitions learned from the corpus itself, for search to expand queries.

``Conference on Interaction and Confidence-Building Measures in Asia (CICA)`` teaches that
``CICA`` and its long form are one name; a query for either then finds both. The algorithm is
Schwartz & Hearst (2003), "A simple algorithm for identifying abbreviation definitions in
biomedical text": a short form in parentheses after its long form (``long form (SF)``), or the
other way round (``SF (long form)``); the long form is the shortest run of preceding words whose
letters hold the short form's letters in order, the first one at the start of a word. It works
unchanged for Russian (``Организация Договора о коллективной безопасности (ОДКБ)``). Chinese
(``上海合作组织（上合组织）``): the short form's characters in order within the run of Chinese
characters before the bracket, the long form starting at the last place that allows it.

Use::

    table = learn(texts)                # {short: Counter({long: count})}
    best = definitions(table, 2)        # {short: most frequent long form, seen at least twice}
    expansions("CICA", table)           # {"CICA", "Conference on Interaction and ..."}
    expansions("CICA", table, organisations=True)   # also ЕАЭС-style names in every language

A Chinese long form with a Latin short form (``亚太经合组织（APEC）``) has no letters to match and
is not learned; the organisations table (``entities.py``) covers those.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache

_CJK = r"\u3400-\u9fff"
# a parenthesised group: ASCII or full-width brackets, no brackets inside
_PAREN = re.compile(r"[(（]([^()（）\n]{1,120})[)）]")
_SENTENCE_END = re.compile(r"[.;:!?。；：！？()（）\[\]\"“”«»]")
_WORD = re.compile(r"\S+")
_SPACES = re.compile(r"\s+")


def _is_short_form(s: str) -> bool:
    """A plausible short form: 2..10 characters, at most two words, starting with a letter or
    digit, with at least two capitals (Latin or Cyrillic) or all Chinese."""
    if not 2 <= len(s) <= 10 or len(s.split()) > 2 or not s[0].isalnum():
        return False
    if re.fullmatch(rf"[{_CJK}]{{2,6}}", s):
        return True
    return sum(c.isupper() for c in s) >= 2 and any(c.isalpha() for c in s)


_STOP = {
    "of",
    "the",
    "and",
    "in",
    "on",
    "for",
    "to",
    "a",
    "an",
    "at",
    "by",
    "о",
    "по",
    "и",
    "в",
    "на",
}


def _best_long_form(sf: str, lf: str) -> str | None:
    """Schwartz & Hearst's matching, with the refinement that among the ways to find the short
    form's letters in order in ``lf`` (the first at the start of a word), the one that puts the
    most of them at the start of words (not counting words like "of", "and") wins, then the
    shortest: ``Conference on Interaction and Confidence-Building Measures in Asia`` for CICA
    (plain S&H stops at ``Confidence-Building Measures in Asia``)."""
    chars = [c.lower() for c in sf if c.isalnum()]
    if not chars:
        return None
    low = lf.lower()
    n, k_max = len(low), len(chars)
    starts = [i == 0 or not low[i - 1].isalnum() for i in range(n)]
    score = [0] * n
    for m in re.finditer(r"\w+", low):
        if m.group() not in _STOP:
            score[m.start()] = 1
    neg = -(10**6)
    nxt = [0] * (n + 1)  # best score for chars[k+1:] within low[j:], computed for k from the end
    for k in range(k_max - 1, 0, -1):
        cur = [neg] * (n + 1)
        for j in range(n - 1, -1, -1):
            cur[j] = cur[j + 1]
            if low[j] == chars[k]:
                cur[j] = max(cur[j], score[j] + (nxt[j + 1] if k < k_max - 1 else 0))
        nxt = cur
    best, best_p = neg, -1
    for p in range(n):
        if low[p] == chars[0] and starts[p]:
            rest = nxt[p + 1] if k_max > 1 else 0
            if rest > neg // 2 and (score[p] + rest, p) >= (best, best_p):
                best, best_p = score[p] + rest, p
    if best_p < 0:
        return None
    return lf[lf.rfind(" ", 0, best_p) + 1 :]


def _norm(s: str) -> str:
    return _SPACES.sub(" ", s.replace("\u00a0", " ")).strip()


def _long_before(text: str, end: int, sf: str) -> str | None:
    """The long form ending just before ``end`` (where the bracket opens), if there is one."""
    head = text[max(0, end - 400) : end]
    cut = [m.end() for m in _SENTENCE_END.finditer(head)]
    head = head[cut[-1] :] if cut else head
    if re.fullmatch(rf"[{_CJK}]+", sf):
        run = re.search(rf"[{_CJK}]+$", head)
        if not run:
            return None
        run_s = run.group()
        for start in range(len(run_s) - len(sf), -1, -1):  # the shortest long form first
            if run_s[start] == sf[0] and _subsequence(sf, run_s[start:]):
                lf = run_s[start:]
                return lf if len(lf) > len(sf) and len(lf) <= 24 else None
        return None
    words = _WORD.findall(head)
    n = min(len(sf) + 5, 2 * len(sf))
    window = " ".join(words[-n:]) if words else ""
    if not window:
        return None
    lf = _best_long_form(sf, window)
    if lf is None:
        return None
    lf = lf.strip(" ,-–—'\"")
    if len(lf) <= len(sf) or sf.lower() in lf.lower() or len(lf.split()) < 2:
        return None
    if lf.split()[0].lower() in {"the", "a", "an", "of", "and"}:
        return None
    return lf


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(c in it for c in short)


def find_definitions(text: str) -> Iterable[tuple[str, str]]:
    """``(short form, long form)`` pairs defined in ``text``."""
    for m in _PAREN.finditer(text):
        inside = _norm(m.group(1))
        if _is_short_form(inside):
            lf = _long_before(text, m.start(), inside)
            if lf:
                yield inside, _norm(lf)
            continue
        # "SF (long form)": the word just before the bracket is the short form
        before = re.search(r"(\S+)\s*$", text[max(0, m.start() - 20) : m.start()])
        if before and len(inside.split()) >= 2:
            sf = before.group(1)
            if _is_short_form(sf) and not re.search(rf"[{_CJK}]", sf):
                lf = _best_long_form(sf, inside)
                if lf and lf == inside and sf.lower() not in lf.lower():
                    yield sf, inside


def learn(texts: Iterable[str]) -> dict[str, Counter[str]]:
    """Every definition in ``texts``, counted: ``{short form: Counter({long form: n})}``."""
    table: dict[str, Counter[str]] = {}
    for text in texts:
        for sf, lf in find_definitions(text):
            table.setdefault(sf, Counter())[lf] += 1
    return table


def definitions(table: Mapping[str, Counter[str]], min_count: int = 2) -> dict[str, str]:
    """The most frequent long form of each short form, if seen at least ``min_count`` times.

    Long forms that differ only in case or spacing are counted together; the most frequent
    spelling is kept."""
    out: dict[str, str] = {}
    for sf, longs in table.items():
        groups: dict[str, Counter[str]] = {}
        for lf, n in longs.items():
            groups.setdefault(lf.casefold(), Counter())[lf] += n
        spellings = max(groups.values(), key=lambda c: (sum(c.values()), max(c)))
        if sum(spellings.values()) >= min_count:
            out[sf] = spellings.most_common(1)[0][0]
    return out


def expansions(
    term: str,
    table: Mapping[str, Counter[str]],
    min_count: int = 2,
    *,
    organisations: bool = False,
) -> set[str]:
    """The strings a search for ``term`` should also find, ``term`` included.

    A short form gives its long form; a long form gives its short form(s) (matched without
    regard to case and spacing). With ``organisations=True``, a name or acronym of an
    organisation in the curated table also gives its names and acronyms in every language
    (``CICA`` -> ``СВМДА``, ``亚信``)."""
    t = _norm(term)
    out = {t}
    defs = definitions(table, min_count)
    if t in defs:
        out.add(defs[t])
    else:
        upper = {sf.upper(): sf for sf in defs}
        if t.upper() in upper and t.upper() != t and t.isupper() is False and len(t) <= 10:
            out.add(defs[upper[t.upper()]])  # "cica" typed in lower case
        folded = t.casefold()
        out.update(sf for sf, lf in defs.items() if lf.casefold() == folded)
    if organisations:
        for s in list(out):
            out |= _organisation_names().get(s.casefold(), set())
    return out


@lru_cache(maxsize=1)
def _organisation_names() -> dict[str, frozenset[str]]:
    """Every name and acronym of each organisation in the table, by its folded form."""
    import csv

    from communique.enrich.entities import DATA

    index: dict[str, frozenset[str]] = {}
    with (DATA / "organisations.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            names = set()
            for col, v in row.items():
                if col in ("id", "kind") or not v:
                    continue
                names.update(x.strip() for x in v.split("|") if x.strip())
            frozen = frozenset(names)
            for n in names:
                index.setdefault(n.casefold(), frozen)
    return index
