"""Backup and restore of a whole archive, on either backend.

A backup is one tar file holding ``manifest.json`` and one payload:

- SQLite: a consistent copy of the archive file taken with SQLite's online backup API (other
  processes may go on writing meanwhile), gzip-compressed (``archive.sqlite.gz``);
- PostgreSQL: ``pg_dump --format=custom`` of the database (``archive.pgdump``), taken in a
  snapshot exported from the transaction that counted the rows, so counts and dump agree.

The manifest records the backend, the schema version, the counts of documents, turns and raw
inputs, the payload's sha256 and size, when and from where it was made. Restore checks all of
it before writing anything, refuses to overwrite a non-empty archive unless forced, checks the
counts again once restored, and rebuilds the derived files (the search index; the analysis
cache is dropped and rebuilt on first use). Derived files are never backed up.
"""

from __future__ import annotations

import glob
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from communique.ops import shown
from communique.search.build import SyncReport
from communique.search.index import SearchIndex
from communique.store import is_url, open_store
from communique.store.sqlite import MIGRATIONS

FORMAT = "communique-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
PAYLOAD = {"sqlite": "archive.sqlite.gz", "postgresql": "archive.pgdump"}
COUNTED = ("documents", "turns", "raw_inputs")
CHUNK = 1 << 20
PG_CLIENT_HINT = (
    "install Debian's PostgreSQL client tools (apt-get install postgresql-client), of the "
    "server's major version or newer"
)
Progress = Callable[[str], None]  # what is being done now


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass
class Manifest:
    """What a backup holds (``manifest.json``)."""

    backend: str  # "sqlite" | "postgresql"
    payload: str
    payload_sha256: str
    payload_bytes: int
    schema_version: int
    counts: dict[str, int]
    last_change: int
    created: str
    source: str
    software: str = ""
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False).encode()

    @classmethod
    def from_json(cls, data: bytes, where: str) -> Manifest:
        try:
            raw = json.loads(data)
            if raw.get("format") != FORMAT:
                raise ValueError("not a communique backup manifest")
            if raw.get("format_version") != FORMAT_VERSION:
                raise BackupError(
                    f"{where} is a backup of format version {raw.get('format_version')}; this "
                    f"communique reads version {FORMAT_VERSION}: upgrade communique to restore it"
                )
            return cls(**{k: raw[k] for k in cls.__dataclass_fields__})
        except BackupError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            raise BackupError(
                f"{where}: its manifest is damaged ({e}): not a usable backup"
            ) from None


@dataclass
class RestoreReport:
    manifest: Manifest
    replaced: bool  # an existing non-empty archive was overwritten (--force)
    counts: dict[str, int] = field(default_factory=dict)  # as found after restoring
    index: SyncReport | None = None


# -- backup ---------------------------------------------------------------------------------------


def backup(
    target: str,
    out: str | os.PathLike[str],
    *,
    progress: Progress | None = None,
) -> Manifest:
    """Back up the archive at ``target`` (a SQLite path or a PostgreSQL URL) into ``out``."""
    say = progress or (lambda _: None)
    out = Path(out)
    if out.is_dir():
        raise BackupError(f"{out} is a folder: give the backup file's name ({out}/archive.bak)")
    if not out.parent.is_dir():
        raise BackupError(f"no folder {out.parent} to write the backup in: create it first")
    backend = "postgresql" if is_url(target) else "sqlite"
    with tempfile.TemporaryDirectory(prefix=".communique-backup-", dir=out.parent) as tmp:
        payload = Path(tmp) / PAYLOAD[backend]
        if backend == "sqlite":
            say("copying the archive")
            facts = _snapshot_sqlite(target, payload)
        else:
            say("dumping the database (pg_dump)")
            facts = _dump_postgres(target, payload)
        say("writing the backup")
        manifest = Manifest(
            backend=backend,
            payload=payload.name,
            payload_sha256=_sha256_file(payload),
            payload_bytes=payload.stat().st_size,
            schema_version=facts["schema_version"],
            counts={k: facts[k] for k in COUNTED},
            last_change=facts["last_change"],
            created=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            source=shown(target) if backend == "postgresql" else str(Path(target).resolve()),
            software=f"communique {_version()}",
        )
        partial = Path(tmp) / "backup.tar"
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
            info = tarfile.TarInfo(MANIFEST)
            data = manifest.to_json()
            info.size, info.mtime = len(data), int(datetime.now(UTC).timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(payload, arcname=payload.name)
        os.replace(partial, out)
    return manifest


def _snapshot_sqlite(path: str, payload: Path) -> dict[str, int]:
    """Copy the archive with SQLite's backup API (one read transaction: consistent while others
    write), count its rows, and gzip the copy into ``payload``."""
    if not Path(path).is_file():
        raise BackupError(f"no archive at {path}: check --db")
    copy = payload.with_suffix("")
    try:
        src = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True, timeout=30)
        dst = sqlite3.connect(copy)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            facts = _sqlite_facts(dst)
        finally:
            dst.close()
            src.close()
    except sqlite3.DatabaseError as e:
        raise BackupError(f"{path} is not a readable communique archive ({e})") from None
    with open(copy, "rb") as f, gzip.open(payload, "wb", compresslevel=1) as z:
        shutil.copyfileobj(f, z, CHUNK)
    copy.unlink()
    return facts


