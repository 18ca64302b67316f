"""Trends, who-says, collocations, keyness and frequency lists over the small real search
archive (tests/conftest.py), checked against counts made here independently."""

from __future__ import annotations

import itertools
import json
import math
import re
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from communique import Archive
from communique.analysis import stats
from communique.analysis.stopwords import is_stop
from communique.enrich.labels import label_rows

from .conftest import copy_archive, db_options, open_archive, rows_of

WORD = re.compile(r"[^\W_]+")


def words_of(text: str) -> list[str]:
    return [w.lower().replace("ё", "е") for w in WORD.findall(text)]


def turns(db: str, where: str = "1 = 1", args: tuple = ()) -> list[str]:
    sql = f"SELECT t.text FROM turns t JOIN documents d ON d.id = t.doc_id WHERE {where}"
    return [r["text"] for r in rows_of(db, sql + " ORDER BY t.doc_id, t.n", args)]


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.status, r.read().decode()


# -- formulas ---------------------------------------------------------------------------------
def test_association_formulas_by_hand() -> None:
    # O11 = 10 in 200 window slots; the collocate 30 times, the node 20, in 1000 words:
    # E11 = 200 * 30 / 1000 = 6; the 2x2 table 10 190 / 20 780, expected 6 194 / 24 776
    s = stats.association(10, 20, 30, 1000, 200)
    assert s["mi"] == pytest.approx(math.log2(10 / 6))
    assert s["t"] == pytest.approx(4 / math.sqrt(10))
    assert s["logdice"] == pytest.approx(14 + math.log2(20 / 50))
    ll = 2 * (10 * math.log(10 / 6) + 190 * math.log(190 / 194) + 20 * math.log(20 / 24)
              + 780 * math.log(780 / 776))  # fmt: skip
    assert ll == pytest.approx(3.0274, abs=1e-3)
    assert s["ll"] == pytest.approx(ll)
    # repulsion: fewer than expected gives a negative LL
    assert stats.association(1, 20, 30, 1000, 200)["ll"] < 0


def test_keyness_formulas_by_hand() -> None:
    # 20 in 1000 words against 5 in 1000: E1 = E2 = 12.5
    ll = 2 * (20 * math.log(20 / 12.5) + 5 * math.log(5 / 12.5))
    assert stats.log_likelihood_2(20, 5, 1000, 1000) == pytest.approx(ll)
    assert stats.log_likelihood_2(5, 20, 1000, 1000) == pytest.approx(-ll)
    assert stats.log_ratio(20, 5, 1000, 1000) == pytest.approx(2.0)
    assert stats.log_ratio(8, 0, 1000, 1000) == pytest.approx(4.0)  # zero counted as 0.5


def test_moving_average_and_periods() -> None:
    assert stats.moving_average([3, 6, 9, 0], 3) == [3, 4.5, 6, 5]
    assert stats.period_of(20140506, "quarter") == "2014-Q2"
    assert stats.period_of(20141231, "month") == "2014-12"


def test_stopwords() -> None:
    assert is_stop("the") and is_stop("и") and is_stop("的") and is_stop("2014")
    assert not is_stop("sanctions") and not is_stop("санкции") and not is_stop("合作")


# -- trends -----------------------------------------------------------------------------------
def test_trend_counts_equal_search_totals(search_archive) -> None:
    tr = stats.trend(search_archive.index, "Russia", by="year")
    assert tr.series[0].name == "all"
    by_year = dict(zip(tr.periods, tr.series[0].hits, strict=True))
    assert sum(by_year.values()) > 0
    for year, hits in by_year.items():
        total = search_archive.search("Russia", date_from=year, date_to=year, limit=0).total
        assert hits == total, year
    # undated turns (the White House briefing) are in no period
    assert tr.total <= search_archive.search("Russia", limit=0).total


