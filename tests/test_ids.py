"""URLs, publishers, the sites' own ids and record ids, on URLs taken from the corpus."""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

import pytest

from communique.structure.ids import (
    PUBLISHER_SHORT,
    canonical_url,
    document_id,
    publisher_doc_id,
    publisher_from_url,
    url_lang,
)

from .conftest import SEED

csv.field_size_limit(1 << 30)
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# ------------------------------------------------------------------------- canonical_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # Wayback captures (official_transcripts, cmfa_presscon_subset)
        ("https://web.archive.org/web/20231126213347/https://www.mid.ru/ru/foreign_policy/news/1867466/",
         "https://mid.ru/ru/foreign_policy/news/1867466"),
        ("https://web.archive.org/web/20250313164326/https://mid.ru/ru/foreign_policy/news/2002637",
         "https://mid.ru/ru/foreign_policy/news/2002637"),
        ("https://web.archive.org/web/20250418013820/http://kremlin.ru/catalog/countries/UA/events/67825",
         "https://kremlin.ru/catalog/countries/UA/events/67825"),
        ("https://web.archive.org/web/20250622221346/http://www.kremlin.ru/events/president/news/37497",
         "https://kremlin.ru/events/president/news/37497"),
        ("http://web.archive.org/web/20030907084940/http://www.fmprc.gov.cn:80/eng/xwfw/2510/2511/t14647.htm",
         "https://fmprc.gov.cn/eng/xwfw/2510/2511/t14647.htm"),
        ("https://web.archive.org/web/20030501010101/https://2001-2009.state.gov/secretary/former/powell/remarks/2003/20665.htm",
         "https://2001-2009.state.gov/secretary/former/powell/remarks/2003/20665.htm"),
        # capture flags
        ("https://web.archive.org/web/20231126213347id_/https://www.mid.ru/ru/foreign_policy/news/1867466/",
         "https://mid.ru/ru/foreign_policy/news/1867466"),
        ("https://web.archive.org/web/20231126213347if_/http://mid.ru/ru/foreign_policy/news/1867466",
         "https://mid.ru/ru/foreign_policy/news/1867466"),
        # Wayback sometimes collapses the inner '//'
        ("https://web.archive.org/web/20231126213347/http:/www.mid.ru/ru/foreign_policy/news/1867466/",
         "https://mid.ru/ru/foreign_policy/news/1867466"),
        # an empty '?' (lavrov_ukraine_combined.csv), a fragment, an upper-case host
        ("https://www.mid.ru/en/foreign_policy/news/1810023/?",
         "https://mid.ru/en/foreign_policy/news/1810023"),
        ("http://en.kremlin.ru/events/president/news/52830#comments",
         "https://en.kremlin.ru/events/president/news/52830"),
        ("HTTP://WWW.FMPRC.GOV.CN/mfa_eng/xwfw_665399/s2510_665401/2511_665403/t1794629.shtml",
         "https://fmprc.gov.cn/mfa_eng/xwfw_665399/s2510_665401/2511_665403/t1794629.shtml"),
        # a meaningful query is kept, tracking parameters are not
        ("https://abcnews.go.com/US/full-transcript-trumps-exclusive-100-days-broadcast-interview/story?id=121",
         "https://abcnews.go.com/US/full-transcript-trumps-exclusive-100-days-broadcast-interview/story?id=121"),
        ("https://abcnews.go.com/Politics/story?id=123708097&utm_source=twitter&fbclid=x",
         "https://abcnews.go.com/Politics/story?id=123708097"),
        # non-ASCII in a path is percent-encoded the one way
        ("https://en.wikisource.org/wiki/Transcript_of_the_2025_Trump–Zelenskyy_meeting",
         "https://en.wikisource.org/wiki/Transcript_of_the_2025_Trump%E2%80%93Zelenskyy_meeting"),
        ("https://en.wikisource.org/wiki/Transcript_of_the_2025_Trump%e2%80%93Zelenskyy_meeting",
         "https://en.wikisource.org/wiki/Transcript_of_the_2025_Trump%E2%80%93Zelenskyy_meeting"),
        # no scheme
        ("kremlin.ru/d/76600", "https://kremlin.ru/d/76600"),
        ("  https://www.state.gov/secretary-of-state-marco-rubio-with-kaitlan-collins-of-cnn/  ",
         "https://state.gov/secretary-of-state-marco-rubio-with-kaitlan-collins-of-cnn"),
        ("https://www.fmprc.gov.cn/", "https://fmprc.gov.cn"),
    ],
)  # fmt: skip
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


