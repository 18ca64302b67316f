"""The analysis pages in a real browser (Debian's Chromium driven by Playwright) over a real
``communique serve`` process on the search archive (see ``conftest.SEARCH_INPUTS``): the
interactive trend chart of ``/trends`` (``static/js/trends.js``), ``/who-says`` and
``/frequencies``, each checked against its ``/api/v1`` endpoint.

In the search archive, "Kazakhstan" matches 11 turns of 2018 (the seed: Lavrov to Khabar),
2160 English words that year, so 50.93 per 10,000 words: a small sample (fewer than 10,000
words). Nothing is dated 2019, 2021 or 2023: gaps.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import Server
from tests.test_web import PHONE, SHOTS, WIDE, api, no_horizontal_scroll, query_of

TREND = "/trends?q=Kazakhstan&by=year"


def _context(chromium: Any, viewport: dict[str, int], **kw: Any) -> Iterator[tuple[Any, list]]:
    context = chromium.new_context(viewport=viewport, **kw)
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    problems: list[str] = []
    pg.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: problems.append(str(e)))
    yield pg, problems
    context.close()


@pytest.fixture
def wide(chromium: Any) -> Iterator[tuple[Any, list]]:
    yield from _context(chromium, WIDE)


@pytest.fixture
def phone(chromium: Any) -> Iterator[tuple[Any, list]]:
    yield from _context(chromium, PHONE, is_mobile=True, has_touch=True)


def point(pg: Any, series: int, period_index: int) -> Any:
    return pg.locator(f'#trend-chart .point[data-series="{series}"][data-index="{period_index}"]')


def test_trend_tooltip_switch_and_legend(wide: tuple[Any, list], server: Server) -> None:
    pg, problems = wide
    data = api(server, "/api/v1/trend?q=Kazakhstan&by=year")
    i = data["periods"].index("2018")
    hits, per_10k = data["series"][0]["hits"][i], data["series"][0]["per_10k"][i]
    assert hits == 11 and round(per_10k, 2) == 50.93  # what the archive holds (see above)

    pg.goto(server.url + TREND)
    chart = pg.locator("#trend-chart.enhanced")
    chart.wait_for()
    # a point per period with documents; none for the gaps (2019, 2021, 2023)
    gaps = [p for p, w in zip(data["periods"], data["series"][0]["words"], strict=True) if not w]
    assert gaps == ["2019", "2021", "2023"]
    assert data["series"][0]["per_10k"][data["periods"].index("2019")] is None
    assert chart.locator(".point").count() == len(data["periods"]) - len(gaps)
    assert point(pg, 0, data["periods"].index("2019")).count() == 0
    tip = chart.locator(".chart-tooltip")
    assert tip.is_hidden()
    # hover the 2018 point: period, series, hits first, then the rate
    point(pg, 0, i).hover()
    assert tip.is_visible()
    assert tip.locator(".tt-period").inner_text() == "2018"
    assert tip.locator(".tt-series").inner_text() == "all"
    assert tip.locator(".tt-value").inner_text() == f"{hits} matching turns"
    assert tip.locator(".tt-other").inner_text() == f"{per_10k:.2f} per 10,000 words"
    # counts, the 95% interval and the small sample (2160 words) in the hover
    low, high = data["series"][0]["low"][i], data["series"][0]["high"][i]
    assert low < per_10k < high
    assert tip.locator(".tt-ci").inner_text() == f"95% CI {low:.2f}–{high:.2f} in 2,160 words"
    assert "small sample" in tip.locator(".tt-small").inner_text()
    assert "small" in (point(pg, 0, i).get_attribute("class") or "")
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / "trends-interactive-wide.png"), full_page=True)
    # the switch redraws the chart per 10,000 words, without reloading
    pg.evaluate("window.__same_page = true")
    pg.get_by_label("Per 10,000 words", exact=True).first.check()
    assert pg.evaluate("window.__same_page === true")
    assert query_of(pg.url).get("per_10k") == "1"  # a reload keeps the choice
    assert pg.locator('form input[name="per_10k"]').is_checked()
    assert "Per 10,000 words" in chart.locator(".chart-unit").inner_text()
    point(pg, 0, i).hover()
    assert tip.locator(".tt-value").inner_text() == f"{per_10k:.2f} per 10,000 words"
    assert tip.locator(".tt-other").inner_text() == f"{hits} matching turns"
    # the axis is redrawn for the rates: 50.93 at most, so 0 to 60 by 20
    assert chart.locator(".grid text.ylabel").all_text_contents() == ["0", "20", "40", "60"]
    # keyboard: Tab reaches the first point, arrows move to 2018, the tooltip follows focus
    pg.get_by_label("Matching turns", exact=True).first.check()
    point(pg, 0, 0).focus()
    assert tip.locator(".tt-period").inner_text() == data["periods"][0]
    for _ in range(i):
        pg.keyboard.press("ArrowRight")
    assert pg.evaluate("document.activeElement.dataset.index") == str(i)
    assert tip.locator(".tt-value").inner_text() == f"{hits} matching turns"
    label = point(pg, 0, i).get_attribute("aria-label")
    assert label is not None and label.startswith("2018, all: 11 matching turns")
    assert point(pg, 0, i).get_attribute("tabindex") == "0"
    pg.keyboard.press("Escape")
    assert tip.is_hidden()
    # Enter opens the turns behind the point: the search with the same query and the year
    point(pg, 0, i).focus()
    pg.keyboard.press("Enter")
    pg.wait_for_url("**/search?**")
    assert query_of(pg.url) == {"q": "Kazakhstan", "lang": "en", "from": "2018-01-01",
                                "to": "2018-12-31"}  # fmt: skip
    assert api(server, "/api/v1/search?" + urlsplit(pg.url).query)["total"] == hits
    assert problems == []


def test_trend_table_links_gaps_and_small_samples(wide: tuple[Any, list], server: Server) -> None:
    pg, problems = wide
    data = api(server, "/api/v1/trend?q=Kazakhstan&by=year")
    pg.goto(server.url + TREND)
    rows = pg.locator("table.stats tbody tr")
    assert rows.count() == len(data["periods"])
    gap = rows.nth(data["periods"].index("2019"))
    assert gap.get_attribute("class") == "gap" and "no documents" in gap.inner_text()
    assert "0.00" not in gap.inner_text()
    i = data["periods"].index("2018")
    row = rows.nth(i)
    assert row.get_attribute("class") == "small"
    assert row.locator("td.hits a").inner_text() == "11"
    href = row.locator("td.rate a").get_attribute("href")
    assert href == data["series"][0]["search"][i]
    assert row.locator("td.ci").inner_text() == (
        f"{data['series'][0]['low'][i]:.2f}–{data['series'][0]['high'][i]:.2f}"
    )
    row.locator("td.hits a").click()
    pg.wait_for_url("**/search?**")
    assert f"{11}" in pg.locator(".results-bar .count, p.count").first.inner_text()
    assert problems == []


def test_trend_legend_hides_a_series(wide: tuple[Any, list], server: Server) -> None:
    pg, problems = wide
    data = api(server, "/api/v1/trend?q=Kazakhstan&by=year&split=publisher")
    names = [s["name"] for s in data["series"]]
    assert "mid.ru" in names and len(names) >= 2
    pg.goto(server.url + TREND + "&split=publisher")
    chart = pg.locator("#trend-chart.enhanced")
    chart.wait_for()
    buttons = chart.locator(".chart-legend button.legend-item")
    assert buttons.all_inner_texts() == names
    assert chart.locator("g.series").count() == len(names)
    mid = buttons.filter(has_text="mid.ru")
    assert mid.get_attribute("aria-pressed") == "true"
    k = names.index("mid.ru")
    at = data["periods"].index("2018")  # mid.ru has nothing before 2018: gaps, no points
    assert point(pg, k, 0).count() == 0 and point(pg, k, at).count() == 1
    mid.click()
    assert mid.get_attribute("aria-pressed") == "false"
    assert chart.locator("g.series").count() == len(names) - 1
    assert point(pg, k, at).count() == 0  # its points are gone
    # the other series stay and the axis now fits them (mid.ru had the 11 of 2018)
    others = [s for s in data["series"] if s["name"] != "mid.ru"]
    top = max(max(s["hits"]) for s in others)
    axis = [float(t) for t in chart.locator(".grid text.ylabel").all_text_contents()]
    assert top <= max(axis) < 11
    assert axis == list(range(len(axis)))  # whole turns: 0, 1, 2
    mid.click()
    assert mid.get_attribute("aria-pressed") == "true"
    assert chart.locator("g.series").count() == len(names)
    assert problems == []


def test_who_says_matches_the_api(wide: tuple[Any, list], server: Server) -> None:
    pg, problems = wide
    expected = api(server, "/api/v1/who-says?q=Kazakhstan")["people"]
    lavrov = next(p for p in expected if p["who"] == "sergey-lavrov")
    pg.goto(server.url + "/who-says?q=Kazakhstan")
    rows = pg.locator("table.who-says tbody tr")
    assert rows.count() == len(expected)
    assert [rows.nth(n).get_attribute("data-who") for n in range(rows.count())] == [
        p["who"] for p in expected
    ]
    row = pg.locator('tr[data-who="sergey-lavrov"]')
    assert row.locator("td.hits").inner_text() == str(lavrov["hits"])
    cells = row.locator("td").all_inner_texts()
    assert cells[2] == str(lavrov["words"])
    assert cells[3:] == [f"{lavrov['per_10k']:.2f}", f"{lavrov['low']:.2f}–{lavrov['high']:.2f}",
                         f"{lavrov['expected']:.2f}", f"{lavrov['ratio']:.2f}",
                         f"{lavrov['ll']:.1f}"]  # fmt: skip
    # the hits link to Lavrov's matching turns, in the query's language
    hits_href = row.locator("td.hits a").get_attribute("href")
    assert query_of(hits_href) == {"q": "Kazakhstan", "speaker": "sergey-lavrov", "lang": "en"}
    assert api(server, "/api/v1/search?" + urlsplit(hits_href).query)["total"] == lavrov["hits"]
    link = row.locator("td:first-child a")
    assert link.get_attribute("href") == "/person/sergey-lavrov"
    assert link.inner_text() == "Sergey Lavrov"
    # the API links carry the same query
    csv_href = pg.locator("a.export-csv").get_attribute("href")
    assert urlsplit(csv_href).path == "/api/v1/who-says"
    assert query_of(csv_href) == {"q": "Kazakhstan", "format": "csv"}
    assert query_of(pg.locator("a.export-json").get_attribute("href")) == {"q": "Kazakhstan"}
    # the sub-navigation marks the page and links the others
    nav = pg.locator("nav.analyse-nav")
    assert nav.locator("[aria-current=page]").inner_text() == "Who says it"
    assert nav.locator("a").all_inner_texts() == [
        "Trends", "Who says it", "Collocations", "Keyness", "Frequencies"]  # fmt: skip
    # the filters of the advanced settings reach the API: Lavrov only in answers
    pg.click("details.advanced > summary")
    pg.check("input[name=lang][value=en]")
    pg.click("form.search-form button[type=submit]")
    pg.wait_for_url("**lang=en**")
    filtered = api(server, "/api/v1/who-says?" + urlsplit(pg.url).query)["people"]
    assert pg.locator("table.who-says tbody tr").count() == len(filtered)
    assert problems == []


def test_frequencies_match_the_api(wide: tuple[Any, list], server: Server) -> None:
    pg, problems = wide
    expected = api(server, "/api/v1/frequencies?q=Kazakhstan&ngrams=2")
    assert expected["rows"] and expected["rows"][0]["words"] == "foreign policy"
    pg.goto(server.url + "/frequencies?q=Kazakhstan&ngrams=2")
    rows = pg.locator("table.frequencies tbody tr")
    assert rows.count() == len(expected["rows"])
    items = pg.locator("table.frequencies td.item").all_inner_texts()
    counts = pg.locator("table.frequencies td.count").all_inner_texts()
    assert items == [r["words"] for r in expected["rows"]]
    assert counts == [str(r["freq"]) for r in expected["rows"]]
    assert f"in {expected['words']} words" in pg.locator(".results-bar .count").inner_text()
    assert pg.locator("#f-ngrams").input_value() == "2"
    csv_href = pg.locator("a.export-csv").get_attribute("href")
    assert urlsplit(csv_href).path == "/api/v1/frequencies"
    assert query_of(csv_href) == {"q": "Kazakhstan", "ngrams": "2", "format": "csv"}
    pg.screenshot(path=str(SHOTS / "frequencies-wide.png"), full_page=True)
    # keeping stop words changes the list as the API's does
    pg.select_option("#f-stop", "false")
    pg.click("form.search-form button[type=submit]")
    pg.wait_for_url("**stopwords=false**")
    kept = api(server, "/api/v1/frequencies?" + urlsplit(pg.url).query)
    assert pg.locator("table.frequencies td.item").all_inner_texts() == [
        r["words"] for r in kept["rows"]
    ]
    assert problems == []


def test_frequencies_page_waits_for_the_form(wide: tuple[Any, list], server: Server) -> None:
    pg, _ = wide
    pg.goto(server.url + "/frequencies")
    assert pg.locator("table.frequencies").count() == 0
    pg.click("form.search-form button[type=submit]")  # no query: the whole archive
    pg.wait_for_url("**/frequencies?*")
    assert pg.locator("table.frequencies tbody tr").count() > 0
    response = pg.goto(server.url + "/frequencies?ngrams=9")
    assert response is not None and response.status == 400
    assert "ngrams must be" in pg.locator(".error-box").inner_text()


@pytest.mark.parametrize(
    "path", [TREND, TREND + "&split=publisher", "/who-says?q=Kazakhstan",
             "/frequencies?q=Kazakhstan&ngrams=2"],
)  # fmt: skip
def test_phone_layout(phone: tuple[Any, list], server: Server, path: str) -> None:
    pg, problems = phone
    pg.goto(server.url + path)
    if path.startswith("/trends"):
        chart = pg.locator("#trend-chart.enhanced")
        chart.wait_for()
        # drawn at the phone's width: the labels keep their size instead of shrinking
        box = chart.locator("svg").bounding_box()
        view = chart.locator("svg").get_attribute("viewBox").split()
        assert box is not None and abs(float(view[2]) - box["width"]) <= 1
        last = chart.locator(".point").last
        last.tap()
        tip = chart.locator(".chart-tooltip").bounding_box()
        assert tip is not None and tip["x"] >= 0 and tip["x"] + tip["width"] <= PHONE["width"]
    assert no_horizontal_scroll(pg), f"{path} scrolls sideways on a phone"
    if path.startswith("/who-says"):
        pg.screenshot(path=str(SHOTS / "who-says-phone.png"), full_page=True)
    if path == TREND:
        pg.screenshot(path=str(SHOTS / "trends-interactive-phone.png"), full_page=True)
    assert problems == []


def test_a_misspelt_speaker_gets_a_suggestion(wide: tuple[Any, list], server: Server) -> None:
    pg, problems = wide
    # "Lavorv" is no speaker of the archive; Lavrov answers 11 turns on Kazakhstan in the seed
    res = api(server, "/api/v1/search?q=Kazakhstan&speaker=Lavorv")
    assert res["total"] == 0
    assert res["message"] == "No speaker matches “Lavorv”: did you mean Lavrov?"
    inside = api(server, "/api/v1/search?q=Kazakhstan%20speaker:lavorv")
    assert inside["message"] == "No speaker matches “lavorv”: did you mean Lavrov?"
    assert "message" not in api(server, "/api/v1/search?q=Kazakhstan&speaker=Lavrov")
    nobody = api(server, "/api/v1/search?q=Kazakhstan&speaker=Qwxyz")
    assert nobody["message"] == "No speaker matches “Qwxyz”."
    pg.goto(server.url + "/search?q=Kazakhstan&speaker=Lavorv")
    hint = pg.locator(".speaker-hint")
    assert hint.inner_text().startswith("No speaker matches “Lavorv”: did you mean Lavrov?")
    hint.locator("a").click()
    pg.wait_for_url("**speaker=Lavrov**")
    assert int(pg.locator("#result-count strong").inner_text()) > 0
    assert problems == []


def _html(server: Server, path: str) -> str:
    import urllib.request

    with urllib.request.urlopen(server.url + path, timeout=30) as r:
        return r.read().decode()


def test_navigation_people_entities_and_help(wide: tuple[Any, list], server: Server) -> None:
    from communique.search.query import FIELDS

    pg, problems = wide
    pg.goto(server.url + "/help")
    nav = pg.locator("nav[aria-label=Main] a")
    assert {"People", "Entities"} <= set(nav.all_inner_texts())
    # every filter of the query language is documented, entity: included
    documented = pg.locator("table.help-table tbody td:first-child code").all_inner_texts()
    assert set(documented) >= {f"{name}:" for name in FIELDS}
    assert "entity:KZ" in pg.locator("#filters + p + div table.help-table").inner_text()
    # People: the API's people, most turns first, each linked to its page and its turns
    people = api(server, "/api/v1/people?size=50")["items"]
    pg.locator("nav[aria-label=Main] a", has_text="People").click()
    pg.wait_for_url("**/people")
    rows = pg.locator("table.people-list tbody tr")
    assert rows.count() == len(people)
    lavrov = next(p for p in people if p["id"] == "sergey-lavrov")
    row = pg.locator('table.people-list tr[data-id="sergey-lavrov"]')
    assert row.locator("td").nth(2).inner_text() == str(lavrov["turns"])
    assert row.locator("a").first.get_attribute("href") == "/person/sergey-lavrov"
    pg.fill("#pq", "lavr")
    pg.click("form.search-form button")
    pg.wait_for_url("**q=lavr**")
    assert pg.locator("table.people-list tbody tr").all_inner_texts()[0].find("Lavrov") > 0
    # Entities: Kazakhstan is named in the seed
    entities = api(server, "/api/v1/entities?size=50")["items"]
    kz = next(e for e in entities if e["id"] == "country:KZ")
    pg.locator("nav[aria-label=Main] a", has_text="Entities").click()
    pg.wait_for_url("**/entities")
    row = pg.locator('table.entity-list tr[data-id="country:KZ"]')
    assert row.locator("td").nth(2).inner_text() == str(kz["mentions"])
    row.locator("td").nth(2).locator("a").click()
    pg.wait_for_url("**/search?**")
    assert int(pg.locator("#result-count strong").inner_text()) > 0
    assert "Previous" not in _html(server, "/entities")
    assert problems == []


def test_concordance_gives_the_total_and_reads_on_a_phone(
    phone: tuple[Any, list], server: Server
) -> None:
    pg, problems = phone
    every = api(server, "/api/v1/kwic?q=Russia&limit=5000")
    total = every["count"]
    assert total > 10
    turns = api(server, "/api/v1/search?q=Russia&size=1")["total"]
    pg.goto(server.url + "/kwic?q=Russia&limit=10")
    count = pg.locator("#kwic-count").inner_text()
    assert count.startswith(f"{total:,} lines: the first 10 shown"), count
    assert f"in {turns:,} matching turns" in count
    rows = pg.locator("table.kwic tbody tr")
    assert rows.count() == 10
    # on a phone each line is two rows: the source above, the context on one line below,
    # with room for words either side of the keyword
    row = rows.first
    src, left, key, right = (row.locator(f"td.{c}").bounding_box() for c in
                             ("k-src", "k-left", "k-key", "k-right"))  # fmt: skip
    assert src["y"] + src["height"] <= key["y"] + 1
    assert abs(left["y"] - key["y"]) < 2 and abs(right["y"] - key["y"]) < 2
    assert left["x"] < key["x"] < right["x"]
    assert left["width"] > 90 and right["width"] > 90
    assert row.locator(".k-who").is_visible()
    assert no_horizontal_scroll(pg)
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / "kwic-phone.png"), full_page=True)
    pg.goto(server.url + f"/kwic?q=Russia&limit={total}")
    assert pg.locator("#kwic-count").inner_text().startswith(f"{total:,} lines")
    assert "shown" not in pg.locator("#kwic-count").inner_text()
    assert problems == []


def test_keyness_counts_link_to_their_lines(wide: tuple[Any, list], server: Server) -> None:
    pg, problems = wide
    pg.goto(server.url + "/keyness?a=date%3A2017&b=date%3A2018&min=3")
    row = pg.locator("table.stats tbody tr").first
    word = row.locator("td").first.inner_text()
    count = int(row.locator("td.a a").inner_text())
    row.locator("td.a a").click()
    pg.wait_for_url("**/kwic?**")
    assert query_of(pg.url)["q"] == f'"{word}" date:2017'
    shown = pg.locator("#kwic-count").inner_text()
    assert shown.startswith(f"{count:,} line"), (word, shown)
    assert problems == []
