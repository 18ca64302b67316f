"""A subcorpus as a table of turns: CSV, JSONL or Parquet, one row a turn, streamed.

Columns (``COLUMNS``): ``permalink`` (``<id>#t<n>``), ``url`` (the original page), ``pinned``
(``<id>@<revision>#t<n>``), ``doc_id``, ``n``, ``date``, ``publisher``, ``kind``, ``lang``,
``title``, ``speaker`` (the speaker as the document knows them, else the label), ``label``
(verbatim), ``person`` (the register's id), ``role``, ``role_uncertain`` (why an inferred role
reads two ways), ``answers`` (the ``n`` of the question an
answer answers), ``question`` (that question's text), ``text`` (exactly as stored),
``linked_versions`` (the ids of the document's language versions the archive holds, separated
by spaces).

Types (docs/export.md): in Parquet ``n`` and ``answers`` are int32, ``date`` date32, the rest
strings, with nulls. JSONL has no missing values, so that readers that infer types from the
first rows (polars, pyarrow) need no hints: an absent string is ``""`` (as in CSV) and an
absent ``answers`` is ``0`` (turns are numbered from 1).

Rows are produced a few documents at a time; Parquet is written in row groups of ``ROW_GROUP``
rows, so even a large export never holds every text at once.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import IO, Any

from communique.export.subcorpus import Guard, Key, _direct, require, select, turns
from communique.model import Document, Turn, turn_permalink
from communique.search.index import SearchIndex
from communique.search.selection import Selection
from communique.store.sql import SQLStore

COLUMNS = (
    "permalink", "url", "pinned", "doc_id", "n", "date", "publisher", "kind", "lang", "title",
    "speaker", "label", "person", "role", "role_uncertain", "answers", "question", "text",
    "linked_versions",
)  # fmt: skip
INT_COLUMNS = ("n", "answers")
BOM = "\ufeff"  # before CSV for spreadsheets (web downloads, --excel): Excel then reads UTF-8
FORMATS = ("csv", "jsonl", "parquet")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson",
    "parquet": "application/vnd.apache.parquet",
}
ROW_GROUP = 5_000
CHUNK = 64 * 1024  # bytes gathered before a streamed chunk is handed on
Progress = Callable[[int], None]  # called with the number of rows just written


def row(doc: Document, turn: Turn, linked: list[str] | None = None) -> dict[str, Any]:
    """One turn as a table row (the columns of ``COLUMNS``); ``linked``: the ids of the
    document's language versions in the archive."""
    question = None
    if turn.answers is not None:
        question = next((t.text for t in doc.turns if t.n == turn.answers), None)
    return {
        "permalink": turn_permalink(doc.id, turn.n),
        "pinned": turn_permalink(doc.id, turn.n, doc.revision),
        "doc_id": doc.id, "n": turn.n, "date": doc.date, "publisher": doc.publisher,
        "kind": doc.kind, "lang": doc.lang, "title": doc.title,
        "speaker": turn.speaker or turn.label, "label": turn.label, "person": turn.person,
        "role": turn.role, "role_uncertain": turn.role_uncertain, "answers": turn.answers,
        "question": question, "text": turn.text,
        "url": doc.url, "linked_versions": " ".join(linked or ()) or None,
    }  # fmt: skip


def rows(store: SQLStore, keys: list[Key], *, guard: Guard = _direct) -> Iterator[dict[str, Any]]:
    """The rows of the turns ``keys`` (from :func:`select`) of ``store``, in that order."""
    linked: dict[str, list[str]] = {}
    for doc, turn in turns(store, keys, guard=guard):
        if doc.id not in linked:
            links = guard(lambda d=doc.id: store.version_links(d))
            linked[doc.id] = [link["id"] for link in links]
        yield row(doc, turn, linked[doc.id])


# -- writers: rows in, bytes out ---------------------------------------------------------------


def csv_chunks(
    items: Iterable[dict[str, Any]], progress: Progress | None = None, *, bom: bool = False
) -> Iterator[bytes]:
    """CSV (UTF-8, a header row, RFC 4180 quoting; empty cells for nulls); ``bom``: starts
    with a byte-order mark, for spreadsheets."""
    buf = io.StringIO()
    if bom:
        buf.write(BOM)
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for i, r in enumerate(items, start=1):
        writer.writerow(["" if r[c] is None else r[c] for c in COLUMNS])
        if progress:
            progress(1)
        if buf.tell() >= CHUNK or i % 1000 == 0:
            yield buf.getvalue().encode("utf-8")
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue().encode("utf-8")


