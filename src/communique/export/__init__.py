"""Exports of a search or a subcorpus: CSV, JSONL, Parquet, TEI XML (ParlaMint manner) and
citation bundles (BibTeX, CSL-JSON). See docs/export.md.

>>> from communique import Archive
>>> from communique.search.selection import Selection
>>> with Archive("archive.db") as a:
...     a.export(Selection(q="Kazakhstan", role="answer"), "parquet", "kz.parquet")
...     a.export({"speaker": "Sergey Lavrov", "date_from": "2022"}, "tei", "tei-out/")
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from communique.export.subcorpus import EmptySelection, TooMany, describe, select
from communique.search.index import SearchIndex
from communique.search.selection import Selection

FORMATS = ("csv", "jsonl", "parquet", "tei", "bibtex", "csl")
TABLE_FORMATS = ("csv", "jsonl", "parquet")
CITATION_FORMATS = ("bibtex", "csl")

__all__ = ["CITATION_FORMATS", "FORMATS", "TABLE_FORMATS", "EmptySelection", "TooMany",
           "describe", "export", "select"]  # fmt: skip


def export(
    index: SearchIndex,
    selection: Selection | Any,
    fmt: str,
    out: str | Path | IO[bytes],
    *,
    progress: Callable[[int], None] | None = None,
    base_url: str = "",
    cap: int | None = None,
) -> int:
    """Export ``selection`` (a :class:`Selection`, one with more fields such as the web's
    ``SearchParams``, or a mapping of its fields) from ``index`` (and its store) as ``fmt`` to
    ``out`` (a file, or a folder for ``tei``). Returns the number of turns (tables) or documents
    (tei, bibtex, csl) written; ``progress`` is called with each step's count. A selection that
    matches nothing raises ``EmptySelection``."""
    if fmt in TABLE_FORMATS:
        from communique.export.tables import write_turns

        return write_turns(index, selection, fmt, out, progress=progress, cap=cap)
    if fmt == "tei":
        from communique.export.tei import ROOT_FILE, write_tei

        if not isinstance(out, str | Path):
            raise ValueError("tei writes a folder: give a path")
        paths = write_tei(index, selection, out, progress=progress, base_url=base_url, cap=cap)
        return sum(1 for p in paths if p.name != ROOT_FILE)
    if fmt in CITATION_FORMATS:
        from communique.export.bundle import write_citations

        return write_citations(
            index, selection, fmt, out, base_url=base_url, progress=progress, cap=cap
        )
    raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
