"""Where an archive's derived local files live, for either backend.

A SQLite archive at ``P`` keeps them beside its file: ``P.index/`` (the tantivy index),
``P.analysis`` (the token cache), ``P.uploads/`` and ``P.concordance/`` (the concordance
store). A PostgreSQL archive has no file: each
machine that serves or analyses it keeps them in a local data directory, ``--data-dir`` (env
``COMMUNIQUE_DATA_DIR``), by default ``~/.local/share/communique/<host>_<port>_<dbname>/``.
"""

from __future__ import annotations

import os
import re
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

URL_SCHEMES = ("postgresql://", "postgres://")
DATA_DIR_ENV = "COMMUNIQUE_DATA_DIR"
DERIVED = ("index", "analysis", "uploads", "concordance")
# the data dir chosen for the current command (``--data-dir``): as if passed to data_paths
chosen_data_dir: ContextVar[str | os.PathLike[str] | None] = ContextVar("data_dir", default=None)


def is_url(target: str | os.PathLike[str]) -> bool:
    """True for a PostgreSQL URL, False for a SQLite file path."""
    return isinstance(target, str) and target.startswith(URL_SCHEMES)


@dataclass(frozen=True)
class DataPaths:
    """The derived files of one archive on this machine."""

    index: Path
    analysis: Path
    uploads: Path
    concordance: Path


def default_data_dir(url: str) -> Path:
    """``$XDG_DATA_HOME/communique/<host>_<port>_<dbname>`` (``~/.local/share`` by default)."""
    parts = urlsplit(url)
    name = f"{parts.hostname or 'local'}_{parts.port or 5432}_{parts.path.lstrip('/') or 'db'}"
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "communique" / re.sub(r"[^\w.-]", "_", name)


def data_paths(
    target: str | os.PathLike[str], data_dir: str | os.PathLike[str] | None = None
) -> DataPaths:
    """The derived files of the archive at ``target`` (a SQLite path or a PostgreSQL URL).

    ``data_dir`` puts them in that directory; a URL without one uses ``COMMUNIQUE_DATA_DIR``,
    else :func:`default_data_dir`. A SQLite archive without one keeps them beside its file.
    A command's ``--data-dir`` (``chosen_data_dir``) counts as given.
    """
    data_dir = data_dir or chosen_data_dir.get()
    if is_url(target):
        url = str(target)
        base = Path(data_dir or os.environ.get(DATA_DIR_ENV) or default_data_dir(url))
        return DataPaths(*(base / kind for kind in DERIVED))
    path = Path(target)
    folder = Path(data_dir) if data_dir else path.parent
    return DataPaths(*(folder / f"{path.name}.{kind}" for kind in DERIVED))
