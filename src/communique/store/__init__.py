"""Storage backends behind one interface (``sql.SQLStore``); ``open_store`` picks one.

A target is a SQLite file path or a PostgreSQL URL (``postgresql://user@host:port/dbname``).
"""

from __future__ import annotations

import os

from communique.store.paths import DataPaths, data_paths, is_url
from communique.store.sql import SQLStore
from communique.store.sqlite import SQLiteStore

__all__ = ["DataPaths", "SQLStore", "SQLiteStore", "data_paths", "is_url", "open_store"]


def open_store(
    target: str | os.PathLike[str],
    *,
    check_same_thread: bool = True,
    data_dir: str | os.PathLike[str] | None = None,
) -> SQLStore:
    """Open (creating and migrating) the archive at ``target``: a SQLite file path or a
    PostgreSQL URL. ``data_dir``: where its derived files go (``store.paths``)."""
    if is_url(target):
        from communique.store.postgres import PostgresStore  # psycopg only when needed

        return PostgresStore(str(target), data_dir=data_dir)
    return SQLiteStore(target, check_same_thread=check_same_thread, data_dir=data_dir)
