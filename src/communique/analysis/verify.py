"""Quote verification: where in the archive was this said, and how close is the quote?

``verify(index, "<quote as reported>")`` returns the source passages that best match a quote
as it was reported (punctuation changed, ``...`` elisions, a few words changed or reordered, cut
mid-sentence), each with a similarity score (0-100), the matched span of the turn, its date,
speaker, the question it answers, permalinks, and the aligned passage of the other language
version when the archive holds one. Design and measurements: ``docs/verify.md``.

Two steps:

1. **Candidates** from the search index: an OR of the quote's rarest words (document frequency
   on ``text_raw``), compiled by the index's own query compiler (so words match stemmed, Chinese
   words as jieba segments them) with the usual filters; the top ``CANDIDATES`` turns by BM25.
2. **Scoring** each candidate with rapidfuzz on normalised text (lowercased, ``ё`` folded,
   punctuation and quotation marks dropped, words joined by one space; Chinese characters with
   nothing between them, so Chinese is matched character by character). The quote is cut at its
   elisions into pieces; each piece is aligned on its own (``fuzz.partial_ratio_alignment``: the
   best window of the turn) and scored as the better of that ratio and the token-sorted ratio on
   the window (words reordered). The quote's score is the length-weighted mean of its pieces'.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz
from tantivy import Occur
from tantivy import Query as TQ

from communique import progress
from communique.analysis.verdict import VERDICTS, Difference, judge
from communique.enrich.versions import parallel_passages
from communique.model import turn_permalink
from communique.search.analysis import HAN_RANGES, WORD, fold, raw_tokens
from communique.search.ast import MatchAll, Node, Phrase, Term
from communique.search.index import Hit, SearchIndex
from communique.search.kwic import Matcher
from communique.search.selection import make_filters

__all__ = [
    "MIN_SCORE",
    "Aligned",
    "Match",
    "VerifyResult",
    "normalise",
    "quote_language",
    "verify",
    "verify_quote",
]

MIN_SCORE = 80.0  # the documented threshold (docs/verify.md: how it was chosen)
CANDIDATES = 50  # turns scored per quote
QUERY_WORDS = 16  # the rarest words of the quote put in the candidate query
QUERY_PHRASES = 8  # and runs of three words of it
MAX_QUOTE_CHARS = 2000
ELISION = re.compile(r"\s*(?:\[\s*(?:\.\s*){2,}\]|\(\s*(?:\.\s*){2,}\)|(?:\.\s*){3,}|…+)\s*")
TOKEN = WORD  # the words tantivy's SimpleTokenizer sees


# -- normalised text with a map back to the original -------------------------------------------
# a token: one Chinese character, or a run of other word characters
NORM_TOKEN = re.compile(f"[{HAN_RANGES}]|[^\\W_{HAN_RANGES}]+")


def _lowered(text: str) -> str:
    """``text`` folded and lowercased, character for character (same offsets)."""
    low = text.lower().replace("ё", "е")  # = fold(text).lower(), without a slow translate
    if len(low) != len(text):  # a rare character whose lowercase is longer (İ)
        low = "".join(c.lower()[:1] or c for c in fold(text))
    return low


@dataclass
class Normalised:
    """A text as the tokens it is compared by: its words lowercased and folded (punctuation
    and quotation marks dropped), each Chinese character a token of its own."""

    original: str
    tokens: list[str]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Tokens ``start:end`` as a span (character offsets) of the original text."""
        if end <= start or not self.tokens:
            return (0, 0)
        first = last = None
        for i, m in enumerate(NORM_TOKEN.finditer(_lowered(self.original))):
            if i == start:
                first = m.start()
            if i == end - 1:
                last = m.end()
                break
        return (first or 0, last if last is not None else len(self.original))


def normalise(text: str) -> Normalised:
    """What quotes and turns are compared as (see the module's docstring)."""
    return Normalised(text, NORM_TOKEN.findall(_lowered(text)))


