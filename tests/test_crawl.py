"""The crawler against a simulated site on loopback built from the real corpus pages
(tests/sitesim.py), with an injected clock: no internet, no real waiting for rate limits."""

from __future__ import annotations

import gzip
import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from communique.cli import app
from communique.crawl.crawler import Crawler, CrawlReport
from communique.crawl.extract import Rule, list_items, parse_html
from communique.crawl.fetch import Fetcher
from communique.crawl.profile import (
    BUILTIN_SITES,
    ProfileError,
    find_profiles,
    load_profile,
    profile_named,
)
from communique.store import open_store
from tests.conftest import CORPUS, db_options
from tests.sitesim import FMPRC, SiteSim, add_fmprc, add_kremlin

EN_LIST = "https://www.fmprc.gov.cn/mfa_eng/xwfw_665399/s2510_665401/2511_665403/"
ZH_LIST = "https://www.fmprc.gov.cn/web/wjdt_674879/fyrbt_674889/"
FMPRC_DIR = CORPUS / "fmprc_en_zh"
START = 1_800_000_000.0  # 2027-01-15T08:00:00Z


class FakeClock:
    """The crawler's clock: sleeping moves time on at once."""

    def __init__(self) -> None:
        self.t = START

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += max(seconds, 0.0)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sim(clock: FakeClock) -> Iterator[SiteSim]:
    s = SiteSim(clock=clock.now)
    s.start()
    yield s
    s.stop()


def crawl(store, sim: SiteSim, clock: FakeClock, site: str = "fmprc", **kw) -> CrawlReport:
    profile = profile_named(site)
    fetcher = Fetcher.for_profile(profile, clock=clock, timeout=0.5, mirror=sim.url)
    try:
        return Crawler(store, profile, fetcher).run(**kw)
    finally:
        fetcher.close()


def linked(list_file: str, base: str) -> list[str]:
    """Item URLs a real fmprc list page links to, read with plain lxml (no crawler code)."""
    import lxml.html

    doc = lxml.html.fromstring((FMPRC_DIR / list_file).read_bytes())
    hrefs = doc.xpath('//div[@class="newsLst_mod" or @class="rebox_news"]/ul/li/a/@href')
    return [base + h.removeprefix("./") for h in hrefs]


# -- profiles -----------------------------------------------------------------------------------
def test_shipped_profiles_load() -> None:
    files = find_profiles()
    assert {"fmprc", "kremlin", "mid", "state", "whitehouse"} <= set(files)
    for name, file in files.items():
        assert file.parent == BUILTIN_SITES
        assert load_profile(file).name == name
    assert [s.lang for s in profile_named("fmprc").lists] == ["en", "zh"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('name = "x"\n', "bad.toml: lists: missing"),
        ('name = "x"\n[[lists]]\nname = "a"\n', "bad.toml: lists[0].start: missing"),
        (
            'name = "x"\n[[lists]]\nname = "a"\nstart = "https://e.org/"\n'
            '[lists.items]\nitem = "//li"\nlnk = "//a/@href"\n',
            "bad.toml: lists[0].items.lnk: unknown key",
        ),
        (
            'name = "x"\n[[lists]]\nname = "a"\nstart = "https://e.org/"\n'
            '[lists.items]\nitem = "//li[has-class(\'a\')"\nlink = "//a/@href"\n',
            "bad.toml: lists[0].items.item: not an XPath expression",
        ),
        (
            'name = "x"\n[[lists]]\nname = "a"\nstart = "https://e.org/"\n'
            '[lists.pages]\ntemplate = "page.html"\n'
            '[lists.items]\nitem = "//li"\nlink = "//a/@href"\n',
            "bad.toml: lists[0].pages.template: must contain {n}",
        ),
        (
            'name = "x"\nmin_interval = "fast"\n[[lists]]\nname = "a"\nstart = "https://e.org/"\n'
            '[lists.items]\nitem = "//li"\nlink = "//a/@href"\n',
            "bad.toml: min_interval: must be a float",
        ),
        ('name = "x"\n[[lists]\n', "bad.toml: not valid TOML"),
    ],
)
def test_profile_errors_name_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError) as e:
        load_profile(bad)
    assert message in str(e.value)


