"""Shared fixtures: the real corpus in ../shared, read in place (never copied)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
SEED = SHARED / "seeds" / "000_4edebaca2194af6e.txt"


@pytest.fixture(scope="session")
def corpus() -> Path:
    assert CORPUS.is_dir(), f"the shared corpus must be at {CORPUS}"
    return CORPUS


@pytest.fixture
def archive_target(tmp_path: Path) -> str:
    """Where a test's own new, empty archive goes: pass it to ``open_store``, ``Archive`` or
    ``--db``. A SQLite file path (the backend parametrisation of issue 7 extends this)."""
    return str(tmp_path / "archive.db")


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


def ingest_into(db: Path, inputs: list[Path]) -> None:
    """Ingest real inputs into the archive at ``db`` (one process, so tests stay simple)."""
    from communique.ingest.pipeline import Ingester
    from communique.store.sqlite import SQLiteStore

    store = SQLiteStore(db)
    try:
        report = Ingester(store, workers=1).run(inputs)
        assert report.ok, report.failures
    finally:
        store.close()


@pytest.fixture(scope="session")
def search_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The search archive; tests only read it (tests that change an archive make their own)."""
    path = tmp_path_factory.mktemp("search") / "archive.db"
    ingest_into(path, SEARCH_INPUTS)
    return path


@pytest.fixture(scope="session")
def search_archive(search_db: Path) -> Iterator[object]:
    from communique import Archive

    with Archive(search_db) as a:
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
    """A ``communique serve`` process; ``url`` is its base URL, ``db`` its archive."""

    url: str
    db: Path
    process: subprocess.Popen[bytes]


def start_server(db: Path, *, token: str | None = None) -> Server:
    """Start ``communique serve`` on a free loopback port; wait until it answers."""
    import urllib.request

    port = free_port()
    cmd = [sys.executable, "-m", "communique.cli", "serve", "--db", str(db), "--port", str(port)]
    if token:
        cmd += ["--token", token]
    log = open(db.with_suffix(".serve.log"), "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited: {db.with_suffix('.serve.log').read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/api/v1/stats", timeout=2):
                return Server(url, db, proc)
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the server did not answer within 60 s")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(10)
    except subprocess.TimeoutExpired:
        server.process.kill()


@pytest.fixture(scope="session")
def server(search_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server over a copy of the search archive (uploads allowed with SERVER_TOKEN)."""
    import shutil

    folder = tmp_path_factory.mktemp("served")
    db = folder / "archive.db"
    shutil.copy(search_db, db)
    index = search_db.with_name(search_db.name + ".index")
    if index.exists():
        shutil.copytree(index, db.with_name(db.name + ".index"))
    srv = start_server(db, token=SERVER_TOKEN)
    yield srv
    stop_server(srv)


# -- an English/Chinese pair of one press conference, for language versions ---------------------
FMPRC_PAIR = (
    FMPRC / "en" / "regular_presscon" / "t1647080.html",  # Geng Shuang, 2019-03-20, 5 Q and A
    FMPRC / "zh" / "regular_presscon" / "t1646964.html",  # 耿爽, the same press conference
)


@pytest.fixture(scope="session")
def pair_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed and an fmprc en/zh pair (tests only read it)."""
    path = tmp_path_factory.mktemp("pair") / "archive.db"
    ingest_into(path, [SEED, *FMPRC_PAIR])
    return path


@pytest.fixture(scope="session")
def pair_server(pair_db: Path) -> Iterator[Server]:
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