def pieces(quote: str) -> list[str]:
    """The quote cut at its elisions (``...``, ``…``, ``[...]``), pieces without words dropped."""
    return [p for p in ELISION.split(quote) if TOKEN.search(p)]


# -- results -----------------------------------------------------------------------------------
@dataclass
class Aligned:
    """The passage of another language version paired with the matched turn."""

    doc_id: str
    lang: str | None
    turns: list[int]
    text: str

    @property
    def permalink(self) -> str:
        return turn_permalink(self.doc_id, self.turns[0]) if self.turns else self.doc_id

    def to_dict(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "lang": self.lang, "turns": self.turns,
                "permalink": self.permalink, "text": self.text}  # fmt: skip


@dataclass
class Match:
    """A source passage: the turn, how close the quote is (0-100) and where it matched."""

    score: float
    hit: Hit
    spans: list[tuple[int, int]]  # character offsets in the turn's text, one per quote piece
    piece_scores: list[float]
    aligned: list[Aligned] = field(default_factory=list)
    verdict: str = "altered"  # verbatim | trimmed | altered (analysis/verdict.py)
    differences: list[Difference] = field(default_factory=list)
    matched: list[tuple[int, int]] = field(default_factory=list)  # the words the quote matches
    via: str | None = None  # the language version the quote was found through, if not this

    @property
    def permalink(self) -> str:
        return self.hit.permalink

    @property
    def pinned(self) -> str:
        return self.hit.pinned

    @property
    def text(self) -> str:
        return self.hit.text

    @property
    def span(self) -> tuple[int, int]:
        """From the first matched piece to the last."""
        return (min(s[0] for s in self.spans), max(s[1] for s in self.spans))

    @property
    def passage(self) -> str:
        """The matched text of the turn (first piece to last)."""
        a, b = self.span
        return self.hit.text[a:b]

    def to_dict(self) -> dict[str, Any]:
        h = self.hit
        return {
            "score": self.score,
            "permalink": h.permalink,
            "pinned": h.pinned,
            "doc_id": h.doc_id,
            "n": h.n,
            "revision": h.revision,
            "title": h.title,
            "date": h.date,
            "publisher": h.publisher,
            "kind": h.kind,
            "lang": h.lang,
            "speaker": h.speaker,
            "label": h.label,
            "role": h.role,
            "question": (
                {"n": h.question.n, "who": h.question.who, "text": h.question.text}
                if h.question
                else None
            ),
            "passage": self.passage,
            "span": list(self.span),
            "spans": [list(s) for s in self.spans],
            "piece_scores": self.piece_scores,
            "verdict": self.verdict,
            "differences": [d.to_dict() for d in self.differences],
            "matched": [list(s) for s in self.matched],
            "text": h.text,
            "aligned": [a.to_dict() for a in self.aligned],
            "via": self.via,
        }


@dataclass
class VerifyResult:
    quote: str
    min_score: float
    matches: list[Match]
    candidates: int = 0
    best_below: float | None = None  # the best score under the threshold (when none is above)
    elapsed_ms: float = 0.0

    @property
    def found(self) -> bool:
        return bool(self.matches)

    @property
    def verdict(self) -> str:
        """The best passage's verdict, or ``not found``."""
        return self.matches[0].verdict if self.matches else "not found"

    def message(self) -> str:
        if self.matches:
            n = len(self.matches)
            verb = "passage matches" if n == 1 else "passages match"
            head = self.verdict.capitalize()
            return f"{head}: {n} {verb} this quote (score ≥ {self.min_score:g})."
        return f"No passage in the archive matches this quote above {self.min_score:g}."

    def to_dict(self) -> dict[str, Any]:
        return {
            "quote": self.quote,
            "min_score": self.min_score,
            "found": self.found,
            "verdict": self.verdict,
            "differences": [d.to_dict() for d in self.matches[0].differences]
            if self.matches
            else [],
            "message": self.message(),
            "candidates": self.candidates,
            "best_below_threshold": self.best_below,
            "elapsed_ms": round(self.elapsed_ms, 1),
            "matches": [m.to_dict() for m in self.matches],
        }


