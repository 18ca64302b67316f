"""Walk the inputs: files and folders become raw inputs (a file, or one table row) or skips.

Nothing here parses documents; it only finds them, keeps their bytes verbatim, and attaches the
metadata that sidecars (``manifest.csv``) or table columns give.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from communique.ingest.tables import (
    TABLE_SUFFIXES,
    ColumnMap,
    detect_columns,
    is_sidecar,
    read_table,
)

SIDECAR_NAMES = {"manifest.csv", "source.md", "readme", "readme.md", "readme.txt", "license"}
DOC_SUFFIXES = {".txt", ".text", ".html", ".htm", ".shtml", ".xhtml", ".gz", ""}


@dataclass
class RawInput:
    """One raw input, kept verbatim: a file's bytes, or a table row as canonical JSON."""

    path: str  # as found; a row is "<file>#row=<n>"
    data: bytes
    kind: str  # "file" | "row"
    meta: dict[str, Any] = field(default_factory=dict)
    sha256: str = ""

    def __post_init__(self) -> None:
        if not self.sha256:
            self.sha256 = hashlib.sha256(self.data).hexdigest()


@dataclass
class Skip:
    path: str
    reason: str


@dataclass
class Failure:
    path: str
    reason: str


Item = RawInput | Skip | Failure


def iter_paths(inputs: list[Path]) -> Iterator[Path]:
    """Every file under the inputs, recursively, in a stable order."""
    for root in inputs:
        if root.is_dir():
            for p in sorted(root.rglob("*")):
                if p.is_file():
                    yield p
        else:
            yield root


def _manifest_for(folder: Path, cache: dict[Path, dict[str, dict[str, str]]]) -> dict[str, dict]:
    """``manifest.csv`` rows of a folder (or a parent), keyed by the file path they name."""
    for d in (folder, *folder.parents):
        if d in cache:
            return cache[d]
        m = d / "manifest.csv"
        if m.is_file():
            rows: dict[str, dict[str, str]] = {}
            with m.open(encoding="utf-8", newline="") as fh:
                reader = csv.DictReader(fh)
                name_col = next(
                    (
                        c
                        for c in reader.fieldnames or []
                        if c.lower() in ("file", "path", "filename")
                    ),
                    None,
                )
                if name_col:
                    for row in reader:
                        rows[str((d / row[name_col]).resolve())] = row
            cache[d] = rows
            return rows
    cache[folder] = {}
    return {}


_MANIFEST_FIELDS = ("url", "date", "title", "lang", "publisher", "spokesperson")


def iter_items(
    inputs: list[Path],
    *,
    column_overrides: dict[str, str] | None = None,
    fmt: str | None = None,
) -> Iterator[Item]:
    """Raw inputs, skips and failures for every file (and every row of every table).

    ``fmt`` ("text", "html" or "table") overrides detection by suffix and content.
    """
    manifests: dict[Path, dict[str, dict[str, str]]] = {}
    for path in iter_paths(inputs):
        name = path.name.lower()
        shown = str(path)
        if name in SIDECAR_NAMES or name.startswith("readme") or name.endswith(".md"):
            yield Skip(shown, "sidecar file (manifest, SOURCE.md or README)")
            continue
        suffix = path.suffix.lower()
        if fmt == "table" or (fmt is None and (suffix in TABLE_SUFFIXES or suffix == ".json")):
            yield from _table_items(path, column_overrides)
            continue
        known = suffix in DOC_SUFFIXES or name.endswith((".html.gz", ".txt.gz"))
        if fmt is None and not known:
            yield Skip(shown, f"not a document format ({suffix or 'no suffix'})")
            continue
        try:
            data = path.read_bytes()
        except OSError as e:
            yield Failure(shown, f"cannot read file: {e}")
            continue
        row = _manifest_for(path.parent, manifests).get(str(path.resolve()), {})
        meta = {k: row[k] for k in _MANIFEST_FIELDS if row.get(k)}
        if fmt:
            meta["format"] = fmt
        yield RawInput(path=shown, data=data, kind="file", meta=meta)


def _json_default(value: Any) -> Any:
    return str(value)


def _table_items(path: Path, overrides: dict[str, str] | None) -> Iterator[Item]:
    shown = str(path)
    try:
        rows = read_table(path)
        first = next(rows, None)
    except Exception as e:  # unreadable table: a failure, the batch goes on
        yield Failure(shown, f"unreadable table: {e}")
        return
    if first is None:
        yield Skip(shown, "table with no rows")
        return
    columns = list(first.keys())
    reason = is_sidecar(path, columns, overrides)
    if reason:
        yield Skip(shown, reason)
        return
    try:
        cmap = detect_columns(columns, overrides)
    except ValueError as e:
        yield Failure(shown, str(e))
        return
    if not cmap.text and not (cmap.question and cmap.answer):
        yield Skip(shown, "table with no text column")
        return
    n = 0
    try:
        for n, row in enumerate(_chain(first, rows), start=1):
            yield _row_item(shown, n, row, cmap)
    except Exception as e:
        yield Failure(f"{shown}#row={n + 1}", f"unreadable row: {e}")


def _chain(first: dict, rows: Iterator[dict]) -> Iterator[dict]:
    yield first
    yield from rows


def _row_item(shown: str, n: int, row: dict[str, Any], cmap: ColumnMap) -> Item:
    path = f"{shown}#row={n}"
    text_cols = [c for c in (cmap.text, cmap.question, cmap.answer) if c]
    if not any(str(row.get(c) or "").strip() for c in text_cols):
        return Skip(path, "row with empty text")
    data = json.dumps(row, ensure_ascii=False, sort_keys=True, default=_json_default).encode()
    meta = {"columns": {k: v for k, v in vars(cmap).items() if v and k != "extra"}}
    return RawInput(path=path, data=data, kind="row", meta=meta)