def test_user_sites_dir_and_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mine = tmp_path / "sites"
    mine.mkdir()
    text = (BUILTIN_SITES / "fmprc.toml").read_text(encoding="utf-8")
    (mine / "fmprc.toml").write_text(text.replace("min_interval = 3.0", "min_interval = 9.0"))
    (mine / "extra.toml").write_text(text.replace('name = "fmprc"', 'name = "extra"'))
    assert profile_named("fmprc", [mine]).min_interval == 9.0  # the user's copy wins
    monkeypatch.setenv("COMMUNIQUE_SITES", str(mine))
    assert profile_named("extra").lists[0].name == "en"
    with pytest.raises(ProfileError, match=r"no site profile 'nowhere'.*--sites-dir"):
        profile_named("nowhere")


# -- the registry's rules on real list pages ---------------------------------------------------
def registry() -> list[dict]:
    lines = (CORPUS / "mfa_source_registry" / "urlconfig.ndjson").read_text(encoding="utf-8")
    rows = [json.loads(line) for line in lines.splitlines() if line.strip()]
    return [r for r in rows if "index" not in r]


def test_registry_has_class_rules_on_real_fmprc_list_pages() -> None:
    entry = next(r for r in registry() if r["url"].endswith("/2511_665403"))
    assert entry["global"] == '//div[has-class("newsLst_mod")]/ul/li'
    item, link, title = (
        Rule.parse(entry["global"]),
        Rule.parse(entry["link"]),
        Rule.parse(entry["title"]),
    )
    for file, n, first, last, first_title in [
        (
            "default.html",
            40,
            "t1794629",
            "t1776657",
            "Foreign Ministry Spokesperson Zhao Lijian's Regular Press Conference on July 3, 2020",
        ),
        (
            "default_11.html",
            40,
            "t1587065",
            "t1567808",
            "Foreign Ministry Spokesperson Lu Kang's Regular Press Conference on August 21, 2018",
        ),
    ]:
        doc = parse_html((FMPRC_DIR / "en" / "regular_presscon" / file).read_bytes())
        items = list_items(doc, EN_LIST + file, item=item, link=link, title=title)
        assert len(items) == n
        assert items[0].url == f"{EN_LIST}{first}.shtml"
        assert items[-1].url == f"{EN_LIST}{last}.shtml"
        assert items[0].title == first_title
    # the other China entries share the rule; the "hot_lst" one finds nothing on this page
    hot = next(r for r in registry() if r["global"] == '//div[has-class("hot_lst")]/ul/li')
    doc = parse_html((FMPRC_DIR / "en" / "regular_presscon" / "default.html").read_bytes())
    assert Rule.parse(hot["global"]).values(doc) == []


def test_has_class_needs_every_class_named() -> None:
    wh = next(r for r in registry() if r["url"] == "https://www.whitehouse.gov/briefing-room")
    doc = parse_html(
        b'<div class="row justify-content-center articles-and-side-nav extra">'
        b'<article><h2><a href="/a">A</a></h2></article></div>'
        b'<div class="row justify-content-center"><article><h2><a href="/b">B</a></h2>'
        b"</article></div>"
    )
    items = list_items(
        doc,
        "https://www.whitehouse.gov/briefing-room/",
        item=Rule.parse(wh["global"]),
        link=Rule.parse(wh["link"]),
    )
    assert [i.url for i in items] == ["https://www.whitehouse.gov/a"]


def test_fmprc_profile_reads_dates_of_real_zh_list_page() -> None:
    spec = profile_named("fmprc").lists[1]
    doc = parse_html((FMPRC_DIR / "zh" / "index_page" / "default.html").read_bytes())
    items = spec.items(doc, ZH_LIST + "default.shtml")
    assert len(items) == 15
    assert items[0].url == ZH_LIST + "t1794584.shtml"
    assert items[0].title == "2020年7月3日外交部发言人赵立坚主持例行记者会"
    assert items[0].date == "2020-07-03"
    assert items[3].title == "外交部发言人就全国人大常委会审议通过香港国安法发表谈话"
    assert items[-1].date == "2020-06-15"


# -- crawling the simulated fmprc site ---------------------------------------------------------
EDITED = EN_LIST + "t1794629.shtml"  # July 3, 2020: a ministry edits it after the first run
REMOVED = EN_LIST + "t1794266.shtml"  # July 2: removed before the second run
DISALLOWED = EN_LIST + "t1793861.shtml"  # July 1: robots.txt says no
FLAKY = EN_LIST + "t1793427.shtml"  # June 30: two 500s, then fine
BROKEN = EN_LIST + "t1793120.shtml"  # June 29: 500 on every attempt of the first run
SLOW = ZH_LIST + "t1794584.shtml"  # too slow to answer once, then fine


