"""The same transcript reached twice is one document: near-identical pages of one publisher and
date become one document with several origins, whichever run brings them and in whatever order;
the parts of one interview in two table rows with one URL are joined in row order. Expected
values come from reading the pages and the table."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from communique.cli import app
from communique.ingest.duplicates import same_transcript
from communique.ingest.pipeline import Ingester
from communique.ops.check import check
from communique.store import open_store

from .conftest import CORPUS, data_dir_of, db_options, rows_of

runner = CliRunner()
WH = CORPUS / "whitehouse_briefings" / "html"
FMPRC_EN = CORPUS / "fmprc_en_zh" / "en" / "regular_presscon"
# two copies of Robert Gibbs's briefing of 2009-10-19 (178 turns; a few characters differ)
GIBBS = [WH / "1472.html.gz", WH / "1474.html.gz"]
# Geng Shuang, 2019-04-29, published twice: t1660057 is a re-edited translation of t1659619
GENG = [FMPRC_EN / "t1659619.html", FMPRC_EN / "t1660057.html"]
# Jay Carney's press briefing and his press gaggle of 2011-04-05: two transcripts of one day
OTHER_DAY = [WH / "1171.html.gz", WH / "1172.html.gz"]
TABLE = CORPUS / "official_transcripts" / "lavrov_ukraine_combined.csv"
CARLSON = "web-ae2a8d5820f0"  # rows 3 and 4: Lavrov to Tucker Carlson, one URL, two parts


def ingest(target: str, *runs: list) -> list:
    store = open_store(target)
    try:
        return [Ingester(store, workers=1).run(paths) for paths in runs]
    finally:
        store.close()


def documents(target: str) -> list[dict]:
    return rows_of(target, "SELECT id, title, date FROM documents ORDER BY id")


def origins(target: str, doc_id: str) -> list[str]:
    rows = rows_of(target, "SELECT path FROM origins WHERE doc_id = ? ORDER BY position", (doc_id,))
    return [r["path"] for r in rows]


def test_two_copies_of_one_briefing_are_one_document(archive_target: str) -> None:
    (report,) = ingest(archive_target, GIBBS)
    assert (report.counts["new"], report.counts["unchanged"], report.merged) == (1, 1, 1)
    docs = documents(archive_target)
    assert len(docs) == 1 and docs[0]["date"] == "2009-10-19"
    assert [p.rsplit("/", 1)[1] for p in origins(archive_target, docs[0]["id"])] == [
        "1472.html.gz", "1474.html.gz",
    ]  # fmt: skip
    turns = rows_of(archive_target, "SELECT count(*) AS n FROM turns")[0]["n"]
    assert int(turns) == 178  # not 356
    report = check(archive_target, data_dir=data_dir_of(archive_target))
    # raw inputs, records and paths agree (no search index was built here)
    assert [f.code for f in report.findings] == ["index-missing"], report.to_dict()


@pytest.mark.parametrize("order", [(0, 1), (1, 0)])
def test_a_republished_translation_is_one_document_across_runs(
    archive_target: str, order: tuple[int, int]
) -> None:
    first, second = (GENG[i] for i in order)
    reports = ingest(archive_target, [first], [second])
    assert reports[1].merged == 1 and reports[1].counts["unchanged"] == 1
    docs = documents(archive_target)
    kept = f"fmprc-en-{first.stem}"  # the first one to arrive keeps its id
    assert [d["id"] for d in docs] == [kept]
    assert [p.rsplit("/", 1)[1] for p in origins(archive_target, kept)] == [
        first.name, second.name,
    ]  # fmt: skip
    # ingesting both again changes nothing
    (again,) = ingest(archive_target, GENG)
    assert again.counts["unchanged"] == 2 and again.merged == 0
    assert [d["id"] for d in documents(archive_target)] == [kept]


def test_different_briefings_of_one_day_stay_apart(archive_target: str) -> None:
    (report,) = ingest(archive_target, OTHER_DAY)
    assert report.counts["new"] == 2 and report.merged == 0
    docs = documents(archive_target)
    assert len(docs) == 2 and docs[0]["date"] == docs[1]["date"] == "2011-04-05"


def test_similarity_rules() -> None:
    base = [f"word{i} and the sentence number {i} of this transcript" for i in range(20)]
    edited = [*base[:-1], "a different closing sentence entirely here"]
    assert same_transcript("T", base, "Other title", edited)  # shingles: 0.9 and more
    assert not same_transcript("T", base, "T", base[:10])  # half of it: a part, not a copy
    assert not same_transcript("T", base[:2], "T", base[:2])  # too short to tell


def test_table_row_parts_are_joined_in_order(archive_target: str) -> None:
    db = db_options(archive_target)
    assert runner.invoke(app, ["ingest", str(TABLE), *db, "-q"]).exit_code == 0
    ids = [d["id"] for d in documents(archive_target)]
    assert CARLSON in ids and not any(i.startswith(CARLSON + "-") for i in ids)

    def record() -> dict:
        import json

        out = runner.invoke(app, ["show", CARLSON, "--json", *db]).stdout
        return json.loads(out)

    doc = record()
    turns = doc["turns"]
    # row 3 opens the interview, row 4 goes on "By the way, recently they already violate..."
    assert turns[0]["text"].startswith("Minister Lavrov, thank you for doing this.")
    starts = [i for i, t in enumerate(turns) if t["text"].startswith("By the way, recently")]
    assert len(starts) == 1 and 0 < starts[0] < len(turns) - 1
    assert turns[-1]["text"].endswith("Thank you.")
    assert [t["n"] for t in turns] == list(range(1, len(turns) + 1))
    second = turns[starts[0]]["n"]
    for t in turns:
        if t["answers"] is not None:  # an answer of the second part answers a question of it
            assert (t["answers"] >= second) == (t["n"] >= second) and t["answers"] < t["n"]
    assert [o["path"].rsplit("#", 1)[1] for o in doc["origin"]] == ["row=3", "row=4"]
    # a second ingest and a reparse keep the one joined document
    assert runner.invoke(app, ["ingest", str(TABLE), *db, "-q"]).exit_code == 0
    result = runner.invoke(app, ["reparse", "--all", *db])
    assert result.exit_code == 0, result.output
    assert [d["id"] for d in documents(archive_target)] == ids
    assert record()["turns"] == turns
    report = check(archive_target, data_dir=data_dir_of(archive_target))
    # raw inputs, records and paths agree (the index follows at the next search)
    assert not [f for f in report.findings if not f.code.startswith("index")], report.to_dict()


def test_reparse_merges_twins_of_an_older_archive(
    archive_target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # an archive ingested before near-duplicates were merged holds both copies of the briefing
    from communique.ingest import pipeline

    with monkeypatch.context() as m:
        m.setattr(pipeline, "find_twin", lambda store, doc: None)
        ingest(archive_target, [GIBBS[0]], [GIBBS[1]])
    before = documents(archive_target)
    assert len(before) == 2
    first = rows_of(archive_target, "SELECT doc_id FROM paths WHERE path LIKE ?", ("%1472%",))
    kept = first[0]["doc_id"]
    result = runner.invoke(app, ["reparse", "--all", *db_options(archive_target)])
    assert result.exit_code == 0 and "1 merged" in result.stdout, result.output
    assert [d["id"] for d in documents(archive_target)] == [kept]  # the first seen keeps its id
    assert [p.rsplit("/", 1)[1] for p in origins(archive_target, kept)] == [
        "1472.html.gz", "1474.html.gz",
    ]  # fmt: skip
    paths = rows_of(archive_target, "SELECT path, doc_id FROM paths ORDER BY path")
    assert {r["doc_id"] for r in paths} == {kept}
    report = check(archive_target, data_dir=data_dir_of(archive_target))
    assert not [f for f in report.findings if not f.code.startswith("index")], report.to_dict()
