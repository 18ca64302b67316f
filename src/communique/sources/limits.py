"""Size limits for ingest: what one input may cost, so a hostile file costs only itself.

Every limit is refused with a message naming it and how to raise it, after reading no more
of the input than the limit (a page file: :func:`page_file_bytes`). Defaults suit the
corpora (the largest real page is a few MB); set ``COMMUNIQUE_MAX_INPUT_MB``,
``COMMUNIQUE_MAX_DOCUMENT_MB`` or ``COMMUNIQUE_MAX_CELL_MB`` (or ``communique ingest
--max-input-mb ...``, which sets them for the parse workers too) to change them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

MB = 1 << 20

ENV = {
    "input_bytes": "COMMUNIQUE_MAX_INPUT_MB",
    "document_bytes": "COMMUNIQUE_MAX_DOCUMENT_MB",
    "cell_bytes": "COMMUNIQUE_MAX_CELL_MB",
}


@dataclass(frozen=True)
class Limits:
    """What one input may cost, in bytes."""

    input_bytes: int = 200 * MB  # a file as read, and a table file's decompressed parts
    # one page after gunzip (HTML or text), parsed in memory: the largest of the corpora is
    # 0.35 MB; parsing costs about 7 s and 30 MB of memory per MB of HTML
    document_bytes: int = 5 * MB
    cell_bytes: int = 10 * MB  # one table row (CSV record, JSON line)

    @classmethod
    def from_env(cls) -> Limits:
        """The defaults, overridden by the environment variables in ``ENV``."""
        values: dict[str, int] = {}
        for name, var in ENV.items():
            raw = os.environ.get(var)
            if raw:
                try:
                    values[name] = int(float(raw) * MB)
                except ValueError:
                    continue
        return cls(**values)


def page_file_bytes(document_bytes: int) -> int:
    """The most bytes of a page file (HTML or text, gzipped or not) read before it is refused:
    the page limit, plus what gzip adds to a page that does not compress (headers, blocks), so
    that a gzipped file this large is over the page limit once decompressed."""
    return document_bytes + document_bytes // 100 + 128 * 1024


def set_env_limits(**megabytes: float | None) -> None:
    """Set limits (in MB) for this process and the parse workers it starts."""
    for name, value in megabytes.items():
        if value is not None:
            os.environ[ENV[name]] = str(value)


def limits() -> Limits:
    """The limits in force now."""
    return Limits.from_env()


def size(n: int) -> str:
    """A byte count for messages: ``1.5 MB``."""
    return f"{n / MB:.1f} MB" if n >= MB else f"{n} bytes"


def over(what: str, n: int | None, limit: int, env: str) -> str:
    """The message for an input over a limit."""
    got = f"{size(n)}, " if n is not None else ""
    return (
        f"{what} too large ({got}over the limit of {size(limit)}): "
        f"raise it with {env} (MB) if this input is genuine"
    )


DISK_FULL_EXIT = 3  # the exit code of a command stopped by a full disk


def is_disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` (or an exception it was raised from) says the disk is full: SQLite's
    "database or disk is full", PostgreSQL's disk_full (53100), ENOSPC/EDQUOT, or the index
    engine's "No space left on device"."""
    import errno

    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return False
        if isinstance(seen, OSError) and seen.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if getattr(seen, "sqlstate", None) == "53100":
            return True
        text = str(seen).lower()
        if "disk is full" in text or "no space left on device" in text:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


DISK_FULL_MESSAGE = (
    "disk full: the command stopped; what was committed before is kept, the rest was rolled "
    "back (the search index stays as it was, or is rebuilt by the next command). Free some "
    "space and run the command again."
)
