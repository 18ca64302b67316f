"""Server-rendered pages: home, search, document, citation, speaker, concordance, help, API docs.

Every page is a Jinja2 template under ``templates/`` (autoescaped: transcript text is never
rendered as HTML) with CSS and JS as files under ``static/`` (the CSP allows no inline script or
style). Pages read through :class:`ArchiveService` and take the same query string as the API
(:class:`SearchParams`), so a page URL and its API URL differ only in the path.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from communique.cite import cite, publisher_name
from communique.enrich.align import Alignment, Pair, pair_paragraphs
from communique.enrich.align import paragraphs as aligned_paragraphs
from communique.enrich.document import person_of, register
from communique.enrich.entities import entity_name
from communique.model import ROLES, Document, Turn
from communique.search.index import Hit
from communique.search.kwic import SORTS as KWIC_SORTS
from communique.structure.doubts import REASONS as ROLE_DOUBTS
from communique.web.api import speaker_hints
from communique.web.service import (
    MAX_PAGE_SIZE,
    ArchiveService,
    BadRequest,
    KwicParams,
    SearchParams,
    split_ref,
)

HERE = Path(__file__).parent
log = logging.getLogger("communique.web")
router = APIRouter(include_in_schema=False)

SEARCH_KEYS = (
    "q", "speaker", "role", "kind", "lang", "publisher", "entity", "from", "to", "sort", "size",
)  # fmt: skip
PAGE_KEYS = (*SEARCH_KEYS, "page")
KWIC_KEYS = (*SEARCH_KEYS[:-2], "sort", "width", "limit")
LIST_FILTERS = ("role", "kind", "lang", "publisher", "entity")
NOT_LINKABLE = ("(none)", "(other)")  # facet values that are counts, not filters
LANG_NAMES = {"en": "English", "ru": "Русский", "zh": "中文", "fr": "Français", "es": "Español",
              "de": "Deutsch", "ar": "العربية"}  # fmt: skip
SORT_NAMES = {"relevance": "Relevance", "date": "Newest first", "oldest": "Oldest first"}
KWIC_SORT_NAMES = {"corpus": "Corpus order", "date": "Newest first", "left": "Left context",
                   "right": "Right context"}  # fmt: skip
FACET_NAMES = {"year": "Year", "publisher": "Publisher", "kind": "Kind", "lang": "Language",
               "speaker": "Speaker", "role": "Role", "entity": "Named"}  # fmt: skip
QUESTION_CHARS = 320  # a hit's question, shortened to this
LATEST_DOCS = 10
SPEAKER_TURNS = 10


# -- template helpers ---------------------------------------------------------------------------
def path_quote(value: str) -> str:
    """``value`` as one URL path segment."""
    return quote(str(value), safe="")


def web_link(url: str | None) -> str | None:
    """``url`` if it is an http(s) address a page may link to, else None (a javascript: or
    data: URL from a hostile input is shown as text, never linked)."""
    return url if url and url.strip().lower().startswith(("http://", "https://")) else None


def query_string(params: Mapping[str, Any]) -> str:
    return urlencode({k: v for k, v in params.items() if v not in ("", None)}, safe=",:")


def search_url(p: SearchParams, path: str = "/search", **changes: Any) -> str:
    """The URL of the search ``p`` with ``changes`` (back on page 1 unless a page is given)."""
    changes.setdefault("page", 1)
    qs = query_string(p.to_query(**changes))
    return f"{path}?{qs}" if qs else path


def export_url(p: SearchParams, fmt: str) -> str:
    """Where the page's hits download: the first 10,000 hits as CSV/JSON by relevance, or the
    whole subcorpus (every matching turn) as jsonl, parquet, tei, bibtex or csl."""
    params = {k: v for k, v in p.to_query().items() if k not in ("page", "size", "sort")}
    if fmt in ("csv", "json"):
        return f"/api/v1/search/export?{query_string({**params, 'format': fmt})}"
    return f"/api/v1/subcorpus?{query_string({**params, 'format': fmt})}"


def segments(snippet: str, highlights: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """``snippet`` cut into (text, highlighted) pieces along the highlight spans."""
    out: list[tuple[str, bool]] = []
    at = 0
    for start, end in sorted(highlights):
        start, end = max(start, at), min(end, len(snippet))
        if start >= end:
            continue
        if start > at:
            out.append((snippet[at:start], False))
        out.append((snippet[start:end], True))
        at = end
    if at < len(snippet):
        out.append((snippet[at:], False))
    return out


def paragraphs(text: str) -> list[str]:
    """A turn's text as paragraphs (blank lines separate them)."""
    return [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


def shorten(text: str, limit: int = QUESTION_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def kind_name(kind: str | None) -> str:
    return (kind or "other").replace("_", " ")


def lang_name(lang: str | None) -> str:
    return LANG_NAMES.get(lang or "", lang or "unknown")


def bars(counts: Mapping[str, int]) -> list[dict[str, Any]]:
    """Rows of a horizontal bar chart: label, count and the bar's share of the largest (0-100)."""
    top = max(counts.values(), default=0) or 1
    return [{"label": k, "count": v, "pct": round(100 * v / top, 1)} for k, v in counts.items()]


def columns(counts: Mapping[str, int], height: int = 100) -> dict[str, Any]:
    """A vertical column chart (SVG user units) of ``counts`` in their order."""
    top = max(counts.values(), default=0) or 1
    step, bar = 40, 30
    cols = []
    for i, (label, n) in enumerate(counts.items()):
        h = max(1.0, round(height * n / top, 1))
        cols.append({"label": label, "count": n, "x": i * step + 5, "y": 20 + height - h,
                     "h": h, "w": bar, "cx": i * step + 20})  # fmt: skip
    return {"cols": cols, "width": max(step * len(cols), step), "height": height + 40,
            "base": 20 + height}  # fmt: skip


def pages_around(page: int, last: int, radius: int = 2) -> list[int | None]:
    """Page numbers to link: first, last and those around ``page``; None marks a gap."""
    keep = sorted({1, last, *range(max(1, page - radius), min(last, page + radius) + 1)})
    out: list[int | None] = []
    for n in keep:
        if out and out[-1] is not None and n - out[-1] > 1:  # type: ignore[operator]
            out.append(None)
        out.append(n)
    return out


def who(turn: Turn) -> str:
    return turn.speaker or turn.label or turn.role.capitalize()


def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        pq=path_quote, web_link=web_link, entity_name=entity_name, kind_name=kind_name,
        lang_name=lang_name,
        publisher_name=publisher_name,
        shorten=shorten, paragraphs=paragraphs,
    )  # fmt: skip
    env.globals.update(
        kind_name=kind_name, lang_name=lang_name, search_url=search_url, export_url=export_url,
        segments=segments, bars=bars, columns=columns, query_string=query_string, who=who,
        FACET_NAMES=FACET_NAMES, SORT_NAMES=SORT_NAMES, KWIC_SORT_NAMES=KWIC_SORT_NAMES,
        ROLES=ROLES, NOT_LINKABLE=NOT_LINKABLE,
    )  # fmt: skip
    return env


templates = Jinja2Templates(env=_env())


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def service(request: Request) -> ArchiveService:
    return request.app.state.service


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def error_page(request: Request, status: int, message: str) -> Response:
    """A page saying what went wrong (a query's error keeps its caret line, in <pre>)."""
    try:
        return render(request, "error.html", status, status=status, message=message)
    except Exception:  # the error page must never fail itself
        from html import escape

        log.exception("the error page failed")
        body = f"<!doctype html><title>Error {status}</title><pre>{escape(message)}</pre>"
        return HTMLResponse(body, status)


# -- query strings ------------------------------------------------------------------------------
def form_params(request: Request, keys: tuple[str, ...]) -> dict[str, str]:
    """The known parameters, repeated ones (checkboxes) joined into comma lists."""
    qp = request.query_params
    return {k: ",".join(v for v in qp.getlist(k) if v.strip()) for k in keys if k in qp}


def is_canonical(request: Request, keys: tuple[str, ...]) -> bool:
    """Whether the URL has no empty fields and no repeated parameter (what a form submits)."""
    items = [(k, v) for k, v in request.query_params.multi_items() if k in keys]
    return all(v.strip() for _, v in items) and len({k for k, _ in items}) == len(items)


def choices(request: Request) -> dict[str, list[str]]:
    """What the advanced search offers: the kinds, languages and publishers the archive holds."""
    stats = service(request).stats()
    out = {name: [k for k in stats[f"by_{name}"] if k not in NOT_LINKABLE]
           for name in ("kind", "lang", "publisher")}  # fmt: skip
    out["role"] = list(ROLES)
    return out


# -- pages --------------------------------------------------------------------------------------
@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    svc = service(request)
    stats = svc.stats()
    total, latest = svc.documents(size=LATEST_DOCS)
    return render(
        request, "home.html", stats=stats, latest=latest, total=total,
        year_href=lambda y: search_url(SearchParams(date_from=y, date_to=y)),
        publisher_href=lambda v: search_url(SearchParams(publisher=v)),
        kind_href=lambda v: search_url(SearchParams(kind=v)),
        lang_href=lambda v: search_url(SearchParams(lang=v)),
    )  # fmt: skip


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request) -> Response:
    raw = form_params(request, PAGE_KEYS)
    try:
        p = SearchParams.from_query(raw)
    except BadRequest as e:
        fallback = SearchParams(q=raw.get("q", ""))
        return _search_response(request, fallback, None, str(e))
    if not is_canonical(request, PAGE_KEYS):
        return RedirectResponse(search_url(p, page=p.page), status_code=303)
    if not p.q and not any(p.filters().values()) and p.sort == "relevance":
        return _search_response(request, p, None, None)
    try:
        results = service(request).search(p, facets=True)
    except BadRequest as e:
        return _search_response(request, p, None, str(e))
    from communique.web.api import hit_start

    places = [(h.doc_id, h.n, hit_start(h)) for h in results.hits]
    hints = [] if results.total else speaker_hints(request, p)
    return _search_response(request, p, results, None, parallel_for(request, places), hints)


