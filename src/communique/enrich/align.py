"""Turn-by-turn (and paragraph-by-paragraph) alignment of two language versions of a document.

The method is Gale & Church (1993) length-based alignment, by dynamic programming over
*turns* instead of sentences, with anchors:

- **length**: a bead's cost is ``-log P(delta)`` where ``delta = (lb - c*la) / sqrt(s2 * l)``,
  ``la``/``lb`` are the character lengths (whitespace excluded) of the two sides, ``c`` the
  expected ratio of lengths for the language pair and ``s2`` its variance per character
  (``LENGTH_RATIO``, ``LENGTH_VARIANCE``; measured on the fmprc.gov.cn en/zh pairs, see
  ``bench/align_eval.py --ratio``: 1 English character ~ 0.31 Chinese characters);
- **bead types** 1-1, 1-0, 0-1, 2-1, 1-2 with priors (``PRIORS``); omissions are far more
  frequent here than in parallel corpora: the English fmprc pages often drop whole exchanges,
  so a turn without counterpart costs a fixed ``-log P(1-0)`` whatever its length;
- **anchors**: the same numbers (digits: years, counts, percentages; one-digit numbers are
  ignored as too common) strongly favour a pair, numbers on both sides with none in common
  disfavour it; the same Latin tokens (names, acronyms such as ``WTO``, ``5G`` that also
  appear in Chinese text) favour it; a question is never paired with an answer or statement
  (``ROLE_MISMATCH`` cost), so question/answer structure anchors the alignment.

Pure functions: :func:`align` takes two :class:`~communique.model.Document` and returns an
:class:`Alignment` (pairs of turn numbers with a score, unmatched turns on each side);
:meth:`Alignment.missing_in_a` / :meth:`Alignment.missing_in_b` name the *questions* (with
their answers) that one version lacks. :func:`align_paragraphs` aligns the paragraphs of two
matched turns with the same dynamic programme (no roles).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from communique.model import Document, Turn

__all__ = [
    "LENGTH_RATIO",
    "Alignment",
    "MissingExchange",
    "Pair",
    "align",
    "align_paragraphs",
    "align_units",
    "latin_tokens",
    "length_ratio",
    "numbers_in",
    "text_length",
]

# Expected (target chars) / (source chars), keyed by (lang_a, lang_b). en->zh measured on the
# linked fmprc same-day pairs (not the gold ones) whose role sequences are identical, turn
# by turn (5,975 turn pairs of 20+ English characters; ``bench/align_eval.py --ratio``): the
# median per-turn ratio is 0.31 (whole documents: 0.307).
# en<->ru is not measured (no pairs in the corpus): Russian runs ~10% longer than English.
LENGTH_RATIO: dict[tuple[str, str], float] = {("en", "zh"): 0.31, ("en", "ru"): 1.1}
# Variance of (lb - c*la) per character of the mean length, same turn pairs (mean 2.7).
LENGTH_VARIANCE: dict[tuple[str, str], float] = {("en", "zh"): 2.7}
DEFAULT_VARIANCE = 3.0

PRIORS = {(1, 1): 0.92, (1, 0): 0.02, (0, 1): 0.02, (2, 1): 0.02, (1, 2): 0.02}
ROLE_MISMATCH = 5.0  # cost of pairing a question with an answer/statement (roles are noisy)
NUMBER_BONUS = 2.5  # per shared number (capped at 3 numbers)
NUMBER_CLASH = 2.0  # both sides carry numbers, none in common
NUMBER_ONE_SIDED = 0.6  # per number present on one side only (capped at 3)
TOKEN_BONUS = 1.0  # per shared Latin token (capped at 3)
MAX_LEN_COST = 8.0


def length_ratio(lang_a: str | None, lang_b: str | None) -> float:
    """Expected ratio ``len(b) / len(a)`` in characters for the language pair (1.0 if unknown)."""
    if not lang_a or not lang_b or lang_a == lang_b:
        return 1.0
    if (lang_a, lang_b) in LENGTH_RATIO:
        return LENGTH_RATIO[(lang_a, lang_b)]
    if (lang_b, lang_a) in LENGTH_RATIO:
        return 1.0 / LENGTH_RATIO[(lang_b, lang_a)]
    return 1.0


def _variance(lang_a: str | None, lang_b: str | None) -> float:
    key = (lang_a or "", lang_b or "")
    return LENGTH_VARIANCE.get(key) or LENGTH_VARIANCE.get(key[::-1]) or DEFAULT_VARIANCE


_WS_RE = re.compile(r"\s+")
_NUM_RE = re.compile(r"\d+(?:[.,]\d+)*")
_LATIN_RE = re.compile(r"[A-Za-z][A-Za-z0-9\-]*[A-Za-z0-9]|\d+[A-Za-z]+\w*")


def text_length(text: str) -> int:
    """Characters without whitespace (what the length model counts)."""
    return len(_WS_RE.sub("", text))


def numbers_in(text: str) -> frozenset[str]:
    """The numbers a text carries, normalised (``1,000`` -> ``1000``, full-width digits folded).

    One-digit numbers are left out (too common, and written as words in one language and as
    digits in the other); ``3.5`` stays ``3.5``.
    """
    text = unicodedata.normalize("NFKC", text)
    out = set()
    for m in _NUM_RE.finditer(text):
        s = m.group(0)
        # "1,000" / "1,000.5": thousands separators; "3.5": a decimal
        if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", s):
            s = s.replace(",", "")
        s = s.replace(",", ".")
        s = s.lstrip("0") or "0"
        if s.startswith("."):
            s = "0" + s
        if len(s.split(".")[0]) >= 2 or "." in s:
            out.add(s)
    return frozenset(out)


_COMMON_WORDS = (
    "a an and are as at be but by can for from has have he her his i if in is it its may "
    "no not of on or our she so that the their them there they this to us was we were what "
    "when which who will with would you your"
)
_COMMON_LATIN = frozenset(_COMMON_WORDS.split())


def latin_tokens(text: str) -> frozenset[str]:
    """Latin-script tokens that can anchor across languages: capitalised words and acronyms.

    In English text: words that start with a capital letter (names, places, acronyms), case
    folded; in Chinese or Russian text: every Latin token (these are names and acronyms
    such as ``WTO``, ``5G``, ``COVID-19``). Common function words are dropped.
    """
    text = unicodedata.normalize("NFKC", text)
    latin_share = sum(c.isascii() for c in text) / max(1, len(text))
    out = set()
    for m in _LATIN_RE.finditer(text):
        w = m.group(0)
        if latin_share > 0.5 and not (w[0].isupper() or w[0].isdigit()):
            continue
        f = w.casefold()
        if f not in _COMMON_LATIN and len(f) >= 2:
            out.add(f)
    return frozenset(out)


def _side(role: str) -> str:
    return "q" if role == "question" else "s"


@dataclass(frozen=True)
class _Unit:
    length: int
    side: str  # "q" (question) or "s" (a speaker's answer, statement, remark), "" = any
    numbers: frozenset[str]
    tokens: frozenset[str]
    paragraphs: int = 1


def _unit(text: str, role: str | None) -> _Unit:
    side = _side(role) if role else ""
    return _Unit(
        text_length(text), side, numbers_in(text), latin_tokens(text), len(paragraphs(text))
    )


def _norm_sf(x: float) -> float:
    """P(|Z| > x) for a standard normal Z."""
    return math.erfc(x / math.sqrt(2.0))


@dataclass(frozen=True)
class _Model:
    ratio: float
    variance: float


def _merge(units: Sequence[_Unit]) -> _Unit:
    return _Unit(
        sum(u.length for u in units),
        units[0].side,
        frozenset().union(*(u.numbers for u in units)),
        frozenset().union(*(u.tokens for u in units)),
    )


def _merged_exchange(ua: Sequence[_Unit], ub: Sequence[_Unit]) -> bool:
    """One turn of several paragraphs against two turns [same role, other role].

    Parsers leave two turns in one when the second carries no label (a question and its
    answer after fmprc ``Follow-up:``/``追问：`` or a first ``Q:`` without ``A:``; an answer
    followed by "After the press conference, the following question was raised: ..."): such a
    1-2 bead is no role mismatch.
    """
    one, two = (ua, ub) if len(ua) == 1 else (ub, ua)
    return (
        len(one) == 1
        and len(two) == 2
        and one[0].paragraphs > 1
        and two[0].side == one[0].side
        and two[1].side != two[0].side
    )


def _pair_cost(ua: Sequence[_Unit], ub: Sequence[_Unit], m: _Model) -> float:
    """Cost of one bead pairing ``ua`` with ``ub`` (both non-empty)."""
    cost = -math.log(PRIORS[(len(ua), len(ub))])
    sides = {u.side for u in (*ua, *ub) if u.side}
    if len(sides) > 1 and not _merged_exchange(ua, ub):
        cost += ROLE_MISMATCH
    a, b = _merge(ua), _merge(ub)
    la, lb = a.length, b.length
    mean = (m.ratio * la + lb) / 2.0
    delta = (lb - m.ratio * la) / math.sqrt(m.variance * max(mean, 1.0))
    p = _norm_sf(abs(delta))
    cost += min(MAX_LEN_COST, -math.log(p) if p > 0 else MAX_LEN_COST)
    shared = a.numbers & b.numbers
    if shared:
        cost -= NUMBER_BONUS * min(3, len(shared))
    elif a.numbers and b.numbers:
        cost += NUMBER_CLASH
    cost += NUMBER_ONE_SIDED * min(3, len(a.numbers ^ b.numbers)) if not shared else 0.0
    common = a.tokens & b.tokens
    if common:
        cost -= TOKEN_BONUS * min(3, len(common))
    return cost


_SKIP_COST = -math.log(PRIORS[(1, 0)])


def align_units(
    a: Sequence[_Unit], b: Sequence[_Unit], model: _Model
) -> list[tuple[list[int], list[int], float]]:
    """The dynamic programme: beads as (indexes in a, indexes in b, score), in order."""
    n, k = len(a), len(b)
    inf = float("inf")
    best = [[inf] * (k + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int, float] | None]] = [[None] * (k + 1) for _ in range(n + 1)]
    best[0][0] = 0.0
    moves = ((1, 1), (1, 0), (0, 1), (2, 1), (1, 2))
    for i in range(n + 1):
        for j in range(k + 1):
            if i == 0 and j == 0:
                continue
            for di, dj in moves:
                pi, pj = i - di, j - dj
                if pi < 0 or pj < 0 or best[pi][pj] == inf:
                    continue
                c = _pair_cost(a[pi:i], b[pj:j], model) if di and dj else _SKIP_COST
                total = best[pi][pj] + c
                if total < best[i][j]:
                    best[i][j] = total
                    back[i][j] = (di, dj, c)
    beads: list[tuple[list[int], list[int], float]] = []
    i, j = n, k
    while i or j:
        step = back[i][j]
        assert step is not None
        di, dj, c = step
        ia, ib = list(range(i - di, i)), list(range(j - dj, j))
        if ia and ib:
            # how much better the pair is than leaving both sides unmatched, as a probability
            gain = _SKIP_COST * (len(ia) + len(ib)) - c
            score = 1.0 / (1.0 + math.exp(-gain))
        else:
            score = 0.0
        beads.append((ia, ib, score))
        i, j = i - di, j - dj
    beads.reverse()
    return beads


@dataclass(frozen=True)
class Pair:
    """Turns ``a`` of one version matched with turns ``b`` of the other (turn numbers ``n``)."""

    a: tuple[int, ...]
    b: tuple[int, ...]
    score: float


@dataclass(frozen=True)
class MissingExchange:
    """A question one version has and the other lacks, with the turns that answer it."""

    question: int
    answers: tuple[int, ...] = ()


@dataclass
class Alignment:
    a_id: str
    b_id: str
    pairs: list[Pair] = field(default_factory=list)
    unmatched_a: list[int] = field(default_factory=list)
    unmatched_b: list[int] = field(default_factory=list)
    a_turns: list[Turn] = field(default_factory=list, repr=False)
    b_turns: list[Turn] = field(default_factory=list, repr=False)
    lang_a: str | None = None
    lang_b: str | None = None

    def _missing(self, turns: list[Turn], unmatched: list[int]) -> list[MissingExchange]:
        gone = set(unmatched)
        out = []
        for t in turns:
            if t.role == "question" and t.n in gone:
                answers = tuple(u.n for u in turns if u.answers == t.n)
                out.append(MissingExchange(t.n, answers))
        return out

    def missing_in_a(self) -> list[MissingExchange]:
        """Questions of version b (turn numbers of b) with no counterpart in version a."""
        return self._missing(self.b_turns, self.unmatched_b)

    def missing_in_b(self) -> list[MissingExchange]:
        """Questions of version a (turn numbers of a) with no counterpart in version b."""
        return self._missing(self.a_turns, self.unmatched_a)

    def to_dict(self) -> dict[str, object]:
        return {
            "a": self.a_id,
            "b": self.b_id,
            "pairs": [
                {"a": list(p.a), "b": list(p.b), "score": round(p.score, 3)} for p in self.pairs
            ],
            "unmatched_a": self.unmatched_a,
            "unmatched_b": self.unmatched_b,
            "missing_in_a": [[m.question, *m.answers] for m in self.missing_in_a()],
            "missing_in_b": [[m.question, *m.answers] for m in self.missing_in_b()],
        }


def _model(lang_a: str | None, lang_b: str | None) -> _Model:
    ratio = length_ratio(lang_a, lang_b)
    return _Model(ratio, _variance(lang_a, lang_b))


def align(a: Document, b: Document) -> Alignment:
    """Align the turns of two language versions of a document."""
    ua = [_unit(t.text, t.role) for t in a.turns]
    ub = [_unit(t.text, t.role) for t in b.turns]
    beads = align_units(ua, ub, _model(a.lang, b.lang))
    out = Alignment(a.id, b.id, a_turns=list(a.turns), b_turns=list(b.turns), lang_a=a.lang,
                    lang_b=b.lang)  # fmt: skip
    for ia, ib, score in beads:
        na = tuple(a.turns[i].n for i in ia)
        nb = tuple(b.turns[j].n for j in ib)
        if na and nb:
            out.pairs.append(Pair(na, nb, score))
        else:
            out.unmatched_a.extend(na)
            out.unmatched_b.extend(nb)
    return out


_PARA_RE = re.compile(r"\n\s*\n|\n")


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in _PARA_RE.split(text) if p.strip()]


def align_paragraphs(
    text_a: str, text_b: str, lang_a: str | None, lang_b: str | None
) -> list[tuple[list[int], list[int], float]]:
    """Align the paragraphs of two matched turns (0-based paragraph indexes, with scores)."""
    pa, pb = paragraphs(text_a), paragraphs(text_b)
    ua = [_unit(p, None) for p in pa]
    ub = [_unit(p, None) for p in pb]
    return align_units(ua, ub, _model(lang_a, lang_b))


def pair_paragraphs(alignment: Alignment, pair: Pair) -> list[tuple[list[int], list[int], float]]:
    """The paragraph alignment inside one matched pair of turns (0-based paragraph indexes of
    the pair's joined texts); a pair of one paragraph each is one bead."""
    by_a = {t.n: t for t in alignment.a_turns}
    by_b = {t.n: t for t in alignment.b_turns}
    text_a = "\n\n".join(by_a[n].text for n in pair.a)
    text_b = "\n\n".join(by_b[n].text for n in pair.b)
    lang_a = alignment.lang_a
    lang_b = alignment.lang_b
    return [
        (list(ia), list(ib), s) for ia, ib, s in align_paragraphs(text_a, text_b, lang_a, lang_b)
    ]
