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
    "Omission",
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


@dataclass(frozen=True)
class Omission:
    """Turns of one version (turn numbers ``turns``) without counterpart in the other.

    ``lacking`` is the side (``"a"`` or ``"b"``) said to lack them; ``certain`` says whether
    the archive states it (``lacks``) or only flags it (``uncertain``), ``reason`` why not."""

    lacking: str
    turns: tuple[int, ...]
    certain: bool
    reason: str = ""

    @property
    def verdict(self) -> str:
        return "lacks" if self.certain else "uncertain"

    def to_dict(self, alignment: Alignment | None = None) -> dict[str, object]:
        out: dict[str, object] = {"lacking": self.lacking, "turns": list(self.turns),
                                  "verdict": self.verdict, "reason": self.reason}  # fmt: skip
        if alignment is not None:
            ids = (alignment.a_id, alignment.b_id)
            out["lacking_id"] = ids[0] if self.lacking == "a" else ids[1]
            out["of_id"] = ids[1] if self.lacking == "a" else ids[0]
        return out


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
    beads: list[tuple[tuple[int, ...], tuple[int, ...], float]] = field(
        default_factory=list, repr=False
    )

    def omissions(self) -> list[Omission]:
        """The runs of turns one version has and the other lacks, each ``lacks`` or
        ``uncertain`` (see :func:`judge_gaps`)."""
        return judge_gaps(self)

    def _missing(self, lacking: str) -> list[MissingExchange]:
        turns = self.b_turns if lacking == "a" else self.a_turns
        certain = {n for o in self.omissions() if o.lacking == lacking and o.certain
                   for n in o.turns}  # fmt: skip
        out = []
        for t in turns:
            if t.role == "question" and t.n in certain:
                answers = tuple(u.n for u in turns if u.answers == t.n)
                out.append(MissingExchange(t.n, answers))
        return out

    def missing_in_a(self) -> list[MissingExchange]:
        """Questions of version b (turn numbers of b) that version a certainly lacks."""
        return self._missing("a")

    def missing_in_b(self) -> list[MissingExchange]:
        """Questions of version a (turn numbers of a) that version b certainly lacks."""
        return self._missing("b")

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
            "omissions": [o.to_dict(self) for o in self.omissions()],
        }


def _turn_beads(a: Document, b: Document) -> list[tuple[list[int], list[int], float]]:
    ua = [_unit(t.text, t.role) for t in a.turns]
    ub = [_unit(t.text, t.role) for t in b.turns]
    model = _model(a.lang, b.lang)
    beads = align_units(ua, ub, model)
    beads = _shift_gaps(beads, ua, ub, list(a.turns), model)
    beads = _mirror(_shift_gaps(_mirror(beads), ub, ua, list(b.turns), model))
    return _pair_lone_turns(beads, ua, ub, model)


def _pair_lone_turns(beads: Beads, ua: Sequence[_Unit], ub: Sequence[_Unit], m: _Model) -> Beads:
    """A gap of one turn on each side, of the same role, between pairs (or a document's end):
    one turn and its translation whose lengths disagree (a paragraph left out of one), paired
    with the low score their lengths give rather than both left without counterpart."""
    out: Beads = []
    i = 0
    while i < len(beads):
        if i + 1 < len(beads):
            (a1, b1, _), (a2, b2, _) = beads[i], beads[i + 1]
            x, y = (a1 or a2), (b1 or b2)
            lone = (not b1 and not a2 and a1 and b2) or (not a1 and not b2 and b1 and a2)
            closed = (i == 0 or (beads[i - 1][0] and beads[i - 1][1])) and (
                i + 2 >= len(beads) or (beads[i + 2][0] and beads[i + 2][1])
            )
            if lone and closed and len(x) == len(y) == 1 and ua[x[0]].side == ub[y[0]].side:
                c = _pair_cost([ua[x[0]]], [ub[y[0]]], m)
                out.append((x, y, 1.0 / (1.0 + math.exp(-(2 * _SKIP_COST - c)))))
                i += 2
                continue
        out.append(beads[i])
        i += 1
    return out


SHIFT_WINDOW = 4  # how far a gap may slide to cover whole exchanges
SHIFT_SLACK = 3.0  # how much costlier (in -log P) the slid alignment may be


def _whole(turns: list[Turn], run: range) -> bool:
    """Whether turns ``run`` (positions) are whole exchanges: no answer to a question outside,
    no question answered outside."""
    inside = {turns[i].n for i in run}
    for i in run:
        t = turns[i]
        if t.answers is not None and t.answers not in inside:
            return False
        if t.role == "question" and any(u.answers == t.n and u.n not in inside for u in turns):
            return False
    return True