def _sqlite_facts(db: sqlite3.Connection) -> dict[str, int]:
    """Schema version, counts and last change of a SQLite archive (via a plain connection)."""
    try:
        facts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in COUNTED}
        facts["schema_version"] = db.execute(
            "SELECT coalesce(max(version), 0) FROM schema_migrations"
        ).fetchone()[0]
        facts["last_change"] = db.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]
    except sqlite3.OperationalError as e:
        raise BackupError(f"not a communique archive ({e})") from None
    return facts


def _dump_postgres(url: str, payload: Path) -> dict[str, int]:
    """``pg_dump --format=custom`` in a snapshot exported by the transaction that counts."""
    pg_dump = pg_tool("pg_dump")
    with _pg_connect(url) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        facts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in COUNTED}
        facts["schema_version"] = conn.execute(
            "SELECT coalesce(max(version), 0) FROM schema_migrations"
        ).fetchone()[0]
        facts["last_change"] = conn.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[
            0
        ]
        _run_pg(
            [pg_dump, "--format=custom", f"--snapshot={snapshot}", "--file", str(payload),
             "--dbname", url],
            url,
        )  # fmt: skip
        conn.execute("COMMIT")
    return {k: int(v) for k, v in facts.items()}


# -- reading a backup -----------------------------------------------------------------------------


def read_manifest(path: str | os.PathLike[str]) -> Manifest:
    """The manifest of the backup at ``path`` (its payload is not checked here)."""
    with _open_backup(path) as (tar, manifest):
        del tar
        return manifest


@contextmanager
def _open_backup(path: str | os.PathLike[str]) -> Iterator[tuple[tarfile.TarFile, Manifest]]:
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"no backup file at {path}")
    try:
        tar = tarfile.open(path, "r:")  # noqa: SIM115 - closed by the with below
    except (tarfile.TarError, OSError) as e:
        raise BackupError(f"{path} is not a communique backup or is damaged ({e})") from None
    with tar:
        try:
            member = tar.getmember(MANIFEST)
            f = tar.extractfile(member)
            data = f.read() if f is not None else b""
        except (KeyError, tarfile.TarError, OSError, EOFError) as e:
            raise BackupError(f"{path} is not a communique backup or is damaged ({e})") from None
        yield tar, Manifest.from_json(data, str(path))


def _extract_payload(tar: tarfile.TarFile, manifest: Manifest, where: str, dest: Path) -> None:
    """Write the payload to ``dest`` (gunzipped for SQLite) while hashing it as stored; remove
    ``dest`` and raise if its sha256 or size is not the manifest's."""
    try:
        member = tar.getmember(manifest.payload)
        src = tar.extractfile(member)
        if src is None:
            raise KeyError(manifest.payload)
    except (KeyError, tarfile.TarError, OSError) as e:
        raise BackupError(
            f"{where} is damaged: its payload {manifest.payload} is missing ({e})"
        ) from None
    sha, size, broken = hashlib.sha256(), 0, ""
    unzip = zlib.decompressobj(wbits=31) if manifest.payload.endswith(".gz") else None
    try:
        with src, open(dest, "wb") as out:
            while chunk := src.read(CHUNK):
                sha.update(chunk)
                size += len(chunk)
                if broken:  # go on hashing: a changed byte is best reported as such
                    continue
                try:
                    out.write(unzip.decompress(chunk) if unzip else chunk)
                except zlib.error as e:
                    broken = str(e)
            if unzip and not broken:
                out.write(unzip.flush())
    except (tarfile.TarError, OSError, EOFError) as e:
        broken = str(e)
    if sha.hexdigest() != manifest.payload_sha256 or size != manifest.payload_bytes:
        dest.unlink(missing_ok=True)
        raise BackupError(
            f"{where} is damaged: its payload's sha256 is not the one its manifest recorded "
            "(the file changed after it was written); nothing was restored: use another backup"
        )
    if broken:
        dest.unlink(missing_ok=True)
        raise BackupError(f"{where} is damaged: its payload cannot be read ({broken})")


