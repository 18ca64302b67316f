"""Search index replicas: two ``communique serve`` processes on loopback over ONE PostgreSQL
archive, each with its own data dir (so its own tantivy index, as on two machines). An ingest
and a delete run as separate CLI processes while both serve; both servers follow the store's
change log and must then answer the same queries identically. The tests wait on the change-log
position (``/api/v1/stats``: ``index_seq`` reaching the store's ``change_seq``), never on a
sleep of a guessed length.

Expected values come from reading the pages: fmprc t1740278 (Hua Chunying, 2020-02-04) says
"...the H1N1 flu in the US spread to 214 regions and countries"; fmprc t1647080 (Geng Shuang,
2019-03-20) opens with a question on President Nazarbayev's resignation, t1646964 is its Chinese
version (问：昨天，哈萨克斯坦总统纳扎尔巴耶夫宣布辞去
总统职务...); kremlin 7954 (2010-06-03) is Medvedev's meeting on a financial centre in Russia,
its one turn on "the establishment of the financial centre".
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import httpx
import pytest

from communique.store import open_store

from .conftest import (
    CORPUS,
    SEARCH_INPUTS,
    Server,
    ingest_into,
    start_server,
    stop_server,
)

pytestmark = pytest.mark.backends("postgresql")  # replicas exist only over a shared server

FMPRC = CORPUS / "fmprc_en_zh"
HUA_FEB4 = FMPRC / "en" / "other" / "t1740278.html"
GENG_EN = FMPRC / "en" / "regular_presscon" / "t1647080.html"
GENG_ZH = FMPRC / "zh" / "regular_presscon" / "t1646964.html"
MEDVEDEV = CORPUS / "kremlin_en" / "html" / "007954.html.gz"
QUERIES = (
    {"q": "Kazakhstan"},
    {"q": "Kazakhstan", "sort": "date", "role": "answer"},
    {"q": "Nazarbayev"},
    {"q": '"214 regions and countries"'},
    {"q": "coronavirus OR virus"},
    {"q": "纳扎尔巴耶夫"},
    {"q": '"financial centre"'},
    {"q": "sanction*", "lang": "en"},
    {"q": "Россия OR Russia", "sort": "oldest"},
)
DEADLINE = 60  # seconds for both servers to catch up (they poll the change log every ~2 s)


@pytest.fixture(scope="module")
def replicas(
    request: pytest.FixtureRequest, backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, list[Server]]]:
    """One PostgreSQL archive (the search inputs) served by two processes with their own
    data dirs."""
    assert backend == "postgresql"
    url = request.getfixturevalue("pg_server").new_database()
    ingest_into(url, SEARCH_INPUTS)
    servers: list[Server] = []
    try:
        for name in ("replica-a", "replica-b"):
            data_dir = tmp_path_factory.mktemp(name)
            servers.append(start_server(url, data_dir=data_dir))
        yield url, servers
    finally:
        for srv in servers:
            stop_server(srv)


def cli(url: str, data_dir: Path, *args: str) -> str:
    """A ``communique`` command run as its own process, as on a third machine; its output."""
    cmd = [sys.executable, "-m", "communique.cli", *args, "--db", url, "--data-dir", str(data_dir)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def wait_until_current(url: str, servers: list[Server]) -> int:
    """Wait until every server's index has applied the store's whole change log; its seq."""
    store = open_store(url)
    try:
        target = store.last_change()
    finally:
        store.close()
    assert target > 0
    deadline = time.monotonic() + DEADLINE
    for srv in servers:
        while True:
            stats = httpx.get(f"{srv.url}/api/v1/stats", timeout=10).json()
            assert stats["change_seq"] >= target  # the server reads the same store
            if stats["index_seq"] == stats["change_seq"] >= target:
                break
            assert time.monotonic() < deadline, f"{srv.url} stuck at {stats['index_seq']}"
            time.sleep(0.2)
    return target


def answers(srv: Server) -> list[dict]:
    """What a server answers to every query: totals, hits in order, facets."""
    out = []
    for params in QUERIES:
        r = httpx.get(
            f"{srv.url}/api/v1/search",
            params={**params, "size": 100, "facets": "true"},
            timeout=30,
        )
        assert r.status_code == 200, r.text
        body = r.json()
        hits = [(h["permalink"], h["revision"], h["date"], h["role"]) for h in body["hits"]]
        out.append(
            {"query": params, "total": body["total"], "hits": hits, "facets": body["facets"]}
        )
    return out


def same_answers(a: list[dict], b: list[dict]) -> None:
    """Assert two servers' answers are identical, naming the first query that differs."""
    for x, y in zip(a, b, strict=True):
        if x == y:
            continue
        how = (
            "the same hits in another order"
            if sorted(x["hits"]) == sorted(y["hits"])
            else "other hits or counts"
        )
        raise AssertionError(f"the replicas differ on {x['query']}: {how}\n{x}\n{y}")


