"""Where a query matched inside a turn's text: highlights for snippets, and the concordance.

The index says *which* turns match; :class:`Matcher` finds *where*, on the original text: a
word matches every word of the text with its stem (English or Russian, by its script), a
phrase its words in order, a prefix any word starting with it. Case is ignored and ``е`` also
matches ``ё``. NEAR keeps the occurrences of one side that have the other side within the
distance. Single words are found with ``find`` (no regular expression to compile for each
query), ASCII words in the text's ASCII view (see :func:`_ascii_view`); phrases with regular
expressions. Concordance lines are sorted by one string key each (:func:`sort_keys`).
"""

from __future__ import annotations

import bisect
import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from communique.model import turn_permalink
from communique.search.analysis import (
    HAN,
    MAX_TOKEN_BYTES,
    WORD,
    count_words,
    has_han_fast,
    raw_terms,
    stem_and_start,
    stem_lang,
    stemmed_terms,
)
from communique.search.ast import And, MatchAll, Near, Node, Not, Or, Phrase, Prefix, Term

Span = tuple[int, int]


# the rest of a word (letters and digits, Chinese excepted); compiled once: slow to compile
_TAIL = re.compile(r"[^\W_\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]*")


def _word_end(text: str, j: int) -> int:
    m = _TAIL.match(text, j)
    return m.end() if m is not None else j


def _wordy(c: str) -> bool:
    """A letter or digit that continues a word (Chinese characters do not: jieba splits them)."""
    return c.isalnum() and (c < "\u3400" or HAN.match(c) is None)


class _Leaf:
    """A sequence of words (a phrase, a word the index splits, a prefix after other words),
    matched by a regular expression on the lowercased, folded text. Word boundaries are checked
    in Python: character classes that spell them out (\\w minus Chinese) take milliseconds to
    compile, and a look-behind makes the search several times slower."""

    def __init__(self, tokens: Sequence[str], prefix: bool = False) -> None:
        self.tokens = list(tokens)
        self.prefix = prefix and not _is_han(tokens[-1][-1])
        self.left = not _is_han(tokens[0][0])  # check the boundary before the match
        self.right = not _is_han(tokens[-1][-1])  # ... and after it (or extend a prefix)
        self.pattern = re.compile(_sequence(self.tokens, re.escape))
        self._ci: re.Pattern[str] | None = None

    def spans(self, text: str) -> list[Span]:
        low = _lowered(text)
        if low is None:  # lowercasing would move offsets: match the text itself, ignoring case
            if self._ci is None:
                self._ci = re.compile(_sequence(self.tokens, _literal), re.IGNORECASE)
            pattern, low = self._ci, text
        else:
            pattern = self.pattern
        out: list[Span] = []
        n, search, pos = len(low), pattern.search, 0
        while (m := search(low, pos)) is not None:
            a, b = m.span()
            if (self.left and a and _wordy(low[a - 1])) or (
                self.right and not self.prefix and b < n and _wordy(low[b])
            ):
                pos = a + 1
                continue
            if self.prefix:
                b = _word_end(low, b)
            out.append((a, b))
            pos = b if b > a else a + 1
        return out


def _lowered(text: str) -> str | None:
    """``text`` lowercased and folded, or None when that would move offsets (rare)."""
    low = text.lower()
    if len(low) != len(text):
        return None
    return low.replace("ё", "е") if "ё" in low else low


def _ascii_view(text: str) -> bytes | None:
    """``text`` as bytes, its ASCII lowercased and every other character a ``?`` (one byte for
    one character: offsets hold): where ASCII words are looked for, much quicker to make than
    ``str.lower`` on non-ASCII text. None if the text holds one of the two non-ASCII characters
    whose lowercase is ASCII (U+0130 ``İ``, U+212A Kelvin sign)."""
    if not text.isascii() and ("\u0130" in text or "\u212a" in text):
        return None
    return text.encode("ascii", "replace").lower()


_HIDDEN = ord("?")  # in a view, any character outside ASCII (or a real question mark)
_ASCII_WORDY = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789")
_ASCII_TAIL = re.compile(rb"[a-z0-9]*")


