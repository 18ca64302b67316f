"""A full disk under the index, recognised even when the index engine does not say so.

tantivy reports a write that failed in one of its writer threads only as "An index writer was
killed ... (io::Error most likely)", without the system's "No space left on device". When a
build or an update fails that way while the disk holding the index has almost no space left,
the failure is reported as a full disk (``OSError(ENOSPC)``), so the commands say "disk full"
and stop with its exit code instead of a warning.

A directory rebuilt beside its place (the index, the concordance store) replaces the old one with
:func:`swap_in`.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

LOW_SPACE = 8 << 20  # bytes free under which a failed index write is taken for a full disk


def free_bytes(where: Path) -> int | None:
    """Bytes free for this user on the file system holding ``where`` (None if unknown)."""
    for folder in (where, *where.parents):
        try:
            st = os.statvfs(folder)
        except OSError:
            continue
        return st.f_bavail * st.f_frsize
    return None


def full_disk_error(exc: BaseException, where: Path) -> OSError | None:
    """An ``OSError(ENOSPC)`` to raise from ``exc`` when the index writer failed with the
    disk holding ``where`` (almost) full; None otherwise. Call it before removing what the
    failed write left, which frees the space."""
    if not isinstance(exc, Exception) or (isinstance(exc, OSError) and exc.errno is not None):
        return None
    free = free_bytes(where)
    if free is None or free >= LOW_SPACE:
        return None
    return OSError(
        errno.ENOSPC,
        f"No space left on device: the search index's write failed with {free // 1024} KB "
        f"free on the disk of {where} ({exc})",
    )


def swap_in(built: Path, path: Path) -> None:
    """Put the directory ``built`` in the place of ``path``: the old one is renamed aside, the
    new one renamed in, then the old one removed (readers holding files of the old one keep
    them until they close)."""
    old = path.with_name(path.name + f".old-{os.getpid()}")
    if path.exists():
        os.replace(path, old)
    os.replace(built, path)
    shutil.rmtree(old, ignore_errors=True)
