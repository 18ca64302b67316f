"""The API's answers as schemas (``web/openapi.py`` puts them in ``/api/v1/openapi.json``).

Where an answer is a dataclass (or a named tuple) as ``asdict``/``to_dict`` gives it, its model
is made from the type's own fields (:func:`derived`), so a field added to the type is in the
schema at once. A document's schema is the record's JSON Schema
(``schema/record.schema.json``, docs/record.md) with what the API adds.
"""

from __future__ import annotations

import copy
import json
import typing
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from communique.analysis.stats import FreqRow, WhoRow
from communique.search.index import Hit
from communique.search.kwic import KwicLine
from communique.track.changes import ChangedDocument, DocumentDiff
from communique.track.watch import Watch

RECORD_SCHEMA = Path(__file__).resolve().parent.parent / "schema" / "record.schema.json"


def derived(
    name: str, source: type, *, drop: tuple[str, ...] = (), extra: bool = False, **more: Any
) -> type[BaseModel]:
    """A model with ``source``'s fields (every one required: the answer always has them), less
    ``drop``, plus ``more`` (name=type, or name=(type, default) for a key that may be absent);
    ``extra``: other keys allowed."""
    hints = typing.get_type_hints(source)
    fields: dict[str, Any] = {k: (t, ...) for k, t in hints.items()
                              if k not in drop and not k.startswith("_")}  # fmt: skip
    fields.update({k: t if isinstance(t, tuple) else (t, ...) for k, t in more.items()})
    config = ConfigDict(extra="allow" if extra else "ignore")
    return create_model(name, __config__=config, **fields)  # type: ignore[call-overload,no-any-return]


class Links(BaseModel):
    self: str
    next: str | None
    prev: str | None


HitOut = derived("HitOut", Hit, drop=("text",), extra=True, permalink=str, pinned=str, url=str)
KwicLineOut = derived("KwicLineOut", KwicLine, extra=True, permalink=str, pinned=str)


class CitationOut(BaseModel):
    pinned: str = Field(description="id@revision")
    url: str
    text: str
    bibtex: str
    csl: dict[str, Any] = Field(description="CSL-JSON")


class RevisionOut(BaseModel):
    revision: str
    raw_sha256: str | None
    seen_at: str | None


class VersionLink(BaseModel):
    id: str
    lang: str | None
    method: str = Field(description="shared-id, same-day or content")
    score: float | None


class VersionsOut(BaseModel):
    id: str
    lang: str | None
    versions: list[VersionLink]


class ParagraphPair(BaseModel):
    a: list[int]
    b: list[int]
    score: float


class TurnPair(BaseModel):
    a: list[int] = Field(description="turn numbers of a")
    b: list[int] = Field(description="turn numbers of b")
    score: float
    paragraphs: list[ParagraphPair] | None = Field(
        None, description="with paragraphs=true: 0-based paragraph indexes on each side"
    )


class OmissionOut(BaseModel):
    lacking: str = Field(description="a or b: the version that lacks the turns")
    turns: list[int]
    verdict: str
    reason: str
    lacking_id: str | None = None
    of_id: str | None = None


class AlignOut(BaseModel):
    a: str
    b: str
    pairs: list[TurnPair]
    unmatched_a: list[int]
    unmatched_b: list[int]
    missing_in_a: list[list[int]] = Field(description="[question, answers...] of b")
    missing_in_b: list[list[int]] = Field(description="[question, answers...] of a")
    omissions: list[OmissionOut]


class WhoSaysOut(BaseModel):
    query: str
    params: dict[str, str]
    people: list[derived("WhoRowOut", WhoRow)]  # type: ignore[valid-type]


class FrequenciesOut(BaseModel):
    params: dict[str, str]
    words: int = Field(description="words in the subcorpus")
    rows: list[derived("FreqRowOut", FreqRow)]  # type: ignore[valid-type]


class QuestionOut(BaseModel):
    n: int
    who: str | None
    text: str


class DifferenceOut(BaseModel):
    kind: str = Field(description="changed, added or left out")
    quote: str
    source: str
    meaning: list[str]
    source_span: list[int] | None


class AlignedOut(BaseModel):
    doc_id: str
    lang: str | None
    turns: list[int]
    permalink: str
    text: str
    url: str


class MatchOut(BaseModel):
    score: float
    permalink: str
    pinned: str
    doc_id: str
    n: int
    revision: str
    title: str | None
    date: str | None
    publisher: str | None
    kind: str | None
    lang: str | None
    speaker: str | None
    label: str | None
    role: str
    question: QuestionOut | None
    passage: str
    span: list[int]
    spans: list[list[int]]
    piece_scores: list[float]
    verdict: str = Field(description="verbatim, trimmed or altered")
    differences: list[DifferenceOut]
    matched: list[list[int]]
    text: str
    aligned: list[AlignedOut]
    via: str | None
    url: str


