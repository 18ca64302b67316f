"""The index's fields, and the tantivy documents made of the store's turns (one per turn).

Field list and packing: ``docs/search.md``.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Iterator
from datetime import date as Date
from typing import Any

import tantivy

from communique.model import Document
from communique.search.analysis import fold, has_han_fast, segment
from communique.structure.dates import ymd_number, ymd_parts

INDEX_VERSION = 6  # bump when fields or analysis change: an older index is rebuilt (5: turn 0,
# 6: uncertain)
NONE = "(none)"  # the facet value of a turn without one (undated, no speaker, ...)
LANG_FIELD = {"en": "text_en", "ru": "text_ru"}
_EPOCH = Date(1900, 1, 1).toordinal()
_UNDATED = (1 << 20) - 1
TURN_BITS = (1 << 40) - 1  # the part of a chrono key that identifies the turn
TURN_SQL = (
    "SELECT d.id, d.revision, d.publisher, d.lang, d.kind, d.date, d.title, t.n, t.label, "
    "t.speaker, t.affiliation, t.role, t.interpreted, t.answers, t.text, t.rowid, t.person, "
    "(SELECT group_concat(DISTINCT m.entity) FROM mentions m WHERE m.doc_id = t.doc_id "
    "AND m.n = t.n), t.role_uncertain "
    "FROM documents d JOIN turns t ON t.doc_id = d.id"
)
# documents with a head (``Document.head``: turn 0, the lead or a turnless document's title):
# those whose record holds a lead, and those without turns
HEAD_SQL = (
    "SELECT d.id, d.revision, d.publisher, d.lang, d.kind, d.date, d.title, d.record "
    "FROM documents d WHERE (d.record LIKE ? OR NOT EXISTS "
    "(SELECT 1 FROM turns t WHERE t.doc_id = d.id))"
)
HAS_LEAD = '%"lead": "%'  # how a record with a lead reads (Document.to_dict, json.dumps)


def build_schema() -> tantivy.Schema:
    """The fields; see docs/search.md for what each is for."""
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("text_raw", stored=True, tokenizer_name="c_raw")
    sb.add_text_field("text_en", tokenizer_name="c_en")
    sb.add_text_field("text_ru", tokenizer_name="c_ru")
    sb.add_text_field("doc_id", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_unsigned_field("n", stored=True, indexed=True)
    for name in ("publisher", "kind", "lang", "role", "year", "speaker", "uncertain"):
        sb.add_text_field(name, stored=True, fast=True, tokenizer_name="raw", index_option="basic")
    for name in ("person", "who", "entity"):  # enrichment: person id, person or name, entities
        sb.add_text_field(name, fast=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("speaker_tok", tokenizer_name="c_raw")
    sb.add_integer_field("date", indexed=True, fast=True)  # YYYYMMDD
    sb.add_unsigned_field("chrono", fast=True)  # oldest first, undated last
    sb.add_unsigned_field("chrono_desc", fast=True)  # newest first, undated last
    sb.add_unsigned_field("gen", stored=True)  # the changes.seq this turn was indexed at
    sb.add_unsigned_field("rowid", fast=True)  # the turn's row in the store (KWIC reads it)
    # title, date, revision, label, affiliation, interpreted, answers, question n, who, text
    sb.add_bytes_field("meta", stored=True)  # packed by pack_meta
    sb.add_bytes_field("text_orig", stored=True)  # the text, when text_raw holds a changed copy
    return sb.build()


# -- turns to tantivy documents ---------------------------------------------------------------


def chrono(date: str | None, doc_id: str) -> tuple[int, int, int, str]:
    """(YYYYMMDD or -1, ascending key, descending key, year) of a document; add ``n`` (the
    ascending key) or ``0xFFFF - n`` (the descending one) for a turn."""
    try:
        ymd = ymd_number(date)
        y, m, d = ymd_parts(ymd)
        days, year = Date(y, m, d).toordinal() - _EPOCH, str(y)
    except ValueError:
        days, ymd, year = -1, -1, NONE
    h = doc_hash(doc_id)
    asc = ((days if days >= 0 else _UNDATED) << 40) | h
    desc = ((days + 1 if days >= 0 else 0) << 40) | h
    return ymd, asc, desc, year


def needs_segmenting(text: str) -> str | None:
    """The folded text if it has Chinese to segment, else None."""
    if text.isascii() or not has_han_fast(text):
        return None
    return fold(text)


def turn_docs(
    rows: list[Any], gen: int, segmented: dict[str, str] | None = None
) -> Iterator[tantivy.Document]:
    """The tantivy documents of one document's turns (rows of ``TURN_SQL``, one document).

    ``segmented`` maps folded texts to their segmentation when it was done beforehand.
    """
    asked = {r[7]: r for r in rows if r[11] == "question"}
    doc_id, revision, publisher, lang, kind, date, title = rows[0][:7]
    lang_field = LANG_FIELD.get(lang or "")
    ymd, asc, desc, year = chrono(date, doc_id)
    publisher, kind, lang = publisher or NONE, kind or NONE, lang or NONE
    for r in rows:
        n, label, speaker, affiliation, role, interpreted, answers, text, rowid = r[7:16]
        person, entities, uncertain = r[16:19]  # uncertain: Turn.role_uncertain
        q = asked.get(answers) if answers is not None else None
        question = (None, None, None) if q is None else (str(q[7]), q[9] or q[8], q[14])
        meta = pack_meta(  # what a hit shows that has no field of its own (see build_schema)
            title, date, revision, label, affiliation, "1" if interpreted else "",
            None if answers is None else str(answers), *question,
        )  # fmt: skip
        doc = tantivy.Document()
        raw = text
        if not text.isascii():
            if "ё" in text or "Ё" in text:
                raw = fold(text)
            if has_han_fast(raw):
                raw = segmented[raw] if segmented and raw in segmented else segment(raw)
        doc.add_text("text_raw", raw)
        if raw is not text:  # the index holds a folded or segmented copy: keep the original
            doc.add_bytes("text_orig", text.encode())
        if lang_field:
            doc.add_text(lang_field, raw)
        doc.add_text("doc_id", doc_id)
        doc.add_unsigned("n", n)
        doc.add_text("publisher", publisher)
        doc.add_text("kind", kind)
        doc.add_text("lang", lang)
        doc.add_text("role", role)
        doc.add_text("uncertain", uncertain or NONE)
        doc.add_text("year", year)
        doc.add_text("speaker", speaker or NONE)
        doc.add_text("person", person or NONE)
        doc.add_text("who", person or speaker or NONE)
        for entity in entities.split(",") if entities else (NONE,):
            doc.add_text("entity", entity)
        if speaker:
            doc.add_text("speaker_tok", speaker if speaker.isascii() else fold(speaker))
        if ymd >= 0:
            doc.add_integer("date", ymd)
        n16 = min(n, 0xFFFF)
        doc.add_unsigned("chrono", asc | n16)
        doc.add_unsigned("chrono_desc", desc | (0xFFFF - n16))
        doc.add_unsigned("gen", gen)
        doc.add_unsigned("rowid", rowid)
        doc.add_bytes("meta", meta)
        yield doc


def head_docs(rows: Iterable[Any], gen: int) -> Iterator[tantivy.Document]:
    """The tantivy documents of documents' heads (rows of ``HEAD_SQL``): turn 0, an unlabelled
    statement holding the lead (or a turnless document's title). Its store row id is 0 (no
    turn row has it), so concordances and exports read it from the index's stored fields."""
    for r in rows:
        head = Document.from_dict(json.loads(r[7])).head()
        if head is not None:
            row = (*r[:7], 0, None, None, None, head.role, 0, None, head.text, 0, None, None, None)
            yield from turn_docs([row], gen)