# -- restore --------------------------------------------------------------------------------------


def restore(
    backup_path: str | os.PathLike[str],
    target: str,
    *,
    force: bool = False,
    data_dir: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
) -> RestoreReport:
    """Restore the backup at ``backup_path`` into the archive at ``target``.

    Everything about the backup is checked before anything is written; a non-empty archive is
    overwritten only with ``force`` (stop servers and ingests on it first).
    """
    say = progress or (lambda _: None)
    where = str(backup_path)
    backend = "postgresql" if is_url(target) else "sqlite"
    with _open_backup(backup_path) as (tar, manifest):
        if manifest.backend != backend:
            raise BackupError(_wrong_backend(manifest.backend, target))
        if manifest.schema_version > len(MIGRATIONS):
            raise BackupError(
                f"{where} holds an archive of schema {manifest.schema_version}, newer than this "
                f"communique's ({len(MIGRATIONS)}): upgrade communique to restore it"
            )
        say("checking the target archive")
        held = _held(target)
        if held and not force:
            raise BackupError(
                f"{shown(target)} already holds {held['documents']} documents and "
                f"{held['raw_inputs']} raw inputs: restore into a new archive, or add --force "
                "to replace it (stop servers and ingests on it first)"
            )
        say("checking the backup")
        if backend == "sqlite":
            _restore_sqlite(tar, manifest, where, Path(target))
        else:
            _restore_postgres(tar, manifest, where, target)
    report = RestoreReport(manifest, replaced=bool(held))
    store = open_store(target, data_dir=data_dir)
    try:
        report.counts = _store_counts(store)
        if report.counts != manifest.counts:
            raise BackupError(
                f"restored {shown(target)}, but it holds {_describe(report.counts)} where "
                f"the backup recorded {_describe(manifest.counts)}: check the archive "
                "(communique check) or restore again with --force"
            )
        say("rebuilding the search index")
        paths = store.paths
        shutil.rmtree(paths.index, ignore_errors=True)
        for f in analysis_files(paths.analysis):
            f.unlink(missing_ok=True)
        shutil.rmtree(paths.concordance, ignore_errors=True)  # rebuilt at the next ingest/serve
        report.index = SearchIndex(store).rebuild()
    finally:
        store.close()
    return report


def _held(target: str) -> dict[str, int]:
    """Counts of the archive at ``target`` if it holds anything, else {} (none yet, or empty)."""
    if not is_url(target):
        path = Path(target)
        if path.is_dir():
            raise BackupError(f"{path} is a folder: give the archive file's name")
        if not path.exists():
            if not path.parent.is_dir():
                raise BackupError(f"no folder {path.parent} for the archive: create it first")
            return {}
        try:  # read only: a file that is not an archive must stay as it was
            db = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)
            try:
                tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
                if not tables:
                    return {}
                counts = _sqlite_facts(db)
            finally:
                db.close()
        except (sqlite3.DatabaseError, BackupError) as e:
            raise BackupError(
                f"{path} exists and is not a communique archive ({e}): choose another --db"
            ) from None
    else:  # read only too: a refused restore leaves the database as it was
        with _pg_connect(target) as conn:
            if conn.execute("SELECT to_regclass('documents')").fetchone()[0] is None:
                return {}
            counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in COUNTED}
    return counts if counts["documents"] or counts["raw_inputs"] else {}


