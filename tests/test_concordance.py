"""The concordance store: concordances sorted by context served from it (orders and counts
read on the real pages), filters, the store following ingests, deletions and reparses, the
server preparing it off the request path, and no refusal of large sorted concordances."""

from __future__ import annotations

import json
import re
import shutil
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from communique import Archive
from communique.ingest.pipeline import Ingester, reparse
from communique.search.concordance import NotReady, concordance_of, serve
from communique.search.query import parse_query
from communique.web import service as web_service
from communique.web.service import KwicParams, PreparingConcordance, SearchParams, served_kwic

from .conftest import (
    CORPUS,
    SEED,
    copy_archive,
    open_archive,
    start_server,
    stop_server,
    wait_prepared,
)
from .test_search import SEED_ID

FMPRC_EN = "fmprc-en-t1739548"  # Hua Chunying, 2020-02-03
TUCKER = "web-ae2a8d5820f0"  # the Tucker Carlson interview (Lavrov), its turn 86


@pytest.fixture
def served(request: pytest.FixtureRequest, search_db: str, tmp_path: Path) -> Iterator[Archive]:
    """A copy of the search archive with its concordance store prepared."""
    target = copy_archive(request, search_db, tmp_path)
    with open_archive(target) as archive:
        archive.prepare()
        yield archive


def from_store(archive: Archive, query: str, sort: str, **filters: Any) -> list[Any]:
    """The lines as the store serves them (failing if it would not)."""
    from communique.archive import make_filters

    done = serve(archive.index, archive.store, parse_query(query), make_filters(**filters),
                 width=30, sort=sort, limit=None)  # fmt: skip
    assert done is not None, f"{query!r} was not served by the concordance store"
    assert done.total == len(done.lines)
    return done.lines


def occurrences(archive: Archive, pattern: str, speaker: str | None = None) -> int:
    """How often ``pattern`` occurs in the archive's turns (and heads), read from the records."""
    found = 0
    for doc_id in archive.store.doc_ids():
        doc = archive.get(doc_id)
        assert doc is not None
        turns = [t for t in doc.turns if speaker is None or t.speaker == speaker]
        head = doc.head()
        if head is not None and head.n == 0 and speaker is None:
            turns.append(head)
        found += sum(len(re.findall(pattern, t.text)) for t in turns)
    return found


def test_sorted_by_the_right_and_left_context(served: Archive) -> None:
    # read on the pages: the seed "their sovereign and fishing zones", "This is a sovereign
    # decision", "This is your sovereign right."; fmprc "consisting of sovereign states";
    # Lavrov to Tucker Carlson "principle of sovereign equality of states" and "not used to
    # respect sovereign equality of states"
    right = from_store(served, "sovereign*", "right")
    assert [(ln.right.split()[0], ln.doc_id) for ln in right] == [
        ("and", SEED_ID), ("decision", SEED_ID), ("equality", TUCKER), ("equality", TUCKER),
        ("right.", SEED_ID), ("states.", FMPRC_EN),
    ]  # fmt: skip
    assert right[2].start < right[3].start  # a tie keeps the order of the text
    assert right[2].left.endswith("principle of ") and right[3].left.endswith("respect ")
    left = from_store(served, "sovereign*", "left")
    # nearest word first: a, of (consisting), of (principle), respect, their, your
    assert [ln.left.split()[-1] for ln in left] == ["a", "of", "of", "respect", "their", "your"]
    assert [ln.doc_id for ln in left][1:3] == [FMPRC_EN, TUCKER]
    for ln in right + left:  # verbatim slices of the turn, the keyword at the cut
        doc = served.get(ln.doc_id)
        turn = doc.turn(ln.n) if doc is not None else None
        assert turn is not None
        text = turn.text
        assert text[ln.start - len(ln.left) : ln.start + len(ln.keyword) + len(ln.right)] == (
            ln.left + ln.keyword + ln.right
        )
    # Archive.kwic gives the same lines (the store serves it), the first ones with a limit
    assert served.kwic("sovereign*", sort="right", width=30) == right
    assert served.kwic("sovereign*", sort="right", width=30, limit=2) == right[:2]


def test_counts_and_lines_agree_with_the_pages(served: Archive) -> None:
    # every "sanction..." in every turn, counted on the records' texts
    expected = occurrences(served, r"(?i)\bsanction\w*")
    assert served.kwic_count("sanction") == expected >= 17
    lines = from_store(served, "sanction", "left")
    assert len(lines) == expected
    assert {"sanction", "sanctions", "Sanctions", "sanctioned"} <= {ln.keyword for ln in lines}
    # the index's path finds the same lines (only ties may be ordered otherwise)
    old = served.index.kwic(parse_query("sanction"), None, sort="left")
    assert sorted(served.kwic("sanction", sort="left")) == sorted(old)
    phrase = from_store(served, '"peace initiatives"', "right")
    assert len(phrase) == occurrences(served, r"(?i)\bpeace initiatives\b") == 3
    assert all(ln.keyword.lower() == "peace initiatives" for ln in phrase)


