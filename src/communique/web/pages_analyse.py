"""Web pages: analyse (included by ``web.app.create_app``): ``/trends`` (a server-rendered SVG
line chart, a table and CSV/JSON links), ``/collocations`` and ``/keyness`` (tables). They take
the query strings of the matching ``/api/v1`` endpoints."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from communique.analysis import stats
from communique.web.api_analyse import OWN, run
from communique.web.pages import choices, query_string, render
from communique.web.service import BadRequest, SearchParams

router = APIRouter()
W, H, PAD = 800, 260, 40


def line_chart(trend: stats.Trend) -> dict[str, Any]:
    """Polylines (one a series) and axis labels of ``trend`` in a W x H viewBox."""
    values = [(s.name, s.per_10k if trend.per_10k else [float(x) for x in s.hits], s.avg)
              for s in trend.series]  # fmt: skip
    top = max([v for _, ys, avg in values for v in (*ys, *(avg or []))] + [1e-9])
    n = max(len(trend.periods) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return (round(PAD + i * (W - 2 * PAD) / n, 1), round(H - PAD - v * (H - 2 * PAD) / top, 1))

    lines = []
    for k, (name, ys, avg) in enumerate(values):
        pts = [(*xy(i, v), trend.periods[i], round(v, 2)) for i, v in enumerate(ys)]
        avg_pts = " ".join(f"{x},{y}" for x, y in (xy(i, v) for i, v in enumerate(avg or [])))
        lines.append(
            {
                "name": name,
                "cls": f"series-{k % 8}",
                "points": pts,
                "path": " ".join(f"{x},{y}" for x, y, *_ in pts),
                "avg": avg_pts,
            }
        )
    step = max(1, len(trend.periods) // 12)
    ticks = [{"x": xy(i, 0)[0], "label": p} for i, p in enumerate(trend.periods) if i % step == 0]
    return {"w": W, "h": H, "pad": PAD, "lines": lines, "ticks": ticks,
            "top": round(top, 2), "base": H - PAD}  # fmt: skip


def _params(request: Request) -> tuple[SearchParams, dict[str, Any]]:
    qp = request.query_params
    sp = SearchParams.from_query({k: qp.getlist(k) for k in qp if k not in OWN})
    return sp, sp.filters()


def _int(request: Request, name: str, default: int, lo: int, hi: int) -> int:
    raw = request.query_params.get(name) or str(default)
    if not raw.isdigit() or not lo <= int(raw) <= hi:
        raise BadRequest(f"{name} must be a whole number from {lo} to {hi}")
    return int(raw)


@router.get("/trends", response_class=HTMLResponse)
def trends_page(request: Request) -> Response:
    qp = request.query_params
    error, trend, chart = None, None, None
    try:
        sp, flt = _params(request)
        by, split = qp.get("by") or "year", qp.get("split") or None
        per_10k = qp.get("per_10k") in ("1", "true", "on")
        window = _int(request, "window", 0, 0, 60)
        if sp.q:
            trend = run(
                request,
                lambda a: stats.trend(
                    a, sp.q, by=by, split=split, per_10k=per_10k, window=window, **flt
                ),
            )
            chart = line_chart(trend)
    except BadRequest as e:
        sp, by, split, per_10k, window, error = SearchParams(q=qp.get("q", "")), "year", None, \
            False, 0, str(e)  # fmt: skip
    own = {k: v for k, v in qp.items() if v}
    return render(request, "trends.html", 400 if error else 200, p=sp, trend=trend, chart=chart,
                  error=error, by=by, split=split or "", per_10k=per_10k, window=window,
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
                    a, sp.q, window=window, sort=sort, min_freq=min_freq, **flt
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
            res = run(request, lambda arc: stats.keyness(arc, a, b, min_freq=min_freq))
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
