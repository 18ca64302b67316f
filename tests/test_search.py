"""Search on a small real archive: the query language, language analysis, filters, facets,
question context, permalinks, the CLI, and an index that follows the store (sync, recovery,
reindex). Expected values come from reading the pages (grep of their raw text)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from communique import Archive
from communique.cli import app
from communique.enrich.labels import label_rows
from communique.search import QueryError
from communique.store import open_store

from .conftest import (
    KREMLIN_HTML,
    SEARCH_INPUTS,
    SEED,
    db_options,
    index_dir_of,
    ingest_into,
    open_archive,
)

runner = CliRunner()
KREMLIN = KREMLIN_HTML
INPUTS = SEARCH_INPUTS
SEED_ID = "midru-8c250a16b4a4"
BLOOMBERG = "kremlin-en-52830"
ZH = "fmprc-zh-t1417538"
PERMALINK = re.compile(r"^[a-z0-9-]+#t[0-9]+$")
PINNED = re.compile(r"^[a-z0-9-]+@[0-9a-f]{12}#t[0-9]+$")
_ingest = ingest_into


@pytest.fixture
def db(search_db: str) -> str:
    return search_db


@pytest.fixture
def archive(search_archive: Archive) -> Archive:
    return search_archive


def docs(res) -> set[str]:
    return {h.doc_id for h in res.hits}


def every(archive: Archive, query: str, **kw):
    """All hits of a query (a limit well above the archive's size)."""
    res = archive.search(query, limit=5000, **kw)
    assert len(res.hits) == res.total
    return res


# -- words, phrases, prefixes, NOT, NEAR --------------------------------------------------------


def test_english_stemming_and_quotes(archive: Archive) -> None:
    # "sanction" as a word only in the Bloomberg interview; "sanctions" also in the seed (once)
    stemmed = every(archive, "sanction")
    assert {BLOOMBERG, SEED_ID} <= docs(stemmed)
    seed_hits = [h for h in stemmed.hits if h.doc_id == SEED_ID]
    assert len(seed_hits) == 1 and "US sanctions" in seed_hits[0].text
    for h in stemmed.hits:
        assert re.search(r"(?i)\bsanction", h.text)
    exact = every(archive, '"sanction"')
    assert docs(exact) == {BLOOMBERG}
    assert all(re.search(r"(?i)\bsanction\b", h.text) for h in exact.hits)
    assert exact.total < stemmed.total


def test_russian_stemming_and_yo(archive: Archive) -> None:
    # midru-ru-1867466 has only the form «санкций»
    res = every(archive, "санкции", doc="midru-ru-1867466")
    assert res.total == 1
    assert "санкций" in res.hits[0].text and "санкции" not in res.hits[0].text
    assert every(archive, '"санкции"', doc="midru-ru-1867466").total == 0
    # «договорённостей» (with ё) is in 1840230 and 1821243; е and ё find it alike
    with_e = every(archive, "договоренностей")
    with_yo = every(archive, "договорённостей")
    assert {"midru-ru-1840230", "midru-ru-1821243"} <= docs(with_e)
    assert [h.pinned for h in with_e.hits] == [h.pinned for h in with_yo.hits]
    kept = [h for h in with_e.hits if h.doc_id == "midru-ru-1821243"]
    assert kept and all("договорённостей" in h.text for h in kept)  # the text keeps its ё
    assert docs(every(archive, '"Черном"')) == {"midru-ru-1821243"}  # «Чёрном»


def test_case_is_folded(archive: Archive) -> None:
    # (in capitals, CSTO is an acronym and also finds its long forms: see test_acronyms)
    assert every(archive, "csto").total == every(archive, "Csto").total == 5


def test_chinese_words(archive: Archive) -> None:
    # 黄岩岛 (Scarborough Shoal) is asked about in one question and answered in the next turn
    res = every(archive, "黄岩岛")
    assert docs(res) == {ZH} and sorted(h.role for h in res.hits) == ["answer", "question"]
    answer = next(h for h in res.hits if h.role == "answer")
    assert answer.speaker == "耿爽" and "黄岩岛" in answer.question.text  # type: ignore[union-attr]
    assert any(a < b for a, b in answer.highlights)
    assert answer.snippet[answer.highlights[0][0] : answer.highlights[0][1]] == "黄岩岛"
    # 地震 (earthquake): the question about Fukushima and its answer
    assert len(every(archive, "地震", doc=ZH).hits) == 2
    # a Chinese word inside a longer run: 主权 in «中方主权» and «主权和管辖»
    assert len(every(archive, "主权").hits) == 2
    assert every(archive, '"南海问题"').total == 1


def test_phrase_prefix_not(archive: Archive) -> None:
    # the seed: CSTO in 5 turns; 2 of them also say NATO; only one says peacekeeping too
    # (written "csto": the word itself, without the acronym's long forms)
    assert every(archive, "csto").total == 5
    both = every(archive, "csto peacekeeping")
    assert both.total == 1 and both.hits[0].text.startswith("It is his private agenda.")
    assert every(archive, 'csto "peacekeeping" -NATO').total == 0
    not_nato = every(archive, "csto -NATO")
    assert not_nato.total == 3 and all("NATO" not in h.text for h in not_nato.hits)
    assert every(archive, "csto NOT NATO").total == 3
    sov = every(archive, "sovereign*")
    assert all(re.search(r"(?i)\bsovereign", h.text) for h in sov.hits)
    assert SEED_ID in docs(sov) and "fmprc-en-t1739548" in docs(sov)
    either = every(archive, "csto OR coronavirus")
    assert either.total == 5 + every(archive, "coronavirus").total


def test_acronyms_find_their_long_forms_in_every_language(archive: Archive) -> None:
    # The seed defines CICA ("Conference on Interaction and Confidence-Building Measures in Asia
    # (CICA)") in its turn 2. The organisations table gives the Russian ОДКБ for CSTO: a Russian
    # transcript in the archive says ОДКБ, never CSTO.
    long_form = '"Conference on Interaction and Confidence-Building Measures in Asia"'
    short, long = every(archive, "CICA"), every(archive, long_form)
    assert docs(short) == docs(long) == {SEED_ID}
    assert {h.n for h in short.hits} == {h.n for h in long.hits}
    csto = every(archive, "CSTO")
    russian = [h for h in csto.hits if h.lang == "ru"]
    assert russian and all("ОДКБ" in h.text and "CSTO" not in h.text for h in russian)
    assert csto.total == every(archive, "csto").total + len(russian)
    assert every(archive, '"CSTO"').total == every(archive, "csto").total  # quotes: as written
    marked = {h.snippet[a:b] for h in russian for a, b in h.highlights}
    assert "ОДКБ" in marked  # the long form found is highlighted too


def test_entity_filter_and_facet(archive: Archive) -> None:
    # entity:KZ, however it is written, finds the turns naming Kazakhstan in any script
    kz = every(archive, "entity:KZ")
    assert (
        kz.total
        == every(archive, "entity:Kazakhstan").total
        == every(archive, "entity:Казахстан").total
    )
    assert SEED_ID in docs(kz)
    texts = [h.text for h in kz.hits]
    assert all(re.search("Kazakh|Казахстан|哈萨克斯坦", t) for t in texts)
    res = archive.search("entity:EAEU", facets=True)
    assert res.facets["entity"]["org:EAEU"] == res.total
    assert "country:KZ" in res.facets["entity"]
    with pytest.raises(QueryError, match="entity:Atlantis names no country"):
        archive.search("entity:Atlantis")


def test_uncertain_roles_filter_and_show(archive: Archive) -> None:
    """The seed's three-word "Vladimir Solovyov does." is a question by what it does, and reads
    two ways (docs/record.md, "Uncertain roles"): ``uncertain:yes`` finds it, ``uncertain:no``
    leaves it out, and its hit says why. Lavrov's answers, which the page labels, read one way."""
    solovyov = every(archive, '"Vladimir Solovyov does" uncertain:yes')
    assert [(h.doc_id, h.n, h.role, h.role_uncertain) for h in solovyov.hits] == [
        (SEED_ID, 17, "question", "short_exchange")
    ]
    assert every(archive, '"Vladimir Solovyov does" uncertain:no').total == 0
    assert every(archive, '"Vladimir Solovyov does" uncertain:short_exchange').total == 1
    sure = every(archive, f"doc:{SEED_ID} role:answer uncertain:no")
    assert sure.total >= 7 and all(h.role_uncertain is None for h in sure.hits)
    flagged = every(archive, "uncertain:yes")
    assert flagged.total and all(h.role_uncertain for h in flagged.hits)
    kremlin = every(archive, "publisher:kremlin.ru").total
    assert (
        every(archive, "publisher:kremlin.ru uncertain:no").total
        + every(archive, "publisher:kremlin.ru uncertain:yes").total
        == kremlin
    )
    with pytest.raises(QueryError, match="uncertain:maybe: use no"):
        archive.search("uncertain:maybe")


def test_near(archive: Archive) -> None:
    # "the French contingent participates in the UN peacekeeping operations": 6 words apart
    assert every(archive, "French NEAR/6 peacekeeping").total == 1
    assert every(archive, "peacekeeping NEAR/6 French").total == 1  # either order
    assert every(archive, "French NEAR/5 peacekeeping").total == 0
    hit = every(archive, "French NEAR/6 peacekeeping").hits[0]
    marked = [hit.snippet[a:b] for a, b in hit.highlights]
    assert marked == ["French", "peacekeeping"]  # only the pair that is near


def test_malformed_query_is_a_query_error(archive: Archive) -> None:
    with pytest.raises(QueryError, match="AND"):
        archive.search("sanctions AND")
    with pytest.raises(ValueError, match="role"):
        archive.search("sanctions", role="listener")


# -- filters, facets, sorting, hits --------------------------------------------------------------


def test_filters(archive: Archive) -> None:
    # speaker filters mean people: "lavrov" finds Sergey Lavrov and С.В.Лавров alike
    lavrov = every(archive, "speaker:lavrov")
    assert {h.speaker for h in lavrov.hits} == {"Sergey Lavrov", "С.В.Лавров"}
    assert SEED_ID in docs(lavrov)
    assert docs(every(archive, "speaker:лавров")) == docs(lavrov)
    assert (
        every(archive, "Kazakhstan", speaker="Sergey Lavrov").total
        == every(archive, "Kazakhstan speaker:lavrov").total
    )
    assert docs(every(archive, "speaker:лавров", lang="ru")) <= {
        "midru-ru-1867466", "midru-ru-1840230", "midru-ru-1799937", "midru-ru-1821243"
    }  # fmt: skip
    answers = every(archive, "Kazakhstan", role="answer")
    assert answers.total > 0 and {h.role for h in answers.hits} == {"answer"}
    interviews = every(archive, "Japan", kind="interview,press_conference")
    assert {h.kind for h in interviews.hits} <= {"interview", "press_conference"}
    assert BLOOMBERG in docs(interviews)
    assert docs(every(archive, "Japan", kind="briefing")) == {"fmprc-en-t1739548"}
    assert {h.lang for h in every(archive, "speaker:лавров", lang="ru").hits} == {"ru"}
    assert docs(every(archive, "Japan", publisher="kremlin.ru")) == {BLOOMBERG}
    in_2016 = every(archive, "role:answer", date_from="2016", date_to="2016-12")
    assert docs(in_2016) == {BLOOMBERG, ZH}
    assert docs(every(archive, "role:answer date:2016-11")) == {ZH}
    # the 2017-03-20 working meeting answers Putin's questions too (docs/record.md "Roles")
    assert docs(every(archive, "role:answer", date_from="2016-09-06", date_to="2017")) == {
        ZH,
        "kremlin-en-54071",
    }
    one = every(archive, "Japan", doc=BLOOMBERG)
    assert docs(one) == {BLOOMBERG} and one.total > 1
    turn = one.hits[-1]
    assert [h.permalink for h in every(archive, "Japan", doc=turn.permalink).hits] == [
        turn.permalink
    ]
    assert every(archive, f"Japan doc:{BLOOMBERG}").total == one.total


def test_facets_add_up(archive: Archive) -> None:
    for query in ("Kazakhstan OR Japan OR 中方 OR санкции", "role:answer", "NATO"):
        res = archive.search(query, facets=True, limit=3)
        assert set(res.facets) == {"year", "publisher", "kind", "lang", "speaker", "role", "entity"}
        for name, counts in res.facets.items():
            if name == "entity":  # a turn can name several: each count is at most the total
                assert all(0 < n <= res.total for n in counts.values()), query
                continue
            assert sum(counts.values()) == res.total, (query, name)
    res = archive.search("role:answer", facets=True)
    assert res.facets["lang"]["zh"] == 6  # 耿爽 answers six questions (six 答：)
    assert res.facets["speaker"]["geng-shuang"] == 6  # speakers are counted as people
    assert res.facets["year"]["2016"] == every(archive, "role:answer date:2016").total
    undated = archive.search("role:answer", publisher="whitehouse.gov", facets=True)
    assert undated.total > 0 and undated.facets["year"] == {"(none)": undated.total}


def test_sort_by_date(archive: Archive) -> None:
    newest = archive.search("Kazakhstan", sort="date", limit=50).hits
    dates = [h.date for h in newest]
    assert dates == sorted(dates, reverse=True)
    oldest = archive.search("Kazakhstan", sort="oldest", limit=50).hits
    assert [h.date for h in oldest] == sorted(dates)
    seed = [h.n for h in oldest if h.doc_id == SEED_ID]
    assert seed == sorted(seed)  # a document's turns in order


def test_hit_fields_question_and_permalink(archive: Archive) -> None:
    (hit,) = every(archive, '"private agenda"').hits
    assert (hit.doc_id, hit.role, hit.speaker) == (SEED_ID, "answer", "Sergey Lavrov")
    assert hit.title is not None and hit.title.startswith("Foreign Minister Sergey Lavrov’s")
    assert (hit.date, hit.publisher, hit.kind, hit.lang) == ("2018-12-09", "mid.ru", "interview",
                                                            "en")  # fmt: skip
    assert hit.question is not None and hit.question.text == "Vladimir Solovyov does."
    assert hit.question.n == hit.answers == hit.n - 1
    assert PERMALINK.match(hit.permalink) and PINNED.match(hit.pinned)
    assert hit.pinned == f"{SEED_ID}@{archive.get(SEED_ID).revision}#t{hit.n}"  # type: ignore[union-attr]
    assert [hit.snippet[a:b] for a, b in hit.highlights] == ["private agenda"]
    doc = archive.get(hit.pinned)
    assert doc is not None and doc.turns[hit.n - 1].text == hit.text
    # the seed's first answer ("... Many peace initiatives have been advanced ...")
    (first,) = every(archive, '"peace initiatives"', doc=SEED_ID, role="answer").hits
    # "Question:" is the one interviewer the seed's title names (issue 13)
    assert first.question is not None and first.question.who == "Maya Bekbayeva"
    assert first.question.text == (
        "Which of Kazakhstan’s peace initiatives do you see as the most important and why?"
    )


def test_snippets_highlight_the_matched_words(archive: Archive) -> None:
    for query, pattern in (("sanction", r"(?i)sanction\w*"), ("sovereign*", r"(?i)sovereign\w*"),
                           ("договоренностей", r"договор[её]нност\w*")):  # fmt: skip
        for h in every(archive, query).hits:
            assert h.highlights, (query, h.permalink)
            for a, b in h.highlights:
                assert re.fullmatch(pattern, h.snippet[a:b]), h.snippet[a:b]


def test_pagination(archive: Archive) -> None:
    all_hits = [h.permalink for h in every(archive, "Kazakhstan").hits]
    page = archive.search("Kazakhstan", limit=3, offset=3)
    assert [h.permalink for h in page.hits] == all_hits[3:6]
    assert archive.search("Kazakhstan", limit=0).total == len(all_hits)


# -- the command line ---------------------------------------------------------------------------


def test_cli_search_json_and_facets(db: Path) -> None:
    args = ["search", "Kazakhstan", *db_options(db), "--speaker", "Sergey Lavrov",
            "--role", "answer", "--from", "2018", "--to", "2018-12", "--kind",
            "interview,press_conference", "--lang", "en", "--publisher", "mid.ru", "--json",
            "--facets", "--limit", "50"]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    hits, summary = rows[:-1], rows[-1]
    assert hits and summary["total"] == len(hits)
    assert sum(summary["facets"]["role"].values()) == len(hits)
    for h in hits:
        assert (h["doc_id"], h["role"], h["speaker"]) == (SEED_ID, "answer", "Sergey Lavrov")
        assert PERMALINK.match(h["permalink"]) and h["question"]["text"]


def test_cli_search_readable(db: Path) -> None:
    result = runner.invoke(app, ["search", '"private agenda"', *db_options(db)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Vladimir Solovyov does." in out and f"{SEED_ID}#t" in out and "private agenda" in out
    assert out.index("Vladimir Solovyov does.") < out.index("It is his private agenda")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", "sanctions AND"], "AND at the end"),
        (["search", "(sanctions OR EU"], "never closed"),
        (["search", "speakr:lavrov"], "unknown field"),
        (["kwic", "NEAR/x b"], "NEAR"),
        (["search", "sanctions", "--role", "listener"], "role"),
        (["search", "sanctions", "--from", "2016-13"], "date"),
    ],
)
def test_cli_malformed_query(db: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, [*args, *db_options(db)])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


# -- following the store ------------------------------------------------------------------------


def _all(archive: Archive) -> list[tuple[str, str, str | None]]:
    """Every indexed turn: pinned permalink, text, question."""
    out = []
    for role in ("question", "answer", "statement", "remark", "moderator"):
        out += [(h.pinned, h.text, h.question.text if h.question else None)
                for h in every(archive, f"role:{role}").hits]  # fmt: skip
    return sorted(out)


def _gens(archive: Archive, doc_id: str) -> set[int]:
    """The change-log seq at which each indexed turn of a document was written."""
    searcher = archive.index.searcher()
    q = archive.index.compile_filters(archive.parse(f"doc:{doc_id}").filters)[0]
    return {searcher.doc(a).get_first("gen") for _, a in searcher.search(q, 1000).hits}


def test_index_follows_the_store_and_recovers(archive_target: str) -> None:
    db = archive_target
    first, later = INPUTS[:3], INPUTS[3:5]
    _ingest(db, first)
    with open_archive(db) as a:
        assert a.last_sync.rebuilt  # no index yet: built
        seq0 = a.index.seq
        assert seq0 > 0 and a.search("sanction").total > 0
        assert a.search("黄岩岛").total == 0
        gens0 = _gens(a, BLOOMBERG)
        assert gens0 and max(gens0) <= seq0
    # the process dies after the store commits and before the index is told: the store has the
    # new documents, the index directory still records seq0
    _ingest(db, later)
    state = json.loads((index_dir_of(db) / "communique-index.json").read_text())
    assert state["seq"] == seq0
    with open_archive(db) as a:
        report = a.last_sync
        assert not report.rebuilt and report.from_seq == seq0 and report.documents == 2
        assert a.index.seq > seq0
        assert docs(every(a, "黄岩岛")) == {ZH} and every(a, "coronavirus").total > 0
        assert _gens(a, BLOOMBERG) == gens0  # untouched documents were not re-added
        assert min(_gens(a, ZH)) > seq0
        incremental = _all(a)
    # dying after tantivy's commit but before the seq is written: the changes are applied again,
    # with the same result (a document's turns are replaced, never added twice)
    (index_dir_of(db) / "communique-index.json").write_text(json.dumps(state))
    with open_archive(db) as a:
        assert a.last_sync.documents == 2 and not a.last_sync.rebuilt
        assert _all(a) == incremental
        assert every(a, "黄岩岛").total == 2
        # reindex gives the same index as following the changes
        a.reindex()
        assert _all(a) == incremental
        assert (
            a.index.seq
            == json.loads((index_dir_of(db) / "communique-index.json").read_text())["seq"]
        )
    # a deleted document leaves the index on the next open; an updated one is replaced
    store = open_store(db)
    assert store.delete(ZH)
    doc = store.get(SEED_ID)
    assert doc is not None
    doc.turns[0].text = "A question about the Zyxwv initiative."
    store.begin()
    store.put_document(doc, store.raw_of(SEED_ID) or "", "edited", label_rows(doc))
    store.commit()
    store.close()
    with open_archive(db) as a:
        assert a.last_sync.documents == 2
        assert every(a, "黄岩岛").total == 0
        assert [h.permalink for h in every(a, "zyxwv").hits] == [f"{SEED_ID}#t1"]
        assert every(a, '"peace initiatives do you see"').total == 0
        answer = every(a, '"peace initiatives"', doc=SEED_ID, role="answer").hits[0]
        assert answer.question is not None and "Zyxwv" in answer.question.text


def test_missing_or_old_index_is_rebuilt(archive_target: str) -> None:
    db = archive_target
    _ingest(db, INPUTS[:2])
    with open_archive(db) as a:
        n = a.search("sanction").total
    shutil.rmtree(index_dir_of(db))
    with open_archive(db) as a:
        assert a.last_sync.rebuilt and a.search("sanction").total == n
    state = index_dir_of(db) / "communique-index.json"
    state.write_text(json.dumps({"version": 0, "seq": 1}))  # an index of an older layout
    with open_archive(db) as a:
        assert a.last_sync.rebuilt and a.search("sanction").total == n
    (index_dir_of(db) / "meta.json").write_text("{damaged")  # tantivy cannot read it
    with open_archive(db) as a:
        assert a.last_sync.rebuilt and a.search("sanction").total == n


def test_cli_ingest_keeps_the_index_current_and_reindex(archive_target: str) -> None:
    db = archive_target
    result = runner.invoke(app, ["ingest", str(SEED), *db_options(db), "-q"])
    assert result.exit_code == 0, result.output
    seq = json.loads((index_dir_of(db) / "communique-index.json").read_text())["seq"]
    result = runner.invoke(app, ["ingest", str(KREMLIN / "052830.html.gz"), *db_options(db),
                                 "-q"])  # fmt: skip
    assert result.exit_code == 0, result.output
    state = json.loads((index_dir_of(db) / "communique-index.json").read_text())
    assert state["seq"] > seq  # synced by ingest itself, before any search
    result = runner.invoke(app, ["reindex", *db_options(db)])
    store = open_store(db)
    turns = store.stats()["turns"]
    store.close()
    assert result.exit_code == 0 and f"indexed {turns} turns of 2 documents" in result.stdout
    result = runner.invoke(app, ["search", "Bloomberg", *db_options(db), "--json"])
    assert result.exit_code == 0 and BLOOMBERG in result.stdout


def test_sync_waits_for_another_writer_and_follows_a_rebuild(archive_target: str) -> None:
    import tantivy

    db = archive_target
    _ingest(db, INPUTS[:2])
    first = open_archive(db)
    other = tantivy.Index.open(str(index_dir_of(db)))
    writer = other.writer(heap_size=20_000_000)  # another process is writing the index
    _ingest(db, INPUTS[3:4])
    with open_archive(db) as a:
        assert a.last_sync.skipped and a.search("黄岩岛").total == 0  # searchable, not yet current
    del writer, other
    with open_archive(db) as a:  # the lock is gone: the next open catches up
        assert a.last_sync.documents == 1 and a.search("黄岩岛").total == 2
        a.reindex()  # a rebuild in "another process" replaces the directory under `first`
    _ingest(db, INPUTS[4:5])
    report = first.sync()
    assert report.documents == 1 and not report.rebuilt
    assert first.search("coronavirus").total > 0 and first.search("黄岩岛").total == 2
    first.close()
