"""Corpus statistics over an archive: trends, who says it most, collocations, keyness and
frequency lists. Formulas and design: ``docs/analysis.md``.

Every function takes the archive's :class:`~communique.search.index.SearchIndex` (with its
store: ``Archive.index``), a query in the search language
(``docs/query.md``; filters such as ``speaker:lavrov date:2014`` may be part of it) and the same
filter keywords as :meth:`Archive.search` (``speaker``, ``role``, ``kind``, ``lang``,
``publisher``, ``doc``, ``entity``, ``date_from``, ``date_to``). Matching turns come from the
search index; words come from the token cache (``analysis/corpus.py``).

Rates are honest about what they count: words of the query's languages only (``query_langs``),
no rate for a period without documents (a gap: ``None``), a 95% Wilson interval and a
``small`` flag for rates from few words, and a search URL for the turns behind each number.
"""

from __future__ import annotations

import math
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import numpy as np
import tantivy

from communique import progress as share
from communique.analysis.corpus import SENTINEL, Progress, TokenCache, token_cache
from communique.search.analysis import has_han, raw_terms
from communique.search.ast import (
    And,
    Filters,
    MatchAll,
    Near,
    Node,
    Or,
    Phrase,
    Prefix,
    Query,
    Term,
)
from communique.search.selection import make_filters, parse
from communique.store.chunks import in_chunks, placeholders
from communique.structure.dates import ymd_number, ymd_parts

if TYPE_CHECKING:
    from communique.search.index import SearchIndex

PERIODS = ("day", "month", "quarter", "year")
SPLITS = ("speaker", "publisher", "kind", "lang")
SPLIT_FIELD = {"speaker": "who", "publisher": "publisher", "kind": "kind", "lang": "lang"}
COLLOCATION_SORTS = ("ll", "mi", "t", "logdice", "freq")
WHO_SORTS = ("hits", "ratio", "ll", "per_10k")
NONE = "(none)"
MAX_DAYS = 1_000_000  # buckets of the date aggregation
MIN_SAMPLE = 10_000  # fewer words than this: a rate per 10,000 words is marked small
Z95 = 1.959963984540054  # the normal quantile of a two-sided 95% interval
# languages by the script they are written in; a Latin-script word counts in every other one
HAN_LANGS = frozenset({"zh", "ja"})
CYRILLIC_LANGS = frozenset({"ru", "uk", "be", "bg", "kk", "ky", "mk", "mn", "sr", "tg"})


# -- shared -----------------------------------------------------------------------------------
def _prepare(index: SearchIndex, query: str | Query | None, filters: dict[str, Any]) -> Query:
    q = Query(MatchAll()) if query is None or query == "" else parse(query)
    extra = make_filters(**filters)
    q = index.expand(q)
    return Query(q.node, q.filters.merged(extra))


def _words_of(node: Node) -> list[str]:
    """The words a query node looks for (a NOT's words left out)."""
    if isinstance(node, Term):
        return [node.text]
    if isinstance(node, Phrase):
        return list(node.words)
    if isinstance(node, Prefix):
        return [node.prefix]
    if isinstance(node, Near):
        return _words_of(node.left) + _words_of(node.right)
    if isinstance(node, And | Or):
        return [w for c in node.children for w in _words_of(c)]
    return []  # Not, MatchAll


def script_of(word: str) -> str | None:
    """``han``, ``cyrillic`` or ``latin``: the script of a word's first letter (None without)."""
    if has_han(word):
        return "han"
    for ch in word:
        if ch.isalpha():
            name = unicodedata.name(ch, "")
            return "cyrillic" if name.startswith("CYRILLIC") else "latin"
    return None


def query_langs(query: Query, archive_langs: Iterable[str]) -> tuple[str, ...] | None:
    """The languages whose words a rate of ``query`` counts: the ``lang`` filter when there is
    one; else the languages of the archive written in the scripts of the query's words (Han:
    zh; Cyrillic: ru and the other Cyrillic languages; Latin: every other language); None
    (every language) for a query without words or with words in no known script."""
    if query.filters.lang:
        return tuple(sorted({v.strip().lower() for v in query.filters.lang}))
    scripts = {s for w in _words_of(query.node) if (s := script_of(w))}
    if not scripts:
        return None
    langs = set()
    for lang in archive_langs:
        script = "han" if lang in HAN_LANGS else "cyrillic" if lang in CYRILLIC_LANGS else "latin"
        if script in scripts and lang != NONE:
            langs.add(lang)
    return tuple(sorted(langs)) or None


