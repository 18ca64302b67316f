"""REST API: analyse (included under /api/v1 by ``web.app.create_app``).

``/trend``, ``/who-says``, ``/collocations``, ``/keyness``, ``/frequencies``: the parameters of
the Python functions in ``communique.analysis.stats`` and of the CLI commands, with the search
filters of ``/search`` (``speaker``, ``role``, ``kind``, ``lang``, ``publisher``, ``entity``,
``from``, ``to``). JSON, or CSV with ``format=csv``.

Rates count the words of the query's languages (``langs`` in a trend); a trend period without
documents has ``per_10k`` null (a gap); each rate comes with its 95% Wilson interval (``low``,
``high``), ``small`` when it rests on fewer than ``min_sample`` words, and ``search``: the
``/search`` URL of the turns behind it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import asdict
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from communique.analysis import stats
from communique.web.service import ArchiveService, BadRequest, SearchParams, all_values

router = APIRouter(prefix="/api/v1", tags=["analyse"])
T = TypeVar("T")
OWN = {"by", "split", "per_10k", "window", "top", "sort", "limit", "min", "min_words", "min_sample",
       "stopwords", "ngrams", "format", "a", "b", "page", "size"}  # fmt: skip

Fmt = Annotated[str, Query(description="json or csv")]
MinSample = Annotated[int, Query(ge=0, description="Fewer words than this: a small sample")]
Opt = Annotated[str, Query(description="A value or a comma list")]


def _filters(params: Mapping[str, Any]) -> tuple[SearchParams, dict[str, Any]]:
    """The search part of the query string (q and the filters), checked like /search."""
    sp = SearchParams.from_query({k: all_values(params, k) for k in params if k not in OWN})
    return sp, sp.filters()


def run(request: Request, fn: Callable[[Any], T]) -> T:
    """``fn(archive)`` in the service's analysis workers; a bad parameter is a 400."""
    svc: ArchiveService = request.app.state.service
    try:
        return svc.heavy(fn)
    except ValueError as e:
        raise BadRequest(str(e)) from None


def to_csv(rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    if rows:
        w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return buf.getvalue()


def _answer(fmt: str, rows: list[dict[str, Any]], payload: dict[str, Any], name: str) -> Any:
    if fmt == "csv":
        return Response(
            "\ufeff" + to_csv(rows),  # a byte-order mark: Excel then reads the UTF-8
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="{name}.csv"'},
        )
    if fmt != "json":
        raise BadRequest(f"format must be json or csv, not {fmt!r}")
    return payload


@router.get("/trend", summary="Matches of a query over time")
def trend(
    request: Request,
    q: str = "",
    by: Annotated[str, Query(description="day, month, quarter or year")] = "year",
    split: Annotated[str, Query(description="speaker, publisher, kind or lang")] = "",
    per_10k: bool = False,
    window: Annotated[int, Query(ge=0, le=60)] = 0,
    top: Annotated[int, Query(ge=1, le=50)] = 8,
    min_sample: MinSample = stats.MIN_SAMPLE,
    format: Fmt = "json",
    speaker: Opt = "",
    kind: Opt = "",
    lang: Opt = "",
    publisher: Opt = "",
) -> Any:
    """Matching turns per period, with words and hits per 10,000 words of the filtered corpus;
    split by speaker, publisher, kind or language; a trailing moving average."""
    sp, flt = _filters(request.query_params)
    res = run(
        request,
        lambda a: stats.trend(
            a.index,
            sp.q,
            by=by,
            split=split or None,
            per_10k=per_10k,
            window=window,
            top=top,
            min_sample=min_sample,
            **flt,
        ),
    )
    return _answer(format, res.rows(), {"params": sp.to_query(), **res.to_dict()}, "trend")


@router.get("/who-says", summary="People ranked by how often they say something")
def who_says(
    request: Request,
    q: str = "",
    sort: Annotated[str, Query(description="hits, ratio, ll or per_10k")] = "hits",
    limit: Annotated[int, Query(ge=1, le=1000)] = 20,
    min_words: Annotated[int, Query(ge=0)] = 0,
    min_sample: MinSample = stats.MIN_SAMPLE,
    format: Fmt = "json",
) -> Any:
    """Per person: matching turns, words, expected hits from the share of words, ratio, LL."""
    sp, flt = _filters(request.query_params)
    if not sp.q:
        raise BadRequest("who-says needs a query (q)")
    res = run(
        request,
        lambda a: stats.who_says(
            a.index, sp.q, sort=sort, limit=limit, min_words=min_words, min_sample=min_sample, **flt
        ),
    )
    rows = stats.to_rows(res)
    return _answer(format, rows, {"query": sp.q, "params": sp.to_query(), "people": rows},
                   "who-says")  # fmt: skip


@router.get("/collocations", summary="Collocates of a word")
def collocations(
    request: Request,
    q: Annotated[str, Query(description="The node word (filters allowed)")] = "",
    window: Annotated[int, Query(ge=1, le=50)] = 5,
    sort: Annotated[str, Query(description="ll, mi, t, logdice or freq")] = "ll",
    min: Annotated[int, Query(ge=1)] = 3,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    stopwords: Annotated[bool, Query(description="leave out stop words")] = True,
    format: Fmt = "json",
) -> Any:
    """Words within ``window`` words of the node, with LL, MI, T-score and logDice."""
    sp, flt = _filters(request.query_params)
    if not sp.q:
        raise BadRequest("collocations need a word (q)")
    res = run(request, lambda a: stats.collocations(
        a.index, sp.q, window=window, sort=sort, min_freq=min, limit=limit, stopwords=stopwords,
        **flt))  # fmt: skip
    return _answer(format, stats.to_rows(res.collocates), asdict(res), "collocations")


@router.get("/keyness", summary="Keywords of one subcorpus against another")
def keyness(
    request: Request,
    a: Annotated[str, Query(description="Subcorpus A: a query and/or filters")],
    b: Annotated[str, Query(description="Subcorpus B: a query and/or filters")],
    min: Annotated[int, Query(ge=1)] = 5,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    stopwords: bool = True,
    format: Fmt = "json",
) -> Any:
    """Words more frequent in A than in B (``key_a``) and the reverse (``key_b``), with
    log-likelihood and log ratio; the shared filters apply to both."""
    _, flt = _filters(request.query_params)
    res = run(request, lambda arc: stats.keyness(arc.index, a, b, min_freq=min, limit=limit,
                                                 stopwords=stopwords, **flt))  # fmt: skip
    rows = [{"key_in": "A", **r} for r in stats.to_rows(res.key_a)]
    rows += [{"key_in": "B", **r} for r in stats.to_rows(res.key_b)]
    return _answer(format, rows, asdict(res), "keyness")


@router.get("/frequencies", summary="Word and n-gram frequency lists")
def frequencies(
    request: Request,
    q: str = "",
    ngrams: Annotated[int, Query(ge=1, le=5)] = 1,
    min: Annotated[int, Query(ge=1)] = 1,
    limit: Annotated[int, Query(ge=1, le=5000)] = 100,
    stopwords: bool = True,
    format: Fmt = "json",
) -> Any:
    """The most frequent words (or n-grams) of the turns matching ``q`` and the filters."""
    sp, flt = _filters(request.query_params)
    total, res = run(request, lambda a: stats.frequencies(
        a.index, sp.q or None, ngrams=ngrams, limit=limit, min_freq=min, stopwords=stopwords,
        **flt))  # fmt: skip
    rows = stats.to_rows(res)
    return _answer(format, rows, {"params": sp.to_query(), "words": total, "rows": rows},
                   "frequencies")  # fmt: skip
