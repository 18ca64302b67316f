"""The storage interface every backend implements (``SQLStore`` in ``sql.py``: SQLite, PostgreSQL).

Parsers never touch storage; the ingest pipeline and the interfaces speak only this protocol.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from communique.model import Document


@dataclass
class StoredRaw:
    sha256: str
    kind: str  # "file" | "row"
    data: bytes
    meta: dict[str, Any]
    path: str


@dataclass
class DocFilter:
    publisher: str | None = None
    kind: str | None = None
    lang: str | None = None
    date_from: str | None = None  # inclusive, 'YYYY-MM-DD'
    date_to: str | None = None  # inclusive
    limit: int | None = None


class Store(Protocol):
    def close(self) -> None: ...

    # raw inputs and where they were seen
    def path_status(self, path: str) -> tuple[str, str, str | None] | None:
        """(sha256, status, doc_id) of the last ingest of this path, if any."""
        ...

    def doc_for_raw(self, sha256: str) -> str | None: ...

    def get_raw(self, sha256: str) -> StoredRaw | None: ...

    # documents
    def get(self, doc_id: str, revision: str | None = None) -> Document | None: ...

    def documents(self, flt: DocFilter | None = None) -> Iterator[Document]: ...

    def doc_ids(self) -> list[str]: ...

    def delete(self, doc_id: str) -> bool: ...

    def stats(self) -> dict[str, Any]: ...

    def errors(self, limit: int = 100) -> list[dict[str, Any]]: ...

    def changes_since(self, seq: int) -> Iterator[tuple[int, str, str]]: ...