def _in_langs(index: SearchIndex, cache: TokenCache, query: str | Query | None,
              q: Query) -> tuple[Query, tuple[str, ...] | None]:  # fmt: skip
    """``q`` restricted to the languages of its words (``query_langs`` of the query as typed,
    before acronyms are expanded into other scripts), and those languages."""
    typed = query if isinstance(query, Query) else parse(query) if query else None
    if typed is None:
        return q, None
    typed = Query(typed.node, q.filters)
    have = [r[0] for r in cache.query("SELECT DISTINCT lang FROM words_agg") if r[0]]
    langs = query_langs(typed, have)
    if langs is None or q.filters.lang:
        return q, langs
    return Query(q.node, q.filters.merged(Filters(lang=langs))), langs


def wilson(hits: int, words: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of ``hits / words`` (a 95% interval by default), per 10,000
    words: ``(p + z²/2n ± z √(p(1−p)/n + z²/4n²)) / (1 + z²/n)`` with ``p = hits/words``,
    ``n = words``."""
    if words <= 0:
        return 0.0, 0.0
    n = float(words)
    p = min(hits / n, 1.0)
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(centre - half, 0.0) * 10000, min(centre + half, 1.0) * 10000


def period_bounds(period: str) -> tuple[str, str]:
    """The first and last day of a period (``2014``, ``2014-Q2``, ``2014-05``, a day)."""
    import calendar

    if len(period) == 4:
        return f"{period}-01-01", f"{period}-12-31"
    y = int(period[:4])
    if "-Q" in period:
        q = int(period[-1])
        first, last = 3 * q - 2, 3 * q
    elif len(period) == 7:
        first = last = int(period[5:7])
    else:
        return period, period
    end = calendar.monthrange(y, last)[1]
    return f"{y:04d}-{first:02d}-01", f"{y:04d}-{last:02d}-{end:02d}"


def search_params(text: str, f: Filters, **changes: str) -> dict[str, str]:
    """The ``/search`` query string parameters of ``text`` under the filters ``f`` (the ones a
    URL can carry), with ``changes`` (``speaker``, ``publisher``, ``from``, ...) applied."""
    out = {"q": text, "speaker": ",".join(f.speaker), "role": ",".join(f.role),
           "kind": ",".join(f.kind), "lang": ",".join(f.lang),
           "publisher": ",".join(f.publisher), "entity": ",".join(f.entity),
           "from": f.date_from or "", "to": f.date_to or ""}  # fmt: skip
    for key, value in changes.items():
        if key in ("from", "to") and out[key]:  # the narrower bound
            value = max(value, out[key]) if key == "from" else min(value, out[key])
        out[key] = value
    return {k: v for k, v in out.items() if v}


def search_url(params: dict[str, str]) -> str:
    """``/search?...`` of ``search_params``: the turns behind a number."""
    return "/search?" + urlencode(params, safe=",:")


def _tq(index: SearchIndex, q: Query) -> tantivy.Query:
    return index.query(q)


def matching_rowids(index: SearchIndex, q: Query) -> np.ndarray:
    """The store rowids of the turns matching ``q`` (a prepared query with its filters)."""
    searcher = index.searcher()
    tq = _tq(index, q)
    n = searcher.search(tq, 1, count=True).count or 0
    if not n:
        return np.zeros(0, np.int64)
    hits = searcher.search(tq, n, count=False, order_by_field="rowid").hits
    return np.asarray(searcher.fast_field_values("rowid", [a for _, a in hits]), np.int64)


def _simple_filters(f: Filters) -> bool:
    """Whether the words under ``f`` can be summed from the cache's columns alone."""
    return not (f.speaker or f.entity or f.doc or f.uncertain)


def _sql_filters(f: Filters) -> tuple[str, list[Any]]:
    where, args = [], []
    for col, values in (("publisher", f.publisher), ("kind", f.kind), ("lang", f.lang),
                        ("role", f.role)):  # fmt: skip
        if values:
            norm = [v.strip().lower() for v in values]
            if col == "kind":
                norm = [v.replace("-", "_").replace(" ", "_") for v in norm]
            where.append(f"{col} IN ({placeholders(len(norm))})")
            args += norm
    if f.date_from:
        where.append("ymd >= ?")
        args.append(ymd_number(f.date_from, partial=True))
    if f.date_to:
        where.append("ymd <= ?")
        args.append(ymd_number(f.date_to, partial=True))
    return (" WHERE " + " AND ".join(where)) if where else "", args


def _words_rows(
    index: SearchIndex, cache: TokenCache, q: Query, by: str | None, values: list[str] | None
) -> list[tuple[int | None, str | None, int]]:
    """(ymd, split value, words) of the corpus under ``q``'s filters (its words left out)."""
    f = q.filters
    col = {"speaker": "who"}.get(by or "", by)
    if _simple_filters(f) and col != "who":
        where, args = _sql_filters(f)
        sel = f"ymd, {col}" if col else "ymd, NULL"
        sql = f"SELECT {sel}, sum(words) FROM words_agg{where} GROUP BY 1, 2"
        return [tuple(r) for r in cache.query(sql, args)]
    if _simple_filters(f) and col == "who" and values:
        where, args = _sql_filters(f)
        marks = placeholders(len(values))
        cond = f"{where} AND who IN ({marks})" if where else f" WHERE who IN ({marks})"
        sql = f"SELECT ymd, who, sum(words) FROM turn_tokens{cond} GROUP BY 1, 2"
        return [tuple(r) for r in cache.query(sql, [*args, *values])]
    rowids = matching_rowids(index, Query(MatchAll(), f)).tolist()
    out: dict[tuple[int | None, str | None], int] = defaultdict(int)
    sql = f"SELECT ymd, {col or 'NULL'}, words FROM turn_tokens WHERE rowid IN"
    done = 0
    for marks, chunk in in_chunks(rowids):
        for ymd, value, words in cache.query(f"{sql} ({marks})", chunk):
            out[(ymd, value)] += words
        done += len(chunk)
        share.report(done, len(rowids))
    return [(k[0], k[1], v) for k, v in out.items()]


# -- trends -----------------------------------------------------------------------------------
def period_of(ymd: int, by: str) -> str:
    """``YYYYMMDD`` as its period: ``2014``, ``2014-Q2``, ``2014-05`` or ``2014-05-06``."""
    y, m, d = ymd_parts(ymd)
    if by == "year":
        return f"{y:04d}"
    if by == "quarter":
        return f"{y:04d}-Q{(m - 1) // 3 + 1}"
    if by == "month":
        return f"{y:04d}-{m:02d}"
    return f"{y:04d}-{m:02d}-{d:02d}"


def _fill(periods: Iterable[str], by: str) -> list[str]:
    """The periods from the first to the last (every one between, except for days)."""
    have = sorted(set(periods))
    if by == "day" or len(have) < 2:
        return have
    first, last = have[0], have[-1]
    out = []
    y = int(first[:4])
    while True:
        steps = (
            [f"{y:04d}"] if by == "year"
            else [f"{y:04d}-Q{i}" for i in range(1, 5)] if by == "quarter"
            else [f"{y:04d}-{i:02d}" for i in range(1, 13)]
        )  # fmt: skip
        out += [p for p in steps if first <= p <= last]
        if y >= int(last[:4]):
            return out
        y += 1


def moving_average(values: list[float | None], window: int) -> list[float | None]:
    """Trailing mean over ``window`` periods (fewer at the start); gaps (None) are left out of
    the mean and have none themselves."""
    out: list[float | None] = []
    for i, value in enumerate(values):
        have = [v for v in values[max(0, i - window + 1) : i + 1] if v is not None]
        out.append(sum(have) / len(have) if value is not None else None)
    return out


@dataclass
class Series:
    """One line of a trend. A period where the series has no words (no documents) is a gap:
    its ``per_10k``, ``low`` and ``high`` are None, its ``hits`` and ``words`` 0."""

    name: str  # the split value, or "all"
    hits: list[int]
    words: list[int]
    per_10k: list[float | None]
    low: list[float | None] = field(default_factory=list)  # 95% Wilson interval, per 10k
    high: list[float | None] = field(default_factory=list)
    small: list[bool] = field(default_factory=list)  # fewer words than the trend's min_sample
    search: list[str] = field(default_factory=list)  # /search URL of the turns behind each
    avg: list[float | None] | None = None  # moving average of hits (or of per_10k when asked)


@dataclass
class Trend:
    query: str
    by: str
    split: str | None
    per_10k: bool
    window: int
    periods: list[str]
    series: list[Series]
    total: int
    langs: list[str] | None = None  # the languages whose words are counted (None: all)
    min_sample: int = MIN_SAMPLE

    def rows(self) -> list[dict[str, Any]]:
        """One row per period and series (for CSV and tables); a gap has no rate."""
        out = []
        for s in self.series:
            for i, p in enumerate(self.periods):
                rate, low, high = s.per_10k[i], s.low[i], s.high[i]
                row = {"period": p, "series": s.name, "hits": s.hits[i], "words": s.words[i],
                       "per_10k": None if rate is None else round(rate, 4),
                       "low": None if low is None else round(low, 4),
                       "high": None if high is None else round(high, 4),
                       "small": s.small[i], "search": s.search[i]}  # fmt: skip
                if s.avg is not None:
                    avg = s.avg[i]
                    row["moving_avg"] = None if avg is None else round(avg, 4)
                out.append(row)
        return out

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def trend(
    index: SearchIndex,
    query: str | Query,
    *,
    by: str = "year",
    split: str | None = None,
    per_10k: bool = False,
    window: int = 0,
    top: int = 8,
    min_sample: int = MIN_SAMPLE,
    progress: Progress | None = None,
    **filters: Any,
) -> Trend:
    """How many turns match ``query`` per period (``by``), and per 10,000 words of the corpus
    under the same filters, in the query's languages (``query_langs``); ``split`` by speaker,
    publisher, kind or language (the ``top`` values with most hits); ``window`` > 1 adds a
    trailing moving average (of the rate when ``per_10k``). A period without words is a gap;
    a rate from fewer than ``min_sample`` words is marked ``small``. Undated turns are left
    out."""
    if by not in PERIODS:
        raise ValueError(f"by must be one of {', '.join(PERIODS)}, not {by!r}")
    if split is not None and split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}, not {split!r}")
    if window < 0 or top < 1 or min_sample < 0:
        raise ValueError("window and min_sample must not be negative and top must be at least 1")
    cache = token_cache(index, progress)
    q, langs = _in_langs(index, cache, query, _prepare(index, query, filters))
    date_terms = {"terms": {"field": "date", "size": MAX_DAYS}}
    if split:
        agg = {"s": {"terms": {"field": SPLIT_FIELD[split], "size": top + 1},
                     "aggs": {"d": date_terms}}}  # fmt: skip
    else:
        agg = {"d": date_terms}
    res = index.searcher().aggregate(_tq(index, q), agg)
    hits: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    groups = (
        [(str(b["key"]), b["d"]) for b in res["s"]["buckets"]
         if split != "speaker" or str(b["key"]) != NONE][:top]
        if split else [("all", res["d"])]
    )  # fmt: skip
    for name, sub in groups:
        for b in sub["buckets"]:
            hits[name][period_of(int(b["key"]), by)] += int(b["doc_count"])
    names = [g[0] for g in groups]
    words: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for ymd, value, n in _words_rows(index, cache, q, split, names if split else None):
        if ymd is None:
            continue
        words[value if split else "all"][period_of(int(ymd), by)] += int(n or 0)
    seen = {p for d in (*hits.values(), *words.values()) for p, v in d.items() if v}
    periods = _fill(seen, by)
    text = query if isinstance(query, str) else ""
    series = []
    for name in names:
        h = [hits[name].get(p, 0) for p in periods]
        w = [words[name].get(p, 0) for p in periods]
        rate = [x * 10000 / y if y else None for x, y in zip(h, w, strict=True)]
        ci = [wilson(x, y) if y else (None, None) for x, y in zip(h, w, strict=True)]
        split_to = {} if not split or name == NONE else {split: name}
        links = [search_url(search_params(text, q.filters, **split_to,
                                          **dict(zip(("from", "to"), period_bounds(p),
                                                     strict=True))))
                 for p in periods]  # fmt: skip
        shown = rate if per_10k else [float(x) if y else None for x, y in zip(h, w, strict=True)]
        avg = moving_average(shown, window) if window > 1 else None
        series.append(Series(name, h, w, rate, [c[0] for c in ci], [c[1] for c in ci],
                             [0 < y < min_sample for y in w], links, avg))  # fmt: skip
    total = sum(sum(s.hits) for s in series)
    return Trend(text, by, split, per_10k, window, periods, series, total,
                 list(langs) if langs else None, min_sample)  # fmt: skip


