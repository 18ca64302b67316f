"""Document tables: CSV, TSV, JSON Lines, Parquet and XLSX files with one document per row.

:func:`read_table` streams rows as dicts (column name -> cell value as the format gives it:
``str`` for CSV, ``datetime``/``int``/``float`` too for XLSX and Parquet). :func:`detect_columns`
finds which column holds the text, title, date... by the usual names, and the CLI's ``--map``
overrides win. :func:`is_sidecar` tells a folder's ``manifest.csv`` and text-less indexes
apart from document tables.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import datetime, time
from pathlib import Path
from typing import Any

from communique.ingest.decode import UnreadableInput, bytes_to_text

__all__ = [
    "TABLE_SUFFIXES",
    "ColumnMap",
    "TableError",
    "detect_columns",
    "is_sidecar",
    "read_table",
]

TABLE_SUFFIXES = {".csv", ".tsv", ".jsonl", ".ndjson", ".parquet", ".xlsx"}

# Usual column names for each field, in order of preference (compared case-insensitively,
# spaces and hyphens read as underscores).
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "text": ("text", "body", "content", "full_text", "fulltext", "transcript"),
    "title": ("title", "headline"),
    "date": ("date", "datetime", "published", "day"),
    "url": ("url", "link", "source_url"),
    "speaker": ("speaker", "spokesperson", "author"),
    "lang": ("lang", "language"),
    "publisher": ("publisher", "source", "site"),
    "id": ("id", "doc_id", "url_id", "_id"),
    "question": ("question",),
    "answer": ("answer",),
    "asker": ("who_asked", "asker", "outlet"),
}

SIDECAR_STEMS = ("manifest", "corpus_index", "index", "catalog", "catalogue", "checksums")
_FILE_COLUMNS = ("file", "path", "filename", "file_name")
_BULK_ACTIONS = ("index", "create", "update", "delete")
_SAMPLE = 1 << 16


class TableError(ValueError):
    """A table that cannot be read; the message names the file (and line) and the problem."""


@dataclass
class ColumnMap:
    """Which column of a table holds each field (None: no such column).

    ``extra`` lists the columns not mapped to a field (normalised name -> column name), for
    callers that keep them as metadata.
    """

    text: str | None = None
    title: str | None = None
    date: str | None = None
    url: str | None = None
    speaker: str | None = None
    lang: str | None = None
    publisher: str | None = None
    id: str | None = None
    question: str | None = None
    answer: str | None = None
    asker: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


FIELDS: tuple[str, ...] = tuple(f.name for f in fields(ColumnMap) if f.name != "extra")


def _norm(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


def detect_columns(columns: list[str], overrides: dict[str, str] | None = None) -> ColumnMap:
    """Map fields to columns by their usual names; ``overrides`` ({field: column}) win.

    An override naming a column the table lacks, or a field that does not exist, raises
    ValueError listing what is available. An empty override value unsets the field.
    """
    by_norm: dict[str, str] = {}
    for col in columns:
        by_norm.setdefault(_norm(col), col)
    chosen: dict[str, str | None] = {}
    for name in FIELDS:
        chosen[name] = next(
            (by_norm[alias] for alias in COLUMN_NAMES[name] if alias in by_norm), None
        )
    for key, column in (overrides or {}).items():
        fname = _norm(key)
        if fname not in FIELDS:
            raise ValueError(
                f"unknown field {key!r} in the column map; fields are: {', '.join(FIELDS)}"
            )
        if not column:
            chosen[fname] = None
            continue
        actual = column if column in columns else by_norm.get(_norm(column))
        if actual is None:
            raise ValueError(
                f"column {column!r} (mapped to {fname!r}) is not in the table; "
                f"available columns: {', '.join(map(str, columns))}"
            )
        # the column now belongs to this field only
        for other, col in chosen.items():
            if col == actual and other != fname:
                chosen[other] = None
        chosen[fname] = actual
    used = {c for c in chosen.values() if c}
    extra = {_norm(c): c for c in columns if c not in used}
    return ColumnMap(**chosen, extra=extra)


def is_sidecar(
    path: Path, columns: list[str], overrides: dict[str, str] | None = None
) -> str | None:
    """Why this table is a sidecar (manifest, index, metadata) rather than documents; or None.

    A table is a sidecar when it is named like one (``manifest.csv``) or has no text column
    (nor a question/answer pair), unless ``overrides`` map a text column.
    """
    stem = Path(path).name.lower().split(".")[0]
    if "manifest" in stem:
        return "manifest: lists the folder's files and their metadata (a sidecar, not documents)"
    cmap = detect_columns(columns)
    mapped = {_norm(k) for k, v in (overrides or {}).items() if v}
    if cmap.text or (cmap.question and cmap.answer) or mapped & {"text", "question", "answer"}:
        return None
    norm = {_norm(c) for c in columns}
    if norm & set(_FILE_COLUMNS):
        return "file list without a text column (a manifest-style sidecar, not documents)"
    if stem in SIDECAR_STEMS or stem.endswith("_index"):
        return "index of documents without a text column (a sidecar, not documents)"
    if cmap.url or cmap.title:
        return "index of documents (titles/URLs) without a text column"
    return "metadata table without a text column"


def read_table(path: Path) -> Iterator[dict[str, object]]:
    """Rows of a table file as dicts, streamed where the format allows.

    CSV/TSV (any encoding; delimiter sniffed from the header line; fields of any size),
    JSON Lines / NDJSON (line by line; Elasticsearch bulk ``{"index": {"_id": ...}}`` lines
    become an ``_id`` column of the row that follows), ``.json`` (an array of objects, or JSON
    lines), Parquet (record batches) and XLSX (first sheet, read-only). Raises
    :class:`TableError` naming the file, and the line for JSON.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        return _read_csv(path, "\t" if suffix == ".tsv" else None)
    if suffix in (".jsonl", ".ndjson"):
        return _read_jsonl(path)
    if suffix == ".json":
        return _read_json(path)
    if suffix == ".parquet":
        return _read_parquet(path)
    if suffix == ".xlsx":
        return _read_xlsx(path)
    raise TableError(
        f"{path.name}: not a table format ({suffix or 'no suffix'}); "
        f"tables are {', '.join(sorted(TABLE_SUFFIXES))}"
    )