@pytest.mark.parametrize("url", [None, "", "   "])
def test_canonical_url_empty(url: str | None) -> None:
    assert canonical_url(url) is None


def test_canonical_url_is_idempotent() -> None:
    for u in ("https://web.archive.org/web/20221127042304/https://www.mid.ru/ru/foreign_policy/news/1840230/",
              "https://abcnews.go.com/US/story?id=121", "kremlin.ru/d/76600"):  # fmt: skip
        c = canonical_url(u)
        assert canonical_url(c) == c


# ----------------------------------------------------------------- publisher, id, lang


@pytest.mark.parametrize(
    ("url", "publisher", "doc_id", "lang"),
    [
        ("http://en.kremlin.ru/events/president/news/52830", "kremlin.ru", "52830", "en"),
        ("http://kremlin.ru/events/president/news/52830", "kremlin.ru", "52830", "ru"),
        ("http://en.kremlin.ru/events/president/news/6152", "kremlin.ru", "6152", "en"),
        ("https://web.archive.org/web/20250418013820/http://kremlin.ru/catalog/countries/UA/events/67825",
         "kremlin.ru", "67825", "ru"),
        ("https://web.archive.org/web/20000401000000/https://kremlin.ru/events/president/transcripts/21355",
         "kremlin.ru", "21355", "ru"),
        ("http://en.kremlin.ru/d/41443", "kremlin.ru", "41443", "en"),
        ("http://en.kremlin.ru/events/president/news/copy/41443", "kremlin.ru", "41443", "en"),
        ("http://en.kremlin.ru/events/president/news/17173/print", "kremlin.ru", "17173", "en"),
        ("http://en.kremlin.ru/events/president/news", "kremlin.ru", None, "en"),
        ("http://en.kremlin.ru/events/president/news/by-date/29.05.2001", "kremlin.ru", None, "en"),
        ("http://en.special.kremlin.ru/events/president/news", "kremlin.ru", None, "en"),
        ("https://www.fmprc.gov.cn/mfa_eng/xwfw_665399/s2510_665401/2511_665403/t1794629.shtml",
         "fmprc.gov.cn", "t1794629", "en"),
        ("https://www.fmprc.gov.cn/web/wjdt_674879/fyrbt_674889/t1552853.shtml",
         "fmprc.gov.cn", "t1552853", "zh"),
        ("https://www.fmprc.gov.cn/web/wjdt_674879/fyrbt_674889/default_12.shtml",
         "fmprc.gov.cn", None, "zh"),
        ("https://www.fmprc.gov.cn/mfa_eng/xwfw_665399/s2510_665401/2511_665403/202203/t20220302_10647299.html",
         "fmprc.gov.cn", "t20220302_10647299", "en"),
        ("https://www.fmprc.gov.cn/eng/xwfw_665399/s2510_665401/2511_665403/202310/t20231017_11162371.html",
         "fmprc.gov.cn", "t20231017_11162371", "en"),
        ("http://web.archive.org/web/20030907084940/http://www.fmprc.gov.cn:80/eng/xwfw/2510/2511/t14647.htm",
         "fmprc.gov.cn", "t14647", "en"),
        ("https://www.mfa.gov.cn/eng/xw/fyrbt/lxjzh/202405/t20240530_11367107.html",
         "fmprc.gov.cn", "t20240530_11367107", "en"),
        ("https://www.fmprc.gov.cn/robots.txt", "fmprc.gov.cn", None, None),
        ("https://www.mid.ru/en/foreign_policy/news/1810023/?", "mid.ru", "1810023", "en"),
        ("https://mid.ru/ru/foreign_policy/news/1799937/", "mid.ru", "1799937", "ru"),
        ("https://web.archive.org/web/20231126213347/https://www.mid.ru/ru/foreign_policy/news/1867466/",
         "mid.ru", "1867466", "ru"),
        ("https://mid.ru/en/foreign_policy/international_safety/1618725/",
         "mid.ru", "1618725", "en"),
        ("https://www.mid.ru/en/press_service/minister_speeches/-/asset_publisher/7OvQR5KJWVmR/content/id/3444256",
         "mid.ru", "3444256", "en"),
        ("https://obamawhitehouse.archives.gov/the-press-office/2016/08/03/press-briefing-press-secretary-josh-earnest-832016",
         "whitehouse.gov", None, None),
        ("https://www.whitehouse.gov/briefing-room/press-briefings/", "whitehouse.gov", None, None),
        ("https://georgewbush-whitehouse.archives.gov/news/releases/2001/06/20010618.html",
         "whitehouse.gov", None, None),
        ("https://web.archive.org/web/20250215064359/https://2021-2025.state.gov/secretary-blinken-and-secretary-austins-travel-to-ukraine/",
         "state.gov", None, None),
        ("https://web.archive.org/web/20010203173100/https://1997-2001.state.gov/statements/1999/991210b.html",
         "state.gov", None, None),
        ("https://www.state.gov/releases/office-of-the-spokesperson/2025/07/x",
         "state.gov", None, None),
        ("https://www.presidency.ucsb.edu/documents/press-briefing-joe-lockhart-100",
         None, None, None),
        ("https://singjupost.com/full-transcript-foreign-minister-sergey-lavrovs-interview-to-tucker-carlson/",
         None, None, None),
        ("https://notkremlin.ru/events/president/news/1", None, None, None),
        ("https://mid.ru.example.com/ru/foreign_policy/news/1867466", None, None, None),
    ],
)  # fmt: skip
def test_publisher_id_lang(url: str, publisher: str | None, doc_id: str | None,
                           lang: str | None) -> None:  # fmt: skip
    assert publisher_from_url(url) == publisher
    assert publisher_doc_id(publisher, url) == doc_id
    assert url_lang(url) == lang