# -- who says it most -------------------------------------------------------------------------
def log_likelihood_2(a: float, b: float, c: float, d: float) -> float:
    """Log-likelihood (G2) of frequency ``a`` in a corpus of ``c`` words against ``b`` in one
    of ``d`` words (Rayson & Garside 2000): ``2 * (a ln(a/E1) + b ln(b/E2))`` with
    ``E1 = c (a+b) / (c+d)`` and ``E2 = d (a+b) / (c+d)``; signed: negative when ``a`` is
    relatively less frequent."""
    if c <= 0 or d <= 0 or a + b <= 0:
        return 0.0
    e1 = c * (a + b) / (c + d)
    e2 = d * (a + b) / (c + d)
    ll = 2 * ((a * math.log(a / e1) if a else 0.0) + (b * math.log(b / e2) if b else 0.0))
    return ll if a / c >= b / d else -ll


def log_ratio(a: float, b: float, c: float, d: float) -> float:
    """Hardie's (2014) log ratio: ``log2((a/c) / (b/d))``, a zero frequency counted as 0.5."""
    return math.log2(((a or 0.5) / c) / ((b or 0.5) / d))


@dataclass
class WhoRow:
    who: str
    hits: int  # matching turns
    words: int  # words the person says under the filters
    expected: float  # hits expected from their share of the words
    ratio: float  # hits / expected
    per_10k: float
    ll: float  # log-likelihood: this person against everyone else
    low: float = 0.0  # 95% Wilson interval of per_10k
    high: float = 0.0
    small: bool = False  # fewer words than min_sample
    search: str = ""  # /search URL of the matching turns