def test_filters_keep_the_lines_of_the_matching_turns(served: Archive) -> None:
    lavrov = occurrences(served, r"(?i)\bkazakhstan", speaker="Sergey Lavrov")
    assert served.kwic_count("Kazakhstan", speaker="Sergey Lavrov") == lavrov
    assert served.kwic_count("Kazakhstan") == occurrences(served, r"(?i)\bkazakhstan") > lavrov
    lines = from_store(served, "Kazakhstan", "right", speaker="Sergey Lavrov", role="answer",
                       date_to="2019")  # fmt: skip
    assert lines and {(ln.doc_id, ln.speaker, ln.role) for ln in lines} == {
        (SEED_ID, "Sergey Lavrov", "answer")
    }
    words = [re.findall(r"[^\W_]+", ln.right.casefold())[:1] for ln in lines]
    assert words == sorted(words)
    # filters written in the query too
    inline = from_store(served, 'Kazakhstan speaker:"Sergey Lavrov"', "right")
    assert len(inline) == lavrov


def test_queries_the_store_does_not_serve_take_the_index_path(served: Archive) -> None:
    for query in ("Kazakhstan OR Japan", "French NEAR/6 peacekeeping", "地震", "csto -NATO"):
        assert serve(served.index, served.store, parse_query(query), None, width=30,
                     sort="left", limit=None) is None  # fmt: skip
        assert served.kwic(query, sort="left")  # still answered, today's way
    quake = served.kwic("地震", width=8, sort="right")  # five times in the Fukushima answer
    assert [ln.keyword for ln in quake] == ["地震"] * 5
    # chronological orders are not the store's business either
    assert serve(served.index, served.store, parse_query("Japan"), None, width=30,
                 sort="corpus", limit=None) is None  # fmt: skip


def test_the_store_follows_deletes_ingests_and_reparses(served: Archive) -> None:
    store = served.store
    conc = concordance_of(store)
    assert conc.seq == store.last_change()
    before = from_store(served, "sovereign*", "right")
    assert len(before) == 6
    store.delete(SEED_ID)
    served.sync()
    # behind the store: the Python API takes the index's path (up to date)
    assert len(served.kwic("sovereign*", sort="right")) == 3
    served.prepare()
    assert conc.seq == store.last_change()
    after = from_store(served, "sovereign*", "right")
    assert [ln.doc_id for ln in after] == [TUCKER, TUCKER, FMPRC_EN]
    assert served.kwic_count("Kazakhstan", doc=SEED_ID) == 0
    Ingester(store, workers=1).run([SEED])
    served.sync()
    served.prepare()
    again = from_store(served, "sovereign*", "right")
    assert [(ln.doc_id, ln.n, ln.start, ln.right) for ln in again] == [
        (ln.doc_id, ln.n, ln.start, ln.right) for ln in before
    ]
    counts = reparse(store, everything=True)
    assert sum(counts.values()) >= 12
    served.sync()
    served.prepare()
    assert from_store(served, "sovereign*", "right") == again
    # damaged or deleted: it is derived, and built again
    shutil.rmtree(conc.path)
    with pytest.raises(NotReady):
        serve(served.index, store, parse_query("sovereign*"), None, width=30, sort="left",
              limit=None)  # fmt: skip
    served.prepare()
    assert from_store(served, "sovereign*", "right") == again