def fmprc_site(sim: SiteSim) -> dict[str, str]:
    served = add_fmprc(
        sim, CORPUS, {"en/regular_presscon/default.html", "zh/index_page/default.html"}
    )
    sim.robots[FMPRC] = (
        "User-agent: *\nDisallow: /mfa_eng/xwfw_665399/s2510_665401/2511_665403/t1793861.shtml\n"
    )
    sim.fail_first[(FMPRC, BROKEN.split(FMPRC)[1])] = 4  # 1 try + 3 retries
    sim.fail_first[(FMPRC, FLAKY.split(FMPRC)[1])] = 2
    sim.slow[(FMPRC, SLOW.split(FMPRC)[1])] = (1.0, 1)  # the fetcher waits 0.5 s
    return served


def test_crawl_fmprc_lifecycle(archive_target: str, sim: SiteSim, clock: FakeClock) -> None:
    served = fmprc_site(sim)
    listed = linked("en/regular_presscon/default.html", EN_LIST) + linked(
        "zh/index_page/default.html", ZH_LIST
    )
    assert len(listed) == 55
    missing = [u for u in listed if u not in served]  # the corpus keeps some pages aside
    store = open_store(archive_target)

    first = crawl(store, sim, clock, since="2000-01-01")
    ok = len(listed) - len(missing) - 2  # less the disallowed page and the broken one
    assert (first.listed, first.list_pages) == (55, 2)
    assert (first.fetched, first.new, first.gone) == (ok, ok, len(missing))
    assert (first.disallowed, first.failed) == (1, 1)
    assert not sim.hits_of(DISALLOWED)
    assert len(store.crawl_pages(site="fmprc", state="ok")) == ok + 2  # and the 2 list pages
    # every page fetched is stored raw, byte for byte, with what the answer said
    row = store.crawl_page(
        "https://fmprc.gov.cn/mfa_eng/xwfw_665399/s2510_665401/2511_665403/t1794629.shtml"
    )
    assert row is not None and row["state"] == "ok" and row["etag"]
    raw = store.get_raw(row["sha256"])
    assert raw is not None and raw.data == (FMPRC_DIR / served[EDITED]).read_bytes()
    assert raw.meta["url"] == EDITED and raw.meta["status"] == 200
    doc = store.get(row["doc_id"])
    assert doc is not None
    assert (
        doc.title
        == "Foreign Ministry Spokesperson Zhao Lijian's Regular Press Conference on July 3, 2020"
    )
    assert doc.date == "2020-07-03"
    assert (
        doc.url is not None and "fmprc.gov.cn/mfa_eng/" in doc.url
    )  # the real URL, not the mirror
    # retries with backoff, on the injected clock
    flaky = [h.at for h in sim.hits_of(FLAKY)]
    assert [h.status for h in sim.hits_of(FLAKY)] == [500, 500, 200]
    assert flaky[1] - flaky[0] >= 2.0 and flaky[2] - flaky[1] >= 4.0
    assert len(sim.hits_of(SLOW)) == 2
    broken = store.crawl_page("https://fmprc.gov.cn" + BROKEN.split(FMPRC)[1])
    assert broken is not None and len(sim.hits_of(BROKEN)) == 4
    assert (broken["state"], broken["failures"], broken["error"]) == ("failed", 1, "HTTP 500")
    assert broken["next_try"] > broken["last_tried"]
    # the rate limit: never two requests to the host closer than the profile's interval
    times = [h.at for h in sim.hits]
    assert all(b - a >= 3.0 for a, b in itertools.pairwise(times))
    assert all("communique/" in h.headers["User-Agent"] for h in sim.hits)

    # the ministry edits one page and removes another; the broken page is mended
    clock.t += 3 * 3600
    sim.hits.clear()
    page = (FMPRC_DIR / served[EDITED]).read_bytes()
    assert page.count(b"In response to Chinese ") == 1
    sim.change(EDITED, page.replace(b"In response to Chinese ", b"In reply to Chinese "))
    sim.remove(REMOVED, 410)
    second = crawl(store, sim, clock, since="2000-01-01")
    assert (second.updated, second.new, second.fetched) == (1, 1, 2)
    assert second.unchanged == ok - 2  # conditional requests answered 304
    assert second.gone == len(missing) + 1 and second.failed == 0
    conditional = [h for h in sim.hits if "If-None-Match" in h.headers]
    assert len(conditional) == ok + 2 and sum(h.status == 304 for h in sim.hits) == ok - 2 + 2
    assert not sim.hits_of(DISALLOWED)
    revisions = store.revisions(row["doc_id"])
    assert len(revisions) == 2
    old = store.get_raw(revisions[0]["raw_sha256"])
    assert old is not None and b"In response to Chinese " in old.data  # the cited version stays
    assert "In reply to Chinese" in json.dumps(store.get(row["doc_id"]).to_dict())
    gone = store.crawl_page("https://fmprc.gov.cn" + REMOVED.split(FMPRC)[1])
    assert gone is not None and (gone["state"], gone["http_status"]) == ("gone", 410)
    assert gone["gone_since"] and store.get(gone["doc_id"]) is not None  # permalinks still work
    mended = store.crawl_page(broken["url"])
    assert mended is not None and mended["state"] == "ok" and mended["doc_id"]