def _wordy_at(view: bytes, text: str, k: int) -> bool:
    """Whether the character at ``k`` continues a word (what a ``?`` hides is looked at)."""
    c = view[k]
    return c in _ASCII_WORDY or (c == _HIDDEN and _wordy(text[k]))


class _AsciiWords:
    """Words made of ASCII letters and digits, found with ``bytes.find`` on a text's
    :func:`_ascii_view`: ``form`` as a whole word, or with ``prefix`` any word starting with it.
    A ``?`` next to a match may hide a letter: those boundaries are checked on the text."""

    def __init__(self, form: str, prefix: bool) -> None:
        self.form = form.encode()
        self.prefix = prefix

    def spans(self, text: str, view: bytes) -> list[Span]:
        out: list[Span] = []
        form, size, n, find = self.form, len(self.form), len(view), view.find
        i = find(form)
        while i != -1:
            j = i + size
            if i and _wordy_at(view, text, i - 1):
                i = find(form, j)  # no word can start inside this one
                continue
            if self.prefix:
                j = _ASCII_TAIL.match(view, j).end()  # type: ignore[union-attr]
                if j < n and view[j] == _HIDDEN and _wordy(text[j]):
                    j = _word_end(text, j)
            elif j < n and _wordy_at(view, text, j):
                i = find(form, j)
                continue
            out.append((i, j))
            i = find(form, j)
        return out


def _is_ascii_word(form: str) -> bool:
    return form.isascii() and form.isalnum()


@dataclass(frozen=True)
class _Words:
    """Whole words (any of ``forms``), or with ``prefix`` words starting with ``forms[0]``,
    found on the lowercased, folded text (an ASCII word on the text's ASCII view)."""

    forms: tuple[str, ...]
    prefix: bool = False
    bounded: bool = True  # Chinese words have no word boundaries to check
    _ascii: _AsciiWords | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        fast = len(self.forms) == 1 and self.bounded and _is_ascii_word(self.forms[0])
        object.__setattr__(
            self, "_ascii", _AsciiWords(self.forms[0], self.prefix) if fast else None
        )

    def spans(self, text: str) -> list[Span]:
        if self._ascii is not None and (view := _ascii_view(text)) is not None:
            return self._ascii.spans(text, view)
        low = _lowered(text)
        if low is None:
            return self._fallback(text)
        n, out = len(low), []
        for form in self.forms:
            find, size = low.find, len(form)
            i = find(form)
            while i != -1:
                j = i + size
                if self.bounded and i and _wordy(text[i - 1]):
                    i = find(form, i + 1)
                    continue
                if self.prefix:
                    j = _word_end(text, j)
                elif self.bounded and j < n and _wordy(text[j]):
                    i = find(form, i + 1)
                    continue
                out.append((i, j))
                i = find(form, j)
        if len(self.forms) > 1:
            out.sort()
        return out

    def _fallback(self, text: str) -> list[Span]:
        """For a text whose lowercase has another length: each form as a one-word sequence."""
        spans = [s for f in self.forms for s in _Leaf([f], prefix=self.prefix).spans(text)]
        return sorted(spans)