def who_says(
    index: SearchIndex,
    query: str | Query,
    *,
    sort: str = "hits",
    limit: int = 20,
    min_words: int = 0,
    min_sample: int = MIN_SAMPLE,
    progress: Progress | None = None,
    **filters: Any,
) -> list[WhoRow]:
    """People (person id, else the speaker's name) ranked by how many of their turns match,
    with the hits expected from their share of the words and the log-likelihood of the
    difference; words are counted in the query's languages (``query_langs``), and a rate from
    fewer than ``min_sample`` words is marked ``small``. ``sort``: hits, ratio, ll or
    per_10k."""
    if sort not in WHO_SORTS:
        raise ValueError(f"sort must be one of {', '.join(WHO_SORTS)}, not {sort!r}")
    cache = token_cache(index, progress)
    q, _ = _in_langs(index, cache, query, _prepare(index, query, filters))
    text = query if isinstance(query, str) else ""
    res = index.searcher().aggregate(
        _tq(index, q), {"w": {"terms": {"field": "who", "size": 100_000}}}
    )
    hits = {str(b["key"]): int(b["doc_count"]) for b in res["w"]["buckets"]}
    hits.pop(NONE, None)
    f = q.filters
    if _simple_filters(f):
        where, args = _sql_filters(f)
        rows = cache.query(f"SELECT who, sum(words) FROM turn_tokens{where} GROUP BY who", args)
    else:
        agg: dict[str, int] = defaultdict(int)
        for _, who, n in _words_rows(index, cache, q, "speaker", None):
            agg[str(who)] += n
        rows = list(agg.items())
    words = {str(w): int(n or 0) for w, n in rows}
    total_words = sum(words.values())
    total_hits = sum(hits.values())
    out = []
    for who, h in hits.items():
        w = words.get(who, 0)
        if w < max(min_words, 1):
            continue
        expected = total_hits * w / total_words if total_words else 0.0
        low, high = wilson(h, w)
        out.append(WhoRow(
            who, h, w, expected, h / expected if expected else 0.0, h * 10000 / w,
            log_likelihood_2(h, total_hits - h, w, total_words - w), low, high,
            w < min_sample, search_url(search_params(text, q.filters, speaker=who)),
        ))  # fmt: skip
    out.sort(key=lambda r: (-getattr(r, sort), r.who))
    return out[:limit]