@pytest.mark.parametrize("url", [None, ""])
def test_empty_url(url: str | None) -> None:
    assert publisher_from_url(url) is None
    assert publisher_doc_id("kremlin.ru", url) is None
    assert url_lang(url) is None


def test_publisher_doc_id_without_publisher_reads_it_from_the_url() -> None:
    assert publisher_doc_id(None, "http://en.kremlin.ru/events/president/news/52830") == "52830"


def test_kremlin_manifest(corpus: Path) -> None:
    """Every en.kremlin.ru page and its Russian twin carry the manifest's news id."""
    rows = _rows(corpus / "kremlin_en" / "manifest.csv")
    for r in rows:
        assert publisher_from_url(r["url"]) == "kremlin.ru"
        assert publisher_doc_id("kremlin.ru", r["url"]) == r["news_id"]
        assert url_lang(r["url"]) == "en"
        if r["ru_url"]:
            assert publisher_doc_id("kremlin.ru", r["ru_url"]) == r["news_id"]
            assert url_lang(r["ru_url"]) == "ru"
    assert len(rows) > 6000


def test_fmprc_manifest(corpus: Path) -> None:
    """The fmprc id is the file's stem; the language section agrees with the manifest."""
    rows = _rows(corpus / "fmprc_en_zh" / "manifest.csv")
    checked = 0
    for r in rows:
        stem = Path(r["file"]).stem
        expected = stem if re.fullmatch(r"t\d+", stem) else None  # default_N, error pages
        assert publisher_from_url(r["url"]) == "fmprc.gov.cn"
        assert publisher_doc_id("fmprc.gov.cn", r["url"]) == expected, r["url"]
        if r["lang"] in ("en", "zh"):
            assert url_lang(r["url"]) == r["lang"], r["url"]
            checked += 1
    assert checked > 1300


def test_cmfa_links(corpus: Path) -> None:
    """CMFA links (100 of them Wayback captures, some with ':80') all resolve to fmprc ids."""
    rows = _rows(corpus / "cmfa_presscon_subset" / "ukraine_dataset_combined.csv")
    for r in rows:
        assert publisher_from_url(r["link"]) == "fmprc.gov.cn"
        assert re.fullmatch(r"t\d+(_\d+)?", publisher_doc_id(None, r["link"]) or ""), r["link"]
        assert url_lang(r["link"]) == "en"
        assert canonical_url(r["link"]).startswith("https://fmprc.gov.cn/")
    # the same press conference via Wayback and directly is one URL
    assert canonical_url(
        "http://web.archive.org/web/20140406061603/http://www.fmprc.gov.cn/mfa_eng/xwfw_665399/"
        "s2510_665401/2511_665403/t1144400.shtml"
    ) == canonical_url(
        "https://www.fmprc.gov.cn/mfa_eng/xwfw_665399/s2510_665401/2511_665403/t1144400.shtml"
    )


