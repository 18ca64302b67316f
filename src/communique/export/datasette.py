"""Datasette's metadata for an archive file (``communique datasette-metadata``).

``datasette archive.db --metadata metadata.json`` then shows each table with a title, a
description, its source and licence, column descriptions, suggested facets and the column
that labels a row where another table links to it (``people.name``, ``entities.name``,
``documents.title``). Raw inputs (page bytes) are hidden. With ``communique fts`` built, the
turns table's search box uses ``turns_fts``; without it, the metadata says that search lives in
``communique serve``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from communique.store import fts
from communique.structure.doubts import REASONS as ROLE_DOUBTS

LICENSE = "Each document: its publisher's licence or terms (documents.record.license)"
SOURCE = "communique: an archive of diplomatic transcripts"
NO_FTS = (
    "Full-text search of the turns lives in `communique serve` (the web interface and its "
    "API), or build an SQLite FTS5 copy for this search box with `communique fts`."
)

DOCUMENT = "The document (a link) while it exists; doc_id keeps the id after a delete"
HISTORY = ("revisions", "changes", "paths", "ingest_log", "crawl_pages")

TABLES: dict[str, dict[str, Any]] = {
    "documents": {
        "title": "Documents",
        "description": "One row per transcript: its header fields and the full record (JSON).",
        "label_column": "title",
        "facets": ["publisher", "kind", "lang"],
        "sort_desc": "date",
        "columns": {
            "id": "The document's id: {publisher}-{lang}-{publisher's id} or a hash",
            "revision": "Hash of the current content; older revisions are in revisions",
            "date": "YYYY-MM-DD, null when the page gives none",
            "kind": "interview, press_conference, briefing, speech, statement, ...",
            "record": "The whole record as JSON (docs/record.md)",
            "raw_sha256": "The raw input it was parsed from (raw_inputs, hidden)",
        },
    },
    "turns": {
        "title": "Turns",
        "description": "Each speaker's turn in a transcript, text exactly as stored.",
        "facets": ["role", "role_inferred", "role_uncertain", "person", "interpreted"],
        "columns": {
            "doc_id": "The document (documents)",
            "n": "Turn number within the document, from 1",
            "label": "The speaker label as printed",
            "speaker": "The speaker as the document names them",
            "role": "question, answer, statement, remark or moderator",
            "role_inferred": "1 when the role is read from the turn's wording, not marked by the "
            "page (a label such as Q, A or an outlet); 0 until an older archive is reparsed",
            "role_uncertain": f"Why an inferred role reads two ways ({', '.join(ROLE_DOUBTS)}), "
            "or null when it does not; null until an older archive is reparsed",
            "answers": "For an answer: the n of the question it answers (same document)",
            "person": "The speaker resolved to a person or outlet (people)",
            "text": "The turn's text; paragraphs separated by blank lines",
        },
    },
    "people": {
        "title": "People and outlets",
        "description": "Everyone turns.person points at: the register's name, else the label.",
        "label_column": "name",
        "facets": ["kind", "name_from"],
        "columns": {"name_from": "register (the people register) or label (as printed)"},
    },
    "entities": {
        "title": "Countries and organisations",
        "description": "Everything mentions.entity points at, with names in three languages.",
        "label_column": "name",
        "facets": ["kind"],
    },
    "mentions": {
        "title": "Mentions",
        "description": "A country, organisation or person named in a turn: text[start:end].",
        "facets": ["entity"],
        "columns": {"start": "Offset in the turn's text (characters, from 0)", "end": "End"},
    },
    "version_links": {
        "title": "Language versions",
        "description": "Documents that are versions of one another in other languages.",
        "facets": ["method"],
    },
    "acronyms": {"title": "Acronyms", "description": "Acronyms defined in the documents."},
    "origins": {"title": "Origins", "description": "The files and URLs a document came from."},
    "revisions": {
        "title": "Revisions",
        "description": "Every revision of a document seen (kept after a document is deleted).",
    },
    "changes": {
        "title": "Change log",
        "description": "Every insert, update and delete: the derived indexes follow it.",
        "facets": ["op"],
    },
    "paths": {
        "title": "Paths",
        "description": "The latest ingest of each path.",
        "facets": ["status"],
    },
    "ingest_log": {
        "title": "Ingest log",
        "description": "Every path of every ingest run.",
        "facets": ["status"],
    },
    "crawl_pages": {
        "title": "Crawl ledger",
        "description": "Pages the crawler follows.",
        "facets": ["site", "state"],
    },
    "turns_in_context": {
        "title": "Turns with their document",
        "description": "Each turn with its document's date, publisher, kind, language, title "
        "and the speaker's name.",
        "facets": ["publisher", "lang", "role", "kind"],
    },
    "questions_and_answers": {
        "title": "Questions and answers",
        "description": "Each answer beside the question it answers.",
        "facets": ["publisher", "lang"],
    },
    "mentions_in_context": {
        "title": "Mentions with their turn",
        "description": "Each mention with the entity's name, the words as written, the turn's "
        "role and speaker and the document's date.",
        "facets": ["entity_name", "entity_kind", "lang"],
    },
    "speakers": {"title": "Speakers", "description": "Turns and documents per person."},
    "documents_by_month": {"title": "Documents by month", "facets": ["publisher", "lang"]},
    "raw_inputs": {"hidden": True},
    "state": {"hidden": True},
    "schema_migrations": {"hidden": True},
    "runs": {"title": "Ingest runs"},
    "watches": {"title": "Saved searches"},
}


def metadata(store: Any, database: str) -> dict[str, Any]:
    """Datasette's metadata for the archive ``store``, whose file Datasette names
    ``database`` (its file name without ``.db``)."""
    tables = {name: dict(meta) for name, meta in TABLES.items()}
    for name in HISTORY:
        tables[name]["columns"] = {**tables[name].get("columns", {}), "document": DOCUMENT}
    has_fts = fts.exists(store)
    for meta in tables.values():
        if not meta.get("hidden"):
            meta.setdefault("source", SOURCE)
            meta.setdefault("license", LICENSE)
    if has_fts:
        tables["turns"].update(fts_table=fts.FTS_TABLE, fts_pk="rowid")
        tables[fts.FTS_TABLE] = {"hidden": True}
        tables[fts.DOCS_TABLE] = {"hidden": True}
    else:
        tables["turns"]["description"] += " " + NO_FTS
    return {
        "title": "communique archive",
        "description": "Transcripts of diplomatic interviews, briefings and press conferences, "
        "turn by turn. " + ("Search: the turns table's search box (FTS5)." if has_fts else NO_FTS),
        "source": SOURCE,
        "license": LICENSE,
        "databases": {database: {"tables": tables}},
    }


def write_metadata(store: Any, out: str | Path, database: str) -> dict[str, Any]:
    meta = metadata(store, database)
    Path(out).write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return meta