# -- collocations -----------------------------------------------------------------------------
@dataclass
class Collocate:
    word: str
    f_nc: int  # times in the node's windows
    f_c: int  # frequency in the reference corpus
    ll: float
    mi: float
    t: float
    logdice: float


@dataclass
class Collocations:
    node: str
    forms: list[str]
    window: int
    f_n: int  # the node's frequency (all its forms)
    n: int  # words in the reference corpus
    slots: int  # words in the node's windows
    collocates: list[Collocate] = field(default_factory=list)


def association(f_nc: float, f_n: float, f_c: float, n: float, slots: float) -> dict[str, float]:
    """LL, MI, T-score and logDice of a collocate (formulas: docs/analysis.md).

    ``O11 = f_nc``; ``R1 = slots`` (words in the node's windows), ``C1 = f_c``, ``N = n``;
    ``E11 = R1 C1 / N``. MI = log2(O11/E11); T = (O11 - E11) / sqrt(O11); LL = 2 sum O ln(O/E)
    over the 2x2 table (negative for repulsion); logDice = 14 + log2(2 O11 / (f_n + f_c)).
    """
    o11 = f_nc
    o12 = max(slots - o11, 0.0)
    o21 = max(f_c - o11, 0.0)
    o22 = max(n - slots - f_c + o11, 0.0)
    r1, r2, c1, c2 = o11 + o12, o21 + o22, o11 + o21, o12 + o22
    total = r1 + r2
    e11 = r1 * c1 / total if total else 0.0
    ll = 0.0
    for o, e in ((o11, e11), (o12, r1 * c2 / total), (o21, r2 * c1 / total),
                 (o22, r2 * c2 / total)):  # fmt: skip
        if o > 0 and e > 0:
            ll += o * math.log(o / e)
    ll *= 2
    return {
        "ll": ll if o11 >= e11 else -ll,
        "mi": math.log2(o11 / e11) if o11 > 0 and e11 > 0 else float("-inf"),
        "t": (o11 - e11) / math.sqrt(o11) if o11 > 0 else 0.0,
        "logdice": 14 + math.log2(2 * o11 / (f_n + f_c)) if o11 > 0 else float("-inf"),
    }