class _Stemmed:
    """Every word of the text with the stem of ``token``: the words that start like the stem
    are stemmed (once each) and compared."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.lang = stem_lang(token)
        self.stem, start = stem_and_start(token, self.lang)
        self.start = start or token
        self._ascii = _AsciiWords(self.start, prefix=True) if _is_ascii_word(self.start) else None
        self._seen: dict[str, bool] = {token: True}

    def _same(self, word: str) -> bool:
        """Whether a word as written (any case, ``ё`` or not) has the stem (remembered)."""
        same = self._seen.get(word)
        if same is None:
            same = self._seen[word] = (stemmed_terms(word, self.lang) or [""])[0] == self.stem
        return same

    def spans(self, text: str) -> list[Span]:
        if self._ascii is not None and (view := _ascii_view(text)) is not None:
            same = self._same
            return [(i, j) for i, j in self._ascii.spans(text, view) if same(text[i:j])]
        low = _lowered(text)
        if low is None:
            return self._fallback(text)
        out, start = [], self.start
        find, i = low.find, low.find(start)
        while i != -1:
            if i and _wordy(text[i - 1]):
                i = find(start, i + 1)
                continue
            j = _word_end(text, i + len(start))
            if self._same(text[i:j]):
                out.append((i, j))
            i = find(start, j)
        return out

    def _fallback(self, text: str) -> list[Span]:
        """Word by word, for a text whose lowercase has another length."""
        return [m.span() for m in WORD.finditer(text) if self._same(m.group())]


def _literal(token: str) -> str:
    """A folded, lowercased token as a pattern (``е`` matches ``ё``; case is ignored)."""
    return "".join("[её]" if c == "е" else re.escape(c) for c in token)


def _is_han(token: str) -> bool:
    return HAN.fullmatch(token) is not None


def _sequence(tokens: Sequence[str], escape: Callable[[str], str]) -> str:
    """Tokens in order, separated by non-word characters (none needed around Chinese words)."""
    out = ""
    for i, tok in enumerate(tokens):
        if i:
            han = _is_han(tokens[i - 1][-1]) or _is_han(tok[0])
            out += r"[\W_]*" if han else r"[\W_]+"
        out += escape(tok)
    return out


class Matcher:
    """The spans of a text that a query's positive words match (negated parts never highlight).

    Built once per query, it can be used on any number of texts (stems are remembered).
    """

    def __init__(self, node: Node) -> None:
        self._root = self._build(node)

    def _leaf(self, node: Term | Phrase | Prefix) -> _Leaf | _Words | _Stemmed | None:
        if isinstance(node, Prefix):
            toks = raw_terms(node.prefix)
            if len(toks) == 1:
                han = _is_han(toks[0])
                return _Words((toks[0],), prefix=not han, bounded=not han)
            return _Leaf(toks, prefix=True) if toks else None
        text = node.text if isinstance(node, Term) else " ".join(node.words)
        toks = raw_terms(text)
        if len(toks) == 1 and _is_han(toks[0]):
            return _Words((toks[0],), bounded=False)
        if len(toks) == 1:
            return _Stemmed(toks[0]) if isinstance(node, Term) else _Words((toks[0],))
        return _Leaf(toks) if toks else None

    def _build(self, node: Node) -> object:
        if isinstance(node, Term | Phrase | Prefix):
            return self._leaf(node)
        if isinstance(node, And | Or):
            parts = [p for p in (self._build(c) for c in node.children) if p is not None]
            return tuple(parts) or None
        if isinstance(node, Near):
            left, right = self._build(node.left), self._build(node.right)
            return ("near", left, right, node.distance) if left and right else None
        assert isinstance(node, Not | MatchAll)
        return None

    def _spans(self, part: object, text: str) -> list[Span]:
        if part is None:
            return []
        if isinstance(part, _Leaf | _Words | _Stemmed):
            return part.spans(text)
        assert isinstance(part, tuple)
        if part and part[0] == "near":
            _, left, right, distance = part
            a, b = self._spans(left, text), self._spans(right, text)
            # no pair found although the index matched (the same word on both sides, a
            # segmentation that differs in context): show the words themselves
            return _near(text, a, b, distance) + _near(text, b, a, distance) or a + b
        return [s for p in part for s in self._spans(p, text)]

    def spans(self, text: str) -> list[Span]:
        """Sorted, non-overlapping spans (the earlier and longer one wins an overlap)."""
        if isinstance(self._root, _Leaf | _Words | _Stemmed):
            return self._root.spans(text)
        found = sorted(set(self._spans(self._root, text)), key=lambda s: (s[0], -s[1]))
        out: list[Span] = []
        for s in found:
            if not out or s[0] >= out[-1][1]:
                out.append(s)
        return out


def _near(text: str, spans: list[Span], others: list[Span], distance: int) -> list[Span]:
    """The spans with one of ``others`` at most ``distance`` words away (either side).

    Only the nearest other span on each side can be the closest, so each span is checked
    against two (found by bisection): linear in the matches, whatever their number."""
    if not spans or not others:
        return []
    if has_han_fast(text):
        return _near_pairs(text, spans, others, distance)
    starts = [m.start() for m in WORD.finditer(text) if len(m.group().encode()) < MAX_TOKEN_BYTES]
    after = sorted(others)
    after_starts = [c for c, _ in after]
    before_ends = sorted(d for _, d in others)
    keep = []
    for a, b in spans:
        gaps = []
        i = bisect.bisect_left(after_starts, b)  # the first other starting at or after b
        if i < len(after):
            gaps.append((b, after_starts[i]))
        j = bisect.bisect_right(before_ends, a) - 1  # the last other ending at or before a
        if j >= 0:
            gaps.append((before_ends[j], a))
        for lo, hi in gaps:
            words = bisect.bisect_left(starts, hi) - bisect.bisect_left(starts, lo)
            if hi - lo <= 40 * distance and words < distance:
                keep.append((a, b))
                break
    return keep


_MAX_PAIRS = 100_000  # pairs of matches compared in Chinese text before giving up


def _near_pairs(text: str, spans: list[Span], others: list[Span], distance: int) -> list[Span]:
    """:func:`_near` by comparing pairs (Chinese: words are not found by a pattern), bounded."""
    keep = []
    budget = _MAX_PAIRS
    for a, b in spans:
        for c, d in others:
            budget -= 1
            if budget < 0:
                return keep
            if c >= b:
                gap = text[b:c]
            elif a >= d:
                gap = text[d:a]
            else:
                continue  # overlapping: not two words
            if len(gap) <= 40 * distance and count_words(gap) < distance:
                keep.append((a, b))
                break
    return keep


# -- snippets ---------------------------------------------------------------------------------


_WS = re.compile(r"\s+")


def _squash(s: str) -> str:
    return _WS.sub(" ", s)


def snippet(text: str, spans: list[Span], size: int = 240) -> tuple[str, list[Span]]:
    """About ``size`` characters of ``text`` around its densest run of matches.

    Returns the snippet (whitespace collapsed, ``…`` where cut) and the highlighted spans in it.
    """
    if not spans:
        cut = text[:size]
        if len(text) > size and " " in cut[size // 2 :]:
            cut = cut[: cut.rindex(" ")]
        return _squash(cut).strip() + ("…" if len(cut) < len(text) else ""), []
    best, j = (0, 0), 0
    for i in range(len(spans)):  # the window of `size` characters holding the most spans
        while j < len(spans) and spans[j][1] - spans[i][0] <= size:
            j += 1
        if j - i > best[1] - best[0]:
            best = (i, j)
    first, last = spans[best[0]], spans[max(best[1], best[0] + 1) - 1]
    room = max(size - (last[1] - first[0]), 0)
    start = max(first[0] - room // 3, 0)
    end = min(max(last[1], start + size), len(text))
    if start > 0:  # start and end on word boundaries
        sp = text.find(" ", start, first[0])
        start = sp + 1 if sp != -1 else start
    if end < len(text):
        sp = text.rfind(" ", last[1], end)
        end = sp if sp != -1 else end
    inside = [(a, b) for a, b in spans if a >= start and b <= end]
    head, tail = ("…" if start > 0 else ""), ("…" if end < len(text) else "")
    window = text[start:end]
    if not ("  " in window or "\n" in window or "\t" in window or "\r" in window) and (
        window[:1] != " "
    ):  # nothing to collapse (quicker to ask than a regular expression)
        shift = len(head) - start
        return head + window + tail, [(a + shift, b + shift) for a, b in inside]
    out, marks, pos = head, [], start
    for a, b in inside:
        out += _squash(text[pos:a])
        piece = _squash(text[a:b])
        marks.append((len(out), len(out) + len(piece)))
        out += piece
        pos = b
    out += _squash(text[pos:end]) + tail
    lead = len(out) - len(out.lstrip())
    return out.strip(), [(a - lead, b - lead) for a, b in marks]


# -- the concordance --------------------------------------------------------------------------


class KwicLine(NamedTuple):
    """One occurrence: ``left + keyword + right`` is a verbatim slice of the turn's text.
    (A named tuple: a concordance can have hundreds of thousands of lines.)"""

    left: str
    keyword: str
    right: str
    doc_id: str
    n: int
    speaker: str | None
    role: str
    start: int  # where the keyword starts in the turn's text
    revision: str
    date: str | None
    publisher: str | None
    title: str | None

    @property
    def permalink(self) -> str:
        return turn_permalink(self.doc_id, self.n)

    @property
    def pinned(self) -> str:
        return turn_permalink(self.doc_id, self.n, self.revision)

    def to_dict(self) -> dict[str, object]:
        return {**self._asdict(), "permalink": self.permalink, "pinned": self.pinned}


SORTS = ("corpus", "date", "left", "right")
# (doc_id, n, speaker, role, text, store rowid or None)
Turn = tuple[str, int, str | None, str, str, int | None]
DocInfo = tuple[str, str | None, str | None, str | None]  # (revision, date, publisher, title)
_NO_DOC: DocInfo = ("", None, None, None)
_SEP = "\x00"  # between the parts of a sort key: it sorts before any other character
# one right context in a string of them each after a _SEP: its first word, then the rest
_RIGHT = re.compile(r"\x00(?:[^\w\x00]+|_+)*([^\W_]*)([^\x00]*)")


def turn_lines(
    turns: Iterable[Turn], matcher: Matcher, width: int, docs: Mapping[str, DocInfo]
) -> list[KwicLine]:
    """Every occurrence of the query's words in the turns (in the turns' order, then the
    text's), with ``width`` characters of context on each side. ``docs`` maps document ids to
    their (revision, date, publisher, title)."""
    out: list[KwicLine] = []
    add, new, spans = out.append, tuple.__new__, matcher.spans  # new: KwicLine without __new__
    for doc_id, n, speaker, role, text, _ in turns:
        revision, date, publisher, title = docs.get(doc_id, _NO_DOC)
        for a, b in spans(text):
            left = text[a - width if a > width else 0 : a]
            line = (left, text[a:b], text[b : b + width], doc_id, n, speaker, role, a, revision,
                    date, publisher, title)  # fmt: skip
            add(new(KwicLine, line))
    return out


def _each(strings: list[str], fn: Callable[[str], str]) -> list[str]:
    """``fn`` of each string, in one call on all of them joined by the separator (which ``fn``
    must keep, and not make). A string holding the separator has it read as a space."""
    joined = _SEP.join(strings)
    if joined.count(_SEP) != len(strings) - 1:
        return [fn(s.replace(_SEP, " ")) for s in strings]
    return fn(joined).split(_SEP) if strings else []


def sort_keys(lines: Sequence[KwicLine], sort: str) -> list[str]:
    """One string per line that sorts the lines by ``sort`` (casefolded): ``left``, the four
    words before the keyword, nearest first, then the keyword; ``right``, the first word after
    the keyword, the rest of the right context, then the keyword. (Ties keep their order.)"""
    keywords = _each([ln[1] for ln in lines], str.casefold)
    if sort == "left":
        findall = WORD.findall
        lefts = _each([ln[0][-50:] for ln in lines], str.casefold)
        return [
            " ".join(findall(s)[:-5:-1]) + _SEP + k for s, k in zip(lefts, keywords, strict=True)
        ]
    if sort != "right":
        raise ValueError(f"no sort key for {sort!r}")
    rights = _each([ln[2] for ln in lines], str.casefold)
    parts = _RIGHT.findall(_SEP + _SEP.join(rights))
    return [
        f"{first}{_SEP}{rest}{_SEP}{k}" for (first, rest), k in zip(parts, keywords, strict=True)
    ]


def sort_lines(lines: list[KwicLine], keys: list[str]) -> list[KwicLine]:
    """The lines in the order of their keys (stable: ties keep their order)."""
    order = sorted(range(len(lines)), key=keys.__getitem__)
    return [lines[i] for i in order]


CSV_FIELDS = ("left", "keyword", "right", "permalink", "pinned", "date", "speaker", "role",
              "publisher", "title")  # fmt: skip


def to_csv(lines: Iterable[KwicLine]) -> str:
    """CSV with a header; line breaks inside the contexts become spaces."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_FIELDS)
    for ln in lines:
        d = ln.to_dict()
        w.writerow(
            [re.sub(r"[\r\n]", " ", str(v)) if v is not None else "" for v in
             (d[f] for f in CSV_FIELDS)]
        )  # fmt: skip
    return buf.getvalue()
