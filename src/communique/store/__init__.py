"""Storage backends behind one interface (see ``base.Store``); ``open_store`` picks one."""

from __future__ import annotations

import os

from communique.store.sqlite import SQLiteStore


def open_store(target: str | os.PathLike[str], *, check_same_thread: bool = True) -> SQLiteStore:
    """Open the archive at ``target``: a SQLite file path (PostgreSQL URLs: see issue 7)."""
    return SQLiteStore(target, check_same_thread=check_same_thread)