class VerifyOut(BaseModel):
    quote: str
    min_score: float
    found: bool
    verdict: str = Field(description="the best passage's verdict, or 'not found'")
    differences: list[DifferenceOut]
    message: str
    candidates: int
    best_below_threshold: float | None
    elapsed_ms: float
    matches: list[MatchOut]


class SubcorpusSummaryOut(BaseModel):
    params: dict[str, str]
    turns: int
    documents: int
    max_turns: int
    exportable: bool
    formats: list[str]


# ``diff`` and ``api``: the diff's page and API URLs, where an older revision is known
ChangedOut = derived("ChangedOut", ChangedDocument, diff=(str, None), api=(str, None))


class GonePage(BaseModel):
    url: str
    site: str | None
    gone_since: str | None
    doc_id: str | None
    title: str | None
    http_status: int | None
    archived: str | None


class ChangesOut(BaseModel):
    since: str | None
    publisher: str | None
    changed: list[ChangedOut]  # type: ignore[valid-type]
    gone: list[GonePage]


class DiffLinks(BaseModel):
    old: str
    new: str
    page: str


ChangeOut = derived("ChangeOut", DocumentDiff, counts=dict[str, int], links=DiffLinks)
WatchOut = derived("WatchOut", Watch, feed=str, search=str, api=str)


class WatchesOut(BaseModel):
    items: list[WatchOut]  # type: ignore[valid-type]


class WatchHitOut(HitOut):  # type: ignore[valid-type,misc]
    arrived: str | None


WatchHitsOut = derived("WatchHitsOut", Watch, feed=str, search=str, api=str,
                       hits=list[WatchHitOut])  # fmt: skip


class JobOut(BaseModel):
    """A request answered in the background (``Prefer: respond-async``, docs/api.md)."""

    id: str
    state: str = Field(description="queued, running, done, failed or cancelled")
    progress: float = Field(ge=0, le=1, description="the share of the work done")
    request: str = Field(description="the path and query string the job answers")
    created: str
    finished: str | None
    url: str = Field(description="this job")
    result: str | None = Field(description="its answer, once done or failed")
    status: int | None = Field(description="the answer's HTTP status, once there")


class DeletedOut(BaseModel):
    deleted: str


class AddedOut(BaseModel):
    counts: dict[str, int] = Field(description="new, updated, unchanged, skipped, failed")
    documents: list[str]
    log: list[dict[str, Any]]


# -- the record's own schema, with what the API adds --------------------------------------------
@cache
def record_schema() -> dict[str, Any]:
    schema = json.loads(RECORD_SCHEMA.read_text(encoding="utf-8"))
    for key in ("$schema", "$id"):
        schema.pop(key, None)
    return schema


def _turn(schema: dict[str, Any], *, head: bool) -> dict[str, Any]:
    """A record's turn with its ``permalink`` and ``pinned``; ``head``: turn 0 too."""
    turn = copy.deepcopy(schema["properties"]["turns"]["items"])
    turn["properties"]["permalink"] = {"type": "string"}
    turn["properties"]["pinned"] = {"type": "string", "description": "pinned to this revision"}
    turn["required"] = [*turn["required"], "permalink", "pinned"]
    if head:
        turn["properties"]["n"] = {"type": "integer", "minimum": 0,
                                   "description": "0: the lead (or a turnless title)"}  # fmt: skip
    return turn


def record_components(ref: str) -> dict[str, dict[str, Any]]:
    """``DocumentOut`` (``/documents/{id}``) and ``TurnOut`` (``/documents/{id}/turns/{n}``)
    made from the record's JSON Schema; ``ref`` formats a component's name as a reference."""
    record = record_schema()
    doc = copy.deepcopy(record)
    doc["title"] = "DocumentOut"
    doc["description"] = (
        "The record (docs/record.md), its turns with their permalinks, its revisions seen, "
        "the language versions held and its citation."
    )
    doc["properties"]["turns"]["items"] = _turn(record, head=False)
    doc["properties"]["revisions"] = {"type": "array", "items": {"$ref": ref % "RevisionOut"}}
    doc["properties"]["versions_held"] = {
        "type": "object", "additionalProperties": {"type": "string"},
        "description": "language -> id of each version held, this one included",
    }  # fmt: skip
    doc["properties"]["citation"] = {"$ref": ref % "CitationOut"}
    doc["required"] = [*doc["required"], "revisions", "versions_held", "citation"]
    head = copy.deepcopy(record)
    del head["properties"]["turns"]
    head["required"] = [r for r in head["required"] if r != "turns"]
    head["title"] = "DocumentHead"
    turn = _turn(record, head=True)
    turn_out = {
        "title": "TurnOut", "type": "object",
        "required": ["document", "turn", "question", "citation"],
        "properties": {
            "document": {"$ref": ref % "DocumentHead"},
            "turn": turn,
            "question": {"anyOf": [turn, {"type": "null"}]},
            "citation": {"$ref": ref % "CitationOut"},
        },
        "additionalProperties": False,
    }  # fmt: skip
    return {"DocumentOut": doc, "DocumentHead": head, "TurnOut": turn_out}