def test_unavailable_robots_txt_means_no_crawl(
    archive_target: str, sim: SiteSim, clock: FakeClock
) -> None:
    fmprc_site(sim)
    sim.robots[FMPRC] = None
    store = open_store(archive_target)
    report = crawl(store, sim, clock, since="2020-07-01")
    assert {h.path for h in sim.hits} == {"/robots.txt"}
    assert (
        report.failed == 2 and "robots.txt of www.fmprc.gov.cn unavailable" in report.failures[0][1]
    )
    assert store.get_state("crawl:fmprc:last_success") is None  # the next run tries again


def test_failed_page_waits_for_next_try(
    archive_target: str, sim: SiteSim, clock: FakeClock
) -> None:
    fmprc_site(sim)
    store = open_store(archive_target)
    crawl(store, sim, clock, since="2020-06-29", until="2020-06-29")
    assert len(sim.hits_of(BROKEN)) == 4
    clock.t += 60  # well before next_try: not asked again
    again = crawl(store, sim, clock, since="2020-06-29", until="2020-06-29")
    assert len(sim.hits_of(BROKEN)) == 4 and again.failed == 0
    clock.t += 2 * 3600
    later = crawl(store, sim, clock, since="2020-06-29", until="2020-06-29")
    assert len(sim.hits_of(BROKEN)) == 5 and later.new == 1


def test_interrupted_run_resumes_without_refetching(
    archive_target: str, sim: SiteSim, clock: FakeClock
) -> None:
    fmprc_site(sim)
    sim.fail_first.clear()
    sim.slow.clear()
    store = open_store(archive_target)
    # EN from June 22 (8 items, one disallowed), ZH from June 22 (9 items), all in the corpus
    first = crawl(store, sim, clock, since="2020-06-22", max_pages=5)
    assert first.stopped and first.fetched == 5
    assert store.get_state("crawl:fmprc:last_success") is None
    clock.t += 60
    second = crawl(store, sim, clock, since="2020-06-22")
    assert not second.stopped
    items = [h for h in sim.hits if "/t" in h.path]
    assert len(items) == len({(h.host, h.path) for h in items}) == 16  # each item page once
    assert first.listed == second.listed == 17
    assert first.fetched + second.fetched == 16  # the disallowed page is never fetched
    assert first.new + second.new + second.skipped == 16
    assert store.get_state("crawl:fmprc:last_success") == "2027-01-15"
    # the next run starts from the last complete run: nothing listed that old is due
    third = crawl(store, sim, clock)
    assert third.since == "2027-01-15" and third.listed == 0 and third.fetched == 0


def test_fetched_but_not_ingested_is_caught_up(
    archive_target: str, sim: SiteSim, clock: FakeClock
) -> None:
    fmprc_site(sim)
    store = open_store(archive_target)
    crawl(store, sim, clock, since="2020-07-03")
    row = store.crawl_page(
        "https://fmprc.gov.cn/mfa_eng/xwfw_665399/s2510_665401/2511_665403/t1794629.shtml"
    )
    assert row is not None and row["doc_id"]
    # as if the run had died after storing the page but before ingesting it
    store.delete(row["doc_id"])
    store.query("DELETE FROM paths WHERE path = ?", (row["url"],))
    hits = len(sim.hits_of(EDITED))
    report = crawl(store, sim, clock, since="2027-01-16")
    assert report.caught_up == 1 and report.new == 1
    assert len(sim.hits_of(EDITED)) == hits  # from the stored raw input, not fetched again
    assert store.get(row["doc_id"]) is not None


