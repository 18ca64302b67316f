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

from communique.sources.decode import UnreadableInput, bytes_to_text
from communique.sources.limits import ENV, limits, over

__all__ = [
    "TABLE_SUFFIXES",
    "BadRow",
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
class BadRow:
    """A row that cannot be read, yielded in its place: ``where`` (``line 301``) and why. The
    rows after it are read on, so one bad row costs only itself."""

    where: str
    reason: str


class _Overlong(Exception):
    """A record over the cell limit (raised while reading its lines)."""


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


def read_table(path: Path) -> Iterator[dict[str, object] | BadRow]:
    """Rows of a table file as dicts, streamed where the format allows; a row that cannot be
    read is a :class:`BadRow` in its place (a JSON line that is not JSON or not UTF-8, a CSV
    quote left open to the end of the file or closed only rows later, a row over the cell
    limit) and reading goes on.

    CSV/TSV (any encoding; delimiter sniffed from the header line; fields of any size),
    JSON Lines / NDJSON (line by line; Elasticsearch bulk ``{"index": {"_id": ...}}`` lines
    become an ``_id`` column of the row that follows), ``.json`` (an array of objects, or JSON
    lines), Parquet (record batches) and XLSX (first sheet, read-only). Raises
    :class:`TableError` naming the file when the table as a whole cannot be read (or is over
    the input limit where it is read whole: ``.json``, XLSX parts, a non-UTF-8 CSV).
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


def _read_csv(path: Path, delimiter: str | None) -> Iterator[dict[str, object] | BadRow]:
    _raise_field_limit()
    try:
        with path.open("rb") as fh:
            sample = fh.read(_SAMPLE)
    except OSError as e:
        raise TableError(f"{path.name}: cannot read: {e}") from e
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or not _is_utf8_prefix(sample):
        # not UTF-8: decode the whole file with the usual detection (such files are small)
        text = _read_whole(path, "a table that is not UTF-8")
        yield from _csv_rows(path, io.StringIO(text, newline=""), delimiter)
        return
    # errors="replace": a stray invalid byte deep in a large UTF-8 file becomes U+FFFD
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
        yield from _csv_rows(path, fh, delimiter)


class _RecordLines:
    """The physical lines of a CSV file, fed to ``csv.reader``, keeping those of the record
    being read (to report and recover from a quote left open) and refusing a record over
    ``limit`` characters before it is all in memory."""

    def __init__(self, fh: io.TextIOBase, limit: int) -> None:
        self.fh = fh
        self.limit = limit
        self.line = 0  # physical lines read
        self.start = 1  # the first line of the current record
        self.record: list[str] = []
        self.size = 0
        self.pushed: list[str] = []  # lines to read again (after an unterminated quote)

    def __iter__(self) -> _RecordLines:
        return self

    def _read(self, n: int) -> str:
        if self.pushed:
            return self.pushed.pop()
        return self.fh.readline(n)

    def __next__(self) -> str:
        line = self._read(self.limit + 1 - self.size)
        if not line:
            raise StopIteration
        self.line += 1
        self.size += len(line)
        self.record.append(line)
        if self.size > self.limit:
            raise _Overlong
        return line

    def new_record(self) -> None:
        self.start = self.line + 1
        self.record = []
        self.size = 0

    def quote_open(self) -> bool:
        return sum(line.count('"') for line in self.record) % 2 == 1

    def at_end(self) -> bool:
        if self.pushed:
            return False
        nxt = self.fh.readline(self.limit + 1)
        if nxt:
            self.pushed.append(nxt)
            return False
        return True

    def skip_record(self) -> None:
        """Read past the rest of an overlong record (to where its quotes balance)."""
        quotes = sum(line.count('"') for line in self.record)
        last = self.record[-1] if self.record else "\n"
        self.record, self.size = [], 0
        while quotes % 2 == 1 or not last.endswith(("\n", "\r")):
            chunk = self._read(1 << 20)
            if not chunk:
                return
            if chunk.endswith(("\n", "\r")):
                self.line += 1
            quotes += chunk.count('"')
            last = chunk

    def reread_after_first(self) -> None:
        """Read the current record's lines again, except its first (after an open quote)."""
        again = self.record[1:]
        self.line -= len(again)
        self.pushed.extend(reversed(again))


def _csv_rows(
    path: Path, fh: io.TextIOBase, delimiter: str | None
) -> Iterator[dict[str, object] | BadRow]:
    limit = limits().cell_bytes
    if delimiter is None:
        first = fh.readline(min(limit, _SAMPLE))
        fh.seek(0)
        delimiter = _sniff_delimiter(first)
    lines = _RecordLines(fh, limit)
    reader = csv.reader(lines, delimiter=delimiter)
    names: list[str] | None = None
    shapes: set[str] = set()  # of the first cells of the rows read so far
    while True:
        lines.new_record()
        try:
            row = next(reader)
        except StopIteration:
            return
        except _Overlong:
            where = lines.start
            lines.skip_record()
            reader = csv.reader(lines, delimiter=delimiter)
            yield BadRow(f"line {where}", over("row", None, limit, ENV["cell_bytes"]) + "; skipped")
            continue
        except csv.Error as e:
            if names is None:
                raise TableError(f"{path.name}: line {lines.start}: bad CSV: {e}") from e
            reader = csv.reader(lines, delimiter=delimiter)
            yield BadRow(f"line {lines.start}", f"bad CSV: {e}")
            continue
        if len(lines.record) > 1 and lines.quote_open() and lines.at_end():
            # a quote opened and never closed: the rest of the file became one cell
            where = lines.start
            lines.reread_after_first()
            reader = csv.reader(lines, delimiter=delimiter)
            yield BadRow(
                f"line {where}",
                "unterminated quote: a quoted cell opened on this line never closes, so the "
                "rest of the file read as one cell; this row is left out and the lines after "
                "it are read again as rows",
            )
            continue
        if names is not None and _swallowed(lines.record, len(names), delimiter, shapes):
            # a quote left open, closed by a quote some rows later: those rows became one cell
            where, closed = lines.start, lines.line
            lines.reread_after_first()
            reader = csv.reader(lines, delimiter=delimiter)
            yield BadRow(
                f"line {where}",
                f"unterminated quote: a quoted cell opened on this line closes only on line "
                f"{closed}, so the lines between (which look like rows of the table) read as "
                "one cell; this row is left out and the lines after it are read again as rows",
            )
            continue
        if names is None:
            names = _unique(row)
            continue
        if not row or not any(cell.strip() for cell in row):
            continue
        if row[0] and len(shapes) <= MAX_SHAPES:
            shapes.add(_shape(row[0]))
        yield dict(zip(names, row + [""] * (len(names) - len(row)), strict=False))


MAX_SHAPES = 50  # first cells of more shapes than this: free text, no guide to what a row is


def _shape(cell: str) -> str:
    """A cell's shape: runs of letters as ``a``, of digits as ``9`` (``2020-03-01`` ->
    ``9-9-9``, ``Kong Quan`` -> ``a a``)."""
    return re.sub(r"\d+", "9", re.sub(r"[^\W\d_]+", "a", cell.strip()))[:40]


def _swallowed(record: list[str], columns: int, delimiter: str, shapes: set[str]) -> bool:
    """Whether a record of several physical lines is rows swallowed by a stray quote rather
    than a quoted cell with line breaks: it opens a quote on its first line, and most of its
    other lines (at least two) read on their own as rows of the table, with as many cells as
    the header and a first cell shaped like those of the rows read so far."""
    if len(record) < 3 or record[0].count('"') % 2 == 0 or columns < 2:
        return False
    inner = [line for line in record[1:] if line.strip()]
    like = 0
    for line in inner:
        try:
            cells = next(csv.reader([line], delimiter=delimiter))
        except (csv.Error, StopIteration):
            continue
        free_text = not shapes or len(shapes) > MAX_SHAPES
        if len(cells) == columns and (free_text or _shape(cells[0]) in shapes):
            like += 1
    return like >= 2 and 2 * like >= len(inner)


# ------------------------------------------------------------------------------- JSON


def _json_rows(
    path: Path, lines: Iterable[tuple[int, str | BadRow]]
) -> Iterator[dict[str, object] | BadRow]:
    """Rows of numbered JSON lines; a line that is not a JSON object is a :class:`BadRow`."""
    pending_id: object = None
    for lineno, line in lines:
        if isinstance(line, BadRow):
            pending_id = None
            yield line
            continue
        line = line.strip()
        if not line:
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            pending_id = None
            yield BadRow(
                f"line {lineno}",
                f"invalid JSON ({e.msg} at column {e.colno}); each line must be one JSON object",
            )
            continue
        if not isinstance(obj, dict):
            pending_id = None
            yield BadRow(f"line {lineno}", f"expected a JSON object, got {type(obj).__name__}")
            continue
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


def _utf8_lines(fh: io.BufferedIOBase, limit: int) -> Iterator[tuple[int, str | BadRow]]:
    """Numbered lines of a binary file decoded as UTF-8 one by one: a line that is not UTF-8
    or is over ``limit`` bytes is a :class:`BadRow` and the lines after it are read on."""
    lineno = 0
    while True:
        line = fh.readline(limit + 1)
        if not line:
            return
        lineno += 1
        if len(line) > limit and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # skip the rest of the line unread
                line = fh.readline(1 << 20)
            yield (
                lineno,
                BadRow(
                    f"line {lineno}", over("line", None, limit, ENV["cell_bytes"]) + "; skipped"
                ),
            )
            continue
        if lineno == 1 and line.startswith(codecs.BOM_UTF8):
            line = line[len(codecs.BOM_UTF8) :]
        try:
            yield lineno, line.decode("utf-8")
        except UnicodeDecodeError as e:
            yield (
                lineno,
                BadRow(
                    f"line {lineno}",
                    f"not UTF-8 ({e.reason} at byte {e.start} of the line): re-save as UTF-8",
                ),
            )


def _read_jsonl(path: Path) -> Iterator[dict[str, object] | BadRow]:
    try:
        fh = path.open("rb")
    except OSError as e:
        raise TableError(f"{path.name}: cannot read: {e}") from e
    with fh:
        yield from _json_rows(path, _utf8_lines(fh, limits().cell_bytes))


def _read_whole(path: Path, what: str) -> str:
    """The text of a table read whole (``what``: "a .json table"), refused over the input
    size limit."""
    limit = limits().input_bytes
    size = path.stat().st_size
    if size > limit:
        raise TableError(
            f"{path.name}: {what} is read whole: " + over("file", size, limit, ENV["input_bytes"])
        )
    try:
        return bytes_to_text(path.read_bytes(), max_bytes=limit)
    except UnreadableInput as e:
        raise TableError(f"{path.name}: {e}") from e


def _read_json(path: Path) -> Iterator[dict[str, object] | BadRow]:
    text = _read_whole(path, "a .json table")
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as e:
        if e.msg != "Extra data":
            raise TableError(
                f"{path.name}: line {e.lineno}: invalid JSON ({e.msg} at column {e.colno})"
            ) from e
        # JSON Lines saved as .json
        yield from _json_rows(path, enumerate(text.splitlines(), start=1))
        return
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        data = lists[0] if len(lists) == 1 else [data]
    if not isinstance(data, list):
        raise TableError(f"{path.name}: a JSON table is an array of objects")
    for i, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            yield BadRow(f"item {i}", f"expected a JSON object, got {type(item).__name__}")
            continue
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


_STRINGS_SHARE = 4  # the shared strings of a workbook may be a quarter of the input limit
_MAX_BLANK_ROWS = 100_000  # blank rows in a row after which a sheet is taken to have ended


def _check_xlsx_size(path: Path) -> None:
    """Refuse a workbook whose parts expand past the input limit (shared strings are read
    whole by openpyxl): sizes from the ZIP directory, which the reader also holds them to."""
    import zipfile

    limit = limits().input_bytes
    try:
        with zipfile.ZipFile(path) as zf:
            total = sum(info.file_size for info in zf.infolist())
            strings = sum(
                i.file_size for i in zf.infolist() if "sharedstrings" in i.filename.lower()
            )
    except (zipfile.BadZipFile, OSError) as e:
        raise TableError(f"{path.name}: not a readable XLSX workbook: {e}") from e
    if total > limit:
        raise TableError(
            f"{path.name}: " + over("workbook (uncompressed)", total, limit, ENV["input_bytes"])
        )
    # openpyxl holds the shared strings in memory, about ten times their XML
    if strings > limit // _STRINGS_SHARE:
        raise TableError(
            f"{path.name}: "
            + over("its shared strings (uncompressed)", strings, limit // _STRINGS_SHARE,
                   ENV["input_bytes"] + f", which allows 1/{_STRINGS_SHARE} of it")
        )  # fmt: skip


def _read_xlsx(path: Path) -> Iterator[dict[str, object] | BadRow]:
    import openpyxl

    _check_xlsx_size(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # BadZipFile, InvalidFileException, KeyError...
        raise TableError(f"{path.name}: not a readable XLSX workbook: {e}") from e
    try:
        ws = wb.worksheets[0]
        names: list[str] | None = None
        blank = 0
        for n, row in enumerate(ws.iter_rows(), start=1):
            values = tuple(_xlsx_value(cell) for cell in row)
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                blank += 1
                if blank >= _MAX_BLANK_ROWS:
                    yield BadRow(
                        f"sheet row {n}",
                        f"{blank:,} blank rows in a row: the rest of the sheet is not read",
                    )
                    return
                continue
            blank = 0
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
