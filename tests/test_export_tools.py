"""Exports as outside tools read them: TEI validated with jing against TEI-all and
Parla-CLARIN (../shared/standards), JSONL read by polars and pyarrow without hints, Parquet
types, CSV for spreadsheets, citations and Atom; all from real exports of the small real
archive of ``SEARCH_INPUTS`` (and the fmprc en/zh pair for linked versions)."""

from __future__ import annotations

import io
import json
import re
import subprocess
from pathlib import Path
from xml.etree import ElementTree as ET

import polars as pl
import pyarrow as pa
import pyarrow.json as pj
import pyarrow.parquet as pq
import pytest
from lxml import etree
from typer.testing import CliRunner

from communique.cite import cite
from communique.enrich.labels import label_rows
from communique.export import EmptySelection, describe, export
from communique.export.tables import COLUMNS
from communique.export.tei import ROOT_FILE, TEI_NS, XML_NS
from communique.model import Document, Origin, Turn
from communique.search.selection import Selection
from communique.track.feed import ATOM, UNDATED_NOTE, atom_feed
from communique.track.watch import Watch, WatchHit

from .conftest import FMPRC_PAIR, SHARED, db_options

STANDARDS = SHARED / "standards"
SCHEMAS = {
    "tei_all": STANDARDS / "tei" / "tei_all.rng",
    "parla-clarin": STANDARDS / "parla-clarin" / "parla-clarin.rng",
}
NS = {"tei": TEI_NS}
XML_ID = f"{{{XML_NS}}}id"
POINTERS = ("who", "ana", "corresp", "target", "scheme")


def jing(schema: Path, files: list[Path]) -> str:
    """jing's complaints about ``files`` (empty when every file is valid)."""
    assert schema.is_file(), schema
    done = subprocess.run(["jing", str(schema), *map(str, files)], capture_output=True,
                          text=True, timeout=600)  # fmt: skip
    errors = [line for line in (done.stdout + done.stderr).splitlines()
              if line.strip() and "[warning]" not in line]  # fmt: skip
    assert (done.returncode == 0) == (not errors), (done.returncode, errors)
    return "\n".join(errors)


def resolved_root(folder: Path) -> Path:
    """The corpus root with its XIncludes resolved, beside the export."""
    tree = etree.parse(str(folder / ROOT_FILE))
    tree.xinclude()
    out = folder.parent / f"{folder.name}-resolved.xml"
    tree.write(str(out), encoding="utf-8", xml_declaration=True)
    return out


