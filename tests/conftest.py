"""Shared fixtures: the real corpus in ../shared, read in place (never copied)."""

from __future__ import annotations

from collections.abc import Iterator
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
