"""REST API: verify (included under /api/v1 by ``web.app.create_app``).

``GET /api/v1/verify?q=<quote>&min_score=80&limit=5`` (and the filters ``speaker``, ``lang``,
``from``, ``to``): the passages that match a reported quote, as ``verify(...).to_dict()``
(docs/verify.md), each with ``url`` (its page). An empty quote is a 400.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from communique.analysis.verify import MIN_SCORE, VerifyResult, verify_quote
from communique.web.service import ArchiveService, BadRequest, _one, int_param

router = APIRouter(prefix="/api/v1", tags=["verify"])
MAX_LIMIT = 20


@dataclass(frozen=True)
class VerifyParams:
    """A verification as a URL says it (pages and API read the same query string)."""

    q: str = ""
    min_score: float = MIN_SCORE
    limit: int = 5
    speaker: str = ""
    lang: str = ""
    date_from: str = ""
    date_to: str = ""

    @classmethod
    def from_query(cls, params: Mapping[str, Any]) -> VerifyParams:
        raw = _one(params, "min_score", str(MIN_SCORE)) or str(MIN_SCORE)
        try:
            min_score = float(raw)
        except ValueError:
            raise BadRequest(f"min_score must be a number from 0 to 100, not {raw!r}") from None
        if not 0 <= min_score <= 100:
            raise BadRequest(f"min_score must be between 0 and 100, not {min_score:g}")
        return cls(
            q=_one(params, "q"), min_score=min_score,
            limit=int_param(params, "limit", 5, 1, MAX_LIMIT),
            speaker=_one(params, "speaker"), lang=_one(params, "lang").lower(),
            date_from=_one(params, "from"), date_to=_one(params, "to"),
        )  # fmt: skip

    def filters(self) -> dict[str, Any]:
        return {"speaker": self.speaker or None, "lang": self.lang or None,
                "date_from": self.date_from or None, "date_to": self.date_to or None}  # fmt: skip


def service(request: Request) -> ArchiveService:
    return request.app.state.service


def run_verify(svc: ArchiveService, p: VerifyParams) -> VerifyResult:
    """``verify`` in the service's analysis workers."""
    try:
        return svc.heavy(
            lambda archive: verify_quote(
                archive.index, p.q, min_score=p.min_score, limit=p.limit, **p.filters()
            )
        )
    except ValueError as e:
        raise BadRequest(str(e)) from None


@router.get("/verify", summary="Find the source passages of a reported quote")
def verify(
    request: Request,
    q: Annotated[str, Query(description="The quote as it was reported")] = "",
    min_score: Annotated[float, Query(description="Similarity threshold, 0-100")] = MIN_SCORE,
    limit: Annotated[int, Query(description="At most this many passages (1-20)")] = 5,
) -> dict[str, Any]:
    p = VerifyParams.from_query(request.query_params)
    if not p.q:
        raise BadRequest("q is empty: give the quote to verify")
    res = run_verify(service(request), p)
    base = str(request.base_url).rstrip("/")
    out = res.to_dict()
    for m in out["matches"]:
        m["url"] = f"{base}/d/{m['permalink']}"
        for a in m["aligned"]:
            a["url"] = f"{base}/d/{a['permalink']}"
    return out