def test_trend_per_10k_uses_the_words_of_the_period(search_db: Path, search_archive) -> None:
    tr = stats.trend(search_archive.index, "Russia", by="year", per_10k=True, window=2)
    s = tr.series[0]
    for year in ("2017", "2018"):  # years without Chinese text: words are runs of letters
        i = tr.periods.index(year)
        words = sum(len(words_of(t)) for t in turns(search_db, "d.date LIKE ?", (f"{year}%",)))
        assert s.words[i] == words
        assert s.hits[i] > 0
        assert s.per_10k[i] == pytest.approx(s.hits[i] * 10000 / words)
    assert s.avg is not None and s.avg[1] == pytest.approx((s.per_10k[0] + s.per_10k[1]) / 2)


def test_trend_split_by_publisher_adds_up(search_archive) -> None:
    whole = stats.trend(search_archive.index, "Russia", by="year")
    split = stats.trend(search_archive.index, "Russia", by="year", split="publisher")
    assert {s.name for s in split.series} >= {"kremlin.ru"}
    assert sum(sum(s.hits) for s in split.series) == whole.total
    kremlin = next(s for s in split.series if s.name == "kremlin.ru")
    total = search_archive.search("Russia", publisher="kremlin.ru", limit=0).total
    assert sum(kremlin.hits) == total


def test_who_says(search_archive) -> None:
    rows = stats.who_says(search_archive.index, "Russia")
    assert rows and rows == sorted(rows, key=lambda r: -r.hits)
    top = rows[0]
    assert top.hits == search_archive.search("Russia", speaker=top.who, limit=0).total
    assert top.per_10k == pytest.approx(top.hits * 10000 / top.words)
    assert top.ratio == pytest.approx(top.hits / top.expected)


def _wilson(h: int, n: int) -> tuple[float, float]:
    """The 95% Wilson score interval of h/n per 10,000, written out here (z = 1.96)."""
    z, p = 1.959963984540054, h / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - half) * 10000, (centre + half) * 10000


def lavrov_words(db: str, langs: tuple[str, ...]) -> int:
    """Lavrov's words in ``langs`` (the index drops words of 40 bytes or more, such as
    "человеконенавистнический")."""
    marks = ",".join("?" * len(langs))
    return sum(sum(len(w.encode()) < 40 for w in words_of(t)) for t in turns(
        db, f"t.person = 'sergey-lavrov' AND d.lang IN ({marks})", langs))  # fmt: skip


def test_rates_count_the_words_of_the_query_language(search_db: str, search_archive) -> None:
    # Lavrov speaks English (the seed, 2018; mid.ru 2022) and Russian (mid.ru 2022-2023):
    # a rate of an English word counts his English words only, a Russian word his Russian ones
    en = {r.who: r for r in stats.who_says(search_archive.index, "Ukraine")}["sergey-lavrov"]
    assert en.words == lavrov_words(search_db, ("en",))
    assert en.hits == search_archive.search("Ukraine", speaker="sergey-lavrov", limit=0).total
    assert en.per_10k == pytest.approx(en.hits * 10000 / en.words)
    ru = {r.who: r for r in stats.who_says(search_archive.index, "Украина")}["sergey-lavrov"]
    assert ru.words == lavrov_words(search_db, ("ru",)) and ru.words != en.words
    # the languages the filters allow, when they say
    both = {r.who: r for r in stats.who_says(search_archive.index, "Ukraine", lang="en,ru")}
    assert both["sergey-lavrov"].words == lavrov_words(search_db, ("en", "ru"))
    assert both["sergey-lavrov"].per_10k < en.per_10k
    tr = stats.trend(search_archive.index, "Kazakhstan")
    assert tr.langs == ["en"]
    i = tr.periods.index("2022")  # mid.ru in English and Russian that year
    en_2022 = sum(len(words_of(t)) for t in turns(
        search_db, "d.date LIKE '2022%' AND d.lang = 'en'"))  # fmt: skip
    assert tr.series[0].words[i] == en_2022
    assert stats.query_langs(search_archive.parse("合作"), ["en", "ru", "zh"]) == ("zh",)
    assert stats.query_langs(search_archive.parse("speaker:lavrov"), ["en", "ru"]) is None