def _search_response(
    request: Request, p: SearchParams, results: Any, error: str | None,
    parallel: list[Any] | None = None, hints: Any = (),
) -> HTMLResponse:  # fmt: skip
    last = max(1, math.ceil(results.total / p.size)) if results else 1
    return render(
        request, "search.html", 400 if error else 200, p=p, results=results, error=error,
        choices=choices(request), pages=pages_around(p.page, last), last=last,
        active=active_filters(p), facet_links=facet_links(p, results) if results else {},
        parallel=parallel, parallel_toggle=parallel_toggle(request),
        speaker_hints=[{"message": h.message, "url": _hint_url(p, h)} for h in hints],
    )  # fmt: skip


def parallel_for(request: Request, places: list[tuple[str, int, int | None]]) -> list[Any] | None:
    """With ``parallel=1`` in the URL: each hit's passage in the other language versions held
    (the parallel concordance), else None."""
    if request.query_params.get("parallel", "") not in ("1", "on", "true"):
        return None
    return service(request).parallel(places)


def parallel_toggle(request: Request) -> dict[str, Any]:
    """The link that shows (or hides) the other language versions under each hit."""
    on = request.query_params.get("parallel", "") in ("1", "on", "true")
    items = [(k, v) for k, v in request.query_params.multi_items() if k != "parallel"]
    if not on:
        items.append(("parallel", "1"))
    return {"on": on, "url": f"{request.url.path}?{urlencode(items)}"}