def total(srv: Server, q: str) -> int:
    return httpx.get(f"{srv.url}/api/v1/search", params={"q": q}, timeout=30).json()["total"]


def test_both_replicas_converge_after_an_ingest(
    replicas: tuple[str, list[Server]], tmp_path: Path
) -> None:
    url, (a, b) = replicas
    wait_until_current(url, [a, b])
    same_answers(answers(a), answers(b))  # the same archive from the start
    assert total(a, '"214 regions and countries"') == 0 == total(b, '"214 regions and countries"')
    before = total(a, "Nazarbayev")

    done = cli(url, tmp_path / "ingester", "ingest", str(HUA_FEB4), str(GENG_EN), str(GENG_ZH))
    assert "3 new" in done
    wait_until_current(url, [a, b])

    got_a, got_b = answers(a), answers(b)
    same_answers(got_a, got_b)
    by_query = {str(x["query"]): x for x in got_a}
    flu = by_query[str({"q": '"214 regions and countries"'})]
    assert flu["total"] == 1 and flu["hits"][0][0].startswith("fmprc-en-t1740278#t")
    assert flu["hits"][0][2] == "2020-02-04" and flu["hits"][0][3] == "answer"
    nazarbayev = by_query[str({"q": "Nazarbayev"})]
    assert nazarbayev["total"] > before
    assert any(h[0].startswith("fmprc-en-t1647080#t") for h in nazarbayev["hits"])
    chinese = by_query[str({"q": "纳扎尔巴耶夫"})]  # Nazarbayev, in the first Q and A of t1646964
    assert any(h[0].startswith("fmprc-zh-t1646964#t") for h in chinese["hits"])
    for x in got_a:  # the comparison is not of empty answers
        assert len(x["hits"]) == min(x["total"], 100)
    assert sum(x["total"] for x in got_a) > 20


def test_a_delete_is_dropped_by_both_replicas(
    replicas: tuple[str, list[Server]], tmp_path: Path
) -> None:
    url, (a, b) = replicas
    phrase = '"establishment of the financial centre"'
    cli(url, tmp_path / "ingester", "ingest", str(MEDVEDEV))
    seq = wait_until_current(url, [a, b])
    assert total(a, phrase) >= 1 and total(b, phrase) == total(a, phrase)

    cli(url, tmp_path / "ingester", "delete", "kremlin-en-7954")
    assert wait_until_current(url, [a, b]) > seq  # the delete is a change of its own
    assert total(a, phrase) == 0 == total(b, phrase)
    for srv in (a, b):
        r = httpx.get(f"{srv.url}/api/v1/documents/kremlin-en-7954", timeout=10)
        assert r.status_code == 404
    same_answers(answers(a), answers(b))


def test_prefix_hits_tied_past_the_window_come_in_chronological_order(
    search_archive: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a prefix query scores every hit alike; past the tie window (here 1 hit instead of
    # 10,000) a replica cannot order ties by looking further, so it takes the turns'
    # chronological order, the same on every replica (and the order of sort="oldest")
    import communique.search.index as index

    monkeypatch.setattr(index, "TIE_WINDOW", 1)
    archive = cast(Any, search_archive)
    total = archive.search("sanction*", limit=0).total
    assert total > 8  # more hits than the window and a page

    def pages(sort: str) -> list[tuple[str, int, float | None]]:
        found = []
        for offset in range(0, total, 2):
            page = archive.search("sanction*", limit=2, offset=offset, sort=sort)
            found += [(h.doc_id, h.n, h.score) for h in page.hits]
        return found

    relevance, oldest = pages("relevance"), pages("oldest")
    assert [h[:2] for h in relevance] == [h[:2] for h in oldest]
    assert len({h[2] for h in relevance}) == 1  # tied scores, still reported