@pytest.fixture(scope="module")
def tei_export(search_archive, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tei-valid") / "all"
    n = export(search_archive.index, Selection(), "tei", folder)
    assert n == len(search_archive.store.doc_ids()) > 5
    return folder


def test_every_file_and_the_resolved_root_are_valid(tei_export: Path) -> None:
    files = sorted(tei_export.glob("*.xml"))
    assert len(files) > 5 and {p.name for p in files} >= {ROOT_FILE}
    root = resolved_root(tei_export)
    for name, schema in SCHEMAS.items():
        assert jing(schema, [*files, root]) == "", name
    # the check bites: a listPerson as a file of its own is not a TEI document
    bad = tei_export.parent / "bad.xml"
    bad.write_bytes(ET.tostring(ET.parse(root).getroot().find(".//tei:listPerson", NS)))
    assert "not allowed" in jing(SCHEMAS["tei_all"], [bad])


def test_no_dangling_pointers_in_the_resolved_corpus(tei_export: Path) -> None:
    tree = ET.parse(resolved_root(tei_export))
    ids = [e.get(XML_ID) for e in tree.iter() if e.get(XML_ID)]
    assert len(ids) == len(set(ids))  # unique over the whole corpus
    known = set(ids)
    seen: dict[str, int] = {}
    for elem in tree.iter():
        for attr in POINTERS:
            for ref in (elem.get(attr) or "").split():
                if ref.startswith("#"):
                    assert ref[1:] in known, (elem.tag, attr, ref)
                    seen[attr] = seen.get(attr, 0) + 1
    assert {"who", "ana", "corresp", "target", "scheme"} <= set(seen)
    kinds = tree.getroot().find(f".//tei:classDecl/tei:taxonomy[@{{{XML_NS}}}id='kind']", NS)
    cat = kinds.find(f"tei:category[@{{{XML_NS}}}id='kind.interview']", NS)
    assert cat.find("tei:catDesc/tei:term", NS).text == "Interview"


def test_parlamint_header_rules(search_archive, tei_export: Path) -> None:
    from communique.export.tei import xml_id

    doc = next(search_archive.store.get(d) for d in search_archive.store.doc_ids()
               if search_archive.store.get(d).publisher == "kremlin.ru")  # fmt: skip
    root = ET.parse(tei_export / f"{xml_id(doc.id)}.xml").getroot()
    header = root.find("tei:teiHeader", NS)
    assert [c.tag.split("}")[1] for c in header] == ["fileDesc", "encodingDesc", "profileDesc"]
    file_desc = header.find("tei:fileDesc", NS)
    assert [c.tag.split("}")[1] for c in file_desc] == [
        "titleStmt", "editionStmt", "extent", "publicationStmt", "sourceDesc"]  # fmt: skip
    meeting = file_desc.find("tei:titleStmt/tei:meeting", NS)
    assert meeting.get("ana") == f"#kind.{doc.kind}" and meeting.get("n") == doc.date
    assert root.find("tei:text", NS).get("ana") == f"#kind.{doc.kind}"
    units = {m.get("unit"): int(m.get("quantity")) for m in file_desc.iter(f"{{{TEI_NS}}}measure")}
    assert units["speeches"] == len(doc.turns) and units["words"] > 1000
    pub = file_desc.find("tei:publicationStmt", NS)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", pub.find("tei:date", NS).get("when"))
    # kremlin.ru pages state CC BY 4.0
    assert doc.license == "CC BY 4.0"
    assert pub.find("tei:availability", NS).get("status") == "free"
    assert pub.find("tei:availability/tei:licence", NS).get("target") == (
        "https://creativecommons.org/licenses/by/4.0/")  # fmt: skip
    encoding = header.find("tei:encodingDesc", NS)
    assert encoding.find("tei:projectDesc/tei:p", NS).text
    usage = {t.get("gi"): int(t.get("occurs")) for t in encoding.iter(f"{{{TEI_NS}}}tagUsage")}
    assert usage["u"] == len(doc.turns) == len(list(root.iter(f"{{{TEI_NS}}}u")))
    # a document without a licence: status unknown, no licence element
    other = next(search_archive.store.get(d) for d in search_archive.store.doc_ids()
                 if not search_archive.store.get(d).license)  # fmt: skip
    avail = ET.parse(tei_export / f"{xml_id(other.id)}.xml").getroot().find(
        ".//tei:availability", NS)  # fmt: skip
    assert avail.get("status") == "unknown" and avail.find("tei:licence", NS) is None


def test_root_title_says_the_selection_in_words(search_archive, tmp_path: Path) -> None:
    sel = Selection(q="Kazakhstan", role="answer")
    export(search_archive.index, sel, "tei", tmp_path / "kz")
    title = ET.parse(tmp_path / "kz" / ROOT_FILE).getroot().find(".//tei:titleStmt/tei:title", NS)
    assert title.text == "communique subcorpus: Answers matching “Kazakhstan”"
    assert describe(Selection(speaker="Sergey Lavrov", lang="ru,en", date_from="2018")) == (
        "All turns by Sergey Lavrov, in Russian or English, dated 2018 or later")  # fmt: skip
    assert "{" not in describe(Selection(entity="KZ", role="question,answer"))


def test_an_empty_selection_is_an_error(search_archive, search_db: str, tmp_path: Path) -> None:
    from communique.cli import app

    for fmt in ("tei", "csv", "bibtex"):
        with pytest.raises(EmptySelection, match="nothing to export"):
            export(search_archive.index, Selection(q="zzyzxqqq"), fmt, tmp_path / f"none.{fmt}")
    assert not (tmp_path / "none.tei" / ROOT_FILE).exists()
    result = CliRunner().invoke(
        app,
        [
            "subcorpus",
            "zzyzxqqq",
            "-f",
            "tei",
            "-o",
            str(tmp_path / "t"),
            *db_options(search_db),
            "-q",
        ],
    )
    assert result.exit_code == 2 and "nothing to export" in result.output


def test_jsonl_reads_without_hints_and_parquet_has_types(search_archive, tmp_path: Path) -> None:
    export(search_archive.index, Selection(), "jsonl", tmp_path / "all.jsonl")
    export(search_archive.index, Selection(), "parquet", tmp_path / "all.parquet")
    lines = [json.loads(x) for x in (tmp_path / "all.jsonl").read_text("utf-8").splitlines()]
    # the check bites: some columns have no value in the first hundred rows (polars infers
    # its types from them), which nulls there would have broken
    empty_early = [c for c in COLUMNS if all(r[c] in ("", 0) for r in lines[:100])]
    assert empty_early and len(lines) > 100
    assert all(v is not None for r in lines for v in r.values())
    df = pl.read_ndjson(tmp_path / "all.jsonl")
    assert df.height == len(lines) and tuple(df.columns) == COLUMNS
    assert df.schema["n"] == pl.Int64 and df.schema["answers"] == pl.Int64
    assert all(df.schema[c] == pl.String for c in COLUMNS if c not in ("n", "answers"))
    table = pj.read_json(tmp_path / "all.jsonl")
    assert table.num_rows == len(lines) and table.column_names == list(COLUMNS)
    parquet = pq.read_table(tmp_path / "all.parquet")
    assert parquet.schema.field("date").type == pa.date32()
    assert parquet.schema.field("answers").type == pa.int32()
    dates = parquet.column("date").to_pylist()
    assert [d.isoformat() if d else "" for d in dates] == [r["date"] for r in lines]
    assert COLUMNS.index("url") == COLUMNS.index("permalink") + 1


def test_linked_versions_are_in_the_rows(pair_db: str, tmp_path: Path) -> None:
    from .conftest import open_archive

    with open_archive(pair_db) as a:
        export(a.index, Selection(publisher="fmprc.gov.cn"), "jsonl", tmp_path / "pair.jsonl")
        ids = {d: a.store.get(d).lang for d in a.store.doc_ids()
               if a.store.get(d).publisher == "fmprc.gov.cn"}  # fmt: skip
    assert sorted(ids.values()) == ["en", "zh"]  # t1647080 (en) and t1646964 (zh): one event
    en, zh = sorted(ids, key=ids.get)
    rows = [json.loads(x) for x in (tmp_path / "pair.jsonl").read_text("utf-8").splitlines()]
    assert {r["linked_versions"] for r in rows if r["doc_id"] == en} == {zh}
    assert {r["linked_versions"] for r in rows if r["doc_id"] == zh} == {en}
    assert FMPRC_PAIR[0].name == "t1647080.html"


def test_excel_csv_has_a_bom_and_the_original_url(search_db: str, tmp_path: Path) -> None:
    from communique.cli import app

    out = tmp_path / "zh.csv"
    result = CliRunner().invoke(app, ["subcorpus", "--lang", "zh", "--excel", "-o", str(out),
                                      *db_options(search_db), "-q"])  # fmt: skip
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    header = data[3:].split(b"\r\n", 1)[0].decode()
    assert header.startswith("permalink,url,pinned,")
    assert "耿爽" in data.decode("utf-8-sig")  # the Chinese press conference of 2016-11-22
    plain = tmp_path / "plain.csv"
    CliRunner().invoke(app, ["subcorpus", "--lang", "zh", "-f", "csv", "-o", str(plain),
                             *db_options(search_db), "-q"])  # fmt: skip
    assert plain.read_bytes().startswith(b"permalink,")
    bad = CliRunner().invoke(app, ["subcorpus", "--excel", "-f", "jsonl", *db_options(search_db)])
    assert bad.exit_code == 2


def test_citations_of_an_untitled_document_say_the_title_is_inferred() -> None:
    doc = Document(id="whitehouse-x", revision="r1", origin=[Origin("x", None, "0")],
                   publisher="whitehouse.gov", lang="en", title=None, kind="press_conference",
                   turns=[Turn(1, "Q", None, "question", "Why?")])  # fmt: skip
    c = cite(doc)
    # the same derived title as the record's own (structure.document.inferred_title)
    assert "(untitled)" not in c.bibtex + json.dumps(c.csl) + c.text
    assert c.csl["title"] == "White House press conference, undated"
    assert "Title supplied by the archive" in c.csl["note"]
    assert "title = {White House press conference, undated}" in c.bibtex
    titled = cite(Document(**{**doc.__dict__, "title": "Press Briefing"}))
    assert titled.csl["title"] == "Press Briefing" and "supplied" not in titled.csl["note"]


def test_atom_default_namespace_and_undated_entries(search_archive) -> None:
    import communique.export.tei  # noqa: F401  (registers TEI's default namespace too)

    res = search_archive.search("president", publisher="whitehouse.gov", limit=3)
    assert res.hits and all(h.date is None for h in res.hits)  # the undated press conference
    dated = search_archive.search("Kazakhstan", limit=2).hits
    hits = [WatchHit(h, "2026-03-04T05:06:07Z") for h in [*res.hits, *dated]]
    data = atom_feed(Watch("x", "president", {}, "2026-01-01T00:00:00Z"), hits, "http://h")
    assert b"ns0:" not in data and b'<feed xmlns="http://www.w3.org/2005/Atom">' in data
    feed = ET.fromstring(data)
    entries = feed.findall(f"{{{ATOM}}}entry")
    assert len(entries) == len(hits)
    for entry, item in zip(entries, hits, strict=True):
        published = entry.findtext(f"{{{ATOM}}}published")
        notes = [c.get("label") for c in entry.findall(f"{{{ATOM}}}category")
                 if c.get("term") == "undated"]  # fmt: skip
        if item.hit.date:
            assert published == f"{item.hit.date}T00:00:00Z" and not notes
        else:
            assert published == "2026-03-04T05:06:07Z" and notes == [UNDATED_NOTE]


def test_csv_of_web_download_reads_in_pandas_style(search_archive) -> None:
    from communique.export.subcorpus import select
    from communique.export.tables import chunks

    keys = select(search_archive.index, Selection(lang="ru"))
    data = b"".join(chunks(search_archive.store, keys, "csv", excel=True))
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig").read()
    assert text.startswith("permalink,url,") and "Лавров" in text


def test_a_dangling_answer_is_a_clear_error_and_writes_nothing(archive_target: str) -> None:
    from communique.store import open_store

    sha = "0" * 64
    doc = Document(id="test-dangling", revision="r1", origin=[Origin("x", None, sha)],
                   publisher=None, lang="en", title="T", kind="interview",
                   turns=[Turn(1, "Q", None, "question", "Why?"),
                          Turn(2, "A", None, "answer", "Because.", answers=7)])  # fmt: skip
    store = open_store(archive_target)
    try:
        store.put_raw(sha, "file", b"x", {}, "x")
        with pytest.raises(ValueError, match="turn 2 answers turn 7"):
            store.put_document(doc, sha, "h", label_rows(doc))
        assert store.doc_ids() == [] and store.rows("SELECT count(*) AS c FROM turns")[0]["c"] == 0
        doc.turns[1].answers = 1  # the question it answers: stored, the key holds
        store.put_document(doc, sha, "h", label_rows(doc))
        assert store.rows("SELECT answers FROM turns WHERE n = 2") == [{"answers": 1}]
    finally:
        store.close()