def test_official_transcripts_urls(corpus: Path) -> None:
    expected_by_file = {
        "lavrov_all_raw.csv": {"mid.ru"},
        "lavrov_ukraine_combined.csv": {"mid.ru", None},  # 2 rows are from singjupost.com
        "russia_ukraine_putin.csv": {"kremlin.ru"},
        "us_chechnya_powell_archive.csv": {"state.gov"},
        "us_ukraine_blinken.csv": {"state.gov"},
        "us_ukraine_rubio.csv": {"state.gov"},
    }
    for name, expected in expected_by_file.items():
        rows = _rows(corpus / "official_transcripts" / name)
        found = {publisher_from_url(r["url"]) for r in rows}
        assert found == expected, name


# --------------------------------------------------------------------------- document_id


def test_document_id_from_publisher_id() -> None:
    kw = dict(url=None, title=None, date=None, text="")
    assert document_id(publisher="kremlin.ru", lang="en", publisher_id="52830", **kw) == (
        "kremlin-en-52830"
    )
    assert document_id(publisher="fmprc.gov.cn", lang="en", publisher_id="t1794629", **kw) == (
        "fmprc-en-t1794629"
    )
    assert document_id(publisher="mid.ru", lang="ru", publisher_id="1867466", **kw) == (
        "midru-ru-1867466"
    )
    # new-style fmprc ids keep both numbers; '_' is not an id character
    assert document_id(publisher="fmprc.gov.cn", lang="en", publisher_id="t20220302_10647299",
                       **kw) == "fmprc-en-t20220302-10647299"  # fmt: skip
    assert document_id(publisher="kremlin.ru", lang=None, publisher_id="52830", **kw) == (
        "kremlin-und-52830"
    )


def test_document_id_same_for_wayback_and_direct_url() -> None:
    direct = "https://2021-2025.state.gov/secretary-antony-j-blinken-remarks-to-the-press-31/"
    wayback = "https://web.archive.org/web/20250403171930/" + direct
    a = document_id(publisher="state.gov", lang="en", publisher_id=None, url=direct,
                    title="A", date=None, text="one")  # fmt: skip
    b = document_id(publisher="state.gov", lang="en", publisher_id=None, url=wayback,
                    title="B", date="2024-01-01", text="two")  # fmt: skip
    assert a == b
    assert re.fullmatch(r"stategov-[0-9a-f]{12}", a)
    other = document_id(publisher=None, lang=None, publisher_id=None, url=direct, title=None,
                        date=None, text="")  # fmt: skip
    assert other == "web-" + a.split("-", 1)[1]


def test_document_id_from_text_survives_reencoding() -> None:
    text = SEED.read_text(encoding="utf-8")
    title = "Foreign Minister Sergey Lavrov’s interview with Khabar Agency, December 9, 2018"

    def did(t: str, ti: str) -> str:
        return document_id(publisher="mid.ru", lang="en", publisher_id=None, url=None,
                           title=ti, date="2018-12-09", text=t)  # fmt: skip

    base = did(text, title)
    assert re.fullmatch(r"midru-[0-9a-f]{12}", base)
    # Windows line ends, a BOM, NBSPs, decomposed accents, a cp1252 round trip, case
    assert did(text.replace("\n", "\r\n"), title) == base
    assert did("\ufeff" + text, title) == base
    assert did(text.replace(" ", "\xa0", 50), title) == base
    assert did(unicodedata.normalize("NFD", text), unicodedata.normalize("NFD", title)) == base
    assert did(text.encode("cp1252", "replace").decode("cp1252"), title) == base
    assert did(text, title.upper()) == base
    # but a different text is a different document
    assert did(text + " Thank you.", title) != base
    assert did(text, title) != did(text, title + " (abridged)")
    assert document_id(publisher=None, lang=None, publisher_id=None, url=None, title=title,
                       date="2018-12-09", text=text).startswith("doc-")  # fmt: skip


def test_document_ids_only_safe_characters(corpus: Path) -> None:
    ids = set()
    for r in _rows(corpus / "fmprc_en_zh" / "manifest.csv"):
        pub = publisher_from_url(r["url"])
        did = document_id(publisher=pub, lang=url_lang(r["url"]),
                          publisher_id=publisher_doc_id(pub, r["url"]), url=r["url"],
                          title=r["title"], date=r["date"], text="")  # fmt: skip
        assert ID_RE.match(did), did
        ids.add(did)
    assert len(ids) == len(_rows(corpus / "fmprc_en_zh" / "manifest.csv"))
    assert set(PUBLISHER_SHORT.values()) == {"kremlin", "fmprc", "midru", "whitehouse", "stategov"}
