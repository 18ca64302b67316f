"""Walk the inputs: files and folders become raw inputs (a file, or one table row) or skips.

Nothing here parses documents; it only finds them, keeps their bytes verbatim, and attaches the
metadata that sidecars (``manifest.csv``) or table columns give.
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from communique.sources.decode import UnreadableInput, bytes_to_text
from communique.sources.limits import ENV, limits, over, page_file_bytes
from communique.sources.raw import Failure, Item, RawInput, Skip
from communique.sources.tables import (
    TABLE_SUFFIXES,
    BadRow,
    ColumnMap,
    detect_columns,
    is_sidecar,
    read_table,
)

SIDECAR_NAMES = {"manifest.csv", "source.md", "readme", "readme.md", "readme.txt", "license"}
DOC_SUFFIXES = {".txt", ".text", ".html", ".htm", ".shtml", ".xhtml", ".gz", ""}


def shown_path(path: Path | str) -> str:
    """A path as text that any store accepts: a file name that is not UTF-8 keeps its odd
    bytes as ``\\xe9`` escapes (the same name always gives the same text)."""
    raw = os.fsencode(path)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace")


def walk(inputs: list[Path]) -> Iterator[Path | Failure]:
    """Every file under the inputs, recursively, in a stable order; a folder that cannot be
    read is a :class:`Failure` (and its files are not seen), never a silent gap."""
    for root in inputs:
        if root.is_dir():
            yield from _walk_dir(root)
        else:
            yield root


def _walk_dir(folder: Path) -> Iterator[Path | Failure]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as e:
        yield Failure(shown_path(folder), f"cannot read folder: {e.strerror or e}")
        return
    subdirs: list[Path] = []
    for entry in entries:
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            subdirs.append(Path(entry.path))
        else:
            yield Path(entry.path)
    for sub in subdirs:
        yield from _walk_dir(sub)


def iter_paths(inputs: list[Path]) -> Iterator[Path]:
    """Every file under the inputs, recursively, in a stable order."""
    for p in walk(inputs):
        if isinstance(p, Path) and not p.is_dir():
            yield p


def read_input(
    path: Path, limit: int, *, what: str = "file", env: str = ENV["input_bytes"],
    shown_limit: int | None = None,
) -> bytes:  # fmt: skip
    """A regular file's bytes, refusing devices, FIFOs and sockets (which never end or block)
    and files over ``limit`` bytes, never reading more than ``limit + 1``; OSError or
    ValueError with the reason otherwise (``what``, ``env`` and ``shown_limit``: the message's
    words for the input, the variable that raises the limit and the limit it names)."""
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        what = (
            "a FIFO (named pipe)" if stat.S_ISFIFO(st.st_mode)
            else "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
            else "a socket" if stat.S_ISSOCK(st.st_mode)
            else "not a regular file"
        )  # fmt: skip
        raise ValueError(f"not a regular file ({what}): give files or folders of files")
    named = limit if shown_limit is None else shown_limit
    if st.st_size > limit:
        raise ValueError(over(what, st.st_size, named, env))
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)  # a file growing while read stops at the limit too
    if len(data) > limit:
        raise ValueError(over(what, None, named, env))
    return data


def _manifest_for(
    folder: Path, cache: dict[Path, dict[str, dict[str, str]]], problems: list[Failure]
) -> dict[str, dict]:
    """``manifest.csv`` rows of a folder (or a parent), keyed by the file path they name.

    A manifest that cannot be read adds a :class:`Failure` to ``problems`` (once) and gives no
    metadata: the files it describes are still ingested.
    """
    for d in (folder, *folder.parents):
        if d in cache:
            return cache[d]
        m = d / "manifest.csv"
        if m.is_file():
            rows: dict[str, dict[str, str]] = {}
            try:
                text = bytes_to_text(read_input(m, limits().input_bytes),
                                     max_bytes=limits().input_bytes)  # fmt: skip
                reader = csv.DictReader(io.StringIO(text, newline=""))
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
                        if row.get(name_col):
                            rows[str((d / row[name_col]).resolve())] = row
            except (OSError, ValueError, UnreadableInput, csv.Error) as e:
                problems.append(
                    Failure(shown_path(m), f"unreadable manifest, its metadata is not used: {e}")
                )
                rows = {}
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
    problems: list[Failure] = []
    failed_manifests: set[str] = set()
    limit = limits().input_bytes
    # a page file is read up to the page limit (with gzip's room) or the file limit if lower
    page_limit = limits().document_bytes
    if page_file_bytes(page_limit) < limit:
        page_read: dict[str, Any] = {"limit": page_file_bytes(page_limit), "what": "page",
                                     "env": ENV["document_bytes"], "shown_limit": page_limit}
    else:
        page_read = {"limit": limit}
    for path in walk(inputs):
        if isinstance(path, Failure):
            yield path
            continue
        name = path.name.lower()
        shown = shown_path(path)
        if name in SIDECAR_NAMES or name.startswith("readme") or name.endswith(".md"):
            if shown not in failed_manifests:  # an unreadable one stays reported as failed
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
            data = read_input(path, **page_read)
        except OSError as e:
            yield Failure(shown, f"cannot read file: {e.strerror or e}")
            continue
        except ValueError as e:
            yield Failure(shown, str(e))
            continue
        row = _manifest_for(path.parent, manifests, problems).get(str(path.resolve()), {})
        failed_manifests.update(f.path for f in problems)
        yield from problems
        problems.clear()
        meta = {k: row[k] for k in _MANIFEST_FIELDS if row.get(k)}
        if fmt:
            meta["format"] = fmt
        yield RawInput(path=shown, data=data, kind="file", meta=meta)


def _json_default(value: Any) -> Any:
    return str(value)


def _table_items(path: Path, overrides: dict[str, str] | None) -> Iterator[Item]:
    shown = shown_path(path)
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            read_input(path, 0)  # raises, saying what it is
        rows = read_table(path)
        bad: list[BadRow] = []
        first = next(rows, None)
        while isinstance(first, BadRow):  # bad rows before the first good one
            bad.append(first)
            first = next(rows, None)
    except Exception as e:  # unreadable table: a failure, the batch goes on
        yield Failure(shown, f"unreadable table: {e}")
        return
    if first is None:
        if bad:
            yield from (Failure(f"{shown}#row={n}", f"{b.where}: {b.reason}")
                        for n, b in enumerate(bad, start=1))  # fmt: skip
        else:
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
        # a bad row keeps its number, so the rows after it keep theirs once it is mended
        for n, row in enumerate(_chain(bad, first, rows), start=1):
            if isinstance(row, BadRow):
                yield Failure(f"{shown}#row={n}", f"{row.where}: {row.reason}")
            else:
                yield _row_item(shown, n, row, cmap)
    except Exception as e:
        yield Failure(f"{shown}#row={n + 1}", f"unreadable row: {e}")


def _chain(
    bad: list[BadRow], first: dict, rows: Iterator[dict | BadRow]
) -> Iterator[dict | BadRow]:
    yield from bad
    yield first
    yield from rows


def _row_item(shown: str, n: int, row: dict[str, Any], cmap: ColumnMap) -> Item:
    path = f"{shown}#row={n}"
    text_cols = [c for c in (cmap.text, cmap.question, cmap.answer) if c]
    if not any(str(row.get(c) or "").strip() for c in text_cols):
        return Skip(path, "row with empty text")
    data = json.dumps(row, ensure_ascii=False, sort_keys=True, default=_json_default).encode()
    limit = limits().cell_bytes
    if len(data) > limit:  # XLSX and Parquet rows (CSV and JSON lines are checked as read)
        return Failure(path, over("row", len(data), limit, ENV["cell_bytes"]))
    meta = {"columns": {k: v for k, v in vars(cmap).items() if v and k != "extra"}}
    return RawInput(path=path, data=data, kind="row", meta=meta)