# -- scoring -----------------------------------------------------------------------------------
def score_piece(piece: Normalised, text: Normalised) -> tuple[float, int, int]:
    """How well one quote piece matches somewhere in the turn: (score, start, end), the span
    in tokens of the turn."""
    p, t = piece.tokens, text.tokens
    if not p or not t:
        return (0.0, 0, 0)
    if len(p) >= len(t):
        return (float(fuzz.ratio(p, t)), 0, len(t))
    offset = 0
    if len(t) > 3 * len(p) + 50:  # a long turn: align around where the piece's words are densest
        offset = _densest(p, t)
        t = t[offset : offset + 3 * len(p)]
    al = fuzz.partial_ratio_alignment(p, t)
    score, start, end = float(al.score), al.dest_start, al.dest_end
    if score < 100 and len(p) > 1:
        # words reordered: the same words in another order (ties go to the order kept)
        window = t[max(0, start - 1) : end + 1]
        score = max(score, fuzz.ratio(sorted(p), sorted(window)) - 2)
    # the window is as long as the piece: drop its edge tokens that are not in the piece
    words = set(p)
    while start < end - 1 and t[start] not in words:
        start += 1
    while end - 1 > start and t[end - 1] not in words:
        end -= 1
    return (score, start + offset, end + offset)


def _densest(p: list[str], t: list[str]) -> int:
    """Where to start a window of ``3 * len(p)`` tokens of ``t`` whose middle third holds the
    most tokens of ``p``."""
    words = set(p)
    at = [i for i, tok in enumerate(t) if tok in words]
    n = len(p)
    best, best_i, j = 0, 0, 0
    for i in range(len(at)):
        while at[i] - at[j] >= n:
            j += 1
        if i - j + 1 > best:
            best, best_i = i - j + 1, at[j]
    return max(0, min(best_i - n, len(t) - 3 * n))


def score_turn(quote_pieces: list[Normalised], text: str) -> tuple[float, list[tuple[int, int]],
                                                                   list[float]]:  # fmt: skip
    """The quote's score against a turn (the mean of its pieces' scores weighted by their
    number of tokens), the pieces' spans in the turn's tokens and each piece's score."""
    t = normalise(text)
    total = weight = 0.0
    spans, scores = [], []
    for piece in quote_pieces:
        s, a, b = score_piece(piece, t)
        w = len(piece.tokens)
        total += s * w
        weight += w
        scores.append(round(s, 1))
        spans.append((a, b))
    return (total / weight if weight else 0.0, spans, scores)