# --------------------------------------------------------------------------------- CSV


def _raise_field_limit() -> None:
    limit = sys.maxsize
    while True:
        try:
            csv.field_size_limit(limit)
            return
        except OverflowError:
            limit //= 2


def _unique(header: Iterable[object]) -> list[str]:
    """Column names made usable: blanks named ``column_N``, duplicates suffixed ``_2``..."""
    out: list[str] = []
    seen: set[str] = set()
    for i, raw in enumerate(header, start=1):
        name = str(raw).strip().lstrip("\ufeff") if raw is not None else ""
        name = name or f"column_{i}"
        base, n = name, 1
        while name in seen:
            n += 1
            name = f"{base}_{n}"
        seen.add(name)
        out.append(name)
    return out


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _is_utf8_prefix(sample: bytes) -> bool:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _read_csv(path: Path, delimiter: str | None) -> Iterator[dict[str, object]]:
    _raise_field_limit()
    try:
        with path.open("rb") as fh:
            sample = fh.read(_SAMPLE)
    except OSError as e:
        raise TableError(f"{path.name}: cannot read: {e}") from e
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or not _is_utf8_prefix(sample):
        # not UTF-8: decode the whole file with the usual detection (such files are small)
        try:
            text = bytes_to_text(path.read_bytes())
        except UnreadableInput as e:
            raise TableError(f"{path.name}: {e}") from e
        yield from _csv_rows(path, io.StringIO(text, newline=""), delimiter)
        return
    # errors="replace": a stray invalid byte deep in a large UTF-8 file becomes U+FFFD
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
        yield from _csv_rows(path, fh, delimiter)