def _hint_url(p: SearchParams, hint: Any) -> str | None:
    """The same search with the suggested speaker (a value of the speaker filter only; one
    inside the query is the user's to retype)."""
    values = p.speaker.split(",")
    if not hint.suggestion or hint.value not in values:
        return None
    return search_url(p, speaker=",".join(hint.suggestion if v == hint.value else v
                                          for v in values))  # fmt: skip


def active_filters(p: SearchParams) -> list[dict[str, str]]:
    """The filters in force, each with the URL of the same search without it."""
    out = []
    for name, attr in (("speaker", "speaker"), ("from", "date_from"), ("to", "date_to")):
        if getattr(p, attr):
            value = getattr(p, attr)
            out.append({"name": name, "value": value, "label": facet_label(name, value),
                        "remove": search_url(p, **{attr: ""})})  # fmt: skip
    for name in LIST_FILTERS:
        values = [v for v in getattr(p, name).split(",") if v]
        for v in values:
            rest = ",".join(x for x in values if x != v)
            out.append({"name": name, "value": v, "label": facet_label(name, v),
                        "remove": search_url(p, **{name: rest})})  # fmt: skip
    return out


def facet_links(p: SearchParams, results: Any) -> dict[str, list[dict[str, Any]]]:
    """Each facet's values with counts and the URL that adds the value as a filter."""
    out: dict[str, list[dict[str, Any]]] = {}
    for name, counts in results.facets.items():
        rows = []
        for value, n in counts.items():
            rows.append({"value": value, "label": facet_label(name, value), "count": n,
                         "href": _facet_href(p, name, value),
                         "active": _facet_active(p, name, value)})  # fmt: skip
        if rows:
            out[name] = rows
    return out


