"""REST API: revision tracking and watches (included under /api/v1 by ``web.app.create_app``).

- ``GET /api/v1/changes?since=&publisher=&limit=``: documents changed (counts of added,
  removed, reworded and moved paragraphs between their latest two revisions) and pages gone.
- ``GET /api/v1/changes/{doc_id}?from=&to=``: the diff between two revisions.
- ``GET /api/v1/watches``, ``GET /api/v1/watches/{name}`` (with its latest hits),
  ``POST /api/v1/watches`` and ``DELETE /api/v1/watches/{name}`` (writes need the server's
  token, as uploads do: ``Authorization: Bearer <token>``). Feeds: ``/feeds/<name>.atom``.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Body, Header, HTTPException, Query, Request

from communique.structure.dates import date_bound
from communique.track.changes import (
    DocumentDiff,
    RevisionNotFound,
    changed_documents,
    diff_revisions,
    fill_summaries,
    gone_pages,
    pending_summaries,
)
from communique.track.feed import feed_url, turn_url
from communique.track.watch import (
    FEED_ENTRIES,
    Watch,
    WatchError,
    add_watch,
    get_watch,
    latest_hits,
    remove_watch,
    watches,
)
from communique.web.api import check_token
from communique.web.service import ArchiveService, BadRequest

router = APIRouter(prefix="/api/v1", tags=["tracking"])
MAX_CHANGED = 1000


def service(request: Request) -> ArchiveService:
    return request.app.state.service


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def since_param(value: str) -> str | None:
    """``since`` (YYYY, YYYY-MM or YYYY-MM-DD) as the first day it means."""
    try:
        return date_bound(value, False)
    except ValueError as e:
        raise BadRequest(f"since: {e}") from None


def diff_url(doc_id: str, old: str, new: str) -> str:
    return f"/changes/{quote(doc_id, safe='')}?{urlencode({'from': old, 'to': new})}"


def pinned_url(doc_id: str, revision: str) -> str:
    return f"/d/{quote(doc_id, safe='')}@{quote(revision, safe='')}"


# -- what changed --------------------------------------------------------------------------------
def list_changes(
    svc: ArchiveService, since: str | None, publisher: str, limit: int
) -> dict[str, Any]:
    """Changed documents and gone pages: the store is read under the service's lock, the old
    revisions are re-parsed (the slow part, once per process) outside it."""

    def read(archive: Any) -> tuple[list[Any], list[Any], list[dict[str, Any]]]:
        docs = changed_documents(archive.store, since=since, publisher=publisher or None,
                                 limit=limit, counts=False)  # fmt: skip
        return docs, pending_summaries(archive.store, docs), gone_pages(archive.store, since=since)

    docs, pending, gone = svc.run(read)
    fill_summaries(docs, pending)
    return {"changed": docs, "gone": gone}


def document_diff(svc: ArchiveService, doc_id: str, old: str, new: str) -> DocumentDiff:
    """The diff, or a 404 that says which document or revision is missing."""
    try:
        return svc.run(lambda a: diff_revisions(a.store, doc_id, old or None, new or None))
    except RevisionNotFound as e:
        raise HTTPException(404, str(e)) from None


@router.get("/changes", summary="Documents changed and pages gone")
def changes(
    request: Request,
    since: Annotated[str, Query(description="YYYY, YYYY-MM or YYYY-MM-DD")] = "",
    publisher: Annotated[str, Query(description="e.g. kremlin.ru")] = "",
    limit: Annotated[int, Query(ge=1, le=MAX_CHANGED)] = 200,
) -> dict[str, Any]:
    """Documents with more than one revision seen (the latest since ``since``), newest change
    first, with counts of added, removed, reworded and moved paragraphs between their latest two
    revisions and the metadata fields that changed; and the pages the crawler found gone."""
    found = list_changes(service(request), since_param(since), publisher, limit)
    base = base_url(request)
    items = []
    for d in found["changed"]:
        item = asdict(d)
        if d.old_revision:
            item["diff"] = base + diff_url(d.doc_id, d.old_revision, d.new_revision)
            item["api"] = f"{base}/api/v1" + diff_url(d.doc_id, d.old_revision, d.new_revision)
        items.append(item)
    gone = [{**g, "archived": f"{base}/d/{quote(g['doc_id'], safe='')}" if g["doc_id"] else None}
            for g in found["gone"]]  # fmt: skip
    return {"since": since or None, "publisher": publisher or None, "changed": items,
            "gone": gone}  # fmt: skip


@router.get("/changes/{doc_id}", summary="What changed between two revisions of a document")
def change(
    request: Request,
    doc_id: str,
    old: Annotated[str, Query(alias="from", description="older revision")] = "",
    new: Annotated[str, Query(alias="to", description="newer revision (default: current)")] = "",
) -> dict[str, Any]:
    """Metadata changes and paragraph changes (``added``, ``removed``, ``reworded`` with a
    word-level diff ``[op, text]``, op ``=``/``-``/``+``, ``moved``), with links to both
    pinned revisions. ``from`` defaults to the revision before ``to``."""
    diff = document_diff(service(request), doc_id, old, new)
    base = base_url(request)
    return {
        **diff.to_dict(),
        "links": {
            "old": base + pinned_url(diff.doc_id, diff.old_revision),
            "new": base + pinned_url(diff.doc_id, diff.new_revision),
            "page": base + diff_url(diff.doc_id, diff.old_revision, diff.new_revision),
        },
    }


# -- watches ------------------------------------------------------------------------------------
def watch_json(w: Watch, base: str) -> dict[str, Any]:
    return {
        **w.to_dict(),
        "feed": feed_url(base, w.name),
        "search": f"{base}/search?{urlencode(w.query_string())}",
        "api": f"{base}/api/v1/watches/{quote(w.name, safe='')}",
    }


@router.get("/watches", summary="Saved searches")
def list_watches(request: Request) -> dict[str, Any]:
    """Every saved search with its query, filters and the URLs of its feed and search."""
    base = base_url(request)
    return {
        "items": [watch_json(w, base) for w in service(request).run(lambda a: watches(a.store))]
    }


@router.get("/watches/{name}", summary="A saved search and its latest hits")
def show_watch(
    request: Request, name: str, limit: Annotated[int, Query(ge=1, le=FEED_ENTRIES)] = 20
) -> dict[str, Any]:
    """The watch and the hits of the documents that arrived last, newest first, each with
    ``arrived`` (when its document entered the archive)."""

    def run(archive: Any) -> tuple[Watch, list[Any]]:
        w = get_watch(archive.store, name)
        return w, latest_hits(archive.index, w, limit)

    try:
        w, hits = service(request).run(run)
    except WatchError as e:
        raise HTTPException(404, str(e)) from None
    base = base_url(request)
    return {**watch_json(w, base),
            "hits": [{**h.hit.to_dict(), "arrived": h.arrived,
                      "url": turn_url(base, h.hit.doc_id, h.hit.n)} for h in hits]}  # fmt: skip


@router.post("/watches", status_code=201, summary="Save a search (needs the operator's token)")
def create_watch(
    request: Request,
    body: Annotated[
        dict[str, Any],
        Body(examples=[{"name": "csto", "query": "CSTO", "filters": {"speaker": "Lavrov"}}]),
    ],
    authorization: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    """``{"name", "query", "filters"}``, filters named as in the search URL (``speaker``,
    ``role``, ``kind``, ``lang``, ``publisher``, ``entity``, ``from``, ``to``)."""
    check_token(request, authorization, "changing watches")
    filters = body.get("filters") or {}
    if not isinstance(filters, dict):
        raise BadRequest('filters must be an object such as {"speaker": "Lavrov"}')
    try:
        w = service(request).run(
            lambda a: add_watch(a.store, str(body.get("name", "")), str(body.get("query", "")),
                                filters)
        )  # fmt: skip
    except WatchError as e:
        raise BadRequest(str(e)) from None
    return watch_json(w, base_url(request))


@router.delete("/watches/{name}", summary="Delete a saved search (needs the operator's token)")
def delete_watch(
    request: Request, name: str, authorization: Annotated[str | None, Header()] = None
) -> dict[str, Any]:
    check_token(request, authorization, "changing watches")
    try:
        service(request).run(lambda a: remove_watch(a.store, name))
    except WatchError as e:
        raise HTTPException(404, str(e)) from None
    return {"deleted": name}