def _node_ids(index: SearchIndex, cache: TokenCache, word: str) -> tuple[list[int], list[str]]:
    toks = raw_terms(word)
    if len(toks) != 1:
        raise ValueError(f"a collocation node is one word, not {word!r}")
    token = toks[0]
    forms = {token} if has_han(token) else set(index.forms(token))
    ids = sorted(i for w in forms if (i := cache.id_of(w)) is not None)
    return ids, sorted(forms & set(cache.vocab))


def collocations(
    index: SearchIndex,
    word: str,
    *,
    window: int = 5,
    sort: str = "ll",
    min_freq: int = 3,
    limit: int = 50,
    stopwords: bool = True,
    progress: Progress | None = None,
    **filters: Any,
) -> Collocations:
    """Words within ``window`` words either side of ``word`` (every form with its stem; the
    turns the search finds for it under the filters), scored against the reference corpus (the
    turns under the filters; the whole archive without them). ``min_freq``: least co-occurrences.
    ``word`` may carry filters (``sanctions speaker:lavrov``)."""
    if sort not in COLLOCATION_SORTS:
        raise ValueError(f"sort must be one of {', '.join(COLLOCATION_SORTS)}, not {sort!r}")
    if not 1 <= window <= 50:
        raise ValueError("window must be between 1 and 50")
    cache = token_cache(index, progress)
    q = _prepare(index, word, filters)
    parsed = parse(word).node
    if not isinstance(parsed, Term):
        raise ValueError(f"a collocation node is one word, not {word!r}")
    node_word = parsed.text
    ids, forms = _node_ids(index, cache, node_word)
    if q.filters == Filters():
        ref, n = cache.freq, int(cache.freq.sum())
    else:
        ref = cache.counts(matching_rowids(index, Query(MatchAll(), q.filters)).tolist())
        n = int(ref.sum())
    out = Collocations(node_word, forms, window, int(ref[ids].sum()) if ids else 0, n, 0)
    if not ids:
        return out
    arr = cache.joined(matching_rowids(index, Query(Term(node_word), q.filters)).tolist(),
                       window)  # fmt: skip
    is_node = np.isin(arr, np.asarray(ids, np.uint32))
    pos = np.flatnonzero(is_node)
    around = np.concatenate([arr[pos + k] for k in range(-window, window + 1) if k])
    around = around[around != SENTINEL]
    out.slots = len(around)
    f_nc = np.bincount(around, minlength=len(cache.words))
    f_nc[ids] = 0  # the node itself is no collocate
    if stopwords:
        f_nc[cache.stop_mask()] = 0
    cands = np.flatnonzero(f_nc >= max(min_freq, 1))
    words = cache.words
    rows = []
    for c in cands.tolist():
        fc = int(max(ref[c], f_nc[c]))
        s = association(float(f_nc[c]), float(out.f_n), float(fc), float(n), float(out.slots))
        rows.append(Collocate(words[c], int(f_nc[c]), fc, s["ll"], s["mi"], s["t"],
                              s["logdice"]))  # fmt: skip
    key = "f_nc" if sort == "freq" else sort
    rows.sort(key=lambda r: (-getattr(r, key), r.word))
    out.collocates = rows[:limit]
    return out