def facet_label(name: str, value: str) -> str:
    """How a facet value reads: entity and person ids by name, kinds in words."""
    if value in NOT_LINKABLE:
        return value
    if name == "entity":
        return entity_name(value)
    if name == "kind":
        return kind_name(value)
    if name == "speaker" and is_person_id(value):
        return ArchiveService.person_name(value)
    return value


def is_person_id(value: str) -> bool:
    return value in register().people or value.startswith(("outlet:", "journalist:", "person:"))


def _facet_href(p: SearchParams, name: str, value: str) -> str | None:
    if value in NOT_LINKABLE:
        return None
    if name == "year":
        return search_url(p, date_from=value, date_to=value)
    return search_url(p, **{name: value})


def _facet_active(p: SearchParams, name: str, value: str) -> bool:
    if name == "year":
        return p.date_from == value and p.date_to == value
    current = getattr(p, name, "")
    return value in current.split(",") if name in LIST_FILTERS else current == value


@router.get("/help", response_class=HTMLResponse)
def help_page(request: Request) -> Response:
    return render(request, "help.html")


def _document(request: Request, doc_ref: str) -> tuple[Document, str | None]:
    ident, revision = split_ref(doc_ref)
    doc = service(request).document(ident, revision)
    if doc is None:
        what = f"revision {revision} of document {ident}" if revision else f"document {ident}"
        raise HTTPException(404, f"There is no {what} in this archive.")
    return doc, revision


@router.get("/d/{doc_ref}", response_class=HTMLResponse)
def document_page(request: Request, doc_ref: str) -> Response:
    doc, pinned = _document(request, doc_ref)
    svc = service(request)
    held = svc.versions_held(doc)
    versions = version_links(doc, held)
    speakers = {t.speaker for t in doc.turns if t.speaker}
    return render(
        request, "document.html", doc=doc, pinned=pinned, versions=versions,
        revisions=svc.revisions(doc.id), speakers=speakers,
        citation=cite(doc, base_url=base_url(request)), csl=_csl_text,
    )  # fmt: skip


def version_links(doc: Document, held: Mapping[str, str]) -> list[dict[str, Any]]:
    """The languages the publisher names (the document's own first), each with the held id."""
    langs = list(dict.fromkeys([doc.lang or "", *doc.versions, *held]))
    return [{"lang": lang, "id": held.get(lang), "current": lang == (doc.lang or "")}
            for lang in langs if lang]  # fmt: skip


@router.get("/align/{a_id}/{b_id}", response_class=HTMLResponse)
def align_page(request: Request, a_id: str, b_id: str) -> Response:
    """Two language versions side by side, turn by turn; turns without a counterpart marked."""
    found = service(request).align(a_id, b_id)
    if found is None:
        raise HTTPException(404, f"The archive does not hold both {a_id} and {b_id}.")
    a, b, alignment = found
    rows = alignment_rows(a, b, alignment)
    return render(
        request, "align.html", a=a, b=b, rows=rows, omissions=alignment.omissions(),
    )  # fmt: skip