def _shift_gaps(
    beads: list[tuple[list[int], list[int], float]],
    ua: Sequence[_Unit],
    ub: Sequence[_Unit],
    ta: list[Turn],
    model: _Model,
) -> list[tuple[list[int], list[int], float]]:
    """Slide each run of ``a`` turns without counterpart (the other side having none in the
    same gap) along the one-to-one pairs around it, to where it covers whole exchanges, when
    that costs at most ``SHIFT_SLACK`` more: two questions of like length let the programme
    skip an answer and the next question instead of a question and its answer."""
    out = list(beads)
    i = 0
    while i < len(out):
        if out[i][1] or not out[i][0]:
            i += 1
            continue
        j = i
        while j < len(out) and out[j][0] and not out[j][1]:
            j += 1
        if (i > 0 and not out[i - 1][0]) or (j < len(out) and not out[j][0]):
            i = j
            continue
        lo = i
        while lo > 0 and i - lo < SHIFT_WINDOW and len(out[lo - 1][0]) == len(out[lo - 1][1]) == 1:
            lo -= 1
        hi = j
        while hi < len(out) and hi - j < SHIFT_WINDOW and len(out[hi][0]) == len(out[hi][1]) == 1:
            hi += 1
        xs = [x for bead in out[lo:hi] for x in bead[0]]
        ys = [y for bead in out[lo:hi] for y in bead[1]]
        gap = j - i
        if _whole(ta, range(xs[i - lo], xs[i - lo] + gap)) or len(ys) == 0:
            i = j
            continue
        options = []
        for p in range(len(ys) + 1):
            kept = xs[:p] + xs[p + gap :]
            cost = sum(_pair_cost([ua[x]], [ub[y]], model) for x, y in zip(kept, ys, strict=True))
            options.append((cost, p))
        best = min(c for c, _ in options)
        whole = [(c, p) for c, p in options
                 if _whole(ta, range(xs[0] + p, xs[0] + p + gap))]  # fmt: skip
        if whole and min(whole)[0] <= best + SHIFT_SLACK:
            cost, p = min(whole)
            new: list[tuple[list[int], list[int], float]] = []
            kept = xs[:p] + xs[p + gap :]
            for k, (x, y) in enumerate(zip(kept, ys, strict=True)):
                if k == p:
                    new.extend(([xs[p + g]], [], 0.0) for g in range(gap))
                c = _pair_cost([ua[x]], [ub[y]], model)
                new.append(([x], [y], 1.0 / (1.0 + math.exp(-(2 * _SKIP_COST - c)))))
            if p == len(ys):
                new.extend(([xs[p + g]], [], 0.0) for g in range(gap))
            out[lo:hi] = new
        i = j
    return out


def _model(lang_a: str | None, lang_b: str | None) -> _Model:
    ratio = length_ratio(lang_a, lang_b)
    return _Model(ratio, _variance(lang_a, lang_b))


def _canonical(a: Document, b: Document) -> bool:
    """Whether ``(a, b)`` is the order the programme runs in (by language, then id): the
    length model is not symmetric, so both orders run the same way and mirror each other."""
    return (a.lang or "", a.id) <= (b.lang or "", b.id)


Beads = list[tuple[list[int], list[int], float]]


def _mirror(beads: Beads) -> Beads:
    return [(ib, ia, s) for ia, ib, s in beads]


def align(a: Document, b: Document) -> Alignment:
    """Align the turns of two language versions of a document; ``align(b, a)`` is the mirror
    image of ``align(a, b)``."""
    beads = _turn_beads(a, b) if _canonical(a, b) else _mirror(_turn_beads(b, a))
    out = Alignment(a.id, b.id, a_turns=list(a.turns), b_turns=list(b.turns), lang_a=a.lang,
                    lang_b=b.lang)  # fmt: skip
    for ia, ib, score in beads:
        na = tuple(a.turns[i].n for i in ia)
        nb = tuple(b.turns[j].n for j in ib)
        out.beads.append((na, nb, score))
        if na and nb:
            out.pairs.append(Pair(na, nb, score))
        else:
            out.unmatched_a.extend(na)
            out.unmatched_b.extend(nb)
    return out


# -- omissions: what a journalist may publish ----------------------------------------------------
MIN_ANCHOR = 0.5  # a gap's neighbouring pairs must be at least this sure
GLUE_SLACK = 1.0  # a neighbour's length cost must not drop by more than this with the gap glued


def _length_cost(la: int, lb: int, m: _Model) -> float:
    mean = (m.ratio * la + lb) / 2.0
    delta = (lb - m.ratio * la) / math.sqrt(m.variance * max(mean, 1.0))
    p = _norm_sf(abs(delta))
    return min(MAX_LEN_COST, -math.log(p) if p > 0 else MAX_LEN_COST)