_SEP, _NULL, _JSON = "\x1f", "\x00", "\x1e"


def pack_meta(*fields: str | None) -> bytes:
    """Strings (or None) as bytes: joined by U+001F, or (marked by U+001E) JSON when one of them
    holds a control character used here. Reading is a ``split``: much quicker than JSON."""
    if any(f and (_SEP in f or _NULL in f or _JSON in f) for f in fields):
        return (_JSON + json.dumps(fields, ensure_ascii=False)).encode()
    return _SEP.join(_NULL if f is None else f for f in fields).encode()


def unpack_meta(data: bytes) -> list[str | None]:
    text = data.decode()
    if text[:1] == _JSON:
        return json.loads(text[1:])
    return [None if f == _NULL else f for f in text.split(_SEP)]


def stored_text(doc: tantivy.Document) -> str:
    """A stored turn's text as published."""
    orig = doc.get_first("text_orig")
    return orig.decode() if orig is not None else (doc.get_first("text_raw") or "")


def doc_hash(doc_id: str) -> int:
    """The document part of a ``chrono`` key: crc24 of the id, shifted past the turn number."""
    return (zlib.crc32(doc_id.encode()) & 0xFFFFFF) << 16


def known_or_none(value: str | None) -> str | None:
    """A stored field's value, None for ``(none)`` (how a turn without one is indexed)."""
    return None if value in (None, NONE) else value
