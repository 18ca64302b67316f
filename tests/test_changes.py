"""Revision tracking on a real page: a Kremlin transcript ingested, then edited at the same path
(one paragraph reworded, one removed, one added, the title lengthened) and ingested again.

The page is en.kremlin.ru news 54803, "Answers to journalists’ questions" (2017-06-17): six
turns, Q/A about Helmut Kohl and the Confederations Cup; Putin's first answer (#t2) has seven
paragraphs, his second (#t4) one, his third (#t6) three: 14 paragraphs in all.
"""

from __future__ import annotations

import copy
import gzip
import hashlib
import io
import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from communique.cli import app
from communique.cli.track import print_diff
from communique.store import open_store
from communique.track.changes import (
    RevisionNotFound,
    changed_documents,
    diff_documents,
    diff_revisions,
    gone_pages,
    word_diff,
)
from communique.track.revisions import document_at

from .conftest import (
    CORPUS,
    ROOT,
    Server,
    db_options,
    ingest_into,
    new_target,
    open_archive,
    start_server,
    stop_server,
)

runner = CliRunner()
PAGE = CORPUS / "kremlin_en" / "html" / "054803.html.gz"
DOC = "kremlin-en-54803"
OLD_REV = hashlib.sha256(PAGE.read_bytes()).hexdigest()[:12]  # a revision is its input's hash
REMOVED = (
    "You are aware of our position. In essence, we are ready for that. What is missing is that "
    "our partners should also be ready, should shed their phobias of the past. Mr Kohl was the "
    "one who called for dropping all those phobias so as to look forward, into the future."
)
ADDED = "The Confederations Cup is a good rehearsal for next year."
OLD_TITLE = "Answers to journalists’ questions"
NEW_TITLE = "Answers to journalists’ questions on Helmut Kohl"


def _sub(html: str, old: str, new: str) -> str:
    """Replace the one place ``old`` is written (the page separates words with spaces, line
    breaks or no-break spaces)."""
    pattern = r"[\s\xa0]+".join(re.escape(w) for w in old.split())
    assert len(re.findall(pattern, html)) == 1, old
    return re.sub(pattern, lambda _: new, html)


def edited_page() -> bytes:
    html = gzip.decompress(PAGE.read_bytes()).decode()
    html = _sub(html, "the pendulum has moved slightly towards cooling",
                "the pendulum has moved noticeably towards cooling")  # fmt: skip
    html = _sub(html, f"<p>{REMOVED}</p>", "")
    end = "we will be able to do it.</p>"
    html = _sub(html, end, f"{end}<p>{ADDED}</p>")
    html = _sub(html, "questions</h1>", "questions on Helmut Kohl</h1>")
    return gzip.compress(html.encode(), mtime=0)


NEW_REV = hashlib.sha256(edited_page()).hexdigest()[:12]


def build_edited(target: str, folder: Path) -> None:
    """The page ingested, then its edited copy at the same path; and an unchanged page."""
    site = folder / "site"
    site.mkdir()
    page = site / PAGE.name
    page.write_bytes(PAGE.read_bytes())
    (site / "060412.html.gz").write_bytes((PAGE.parent / "060412.html.gz").read_bytes())
    ingest_into(target, [site])
    page.write_bytes(edited_page())
    ingest_into(target, [site])


