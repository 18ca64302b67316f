"""The REST API under ``/api/v1``: JSON, paginated, described at ``/api/v1/openapi.json``.

Search and concordance take the same query string as the web pages (``q``, ``speaker``,
``role``, ``kind``, ``lang``, ``publisher``, ``from``, ``to``, ``sort``, ``page``, ``size``), so a
page's URL and its API URL differ only in the path. Errors are ``{"error", "message"}`` with a
4xx status, or 503 with ``Retry-After`` (busy, preparing); ``web/openapi.py`` describes every
status and the main answers.
"""

from __future__ import annotations

import csv
import hmac
import io
import json
from dataclasses import asdict, replace
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Header, HTTPException, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from communique.cite import cite
from communique.enrich.align import pair_paragraphs
from communique.model import Document, Turn, turn_permalink
from communique.search.index import Hit, SearchResults
from communique.search.kwic import to_csv
from communique.web.service import (
    MAX_PAGE_SIZE,
    ArchiveService,
    BadRequest,
    KwicParams,
    SearchParams,
    split_ref,
)

router = APIRouter(prefix="/api/v1", tags=["api"])
EXPORT_MAX = 10_000  # hits in one export
MAX_PAGE = 10_000  # deepest page of a listing
FORMATS = ("text", "html", "table")

# The search parameters, declared for the OpenAPI description (read through SearchParams).
Q = Annotated[str, Query(description="A query in the language of docs/query.md")]
Opt = Annotated[str, Query(description="A value or a comma list")]