# -- kremlin: list pages built for real item pages, Russian versions by URL rewrite ----------
def test_crawl_kremlin_with_versions_and_dates(
    archive_target: str, sim: SiteSim, clock: FakeClock
) -> None:
    # 17173 News conference (2012-12-20), 52830 Interview to Bloomberg (2016-09-05),
    # 6152 European Security Treaty (2009-11-29), 7506 Russian-Uzbekistani talks (2010-04-20)
    urls = add_kremlin(sim, CORPUS, [17173, 52830, 6152, 7506], per_page=2)
    assert urls[0].endswith("/52830")
    store = open_store(archive_target)
    report = crawl(store, sim, clock, site="kremlin", since="2010-01-01", until="2013-12-31")
    assert report.list_pages == 2  # the second page has an item older than --since: stop
    assert (report.new, report.fetched) == (2, 2)  # 17173 and 7506
    ru = [h for h in sim.hits if h.host == "kremlin.ru"]
    assert sorted(h.path for h in ru if h.path != "/robots.txt") == [
        "/events/president/news/17173",
        "/events/president/news/7506",
    ]
    assert report.gone == 2  # the Russian pages are not in the corpus: the test site says 404
    row = store.crawl_page("https://en.kremlin.ru/events/president/news/17173")
    assert row is not None
    doc = store.get(row["doc_id"])
    assert doc is not None and doc.title == "News conference of Vladimir Putin"
    # served gzipped as the corpus keeps it: stored as the page itself
    raw = store.get_raw(row["sha256"])
    page = gzip.decompress((CORPUS / "kremlin_en" / "html" / "017173.html.gz").read_bytes())
    assert raw is not None and raw.data == page
    assert doc.date == "2012-12-20"
    version = store.crawl_page("https://kremlin.ru/events/president/news/17173")
    assert version is not None and version["meta"]["version_of"] == row["url"]
    assert not sim.hits_of("http://en.kremlin.ru/events/president/news/52830")


# -- the command line ---------------------------------------------------------------------------
def test_cli_crawl_with_mirror_and_sites_dir(
    archive_target: str, sim: SiteSim, tmp_path: Path
) -> None:
    add_fmprc(sim, CORPUS, {"en/regular_presscon/default.html"})
    sites = tmp_path / "sites"
    sites.mkdir()
    text = (BUILTIN_SITES / "fmprc.toml").read_text(encoding="utf-8")
    (sites / "fmprc.toml").write_text(text.replace("min_interval = 3.0", "min_interval = 0.0"))
    runner = CliRunner()
    listing = runner.invoke(app, ["crawl", "--list", "--json", "--sites-dir", str(sites)])
    assert listing.exit_code == 0, listing.output
    assert {r["site"] for r in json.loads(listing.stdout)} >= {"fmprc", "kremlin", "mid"}
    args = [
        "crawl",
        "fmprc",
        *db_options(archive_target),
        "--mirror",
        sim.url,
        "--since",
        "2020-07-01",
        "--sites-dir",
        str(sites),
        "--json",
        "-q",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    # EN: July 3, 2, 1; the ZH list page is not served (a failure, retried next time)
    assert (summary["new"], summary["listed"], summary["failed"]) == (3, 3, 1)
    again = json.loads(runner.invoke(app, args).stdout)
    assert (again["new"], again["unchanged"]) == (0, 3)
    bad = runner.invoke(app, ["crawl", "nowhere", "--sites-dir", str(sites)])
    assert bad.exit_code == 2 and "no site profile 'nowhere'" in bad.output


def test_version_rewrites_give_the_real_twins() -> None:
    (kremlin,) = profile_named("kremlin").lists
    (rw,) = kremlin.rewrites
    # the real page names its Russian twin in <link rel="alternate" hreflang="ru">
    page = gzip.decompress((CORPUS / "kremlin_en" / "html" / "017173.html.gz").read_bytes())
    twin = Rule.parse('//link[@rel="alternate"][@hreflang="ru"]/@href').values(parse_html(page))
    assert twin == ["http://kremlin.ru/events/president/news/17173"]
    assert rw.pattern.sub(rw.replace, "http://en.kremlin.ru/events/president/news/17173") == twin[0]
    (mid,) = profile_named("mid").lists
    (rw,) = mid.rewrites
    # official_transcripts cites https://mid.ru/en/foreign_policy/news/1810023/ (English)
    got = rw.pattern.sub(rw.replace, "https://mid.ru/en/foreign_policy/news/1810023/")
    assert got == "https://mid.ru/ru/foreign_policy/news/1810023/"


def test_css_rules_read_the_same_real_list_page() -> None:
    doc = parse_html((FMPRC_DIR / "en" / "regular_presscon" / "default.html").read_bytes())
    item, link = Rule.parse("css:div.newsLst_mod > ul > li"), Rule.parse("css:a")
    by_css = list_items(doc, EN_LIST + "default.shtml", item=item, link=link)
    assert [i.url for i in by_css] == linked("en/regular_presscon/default.html", EN_LIST)
