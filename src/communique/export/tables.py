"""A subcorpus as a table of turns: CSV, JSONL or Parquet, one row a turn, streamed.

Columns (``COLUMNS``): ``permalink`` (``<id>#t<n>``), ``pinned`` (``<id>@<revision>#t<n>``),
``doc_id``, ``n``, ``date``, ``publisher``, ``kind``, ``lang``, ``title``, ``speaker`` (the
speaker as the document knows them, else the label), ``label`` (verbatim), ``person`` (the
register's id), ``role``, ``answers`` (the ``n`` of the question an answer answers),
``question`` (that question's text), ``text`` (exactly as stored), ``url`` (the original page).

Rows are produced a few documents at a time; Parquet is written in row groups of ``ROW_GROUP``
rows, so even a large export never holds every text at once.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from communique.archive import Archive
from communique.export.subcorpus import Guard, Key, Selection, _direct, select, turns
from communique.model import Document, Turn, turn_permalink

COLUMNS = (
    "permalink", "pinned", "doc_id", "n", "date", "publisher", "kind", "lang", "title",
    "speaker", "label", "person", "role", "answers", "question", "text", "url",
)  # fmt: skip
FORMATS = ("csv", "jsonl", "parquet")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson",
    "parquet": "application/vnd.apache.parquet",
}
ROW_GROUP = 5_000
CHUNK = 64 * 1024  # bytes gathered before a streamed chunk is handed on
Progress = Callable[[int], None]  # called with the number of rows just written


def row(doc: Document, turn: Turn) -> dict[str, Any]:
    """One turn as a table row (the columns of ``COLUMNS``)."""
    question = None
    if turn.answers is not None:
        question = next((t.text for t in doc.turns if t.n == turn.answers), None)
    return {
        "permalink": turn_permalink(doc.id, turn.n),
        "pinned": turn_permalink(doc.id, turn.n, doc.revision),
        "doc_id": doc.id, "n": turn.n, "date": doc.date, "publisher": doc.publisher,
        "kind": doc.kind, "lang": doc.lang, "title": doc.title,
        "speaker": turn.speaker or turn.label, "label": turn.label, "person": turn.person,
        "role": turn.role, "answers": turn.answers, "question": question, "text": turn.text,
        "url": doc.url,
    }  # fmt: skip


def rows(archive: Archive, keys: list[Key], *, guard: Guard = _direct) -> Iterator[dict[str, Any]]:
    """The rows of the turns ``keys`` (from :func:`select`), in that order."""
    for doc, turn in turns(archive, keys, guard=guard):
        yield row(doc, turn)


# -- writers: rows in, bytes out ---------------------------------------------------------------


def csv_chunks(
    items: Iterable[dict[str, Any]], progress: Progress | None = None
) -> Iterator[bytes]:
    """CSV (UTF-8, a header row, RFC 4180 quoting; empty cells for nulls)."""
    buf = io.StringIO()
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
    """JSON Lines: one object a turn, keys in the order of ``COLUMNS``."""
    parts: list[str] = []
    size = 0
    for r in items:
        line = json.dumps({c: r[c] for c in COLUMNS}, ensure_ascii=False) + "\n"
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

    ints = {"n": pa.int32(), "answers": pa.int32()}
    return pa.schema([(c, ints.get(c, pa.string())) for c in COLUMNS])


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
        batch.append(r)
        if len(batch) >= ROW_GROUP:
            flush()
            yield sink.take()
    if batch:
        flush()
    writer.close()
    yield sink.take()


WRITERS = {"csv": csv_chunks, "jsonl": jsonl_chunks, "parquet": parquet_chunks}


def chunks(
    archive: Archive,
    keys: list[Key],
    fmt: str,
    *,
    guard: Guard = _direct,
    progress: Progress | None = None,
) -> Iterator[bytes]:
    """The table of the turns ``keys`` in ``fmt``, as a stream of byte chunks."""
    if fmt not in WRITERS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    return WRITERS[fmt](rows(archive, keys, guard=guard), progress)


def write_turns(
    archive: Archive,
    selection: Selection | Any,
    fmt: str,
    out: str | Path | IO[bytes],
    *,
    progress: Progress | None = None,
    cap: int | None = None,
) -> int:
    """Write every turn of ``selection`` (a :class:`Selection`, ``SearchParams`` or a mapping
    of its fields) as ``fmt`` (csv, jsonl, parquet) to ``out`` (a path or a binary file);
    returns the number of rows."""
    if fmt not in WRITERS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    keys = select(archive, Selection.of(selection), cap=cap)
    if isinstance(out, str | Path):
        with open(out, "wb") as f:
            for chunk in chunks(archive, keys, fmt, progress=progress):
                f.write(chunk)
    else:
        for chunk in chunks(archive, keys, fmt, progress=progress):
            out.write(chunk)
    return len(keys)
