"""Web pages: verify (included by ``web.app.create_app``).

``/verify?q=<quote>&min_score=80&limit=5``: a form (GET) and the passages that match the quote,
the matched pieces marked, with score, date, speaker, question, permalink and the aligned
passage of the other language version (docs/verify.md).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from communique.analysis.verify import Match
from communique.web.api_verify import VerifyParams, run_verify
from communique.web.pages import paragraphs, render, service
from communique.web.service import BadRequest

router = APIRouter(include_in_schema=False)
CONTEXT = 300  # characters of the turn shown around the matched span


def marked(m: Match, context: int = CONTEXT) -> dict[str, Any]:
    """The turn around the matched span as (text, marked) pieces, with … where cut; marked
    are the words the quote matches (not the words it left out or changed)."""
    text = m.hit.text
    a, b = m.span
    lo, hi = max(0, a - context), min(len(text), b + context)
    if lo:
        cut = text.find(" ", lo)
        lo = cut + 1 if 0 <= cut < a else lo
    if hi < len(text):
        cut = text.rfind(" ", b, hi)
        hi = cut if cut > b else hi
    pieces: list[tuple[str, bool]] = []
    at = lo
    for s, e in sorted(m.matched or m.spans):  # only the words the quote matches
        s, e = max(s, at), min(e, hi)
        if s >= e:
            continue
        if s > at:
            pieces.append((text[at:s], False))
        pieces.append((text[s:e], True))
        at = e
    if at < hi:
        pieces.append((text[at:hi], False))
    return {"pieces": pieces, "before": lo > 0, "after": hi < len(text)}


@router.get("/verify", response_class=HTMLResponse)
def verify_page(request: Request) -> Response:
    error = None
    result = None
    try:
        p = VerifyParams.from_query(request.query_params)
        if p.q:
            result = run_verify(service(request), p)
    except BadRequest as e:
        p = VerifyParams(q=str(request.query_params.get("q", ""))[:2000])
        error = str(e)
    status = 400 if error else 200
    return render(
        request, "verify.html", status, p=p, result=result, error=error, marked=marked,
        paragraphs=paragraphs,
    )  # fmt: skip