def test_trend_gaps_are_not_zero(search_archive) -> None:
    tr = stats.trend(search_archive.index, "Russia", by="year", split="publisher", per_10k=True,
                     window=2)  # fmt: skip
    kremlin = next(s for s in tr.series if s.name == "kremlin.ru")
    # kremlin.ru pages of 2016 and 2017 only: 2018 on is a gap, not a rate of 0
    i = tr.periods.index("2018")
    assert kremlin.words[i] == 0 and kremlin.per_10k[i] is None
    assert kremlin.low[i] is None and kremlin.high[i] is None and not kremlin.small[i]
    assert kremlin.avg is not None and kremlin.avg[i] is None
    row = next(r for r in tr.rows() if r["series"] == "kremlin.ru" and r["period"] == "2018")
    assert row["per_10k"] is None
    # a period with words and no hit is a real 0
    mid = next(s for s in tr.series if s.name == "mid.ru")
    assert mid.words[tr.periods.index("2018")] > 0
    whole = stats.trend(search_archive.index, "Kazakhstan", by="year")
    s = whole.series[0]
    assert s.per_10k[whole.periods.index("2019")] is None  # nothing dated 2019
    assert s.per_10k[whole.periods.index("2016")] == 0.0


def test_small_samples_are_marked_with_an_interval(search_archive) -> None:
    tr = stats.trend(search_archive.index, "Russia", by="year", split="publisher")
    kremlin = next(s for s in tr.series if s.name == "kremlin.ru")
    i = tr.periods.index("2017")  # one meeting of 2017: one hit in 1958 English words
    assert (kremlin.hits[i], kremlin.words[i]) == (1, 1958)
    assert kremlin.small[i] and not kremlin.small[tr.periods.index("2016")]  # 14,806 words
    low, high = _wilson(1, 1958)
    assert kremlin.low[i] == pytest.approx(low) and kremlin.high[i] == pytest.approx(high)
    assert kremlin.low[i] < kremlin.per_10k[i] < kremlin.high[i]
    assert stats.trend(search_archive.index, "Russia", split="publisher", min_sample=1000).series[
        0].small[0] is False  # fmt: skip
    rows = {r.who: r for r in stats.who_says(search_archive.index, "Ukraine")}
    carlson = rows["journalist:tucker-carlson"]  # 2 questions in 886 words
    assert carlson.small and (carlson.hits, carlson.words) == (2, 886)
    assert (carlson.low, carlson.high) == pytest.approx(_wilson(2, 886))
    assert not rows["sergey-lavrov"].small


def test_every_number_links_to_its_turns(search_archive) -> None:
    from urllib.parse import parse_qs, urlsplit

    def total(url: str) -> int:
        assert urlsplit(url).path == "/search"
        p = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        return search_archive.search(
            p.pop("q", ""), speaker=p.pop("speaker", None), lang=p.pop("lang", None),
            publisher=p.pop("publisher", None), date_from=p.pop("from", None),
            date_to=p.pop("to", None), limit=0).total  # fmt: skip

    tr = stats.trend(search_archive.index, "Russia", by="year", split="publisher")
    checked = 0
    for s in tr.series:
        for i, p in enumerate(tr.periods):
            if s.words[i] and s.name != "(none)":
                assert total(s.search[i]) == s.hits[i], (s.name, p)
                checked += 1
    assert checked >= 4
    for r in stats.who_says(search_archive.index, "Ukraine"):
        assert total(r.search) == r.hits, r.who


