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
    res = verify(search_archive.index, quote)
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
    res = verify(search_archive.index, CICA)
    top = res.matches[0]
    assert (top.permalink, top.score) == (permalink, 100.0)
    assert top.passage == CICA.rstrip(".")


def test_made_up_sentence_matches_nothing(search_archive) -> None:
    res = verify(search_archive.index, ABSENT)
    assert res.matches == []
    # passages were looked at, and the closest scored under the threshold
    assert res.candidates > 0 and res.best_below is not None and 0 < res.best_below < MIN_SCORE
    assert res.message() == f"No passage in the archive matches this quote above {MIN_SCORE:g}."
    # a lower threshold lists the closest passages anyway
    assert verify(search_archive.index, ABSENT, min_score=0).matches


CSTO = (
    "I do not think our journalists will blame other CSTO countries for not participating in "
    "resolving the Syrian crisis."
)
WHO = (
    "On January 29, China's National Health Commission replied through official channel to "
    "the US that we welcome it to join a WHO joint expert group."
)


@pytest.mark.parametrize(
    ("quote", "verdict", "changed"),
    [
        (CICA, "verbatim", []),
        # a clause out of the sentence, quotation marks and capitals changed
        ("“the only platform, Apart from the UN, that brings together”", "verbatim", []),
        # the negation left out: never trimmed (issue 14's example)
        (
            "I think our journalists will blame other CSTO countries",
            "altered",
            [("left out", "", "do not", "negation")],
        ),
        # trimmed: what was left out is listed, nothing else
        (
            TENSE.replace("who is a very experienced person, ", "... "),
            "trimmed",
            [("left out", "", "who is a very experienced person", "")],
        ),
        (
            TENSE.replace("who is a very experienced person, ", "[...] "),
            "trimmed",
            [("left out", "", "who is a very experienced person", "")],
        ),
        (
            TENSE.replace(" without going into detail", ""),
            "trimmed",  # unmarked
            [("left out", "", "without going into detail", "")],
        ),
        (
            WHO.replace("welcome", "condemn"),
            "altered",
            [("changed", "condemn", "welcome", "stance")],
        ),
        (WHO.replace("29", "28"), "altered", [("changed", "28", "29", "number")]),
        (CICA.replace("Iran", "Iraq"), "altered", [("changed", "Iraq", "Iran", "name")]),
        (
            TRADE.replace("do not benefit", "benefit"),
            "altered",
            [("left out", "", "do not", "negation")],
        ),
        (ABSENT, "not found", []),
    ],
    ids=[
        "exact",
        "clause",
        "negation-dropped",
        "elision-dots",
        "elision-brackets",
        "unmarked",
        "stance",
        "number",
        "name",
        "negation-dropped-2",
        "absent",
    ],
)
def test_verdicts(search_archive, quote: str, verdict: str, changed: list[tuple]) -> None:
    res = verify(search_archive.index, quote)
    assert res.verdict == verdict, res.to_dict()
    if verdict == "not found":
        assert res.matches == [] and res.to_dict()["verdict"] == "not found"
        return
    top = res.matches[0]
    got = [(d.kind, d.quote, d.source) for d in top.differences]
    assert got == [c[:3] for c in changed]
    for d, c in zip(top.differences, changed, strict=True):
        assert c[3] in d.meaning if c[3] else d.meaning == []
    # the marked words are the quote's words as they stand in the turn
    marked = " ".join(top.text[a:b] for a, b in top.matched).lower()
    for d in top.differences:
        if d.source:
            assert d.source.lower() not in marked.split(" ")
    assert res.to_dict()["differences"] == [d.to_dict() for d in top.differences]


def test_empty_quote_is_an_error(search_archive) -> None:
    with pytest.raises(ValueError, match="empty"):
        verify(search_archive.index, " ... ")


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
    assert "verbatim, score 100" in text.stdout and "#t" in text.stdout
    changed = run(TRADE.replace("benefit", "help"))
    assert "ALTERED" in changed.stdout and "[-benefit-]" in changed.stdout
    assert "{+help+}" in changed.stdout
    data = json.loads(run(TRADE.replace("benefit", "help"), "--json").stdout)
    assert data["verdict"] == "altered"
    assert [(d["source"], d["quote"]) for d in data["differences"]] == [("benefit", "help")]


def test_api_and_page_agree_with_the_function(server, search_archive) -> None:
    quote = "trade wars do not help anyone, not even the participating countries"
    expected = verify(search_archive.index, quote).to_dict()
    url = f"{server.url}/api/v1/verify?" + urllib.parse.urlencode({"q": quote})
    with urllib.request.urlopen(url, timeout=30) as r:
        got = json.load(r)
    assert [m["permalink"] for m in got["matches"]] == [m["permalink"] for m in expected["matches"]]
    assert [m["score"] for m in got["matches"]] == [m["score"] for m in expected["matches"]]
    assert got["matches"][0]["spans"] == expected["matches"][0]["spans"]
    assert got["matches"][0]["url"].endswith("/d/" + expected["matches"][0]["permalink"])
    assert got["verdict"] == "altered" == got["matches"][0]["verdict"]
    assert [(d["kind"], d["source"], d["quote"]) for d in got["differences"]] == [
        ("changed", "benefit", "help"),
        ("changed", "sides", "countries"),
    ]
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
    # only the words the quote matches are marked; the changed word is shown as a diff
    marked = (
        "<mark>trade wars do not</mark> benefit <mark>anyone, not even the participating</mark>"
    )
    assert marked in page
    assert '<del lang="en">benefit</del> → <ins>help</ins>' in page
    assert "verdict-altered" in page
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
        res = verify(archive.index, quote)
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


def test_chinese_quote_of_the_english_page_is_found_through_the_chinese_version(pair_db) -> None:
    """Pages asked for in English (lang=en), a quote in Chinese: the words are checked in the
    Chinese version, and the English turn they stand for is given."""
    from communique.analysis.verify import quote_language

    from .conftest import open_archive

    with open_archive(pair_db) as archive:
        zh = next(d for d in archive.store.documents() if d.id.startswith("fmprc-zh-"))
        answer = next(t for t in zh.turns if t.role == "answer" and "纳扎尔巴耶夫" in t.text)
        sentence = answer.text.split("。")[0] + "。"
        assert quote_language(sentence) == "zh"
        assert verify(archive.index, sentence, lang="zh").verdict == "verbatim"
        res = verify(archive.index, sentence, lang="en")
        assert res.verdict == "verbatim"
        top = res.matches[0]
        assert (top.hit.doc_id, top.hit.n, top.via) == (zh.id, answer.n, "zh")
        [en] = [a for a in top.aligned if a.lang == "en"]
        assert en.doc_id.startswith("fmprc-en-") and "Nazarbayev" in en.text
        assert res.to_dict()["matches"][0]["via"] == "zh"
        # an English quote asked for in English pages is not looked for anywhere else
        assert verify(archive.index, "Nazarbayev", lang="en").matches[0].via is None
