"""Saved searches: the CLI, and their Atom feeds served by a real ``communique serve``.

The search archive (conftest.SEARCH_INPUTS) says "Germany" in six turns: Putin to Bloomberg
(kremlin 52830, #t10: "the eastern lands of Germany"), Lavrov (two turns of the Tucker Carlson
interview, one of India Today: "France, Germany and Poland"), Obama's press conference (two
turns). The Kremlin page 54803 (2017-06-17), ingested while the server runs, adds two: the
question "Sad tidings arrived from Germany" (#t1) and Putin's answer (#t2).
"""

from __future__ import annotations

import html
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from typer.testing import CliRunner

from communique.cli import app

from .conftest import (
    CORPUS,
    ROOT,
    SERVER_TOKEN,
    Server,
    copy_archive,
    db_options,
    ingest_into,
    open_archive,
    start_server,
    stop_server,
)

runner = CliRunner()
A = "{http://www.w3.org/2005/Atom}"
KOHL = CORPUS / "kremlin_en" / "html" / "054803.html.gz"


def cli(*args: str) -> Any:
    return runner.invoke(app, list(args))


def fetch(url: str, data: bytes | None = None, headers: dict[str, str] | None = None,
          method: str | None = None) -> tuple[int, str, str]:  # fmt: skip
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, r.headers.get("content-type", ""), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("content-type", ""), e.read().decode()


def entries(feed: ET.Element) -> list[dict[str, Any]]:
    out = []
    for e in feed.findall(f"{A}entry"):
        out.append({
            "id": e.findtext(f"{A}id"), "title": e.findtext(f"{A}title"),
            "updated": e.findtext(f"{A}updated"), "author": e.findtext(f"{A}author/{A}name"),
            "link": e.find(f"{A}link").get("href"), "summary": e.findtext(f"{A}summary"),
        })  # fmt: skip
    return out


def get_feed(url: str) -> ET.Element:
    status, ctype, body = fetch(url)
    assert status == 200 and ctype.startswith("application/atom+xml"), (status, body[:200])
    return ET.fromstring(body)


# -- the command line ----------------------------------------------------------------------------
def test_watch_add_list_remove(archive_target: str) -> None:
    ingest_into(archive_target, [KOHL])
    db = db_options(archive_target)
    added = cli("watch", "add", "kohl", "Kohl OR Germany", "--speaker", "Vladimir Putin",
                "--lang", "en", "--from", "2017", *db)  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "/feeds/kohl.atom" in added.stdout
    assert cli("watch", "add", "all-en", "", "--lang", "en", *db).exit_code == 0
    listed = json.loads(cli("watch", "list", "--json", *db).stdout)
    assert [(w["name"], w["query"]) for w in listed] == [
        ("all-en", ""),
        ("kohl", "Kohl OR Germany"),
    ]
    assert listed[1]["filters"] == {"speaker": "Vladimir Putin", "lang": "en", "from": "2017"}
    # refused, with the reason
    bad = cli("watch", "add", "my watch", "Kohl", *db)
    assert bad.exit_code == 2 and "watch name 'my watch'" in bad.output
    bad = cli("watch", "add", "x", "Kohl AND (", *db)
    assert bad.exit_code == 2 and "is never closed" in bad.output
    bad = cli("watch", "add", "x", "Kohl", "--role", "speaker", *db)
    assert bad.exit_code == 2 and "role 'speaker' is not one of" in bad.output
    bad = cli("watch", "add", "x", "", *db)
    assert bad.exit_code == 2 and "needs a query or at least one filter" in bad.output
    # shown: the hits of the page, Putin's only (#t2 says "Germany", the question #t1 is not his)
    shown = json.loads(cli("watch", "show", "kohl", "--json", *db).stdout)
    assert [h["permalink"] for h in shown["hits"]] == ["kremlin-en-54803#t2"]
    everything = json.loads(cli("watch", "show", "all-en", "--json", *db).stdout)
    # one page, in turn order, its lead first (turn 0)
    assert [h["n"] for h in everything["hits"]] == [0, 1, 2, 3, 4, 5, 6]
    assert cli("watch", "remove", "kohl", *db).exit_code == 0
    assert [w["name"] for w in json.loads(cli("watch", "list", "--json", *db).stdout)] == ["all-en"]
    gone = cli("watch", "remove", "kohl", *db)
    assert gone.exit_code == 2 and "no watch named 'kohl'" in gone.output
    assert cli("watch", "show", "kohl", *db).exit_code == 2