def jsonl_chunks(
    items: Iterable[dict[str, Any]], progress: Progress | None = None
) -> Iterator[bytes]:
    """JSON Lines: one object a turn, keys in the order of ``COLUMNS``, no nulls (an absent
    string is ``""``, an absent ``answers`` is ``0``)."""
    parts: list[str] = []
    size = 0
    for r in items:
        obj = {c: (0 if c in INT_COLUMNS else "") if r[c] is None else r[c] for c in COLUMNS}
        line = json.dumps(obj, ensure_ascii=False) + "\n"
        parts.append(line)
        size += len(line)
        if progress:
            progress(1)
        if size >= CHUNK:
            yield "".join(parts).encode("utf-8")
            parts, size = [], 0
    yield "".join(parts).encode("utf-8")


def parquet_schema() -> Any:
    import pyarrow as pa

    types = {"n": pa.int32(), "answers": pa.int32(), "date": pa.date32()}
    return pa.schema([(c, types.get(c, pa.string())) for c in COLUMNS])


def _parquet_row(r: dict[str, Any]) -> dict[str, Any]:
    """``date`` as a ``datetime.date`` (the record's dates are ``YYYY-MM-DD``)."""
    return {**r, "date": date.fromisoformat(r["date"]) if r["date"] else None}


class _Sink(io.RawIOBase):
    """A write-only stream that collects what is written, for handing on in chunks."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.pos = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        b = bytes(data)
        self.parts.append(b)
        self.pos += len(b)
        return len(b)

    def tell(self) -> int:
        return self.pos

    def take(self) -> bytes:
        out = b"".join(self.parts)
        self.parts = []
        return out


def parquet_chunks(
    items: Iterable[dict[str, Any]], progress: Progress | None = None
) -> Iterator[bytes]:
    """Parquet (zstd), one row group per ``ROW_GROUP`` rows, handed on as each is written."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = parquet_schema()
    sink = _Sink()
    writer = pq.ParquetWriter(sink, schema, compression="zstd")
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        writer.write_table(pa.Table.from_pylist(batch, schema=schema), row_group_size=ROW_GROUP)
        if progress:
            progress(len(batch))
        batch.clear()

    for r in items:
        batch.append(_parquet_row(r))
        if len(batch) >= ROW_GROUP:
            flush()
            yield sink.take()
    if batch:
        flush()
    writer.close()
    yield sink.take()


WRITERS = {"csv": csv_chunks, "jsonl": jsonl_chunks, "parquet": parquet_chunks}


def chunks(
    store: SQLStore,
    keys: list[Key],
    fmt: str,
    *,
    guard: Guard = _direct,
    progress: Progress | None = None,
    excel: bool = False,
) -> Iterator[bytes]:
    """The table of the turns ``keys`` in ``fmt``, as a stream of byte chunks; ``excel``: CSV
    with a byte-order mark."""
    if fmt not in WRITERS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if fmt == "csv":
        return csv_chunks(rows(store, keys, guard=guard), progress, bom=excel)
    return WRITERS[fmt](rows(store, keys, guard=guard), progress)


def write_turns(
    index: SearchIndex,
    selection: Selection | Any,
    fmt: str,
    out: str | Path | IO[bytes],
    *,
    progress: Progress | None = None,
    cap: int | None = None,
    excel: bool = False,
) -> int:
    """Write every turn of ``selection`` (a :class:`Selection`, one with more fields such as the
    web's ``SearchParams``, or a mapping of its fields) in ``index`` (and its store) as ``fmt``
    (csv, jsonl, parquet) to ``out`` (a path or a binary file); returns the number of rows.
    ``excel``: CSV with a byte-order mark."""
    if fmt not in WRITERS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    selection = Selection.of(selection)
    keys = require(select(index, selection, cap=cap), selection)
    if isinstance(out, str | Path):
        with open(out, "wb") as f:
            for chunk in chunks(index.store, keys, fmt, progress=progress, excel=excel):
                f.write(chunk)
    else:
        for chunk in chunks(index.store, keys, fmt, progress=progress, excel=excel):
            out.write(chunk)
    return len(keys)