# -- collocations -----------------------------------------------------------------------------
def test_collocates_of_kazakhstan_are_near_it_in_the_seed(search_db: Path, search_archive) -> None:
    res = stats.collocations(search_archive.index, "Kazakhstan", window=5, min_freq=2, sort="freq")
    assert res.f_n > 0 and res.collocates
    assert "kazakhstan" in res.forms
    words = [c.word for c in res.collocates]
    assert not any(is_stop(w) for w in words)
    # count the top collocate independently: within 5 words of a form of the node
    top = res.collocates[0]
    seen = 0
    for text in turns(search_db):
        toks = words_of(text)
        for i, t in enumerate(toks):
            if t in res.forms:
                around = toks[max(0, i - 5) : i] + toks[i + 1 : i + 6]
                seen += around.count(top.word)
    assert seen == top.f_nc
    assert top.f_nc >= 2
    # without stop words removed, a function word comes first by frequency
    raw = stats.collocations(search_archive.index, "Kazakhstan", min_freq=2, sort="freq",
                             stopwords=False)  # fmt: skip
    assert any(is_stop(c.word) for c in raw.collocates[:5])


def test_collocations_need_one_word(search_archive) -> None:
    with pytest.raises(ValueError):
        stats.collocations(search_archive.index, '"two words"')


# -- keyness and frequencies ------------------------------------------------------------------
def test_keyness_words_occur_more_in_a(search_db: Path, search_archive) -> None:
    res = stats.keyness(search_archive.index, "date:2017", "date:2018", min_freq=3)
    assert res.key_a and res.key_b
    a_words = [w for t in turns(search_db, "d.date LIKE '2017%'") for w in words_of(t)]
    b_words = [w for t in turns(search_db, "d.date LIKE '2018%'") for w in words_of(t)]
    assert res.words_a == len(a_words) and res.words_b == len(b_words)
    for k in res.key_a[:5]:
        assert k.a == a_words.count(k.word) and k.b == b_words.count(k.word)
        assert k.a / len(a_words) > k.b / len(b_words)
        assert k.ll > 0
    for k in res.key_b[:5]:
        assert k.b / len(b_words) > k.a / len(a_words) and k.ll < 0
    assert res.key_a == sorted(res.key_a, key=lambda k: -k.ll)


def test_frequencies(search_db: Path, search_archive) -> None:
    total, rows = stats.frequencies(search_archive.index, "date:2018", limit=10)
    b_words = [w for t in turns(search_db, "d.date LIKE '2018%'") for w in words_of(t)]
    assert total == len(b_words)
    assert rows and not any(is_stop(r.words) for r in rows)
    assert rows[0].freq == b_words.count(rows[0].words)
    _, with_stop = stats.frequencies(search_archive.index, "date:2018", limit=3, stopwords=False)
    assert with_stop[0].words == "the"
    _, bigrams = stats.frequencies(search_archive.index, "date:2018", ngrams=2, limit=5)
    first = bigrams[0].words.split()
    pairs = 0
    for t in turns(search_db, "d.date LIKE '2018%'"):
        ws = words_of(t)
        pairs += sum(1 for x, y in itertools.pairwise(ws) if [x, y] == first)
    assert bigrams[0].freq == pairs


