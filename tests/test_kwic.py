"""KWIC concordances on a small real archive: the keyword is exactly at the cut, contexts are
verbatim slices of the turn's text, sorting, limits, filters and CSV."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from communique import Archive
from communique.cli import app
from communique.search import KwicLine
from communique.search.kwic import SORTS

from .conftest import db_options
from .test_search import SEED_ID, ZH

runner = CliRunner()
PERMALINK = re.compile(r"^[a-z0-9-]+#t[0-9]+$")


@pytest.fixture
def db(search_db: str) -> str:
    return search_db


@pytest.fixture
def archive(search_archive: Archive) -> Archive:
    return search_archive


def turn_text(archive: Archive, line: KwicLine) -> str:
    doc = archive.get(line.doc_id)
    assert doc is not None
    return doc.turns[line.n - 1].text


def check_cut(archive: Archive, lines: list[KwicLine], width: int) -> None:
    """Each line is ``width`` characters, the keyword, ``width`` characters, cut from its turn."""
    for ln in lines:
        text = turn_text(archive, ln)
        a, b = ln.start, ln.start + len(ln.keyword)
        assert text[a:b] == ln.keyword
        assert ln.left == text[max(a - width, 0) : a] and ln.right == text[b : b + width]
        assert ln.left + ln.keyword + ln.right in text
        assert PERMALINK.match(ln.permalink) and ln.pinned.endswith(f"#t{ln.n}")


def test_prefix_keyword_at_the_cut(archive: Archive) -> None:
    # the seed: "sovereign and fishing zones", "a sovereign decision", "your sovereign right"
    lines = archive.kwic("sovereign*", doc=SEED_ID)
    assert [ln.keyword for ln in lines] == ["sovereign"] * 3
    check_cut(archive, lines, 60)
    assert [ln.right.split()[0] for ln in lines] == ["and", "decision", "right."]
    everywhere = archive.kwic("sovereign*", width=25)
    assert all(ln.keyword.lower().startswith("sovereign") for ln in everywhere)
    assert {ln.doc_id for ln in everywhere} == {
        SEED_ID,
        "fmprc-en-t1739548",
        "web-ae2a8d5820f0",  # the Tucker Carlson interview (its second row: parts are joined)
    }
    check_cut(archive, everywhere, 25)


def test_every_occurrence_of_a_stemmed_word(archive: Archive) -> None:
    lines = archive.kwic("sanction")
    check_cut(archive, lines, 60)
    assert all(re.fullmatch(r"(?i)sanction\w*", ln.keyword) for ln in lines)
    expected = 0  # every occurrence in every turn of the archive
    for doc_id in archive.store.doc_ids():
        doc = archive.get(doc_id)
        assert doc is not None
        expected += sum(len(re.findall(r"(?i)\bsanction\w*", t.text)) for t in doc.turns)
    assert len(lines) == expected >= 17
    assert {"sanction", "sanctions", "Sanctions", "sanctioned"} <= {ln.keyword for ln in lines}


def test_phrase_not_near_and_chinese(archive: Archive) -> None:
    phrase = archive.kwic('"peace initiatives"')
    assert phrase and all(ln.keyword.lower() == "peace initiatives" for ln in phrase)
    check_cut(archive, phrase, 60)
    csto = archive.kwic("csto -NATO")
    assert {ln.keyword for ln in csto} == {"CSTO"}
    assert len({ln.permalink for ln in csto}) == 3
    near = archive.kwic("French NEAR/6 peacekeeping", width=10)
    assert [ln.keyword for ln in near] == ["French", "peacekeeping"]
    check_cut(archive, near, 10)
    quake = archive.kwic("地震", width=8)  # five times in the Fukushima question and answer
    assert [ln.keyword for ln in quake] == ["地震"] * 5 and {ln.doc_id for ln in quake} == {ZH}
    check_cut(archive, quake, 8)


def test_yo_keyword(archive: Archive) -> None:
    lines = archive.kwic("договоренностей", lang="ru")
    assert {ln.keyword for ln in lines} >= {"договорённостей", "договоренностей"}
    check_cut(archive, lines, 60)


def test_sorting_and_limits(archive: Archive) -> None:
    chrono = archive.kwic("Kazakhstan OR Japan")
    assert [ln.date for ln in chrono] == sorted(ln.date for ln in chrono)
    assert archive.kwic("Kazakhstan OR Japan", sort="date") == chrono
    first = archive.kwic("Kazakhstan OR Japan", limit=7)
    assert first == chrono[:7]
    left = archive.kwic("Kazakhstan OR Japan", sort="left")
    keys = [re.findall(r"[^\W_]+", ln.left.casefold())[-1:] for ln in left]
    assert keys == sorted(keys) and len(left) == len(chrono)
    right = archive.kwic("Kazakhstan OR Japan", sort="right", limit=10)
    keys = [re.findall(r"[^\W_]+", ln.right.casefold())[:1] for ln in right]
    assert keys == sorted(keys)
    full_right = archive.kwic("Kazakhstan OR Japan", sort="right")
    assert right == full_right[:10]
    with pytest.raises(ValueError, match="sort"):
        archive.kwic("Japan", sort="middle")


def test_filters(archive: Archive) -> None:
    lines = archive.kwic("Kazakhstan", speaker="Sergey Lavrov", role="answer", date_to="2019")
    assert lines and {(ln.doc_id, ln.speaker, ln.role) for ln in lines} == {
        (SEED_ID, "Sergey Lavrov", "answer")
    }


def test_cli_kwic_csv(db: Path) -> None:
    result = runner.invoke(
        app, ["kwic", "sovereign*", *db_options(db), "--csv", "--width", "30", "--sort", "right"]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and all(r["keyword"].lower().startswith("sovereign") for r in rows)
    assert all(PERMALINK.match(r["permalink"]) for r in rows)
    assert all(len(r["left"]) <= 30 and len(r["right"]) <= 30 for r in rows)
    readable = runner.invoke(app, ["kwic", "sovereign*", *db_options(db), "--limit", "2"])
    assert readable.exit_code == 0 and readable.stdout.count("#t") == 2


def test_worker_processes_give_the_same_lines(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    from communique.search import index

    serial = {sort: archive.kwic("Kazakhstan OR sanction OR 地震", sort=sort) for sort in SORTS}
    monkeypatch.setattr(index, "KWIC_PARALLEL_MIN", 1)
    monkeypatch.setattr(index.os, "cpu_count", lambda: 4)
    for sort, lines in serial.items():
        assert archive.kwic("Kazakhstan OR sanction OR 地震", sort=sort) == lines


def test_left_and_right_sorts_compare_words_then_keep_chronological_order(
    archive: Archive,
) -> None:
    chrono = archive.kwic("sanction OR Japan", sort="corpus")
    where = {(ln.doc_id, ln.n, ln.start): i for i, ln in enumerate(chrono)}

    def words(s: str) -> list[str]:
        return re.findall(r"[^\W_]+", s.casefold())

    left = archive.kwic("sanction OR Japan", sort="left")
    keys = [(words(ln.left[-50:])[:-5:-1], ln.keyword.casefold()) for ln in left]
    assert keys == sorted(keys) and len(left) == len(chrono)
    for a, b, ka, kb in zip(left, left[1:], keys, keys[1:], strict=False):
        if ka == kb:  # ties: the order of the corpus
            assert where[a.doc_id, a.n, a.start] < where[b.doc_id, b.n, b.start]
    right = archive.kwic("sanction OR Japan", sort="right")
    keys2 = [(words(ln.right)[:1], ln.right.casefold()) for ln in right]
    assert [k[0] for k in keys2] == sorted(k[0] for k in keys2)


def test_words_next_to_letters_outside_ascii() -> None:
    from communique.search.kwic import Matcher
    from communique.search.query import parse_query

    def found(query: str, text: str) -> list[str]:
        return [text[a:b] for a, b in Matcher(parse_query(query).node).spans(text)]

    text = "Étime, TIME! sometimes timé Times? time_x «time»"  # "_" separates words
    assert found("time", text) == ["TIME", "Times", "time", "time"]
    assert found('"time"', text) == ["TIME", "time", "time"]
    assert found("tim*", text) == ["TIME", "timé", "Times", "time", "time"]
    # the two characters outside ASCII whose lowercase is ASCII: the Kelvin sign is a "k"
    assert found("kelvin", "\u212aelvin and Kelvin") == ["\u212aelvin", "Kelvin"]
    assert found("time", "İtime, time") == ["time"]


def test_rows_renumbered_in_the_store_are_read_from_the_index(tmp_path: Path) -> None:
    # SQLite only: it renumbers SQLite's implicit rowids behind the index's back
    import sqlite3

    from .conftest import SEARCH_INPUTS, ingest_into

    db = tmp_path / "a.db"
    ingest_into(db, SEARCH_INPUTS[:3])
    with Archive(db) as a:
        before = {s: a.kwic("sanction OR the", sort=s) for s in SORTS}
    con = sqlite3.connect(db)  # new rowids for every turn, behind the index's back
    con.executescript(
        "CREATE TEMP TABLE t AS SELECT * FROM turns ORDER BY doc_id DESC, n DESC;"
        "DELETE FROM turns; INSERT INTO turns SELECT * FROM t;"
    )
    con.close()
    with Archive(db) as a:
        assert a.last_sync.documents == 0
        for sort, lines in before.items():
            assert a.kwic("sanction OR the", sort=sort) == lines