# -- keyness ----------------------------------------------------------------------------------
@dataclass
class Keyword:
    word: str
    a: int
    b: int
    per_10k_a: float
    per_10k_b: float
    ll: float  # positive: more frequent in A
    log_ratio: float


@dataclass
class Keyness:
    a: str
    b: str
    words_a: int
    words_b: int
    turns_a: int
    turns_b: int
    key_a: list[Keyword]  # more frequent in A, by LL
    key_b: list[Keyword]  # more frequent in B, by LL


def keyness(
    index: SearchIndex,
    a: str,
    b: str,
    *,
    min_freq: int = 5,
    limit: int = 50,
    stopwords: bool = True,
    progress: Progress | None = None,
    a_filters: dict[str, Any] | None = None,
    b_filters: dict[str, Any] | None = None,
    **filters: Any,
) -> Keyness:
    """Words more frequent in subcorpus A than in B and the reverse. Each subcorpus is a query
    (words optional, filters such as ``speaker:lavrov date:2014`` in it) plus its own filters
    and the shared ``filters``. ``min_freq``: least frequency in the corpus it is key in."""
    cache = token_cache(index, progress)
    sides = []
    for i, (text, own) in enumerate(((a, a_filters), (b, b_filters))):
        with share.stage(i, 2):  # the work's progress: A, then B
            q = _prepare(index, text or None, {**filters, **(own or {})})
            rowids = matching_rowids(index, q)
            sides.append((rowids, cache.counts(rowids.tolist())))
    (ra, ca), (rb, cb) = sides
    na, nb = int(ca.sum()), int(cb.sum())
    out = Keyness(a, b, na, nb, len(ra), len(rb), [], [])
    if not na or not nb:
        return out
    mask = (ca + cb) > 0
    if stopwords:
        mask &= ~cache.stop_mask()
    words = cache.words
    for side, counts, other, n_this, n_other in ((out.key_a, ca, cb, na, nb),
                                                 (out.key_b, cb, ca, nb, na)):  # fmt: skip
        cand = np.flatnonzero(mask & (counts >= max(min_freq, 1))
                              & (counts * n_other > other * n_this))  # fmt: skip
        # LL of all candidates at once (the same formula as log_likelihood_2)
        x, y = counts[cand].astype(float), other[cand].astype(float)
        e1 = n_this * (x + y) / (n_this + n_other)
        e2 = n_other * (x + y) / (n_this + n_other)
        with np.errstate(divide="ignore", invalid="ignore"):
            ll = 2 * (x * np.log(x / e1) + np.where(y > 0, y * np.log(np.where(y > 0, y, 1) / e2),
                                                    0.0))  # fmt: skip
        order = np.lexsort((cand, -ll))[:limit]
        for i in order.tolist():
            c = int(cand[i])
            fa, fb = (int(ca[c]), int(cb[c]))
            side.append(Keyword(words[c], fa, fb, fa * 10000 / na, fb * 10000 / nb,
                                float(ll[i]) if side is out.key_a else -float(ll[i]),
                                log_ratio(fa, fb, na, nb)))  # fmt: skip
    return out


