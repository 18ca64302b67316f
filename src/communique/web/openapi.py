"""The API's description (``/api/v1/openapi.json``) as the server really answers.

FastAPI's default description says every route may answer ``422`` (this server answers a bad
parameter with ``400``) and that every ``200`` is ``{type: object}``. :func:`describe` rewrites
it once, from the routes FastAPI found:

- every operation lists every status it can return, each error with the ``Error`` schema
  (``{"error", "message"}``): ``400`` and ``500`` everywhere, ``404`` where a path names a
  thing (and ``/align``), ``401``/``403`` where a token is needed, ``413`` where a body is
  sent, ``503`` (with ``Retry-After``) on the heavy routes that run in the analysis workers;
- every ``200`` (and ``201``) has a schema: the Pydantic models below and in ``web/models.py``
  (made from the answer's dataclass where it is one), or the record's own JSON Schema for
  ``/documents/{id}`` and its turns; the routes that can answer CSV (or other formats) say
  so;
- parameters are described as they are checked: enums for ``sort``, ``by``, ``split`` and
  ``format``, a pattern for comma lists of ``kind``/``role``, dates as a year, a month or a
  day that exists (``format: date``), ``required`` on
  the ``q`` that must be given.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from communique.analysis.stats import COLLOCATION_SORTS, PERIODS, SPLITS, WHO_SORTS
from communique.model import KINDS, ROLES
from communique.search.index import SORTS
from communique.search.kwic import SORTS as KWIC_SORTS
from communique.web import models as m
from communique.web.models import HitOut, KwicLineOut, Links

PREFIX = "/api/v1"
HEAVY = {"/trend", "/who-says", "/collocations", "/keyness", "/frequencies", "/verify",
         "/subcorpus", "/subcorpus/summary", "/kwic"}  # fmt: skip
NOT_FOUND = {"/align"}  # besides every path with a parameter in it
CSV_TOO = {"/search/export", "/kwic", "/trend", "/who-says", "/collocations", "/keyness",
           "/frequencies"}  # fmt: skip
REQUIRED_Q = {"/collocations", "/kwic", "/who-says", "/verify"}
SORT_ENUMS = {"/search": SORTS, "/search/export": SORTS, "/kwic": KWIC_SORTS,
              "/who-says": WHO_SORTS, "/collocations": COLLOCATION_SORTS}  # fmt: skip
FORMAT_ENUMS = {path: ("json", "csv") for path in CSV_TOO}
RETRY_AFTER = {"description": "seconds to wait", "schema": {"type": "integer"}}
ERRORS = {
    400: "A parameter is wrong (the message says which and what is allowed)",
    401: "A valid token is needed (`Authorization: Bearer <token>`)",
    403: "Writing over HTTP is off on this server (it was started without a token)",
    404: "Nothing of that name in this archive",
    409: "No answer (yet): the job is queued or running, or was cancelled",
    413: "The request body is larger than the server accepts",
    500: "Something went wrong on the server",
    503: "Busy (the analysis queue is full, or the request passed its deadline) or still "
    "preparing the word cache or the concordance store; try again after `Retry-After` seconds",
}


class Error(BaseModel):
    """Every error: a code and a message for people."""

    error: str = Field(description="bad_request, not_found, busy, preparing, ...")
    message: str


class SearchOut(BaseModel):
    query: str
    params: dict[str, str] = Field(description="the canonical query string")
    total: int
    page: int
    size: int
    sort: str
    hits: list[HitOut]
    facets: dict[str, dict[str, int]]
    links: Links


class FacetsOut(BaseModel):
    query: str
    params: dict[str, str]
    total: int
    facets: dict[str, dict[str, int]]


class DocumentSummary(BaseModel):
    id: str
    date: str | None
    publisher: str | None
    kind: str | None
    lang: str | None
    title: str | None
    turns: int


class DocumentsOut(BaseModel):
    total: int
    page: int
    size: int
    items: list[DocumentSummary]
    links: Links


class WordCache(BaseModel):
    ready: bool
    percent: int


class Derived(BaseModel):
    model_config = ConfigDict(extra="allow")
    word_cache: WordCache


class AnalysesLoad(BaseModel):
    workers: int = Field(description="analysis worker processes")
    queue: int = Field(description="places for requests waiting for a worker")
    running: int = Field(description="requests a worker is on now")
    waiting: int = Field(description="requests waiting for a worker now")


class StatsOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    documents: int
    turns: int
    raw_inputs: int
    raw_bytes: int
    failed_paths: int
    skipped_paths: int
    schema_version: int
    by_publisher: dict[str, int]
    by_kind: dict[str, int]
    by_lang: dict[str, int]
    by_year: dict[str, int]
    by_role: dict[str, int]
    change_seq: int = Field(description="the store's latest change")
    index_seq: int = Field(description="the latest change this server's index has applied")
    derived: Derived = Field(description="whether the derived data analyses read is ready")
    analyses: AnalysesLoad = Field(description="how busy the analysis workers are")


class KwicOut(BaseModel):
    query: str
    width: int
    sort: str
    count: int
    lines: list[KwicLineOut]


class SeriesOut(BaseModel):
    name: str
    hits: list[int]
    words: list[int]
    per_10k: list[float | None] = Field(description="null: a gap (no documents in the period)")
    low: list[float | None] = Field(description="95% Wilson interval, per 10k words")
    high: list[float | None]
    small: list[bool] = Field(description="fewer words than min_sample: a small sample")
    search: list[str] = Field(description="the /search URL of the turns behind each point")
    avg: list[float | None] | None


class TrendOut(BaseModel):
    params: dict[str, str]
    query: str
    by: str
    split: str | None
    per_10k: bool
    window: int
    periods: list[str]
    series: list[SeriesOut]
    total: int
    langs: list[str] | None = Field(description="the languages whose words are counted")
    min_sample: int


class SpeakerItem(BaseModel):
    name: str
    turns: int
    documents: int


class PersonItem(BaseModel):
    id: str
    name: str
    turns: int
    documents: int


class EntityItem(BaseModel):
    id: str
    name: str
    mentions: int
    documents: int


class SpeakersOut(BaseModel):
    page: int
    size: int
    items: list[SpeakerItem]


class PeopleOut(BaseModel):
    page: int
    size: int
    items: list[PersonItem]


class EntitiesOut(BaseModel):
    page: int
    size: int
    items: list[EntityItem]


def _dataclass_models() -> dict[str, Any]:
    """Answers that are a dataclass as ``asdict`` gives it: its type is its schema."""
    from communique.analysis.stats import Collocations, Keyness
    from communique.web.service import EntitySummary, PersonSummary, SpeakerSummary

    return {"/speakers/{name}": SpeakerSummary, "/people/{person_id}": PersonSummary,
            "/entities/{value}": EntitySummary, "/collocations": Collocations,
            "/keyness": Keyness}  # fmt: skip


class ExportHit(HitOut):  # type: ignore[valid-type,misc]
    text: str = Field(description="the turn's whole text")


class ExportOut(BaseModel):
    query: str
    params: dict[str, str]
    hits: list[ExportHit]


MODELS: dict[str, Any] = {
    "/search": SearchOut, "/facets": FacetsOut, "/documents": DocumentsOut,
    "/stats": StatsOut, "/kwic": KwicOut, "/trend": TrendOut, "/speakers": SpeakersOut,
    "/people": PeopleOut, "/entities": EntitiesOut, "/search/export": ExportOut,
    "/documents/{doc_ref}/versions": m.VersionsOut, "/align": m.AlignOut,
    "/who-says": m.WhoSaysOut, "/frequencies": m.FrequenciesOut, "/verify": m.VerifyOut,
    "/subcorpus/summary": m.SubcorpusSummaryOut, "/changes": m.ChangesOut,
    "/changes/{doc_id}": m.ChangeOut, "/watches": m.WatchesOut,
    "/watches/{name}": m.WatchHitsOut,
}  # fmt: skip
WRITES: dict[tuple[str, str], Any] = {  # the 201 or 200 of a write
    ("post", "/documents"): m.AddedOut,
    ("post", "/watches"): m.WatchOut,
    ("delete", "/watches/{name}"): m.DeletedOut,
}
RECORD = {"/documents/{doc_ref}": "DocumentOut", "/documents/{doc_ref}/turns/{n}": "TurnOut"}
ASYNC = HEAVY - {"/subcorpus"}  # may answer 202 and a job (web/jobs.py)
PREFER = {
    "name": "prefer", "in": "header", "required": False, "schema": {"type": "string"},
    "description": "`respond-async` (optionally `, wait=N` seconds, default 2): an answer not "
    "ready within the wait comes as `202` and a job to follow (`Location`)",
}  # fmt: skip
ACCEPTED = "Not ready within the wait the client asked for (`Prefer: respond-async`): the job"


def describe(app: FastAPI) -> None:
    """Replace ``app.openapi`` with the rewritten description (built once, then kept)."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = rewrite(original())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _schema_of(model: Any, components: dict[str, Any]) -> dict[str, Any]:
    """A Pydantic model's (or a dataclass's) schema among the components; a reference to it."""
    schema = TypeAdapter(model).json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in schema.pop("$defs", {}).items():
        components[name] = sub
    components[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _record_components(components: dict[str, Any]) -> None:
    """The record's schema (``schema/record.schema.json``) and what the API makes of it."""
    for model in (m.RevisionOut, m.CitationOut):
        _schema_of(model, components)
    components.update(m.record_components("#/components/schemas/%s"))


def _accepted(components: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": ACCEPTED,
        "headers": {
            "Location": {"description": "the job's URL", "schema": {"type": "string"}},
            "Preference-Applied": {"schema": {"type": "string", "enum": ["respond-async"]}},
            "Retry-After": {"description": "seconds before asking again",
                            "schema": {"type": "integer"}},
        },
        "content": {"application/json": {"schema": _schema_of(m.JobOut, components)}},
    }  # fmt: skip


def _describe_job_route(
    route: str, method: str, responses: dict[str, Any], components: dict[str, Any],
    models: dict[str, Any],
) -> None:  # fmt: skip
    """A job (``GET``, ``DELETE``): the Job model, ``303`` to its answer; its answer: any of
    the heavy routes' answers (or their errors), in JSON or CSV, or a page."""
    job = {"application/json": {"schema": _schema_of(m.JobOut, components)}}
    if route == "/jobs/{job_id}" and method == "get":
        responses["200"] = {"description": "The job, not finished yet", "content": job}
        responses["303"] = {
            "description": "Its answer is there: see `Location` (the job's `result`)",
            "headers": {"Location": {"schema": {"type": "string"}}}, "content": job,
        }  # fmt: skip
    elif method == "delete":
        responses["200"] = {"description": "The job, cancelled (or forgotten)", "content": job}
    elif route == "/jobs/{job_id}/result":
        answers = [_schema_of(models[r], components) for r in sorted(ASYNC) if r in models]
        answers.append({"$ref": "#/components/schemas/Error"})
        responses["200"] = {
            "description": "The answer, as the request would have had it (its status too)",
            "content": {"application/json": {"schema": {"anyOf": answers}},
                        "text/csv": {"schema": {"type": "string"}},
                        "text/html": {"schema": {"type": "string"}}},
        }  # fmt: skip


def _export_media() -> list[str]:
    """What ``/subcorpus`` answers, by format (without parameters such as charset)."""
    from communique.export import bundle, tables

    media = [*tables.MEDIA_TYPES.values(), *bundle.MEDIA_TYPES.values(), "application/zip"]
    return sorted({m.split(";")[0].strip() for m in media})


def _comma_list(values: tuple[str, ...]) -> str:
    one = "|".join(re.escape(v) for v in values)
    return f"^(({one})(,({one}))*)?$"


def rewrite(spec: dict[str, Any]) -> dict[str, Any]:
    components = spec.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    error_ref = _schema_of(Error, components)
    models = {**MODELS, **_dataclass_models()}
    _record_components(components)
    for path, operations in spec.get("paths", {}).items():
        route = path.removeprefix(PREFIX)
        for method, op in operations.items():
            responses = op.setdefault("responses", {})
            responses.pop("422", None)
            params = op.get("parameters", [])
            codes = {400, 500}
            if "{" in route or route in NOT_FOUND:
                codes.add(404)
            if any(p["in"] == "header" and p["name"] == "authorization" for p in params):
                codes |= {401, 403}
            if "requestBody" in op:
                codes.add(413)
            if route in HEAVY:
                codes.add(503)
            if route == "/jobs/{job_id}/result":
                codes |= {409, 503}  # not there yet; the answer was a 503
            for code in sorted(codes):
                entry: dict[str, Any] = {
                    "description": ERRORS[code],
                    "content": {"application/json": {"schema": error_ref}},
                }
                if code == 503:
                    entry["headers"] = {"Retry-After": RETRY_AFTER}
                responses[str(code)] = entry
            ok = responses.get("200")
            if ok is not None and route == "/subcorpus":
                ok["content"] = {media: {"schema": {"type": "string", "format": "binary"}}
                                 for media in _export_media()}  # fmt: skip
            elif ok is not None and method == "get":
                content = ok.setdefault("content", {})
                if route in models:
                    content["application/json"] = {"schema": _schema_of(models[route],
                                                                         components)}  # fmt: skip
                elif route in RECORD:
                    ref = f"#/components/schemas/{RECORD[route]}"
                    content["application/json"] = {"schema": {"$ref": ref}}
                if route in CSV_TOO:
                    content["text/csv"] = {"schema": {"type": "string"}}
            if route in ASYNC:
                op.setdefault("parameters", []).append(dict(PREFER))
                responses["202"] = _accepted(components)
            if route.startswith("/jobs/"):
                _describe_job_route(route, method, responses, components, models)
            written = responses.get("201") or responses.get("200")
            if (method, route) in WRITES and written is not None:
                schema = _schema_of(WRITES[method, route], components)
                written["content"] = {"application/json": {"schema": schema}}
            for p in params:
                _describe_parameter(route, p)
    return spec


def _describe_parameter(route: str, p: dict[str, Any]) -> None:
    """Enums, patterns and ``required`` as the server checks them."""
    if p["in"] != "query":
        return
    schema = p.setdefault("schema", {})
    name = p["name"]
    if name in ("from", "to"):
        schema.pop("type", None)
        schema["anyOf"] = [
            {"type": "string", "pattern": r"^([0-9]{4}(-(0[1-9]|1[0-2]))?)?$"},
            {"type": "string", "format": "date"},
        ]  # a year, a month, or a day that exists
    elif name == "kind":
        schema["pattern"] = _comma_list(KINDS)
    elif name == "role":
        schema["pattern"] = _comma_list(ROLES)
    elif name == "sort" and route in SORT_ENUMS:
        schema["enum"] = list(SORT_ENUMS[route])
    elif name == "by" and route == "/trend":
        schema["enum"] = list(PERIODS)
    elif name == "split" and route == "/trend":
        schema["enum"] = ["", *SPLITS]
    elif name == "format" and route in FORMAT_ENUMS:
        schema.pop("pattern", None)
        schema["enum"] = list(FORMAT_ENUMS[route])
    elif name == "format" and route == "/subcorpus":
        from communique.web.api_export import FORMATS

        schema["enum"] = list(FORMATS)
    elif name == "q" and route in REQUIRED_Q:
        p["required"] = True
        schema["minLength"] = 1