def test_syncs_fold_their_segments_and_serve_the_same_lines(
    served: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server following a long crawl syncs again and again: the segments those syncs write
    are folded into one past MAX_SYNC_SEGMENTS, and the lines stay those of the store. (The
    briefings added hold no "sovereign": the lines stay the archive's own.)"""
    from communique.search import concordance

    monkeypatch.setattr(concordance, "MAX_SYNC_SEGMENTS", 3)
    store = served.store
    conc = concordance_of(store)
    before = from_store(served, "sovereign*", "right")
    briefings = CORPUS / "whitehouse_briefings" / "html"
    for i in (1, 2, 3, 5, 6, 7, 8):  # a new page each time: a sync writes a segment of its own
        Ingester(store, workers=1).run([briefings / f"{i:04d}.html.gz"])
        served.sync()
        served.prepare()
        synced = [n for n, _ in conc.state()["segments"] if len(n) == len("seg-") + 10]
        assert 1 <= len(synced) <= 3
        assert from_store(served, "sovereign*", "right") == before


def test_a_server_says_preparing_until_the_store_is_built(served: Archive) -> None:
    k = KwicParams(SearchParams(q="sovereign*"), sort="left")
    shutil.rmtree(concordance_of(served.store).path)
    with pytest.raises(PreparingConcordance, match=r"preparing: 0%"):
        served_kwic(served, k)
    served.prepare()
    lines = served_kwic(served, k)
    assert [ln.left.split()[-1] for ln in lines] == ["a", "of", "of", "respect", "their", "your"]
    # the old refusal of sorted concordances over 100,000 matching turns is gone
    assert not hasattr(web_service, "MAX_SORTED_KWIC_TURNS")


def _get(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=20) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_served_sorted_concordance_and_its_total(
    request: pytest.FixtureRequest, search_db: str, tmp_path: Path
) -> None:
    db = copy_archive(request, search_db, tmp_path)
    srv = start_server(db)
    try:
        stats = wait_prepared(srv)  # the server prepares the store in the background
        assert stats["derived"]["concordance"] == {"ready": True, "percent": 100}
        status, body = _get(srv.url + "/api/v1/kwic?q=sovereign*&sort=right&width=30")
        assert status == 200
        firsts = [ln["right"].split()[0] for ln in body["lines"]]
        assert firsts == ["and", "decision", "equality", "equality", "right.", "states."]
        # the page's total comes from the store: every "sanction..." though 3 are shown
        with open_archive(db) as archive:
            expected = occurrences(archive, r"(?i)\bsanction\w*")
        with urllib.request.urlopen(srv.url + "/kwic?q=sanction&sort=left&limit=3") as r:
            page = r.read().decode()
        count = re.search(r'id="kwic-count">(.*?)</p>', page, re.S)
        assert count is not None
        text = re.sub(r"<[^>]+>", "", count.group(1))
        assert text.startswith(f"{expected} lines: the first 3 shown"), text
    finally:
        stop_server(srv)


def test_check_reports_a_store_ahead_or_damaged_and_repair_rebuilds_it(served: Archive) -> None:
    from typer.testing import CliRunner

    from communique.cli import app

    from .conftest import db_options

    runner = CliRunner()
    target = served.target
    conc = concordance_of(served.store)
    last = served.store.last_change()
    state = json.loads((conc.path / "state.json").read_text())
    # as if copied from another copy of the archive, further along
    (conc.path / "state.json").write_text(json.dumps({**state, "seq": last + 1000}))
    out = runner.invoke(app, ["check", *db_options(target), "--json"])
    found = {f["code"]: f for f in json.loads(out.stdout)["findings"]}
    assert set(found) == {"concordance-ahead"} and found["concordance-ahead"]["repairable"]
    out = runner.invoke(app, ["check", *db_options(target), "--repair"])
    assert out.exit_code == 0 and "concordance store rebuilt" in out.stdout, out.stdout
    assert conc.seq == last
    assert [ln.right.split()[0] for ln in from_store(served, "sovereign*", "right")] == [
        "and", "decision", "equality", "equality", "right.", "states.",
    ]  # fmt: skip
    (conc.path / "state.json").write_text("{not json")
    out = runner.invoke(app, ["check", *db_options(target), "--json"])
    assert {f["code"] for f in json.loads(out.stdout)["findings"]} == {"concordance-damaged"}
    runner.invoke(app, ["check", *db_options(target), "--repair"])
    assert conc.seq == last


def test_ingest_builds_the_word_cache_and_the_store_after_the_index(archive_target: str) -> None:
    from typer.testing import CliRunner

    from communique.analysis.corpus import TokenCache
    from communique.cli import app

    from .conftest import KREMLIN_HTML, db_options

    runner = CliRunner()
    out = runner.invoke(app, ["ingest", str(SEED), *db_options(archive_target), "--workers", "1"])
    assert out.exit_code == 0, out.output
    with open_archive(archive_target) as archive:
        last = archive.store.last_change()
        assert concordance_of(archive.store).seq == last
        cache = TokenCache(archive.store)  # built by the ingest, up to its last change
        assert cache._seq() == last and cache.vocab["kazakhstan"] >= 0
        cache.close()
        assert [ln.right.split()[0] for ln in from_store(archive, "sovereign*", "right")] == [
            "and", "decision", "right.",
        ]  # fmt: skip
    # the next ingest brings both up to date (Putin to Bloomberg: "sovereign" is not in it,
    # "Bloomberg" is)
    bloomberg = KREMLIN_HTML / "052830.html.gz"
    out = runner.invoke(app, ["ingest", str(bloomberg), *db_options(archive_target), "-q",
                              "--workers", "1"])  # fmt: skip
    assert out.exit_code == 0, out.output
    with open_archive(archive_target) as archive:
        assert concordance_of(archive.store).seq == archive.store.last_change() > last
        assert archive.kwic_count("Bloomberg") == occurrences(archive, r"(?i)\bbloomberg\w*") > 0
        assert len(from_store(archive, "sovereign*", "left")) == 3
