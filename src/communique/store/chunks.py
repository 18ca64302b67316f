"""Lists of values for ``IN (...)``, a chunk at a time (a statement takes so many parameters)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

SQL_BATCH = 900  # values in one ``IN (...)``: under SQLite's former limit of 999 parameters


def placeholders(count: int) -> str:
    """``?,?,?``: the placeholders of ``count`` values, as in ``IN ({placeholders(n)})``."""
    return ",".join("?" * count)


def in_chunks(values: Sequence[T], size: int = SQL_BATCH) -> Iterator[tuple[str, list[T]]]:
    """``values`` ``size`` at a time, each chunk with its placeholders::

    for marks, chunk in in_chunks(ids):
        store.query(f"SELECT ... WHERE id IN ({marks})", chunk)
    """
    for i in range(0, len(values), size):
        chunk = list(values[i : i + size])
        yield placeholders(len(chunk)), chunk