@pytest.fixture(scope="module")
def edited(
    request: pytest.FixtureRequest, backend: str, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """An archive holding both revisions (tests only read it)."""
    folder = tmp_path_factory.mktemp("changes")
    target = new_target(request, backend, folder)
    build_edited(target, folder)
    return target


@pytest.fixture
def store(edited: str) -> Iterator[Any]:
    s = open_store(edited)
    yield s
    s.close()


def test_the_diff_reports_exactly_the_edits(store: Any) -> None:
    diff = diff_revisions(store, DOC)
    assert (diff.old_revision, diff.new_revision) == (OLD_REV, NEW_REV)
    assert diff.counts == {"added": 1, "removed": 1, "reworded": 1, "moved": 0}
    assert diff.unchanged == 12  # 14 paragraphs, less the removed and the reworded one
    removed, reworded, added = diff.paragraphs  # in reading order
    assert removed.op == "removed" and removed.new is None
    assert (removed.old.turn, removed.old.index, removed.old.text) == (2, 4, REMOVED)
    assert reworded.op == "reworded"
    assert (reworded.old.turn, reworded.new.turn, reworded.new.index) == (4, 4, 0)
    assert reworded.new.speaker == "Vladimir Putin"
    changed = [piece for piece in reworded.words if piece[0] != "="]
    assert changed == [("-", "slightly"), ("+", "noticeably")]
    assert "".join(t for op, t in reworded.words if op != "+") == reworded.old.text
    assert "".join(t for op, t in reworded.words if op != "-") == reworded.new.text
    assert 0.9 < reworded.ratio < 1
    assert added.op == "added" and added.old is None
    assert (added.new.turn, added.new.index, added.new.text) == (6, 2, ADDED)
    assert [(m.field, m.old, m.new) for m in diff.metadata] == [("title", OLD_TITLE, NEW_TITLE)]


def test_explicit_and_reversed_revisions(store: Any) -> None:
    same = diff_revisions(store, DOC, OLD_REV, NEW_REV)
    assert same.counts == {"added": 1, "removed": 1, "reworded": 1, "moved": 0}
    back = diff_revisions(store, DOC, NEW_REV, OLD_REV)
    assert [c.op for c in back.paragraphs] == ["added", "reworded", "removed"]
    assert back.paragraphs[0].new.text == REMOVED and back.paragraphs[2].old.text == ADDED
    assert back.metadata[0].new == OLD_TITLE
    with pytest.raises(RevisionNotFound, match="no revision 000000000000"):
        diff_revisions(store, DOC, "000000000000")
    with pytest.raises(RevisionNotFound, match="no document nope"):
        diff_revisions(store, "nope")
    with pytest.raises(RevisionNotFound, match="one revision only"):
        diff_revisions(store, "kremlin-en-60412")


def test_older_revisions_are_re_derived_with_their_own_wording(store: Any) -> None:
    old, new = document_at(store, DOC, OLD_REV), document_at(store, DOC, None)
    assert old is not None and new is not None
    assert (old.revision, old.title) == (OLD_REV, OLD_TITLE)
    assert (new.revision, new.title) == (NEW_REV, NEW_TITLE)
    assert "moved slightly towards cooling" in old.turns[3].text
    assert "moved noticeably towards cooling" in new.turns[3].text
    assert document_at(store, DOC, "000000000000") is None


def test_the_python_api_gives_pinned_revisions(edited: str) -> None:
    with open_archive(edited) as archive:
        assert archive.get(f"{DOC}@{OLD_REV}").title == OLD_TITLE
        assert archive.get(f"{DOC}@{NEW_REV}").title == NEW_TITLE
        assert archive.get(DOC).revision == NEW_REV
        assert archive.get(f"{DOC}@000000000000") is None


def test_a_paragraph_moved_elsewhere_is_moved(store: Any) -> None:
    old = document_at(store, DOC, OLD_REV)
    assert old is not None
    moved = copy.deepcopy(old)
    first, *rest = moved.turns[1].text.split("\n\n")  # Putin's first answer, 7 paragraphs
    moved.turns[1].text = "\n\n".join([*rest, first])
    diff = diff_documents(old, moved)
    assert [c.op for c in diff.paragraphs] == ["moved"]
    (change,) = diff.paragraphs
    assert change.old.text.startswith("I knew him since the early 1990s.")
    assert (change.old.index, change.new.index) == (0, 6)
    assert diff.metadata == []


def test_word_diff_splits_chinese_by_character() -> None:
    # a sentence of 耿爽's (fmprc zh t1417538, 2016-11-22), one word changed: 强烈 -> 真诚
    old = "我们强烈希望冲突双方保持克制，立即停止有关军事行动。"
    new = "我们真诚希望冲突双方保持克制，立即停止有关军事行动。"
    same = "希望冲突双方保持克制，立即停止有关军事行动。"
    assert word_diff(old, new) == [("=", "我们"), ("-", "强烈"), ("+", "真诚"), ("=", same)]


def test_the_archive_wide_list_and_since(store: Any) -> None:
    (doc,) = changed_documents(store)  # the other page was ingested once: not listed
    assert (doc.doc_id, doc.revisions, doc.title) == (DOC, 2, NEW_TITLE)
    assert (doc.old_revision, doc.new_revision) == (OLD_REV, NEW_REV)
    assert doc.counts == {"added": 1, "removed": 1, "reworded": 1, "moved": 0}
    assert doc.metadata == ["title"]
    assert [d.doc_id for d in changed_documents(store, since="2000-01-01")] == [DOC]
    assert changed_documents(store, since="2999-01-01") == []
    assert [d.doc_id for d in changed_documents(store, publisher="kremlin.ru")] == [DOC]
    assert changed_documents(store, publisher="mid.ru") == []


def test_gone_pages_from_the_crawl_ledger(archive_target: str, tmp_path: Path) -> None:
    build_edited(archive_target, tmp_path)
    store = open_store(archive_target)
    try:
        base = "http://en.kremlin.ru/events/president/news/"
        store.put_crawl_page({"url": base + "54803", "site": "kremlin", "state": "gone",
                              "gone_since": "2026-03-02T10:00:00Z", "doc_id": DOC,
                              "http_status": 404})  # fmt: skip
        store.put_crawl_page({"url": base + "60412", "site": "kremlin", "state": "ok",
                              "doc_id": "kremlin-en-60412"})  # fmt: skip
        store.put_crawl_page({"url": "https://www.mid.ru/x/1", "site": "mid", "state": "gone",
                              "gone_since": "2026-01-05T08:00:00Z"})  # fmt: skip
        gone = gone_pages(store)
        assert [(g["url"], g["doc_id"], g["title"]) for g in gone] == [
            (base + "54803", DOC, NEW_TITLE),  # newest first
            ("https://www.mid.ru/x/1", None, None),
        ]
        assert [g["url"] for g in gone_pages(store, since="2026-02")] == [base + "54803"]
        assert [g["url"] for g in gone_pages(store, site="mid")] == ["https://www.mid.ru/x/1"]
    finally:
        store.close()
    result = runner.invoke(app, ["changes", *db_options(archive_target), "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert [g["url"] for g in listed["gone"]] == [base + "54803", "https://www.mid.ru/x/1"]


# -- the command line ----------------------------------------------------------------------------
def test_cli_list_and_since(edited: str) -> None:
    result = runner.invoke(app, ["changes", *db_options(edited), "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert [(d["doc_id"], d["counts"]["reworded"]) for d in listed["changed"]] == [(DOC, 1)]
    assert listed["gone"] == []
    later = runner.invoke(app, ["changes", "--since", "2999", *db_options(edited)])
    assert later.exit_code == 0 and "No document changed since 2999." in later.stdout
    table = runner.invoke(app, ["changes", *db_options(edited)]).stdout
    assert DOC in table and "Helmut" in table and "2026" not in table.split(DOC)[1][:3]
    bad = runner.invoke(app, ["changes", "--since", "last week", *db_options(edited)])
    assert bad.exit_code == 2 and "not a date" in bad.output


def test_cli_diff(edited: str) -> None:
    result = runner.invoke(app, ["changes", DOC, *db_options(edited)])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "1 added, 1 removed, 1 reworded, 0 moved; 12 unchanged paragraphs" in text
    assert "moved [-slightly-]{+noticeably+} towards" in text  # no colour when piped
    assert f"+ {ADDED}" in text and "- You are aware of our position." in text
    assert f"title: {OLD_TITLE} -> {NEW_TITLE}" in text
    as_json = runner.invoke(app, ["changes", DOC, "--from", OLD_REV, "--to", NEW_REV, "--json",
                                  *db_options(edited)])  # fmt: skip
    assert json.loads(as_json.stdout)["counts"]["removed"] == 1
    missing = runner.invoke(app, ["changes", DOC, "--from", "abc", *db_options(edited)])
    assert missing.exit_code == 1 and "has no revision abc" in missing.output


def test_diff_in_colour(store: Any) -> None:
    buffer = io.StringIO()
    print_diff(diff_revisions(store, DOC), Console(file=buffer, force_terminal=True,
                                                   color_system="standard"))  # fmt: skip
    text = buffer.getvalue()
    assert "\x1b[" in text and "[-slightly-]" not in text
    assert re.search(r"\x1b\[[0-9;]*9[0-9;]*mslightly", text)  # struck through (SGR 9)
    assert re.search(r"\x1b\[[0-9;]*32[0-9;]*mnoticeably", text)  # green (SGR 32)


# -- the web ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def edited_server(edited: str) -> Iterator[Server]:
    srv = start_server(edited)
    yield srv
    stop_server(srv)


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_permalinks_keep_the_cited_wording(edited_server: Server) -> None:
    status, pinned = fetch(f"{edited_server.url}/d/{DOC}@{OLD_REV}")
    assert status == 200
    assert "moved slightly towards cooling" in pinned and REMOVED[:40] in pinned
    assert "noticeably" not in pinned and ADDED not in pinned
    status, current = fetch(f"{edited_server.url}/d/{DOC}")
    assert status == 200
    assert "moved noticeably towards cooling" in current and ADDED in current
    assert "slightly towards cooling" not in current and REMOVED[:40] not in current
    status, api = fetch(f"{edited_server.url}/api/v1/documents/{DOC}@{OLD_REV}")
    assert status == 200 and json.loads(api)["title"] == OLD_TITLE


def test_changes_pages_and_api(edited_server: Server) -> None:
    url = edited_server.url
    status, page = fetch(f"{url}/changes")
    assert status == 200
    assert f'href="/changes/{DOC}?from={OLD_REV}&amp;to={NEW_REV}"' in page
    assert NEW_TITLE in page
    status, page = fetch(f"{url}/changes?since=2999")
    assert status == 200 and "No document has changed since 2999." in page
    assert fetch(f"{url}/changes?since=soon")[0] == 400
    status, page = fetch(f"{url}/changes/{DOC}")
    assert status == 200
    assert "moved <del>slightly</del><ins>noticeably</ins> towards" in page
    assert f"<p><ins>{ADDED}</ins></p>" in page and f"<p><del>{REMOVED}</del></p>" in page
    assert f'href="/d/{DOC}@{OLD_REV}"' in page and f'href="/d/{DOC}@{NEW_REV}"' in page
    assert fetch(f"{url}/changes/nope")[0] == 404
    assert fetch(f"{url}/changes/{DOC}?from=000000000000")[0] == 404
    status, body = fetch(f"{url}/api/v1/changes")
    listed = json.loads(body)
    assert [d["doc_id"] for d in listed["changed"]] == [DOC]
    assert listed["changed"][0]["diff"] == f"{url}/changes/{DOC}?from={OLD_REV}&to={NEW_REV}"
    status, body = fetch(f"{url}/api/v1/changes/{DOC}?from={OLD_REV}&to={NEW_REV}")
    diff = json.loads(body)
    assert diff["counts"] == {"added": 1, "removed": 1, "reworded": 1, "moved": 0}
    assert diff["links"]["old"] == f"{url}/d/{DOC}@{OLD_REV}"
    reworded = next(p for p in diff["paragraphs"] if p["op"] == "reworded")
    assert ["-", "slightly"] in reworded["words"] and ["+", "noticeably"] in reworded["words"]
    status, body = fetch(f"{url}/api/v1/changes/nope")
    assert status == 404 and json.loads(body)["error"] == "not_found"


def test_diff_page_in_the_browser(chromium: Any, edited_server: Server) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        page.goto(f"{edited_server.url}/changes")
        page.click(f"a[href^='/changes/{DOC}']")
        page.wait_for_url(f"**/changes/{DOC}?*")
        deleted = page.locator(".op-reworded del")
        inserted = page.locator(".op-reworded ins")
        assert deleted.is_visible() and deleted.inner_text() == "slightly"
        assert inserted.is_visible() and inserted.inner_text() == "noticeably"
        assert page.locator(".op-added ins").is_visible()
        # the inserted words look inserted: a background of their own (track.css is applied)
        colour = inserted.evaluate("e => getComputedStyle(e).backgroundColor")
        assert colour not in ("rgba(0, 0, 0, 0)", "transparent")
        page.screenshot(path=str(shots() / "change-wide.png"), full_page=True)
        page.click("a.rev-old")
        page.wait_for_url(f"**/d/{DOC}@{OLD_REV}")
        assert "slightly towards cooling" in page.locator("#t4").inner_text()
    finally:
        context.close()
    assert problems == []


def shots() -> Path:
    """Where the browser tests leave screenshots for people to look at."""
    folder = ROOT / "test-output" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_changes_pages_fit_a_phone(chromium: Any, edited_server: Server) -> None:
    context = chromium.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    try:
        for name, path in (("changes", "/changes"), ("change", f"/changes/{DOC}")):
            page.goto(edited_server.url + path)
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= 375, f"{path} scrolls sideways on a phone ({wide} px)"
            page.screenshot(path=str(shots() / f"{name}-phone.png"), full_page=True)
    finally:
        context.close()
