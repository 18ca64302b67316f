"""Operations on a whole archive: backup and restore (``backup.py``), verification and repair
(``check.py``). Both backends: a SQLite file or a PostgreSQL database (``store.open_store``);
the derived local files are where ``store.paths`` says (``store/paths.py``)."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from communique.store.paths import is_url


def shown(target: str) -> str:
    """A target as a message or a manifest may show it: a PostgreSQL URL without password."""
    if not is_url(target):
        return target
    parts = urlsplit(target)
    if parts.password is None:
        return target
    netloc = f"{parts.username}@{parts.hostname or ''}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))