# -- interfaces -------------------------------------------------------------------------------
def test_cli_trend_plot_writes_svg(search_db: Path, tmp_path: Path) -> None:
    from communique.cli import app

    out = tmp_path / "trend.svg"
    res = CliRunner().invoke(app, ["trend", "Russia", *db_options(search_db), "--by", "year",
                                   "--per-10k", "--window", "2", "--plot", str(out),
                                   "--json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    root = ET.parse(out).getroot()
    assert root.tag.endswith("svg")
    data = json.loads(res.stdout[res.stdout.index("{") :])
    assert data["by"] == "year" and data["series"][0]["name"] == "all"


def test_cli_keyness_and_freq_csv(search_db: Path) -> None:
    from communique.cli import app

    runner = CliRunner()
    res = runner.invoke(app, ["keyness", "--a", "date:2017", "--b", "date:2018",
                              *db_options(search_db), "--csv", "--min", "3"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[0].startswith("key_in,word,a,b")
    res = runner.invoke(app, ["freq", *db_options(search_db), "--ngrams", "2", "--csv"])
    assert res.exit_code == 0 and res.stdout.startswith("words,freq,per_10k")
    res = runner.invoke(app, ["collocations", "Kazakhstan", *db_options(search_db), "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["node"] == "Kazakhstan"


def test_api_matches_the_functions(server, search_archive) -> None:
    status, body = get(f"{server.url}/api/v1/trend?q=Russia&by=year&split=publisher")
    assert status == 200
    data = json.loads(body)
    tr = stats.trend(search_archive.index, "Russia", by="year", split="publisher")
    assert data["periods"] == tr.periods
    assert [s["hits"] for s in data["series"]] == [s.hits for s in tr.series]
    _, body = get(f"{server.url}/api/v1/collocations?q=Kazakhstan&min=2")
    co = stats.collocations(search_archive.index, "Kazakhstan", min_freq=2)
    assert [c["word"] for c in json.loads(body)["collocates"]] == [c.word for c in co.collocates]
    _, body = get(f"{server.url}/api/v1/keyness?a=date:2017&b=date:2018&min=3&format=csv")
    assert body.splitlines()[0].startswith("\ufeffkey_in,word,a,b")  # a BOM, for Excel
    _, body = get(f"{server.url}/api/v1/frequencies?q=date:2018&limit=5")
    total, rows = stats.frequencies(search_archive.index, "date:2018", limit=5)
    assert json.loads(body)["words"] == total
    assert [r["words"] for r in json.loads(body)["rows"]] == [r.words for r in rows]
    _, body = get(f"{server.url}/api/v1/who-says?q=Russia")
    first = stats.who_says(search_archive.index, "Russia")[0]
    assert json.loads(body)["people"][0]["who"] == first.who
    with pytest.raises(urllib.error.HTTPError) as e:
        get(f"{server.url}/api/v1/trend?q=Russia&by=week")
    assert e.value.code == 400


def test_trends_page(server) -> None:
    status, html = get(f"{server.url}/trends?q=Russia&by=year")
    assert status == 200 and "<svg" in html and "/api/v1/trend?" in html
    status, html = get(f"{server.url}/collocations?q=Kazakhstan")
    assert status == 200 and "logDice" in html
    status, html = get(f"{server.url}/keyness?a=date:2017&b=date:2018")
    assert status == 200 and "Log ratio" in html


def test_archive_verify(search_archive: Archive) -> None:
    found = search_archive.verify(
        "Kazakhstan has become a leader in advancing initiatives designed to improve the situation"
    )
    assert found.matches and found.matches[0].permalink.startswith("midru-8c250a16b4a4#t")


def test_word_cache_follows_a_changed_document(
    request: pytest.FixtureRequest, search_db: str, tmp_path: Path
) -> None:
    # the seed becomes a "speech" without a word of its text changing: the cache must notice
    db = copy_archive(request, search_db, tmp_path)
    with open_archive(db) as archive:
        assert archive.frequencies(kind="speech")[0] == 0  # no speech in this archive
        seed = archive.store.get("midru-8c250a16b4a4")
        assert seed is not None
        seed.kind = "speech"
        raw, content = archive.store.current(seed.id) or ("", "")
        archive.store.begin()
        archive.store.put_document(seed, raw, content, label_rows(seed))
        archive.store.commit()
        archive.sync()
        words = archive.frequencies(kind="speech")[0]
        assert words == archive.frequencies(doc=seed.id)[0] > 0


def test_cli_analyses_name_a_misspelt_speaker(search_db: Path) -> None:
    from communique.cli import app

    runner = CliRunner()
    res = runner.invoke(app, ["who-says", "Kazakhstan", "--speaker", "Lavorv",
                              *db_options(search_db)])  # fmt: skip
    assert res.exit_code == 0
    assert "No speaker matches “Lavorv”: did you mean Lavrov?" in res.output
    res = runner.invoke(app, ["trend", "Kazakhstan speaker:lavorv", *db_options(search_db)])
    assert "did you mean Lavrov?" in res.output
    res = runner.invoke(app, ["trend", "Kazakhstan speaker:lavrov", *db_options(search_db)])
    assert "No speaker matches" not in res.output
