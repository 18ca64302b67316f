"""communique: a structured, searchable, citable archive of diplomatic transcripts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from communique.archive import Archive

__all__ = ["Archive"]


def __getattr__(name: str) -> Any:
    """``communique.Archive``, imported on first use (the CLI and ingest do not need tantivy)."""
    if name == "Archive":
        from communique.archive import Archive

        return Archive
    raise AttributeError(f"module 'communique' has no attribute {name!r}")
