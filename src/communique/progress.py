"""How far the running analysis is: its loops say so, whoever runs it may listen.

An analysis loop calls :func:`report` (``done`` of ``total`` steps); an analysis of several
stages wraps each in :func:`stage` so that the share it reports stays one share of the whole
(the second of two stages goes from 0.5 to 1). Nobody listening (the CLI, the Python API): a
report costs a function call. The server's analysis workers listen (``web.heavy``) and show the
share to a job's client: the share of the work done, never the seconds elapsed.

One analysis runs at a time in a process that listens (an analysis worker), so the listener
is the process's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

Listener = Callable[[float], None]
_listener: Listener | None = None
_span: tuple[float, float] = (0.0, 1.0)  # the part of the whole the current stage is


def report(done: int, total: int) -> None:
    """``done`` of ``total`` steps of the current stage are done."""
    if _listener is None or total <= 0:
        return
    lo, hi = _span
    _listener(lo + (hi - lo) * min(max(done / total, 0.0), 1.0))


@contextmanager
def stage(index: int, count: int) -> Iterator[None]:
    """Stage ``index`` (from 0) of ``count`` equal stages of the current one."""
    global _span
    lo, hi = outer = _span
    step = (hi - lo) / max(count, 1)
    _span = (lo + step * index, lo + step * (index + 1))
    try:
        yield
        report(1, 1)  # the stage is over: its whole share is done
    finally:
        _span = outer


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Send every report to ``listener`` (a share of the whole, 0 to 1) while inside."""
    global _listener, _span
    before = _listener, _span
    _listener, _span = listener, (0.0, 1.0)
    try:
        yield
    finally:
        _listener, _span = before