def _char_spans(text: str, token_spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Token spans of ``text`` (as ``normalise`` cuts it) as character offsets."""
    starts, ends = [], []
    for m in NORM_TOKEN.finditer(_lowered(text)):
        starts.append(m.start())
        ends.append(m.end())
    out = []
    for a, b in token_spans:
        out.append((starts[a], ends[b - 1]) if b > a and b <= len(starts) else (0, 0))
    return out


# -- candidates --------------------------------------------------------------------------------
def _doc_freqs(index: SearchIndex, tokens: list[str]) -> dict[str, int]:
    searcher = index.searcher()
    return {t: searcher.doc_freq("text_raw", t) for t in set(tokens)}


def query_words(quote: str, df: dict[str, int], limit: int = QUERY_WORDS) -> list[str]:
    """The quote's rarest words (by document frequency in ``text_raw``), at most ``limit``."""
    toks = list(dict.fromkeys(raw_tokens(quote)))
    present = [t for t in toks if df.get(t, 0) > 0] or toks
    return sorted(present, key=lambda t: (df.get(t, 0), -len(t)))[:limit]


def trigrams(quote: str, df: dict[str, int], limit: int = QUERY_PHRASES) -> list[tuple[str, ...]]:
    """Up to ``limit`` runs of three words of the quote (none across an elision), each around
    one of its rarest words: verbatim stretches lift the source turn above the turns that
    merely share words with the quote (BM25 alone favours short turns)."""
    around: list[tuple[int, tuple[str, ...]]] = []
    for piece in pieces(quote):
        toks = raw_tokens(piece)
        if len(toks) < 3:
            continue
        for i, t in enumerate(toks):
            j = min(max(0, i - 1), len(toks) - 3)
            gram = tuple(toks[j : j + 3])
            if df.get(t, 0) > 0 and all(df.get(g, 0) > 0 for g in gram):
                around.append((df[t], gram))
    around.sort(key=lambda x: x[0])
    return list(dict.fromkeys(g for _, g in around))[:limit]


def _top(
    index: SearchIndex, nodes: list[tuple[Node, float]], filters: dict[str, Any], limit: int
) -> list[Any]:
    """The top turns matching any of ``nodes``, each counting its weight (a constant score:
    no length normalisation, which would bury a long speech under short turns)."""
    if not nodes:
        return []
    clauses = [(Occur.Should, TQ.const_score_query(index.compile(n), w)) for n, w in nodes]
    tq = TQ.boolean_query(clauses)
    extra = index.compile_filters(make_filters(**filters))
    if extra:
        tq = TQ.boolean_query(
            [(Occur.Must, tq), *((Occur.Must, TQ.const_score_query(q, 0.0)) for q in extra)]
        )
    return index.searcher().search(tq, limit).hits


def candidates(
    index: SearchIndex, quote: str, limit: int = CANDIDATES, **filters: Any
) -> list[Hit]:
    """The turns most likely to hold the quote: the top ``limit`` by BM25 over an OR of its
    rarest words, and the top ``limit // 2`` over an OR of three-word phrases of it."""
    df = _doc_freqs(index, raw_tokens(quote))
    words = query_words(quote, df)
    total = max(1, index.searcher().num_docs)

    def idf(token: str) -> float:
        return math.log(1 + total / (1 + df.get(token, 0)))

    grams = trigrams(quote, df)
    phrases = _top(index, [(Phrase(g), max(map(idf, g))) for g in grams], filters, limit // 2)
    terms = _top(index, [(Term(w), idf(w)) for w in words], filters, limit)
    searcher = index.searcher()
    matcher = Matcher(MatchAll())  # no snippet highlights needed
    out, seen = [], set()
    for score, addr in phrases + terms:
        key = (addr.segment_ord, addr.doc)
        if key not in seen:
            seen.add(key)
            out.append(SearchIndex._hit(searcher.doc(addr), score, matcher, 0))
    return out


# -- the other language version ------------------------------------------------------------------
def aligned_passages(index: SearchIndex, doc_id: str, n: int) -> list[Aligned]:
    """The turns of each other language version held that the alignment pairs with turn ``n``."""
    return [
        Aligned(p.doc_id, p.lang, list(p.turns), p.text)
        for p in parallel_passages(index.store, doc_id, n)
        if p.turns
    ]


# -- the entry point ---------------------------------------------------------------------------
JUDGED = 12  # the best-scored candidates given a verdict
TRIM_FLOOR = 50.0  # a trimmed quote under the threshold still counts above this score
MIN_TRIMMED_WORDS = 6


def _words_in(quote: str) -> int:
    return len(NORM_TOKEN.findall(_lowered(quote)))


def verify(
    index: SearchIndex,
    quote: str,
    *,
    min_score: float = MIN_SCORE,
    limit: int = 5,
    candidates_limit: int = CANDIDATES,
    with_versions: bool = True,
    **filters: Any,
) -> VerifyResult:
    """The passages of the archive that match ``quote`` with a score ≥ ``min_score`` (0-100),
    best first, at most ``limit``. ``filters`` are those of :meth:`Archive.search` (speaker,
    role, kind, lang, publisher, doc, entity, date_from, date_to). An empty quote is a
    ValueError."""
    started = time.perf_counter()
    quote = (quote or "").strip()
    if not TOKEN.search(quote):
        raise ValueError("the quote is empty: give the words as they were reported")
    if len(quote) > MAX_QUOTE_CHARS:
        raise ValueError(f"the quote is longer than {MAX_QUOTE_CHARS} characters")
    if not 0 <= min_score <= 100:
        raise ValueError(f"min_score must be between 0 and 100, not {min_score}")
    if limit < 1:
        raise ValueError("limit must be at least 1")
    quote_pieces = [p for p in (normalise(p) for p in pieces(quote)) if p.tokens]
    found, scored, n_hits = _find(index, quote, quote_pieces, min_score, candidates_limit,
                                  filters)  # fmt: skip
    wanted = filters.get("lang")
    qlang = quote_language(quote)
    if isinstance(wanted, str) and wanted and wanted.lower() != qlang:
        # a quote in another language than the pages asked for: found in that language's
        # version of them, through the alignment (the words are checked where they stand)
        more, more_scored, more_hits = _find(
            index, quote, quote_pieces, min_score, candidates_limit, {**filters, "lang": qlang}
        )
        n_hits += more_hits
        scored += more_scored
        for key in more:
            m = key[-1]
            m.aligned = aligned_passages(index, m.hit.doc_id, m.hit.n)
            if any(a.lang == wanted.lower() for a in m.aligned):
                m.via = m.hit.lang
                found.append(key)
    found.sort(key=lambda x: x[:3])
    matches = [m for *_, m in found][:limit]
    if with_versions:
        for m in matches:
            if not m.aligned:
                m.aligned = aligned_passages(index, m.hit.doc_id, m.hit.n)
    best_below = None if matches or not scored else max(s[0] for s in scored)
    return VerifyResult(
        quote, min_score, matches, candidates=n_hits, best_below=best_below,
        elapsed_ms=(time.perf_counter() - started) * 1000,
    )  # fmt: skip


_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z]")
_HAN = re.compile(f"[{HAN_RANGES}]")


def quote_language(quote: str) -> str:
    """``zh`` when the quote holds Chinese characters, ``ru`` when Cyrillic letters outnumber
    Latin ones, else ``en``."""
    if _HAN.search(quote):
        return "zh"
    return "ru" if len(_CYRILLIC.findall(quote)) > len(_LATIN.findall(quote)) else "en"


def _find(
    index: SearchIndex,
    quote: str,
    quote_pieces: list[Normalised],
    min_score: float,
    candidates_limit: int,
    filters: dict[str, Any],
) -> tuple[list[tuple[int, float, int, Match]], list[tuple[float, int, Hit, Any, Any]], int]:
    """The matches (sort keys first), every candidate scored, and how many were looked at."""
    hits = candidates(index, quote, candidates_limit, **filters)
    scored = []
    for rank, hit in enumerate(hits):
        score, spans, piece_scores = score_turn(quote_pieces, hit.text)
        scored.append((round(score, 1), -rank, hit, spans, piece_scores))
        progress.report(rank + 1, len(hits))
    scored.sort(key=lambda s: (s[0], s[1]), reverse=True)
    found = []
    for score, rank, hit, spans, piece_scores in scored[:JUDGED]:
        if score < min(min_score, TRIM_FLOOR):
            break
        m = Match(score, hit, _char_spans(hit.text, spans), piece_scores)
        j = judge(quote, hit.text, m.span)
        m.verdict, m.differences, m.matched = j.verdict, j.differences, j.matched
        # below the threshold, only a quote whose every word stands in the turn in order
        if score >= min_score or (
            j.verdict != "altered" and j.matched and _words_in(quote) >= MIN_TRIMMED_WORDS
        ):
            found.append((VERDICTS.index(m.verdict), -score, -rank, m))
    return found, scored, len(hits)


verify_quote = verify  # the same function under a name that front ends do not shadow
