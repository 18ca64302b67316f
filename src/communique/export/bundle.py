"""A citation bundle: one citation per document of a subcorpus, as BibTeX or CSL-JSON.

Each entry is :func:`communique.cite.cite` of the document (version-pinned: ``<id>@<revision>``
in the key or id and in the note), in the order the documents first appear in the subcorpus.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from communique.cite import cite
from communique.export.subcorpus import (
    Guard,
    _direct,
    doc_ids,
    documents,
    require,
    select,
)
from communique.model import Document
from communique.search.index import SearchIndex
from communique.search.selection import Selection
from communique.store.sql import SQLStore

FORMATS = ("bibtex", "csl")
MEDIA_TYPES = {
    "bibtex": "application/x-bibtex; charset=utf-8",
    "csl": "application/vnd.citationstyles.csl+json",
}
EXTENSIONS = {"bibtex": "bib", "csl": "json"}
Progress = Callable[[int], None]


def bibtex_chunks(
    docs: Iterable[Document], *, base_url: str = "", progress: Progress | None = None
) -> Iterator[bytes]:
    """BibTeX: one ``@misc`` entry per document, separated by blank lines."""
    for doc in docs:
        yield (cite(doc, base_url=base_url).bibtex + "\n\n").encode("utf-8")
        if progress:
            progress(1)


def csl_chunks(
    docs: Iterable[Document], *, base_url: str = "", progress: Progress | None = None
) -> Iterator[bytes]:
    """CSL-JSON: an array of items, one per document."""
    yield b"["
    for i, doc in enumerate(docs):
        item = json.dumps(cite(doc, base_url=base_url).csl, ensure_ascii=False, indent=1)
        yield (("," if i else "") + "\n" + item).encode("utf-8")
        if progress:
            progress(1)
    yield b"\n]\n"


WRITERS = {"bibtex": bibtex_chunks, "csl": csl_chunks}


def chunks(
    store: SQLStore,
    ids: list[str],
    fmt: str,
    *,
    guard: Guard = _direct,
    base_url: str = "",
    progress: Progress | None = None,
) -> Iterator[bytes]:
    """The bundle of documents ``ids`` of ``store`` in ``fmt`` (bibtex or csl), streamed."""
    if fmt not in WRITERS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    docs = documents(store, ids, guard=guard)
    return WRITERS[fmt](docs, base_url=base_url, progress=progress)


def write_citations(
    index: SearchIndex,
    selection: Selection | Any,
    fmt: str,
    out: str | Path | IO[bytes],
    *,
    base_url: str = "",
    progress: Progress | None = None,
    cap: int | None = None,
) -> int:
    """Write the citations of every document of ``selection`` to ``out`` (a path or a binary
    file); returns the number of documents."""
    if fmt not in WRITERS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    selection = Selection.of(selection)
    ids = doc_ids(require(select(index, selection, cap=cap), selection))
    parts = chunks(index.store, ids, fmt, base_url=base_url, progress=progress)
    if isinstance(out, str | Path):
        with open(out, "wb") as f:
            f.writelines(parts)
    else:
        for part in parts:
            out.write(part)
    return len(ids)


def citations(index: SearchIndex, selection: Selection | Any) -> list[dict[str, Any]]:
    """Every document's citation (``Citation.to_dict``), for the Python API."""
    ids = doc_ids(select(index, Selection.of(selection)))
    return [cite(doc).to_dict() for doc in documents(index.store, ids)]