# -- frequency lists --------------------------------------------------------------------------
@dataclass
class FreqRow:
    words: str  # a word, or an n-gram's words joined by spaces
    freq: int
    per_10k: float


def frequencies(
    index: SearchIndex,
    query: str | Query | None = None,
    *,
    ngrams: int = 1,
    limit: int = 100,
    min_freq: int = 1,
    stopwords: bool = True,
    progress: Progress | None = None,
    **filters: Any,
) -> tuple[int, list[FreqRow]]:
    """(words in the subcorpus, the most frequent words or ``ngrams``-grams). The subcorpus:
    the turns matching ``query`` (or every turn) under the filters. Without stop words, an
    n-gram that begins or ends with one is left out."""
    if not 1 <= ngrams <= 5:
        raise ValueError("ngrams must be between 1 and 5")
    cache = token_cache(index, progress)
    q = _prepare(index, query or None, filters)
    whole = isinstance(q.node, MatchAll) and q.filters == Filters()
    rowids = None if whole else matching_rowids(index, q).tolist()
    words = cache.words
    stop = cache.stop_mask()
    if ngrams == 1:
        counts = cache.counts(rowids).copy()
        total = int(counts.sum())
        if stopwords:
            counts[stop] = 0
        top = [i for i in np.argsort(-counts, kind="stable")[:limit].tolist()
               if counts[i] >= max(min_freq, 1)]  # fmt: skip
        return total, [FreqRow(words[i], int(counts[i]), float(counts[i] * 10000 / max(total, 1)))
                       for i in top]  # fmt: skip
    if rowids is None:
        rows = cache.query("SELECT rowid FROM turn_tokens")
        rowids = [r[0] for r in rows]
    arr = cache.joined(rowids, ngrams - 1).astype(np.int64)
    total = int((arr != int(SENTINEL)).sum())
    size = len(arr) - ngrams + 1
    cols = [arr[k : k + size] for k in range(ngrams)]
    ok = np.ones(size, bool)
    for col in cols:
        ok &= col != int(SENTINEL)
    if stopwords:
        stop_i = np.append(stop, True)  # sentinel index -> treated as stop (already excluded)
        first = np.where(ok, cols[0], len(stop))
        last = np.where(ok, cols[-1], len(stop))
        ok &= ~stop_i[first] & ~stop_i[last]
    grams = np.stack([c[ok] for c in cols], axis=1)
    if not len(grams):
        return total, []
    uniq, counts = np.unique(grams, axis=0, return_counts=True)
    order = np.argsort(-counts, kind="stable")[:limit]
    return total, [
        FreqRow(" ".join(words[int(i)] for i in uniq[k]), int(counts[k]),
                float(counts[k] * 10000 / max(total, 1)))
        for k in order.tolist() if counts[k] >= max(min_freq, 1)
    ]  # fmt: skip


def to_rows(items: Iterable[Any]) -> list[dict[str, Any]]:
    """Dataclass rows as dicts (for CSV and JSON)."""
    return [asdict(x) for x in items]