def _csv_rows(path: Path, fh: io.TextIOBase, delimiter: str | None) -> Iterator[dict[str, object]]:
    if delimiter is None:
        first = fh.readline()
        fh.seek(0)
        delimiter = _sniff_delimiter(first)
    reader = csv.reader(fh, delimiter=delimiter)
    try:
        header = next(reader, None)
        if header is None:
            return
        names = _unique(header)
        for row in reader:
            if not row or not any(cell.strip() for cell in row):
                continue
            yield dict(zip(names, row + [""] * (len(names) - len(row)), strict=False))
    except csv.Error as e:
        raise TableError(f"{path.name}: line {reader.line_num}: bad CSV: {e}") from e


# ------------------------------------------------------------------------------- JSON


def _json_rows(path: Path, lines: Iterable[str]) -> Iterator[dict[str, object]]:
    pending_id: object = None
    for lineno, line in enumerate(lines, start=1):
        line = line.strip()
        if not line:
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise TableError(
                f"{path.name}: line {lineno}: invalid JSON ({e.msg} at column {e.colno}); "
                "each line must be one JSON object"
            ) from e
        if not isinstance(obj, dict):
            raise TableError(
                f"{path.name}: line {lineno}: expected a JSON object, got {type(obj).__name__}"
            )
        if len(obj) == 1:
            action, meta = next(iter(obj.items()))
            if action in _BULK_ACTIONS and isinstance(meta, dict):
                # Elasticsearch bulk format: an action line, then the document's source line
                pending_id = meta.get("_id") if action != "delete" else None
                continue
        if pending_id is not None and "_id" not in obj:
            obj = {"_id": pending_id, **obj}
        pending_id = None
        yield obj


def _read_jsonl(path: Path) -> Iterator[dict[str, object]]:
    try:
        with path.open(encoding="utf-8-sig", errors="strict") as fh:
            yield from _json_rows(path, fh)
    except UnicodeDecodeError as e:
        raise TableError(f"{path.name}: not UTF-8 ({e.reason} at byte {e.start})") from e


def _read_json(path: Path) -> Iterator[dict[str, object]]:
    try:
        text = bytes_to_text(path.read_bytes())
    except UnreadableInput as e:
        raise TableError(f"{path.name}: {e}") from e
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as e:
        if e.msg != "Extra data":
            raise TableError(
                f"{path.name}: line {e.lineno}: invalid JSON ({e.msg} at column {e.colno})"
            ) from e
        yield from _json_rows(path, text.splitlines())  # JSON Lines saved as .json
        return
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        data = lists[0] if len(lists) == 1 else [data]
    if not isinstance(data, list):
        raise TableError(f"{path.name}: a JSON table is an array of objects")
    for i, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise TableError(
                f"{path.name}: item {i}: expected a JSON object, got {type(item).__name__}"
            )
        yield item


# ---------------------------------------------------------------------- Parquet, XLSX


def _read_parquet(path: Path) -> Iterator[dict[str, object]]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except Exception as e:  # pyarrow raises ArrowInvalid, OSError...
        raise TableError(f"{path.name}: not a readable Parquet file: {e}") from e
    for batch in pf.iter_batches(batch_size=1024):
        yield from batch.to_pylist()


def _read_xlsx(path: Path) -> Iterator[dict[str, object]]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # BadZipFile, InvalidFileException, KeyError...
        raise TableError(f"{path.name}: not a readable XLSX workbook: {e}") from e
    try:
        ws = wb.worksheets[0]
        names: list[str] | None = None
        for row in ws.iter_rows():
            values = tuple(_xlsx_value(cell) for cell in row)
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            if names is None:
                while values and values[-1] is None:
                    values = values[:-1]
                names = _unique(values)
                continue
            cells = list(values[: len(names)]) + [None] * (len(names) - len(values))
            yield dict(zip(names, cells, strict=True))
    finally:
        wb.close()


def _xlsx_value(cell: Any) -> object:
    """A cell's value; a date-formatted cell without a time part becomes a ``date``."""
    value = getattr(cell, "value", None)
    if isinstance(value, datetime) and getattr(cell, "is_date", False):
        fmt = str(getattr(cell, "number_format", "")).lower()
        if value.time() == time(0) and not any(c in fmt for c in "hs"):
            return value.date()
    return value