def alignment_rows(a: Document, b: Document, alignment: Alignment) -> list[dict[str, Any]]:
    """Rows of the side-by-side view in reading order: matched turns, and turns of one side
    alone (``left``/``right`` empty on the other). The alignment is monotone, so a turn without a
    counterpart goes right after the pair that precedes it on its own side."""
    a_turns, b_turns = {t.n: t for t in a.turns}, {t.n: t for t in b.turns}
    pairs = sorted(alignment.pairs, key=lambda p: (min(p.a), min(p.b)))

    def before(side: str, n: int) -> tuple[float, float]:
        prior = [p for p in pairs if max(getattr(p, side)) < n]
        return (max(prior[-1].a), max(prior[-1].b)) if prior else (0, 0)

    keyed: list[tuple[tuple[float, float], dict[str, Any]]] = []
    for p in pairs:
        row = {"left": [a_turns[n] for n in p.a], "right": [b_turns[n] for n in p.b],
               "score": p.score, "paras": _paragraph_rows(alignment, p)}  # fmt: skip
        keyed.append(((min(p.a), min(p.b)), row))
    for n in alignment.unmatched_a:
        keyed.append(((n, before("a", n)[1] + 0.5), {"left": [a_turns[n]], "right": [],
                                                      "score": None, "paras": []}))  # fmt: skip
    for n in alignment.unmatched_b:
        keyed.append(((before("b", n)[0] + 0.5, n), {"left": [], "right": [b_turns[n]],
                                                      "score": None, "paras": []}))  # fmt: skip
    return [row for _, row in sorted(keyed, key=lambda kr: kr[0])]


def _paragraph_rows(alignment: Alignment, pair: Pair) -> list[tuple[list[str], list[str]]]:
    """A matched pair's paragraphs side by side (empty when each side is one paragraph)."""
    beads = pair_paragraphs(alignment, pair)
    if len(beads) < 2:
        return []
    by_a = {t.n: t for t in alignment.a_turns}
    by_b = {t.n: t for t in alignment.b_turns}
    pa = aligned_paragraphs("\n\n".join(by_a[n].text for n in pair.a))
    pb = aligned_paragraphs("\n\n".join(by_b[n].text for n in pair.b))
    return [([pa[i] for i in ia], [pb[j] for j in ib]) for ia, ib, _ in beads]


def _csl_text(csl: dict[str, Any]) -> str:
    return json.dumps(csl, ensure_ascii=False, indent=2)


@router.get("/d/{doc_ref}/cite", response_class=HTMLResponse)
def cite_page(request: Request, doc_ref: str, turn: int | None = None) -> Response:
    doc, pinned = _document(request, doc_ref)
    by_n = {t.n: t for t in doc.turns}
    the_turn = doc.turn(turn) if turn is not None else None  # 0: the lead or a turnless title
    if turn is not None and the_turn is None:
        raise HTTPException(404, f"Document {doc.id} has no turn {turn}.")
    question = by_n.get(the_turn.answers) if the_turn and the_turn.answers else None
    return render(
        request, "cite.html", doc=doc, pinned=pinned, turn=the_turn, question=question,
        citation=cite(doc, the_turn, base_url=base_url(request)), csl=_csl_text,
    )  # fmt: skip


@router.get("/speaker/{name}", response_class=HTMLResponse)
def speaker_page(request: Request, name: str) -> Response:
    svc = service(request)
    person = person_of(name)
    if person is not None and svc.person(person) is not None:  # speakers are people
        return RedirectResponse(f"/person/{path_quote(person)}", status_code=307)
    summary = svc.speaker(name)
    if summary is None:
        raise HTTPException(404, f"There is no speaker named “{name}” in this archive.")
    latest = svc.search(SearchParams(speaker=name, sort="date", size=SPEAKER_TURNS), facets=False)
    return render(request, "speaker.html", s=summary, latest=latest.hits,
                  all_turns=search_url(SearchParams(speaker=name, sort="date")))  # fmt: skip


@router.get("/entity/{value}", response_class=HTMLResponse)
def entity_page(request: Request, value: str) -> Response:
    """A country or organisation: mentions over time, who names it most, what comes with it."""
    summary = service(request).entity(value)
    if summary is None:
        raise HTTPException(404, f"“{value}” names no country or organisation this archive knows.")
    return render(request, "entity.html", e=summary)


@router.get("/person/{person_id}", response_class=HTMLResponse)
def person_page(request: Request, person_id: str) -> Response:
    """One person across every spelling and script: roles, labels, counts, latest turns."""
    svc = service(request)
    summary = svc.person(person_id)
    if summary is None:
        raise HTTPException(404, f"There is no person “{person_id}” in this archive.")
    latest = svc.search(SearchParams(speaker=person_id, sort="date", size=SPEAKER_TURNS),
                        facets=False)  # fmt: skip
    return render(request, "person.html", p=summary, latest=latest.hits,
                  all_turns=search_url(SearchParams(speaker=person_id, sort="date")))  # fmt: skip