# -- feeds from a real server ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def watched(
    request: pytest.FixtureRequest, search_db: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A server (with the upload token) over a copy of the search archive with two watches."""
    target = copy_archive(request, search_db, tmp_path_factory.mktemp("watched"))
    db = db_options(target)
    assert cli("watch", "add", "germany", "Germany", *db).exit_code == 0
    assert cli("watch", "add", "germany-putin", "Germany", "--speaker", "Vladimir Putin",
               *db).exit_code == 0  # fmt: skip
    srv = start_server(target, token=SERVER_TOKEN)
    yield srv
    stop_server(srv)


def test_the_feed_is_valid_atom_with_the_searchs_hits(watched: Server) -> None:
    url = watched.url
    feed = get_feed(f"{url}/feeds/germany.atom")
    assert feed.tag == f"{A}feed"
    assert feed.findtext(f"{A}id") == f"{url}/feeds/germany.atom"
    assert feed.findtext(f"{A}title") == "communique watch: germany (Germany)"
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{A}link")}
    assert links["self"] == f"{url}/feeds/germany.atom"
    assert links["alternate"] == f"{url}/search?q=Germany&sort=date"
    got = entries(feed)
    with open_archive(watched.db) as archive:
        hits = archive.search("Germany", limit=100).hits
    assert len(hits) == 6
    assert sorted(e["id"] for e in got) == sorted(f"{url}/d/{h.doc_id}#t{h.n}" for h in hits)
    putin = next(e for e in got if e["id"] == f"{url}/d/kremlin-en-52830#t10")
    assert putin["author"] == "Vladimir Putin" and putin["link"] == putin["id"]
    assert "the eastern lands of Germany" in putin["summary"]
    assert putin["title"] == "Vladimir Putin: Interview to Bloomberg (#t10)"
    for e in got:  # RFC 3339 times, newest first, the feed as new as its newest entry
        time.strptime(e["updated"], "%Y-%m-%dT%H:%M:%SZ")
        assert e["author"]
    assert [e["updated"] for e in got] == sorted((e["updated"] for e in got), reverse=True)
    assert feed.findtext(f"{A}updated") == got[0]["updated"]


def test_a_watch_with_filters_returns_only_matching_hits(watched: Server) -> None:
    got = entries(get_feed(f"{watched.url}/feeds/germany-putin.atom"))
    assert [(e["id"], e["author"]) for e in got] == [
        (f"{watched.url}/d/kremlin-en-52830#t10", "Vladimir Putin")
    ]


def test_unknown_feed_is_404(watched: Server) -> None:
    status, _, body = fetch(f"{watched.url}/feeds/nothing-here.atom")
    assert status == 404 and "no watch named 'nothing-here'" in html.unescape(body)


def test_watches_page_and_api(watched: Server) -> None:
    url = watched.url
    status, _, page = fetch(f"{url}/watches")
    assert status == 200
    assert 'href="/feeds/germany.atom"' in page and 'href="/feeds/germany-putin.atom"' in page
    status, _, body = fetch(f"{url}/api/v1/watches")
    items = {w["name"]: w for w in json.loads(body)["items"]}
    assert items["germany-putin"]["feed"] == f"{url}/feeds/germany-putin.atom"
    assert items["germany-putin"]["filters"] == {"speaker": "Vladimir Putin"}
    status, _, body = fetch(f"{url}/api/v1/watches/germany-putin")
    assert [h["permalink"] for h in json.loads(body)["hits"]] == ["kremlin-en-52830#t10"]
    assert fetch(f"{url}/api/v1/watches/nothing")[0] == 404
    # the search page offers to watch itself
    status, _, page = fetch(f"{url}/search?q=Germany&lang=en")
    assert 'href="/watches?q=Germany&amp;lang=en"' in page


def test_saving_a_watch_over_http_needs_the_token(watched: Server) -> None:
    url = watched.url
    body = json.dumps({"name": "csto", "query": "CSTO", "filters": {"lang": "en"}}).encode()
    json_type = {"content-type": "application/json"}
    assert fetch(f"{url}/api/v1/watches", body, json_type)[0] == 401
    wrong = {**json_type, "authorization": "Bearer nope"}
    assert fetch(f"{url}/api/v1/watches", body, wrong)[0] == 401
    auth = {**json_type, "authorization": f"Bearer {SERVER_TOKEN}"}
    status, _, saved = fetch(f"{url}/api/v1/watches", body, auth)
    assert status == 201 and json.loads(saved)["feed"] == f"{url}/feeds/csto.atom"
    bad = json.dumps({"name": "x y", "query": "CSTO"}).encode()
    assert fetch(f"{url}/api/v1/watches", bad, auth)[0] == 400
    assert fetch(f"{url}/feeds/csto.atom")[0] == 200
    # the page's form: a wrong token is refused, the right one saves and lists the watch
    form = {"content-type": "application/x-www-form-urlencoded"}
    status, _, page = fetch(f"{url}/watches", b"name=nato&q=NATO&token=nope", form)
    assert status == 400 and "not the server" in page
    status, _, page = fetch(f"{url}/watches", f"name=nato&q=NATO&token={SERVER_TOKEN}".encode(),
                            form)  # fmt: skip
    assert status == 200 and 'href="/feeds/nato.atom"' in page  # after the redirect
    for name in ("csto", "nato"):
        gone = fetch(f"{url}/api/v1/watches/{name}", headers={"authorization":
                     f"Bearer {SERVER_TOKEN}"}, method="DELETE")  # fmt: skip
        assert gone[0] == 200
    assert fetch(f"{url}/feeds/csto.atom")[0] == 404


def test_the_feed_gains_a_new_document_while_the_server_runs(
    archive_target: str, tmp_path: Path
) -> None:
    ingest_into(archive_target, [CORPUS / "kremlin_en" / "html" / "052830.html.gz"])
    db = db_options(archive_target)
    assert cli("watch", "add", "germany", "Germany", *db).exit_code == 0
    assert cli("watch", "add", "germany-putin", "Germany", "--speaker", "Vladimir Putin",
               *db).exit_code == 0  # fmt: skip
    srv = start_server(archive_target)
    try:
        feed_url = f"{srv.url}/feeds/germany.atom"
        before = [e["id"] for e in entries(get_feed(feed_url))]
        assert before == [f"{srv.url}/d/kremlin-en-52830#t10"]
        ingest_into(archive_target, [KOHL])  # another process, as a crawl or an ingest would
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            got = entries(get_feed(feed_url))
            if len(got) > 1:
                break
            time.sleep(0.5)
        assert [e["id"] for e in got] == [
            f"{srv.url}/d/kremlin-en-54803#t1",  # the newest arrival first (then the newest
            f"{srv.url}/d/kremlin-en-54803#t2",  # date, then turn order)
            f"{srv.url}/d/kremlin-en-52830#t10",
        ]
        assert got[0]["updated"] >= got[2]["updated"]
        assert got[0]["author"] == "Question"
        assert got[0]["summary"].startswith("Sad tidings arrived from Germany")
        assert got[1]["author"] == "Vladimir Putin"
        putin = entries(get_feed(f"{srv.url}/feeds/germany-putin.atom"))
        assert [e["id"] for e in putin] == [
            f"{srv.url}/d/kremlin-en-54803#t2",
            f"{srv.url}/d/kremlin-en-52830#t10",
        ]
    finally:
        stop_server(srv)


def test_watches_page_fits_a_phone(chromium: Any, watched: Server) -> None:
    context = chromium.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    try:
        page.goto(watched.url + "/watches")
        assert page.locator("a[href='/feeds/germany-putin.atom']").count() == 1
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= 375, f"/watches scrolls sideways on a phone ({wide} px)"
        folder = ROOT / "test-output" / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / "watches-phone.png"), full_page=True)
    finally:
        context.close()
