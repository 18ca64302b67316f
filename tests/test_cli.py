"""The command line on a small real archive: list filters, show, stats, delete, reparse, --map."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from communique.cli import app
from communique.store.sqlite import MIGRATIONS

from .conftest import (
    CORPUS,
    SEARCH_INPUTS,
    SEED,
    build_archive,
    copy_archive,
    db_options,
    freeze_template,
    new_target,
)

runner = CliRunner()
KREMLIN = CORPUS / "kremlin_en" / "html"


@pytest.fixture(scope="module")
def archive(
    request: pytest.FixtureRequest, backend: str, tmp_path_factory: pytest.TempPathFactory
) -> str:
    db = new_target(request, backend, tmp_path_factory.mktemp("cli"))
    inputs = [
        SEED,
        KREMLIN / "052830.html.gz",  # interview, 2016-09-05
        KREMLIN / "054071.html.gz",  # meeting, 2017-03-20
        KREMLIN / "007954.html.gz",  # meeting, 2010-06-03
        CORPUS / "fmprc_en_zh" / "zh" / "regular_presscon" / "t1417538.html",
    ]
    result = runner.invoke(app, ["ingest", *map(str, inputs), *db_options(db), "-q"])
    assert result.exit_code == 0, result.output
    assert "5 new, 0 updated, 0 unchanged, 0 skipped, 0 failed" in result.output
    freeze_template(request, db)
    return db


def ids(output: str) -> list[str]:
    return [json.loads(line)["id"] for line in output.splitlines() if line.startswith("{")]


def test_list_filters(archive: str) -> None:
    db = [*db_options(archive), "--json"]
    kremlin = ids(runner.invoke(app, ["list", "--publisher", "kremlin.ru", *db]).stdout)
    assert kremlin == ["kremlin-en-7954", "kremlin-en-52830", "kremlin-en-54071"]  # by date
    (seed_id,) = ids(runner.invoke(app, ["list", "--publisher", "mid.ru", *db]).stdout)
    interviews = ids(runner.invoke(app, ["list", "--kind", "interview", *db]).stdout)
    assert interviews == [seed_id, "kremlin-en-52830"][::-1]  # 2016-09-05, then 2018-12-09
    in_2016 = ids(runner.invoke(app, ["list", "--from", "2016", "--to", "2016-12", *db]).stdout)
    assert in_2016 == ["kremlin-en-52830", "fmprc-zh-t1417538"]  # 2016-09-05, 2016-11-22
    zh = ids(runner.invoke(app, ["list", "--lang", "zh", *db]).stdout)
    assert zh == ["fmprc-zh-t1417538"]


def test_list_piped_gives_whole_ids(archive: str) -> None:
    # CliRunner's output is no terminal, as in `communique list | grep ...`
    res = runner.invoke(app, ["list", *db_options(archive)])
    lines = res.stdout.splitlines()
    assert lines[0].split("\t") == ["id", "date", "publisher", "kind", "lang", "turns", "title"]
    listed = [line.split("\t")[0] for line in lines[1:]]
    assert listed == ids(runner.invoke(app, ["list", *db_options(archive), "--json"]).stdout)
    assert "midru-8c250a16b4a4" in listed and not any("…" in i for i in listed)
    seed = next(line.split("\t") for line in lines[1:] if line.startswith("midru-"))
    assert seed[6].startswith("Foreign Minister Sergey Lavrov’s interview with Khabar Agency")
    assert seed[6].endswith("December 9, 2018")  # whole titles too
    shown = runner.invoke(app, ["show", listed[0], *db_options(archive)])
    assert shown.exit_code == 0  # a listed id round-trips


def test_show_and_json(archive: str) -> None:
    result = runner.invoke(app, ["show", "kremlin-en-52830", *db_options(archive)])
    assert result.exit_code == 0
    assert "Interview to Bloomberg" in result.stdout and "John Micklethwait" in result.stdout
    record = json.loads(
        runner.invoke(app, ["show", "kremlin-en-52830", "--json", *db_options(archive)]).stdout
    )
    assert record["id"] == "kremlin-en-52830" and len(record["turns"]) == 122
    pinned = f"kremlin-en-52830@{record['revision']}"
    assert runner.invoke(app, ["show", pinned, *db_options(archive)]).exit_code == 0
    wrong = runner.invoke(app, ["show", "kremlin-en-52830@000000000000", *db_options(archive)])
    assert wrong.exit_code == 1
    missing = runner.invoke(app, ["show", "no-such-id", *db_options(archive)])
    assert missing.exit_code == 1 and "No document" in missing.output


def test_show_accepts_what_the_archive_cites(archive: str) -> None:
    from communique.cite import cite

    from .conftest import open_archive

    with open_archive(archive) as a:
        (hit,) = a.search('"do not think our journalists"', limit=1).hits
        doc = a.store.get(hit.doc_id)
    cited = cite(doc, doc.turns[15]).pinned  # what the archive prints: id@revision#t16
    assert cited == f"{doc.id}@{doc.revision}#t16"
    for value in (cited, f"{doc.id}#t16", hit.permalink):
        res = runner.invoke(app, ["show", value, *db_options(archive)])
        assert res.exit_code == 0, (value, res.output)
        assert "#t16 Sergey Lavrov" in res.stdout and "I do not think our journalists" in res.stdout
        assert "#t15 Maya Bekbayeva" in res.stdout  # the question it answers (issue 13: hers)
        assert "#t2 " not in res.stdout  # and no other turn
    record = json.loads(runner.invoke(app, ["show", f"{doc.id}#t16", "--json",
                                            *db_options(archive)]).stdout)  # fmt: skip
    assert [t["n"] for t in record["turns"]] == [15, 16]
    missing = runner.invoke(app, ["show", f"{doc.id}#t99", *db_options(archive)])
    assert missing.exit_code == 1 and "No turn 99" in missing.output
    bad = runner.invoke(app, ["show", f"{doc.id}#x", *db_options(archive)])
    assert bad.exit_code == 2 and "#t<number>" in bad.output


def test_a_misspelt_speaker_gets_a_suggestion(archive: str) -> None:
    # Sergey Lavrov answers in the seed; "Lavorv" is no one's name
    res = runner.invoke(app, ["search", "Kazakhstan", "--speaker", "Lavorv", *db_options(archive)])
    assert res.exit_code == 0
    assert "0 hits" in res.output
    assert "No speaker matches “Lavorv”: did you mean Lavrov?" in res.output
    inside = runner.invoke(app, ["search", "Kazakhstan speaker:lavorv", *db_options(archive)])
    assert "did you mean Lavrov?" in inside.output
    right = runner.invoke(app, ["search", "Kazakhstan", "--speaker", "Lavrov",
                                *db_options(archive)])  # fmt: skip
    assert "No speaker matches" not in right.output and "0 hits" not in right.output


def test_stats_errors(archive: str) -> None:
    stats = json.loads(runner.invoke(app, ["stats", "--json", *db_options(archive)]).stdout)
    assert stats["documents"] == 5
    assert stats["by_publisher"] == {"kremlin.ru": 3, "mid.ru": 1, "fmprc.gov.cn": 1}
    # 2: enrichment tables, 3: state, 4: crawl ledger, watches, 5: people, entities, keys, views
    assert stats["schema_version"] == len(MIGRATIONS) >= 5
    assert "No failed inputs" in runner.invoke(app, ["errors", *db_options(archive)]).stdout


def test_delete_then_reingest_restores(
    request: pytest.FixtureRequest, archive: str, tmp_path: Path
) -> None:
    db = copy_archive(request, archive, tmp_path)
    assert runner.invoke(app, ["delete", "kremlin-en-54071", *db_options(db)]).exit_code == 0
    assert runner.invoke(app, ["show", "kremlin-en-54071", *db_options(db)]).exit_code == 1
    again = runner.invoke(app, ["ingest", str(KREMLIN / "054071.html.gz"), *db_options(db), "-q"])
    assert "1 new" in again.output
    result = runner.invoke(app, ["reparse", "--all", *db_options(db)])
    assert result.exit_code == 0 and "5 reparsed" in result.stdout


def test_missing_archive_says_what_to_do(tmp_path: Path) -> None:
    result = runner.invoke(app, ["list", "--db", str(tmp_path / "nope.db")])
    assert result.exit_code == 2
    assert "communique ingest" in result.output


def test_parquet_with_mapped_columns(tmp_path: Path, archive_target: str) -> None:
    table = pa.table(
        {
            "body": ["Question: Will you come?\n\nSergey Lavrov: Yes, I will.", ""],
            "headline": ["Foreign Minister Sergey Lavrov’s interview, Moscow, May 5, 2023", "x"],
            "published": ["2023-05-05", "2023-05-06"],
            "link": ["https://mid.ru/en/foreign_policy/news/1867999/", None],
        }
    )
    pq.write_table(table, tmp_path / "rows.parquet")
    db = archive_target
    mapping = "text=body,title=headline,date=published,url=link"
    result = runner.invoke(
        app, ["ingest", str(tmp_path / "rows.parquet"), "--map", mapping, *db_options(db), "-q"]
    )
    assert result.exit_code == 0, result.output
    assert "1 new" in result.output and "1 skipped" in result.output  # the empty row
    record = json.loads(
        runner.invoke(app, ["show", "midru-en-1867999", "--json", *db_options(db)]).stdout
    )
    assert record["date"] == "2023-05-05" and record["kind"] == "interview"
    assert [(t["label"], t["role"]) for t in record["turns"]] == [
        ("Question", "question"),
        ("Sergey Lavrov", "answer"),
    ]
    assert record["origin"][0]["path"].endswith("rows.parquet#row=1")


def test_reparse_keeps_the_ids_of_table_row_parts(archive_target: str) -> None:
    # two rows of this table share one URL with different texts: the ingest joins them into
    # one document (tests/test_duplicates.py), which reparse keeps
    table = CORPUS / "official_transcripts" / "lavrov_ukraine_combined.csv"
    db = db_options(archive_target)
    assert runner.invoke(app, ["ingest", str(table), *db, "-q"]).exit_code == 0
    before = ids(runner.invoke(app, ["list", *db, "--json"]).stdout)
    assert "web-ae2a8d5820f0-row4" not in before and "web-ae2a8d5820f0" in before
    result = runner.invoke(app, ["reparse", "--all", *db])
    assert result.exit_code == 0 and f"{len(before)} reparsed" in result.stdout
    assert ids(runner.invoke(app, ["list", *db, "--json"]).stdout) == before


# -- the README's examples give results ------------------------------------------------------
README = Path(__file__).resolve().parents[1] / "README.md"
EXAMPLES = ("search", "kwic", "trend", "who-says", "collocations", "keyness", "freq", "verify",
            "subcorpus")  # fmt: skip
README_INPUTS = [
    *SEARCH_INPUTS,
    # Geng Shuang, 2019-02-11: "double standards" once, "sovereignty" six times
    CORPUS / "fmprc_en_zh" / "en" / "regular_presscon" / "t1637013.html",
]


def readme_examples() -> list[list[str]]:
    """The ``communique`` search and analysis commands of the README's shell blocks, as
    arguments: continuation lines joined, comments, ``[optional parts]`` and redirections
    left out."""
    import re
    import shlex

    text = README.read_text(encoding="utf-8")
    out = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            if not line.startswith("communique "):
                continue
            args = shlex.split(line, comments=True)[1:]
            if args[0] not in EXAMPLES:
                continue
            args = [a for a in args if not (a.startswith("[") or a.endswith("]"))]
            if ">" in args:
                args = args[: args.index(">")]
            out.append(args)
    return out


@pytest.fixture(scope="module")
def readme_db(request: pytest.FixtureRequest, backend: str) -> str:
    return build_archive(request, backend, "readme", README_INPUTS)


def test_readme_examples_give_results(
    readme_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import re

    examples = readme_examples()
    assert {a[0] for a in examples} == set(EXAMPLES)  # every kind of example is checked
    monkeypatch.chdir(tmp_path)  # --plot trend.svg, -o kazakhstan-tei/
    for args in examples:
        res = runner.invoke(app, [*args, *db_options(readme_db)])
        shown = " ".join(args)
        assert res.exit_code == 0, (shown, res.output)
        assert "nothing found" not in res.output, (shown, res.output)
        if args[0] == "search":
            hits = re.search(r"(\d+) hits? for", res.output)
            assert hits and int(hits.group(1)) > 0, (shown, res.output)
        elif args[0] == "kwic":
            assert len(res.stdout.splitlines()) > 1, shown  # a header and concordance lines
        elif args[0] == "trend":
            total = re.search(r"(\d+) matching turns", res.output)
            assert total and int(total.group(1)) > 0, (shown, res.output)
        elif args[0] == "verify":
            assert "score 100" in res.output, (shown, res.output)
        elif args[0] == "subcorpus":
            written = re.search(r"(\d+) documents", res.output)
            assert written and int(written.group(1)) > 0, (shown, res.output)
        else:  # tables: at least one row besides the heading
            assert "│" in res.output, (shown, res.output)


def test_the_filter_options_declared_once_reach_every_command(
    request: pytest.FixtureRequest, archive: str, tmp_path: Path
) -> None:
    """``--from/--to/--speaker/--entity`` are one definition (cli.options.filter_options) that
    search, kwic, verify and watch add all take and apply."""
    db = db_options(archive)
    found = runner.invoke(app, ["search", "Russia", "--from", "2016", "--to", "2016-12",
                                "--json", "--limit", "50", *db])  # fmt: skip
    assert found.exit_code == 0, found.output
    dates = {json.loads(line)["date"] for line in found.stdout.splitlines() if line.startswith("{")}
    assert dates == {"2016-09-05"}  # only the Bloomberg interview is of 2016
    bad = runner.invoke(app, ["kwic", "Russia", "--to", "2016-13", *db])
    assert bad.exit_code == 2 and "there is no month 13" in bad.output
    # the seed's "Caspian Summit" is Sergey Lavrov's: not Putin's
    putin = runner.invoke(app, ["verify", "Caspian Summit", "--speaker", "Putin", "--json", *db])
    assert json.loads(putin.stdout)["verdict"] == "not found"
    lavrov = runner.invoke(app, ["verify", "Caspian Summit", "--speaker", "Lavrov", "--json", *db])
    assert [m["speaker"] for m in json.loads(lavrov.stdout)["matches"]] == ["Sergey Lavrov"]
    target = copy_archive(request, archive, tmp_path)
    saved = runner.invoke(app, ["watch", "add", "w1", "Russia", "--entity", "KZ", "--from",
                                "2016", "--speaker", "Putin", *db_options(target)])  # fmt: skip
    assert saved.exit_code == 0, saved.output
    listed = json.loads(runner.invoke(app, ["watch", "list", "--json", *db_options(target)]).stdout)
    assert listed[0]["filters"] == {"entity": "KZ", "from": "2016", "speaker": "Putin"}
