"""The same transcript reached twice: near-identical texts, and the parts of one transcript.

A publisher sometimes serves one transcript at two addresses (White House files 1472 and 1474,
fmprc ``t1659619`` and its re-edited ``t1660057``), and a table may hold one interview in two
rows with one URL. The ingest keeps one document for each (docs/record.md, "One transcript,
one document"):

* **Near-identical texts** of one publisher, language and date are one transcript when the
  5-word-shingle Jaccard similarity of their turns' text is at least ``SHINGLE_MIN`` (0.9), or
  when they carry the same title and the same number of turns and the Jaccard similarity of
  their sets of words is at least ``WORDS_MIN`` (0.8): a re-edited translation published again.
  Words are case-folded, typographic quotes folded, and Chinese is compared character by
  character. Texts under ``MIN_WORDS`` words are never merged this way (their ids decide).
* **Parts**: rows of one table that give one document (the same URL) with different texts are
  joined in row order into one document; each part's turns follow the previous part's, and
  every row is an origin.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import replace

from communique.model import Document, Turn

SHINGLE = 5
SHINGLE_MIN = 0.9
WORDS_MIN = 0.8
MIN_WORDS = 40
LENGTH_RATIO = 0.75  # texts whose lengths differ more than this are not compared
_TOKEN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[^\W_]+")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " "})


def words(texts: Sequence[str]) -> list[str]:
    """The words of texts, case- and quote-folded; each Chinese character is a word."""
    return _TOKEN.findall(" ".join(texts).translate(_QUOTES).casefold())


def _jaccard(a: set[object], b: set[object]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def shingles(ws: list[str], k: int = SHINGLE) -> set[tuple[str, ...]]:
    return {tuple(ws[i : i + k]) for i in range(max(1, len(ws) - k + 1))} if ws else set()


def _title_key(title: str | None) -> str:
    return " ".join((title or "").translate(_QUOTES).casefold().split())


def same_transcript(
    a_title: str | None, a_texts: Sequence[str], b_title: str | None, b_texts: Sequence[str]
) -> bool:
    """True when two texts (the turns' texts of two documents of one publisher, language and
    date) are one transcript by the rules above."""
    wa, wb = words(a_texts), words(b_texts)
    if min(len(wa), len(wb)) < MIN_WORDS:
        return False
    if min(len(wa), len(wb)) / max(len(wa), len(wb)) < LENGTH_RATIO:
        return False
    if _jaccard(shingles(wa), shingles(wb)) >= SHINGLE_MIN:  # type: ignore[arg-type]
        return True
    same_title = bool(a_title and b_title) and _title_key(a_title) == _title_key(b_title)
    same_shape = same_title and len(a_texts) == len(b_texts)
    return same_shape and _jaccard(set(wa), set(wb)) >= WORDS_MIN  # type: ignore[arg-type]


def row_number(path: str) -> int:
    """The row of a table row's origin path (``file#row=N``); 0 for anything else."""
    _, _, row = path.partition("#row=")
    return int(row) if row.isdigit() else 0


def join_parts(parts: Sequence[Document]) -> Document:
    """Parts of one transcript (in order) as one document: the first part's header, every
    part's turns numbered on (answers follow), participants and origins of all parts. The
    revision hashes the parts' raw inputs, so it changes when any part does."""
    first = parts[0]
    turns: list[Turn] = []
    participants = list(first.participants)
    for part in parts:
        offset = len(turns)
        turns += [
            replace(t, n=t.n + offset, answers=None if t.answers is None else t.answers + offset)
            for t in part.turns
        ]
        participants += [p for p in part.participants if p not in participants]
    shas = "".join(p.origin[0].sha256 for p in parts)
    return replace(
        first,
        turns=turns,
        participants=participants,
        origin=[p.origin[0] for p in parts],
        revision=hashlib.sha256(shas.encode()).hexdigest()[:12],
    )
