"""Web pages: analyse (included by ``web.app.create_app``): ``/trends`` (a server-rendered SVG
line chart, made interactive by ``static/js/trends.js`` from the JSON data the page embeds, a
table and CSV/JSON links), ``/who-says``, ``/collocations``, ``/keyness`` and ``/frequencies``
(tables). They take the query strings of the matching ``/api/v1`` endpoints."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from communique.analysis import stats
from communique.web.api_analyse import OWN, run
from communique.web.pages import choices, is_person_id, query_string, render
from communique.web.service import ArchiveService, BadRequest, SearchParams, int_param

router = APIRouter()
W, H, PAD = 800, 260, 40


def _segments(pts: list[tuple[float, float] | None]) -> list[str]:
    """SVG polyline ``points`` of each run of consecutive points (a gap, None, breaks a line)."""
    out, run = [], []
    for pt in [*pts, None]:
        if pt is None:
            if run:
                out.append(" ".join(f"{x},{y}" for x, y in run))
            run = []
        else:
            run.append(pt)
    return out


def line_chart(trend: stats.Trend) -> dict[str, Any]:
    """Line segments and points (one set a series) and axis labels of ``trend`` in a W x H
    viewBox. A period without words is a gap (no point, the line broken); a point from a
    small sample is marked ``small``; each point links to its turns."""
    values = [(s, s.per_10k if trend.per_10k else
               [float(x) if w else None for x, w in zip(s.hits, s.words, strict=True)])
              for s in trend.series]  # fmt: skip
    top = max([v for s, ys in values for v in (*ys, *(s.avg or [])) if v is not None] + [1e-9])
    n = max(len(trend.periods) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return (round(PAD + i * (W - 2 * PAD) / n, 1), round(H - PAD - v * (H - 2 * PAD) / top, 1))

    lines = []
    for k, (s, ys) in enumerate(values):
        avg = s.avg or []
        pts = [
            {"x": xy(i, v)[0], "y": xy(i, v)[1], "period": trend.periods[i], "value": round(v, 2),
             "hits": s.hits[i], "words": s.words[i], "small": s.small[i], "href": s.search[i]}
            for i, v in enumerate(ys) if v is not None
        ]  # fmt: skip
        lines.append(
            {
                "name": s.name,
                "cls": f"series-{k % 8}",
                "points": pts,
                "paths": _segments([None if v is None else xy(i, v) for i, v in enumerate(ys)]),
                "avg": _segments([None if v is None else xy(i, v) for i, v in enumerate(avg)]),
            }
        )
    step = max(1, len(trend.periods) // 12)
    ticks = [{"x": xy(i, 0)[0], "label": p} for i, p in enumerate(trend.periods) if i % step == 0]
    return {"w": W, "h": H, "pad": PAD, "lines": lines, "ticks": ticks,
            "top": round(top, 2), "base": H - PAD}  # fmt: skip


def _r(values: list[float | None]) -> list[float | None]:
    return [None if v is None else round(v, 4) for v in values]


def chart_data(trend: stats.Trend, chart: dict[str, Any]) -> dict[str, Any]:
    """What ``trends.js`` redraws the chart from (embedded as a JSON data block): per series
    and period the hits, words, rate, its 95% interval, the small-sample flag and the URL of
    the turns; a rate of None is a gap (no documents)."""
    return {
        "query": trend.query, "by": trend.by, "split": trend.split, "per_10k": trend.per_10k,
        "window": trend.window, "periods": trend.periods, "min_sample": trend.min_sample,
        "langs": trend.langs,
        "series": [{"name": s.name, "cls": line["cls"], "hits": s.hits, "words": s.words,
                    "per_10k": _r(s.per_10k), "low": _r(s.low), "high": _r(s.high),
                    "small": s.small, "search": s.search}
                   for s, line in zip(trend.series, chart["lines"], strict=True)],
    }  # fmt: skip


def _params(request: Request) -> tuple[SearchParams, dict[str, Any]]:
    qp = request.query_params
    sp = SearchParams.from_query({k: qp.getlist(k) for k in qp if k not in OWN})
    return sp, sp.filters()


def _own(request: Request, sp: SearchParams) -> dict[str, str]:
    """The query string for the API links: the page's options, then q and the filters (repeated
    checkboxes as one comma list)."""
    return {**{k: v for k, v in request.query_params.items() if v and k in OWN},
            **sp.to_query()}  # fmt: skip


def _int(request: Request, name: str, default: int, lo: int, hi: int) -> int:
    return int_param(request.query_params, name, default, lo, hi)


@router.get("/trends", response_class=HTMLResponse)
def trends_page(request: Request) -> Response:
    qp = request.query_params
    error, trend, chart, data = None, None, None, None
    try:
        sp, flt = _params(request)
        by, split = qp.get("by") or "year", qp.get("split") or None
        per_10k = qp.get("per_10k") in ("1", "true", "on")
        window = _int(request, "window", 0, 0, 60)
        min_sample = _int(request, "min_sample", stats.MIN_SAMPLE, 0, 1_000_000_000)
        if sp.q:
            trend = run(
                request,
                lambda a: stats.trend(
                    a.index,
                    sp.q,
                    by=by,
                    split=split,
                    per_10k=per_10k,
                    window=window,
                    min_sample=min_sample,
                    **flt,
                ),
            )
            chart = line_chart(trend)
            data = chart_data(trend, chart)
    except BadRequest as e:
        sp, by, split, per_10k, window, error = SearchParams(q=qp.get("q", "")), "year", None, \
            False, 0, str(e)  # fmt: skip
    own = {k: v for k, v in qp.items() if v}
    return render(request, "trends.html", 400 if error else 200, p=sp, trend=trend, chart=chart,
                  data=data, error=error, by=by, split=split or "", per_10k=per_10k, window=window,
                  periods=stats.PERIODS, splits=stats.SPLITS, choices=choices(request),
                  csv_url=f"/api/v1/trend?{query_string({**own, 'format': 'csv'})}",
                  json_url=f"/api/v1/trend?{query_string(own)}")  # fmt: skip


@router.get("/collocations", response_class=HTMLResponse)
def collocations_page(request: Request) -> Response:
    qp = request.query_params
    error, res = None, None
    sort = qp.get("sort") or "ll"
    try:
        sp, flt = _params(request)
        window = _int(request, "window", 5, 1, 50)
        min_freq = _int(request, "min", 3, 1, 1_000_000)
        if sp.q:
            res = run(
                request,
                lambda a: stats.collocations(
                    a.index, sp.q, window=window, sort=sort, min_freq=min_freq, **flt
                ),
            )
    except BadRequest as e:
        sp, window, min_freq, error = SearchParams(q=qp.get("q", "")), 5, 3, str(e)
    own = {k: v for k, v in qp.items() if v}
    return render(
        request,
        "collocations.html",
        400 if error else 200,
        p=sp,
        res=res,
        error=error,
        window=window,
        min_freq=min_freq,
        sort=sort,
        sorts=stats.COLLOCATION_SORTS,
        choices=choices(request),
        csv_url=f"/api/v1/collocations?{query_string({**own, 'format': 'csv'})}",
    )


@router.get("/keyness", response_class=HTMLResponse)
def keyness_page(request: Request) -> Response:
    qp = request.query_params
    a, b = qp.get("a", ""), qp.get("b", "")
    error, res = None, None
    try:
        min_freq = _int(request, "min", 5, 1, 1_000_000)
        if a and b:
            res = run(request, lambda arc: stats.keyness(arc.index, a, b, min_freq=min_freq))
    except BadRequest as e:
        min_freq, error = 5, str(e)
    own = {k: v for k, v in qp.items() if v}
    return render(
        request,
        "keyness.html",
        400 if error else 200,
        a=a,
        b=b,
        res=res,
        error=error,
        min_freq=min_freq,
        csv_url=f"/api/v1/keyness?{query_string({**own, 'format': 'csv'})}",
    )


@router.get("/who-says", response_class=HTMLResponse)
def who_says_page(request: Request) -> Response:
    qp = request.query_params
    error, rows = None, None
    sort = qp.get("sort") or "hits"
    try:
        sp, flt = _params(request)
        limit = _int(request, "limit", 20, 1, 1000)
        min_words = _int(request, "min_words", 0, 0, 1_000_000_000)
        if sp.q:
            min_sample = _int(request, "min_sample", stats.MIN_SAMPLE, 0, 1_000_000_000)
            rows = run(request, lambda a: stats.who_says(
                a.index, sp.q, sort=sort, limit=limit, min_words=min_words, min_sample=min_sample,
                **flt))  # fmt: skip
    except BadRequest as e:
        sp, limit, min_words, error = SearchParams(q=qp.get("q", "")), 20, 0, str(e)
    own = _own(request, sp)
    people = [
        {"row": r, "person": is_person_id(r.who),
         "name": ArchiveService.person_name(r.who) if is_person_id(r.who) else r.who}
        for r in rows or []
    ]  # fmt: skip
    return render(request, "who_says.html", 400 if error else 200, p=sp, rows=rows,
                  people=people, error=error, sort=sort, sorts=stats.WHO_SORTS, limit=limit,
                  min_sample=qp.get("min_sample") or stats.MIN_SAMPLE,
                  min_words=min_words, choices=choices(request),
                  csv_url=f"/api/v1/who-says?{query_string({**own, 'format': 'csv'})}",
                  json_url=f"/api/v1/who-says?{query_string(own)}")  # fmt: skip


@router.get("/frequencies", response_class=HTMLResponse)
def frequencies_page(request: Request) -> Response:
    """Runs once the form was sent (any parameter); the query is optional."""
    qp = request.query_params
    error, rows, total = None, None, 0
    stopwords = (qp.get("stopwords") or "true") not in ("false", "0", "off")
    try:
        sp, flt = _params(request)
        ngrams = _int(request, "ngrams", 1, 1, 5)
        limit = _int(request, "limit", 100, 1, 5000)
        min_freq = _int(request, "min", 1, 1, 1_000_000)
        if any(v for v in qp.values()):
            total, rows = run(request, lambda a: stats.frequencies(
                a.index, sp.q or None, ngrams=ngrams, limit=limit, min_freq=min_freq,
                stopwords=stopwords, **flt))  # fmt: skip
    except BadRequest as e:
        sp, ngrams, limit, min_freq, error = SearchParams(q=qp.get("q", "")), 1, 100, 1, str(e)
    own = _own(request, sp)
    return render(request, "frequencies.html", 400 if error else 200, p=sp, rows=rows,
                  total=total, error=error, ngrams=ngrams, limit=limit, min_freq=min_freq,
                  stopwords=stopwords, choices=choices(request),
                  csv_url=f"/api/v1/frequencies?{query_string({**own, 'format': 'csv'})}",
                  json_url=f"/api/v1/frequencies?{query_string(own)}")  # fmt: skip