@router.get("/kwic", response_class=HTMLResponse)
def kwic_page(request: Request) -> Response:
    raw = form_params(request, KWIC_KEYS)
    try:
        k = KwicParams.from_query(raw)
    except BadRequest as e:
        k = KwicParams(SearchParams(q=raw.get("q", "")))
        return _kwic_response(request, k, None, str(e))
    if not is_canonical(request, KWIC_KEYS):
        return RedirectResponse(kwic_url(k), status_code=303)
    if not k.search.q:
        return _kwic_response(request, k, None, None)
    try:
        lines = service(request).kwic(k)
        total = kwic_total(request, k, lines)
    except BadRequest as e:
        return _kwic_response(request, k, None, str(e))
    places = [(line.doc_id, line.n, line.start) for line in lines]
    return _kwic_response(request, k, lines, None, parallel_for(request, places), total)


def kwic_total(request: Request, k: KwicParams, lines: list[Any]) -> dict[str, Any]:
    """How many lines the whole concordance has: ``{"lines": n}`` (exact: all shown, or
    counted by the concordance store), else ``{"at_least": turns}`` (a turn has a line at
    least); ``turns``: the matching turns. Nothing is recounted here."""
    svc = service(request)
    flt = k.search.filters()
    turns = svc.run(lambda a: a.search(k.search.q, limit=0, **flt).total)
    if len(lines) < k.limit:
        return {"lines": len(lines), "at_least": None, "turns": turns}
    counted = svc.kwic_count(k)
    if counted is not None:
        return {"lines": max(counted, len(lines)), "at_least": None, "turns": turns}
    return {"lines": None, "at_least": max(turns, len(lines)), "turns": turns}


def kwic_query(k: KwicParams) -> dict[str, str]:
    """The canonical query string of a concordance (defaults left out)."""
    out = {key: v for key, v in k.search.to_query().items() if key not in ("sort", "page", "size")}
    if k.sort != "corpus":
        out["sort"] = k.sort
    if k.width != 60:
        out["width"] = str(k.width)
    if k.limit != 500:
        out["limit"] = str(k.limit)
    return out


def kwic_url(k: KwicParams) -> str:
    qs = query_string(kwic_query(k))
    return f"/kwic?{qs}" if qs else "/kwic"


def _kwic_response(
    request: Request, k: KwicParams, lines: list[Any] | None, error: str | None,
    parallel: list[Any] | None = None, total: dict[str, Any] | None = None,
) -> HTMLResponse:  # fmt: skip
    csv_url = f"/api/v1/kwic?{query_string({**kwic_query(k), 'format': 'csv'})}"
    return render(
        request, "kwic.html", 400 if error else 200, k=k, p=k.search, lines=lines, error=error,
        total=total or {},
        choices=choices(request), csv_url=csv_url, sorts=KWIC_SORTS,
        sort_urls={s: kwic_url(replace(k, sort=s)) for s in KWIC_SORTS},
        parallel=parallel, parallel_toggle=parallel_toggle(request),
    )  # fmt: skip


# -- the API browser (swagger-ui from the installed package, no CDN) -------------------------
def _swagger_dir() -> Path:
    from swagger_ui_bundle import swagger_ui_path

    return Path(swagger_ui_path)


SWAGGER_FILES = ("swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png")


@router.get("/api/v1/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> Response:
    return render(request, "api_docs.html")


@router.get("/swagger-ui/{name}")
def swagger_asset(name: str) -> Response:
    """One of swagger-ui's own files (a fixed list: nothing else of the folder is served)."""
    if name not in SWAGGER_FILES:
        raise HTTPException(404, "no such file")
    headers = {"cache-control": "public, max-age=86400"}
    return FileResponse(_swagger_dir() / name, headers=headers)


def hit_who(hit: Hit) -> str:
    return hit.speaker or hit.label or hit.role.capitalize()


templates.env.globals.update(hit_who=hit_who, MAX_PAGE_SIZE=MAX_PAGE_SIZE, ROLE_DOUBTS=ROLE_DOUBTS)
