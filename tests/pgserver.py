"""A throwaway PostgreSQL server for tests and benchmarks (Debian's PostgreSQL binaries).

>>> server = PgServer.start()                  # initdb + pg_ctl start on 127.0.0.1, a free port
>>> url = server.new_database()               # postgresql://postgres@127.0.0.1:PORT/t1_...
>>> server.stop()                             # stops the server and removes its files

The server runs as the ``postgres`` system user when started by root (initdb refuses root),
listens on loopback only with trust authentication, and trades durability for speed
(``fsync=off``): it is for tests and benchmarks, never for data anyone keeps.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

INSTALL_HINT = (
    "PostgreSQL server binaries (initdb, pg_ctl) are needed under /usr/lib/postgresql/*/bin: "
    "install them with `apt-get install -y postgresql` (`make test` does it)"
)
SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "300",
    "shared_buffers": "128MB",
}


def find_bin_dir() -> Path:
    """The newest ``/usr/lib/postgresql/<version>/bin`` holding initdb and pg_ctl."""
    found = [
        d
        for d in Path("/usr/lib/postgresql").glob("*/bin")
        if (d / "initdb").exists() and (d / "pg_ctl").exists()
    ]
    if not found:
        raise RuntimeError(INSTALL_HINT)
    return max(found, key=lambda d: int(d.parent.name) if d.parent.name.isdigit() else 0)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user(cmd: list[str]) -> list[str]:
    """Run as ``postgres`` when we are root (initdb and postgres refuse to run as root)."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@dataclass
class PgServer:
    """A running throwaway server; ``folder`` holds its data directory, socket and log."""

    folder: Path
    port: int
    bin_dir: Path
    user: str = "postgres"
    _names: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @classmethod
    def start(cls, parent: str | os.PathLike[str] | None = None) -> PgServer:
        """initdb a fresh cluster in a new folder under ``parent`` (default: the temp dir)
        and start it on a free loopback port; fails with what to install if PostgreSQL is
        missing."""
        bin_dir = find_bin_dir()
        folder = Path(tempfile.mkdtemp(prefix="communique-pg-", dir=parent))
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres", "postgres")
        data = folder / "data"
        initdb = [str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                  "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"]  # fmt: skip
        _run(_as_server_user(initdb), "initdb")
        options = " ".join(f"-c {k}={v}" for k, v in SETTINGS.items())
        for _attempt in range(5):  # another process may take the free port first
            port = free_port()
            server_options = f"-p {port} -k {folder} {options}"
            pg_ctl = [str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"),
                      "-w", "-t", "60", "-o", server_options, "start"]  # fmt: skip
            started = subprocess.run(_as_server_user(pg_ctl), capture_output=True, text=True)
            if started.returncode == 0:
                return cls(folder, port, bin_dir)
        log = (folder / "server.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"PostgreSQL did not start: {started.stderr}\n{log}")

    @property
    def url(self) -> str:
        """The URL of the ``postgres`` maintenance database."""
        return self.url_of("postgres")

    def url_of(self, database: str) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def sql(self, statement: str, database: str = "postgres") -> str:
        """Run one SQL statement with psql; its output, tuples only."""
        cmd = [str(self.bin_dir / "psql"), "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1",
               "-d", self.url_of(database), "-c", statement]  # fmt: skip
        return _run(cmd, "psql").strip()

    def new_database(self, name: str | None = None, *, template: str = "template0") -> str:
        """Create an empty database (or a copy of ``template``, which nobody may be connected
        to) and return its URL."""
        name = name or f"t{next(self._names)}_{uuid.uuid4().hex[:8]}"
        self.sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return self.url_of(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, closing any connection still open to it."""
        self.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        """Stop the server (immediately: nothing here is kept) and remove its folder."""
        pg_ctl = [str(self.bin_dir / "pg_ctl"), "-D", str(self.folder / "data"),
                  "-m", "immediate", "-w", "stop"]  # fmt: skip
        subprocess.run(_as_server_user(pg_ctl), capture_output=True)
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> PgServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def database_of(url: str) -> str:
    """The database name at the end of a PostgreSQL URL."""
    return url.rsplit("/", 1)[-1].split("?", 1)[0]


def _run(cmd: list[str], what: str) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({done.returncode}): {done.stderr or done.stdout}")
    return done.stdout
