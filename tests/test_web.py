"""The web interface in a real browser (Debian's Chromium driven by Playwright) over a real
``communique serve`` process on the search archive (see ``conftest.SEARCH_INPUTS``).

Expectations come from reading the pages: the seed is Lavrov's interview to Khabar Agency
(2018-12-09, mid.ru, English, 18 turns alternating ``Question:`` / ``Sergey Lavrov:``).
Screenshots of every page, on a phone and a wide screen, go to ``test-output/screenshots/``.
"""

from __future__ import annotations

import csv
import json
import urllib.request
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import ROOT, Server, ingest_into, new_target, start_server, stop_server

SHOTS = ROOT / "test-output" / "screenshots"
PHONE = {"width": 375, "height": 740}
WIDE = {"width": 1360, "height": 900}
SEED_ID = "midru-8c250a16b4a4"
BLOOMBERG_ID = "kremlin-en-52830"  # Putin to Bloomberg, 122 turns
RUSSIAN_ID = "midru-ru-1867466"  # Lavrov after the SCO ministers' meeting, 2023, long Russian text


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport=WIDE, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


@pytest.fixture
def phone(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


def api(server: Server, path: str) -> Any:
    with urllib.request.urlopen(server.url + path, timeout=10) as r:
        return json.loads(r.read())


def query_of(url: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}


def no_horizontal_scroll(pg: Any) -> bool:
    return pg.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


# -- home -----------------------------------------------------------------------------------------
def test_home_shows_holdings_chart_latest_and_a_search_box(page: Any, server: Server) -> None:
    page.goto(server.url + "/")
    assert page.locator("h1").inner_text() == "An archive of diplomatic transcripts"
    stats = api(server, "/api/v1/stats")
    assert f"{stats['documents']} documents" in page.locator(".totals").inner_text()
    # the year chart: one column per year, each a link to that year's turns
    assert page.locator(".columns rect.col").count() == len(stats["by_year"])
    assert page.locator('.columns a[href="/search?from=2018&to=2018"]').count() == 1
    publishers = page.locator(".chart", has=page.locator("h3", has_text="By publisher"))
    row = publishers.locator("tr", has_text="mid.ru")
    assert row.locator(".num").inner_text() == str(stats["by_publisher"]["mid.ru"])
    latest = page.locator(".doc-list li")
    assert latest.count() == 10
    assert (
        latest.first.locator(".date").inner_text() == "2024-12-06"
    )  # the Tucker Carlson interview
    page.fill("#home-q", "Kazakhstan")
    page.press("#home-q", "Enter")
    page.wait_for_url("**/search?q=Kazakhstan")
    assert page.locator(".hit").count() > 0


# -- search ---------------------------------------------------------------------------------------
def test_search_with_the_advanced_filters(page: Any, server: Server) -> None:
    page.goto(server.url + "/search")
    page.click("details.advanced > summary")
    page.fill("#q", "Kazakhstan")
    page.fill("#f-speaker", "Sergey Lavrov")
    page.check("input[name=role][value=answer]")
    page.check("input[name=lang][value=en]")
    page.select_option("#f-sort", "date")
    page.click("form.search-form button[type=submit]")
    page.wait_for_url("**/search?*sort=date*")
    params = query_of(page.url)
    assert params == {"q": "Kazakhstan", "speaker": "Sergey Lavrov", "role": "answer",
                      "lang": "en", "sort": "date"}  # fmt: skip
    hits = page.locator(".hit")
    expected = api(server, "/api/v1/search?" + urlsplit(page.url).query)
    assert expected["total"] > 0
    assert hits.count() == min(20, expected["total"])
    assert page.locator("#result-count strong").inner_text() == str(expected["total"])
    assert set(hits.locator(".speaker-line .who").all_inner_texts()) == {"Sergey Lavrov"}
    assert set(hits.locator(".meta .lang").all_inner_texts()) == {"en"}
    dates = hits.locator(".meta .date").all_inner_texts()
    assert dates == sorted(dates, reverse=True)  # newest first
    marks = {m.lower() for m in hits.locator(".snippet mark").all_inner_texts()}
    assert marks and all(m.startswith("kazakhstan") for m in marks)
    # each answer shows the question it answers, above it
    first = hits.first
    assert first.locator(".hit-question").count() == 1
    assert first.locator(".hit-question + .hit-turn").count() == 1
    # the form shows the search back, the filters as removable chips
    assert page.input_value("#f-speaker") == "Sergey Lavrov"
    assert page.is_checked("input[name=role][value=answer]")
    assert page.locator(".chips li").count() == 3


def test_repeated_checkboxes_become_one_canonical_url(page: Any, server: Server) -> None:
    page.goto(server.url + "/search?q=Kazakhstan&role=answer&role=question&speaker=")
    assert query_of(page.url) == {"q": "Kazakhstan", "role": "answer,question"}
    roles = set(page.locator(".hit .speaker-line").all_inner_texts())
    # the seed's "Question:" turns are the interviewer its title names (issue 13)
    assert any("Sergey Lavrov" in r for r in roles) and any("Maya Bekbayeva" in r for r in roles)


def test_open_a_document_from_a_hit_and_land_on_the_turn(page: Any, server: Server) -> None:
    page.goto(server.url + "/search?q=%22Nursultan+Nazarbayev%22&speaker=Sergey+Lavrov")
    hit = page.locator(".hit").first
    permalink = hit.locator("a.permalink").get_attribute("href")
    assert permalink.startswith(f"/d/{SEED_ID}#t")
    hit.locator(".hit-title a").click()
    page.wait_for_url(f"**/d/{SEED_ID}")
    assert "Khabar Agency" in page.locator("h1").inner_text()
    assert page.locator("section.turn").count() == 18
    assert page.locator("#t1 .who").inner_text() == "Maya Bekbayeva"
    assert page.locator("#t2 .who").inner_text() == "Sergey Lavrov"
    page.go_back()
    page.locator(".hit").first.locator("a.permalink").click()
    n = permalink.rsplit("#t", 1)[1]
    page.wait_for_url(f"**/d/{SEED_ID}#t{n}")
    assert page.evaluate("document.querySelector(':target').id") == f"t{n}"
    assert "Nursultan Nazarbayev" in page.locator(f"#t{n} .turn-text").inner_text()
    assert page.locator(f"#t{n}").is_visible()
    assert _in_viewport(page, f"#t{n}")


def _in_viewport(page: Any, selector: str) -> bool:
    return page.evaluate(
        """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
                      return r.top >= 0 && r.top < window.innerHeight; }""",
        selector,
    )


def test_permalink_lands_on_the_turn(page: Any, server: Server) -> None:
    page.goto(f"{server.url}/d/{BLOOMBERG_ID}#t80")
    assert page.evaluate("document.querySelector(':target').id") == "t80"
    assert page.evaluate("window.scrollY") > 1000  # turn 80 of 122 is far down the page
    assert _in_viewport(page, "#t80")
    assert page.locator("#t80 a.permalink").inner_text() == "#t80"
    assert "Bloomberg" in page.title()


def test_export_csv_from_the_search_page(page: Any, server: Server) -> None:
    page.goto(server.url + "/search?q=Kazakhstan&role=answer")
    shown = page.locator(".hit a.permalink").evaluate_all("els => els.map(e => e.textContent)")
    assert 0 < len(shown) < 20  # one page holds them all
    with page.expect_download() as info:
        page.click("a.export-csv")
    download = info.value
    assert download.suggested_filename == "communique-search.csv"
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # a byte-order mark: Excel reads the UTF-8
    rows = list(csv.DictReader(data.decode("utf-8-sig").splitlines()))
    assert [f"/d/{r['permalink']}" for r in rows] == shown  # same hits, same order
    assert {r["role"] for r in rows} == {"answer"}
    assert all("kazakhstan" in r["text"].lower() for r in rows)
    json_href = page.locator("a.export-json").get_attribute("href")
    assert query_of(json_href) == {"q": "Kazakhstan", "role": "answer", "format": "json"}


def test_facet_link_adds_a_filter(page: Any, server: Server) -> None:
    page.goto(server.url + "/search?q=Kazakhstan")
    before = int(page.locator("#result-count strong").inner_text())
    page.locator(".facet-speaker a", has_text="Sergey Lavrov").click()
    page.wait_for_url("**speaker=sergey-lavrov*")  # speakers are people: the facet links the id
    assert query_of(page.url) == {"q": "Kazakhstan", "speaker": "sergey-lavrov"}
    assert "Sergey Lavrov" in page.locator(".chips li", has_text="speaker").inner_text()
    after = int(page.locator("#result-count strong").inner_text())
    assert 0 < after < before
    assert set(page.locator(".hit .speaker-line .who").all_inner_texts()) == {"Sergey Lavrov"}
    page.locator(".facet-year a", has_text="2018").click()
    page.wait_for_url("**from=2018*")
    assert query_of(page.url) == {"q": "Kazakhstan", "speaker": "sergey-lavrov",
                                  "from": "2018", "to": "2018"}  # fmt: skip
    assert set(page.locator(".hit .meta .date").all_inner_texts()) == {"2018-12-09"}
    # a chip removes the filter again
    page.locator(".chips li", has_text="speaker").locator("a").click()
    page.wait_for_url("**/search?q=Kazakhstan&from=2018&to=2018")


def test_malformed_query_shows_the_error_with_status_400(page: Any, server: Server) -> None:
    response = page.goto(server.url + "/search?q=%28sanctions+OR+EU")
    assert response.status == 400
    error = page.locator("pre.query-error").inner_text()
    lines = error.splitlines()
    assert "is never closed" in lines[0]
    assert lines[1].strip() == "(sanctions OR EU"
    assert lines[2].strip() == "^"
    assert page.input_value("#q") == "(sanctions OR EU"  # the query is there to correct


def test_unknown_document_is_a_404_page(page: Any, server: Server) -> None:
    response = page.goto(server.url + "/d/no-such-document")
    assert response.status == 404
    assert "no-such-document" in page.locator(".error-page").inner_text()
    assert page.locator("header.site-header").count() == 1


# -- document, citation, speaker, concordance ---------------------------------------------------
def test_document_page_metadata_versions_and_roles(page: Any, server: Server) -> None:
    page.goto(f"{server.url}/d/{SEED_ID}")
    meta = page.locator(".doc-meta").inner_text()
    assert "2018-12-09 20:00" in meta and "Moscow" in meta
    assert "Ministry of Foreign Affairs of the Russian Federation" in meta
    # the publisher names en and ru; the archive holds the English one only
    assert page.locator(".versions .current").inner_text() == "English"
    assert "not held" in page.locator(".versions .not-held").inner_text()
    assert page.locator("section.turn.role-question").count() == 9
    assert page.locator("section.turn.role-answer").count() == 9
    q_bg, a_bg = (page.locator(s).first.evaluate("e => getComputedStyle(e).backgroundColor")
                  for s in ("section.role-question", "section.role-answer"))  # fmt: skip
    assert q_bg != a_bg  # questions look different from answers
    page.click("details.cite-box > summary")
    assert page.locator("#cite-bib").inner_text().startswith("@misc{")
    # a document with an original page links to it, safely
    page.goto(f"{server.url}/d/{BLOOMBERG_ID}")
    link = page.locator("a.original")
    assert link.get_attribute("href") == "http://en.kremlin.ru/events/president/news/52830"
    assert link.get_attribute("rel") == "noopener noreferrer nofollow"
    assert "CC BY 4.0" in page.locator(".doc-meta").inner_text()


def test_cite_a_turn(page: Any, server: Server) -> None:
    page.goto(f"{server.url}/d/{SEED_ID}")
    page.locator("#t2 a.cite-link").click()
    page.wait_for_url(f"**/d/{SEED_ID}/cite?turn=2")
    revision = api(server, f"/api/v1/documents/{SEED_ID}")["revision"]
    pinned = f"{SEED_ID}@{revision}#t2"
    assert page.locator(".cite-pinned a").get_attribute("href").endswith(f"/d/{pinned}")
    assert "Sergey Lavrov (2018-12-09)" in page.locator("#cite-text").inner_text()
    assert "Turn 2 (answer)" in page.locator("#cite-bib").inner_text()
    csl = json.loads(page.locator("#cite-csl").inner_text())
    assert csl["id"] == pinned and csl["issued"] == {"date-parts": [[2018, 12, 9]]}
    assert page.locator(".quoted .role-question").count() == 1  # the question it answers
    # the pinned link opens that version, on that turn
    page.locator(".cite-pinned a").click()
    page.wait_for_url(f"**/d/{SEED_ID}@{revision}#t2")
    assert "pinned" in page.locator(".doc-meta").inner_text()
    assert page.evaluate("document.querySelector(':target').id") == "t2"


def test_speaker_page(page: Any, server: Server) -> None:
    # a speaker's page is their person's page: every spelling and script of the name
    page.goto(server.url + "/speaker/Sergey%20Lavrov")
    page.wait_for_url("**/person/sergey-lavrov")
    assert page.locator("h1").inner_text() == "Sergey Lavrov"
    years = page.locator(".chart", has=page.locator("h2", has_text="by year"))
    assert years.locator("tr", has_text="2018").locator(".num").inner_text() == "9"  # the seed
    assert "interview" in page.locator(".chart", has_text="kind of document").inner_text()
    labels = page.locator(".chart", has=page.locator("h2", has_text="Labels")).inner_text()
    assert "Sergey Lavrov" in labels and "С.В.Лавров" in labels
    dates = page.locator(".latest-turns .hit .meta .date").all_inner_texts()
    assert dates and dates == sorted(dates, reverse=True)
    page.fill("#sq", "Kazakhstan")
    page.press("#sq", "Enter")
    page.wait_for_url("**/search?*")
    assert query_of(page.url) == {"speaker": "sergey-lavrov", "q": "Kazakhstan"}
    assert set(page.locator(".hit .speaker-line .who").all_inner_texts()) == {"Sergey Lavrov"}
    # a name the register does not know keeps its own page
    page.goto(server.url + "/speaker/Tucker%20Carlson")
    assert page.locator("h1").inner_text() in ("Tucker Carlson", "TUCKER CARLSON")


def test_speaker_suggestions_as_you_type(page: Any, server: Server) -> None:
    page.goto(server.url + "/search")
    page.click("details.advanced > summary")
    page.locator("#f-speaker").press_sequentially("Lavr")
    options = page.locator("#speaker-suggestions option[value='Sergey Lavrov']")
    options.wait_for(state="attached")
    assert options.count() == 1


def test_kwic_page(page: Any, server: Server) -> None:
    page.goto(server.url + "/kwic")
    page.fill("#kq", "Kazakhstan")
    page.select_option("#k-sort", "left")
    page.click("form.search-form button[type=submit]")
    page.wait_for_url("**/kwic?*")
    assert query_of(page.url) == {"q": "Kazakhstan", "sort": "left", "width": "60",
                                  "limit": "500"}  # fmt: skip
    expected = api(server, "/api/v1/kwic?q=Kazakhstan&sort=left")
    rows = page.locator("table.kwic tbody tr")
    assert rows.count() == expected["count"] > 0
    keywords = rows.locator("td.k-key").all_inner_texts()
    assert keywords == [line["keyword"] for line in expected["lines"]]
    assert all(k.lower().startswith("kazakhstan") for k in keywords)
    key_cell = rows.first.locator("td.k-key")
    assert key_cell.evaluate("e => getComputedStyle(e).textAlign") == "center"
    assert rows.first.locator("td.k-left").evaluate("e => getComputedStyle(e).textAlign") in (
        "right", "end", "-webkit-right",
    )  # fmt: skip
    first = expected["lines"][0]
    href = key_cell.locator("a").get_attribute("href")
    assert href == f"/d/{first['doc_id']}#t{first['n']}"
    assert rows.first.locator("td.k-right").inner_text() == first["right"].strip()
    csv_href = page.locator("a.export-csv").get_attribute("href")
    assert csv_href.startswith("/api/v1/kwic?")
    assert query_of(csv_href) == {"q": "Kazakhstan", "sort": "left", "format": "csv"}
    key_cell.locator("a").click()
    page.wait_for_url(f"**/d/{first['doc_id']}#t{first['n']}")


def test_phone_has_no_horizontal_scroll_on_long_russian_text(phone: Any, server: Server) -> None:
    phone.goto(f"{server.url}/d/{RUSSIAN_ID}")
    assert "Лавров" in phone.locator(".turns").inner_text()
    assert no_horizontal_scroll(phone)


# -- safety ---------------------------------------------------------------------------------------
HOSTILE = "\n".join([
    "3 March 202111:00",
    "",
    "Foreign Minister Sergey Lavrov’s interview with <script>alert(1)</script> Radio, Moscow, "
    "March 3, 2021",
    "",
    "",
    "  • en-GB1 ru-RU1",
    "",
    'Question: What do you make of the "><img src=x onerror=alert(1)> tag that someone posted?',
    "",
    "Sergey Lavrov: We read <script>alert(1)</script> as plain text and nothing else. The word "
    + "Достопримечательностивысокопревосходительство" * 4 + " is long, and so is "
    + "中华人民共和国外交部发言人办公室" * 6 + " without spaces.",
    "",
    "Question: And the second one?",
    "",
    'Sergey Lavrov: "><img src=x onerror=alert(1)> is shown as it was written.',
    "",
])  # fmt: skip


def _record_dialog(seen: list[str], dialog: Any) -> None:
    seen.append(dialog.message)
    dialog.dismiss()


@pytest.fixture(scope="module")
def hostile_server(
    request: pytest.FixtureRequest, backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("hostile")
    page_file = folder / "page.txt"
    page_file.write_text(HOSTILE, encoding="utf-8")
    db = new_target(request, backend, folder)
    ingest_into(db, [page_file])
    srv = start_server(db)
    yield srv
    stop_server(srv)


def test_hostile_text_is_shown_literally(chromium: Any, hostile_server: Server) -> None:
    docs = api(hostile_server, "/api/v1/documents")["items"]
    assert len(docs) == 1
    doc_id = docs[0]["id"]
    for viewport in (WIDE, PHONE):
        context = chromium.new_context(viewport=viewport)
        pg = context.new_page()
        dialogs: list[str] = []
        pg.on("dialog", partial(_record_dialog, dialogs))
        response = pg.goto(f"{hostile_server.url}/d/{doc_id}")
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert "<script>alert(1)</script>" in pg.locator("h1").inner_text()
        assert '"><img src=x onerror=alert(1)>' in pg.locator("#t1 .turn-text").inner_text()
        assert '"><img src=x onerror=alert(1)>' in pg.locator("#t4 .turn-text").inner_text()
        assert pg.locator("img").count() == 0
        assert pg.locator("main script").count() == 0
        assert no_horizontal_scroll(pg)  # the long words wrap
        SHOTS.mkdir(parents=True, exist_ok=True)
        name = "phone" if viewport is PHONE else "wide"
        pg.screenshot(path=str(SHOTS / f"hostile-document-{name}.png"), full_page=True)
        pg.goto(f"{hostile_server.url}/search?q=onerror")
        assert pg.locator(".hit").count() == 2
        assert "onerror" in pg.locator(".snippet mark").first.inner_text()
        assert pg.locator("main img").count() == 0
        pg.goto(f"{hostile_server.url}/kwic?q=alert")
        assert pg.locator("table.kwic tbody tr").count() == 3  # turns 1, 2 and 4
        assert pg.locator("main img, main script").count() == 0
        assert dialogs == []
        context.close()


# -- every page on a phone and a wide screen ---------------------------------------------------
PAGES = {
    "home": "/",
    "search": "/search?q=Kazakhstan&role=answer,question",
    "document": f"/d/{SEED_ID}",
    "document-ru": f"/d/{RUSSIAN_ID}",
    "speaker": "/speaker/Sergey%20Lavrov",
    "kwic": "/kwic?q=Kazakhstan",
    "entity": "/entity/KZ",
    "trends": "/trends?q=Kazakhstan&by=year",
    "collocations": "/collocations?q=Kazakhstan",
    "keyness": "/keyness?a=lang%3Aen&b=lang%3Aru",
    "verify": "/verify?q=Kazakhstan+has+become+a+leader+in+advancing+initiatives",
    "person": "/person/sergey-lavrov",
    "api-docs": "/api/v1/docs",
    "help": "/help",
    "error": "/search?q=%28sanctions+OR+EU",
}


# The screenshots are of the web layer, the same on either store: taken once (SQLite), so
# that the two backends do not write the same files.
@pytest.mark.backends("sqlite")
@pytest.mark.parametrize("viewport", ["phone", "wide"])
def test_screenshots_and_layout(chromium: Any, server: Server, viewport: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(viewport=PHONE if viewport == "phone" else WIDE)
    pg = context.new_page()
    problems: list[str] = []
    pg.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: problems.append(str(e)))
    for name, path in PAGES.items():
        pg.goto(server.url + path)
        if name == "api-docs":  # swagger-ui runs under the CSP, from local files
            pg.locator(".swagger-ui .opblock").first.wait_for()
            assert pg.locator(".swagger-ui .opblock").count() >= 8
        assert no_horizontal_scroll(pg), f"{name} scrolls sideways on a {viewport}"
        pg.screenshot(path=str(SHOTS / f"{name}-{viewport}.png"), full_page=name != "api-docs")
    context.close()
    # the error page's 400 is the only console error: no CSP violation, no script error
    assert all("status of 400" in p for p in problems), problems


def test_keyboard_skip_link_and_labels(page: Any, server: Server) -> None:
    page.goto(server.url + "/search")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to content"
    page.keyboard.press("Enter")
    page.wait_for_url("**/search#main", timeout=5000)  # the jump is not instant under load
    assert page.url.endswith("#main")
    page.click("details.advanced > summary")
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('main input:not([type=hidden]), main select')]
             .filter(e => !(e.labels && e.labels.length)).map(e => e.name)"""
    )
    assert unlabelled == []


# -- language versions (the fmprc English/Chinese pair of 2019-03-20) ------------------------------
PAIR_EN, PAIR_ZH = "fmprc-en-t1647080", "fmprc-zh-t1646964"


def test_switch_between_language_versions(page: Any, pair_server: Server) -> None:
    page.goto(f"{pair_server.url}/d/{PAIR_EN}")
    switcher = page.locator("ul.versions")
    assert switcher.locator(".version.current").inner_text() == "English"
    page.click("ul.versions a.version[hreflang=zh]")
    page.wait_for_url(f"**/d/{PAIR_ZH}")
    assert "耿爽" in page.locator("h1.doc-title").inner_text()
    assert page.locator("ul.versions .version.current").inner_text() == "中文"
    # and back, through the English link of the Chinese page
    page.click("ul.versions a.version[hreflang=en]")
    page.wait_for_url(f"**/d/{PAIR_EN}")
    assert "Geng Shuang" in page.locator("h1.doc-title").inner_text()


def test_side_by_side_view_of_two_versions(page: Any, pair_server: Server) -> None:
    page.goto(f"{pair_server.url}/d/{PAIR_EN}")
    page.click("ul.versions a.compare")
    page.wait_for_url(f"**/align/{PAIR_EN}/{PAIR_ZH}")
    rows = page.locator(".align-row")
    assert rows.count() == 10  # five questions and five answers, each matched
    assert page.locator(".align-row.unmatched").count() == 0
    first = rows.nth(0).locator(".align-cell")
    assert "Nazarbayev" in first.nth(0).inner_text()
    assert "纳扎尔巴耶夫" in first.nth(1).inner_text()
    assert "Every question has a counterpart" in page.locator(".align-summary").inner_text()
    # the first answer's four paragraphs face their translations, paragraph by paragraph
    answer = rows.nth(1)
    assert "paired-paragraphs" in (answer.get_attribute("class") or "")
    paras = answer.locator(".align-cell.para")
    assert paras.count() == 8
    assert "27 years" in paras.nth(2).inner_text() and "27年" in paras.nth(3).inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "align-wide.png"), full_page=True)


def test_entity_and_person_pages(page: Any, server: Server) -> None:
    page.goto(f"{server.url}/d/{SEED_ID}#t2")
    # turn 2 of the seed names Kazakhstan and the EAEU: its "Named" line links to them
    page.click("#t2 .named a.entity:text('Eurasian Economic Union')")
    page.wait_for_url("**/entity/org%3AEAEU")
    assert page.locator("h1.entity-name").inner_text() == "Eurasian Economic Union"
    assert "Евразийский экономический союз" in page.locator(".entity-names").inner_text()
    page.click("a:text('Sergey Lavrov')")
    page.wait_for_url("**/person/sergey-lavrov")
    labels = page.locator(".chart:has(h2:text('Labels')) th").all_inner_texts()
    assert {"Sergey Lavrov", "С.В.Лавров"} <= set(labels)


def test_entity_facet_filters_by_entity(page: Any, server: Server) -> None:
    page.goto(server.url + "/search?q=Kazakhstan")
    page.locator(".facet-entity a", has_text="Eurasian Economic Union").click()
    page.wait_for_url("**entity=org*EAEU*")
    assert query_of(page.url) == {"q": "Kazakhstan", "entity": "org:EAEU"}
    assert "Eurasian Economic Union" in page.locator(".chips li", has_text="entity").inner_text()
    texts = page.locator(".hit .snippet").all_inner_texts()
    assert texts and all("Kazakhstan" in t for t in texts)
    api_hits = api(server, "/api/v1/search?q=Kazakhstan&entity=EAEU&size=100")
    assert int(page.locator("#result-count strong").inner_text()) == api_hits["total"]