def service(request: Request) -> ArchiveService:
    return request.app.state.service


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _page_links(request: Request, page: int, size: int, total: int) -> dict[str, str | None]:
    def at(n: int) -> str:
        return str(request.url.include_query_params(page=n))

    last = max(1, -(-total // size))
    return {
        "self": str(request.url),
        "next": at(page + 1) if page < last else None,
        "prev": at(page - 1) if page > 1 else None,
    }


Parallel = Annotated[bool, Query(description="also the passage in the other language versions")]


def hit_json(hit: Hit, base: str) -> dict[str, Any]:
    d = hit.to_dict()
    d["url"] = f"{base}/d/{hit.permalink}"
    return d


def turn_json(doc: Document, turn: Turn) -> dict[str, Any]:
    return {
        **asdict(turn),
        "permalink": turn_permalink(doc.id, turn.n),
        "pinned": turn_permalink(doc.id, turn.n, doc.revision),
    }


def _results_json(request: Request, p: SearchParams, res: SearchResults) -> dict[str, Any]:
    base = base_url(request)
    return {
        "query": p.q,
        "params": p.to_query(),
        "total": res.total,
        "page": p.page,
        "size": p.size,
        "sort": p.sort,
        "hits": [hit_json(h, base) for h in res.hits],
        "facets": res.facets,
        "links": _page_links(request, p.page, p.size, res.total),
    }


@router.get("/search", summary="Search turns")
def search(
    request: Request,
    q: Q = "",
    speaker: Opt = "",
    role: Opt = "",
    kind: Opt = "",
    lang: Opt = "",
    publisher: Opt = "",
    date_from: Annotated[str, Query(alias="from", description="YYYY, YYYY-MM or date")] = "",
    date_to: Annotated[str, Query(alias="to", description="YYYY, YYYY-MM or date")] = "",
    sort: Annotated[str, Query(description="relevance, date or oldest")] = "relevance",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
    facets: Annotated[bool, Query(description="also count hits by facet")] = False,
    parallel: Parallel = False,
) -> dict[str, Any]:
    """Matching turns, best first (or by date), each with its snippet, highlights, permalink and
    the question it answers; with ``parallel``, each hit's aligned passage in every other
    language version held (``parallel``: lang, doc_id, turns, permalink, text)."""
    p = SearchParams.from_query(request.query_params)
    res = service(request).search(p, facets=facets)
    out = _results_json(request, p, res)
    if parallel:
        places = [(h.doc_id, h.n, hit_start(h)) for h in res.hits]
        for item, passages in zip(out["hits"], service(request).parallel(places), strict=True):
            item["parallel"] = passages
    if not res.total and (hints := speaker_hints(request, p)):
        # "No speaker matches “Lavorv”: did you mean Lavrov?"
        out["message"] = " ".join(h.message for h in hints)
    return out


def hit_start(hit: Hit) -> int | None:
    """Where the hit's first highlighted word stands in its turn's text (None: not found)."""
    if not hit.highlights:
        return None
    a, b = hit.highlights[0]
    at = hit.text.find(hit.snippet[a:b])
    return at if at >= 0 else None


def speaker_hints(request: Request, p: SearchParams) -> list[Any]:
    """When a search found nothing: its speaker filters that match no one, each with the
    closest speaker that does (``search.speakers.SpeakerHint``)."""
    from communique.search.speakers import speaker_hints as hints

    if not p.speaker and "speaker:" not in p.q.lower():
        return []
    return service(request).run(lambda a: hints(a.index, p.q, p.filters()["speaker"]))


@router.get("/facets", summary="Counts of a search's hits by facet")
def facets(request: Request, q: Q = "") -> dict[str, Any]:
    """Hit counts by year, publisher, kind, language, speaker and role (same filters as
    ``/search``)."""
    p = SearchParams.from_query(request.query_params)
    res = service(request).search(replace(p, size=1), facets=True)
    return {"query": p.q, "params": p.to_query(), "total": res.total, "facets": res.facets}


SEARCH_CSV_COLUMNS = (
    "permalink", "source_url", "pinned", "date", "publisher", "kind", "lang", "title", "speaker",
    "role", "role_uncertain", "question", "text", "url",
)  # fmt: skip
BOM = "\ufeff"  # CSV downloads start with one, so Excel reads the UTF-8 (Chinese, Russian)


@router.get("/search/export", summary="Export a search's hits as CSV or JSON")
def export_search(
    request: Request,
    q: Q = "",
    format: Annotated[str, Query(pattern="^(csv|json)$")] = "csv",
    limit: Annotated[int, Query(ge=1, le=EXPORT_MAX)] = 1000,
) -> Response:
    """Up to ``limit`` hits of the search (same parameters as ``/search``), each with its full
    turn text and the question it answers."""
    qp = request.query_params
    params = {k: qp.getlist(k) for k in qp if k not in ("page", "size")}  # repeated values kept
    p = SearchParams.from_query(params)
    svc = service(request)
    hits: list[Hit] = svc.search(replace(p, page=1, size=limit), facets=False).hits  # one search
    base = base_url(request)
    stem = "communique-search"
    if format == "json":
        body = json.dumps(
            {"query": p.q, "params": p.to_query(), "hits": [hit_json(h, base) | {"text": h.text}
                                                            for h in hits]},
            ensure_ascii=False,
        )  # fmt: skip
        return Response(body, media_type="application/json", headers=_attachment(f"{stem}.json"))
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow(SEARCH_CSV_COLUMNS)
    sources = _source_urls(svc, list(dict.fromkeys(h.doc_id for h in hits)))
    for h in hits:
        writer.writerow([
            h.permalink, sources.get(h.doc_id) or "", h.pinned, h.date or "", h.publisher or "",
            h.kind or "", h.lang or "", h.title or "", h.speaker or h.label or "", h.role,
            h.role_uncertain or "", h.question.text if h.question else "", h.text,
            f"{base}/d/{h.permalink}",
        ])  # fmt: skip
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers=_attachment(f"{stem}.csv"))  # fmt: skip


def _source_urls(svc: Any, doc_ids: list[str]) -> dict[str, str | None]:
    """The original page's URL of each document (for the CSV's ``source_url``)."""

    def read(archive: Any) -> dict[str, str | None]:
        docs = {d: archive.store.get(d) for d in doc_ids}
        return {d: doc.url for d, doc in docs.items() if doc is not None}

    return svc.run(read)


def _attachment(name: str) -> dict[str, str]:
    return {"content-disposition": f'attachment; filename="{name}"'}


@router.get("/kwic", summary="Concordance (keyword in context)")
def kwic(
    request: Request,
    q: Q,
    width: Annotated[int, Query(ge=10, le=300)] = 60,
    sort: Annotated[str, Query(description="corpus, date, left or right")] = "corpus",
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
    parallel: Parallel = False,
) -> Response:
    """Every occurrence of the query's words in the matching turns (same filters as
    ``/search``), with left context, keyword, right context and the turn's permalink; with
    ``parallel``, each line's aligned paragraph in every other language version held."""
    k = KwicParams.from_query(request.query_params)
    lines = service(request).kwic(k)
    if format == "csv":
        return Response(BOM + to_csv(lines), media_type="text/csv; charset=utf-8",
                        headers=_attachment("communique-kwic.csv"))  # fmt: skip
    items = [line.to_dict() for line in lines]
    if parallel:
        places = [(line.doc_id, line.n, line.start) for line in lines]
        for item, passages in zip(items, service(request).parallel(places), strict=True):
            item["parallel"] = passages
    return JSONResponse(
        {"query": k.search.q, "width": k.width, "sort": k.sort, "count": len(lines),
         "lines": items}
    )  # fmt: skip


@router.get("/documents", summary="List documents")
def documents(
    request: Request,
    publisher: str = "",
    kind: str = "",
    lang: str = "",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
) -> dict[str, Any]:
    """Documents, newest first, with their turn counts."""
    total, items = service(request).documents(
        publisher=publisher, kind=kind, lang=lang, page=page, size=size
    )
    return {"total": total, "page": page, "size": size, "items": items,
            "links": _page_links(request, page, size, total)}  # fmt: skip


def _document_or_404(request: Request, doc_ref: str) -> Document:
    ident, revision = split_ref(doc_ref)
    doc = service(request).document(ident, revision)
    if doc is None:
        what = f"revision {revision} of document {ident}" if revision else f"document {ident}"
        raise HTTPException(404, f"no {what} in this archive")
    return doc


@router.get("/documents/{doc_ref}", summary="A document with its turns")
def document(request: Request, doc_ref: str) -> dict[str, Any]:
    """The record (``docs/record.md``) with its turns, its revisions and its citation.
    ``doc_ref`` is an id, or ``id@revision`` for a pinned version."""
    doc = _document_or_404(request, doc_ref)
    svc = service(request)
    record = doc.to_dict()
    record["turns"] = [turn_json(doc, t) for t in doc.turns]
    return {
        **record,
        "revisions": svc.revisions(doc.id),
        "versions_held": svc.versions_held(doc),
        "citation": cite(doc, base_url=base_url(request)).to_dict(),
    }


@router.get("/documents/{doc_ref}/versions", summary="A document's language versions held")
def versions(request: Request, doc_ref: str) -> dict[str, Any]:
    """The documents held that are other-language versions of this one, with how they were
    linked (``shared-id``, ``same-day``, ``content``) and a score."""
    doc = _document_or_404(request, doc_ref)
    return {"id": doc.id, "lang": doc.lang, "versions": service(request).versions(doc.id)}


@router.get("/align", summary="Align two language versions turn by turn")
def align(
    request: Request,
    a: Annotated[str, Query(description="a document id")],
    b: Annotated[str, Query(description="another document id (another language)")],
    paragraphs: Annotated[bool, Query(description="also align paragraphs in each pair")] = False,
) -> dict[str, Any]:
    """Pairs of turns (turn numbers of ``a`` and ``b``), the turns without a counterpart on
    each side, and the questions (with their answers) each version lacks. With
    ``paragraphs``, each pair also lists its paragraph pairs (0-based indexes of the pair's
    paragraphs on each side)."""
    found = service(request).align(a, b)
    if found is None:
        raise HTTPException(404, f"the archive does not hold both {a} and {b}")
    alignment = found[2]
    out = alignment.to_dict()
    if paragraphs:
        for pair, item in zip(alignment.pairs, out["pairs"], strict=True):  # type: ignore[arg-type]
            item["paragraphs"] = [
                {"a": ia, "b": ib, "score": round(sc, 3)}
                for ia, ib, sc in pair_paragraphs(alignment, pair)
            ]
    return out


@router.get("/documents/{doc_ref}/turns/{n}", summary="A single turn")
def turn(request: Request, doc_ref: str, n: int) -> dict[str, Any]:
    """One turn with the question it answers and its citation."""
    ident, revision = split_ref(doc_ref)
    view = service(request).turn(ident, n, revision)
    if view is None:
        raise HTTPException(404, f"no turn {n} in document {doc_ref}")
    return {
        "document": {k: v for k, v in view.doc.to_dict().items() if k != "turns"},
        "turn": turn_json(view.doc, view.turn),
        "question": turn_json(view.doc, view.question) if view.question else None,
        "citation": cite(view.doc, view.turn, base_url=base_url(request)).to_dict(),
    }


@router.get("/speakers", summary="Speakers, most turns first")
def speakers(
    request: Request,
    q: Annotated[str, Query(max_length=200, description="part of a name")] = "",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
) -> dict[str, Any]:
    """Speakers with their numbers of turns and documents (``q`` filters by name, for
    suggestions as you type)."""
    items = service(request).speakers(q, limit=size, offset=(page - 1) * size)
    return {"page": page, "size": size, "items": items}


@router.get("/speakers/{name}", summary="One speaker's numbers")
def speaker(request: Request, name: str) -> dict[str, Any]:
    """Turns and documents of one speaker, by year, kind and role."""
    summary = service(request).speaker(name)
    if summary is None:
        raise HTTPException(404, f"no speaker named {name!r} in this archive")
    return asdict(summary)


@router.get("/people", summary="People (speakers resolved across spellings), most turns first")
def people(
    request: Request,
    q: Annotated[str, Query(max_length=200, description="part of an id or a label")] = "",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
) -> dict[str, Any]:
    """People, outlets and journalists with their numbers of turns and documents."""
    items = service(request).people(q, limit=size, offset=(page - 1) * size)
    return {"page": page, "size": size, "items": items}


@router.get("/people/{person_id}", summary="One person: roles, labels, counts, latest turns")
def person(request: Request, person_id: str) -> dict[str, Any]:
    """A person (``sergey-lavrov``), outlet (``outlet:reuters``) or journalist, with the roles
    the register records (each with its source) and the labels the transcripts use."""
    summary = service(request).person(person_id)
    if summary is None:
        raise HTTPException(404, f"no person {person_id!r} in this archive")
    return asdict(summary)


@router.get("/entities", summary="Countries and organisations named, most mentioned first")
def entities(
    request: Request,
    q: Annotated[str, Query(max_length=200, description="an id, code or name")] = "",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
) -> dict[str, Any]:
    """Entities (``country:KZ``, ``org:EAEU``) with their numbers of mentions and documents;
    ``q`` finds one by id, ISO code or name in English, Russian or Chinese."""
    items = service(request).entities(q, limit=size, offset=(page - 1) * size)
    return {"page": page, "size": size, "items": items}


@router.get("/entities/{value}", summary="One entity: mentions over time, who names it")
def entity(request: Request, value: str) -> dict[str, Any]:
    """Mentions by year and language, the people who name it most, and the entities named
    with it in the same turns. ``value``: an id, ISO code or name."""
    summary = service(request).entity(value)
    if summary is None:
        raise HTTPException(404, f"{value!r} names no country or organisation this archive knows")
    return asdict(summary)


@router.get("/stats", summary="What the archive holds")
def stats(request: Request) -> dict[str, Any]:
    """Documents and turns, by publisher, kind, language, year and role."""
    return service(request).stats()


def check_token(request: Request, authorization: str | None, action: str) -> None:
    """Writes over HTTP need the token the server was started with (``--token``): 403 when
    the server has none (``action`` names what is off), 401 for a missing or wrong one."""
    token: str | None = request.app.state.token
    if token is None:
        raise HTTPException(403, f"{action} over HTTP is off (start the server with a token)")
    scheme, _, given = (authorization or "").strip().partition(" ")
    given = given.strip()
    if scheme.lower() != "bearer":  # the documented scheme only (RFC 6750), never a bare token
        given = ""
    if not given or not hmac.compare_digest(given.encode(), token.encode()):
        raise HTTPException(401, "a valid token is needed", {"www-authenticate": "Bearer"})


@router.post("/documents", status_code=201, summary="Add documents (needs the operator's token)")
def add_documents(
    request: Request,
    file: Annotated[UploadFile, File(description="a page, HTML file, or table, as for the CLI")],
    format: Annotated[str | None, Form(description="text, html or table")] = None,
    authorization: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    """Ingest one uploaded file as ``communique ingest`` would. Off unless the server was
    started with a token; then send ``Authorization: Bearer <token>``."""
    check_token(request, authorization, "adding documents")
    if format is not None and format not in FORMATS:
        raise BadRequest(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
    data = file.file.read()
    if not data:
        raise BadRequest("the uploaded file is empty")
    svc = service(request)
    report = svc.ingest(file.filename or "upload", data, fmt=format)
    log = svc.run_log(report.run_id)
    return {
        "counts": {k: report.counts.get(k, 0) for k in
                   ("new", "updated", "unchanged", "skipped", "failed")},
        "documents": sorted({r["doc_id"] for r in log if r["doc_id"]}),
        "log": log,
    }  # fmt: skip
