"""Real corpus pages parsed the way ingest parses them, and a turn found by its opening words:
what the role tests read expected values against."""

from __future__ import annotations

from pathlib import Path

from communique.ingest.pipeline import parse_raw
from communique.model import Document, Turn
from communique.sources.raw import RawInput


def parse_page(path: Path) -> Document:
    """The record of one corpus page (fails the test when the page gives none)."""
    parsed = parse_raw(RawInput(path=str(path), data=path.read_bytes(), kind="file", meta={}))
    assert parsed.doc is not None, parsed.error or parsed.skip
    return parsed.doc


def turn_opening(doc: Document, opening: str) -> Turn:
    """The first turn whose text opens with ``opening``."""
    found = [t for t in doc.turns if t.text.startswith(opening)]
    assert found, f"no turn opens with {opening!r}"
    return found[0]
