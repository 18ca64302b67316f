"""REST API: export (included under /api/v1 by ``web.app.create_app``).

``GET /api/v1/subcorpus?format=csv|jsonl|parquet|tei|bibtex|csl&q=...&<filters>`` streams every
turn a search matches (same parameters as ``/search``, without paging) as a table, a zip of TEI
files, or a citation bundle. ``GET /api/v1/subcorpus/summary`` says how many turns and
documents that would be.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from communique.export import CITATION_FORMATS, FORMATS, TABLE_FORMATS
from communique.export.subcorpus import (
    EmptySelection,
    Key,
    TooMany,
    doc_ids,
    require,
    select,
)
from communique.search.selection import Selection
from communique.web.service import ArchiveService, BadRequest, selection_from_query

router = APIRouter(prefix="/api/v1", tags=["export"])
MAX_TURNS = 50_000  # turns in one export request
T = TypeVar("T")

Opt = Annotated[str, Query(description="A value or a comma list")]
EXTENSIONS = {"csv": "csv", "jsonl": "jsonl", "parquet": "parquet", "tei": "zip",
              "bibtex": "bib", "csl": "json"}  # fmt: skip


def _service(request: Request) -> ArchiveService:
    return request.app.state.service


def _selected(request: Request, cap: int | None) -> tuple[ArchiveService, Selection, list[Key]]:
    """The selection of the query string and its turns (read under the service's lock)."""
    from communique.search.ast import QueryError

    selection = selection_from_query(request.query_params)  # BadRequest for a bad value
    svc = _service(request)
    try:
        keys = svc.heavy(lambda archive: select(archive.index, selection, cap=cap))
    except TooMany as e:
        raise BadRequest(str(e)) from None
    except (QueryError, ValueError) as e:
        raise BadRequest(str(e)) from None
    return svc, selection, keys


def _guard(svc: ArchiveService) -> Callable[[Callable[[], T]], T]:
    """Store reads of a streamed response: each batch under the lock, the lock let go between
    batches so other requests go on meanwhile."""
    return lambda fn: svc.run(lambda _archive: fn())


@router.get("/subcorpus/summary", summary="How many turns and documents a subcorpus holds")
def subcorpus_summary(
    request: Request,
    q: Annotated[str, Query(description="A query (docs/query.md); empty: filters only")] = "",
) -> dict[str, Any]:
    """Turns and documents the same parameters would export, and whether that is within the
    limit of one request."""
    _, selection, keys = _selected(request, None)
    return {
        "params": selection.to_query(), "turns": len(keys), "documents": len(doc_ids(keys)),
        "max_turns": MAX_TURNS, "exportable": len(keys) <= MAX_TURNS, "formats": list(FORMATS),
    }  # fmt: skip


@router.get("/subcorpus", summary="Export a subcorpus: CSV, JSONL, Parquet, TEI (zip), BibTeX, CSL")
def subcorpus(
    request: Request,
    format: Annotated[str, Query(description=", ".join(FORMATS))] = "jsonl",
    q: Annotated[str, Query(description="A query (docs/query.md); empty: filters only")] = "",
    speaker: Opt = "",
    role: Opt = "",
    kind: Opt = "",
    lang: Opt = "",
    publisher: Opt = "",
    entity: Opt = "",
    date_from: Annotated[str, Query(alias="from", description="YYYY, YYYY-MM or date")] = "",
    date_to: Annotated[str, Query(alias="to", description="YYYY, YYYY-MM or date")] = "",
) -> StreamingResponse:
    """Every turn matching the search (same parameters as ``/search``; no paging), streamed:
    ``csv``, ``jsonl``, ``parquet`` (a row a turn), ``tei`` (a zip: one TEI file per document and
    the corpus root ``communique.xml``), ``bibtex`` or ``csl`` (a citation per document).
    At most 50,000 turns a request (a 400 says so beyond; narrow with filters); a selection
    that matches nothing is a 400 too."""
    if format not in FORMATS:
        raise BadRequest(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
    svc, selection, keys = _selected(request, MAX_TURNS)
    try:
        require(keys, selection)
    except EmptySelection as e:
        raise BadRequest(str(e)) from None
    guard = _guard(svc)
    base = str(request.base_url).rstrip("/")
    body: Iterator[bytes]
    if format in TABLE_FORMATS:
        from communique.export.tables import MEDIA_TYPES, chunks

        # CSV for spreadsheets: a byte-order mark, so Excel reads the UTF-8 (Chinese, Russian)
        body = chunks(svc.store, keys, format, guard=guard, excel=format == "csv")
        media = MEDIA_TYPES[format]
    elif format in CITATION_FORMATS:
        from communique.export import bundle

        ids = doc_ids(keys)
        body = bundle.chunks(svc.store, ids, format, guard=guard, base_url=base)
        media = bundle.MEDIA_TYPES[format]
    else:
        from communique.export.tei import corpus_title, zip_chunks

        body = zip_chunks(svc.store, doc_ids(keys), guard=guard, base_url=base,
                          title=corpus_title(selection))  # fmt: skip
        media = "application/zip"
    name = f"communique-subcorpus.{EXTENSIONS[format]}"
    headers = {
        "content-disposition": f'attachment; filename="{name}"',
        "x-communique-turns": str(len(keys)),
    }
    return StreamingResponse(body, media_type=media, headers=headers)
