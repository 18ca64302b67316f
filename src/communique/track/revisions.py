"""A document as it was at one of its revisions, re-derived from the raw input stored for it.

The store keeps every raw input verbatim and, per document, every revision seen (``revisions``:
revision, raw sha256, seen_at); only the current record is stored parsed. An older revision is
parsed again from its raw input, so a permalink pinned to it (``/d/<id>@<revision>``) keeps
showing the wording that was cited.
"""

from __future__ import annotations

from typing import Any

from communique.ingest.pipeline import parse_raw
from communique.model import Document
from communique.sources.raw import RawInput


def revision_rows(store: Any, doc_id: str, current: str | None = None) -> list[dict[str, Any]]:
    """Every revision seen of ``doc_id``, oldest first (revision, raw_sha256, seen_at).

    ``seen_at`` counts whole seconds: among revisions seen in the same second, ``current`` (the
    document's current revision) is the latest."""
    rows = store.revisions(doc_id)
    return sorted(rows, key=lambda r: (r["seen_at"], r["revision"] == current, r["revision"]))


def raw_input_at(store: Any, doc_id: str, revision: str) -> RawInput | None:
    """The raw input stored for ``revision`` of ``doc_id`` (None if there is none)."""
    row = next((r for r in store.revisions(doc_id) if r["revision"] == revision), None)
    stored = store.get_raw(row["raw_sha256"]) if row else None
    if stored is None:
        return None
    return RawInput(path=stored.path, data=stored.data, kind=stored.kind, meta=stored.meta)


def parse_revision(raw: RawInput, doc_id: str) -> Document | None:
    """The document ``raw`` gives with today's parser, under the id ``doc_id``.

    The id is the document's even when the parser would derive another from the old text (a
    page without URL whose id hashes its text keeps its id when edited: the revisions table says
    which document the raw input was)."""
    doc = parse_raw(raw).doc
    if doc is not None:
        doc.id = doc_id
    return doc


def document_at(store: Any, doc_id: str, revision: str | None = None) -> Document | None:
    """``doc_id`` as it is now (``revision`` None or current) or as it was at ``revision``,
    re-derived from its raw input (:func:`parse_revision`). None when the document, or that
    revision of it, is not in the archive."""
    current = store.get(doc_id)
    if current is None or revision is None or revision == current.revision:
        return current
    raw = raw_input_at(store, doc_id, revision)
    return parse_revision(raw, doc_id) if raw is not None else None
