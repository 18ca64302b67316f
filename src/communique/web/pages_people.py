"""Web pages: ``/people`` and ``/entities``, the lists the main navigation links (included by
``web.app.create_app``): the people, outlets and journalists who speak, most turns first, and
the countries and organisations named, most mentions first; each links to its own page
(``/person/<id>``, ``/entity/<id>``) and to its turns. ``q`` narrows the list (a part of a name
or id; for entities an id, ISO code or name), ``page`` pages through it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from communique.web.pages import query_string, render
from communique.web.service import ArchiveService, int_param

router = APIRouter()
PAGE_SIZE = 50


def _list_page(request: Request, kind: str) -> Response:
    qp = request.query_params
    q = (qp.get("q") or "").strip()[:200]
    page = int_param(qp, "page", 1, 1, 10_000)
    svc: ArchiveService = request.app.state.service
    fetch = svc.people if kind == "people" else svc.entities
    # one more than shown: whether there is a next page
    items = fetch(q, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    more = len(items) > PAGE_SIZE

    def page_url(n: int) -> str:
        return f"/{kind}?{query_string({'q': q, 'page': n if n > 1 else ''})}".rstrip("?")

    return render(request, f"{kind}.html", q=q, items=items[:PAGE_SIZE], page=page,
                  first=(page - 1) * PAGE_SIZE + 1, prev_url=page_url(page - 1) if page > 1
                  else None, next_url=page_url(page + 1) if more else None)  # fmt: skip


@router.get("/people", response_class=HTMLResponse)
def people_page(request: Request) -> Response:
    """Everyone who speaks in the archive, resolved across spellings, most turns first."""
    return _list_page(request, "people")


@router.get("/entities", response_class=HTMLResponse)
def entities_page(request: Request) -> Response:
    """The countries and organisations the turns name, most mentions first."""
    return _list_page(request, "entities")
