"""The verdict on a quote against the passage it was found in, with the words that differ.

- ``verbatim``: the quote's words are a contiguous stretch of the turn (punctuation, case,
  quotation marks and contractions aside: ``don't`` = ``do not``);
- ``trimmed``: the quote's words stand in the turn in the same order with words left out
  inside, elisions marked (``...``, ``…``, ``[...]``) or not, nothing else changed, and no
  negation among the words left out (``I do not think`` cut to ``I think`` is ``altered``);
- ``altered``: words added or changed (or a negation left out); ``differences`` lists them.

Each difference says which of its words change the meaning: ``negation`` (not, never, не,
不...), ``number`` (digits and number words), ``stance`` (support/oppose, welcome/condemn,
will/would...), ``name`` (a capitalised word inside a sentence). The comparison is word by
word (``difflib.SequenceMatcher`` on the quote's words and the turn's, around where the
fuzzy score placed the quote); a Chinese character is a word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from communique.search.analysis import HAN_RANGES, fold

__all__ = ["VERDICTS", "Difference", "Judgement", "judge", "meaning_of", "words"]

VERDICTS = ("verbatim", "trimmed", "altered", "not found")
WORD_RE = re.compile(f"[{HAN_RANGES}]|[^\\W_{HAN_RANGES}]+(?:['’][^\\W_{HAN_RANGES}]+)*")
_CONTRACTED = {"won": "will", "can": "can", "ca": "can", "sha": "shall", "ai": "am"}


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


NEGATIONS = _set(
    "not no never nor neither none nobody nothing nowhere cannot "
    "не нет ни никогда ничего никто нигде нельзя "
    "不 没 未 无 非 别 勿 否"
)
NUMBER_WORDS = _set(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy "
    "eighty ninety hundred thousand million billion trillion first second third fourth fifth "
    "half dozen once twice "
    "один одна одно два две три четыре пять шесть семь восемь девять десять сто тысяча "
    "миллион миллиард "
    "零 一 二 两 三 四 五 六 七 八 九 十 百 千 万 亿"
)
# word stems of stance: what a government supports or opposes, welcomes or condemns, will do
STANCE_STEMS = tuple(
    _set(
        "support oppos welcom condemn deplor prais criticis criticiz reject accept endors "
        "applaud denounc protest approv disapprov favo agree disagree regret appreciat commend "
        "object backs will would shall must should can could may might refus "
        "поддерж осужд приветств выступа против одобр отверг приним сожале будет будем буду "
        "может должн"
    )
)
STANCE_HAN = frozenset("支持反对欢迎谴责赞赏遗憾批评拒绝接受同意愿将会能要")


def words(text: str) -> list[tuple[str, int, int]]:
    """The words of ``text`` as compared (folded, lowercased; ``n't`` expanded to ``not``),
    each with its character span in ``text``."""
    low = text.lower().replace("ё", "е")  # = fold(text).lower(), without a slow translate
    if len(low) != len(text):
        low = "".join(c.lower()[:1] or c for c in fold(text))
    out = []
    for m in WORD_RE.finditer(low):
        w, s, e = m.group(0).replace("’", "'"), m.start(), m.end()
        if w.endswith("n't"):
            base = w[:-3]
            out += [(_CONTRACTED.get(base, base), s, e), ("not", s, e)]
        elif w == "cannot":
            out += [("can", s, e), ("not", s, e)]
        elif "'" in w:  # china's -> china 's: the possessive is punctuation here
            out.append((w.split("'")[0], s, e))
        else:
            out.append((w, s, e))
    return out


def meaning_of(tokens: list[str], originals: list[str], sentence_starts: set[int] | None = None,
               positions: list[int] | None = None) -> list[str]:  # fmt: skip
    """The classes of meaning-changing words among ``tokens`` (their ``originals`` as
    written): negation, number, stance, name."""
    found = []
    if any(t in NEGATIONS for t in tokens):
        found.append("negation")
    if any(any(c.isdigit() for c in t) or t in NUMBER_WORDS for t in tokens):
        found.append("number")
    if any(t.startswith(STANCE_STEMS) or t in STANCE_HAN for t in tokens):
        found.append("stance")
    starts = sentence_starts or set()
    pos = positions or [-1] * len(tokens)
    if any(o[:1].isupper() and p not in starts and t not in NEGATIONS
           for t, o, p in zip(tokens, originals, pos, strict=True)):  # fmt: skip
        found.append("name")
    return found


@dataclass
class Difference:
    """Words of the quote (``quote``) standing for words of the source (``source``)."""

    kind: str  # "changed" | "added" | "left out"
    quote: str
    source: str
    meaning: list[str] = field(default_factory=list)
    source_span: tuple[int, int] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "quote": self.quote, "source": self.source,
                "meaning": self.meaning,
                "source_span": list(self.source_span) if self.source_span else None}  # fmt: skip


@dataclass
class Judgement:
    verdict: str
    differences: list[Difference]
    matched: list[tuple[int, int]]  # character spans of the turn that the quote's words match


_OPENERS = " \t\"'“”‘’«»("


def _starts(tokens: list[tuple[str, int, int]], text: str, positions: list[int]) -> set[int]:
    """Which of ``positions`` begin a sentence (capitals there are no sign of a name)."""
    out = set()
    for i in positions:
        k = tokens[i][1] - 1
        while k >= 0 and text[k] in _OPENERS:
            k -= 1
        if i == 0 or k < 0 or text[k] in ".!?:;\n…":
            out.add(i)
    return out


def _runs(positions: list[int], tokens: list[tuple[str, int, int]]) -> list[tuple[int, int]]:
    """Character spans covering consecutive token positions."""
    spans: list[tuple[int, int]] = []
    last = None
    for p in positions:
        s, e = tokens[p][1], tokens[p][2]
        if last is not None and p == last + 1 and spans:
            spans[-1] = (spans[-1][0], e)
        else:
            spans.append((s, e))
        last = p
    return spans


def _contiguous(q: list[str], t: list[str]) -> int | None:
    n = len(q)
    if not n:
        return None
    first = q[0]
    for i in range(len(t) - n + 1):
        if t[i] == first and t[i : i + n] == q:
            return i
    return None


def judge(quote: str, text: str, near: tuple[int, int] | None = None) -> Judgement:
    """The verdict on ``quote`` against the turn ``text``; ``near`` is the character span the
    fuzzy match found (the comparison looks around it)."""
    qw, tw = words(quote), words(text)
    q = [w for w, _, _ in qw]
    t = [w for w, _, _ in tw]
    at = _contiguous(q, t)
    if at is not None:
        return Judgement("verbatim", [], _runs(list(range(at, at + len(q))), tw))
    lo, hi = 0, len(t)
    if near is not None:
        inside = [i for i, (_, s, e) in enumerate(tw) if s >= near[0] and e <= near[1]]
        if inside:
            lo = max(0, inside[0] - len(q))
            hi = min(len(t), inside[-1] + 1 + len(q))
    window = t[lo:hi]
    ops = SequenceMatcher(None, window, q, autojunk=False).get_opcodes()
    while ops and ops[0][0] == "delete":
        ops = ops[1:]
    while ops and ops[-1][0] == "delete":
        ops = ops[:-1]
    # a change at either end: the source words beyond the quote's are outside it
    if ops and ops[0][0] == "replace":
        tag, i1, i2, j1, j2 = ops[0]
        ops[0] = (tag, max(i1, i2 - (j2 - j1)), i2, j1, j2)
    if ops and ops[-1][0] == "replace":
        tag, i1, i2, j1, j2 = ops[-1]
        ops[-1] = (tag, i1, min(i2, i1 + (j2 - j1)), j1, j2)
    matched: list[int] = []
    diffs: list[Difference] = []
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            matched.extend(range(lo + i1, lo + i2))
            continue
        src = list(range(lo + i1, lo + i2))
        qq = list(range(j1, j2))
        src_words = [text[tw[p][1] : tw[p][2]] for p in src]
        q_words = [quote[qw[p][1] : qw[p][2]] for p in qq]
        meaning = meaning_of([t[p] for p in src], src_words, _starts(tw, text, src), src)
        for m in meaning_of([q[p] for p in qq], q_words, _starts(qw, quote, qq), qq):
            if m not in meaning:
                meaning.append(m)
        kind = {"replace": "changed", "insert": "added", "delete": "left out"}[tag]
        span = (tw[src[0]][1], tw[src[-1]][2]) if src else None
        diffs.append(Difference(kind, _join(q_words, quote), _join(src_words, text), meaning,
                                span))  # fmt: skip
    if any(d.kind != "left out" for d in diffs):
        verdict = "altered"
    elif any("negation" in d.meaning for d in diffs):
        verdict = "altered"  # "I do not think" quoted as "I think"
    elif diffs:
        verdict = "trimmed"
    else:
        verdict = "verbatim"
    return Judgement(verdict, diffs, _runs(matched, tw))


def _join(ws: list[str], text: str) -> str:
    han = any(re.match(f"[{HAN_RANGES}]", w) for w in ws)
    return ("" if han else " ").join(ws)
