"""Quote verification on the real seed (../shared/seeds) and an fmprc en/zh pair."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.parse
import urllib.request

import pytest

from communique.analysis.verify import MIN_SCORE, verify
from communique.model import turn_permalink

from .conftest import db_options

# Sentences of Sergey Lavrov's answers in the seed (the Khabar interview of 2018-12-09), as read.
CICA = (
    "CICA is probably the only platform, apart from the UN, that brings together "
    "representatives from the United States, Iran, Israel and Arab countries."
)
TENSE = (
    "I can say without going into detail that President Nazarbayev, who is a very experienced "
    "person, found the words of apology which Turkey offered and Russia accepted."
)
TRADE = "In any case, trade wars do not benefit anyone, not even the participating sides."
ABSENT = "The delegation from Norway praised the excellent quality of the reindeer cheese at lunch."


def source_of(archive, sentence: str) -> tuple[str, str]:
    """The permalink and text of the one turn holding ``sentence`` (read from the store)."""
    turns = archive.store.rows("SELECT doc_id, n, text FROM turns")
    rows = [r for r in turns if sentence in r["text"]]
    assert len(rows) == 1, rows
    return turn_permalink(rows[0]["doc_id"], rows[0]["n"]), rows[0]["text"]


@pytest.mark.parametrize(
    ("sentence", "quote"),
    [
        # punctuation changed, quotation marks added
        (
            CICA,
            "“CICA is probably the only platform apart from the UN that brings together "
            "representatives from the United States; Iran; Israel and Arab countries!”",
        ),
        # an elision
        (
            TENSE,
            "I can say without going into detail that President Nazarbayev ... found the "
            "words of apology which Turkey offered and Russia accepted",
        ),
        # cut mid-sentence at both ends
        (TENSE, "without going into detail that President Nazarbayev, who is a very"),
        # two words changed
        (
            TRADE,
            "In any case, trade wars do not help anyone, not even the participating countries.",
        ),
    ],
    ids=["punctuation", "elision", "cut", "two-words"],
)
def test_altered_quotes_find_their_turn(search_archive, sentence: str, quote: str) -> None:
    permalink, text = source_of(search_archive, sentence)
    res = verify(search_archive, quote)
    assert res.matches, res.to_dict()
    top = res.matches[0]
    assert top.permalink == permalink
    assert top.score >= MIN_SCORE
    assert top.hit.date == "2018-12-09"
    assert top.hit.speaker == "Sergey Lavrov"
    assert top.hit.question is not None and top.hit.question.text
    a, b = top.span
    assert top.passage == text[a:b] and top.passage in text and top.passage
    for s, e in top.spans:  # every piece's span is a stretch of the turn with quote words in it
        assert 0 <= s < e <= len(text)
    words = {w.lower().strip(".,;!“”") for w in quote.split()}
    assert any(w.lower().strip(".,") in words for w in top.passage.split())


def test_exact_quote_scores_100_and_span_is_the_sentence(search_archive) -> None:
    permalink, _ = source_of(search_archive, CICA)
    res = verify(search_archive, CICA)
    top = res.matches[0]
    assert (top.permalink, top.score) == (permalink, 100.0)
    assert top.passage == CICA.rstrip(".")


def test_made_up_sentence_matches_nothing(search_archive) -> None:
    res = verify(search_archive, ABSENT)
    assert res.matches == []
    # passages were looked at, and the closest scored under the threshold
    assert res.candidates > 0 and res.best_below is not None and 0 < res.best_below < MIN_SCORE
    assert res.message() == f"No passage in the archive matches this quote above {MIN_SCORE:g}."
    # a lower threshold lists the closest passages anyway
    assert verify(search_archive, ABSENT, min_score=0).matches


def test_empty_quote_is_an_error(search_archive) -> None:
    with pytest.raises(ValueError, match="empty"):
        verify(search_archive, " ... ")


def test_cli(search_db) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "communique.cli", "verify", *args, *db_options(search_db)]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60)

    none = run(ABSENT)
    assert none.returncode == 0, none.stderr
    assert f"No passage in the archive matches this quote above {MIN_SCORE:g}" in none.stdout
    found = run(TRADE, "--json", "--limit", "2")
    assert found.returncode == 0, found.stderr
    data = json.loads(found.stdout)
    assert data["found"] and data["matches"][0]["speaker"] == "Sergey Lavrov"
    assert data["matches"][0]["passage"] in data["matches"][0]["text"]
    text = run(TRADE, "--min-score", "95")
    assert "score 100" in text.stdout and "#t" in text.stdout


def test_api_and_page_agree_with_the_function(server, search_archive) -> None:
    quote = "trade wars do not help anyone, not even the participating countries"
    expected = verify(search_archive, quote).to_dict()
    url = f"{server.url}/api/v1/verify?" + urllib.parse.urlencode({"q": quote})
    with urllib.request.urlopen(url, timeout=30) as r:
        got = json.load(r)
    assert [m["permalink"] for m in got["matches"]] == [m["permalink"] for m in expected["matches"]]
    assert [m["score"] for m in got["matches"]] == [m["score"] for m in expected["matches"]]
    assert got["matches"][0]["spans"] == expected["matches"][0]["spans"]
    assert got["matches"][0]["url"].endswith("/d/" + expected["matches"][0]["permalink"])
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(f"{server.url}/api/v1/verify?q=", timeout=30)
    assert err.value.code == 400
    page = (
        urllib.request.urlopen(
            f"{server.url}/verify?" + urllib.parse.urlencode({"q": quote}), timeout=30
        )
        .read()
        .decode()
    )
    assert "<mark>trade wars do not benefit anyone, not even the participating</mark>" in page
    assert expected["matches"][0]["permalink"] in page
    page = (
        urllib.request.urlopen(
            f"{server.url}/verify?" + urllib.parse.urlencode({"q": ABSENT}), timeout=30
        )
        .read()
        .decode()
    )
    assert "No passage in the archive matches this quote above" in page
    page = (
        urllib.request.urlopen(
            f"{server.url}/verify?" + urllib.parse.urlencode({"q": "<script>x</script> Lavrov"}),
            timeout=30,
        )
        .read()
        .decode()
    )
    assert "<script>x</script>" not in page


def test_english_quote_gives_the_aligned_chinese_passage(pair_db) -> None:
    from .conftest import open_archive

    with open_archive(pair_db) as archive:
        row = archive.store.query(
            "SELECT n, text FROM turns WHERE doc_id LIKE 'fmprc-en-%' AND role = 'answer' "
            "ORDER BY n LIMIT 1"
        ).fetchone()
        n, text = row[0], row[1]
        sentence = text.split(". ")[0]
        quote = sentence.replace(",", "")  # punctuation changed
        res = verify(archive, quote)
        top = res.matches[0]
        assert (top.hit.lang, top.hit.n) == ("en", n)
        assert top.aligned, "the Chinese version is linked: its aligned passage must be given"
        al = top.aligned[0]
        assert al.lang == "zh" and al.doc_id.startswith("fmprc-zh-")
        zh = archive.get(al.doc_id)
        zh_turns = {t.n: t for t in zh.turns}
        assert al.text == zh_turns[al.turns[0]].text
        assert zh_turns[al.turns[0]].role == "answer"
        assert "纳扎尔巴耶夫" in al.text  # President Nazarbayev, as the en answer names him