def judge_gaps(al: Alignment) -> list[Omission]:
    """Each run of turns without counterpart, said ``lacks`` only when nothing explains it
    but an omission; otherwise ``uncertain`` with the reason:

    - the other version has unmatched turns in the same gap (the two sides disagree there:
      roles or parsing differ, not content);
    - the run is not whole exchanges (a question whose answer is paired, or an answer whose
      question is): a question glued to a statement or split by the parser;
    - a neighbouring pair is unsure (score under ``MIN_ANCHOR``) or not one-to-one;
    - a neighbour of the other version is long enough to hold the run (its length fits
      better with the run glued to its counterpart), or gives most of the run's numbers
      (``NUMBERS_HELD``): the text is there, inside another turn;
    - the run is narration without a speaker ("The following question was raised after the
      press conference:"), which one version often folds into the question it introduces.
    """
    model = _model(al.lang_a, al.lang_b)
    by = {"a": {t.n: t for t in al.a_turns}, "b": {t.n: t for t in al.b_turns}}
    out: list[Omission] = []
    beads = al.beads
    i = 0
    while i < len(beads):
        if beads[i][0] and beads[i][1]:
            i += 1
            continue
        j = i
        while j < len(beads) and not (beads[j][0] and beads[j][1]):
            j += 1
        gap_a = [n for b in beads[i:j] for n in b[0]]
        gap_b = [n for b in beads[i:j] for n in b[1]]
        prev = beads[i - 1] if i > 0 else None
        nxt = beads[j] if j < len(beads) else None
        for side, run, other in (("b", gap_a, gap_b), ("a", gap_b, gap_a)):
            if not run:
                continue
            reason = _doubt(al, by, model, side, run, other, prev, nxt)
            out.append(Omission(side, tuple(run), not reason, reason))
        i = j
    return out


NUMBERS_HELD = 0.6  # share of a run's numbers that, found in a neighbour, say the text is there


def _doubt(
    al: Alignment,
    by: dict[str, dict[int, Turn]],
    model: _Model,
    lacking: str,
    run: list[int],
    other: list[int],
    prev: tuple[tuple[int, ...], tuple[int, ...], float] | None,
    nxt: tuple[tuple[int, ...], tuple[int, ...], float] | None,
) -> str:
    """Why a run of turns (of the side that is not ``lacking``) may not be an omission ("" if
    nothing)."""
    if other:
        return "the other version also has turns without counterpart here"
    has = "a" if lacking == "b" else "b"
    turns = by[has]
    inside = set(run)
    for n in run:
        t = turns[n]
        if t.answers is not None and t.answers not in inside and t.answers in turns:
            return f"t{n} answers t{t.answers}, which has a counterpart"
        if t.role == "question":
            outside = [u.n for u in turns.values() if u.answers == n and u.n not in inside]
            if outside:
                return f"the answer t{outside[0]} to t{n} has a counterpart"
    if all(turns[n].role == "statement" and not turns[n].speaker for n in run):
        return "narration without a speaker, which versions word or place differently"
    if prev is None and nxt is None:
        return "nothing in the two versions is paired"
    run_len = sum(text_length(turns[n].text) for n in run)
    sides = {"a": 0, "b": 1}
    h, lk = sides[has], sides[lacking]
    lacking_turns = by[lacking]
    numbers = frozenset().union(*(numbers_in(turns[n].text) for n in run))
    for bead in (prev, nxt) if len(numbers) >= 2 else ():
        for m in bead[lk] if bead else ():
            if len(numbers & numbers_in(lacking_turns[m].text)) >= NUMBERS_HELD * len(numbers):
                return f"t{m} of the other version gives the numbers these turns give"
    for bead in (prev, nxt):
        if bead is None:
            continue
        if bead[2] < MIN_ANCHOR:
            return "a neighbouring pair is unsure"
        if len(bead[0]) != 1 or len(bead[1]) != 1:
            return "a neighbouring pair is not one-to-one"
        lh = text_length(turns[bead[h][0]].text)
        ll = text_length(lacking_turns[bead[lk][0]].text)
        m = model if has == "a" else _Model(1.0 / model.ratio, model.variance * model.ratio)
        if _length_cost(lh + run_len, ll, m) + GLUE_SLACK < _length_cost(lh, ll, m):
            return f"t{bead[lk][0]} of the other version is long enough to hold these turns"
    return ""


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
    if (lang_a or "", text_a) <= (lang_b or "", text_b):
        return align_units(ua, ub, _model(lang_a, lang_b))
    return _mirror(align_units(ub, ua, _model(lang_b, lang_a)))


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
