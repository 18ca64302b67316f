"""Web pages: what changed, saved searches and their Atom feeds (included by
``web.app.create_app``).

- ``/changes?since=&publisher=``: documents changed, with counts and links to each diff, and the
  pages gone from their sites (with the archived copy).
- ``/changes/<doc_id>?from=&to=``: one document's changes between two revisions, paragraph by
  paragraph, words marked with ``<del>``/``<ins>``, with links to both pinned revisions.
- ``/watches``: the saved searches with their feeds and results; with a server token, a form
  saves the search a page came from (``POST /watches``).
- ``/feeds/<name>.atom``: a watch's latest hits as Atom 1.0.
"""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from communique.track.feed import atom_feed
from communique.track.watch import FILTER_KEYS, WatchError, add_watch, get_watch, latest_hits
from communique.track.watch import watches as saved_watches
from communique.web.api_track import (
    MAX_CHANGED,
    diff_url,
    document_diff,
    list_changes,
    pinned_url,
    since_param,
)
from communique.web.pages import base_url, render, service
from communique.web.service import BadRequest, _one, int_param

router = APIRouter(include_in_schema=False)
ATOM_TYPE = "application/atom+xml; charset=utf-8"
FILTER_LABELS = {"speaker": "Speaker", "role": "Role", "kind": "Kind", "lang": "Language",
                 "publisher": "Publisher", "entity": "Country or organisation",
                 "from": "From (date)", "to": "To (date)"}  # fmt: skip


@router.get("/changes", response_class=HTMLResponse)
def changes_page(request: Request) -> Response:
    qp = request.query_params
    since, publisher = _one(qp, "since"), _one(qp, "publisher").lower()
    error, found = None, None
    try:
        limit = int_param(qp, "limit", 200, 1, MAX_CHANGED)
        found = list_changes(service(request), since_param(since), publisher, limit)
    except BadRequest as e:
        error = str(e)
    publishers = [p for p in service(request).stats()["by_publisher"] if p != "(none)"]
    return render(
        request, "changes.html", 400 if error else 200, since=since, publisher=publisher,
        publishers=publishers, found=found, error=error, diff_url=diff_url,
    )  # fmt: skip


@router.get("/changes/{doc_id}", response_class=HTMLResponse)
def change_page(request: Request, doc_id: str) -> Response:
    qp = request.query_params
    svc = service(request)
    diff = document_diff(svc, doc_id, _one(qp, "from"), _one(qp, "to"))
    doc = svc.document(doc_id)
    revisions = svc.revisions(doc_id)
    return render(
        request, "change.html", diff=diff, doc=doc, revisions=revisions,
        old_url=pinned_url(diff.doc_id, diff.old_revision),
        new_url=pinned_url(diff.doc_id, diff.new_revision),
    )  # fmt: skip


@router.get("/watches", response_class=HTMLResponse)
def watches_page(request: Request) -> Response:
    """The saved searches; the query string (``q`` and filters, as on /search) fills the form."""
    items = service(request).run(lambda a: saved_watches(a.store))
    qp = request.query_params
    values = {k: _one(qp, k, many=True) for k in ("name", "q", *FILTER_KEYS)}
    return render(request, "watches.html", items=items, **_form_context(request, values, None))


def _form_context(request: Request, values: dict[str, str], error: str | None) -> dict[str, Any]:
    return {"can_add": request.app.state.token is not None, "values": values,
            "form_error": error, "FILTER_KEYS": FILTER_KEYS, "FILTER_LABELS": FILTER_LABELS,
            "urlencode": urlencode}  # fmt: skip


@router.post("/watches", response_class=HTMLResponse)
async def add_watch_page(request: Request) -> Response:
    """Save a search from a form (``name``, ``q``, the filters and the server's ``token``)."""
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in ("name", "q", *FILTER_KEYS)}
    token: str | None = request.app.state.token
    given = str(form.get("token", ""))
    error = None
    if token is None:
        error = "Saving searches over the web is off (start the server with a token)."
    elif not given or not hmac.compare_digest(given.encode(), token.encode()):
        error = "That token is not the server's: ask its operator for it."
    else:
        filters = {k: values[k] for k in FILTER_KEYS if values[k]}
        if "speaker" in filters:
            filters["speaker"] = filters["speaker"].replace(",", "|")
        try:
            service(request).run(lambda a: add_watch(a.store, values["name"], values["q"], filters))
        except WatchError as e:
            error = str(e)
    if error is None:
        return RedirectResponse("/watches", status_code=303)
    items = service(request).run(lambda a: saved_watches(a.store))
    status = 403 if token is None else 400
    return render(request, "watches.html", status, items=items,
                  **_form_context(request, values, error))  # fmt: skip


@router.get("/feeds/{name}.atom")
def feed(request: Request, name: str) -> Response:
    """A watch's latest 50 hits as an Atom feed, newest arrival first."""

    def run(archive: Any) -> bytes:
        w = get_watch(archive.store, name)
        return atom_feed(w, latest_hits(archive.index, w), base_url(request))

    try:
        body = service(request).run(run)
    except WatchError as e:
        raise HTTPException(404, str(e)) from None
    return Response(body, media_type=ATOM_TYPE)