def _restore_sqlite(tar: tarfile.TarFile, manifest: Manifest, where: str, target: Path) -> None:
    """Unpack and check the copy beside ``target``, then swap it in."""
    tmp = target.with_name(f"{target.name}.restore-{os.getpid()}")
    _extract_payload(tar, manifest, where, tmp)
    try:
        db = sqlite3.connect(tmp)
        try:
            ok = db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            facts = _sqlite_facts(db) if ok else {}
        finally:
            db.close()
        if not ok:
            raise BackupError(f"{where} is damaged: its archive fails SQLite's check")
        _compare(manifest, facts, where)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    for suffix in ("-wal", "-shm", "-journal"):  # a log of the old file must not touch the new
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(tmp, target)


def _restore_postgres(tar: tarfile.TarFile, manifest: Manifest, where: str, url: str) -> None:
    """Check the dump, then ``pg_restore`` it in one transaction (tables already there, empty or
    replaced with --force, are dropped first)."""
    pg_restore = pg_tool("pg_restore")
    with tempfile.TemporaryDirectory(prefix="communique-restore-") as tmp:
        dump = Path(tmp) / manifest.payload
        _extract_payload(tar, manifest, where, dump)
        _run_pg(
            [pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges",
             "--single-transaction", "--exit-on-error", "--dbname", url, str(dump)],
            url,
        )  # fmt: skip


def _compare(manifest: Manifest, facts: dict[str, int], where: str) -> None:
    counts = {k: facts[k] for k in COUNTED}
    if counts != manifest.counts or facts["schema_version"] != manifest.schema_version:
        raise BackupError(
            f"{where} is damaged: its archive holds {_describe(counts)} (schema "
            f"{facts['schema_version']}) where the manifest recorded {_describe(manifest.counts)} "
            f"(schema {manifest.schema_version}); nothing was restored"
        )


def _store_counts(store: Any) -> dict[str, int]:
    return {t: int(store.rows(f"SELECT count(*) AS n FROM {t}")[0]["n"]) for t in COUNTED}


def _describe(counts: dict[str, int]) -> str:
    return ", ".join(f"{counts.get(k, 0)} {k.replace('_', ' ')}" for k in COUNTED)


def _wrong_backend(backend: str, target: str) -> str:
    if backend == "sqlite":
        return (
            f"this is a backup of a SQLite archive and {shown(target)} is a PostgreSQL "
            "database: restore it to a file (--db archive.db)"
        )
    return (
        f"this is a backup of a PostgreSQL archive and {target} is a SQLite file: restore it to a "
        "database (--db postgresql://user@host/dbname)"
    )


# -- PostgreSQL tools -----------------------------------------------------------------------------


def pg_tool(name: str) -> str:
    """The newest ``pg_dump``/``pg_restore`` installed (a newer one reads older servers)."""

    def major(p: str) -> int:
        m = re.search(r"/postgresql/(\d+)/", p)
        return int(m.group(1)) if m else 0

    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=major, reverse=True)
    found += [p for p in (f"/usr/bin/{name}", shutil.which(name)) if p]
    for path in found:
        if os.access(path, os.X_OK):
            return path
    raise BackupError(f"{name} is not installed: {PG_CLIENT_HINT}")


def _run_pg(cmd: list[str], url: str) -> None:
    """Run a PostgreSQL client tool; its error (without the URL's password) if it fails."""
    name = Path(cmd[0]).name
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    except OSError as e:
        raise BackupError(f"{name} could not run ({e}): {PG_CLIENT_HINT}") from None
    if done.returncode:
        err = done.stderr.strip().replace(url, shown(url))
        hint = f"; {PG_CLIENT_HINT}" if "version mismatch" in err else ""
        raise BackupError(f"{name} failed: {err}{hint}")


@contextmanager
def _pg_connect(url: str) -> Iterator[Any]:
    import psycopg

    try:
        conn = psycopg.connect(url, autocommit=True)
    except psycopg.Error as e:
        raise BackupError(
            f"cannot connect to {shown(url)} ({e}); the database must exist (createdb NAME)"
        ) from None
    try:
        yield conn
    except psycopg.errors.UndefinedTable as e:
        raise BackupError(f"{shown(url)} is not a communique archive ({e})") from None
    finally:
        with suppress(Exception):
            conn.close()


# -- small helpers --------------------------------------------------------------------------------


def _sha256_file(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            sha.update(chunk)
    return sha.hexdigest()


def _version() -> str:
    try:
        return metadata.version("communique")
    except metadata.PackageNotFoundError:
        return "unknown"


def analysis_files(path: Path) -> list[Path]:
    """The analysis cache (a SQLite file) with its write-ahead log and shared memory."""
    return [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
