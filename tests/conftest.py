"""Shared fixtures: the real corpus in ../shared, read in place (never copied)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.pgserver import PgServer, database_of

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
SEED = SHARED / "seeds" / "000_4edebaca2194af6e.txt"


@pytest.fixture(scope="session")
def corpus() -> Path:
    assert CORPUS.is_dir(), f"the shared corpus must be at {CORPUS}"
    return CORPUS


# -- the two storage backends: every test that builds or reads an archive runs on both ----------
BACKENDS = ("sqlite", "postgresql")
DATA_DIRS: dict[str, Path] = {}  # a PostgreSQL archive's URL -> its local derived files
TEMPLATES: dict[str, str] = {}  # a session archive's URL -> a pristine copy to clone from


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "backends(*names): run only on these storage backends (default: all)"
    )
    os.environ.setdefault(RUN_MARK, str(os.getpid()))  # inherited by every process we start


# -- every process a test starts is stopped, even when the test fails -------------------------
RUN_MARK = "COMMUNIQUE_TEST_RUN"  # in the environment of every process started by this run


def spawn(cmd: list[str], **options: Any) -> subprocess.Popen[bytes]:
    """``Popen`` in a process group of its own, so ``stop_process`` stops its children too
    (an ingest's pool workers, say)."""
    return subprocess.Popen(cmd, start_new_session=True, **options)


def stop_process(proc: subprocess.Popen[bytes], timeout: float = 10) -> None:
    """Stop a ``spawn``-ed process and everything in its group: SIGTERM, then SIGKILL."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            continue
        if sig == signal.SIGTERM:  # the leader is gone: its group's stragglers go too
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        return


def leftover_processes() -> list[tuple[int, str]]:
    """Processes this test run started (they carry ``RUN_MARK``) that are still running,
    besides this one and its own pool workers and multiprocessing's resource tracker (they
    end with it)."""
    me, mark = os.getpid(), f"{RUN_MARK}={os.environ.get(RUN_MARK)}".encode()
    own_cmdline = Path(f"/proc/{me}/cmdline").read_bytes()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            if mark not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            cmdline = (entry / "cmdline").read_bytes()
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile, or not ours to read
        helper = b"multiprocessing.resource_tracker" in cmdline  # ends when we do
        if state == "Z" or (parent == me and (cmdline == own_cmdline or helper)):
            continue
        found.append((int(entry.name), cmdline.replace(b"\0", b" ").decode(errors="replace")))
    return found


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if a process a test started outlives it (and stop that process)."""
    if os.environ.get(RUN_MARK) != str(os.getpid()):
        return  # a nested pytest (a test running pytest) checks nothing
    left = leftover_processes()
    for pid, _ in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    if left:
        lines = "\n".join(f"  {pid}: {cmd[:200]}" for pid, cmd in left)
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line("")
            reporter.write_line(f"processes started by tests outlived them (killed):\n{lines}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrise every test that (through its fixtures) uses ``backend`` over BACKENDS,
    or over the names of its ``@pytest.mark.backends(...)`` marker."""
    if "backend" in metafunc.fixturenames:
        marker = metafunc.definition.get_closest_marker("backends")
        names = list(marker.args) if marker else list(BACKENDS)
        metafunc.parametrize("backend", names, indirect=True, scope="session")


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    """``sqlite`` or ``postgresql`` (see ``pytest_generate_tests``)."""
    return request.param


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One throwaway PostgreSQL server for the session; a missing PostgreSQL fails the run
    (`make test` installs it)."""
    try:
        server = PgServer.start()
    except RuntimeError as e:
        pytest.fail(str(e), pytrace=False)
    yield server
    server.stop()


def new_target(request: pytest.FixtureRequest, backend: str, folder: Path) -> str:
    """A new, empty archive on ``backend``: a SQLite file in ``folder``, or a fresh
    PostgreSQL database whose derived files (index, caches, uploads) go to ``folder/data``."""
    if backend == "sqlite":
        return str(folder / "archive.db")
    url = request.getfixturevalue("pg_server").new_database()
    DATA_DIRS[url] = folder / "data"
    DATA_DIRS[url].mkdir(parents=True, exist_ok=True)
    return url


def data_dir_of(target: str | Path) -> Path | None:
    """Where the derived files of a PostgreSQL archive go (None for SQLite: beside it)."""
    return DATA_DIRS.get(str(target))


def index_dir_of(target: str | Path) -> Path:
    """The search index directory of a test archive."""
    from communique.store.paths import data_paths

    return data_paths(target, data_dir_of(target)).index


def db_options(target: str | Path) -> list[str]:
    """The command-line options that name an archive: ``--db`` and, for PostgreSQL,
    ``--data-dir``."""
    data_dir = data_dir_of(target)
    return ["--db", str(target)] + (["--data-dir", str(data_dir)] if data_dir else [])


def open_archive(target: str | Path) -> Any:
    """``Archive`` over a test archive, with its data dir for PostgreSQL."""
    from communique import Archive

    data_dir = data_dir_of(target)
    return Archive(target, data_dir=data_dir) if data_dir else Archive(target)


def rows_of(target: str | Path, sql: str, args: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    """Rows of a query on a test archive, through the store (portable SQL, ``?`` params)."""
    from communique.store import open_store

    store = open_store(target)
    try:
        return store.rows(sql, args)
    finally:
        store.close()


def copy_archive(request: pytest.FixtureRequest, target: str | Path, folder: Path) -> str:
    """A copy of a session archive (store and derived files) that a test may change."""
    data_dir = data_dir_of(target)
    if data_dir is None:
        source = Path(target)
        db = folder / "archive.db"
        shutil.copy(source, db)
        index = source.with_name(source.name + ".index")
        if index.exists():
            shutil.copytree(index, db.with_name(db.name + ".index"))
        return str(db)
    server = request.getfixturevalue("pg_server")
    url = server.new_database(template=TEMPLATES[str(target)])
    DATA_DIRS[url] = folder / "data"
    shutil.copytree(data_dir, DATA_DIRS[url])
    return url


def freeze_template(request: pytest.FixtureRequest, target: str) -> None:
    """Keep a pristine clone of a just-built PostgreSQL session archive for ``copy_archive``
    (PostgreSQL copies a database only while nobody is connected to it)."""
    if data_dir_of(target) is not None:
        server = request.getfixturevalue("pg_server")
        TEMPLATES[target] = database_of(server.new_database(template=database_of(target)))


@pytest.fixture
def archive_target(
    request: pytest.FixtureRequest,
    backend: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[str]:
    """Where a test's own new, empty archive goes: pass it to ``open_store``, ``Archive`` or
    ``--db``. A SQLite file path, or a fresh PostgreSQL database URL (then
    COMMUNIQUE_DATA_DIR points at its own data dir; ``db_options``/``open_archive`` pass it)."""
    target = new_target(request, backend, tmp_path)
    data_dir = data_dir_of(target)
    if data_dir is None:
        yield target
        return
    monkeypatch.setenv("COMMUNIQUE_DATA_DIR", str(data_dir))
    server = request.getfixturevalue("pg_server")
    yield target
    server.drop_database(database_of(target))  # keeps the throwaway server small over a run


# A small real archive for the search and concordance tests, built once per test run.
KREMLIN_HTML = CORPUS / "kremlin_en" / "html"
FMPRC = CORPUS / "fmprc_en_zh"
SEARCH_INPUTS = [
    SEED,  # mid.ru, Lavrov to Khabar, 2018-12-09 (en)
    KREMLIN_HTML / "052830.html.gz",  # Putin to Bloomberg, 2016-09-05
    KREMLIN_HTML / "054071.html.gz",  # meeting, 2017-03-20
    FMPRC / "zh" / "regular_presscon" / "t1417538.html",  # 耿爽, 2016-11-22
    FMPRC / "en" / "other" / "t1739548.html",  # Hua Chunying, 2020-02-03
    CORPUS / "official_transcripts" / "lavrov_ukraine_combined.csv",  # 4 ru + 3 en
    CORPUS / "whitehouse_briefings" / "html" / "0000.html.gz",  # undated press conference
]


def ingest_into(db: str | Path, inputs: list[Path]) -> None:
    """Ingest real inputs into the archive at ``db`` (one process, so tests stay simple)."""
    from communique.ingest.pipeline import Ingester
    from communique.store import open_store

    store = open_store(db)
    try:
        report = Ingester(store, workers=1).run(inputs)
        assert report.ok, report.failures
    finally:
        store.close()


def build_archive(
    request: pytest.FixtureRequest, backend: str, name: str, inputs: list[Path]
) -> str:
    """A session archive on ``backend`` from real inputs (tests only read it; tests that
    change one take a ``copy_archive``)."""
    folder = request.getfixturevalue("tmp_path_factory").mktemp(f"{name}-{backend}")
    target = new_target(request, backend, folder)
    ingest_into(target, inputs)
    freeze_template(request, target)
    return target


@pytest.fixture(scope="session")
def search_db(request: pytest.FixtureRequest, backend: str) -> str:
    """The search archive (a SQLite path or a PostgreSQL URL); tests only read it."""
    return build_archive(request, backend, "search", SEARCH_INPUTS)


@pytest.fixture(scope="session")
def search_archive(search_db: str) -> Iterator[object]:
    with open_archive(search_db) as a:
        yield a


# -- a real server process on loopback, over the search archive ---------------------------------
SERVER_TOKEN = "test-token-4c1d"  # the token the test server accepts for uploads


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A ``communique serve`` process; ``url`` is its base URL, ``db`` its archive (a SQLite
    path or a PostgreSQL URL), ``folder`` where its derived files are (uploads, index...):
    beside the SQLite file, or the PostgreSQL archive's data dir."""

    url: str
    db: str | Path
    process: subprocess.Popen[bytes]
    folder: Path


def start_server(
    db: str | Path, *options: str, token: str | None = None, data_dir: Path | None = None
) -> Server:
    """Start ``communique serve`` on a free loopback port; wait until it answers.
    ``options``: more ``serve`` options (``--public-url ...``). ``data_dir``: the server's own
    derived files for a PostgreSQL archive (as on another machine), instead of the archive's
    data dir."""
    import urllib.request

    port = free_port()
    folder = data_dir or data_dir_of(db) or Path(db).parent
    target = ["--db", str(db), "--data-dir", str(data_dir)] if data_dir else db_options(db)
    cmd = [sys.executable, "-m", "communique.cli", "serve", *target, "--port", str(port), *options]
    if token:
        cmd += ["--token", token]
    log_path = folder / f"serve-{port}.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed once the child holds it
    proc = spawn(cmd, stdout=log, stderr=subprocess.STDOUT)
    log.close()  # the child has its own copy
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited: {log_path.read_text()}")
            try:
                with urllib.request.urlopen(f"{url}/api/v1/stats", timeout=2):
                    return Server(url, db, proc, folder)
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the server did not answer within 60 s")
    except BaseException:
        stop_process(proc)
        raise


def stop_server(server: Server) -> None:
    stop_process(server.process)


@pytest.fixture(scope="session")
def server(
    request: pytest.FixtureRequest, search_db: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A server over a copy of the search archive (uploads allowed with SERVER_TOKEN)."""
    db = copy_archive(request, search_db, tmp_path_factory.mktemp("served"))
    srv = start_server(db, token=SERVER_TOKEN)
    wait_prepared(srv)
    yield srv
    stop_server(srv)


def wait_prepared(srv: Server, seconds: float = 120) -> dict[str, Any]:
    """Wait until the server has prepared its derived data in the background (the word cache
    and the concordance store: until then pages give "at least" counts); its stats."""
    import json
    import urllib.request

    deadline = time.monotonic() + seconds
    while True:
        with urllib.request.urlopen(f"{srv.url}/api/v1/stats", timeout=10) as r:
            stats = json.loads(r.read())
        if all(d["ready"] for d in stats["derived"].values()) or time.monotonic() > deadline:
            return stats
        time.sleep(0.2)


# -- an English/Chinese pair of one press conference, for language versions ---------------------
FMPRC_PAIR = (
    FMPRC / "en" / "regular_presscon" / "t1647080.html",  # Geng Shuang, 2019-03-20, 5 Q and A
    FMPRC / "zh" / "regular_presscon" / "t1646964.html",  # 耿爽, the same press conference
)


@pytest.fixture(scope="session")
def pair_db(request: pytest.FixtureRequest, backend: str) -> str:
    """The seed and an fmprc en/zh pair (tests only read it)."""
    return build_archive(request, backend, "pair", [SEED, *FMPRC_PAIR])


@pytest.fixture(scope="session")
def pair_server(pair_db: str) -> Iterator[Server]:
    srv = start_server(pair_db)
    yield srv
    stop_server(srv)


# -- the browser: Debian's Chromium driven by Playwright (never a downloaded one) ---------------
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """One browser for the whole session; a missing Chromium fails the run (`make test`
    installs it)."""
    assert CHROMIUM.exists(), f"the browser tests need Debian's Chromium at {CHROMIUM}"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
