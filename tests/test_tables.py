"""sources.tables: reading CSV/TSV/JSONL/Parquet/XLSX, column detection, sidecars."""

from __future__ import annotations

import csv
import json
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from communique.sources.tables import (
    TABLE_SUFFIXES,
    BadRow,
    ColumnMap,
    TableError,
    detect_columns,
    is_sidecar,
    read_table,
)

from .conftest import CORPUS

OFFICIAL = CORPUS / "official_transcripts"
CMFA = CORPUS / "cmfa_presscon_subset"
COMAI = CORPUS / "mid_ru_comai_schema"
REGISTRY = CORPUS / "mfa_source_registry"


# --- detect_columns -----------------------------------------------------------------------


def test_suffixes() -> None:
    assert {".csv", ".tsv", ".jsonl", ".ndjson", ".parquet", ".xlsx"} == TABLE_SUFFIXES


def test_detect_usual_names_case_insensitive() -> None:
    cmap = detect_columns(
        ["ID", "Headline", "Body", "Published", "Link", "Author", "Language", "Site", "Other"]
    )
    assert cmap == ColumnMap(
        text="Body",
        title="Headline",
        date="Published",
        url="Link",
        speaker="Author",
        lang="Language",
        publisher="Site",
        id="ID",
        extra={"other": "Other"},
    )


def test_detect_prefers_earlier_names() -> None:
    cmap = detect_columns(["day", "date", "datetime", "content", "text", "url_id", "id"])
    assert (cmap.date, cmap.text, cmap.id) == ("date", "text", "id")


def test_detect_spaces_and_hyphens() -> None:
    cmap = detect_columns(["Full Text", "Source-URL", "Doc ID"])
    assert (cmap.text, cmap.url, cmap.id) == ("Full Text", "Source-URL", "Doc ID")


def test_detect_nothing() -> None:
    cmap = detect_columns(["a", "b"])
    assert cmap.text is None and cmap.title is None
    assert cmap.extra == {"a": "a", "b": "b"}


def test_overrides_win() -> None:
    cmap = detect_columns(
        ["text", "body", "headline", "title"], {"text": "body", "title": "headline"}
    )
    assert (cmap.text, cmap.title) == ("body", "headline")
    assert cmap.extra == {"text": "text", "title": "title"}


def test_override_case_insensitive_column() -> None:
    assert detect_columns(["Statement"], {"text": "statement"}).text == "Statement"


def test_override_takes_column_from_other_field() -> None:
    # "source" is a usual publisher name; mapping it to url removes it from publisher.
    cmap = detect_columns(["source", "body"], {"url": "source"})
    assert (cmap.url, cmap.publisher, cmap.text) == ("source", None, "body")


def test_override_empty_unsets() -> None:
    assert detect_columns(["text", "date"], {"date": ""}).date is None


def test_override_missing_column() -> None:
    with pytest.raises(ValueError, match=r"'bodyy'.*available columns: text, title"):
        detect_columns(["text", "title"], {"text": "bodyy"})


def test_override_unknown_field() -> None:
    with pytest.raises(ValueError, match="unknown field 'txt'"):
        detect_columns(["text"], {"txt": "text"})


# --- real tables --------------------------------------------------------------------------


def test_official_transcripts_csv() -> None:
    path = OFFICIAL / "us_chechnya_powell_archive.csv"
    rows = list(read_table(path))
    assert len(rows) == 14
    assert list(rows[0]) == ["speaker", "date", "title", "text", "url"]
    assert rows[0]["speaker"] == "Colin Powell"
    assert rows[0]["date"] == "20030501"
    assert rows[0]["title"] == "Interview With Russian Television NTV"
    assert rows[0]["text"].startswith("INTERVIEWER: Welcome to Russia.\nSECRETARY POWELL:")
    cmap = detect_columns(list(rows[0]))
    assert (cmap.text, cmap.title, cmap.date, cmap.url, cmap.speaker) == (
        "text",
        "title",
        "date",
        "url",
        "speaker",
    )
    assert is_sidecar(path, list(rows[0])) is None


@pytest.mark.parametrize(
    ("name", "n"),
    [
        ("lavrov_all_raw.csv", 5),
        ("lavrov_ukraine_combined.csv", 7),
        ("russia_ukraine_putin.csv", 11),
        ("us_ukraine_blinken.csv", 8),
        ("us_ukraine_rubio.csv", 3),
    ],
)
def test_official_transcripts_counts(name: str, n: int) -> None:
    rows = list(read_table(OFFICIAL / name))
    assert len(rows) == n
    assert all(set(r) == {"speaker", "date", "title", "text", "url"} for r in rows)


def test_lavrov_raw_has_rows_without_text() -> None:
    rows = list(read_table(OFFICIAL / "lavrov_all_raw.csv"))
    with_text = [r for r in rows if str(r["text"]).strip()]
    assert len(with_text) == 2  # SOURCE.md: 5 rows, 2 with text
    assert str(with_text[0]["text"]).startswith("867-05-05-2023")
    assert rows[0]["date"] == "NA"


def test_corpus_index_is_sidecar() -> None:
    path = OFFICIAL / "corpus_index.csv"
    rows = list(read_table(path))
    assert len(rows) == 357
    columns = list(rows[0])
    assert columns == ["speaker", "date", "title", "url", "country", "conflict"]
    assert "without a text column" in (is_sidecar(path, columns) or "")


@pytest.mark.parametrize("folder", ["whitehouse_briefings", "kremlin_en", "fmprc_en_zh"])
def test_manifests_are_sidecars(folder: str) -> None:
    path = CORPUS / folder / "manifest.csv"
    first = next(read_table(path))
    assert "file" in first
    assert "manifest" in (is_sidecar(path, list(first)) or "")


def test_whitehouse_manifest_rows() -> None:
    rows = list(read_table(CORPUS / "whitehouse_briefings" / "manifest.csv"))
    assert len(rows) == len(list((CORPUS / "whitehouse_briefings" / "html").glob("*.gz")))
    assert rows[1]["title"] == "Press Briefing by Press Secretary Josh Earnest, 8/3/2016"
    assert rows[1]["date_from_title"] == "2016-08-03"


def _cmfa_checks(rows: list[dict[str, object]]) -> None:
    assert len(rows) == 661
    first = rows[0]
    assert first["spokesperson"] == "Kong Quan"
    assert str(first["question"]).startswith("Could you please brief us on the results")
    cmap = detect_columns(list(first))
    assert cmap.text is None
    assert (cmap.question, cmap.answer, cmap.asker, cmap.speaker, cmap.url, cmap.date) == (
        "question",
        "answer",
        "who_asked",
        "spokesperson",
        "link",
        "date",
    )
    assert cmap.id == "id"
    assert {"id_orig", "question_lem", "a_sentiment"} <= set(cmap.extra)


def test_cmfa_csv() -> None:
    path = CMFA / "ukraine_dataset_combined.csv"
    rows = list(read_table(path))
    _cmfa_checks(rows)
    assert rows[0]["date"] == "37579"  # the Excel serial, as SOURCE.md says
    assert rows[0]["id"] == "111"
    assert is_sidecar(path, list(rows[0])) is None


def test_cmfa_xlsx_same_table() -> None:
    path = CMFA / "ukraine_dataset_combined.xlsx"
    rows = list(read_table(path))
    _cmfa_checks(rows)
    assert rows[0]["date"] == datetime(2002, 11, 19)  # a real datetime cell in the workbook
    assert rows[0]["id"] == 111
    assert is_sidecar(path, list(rows[0])) is None
    csv_rows = list(read_table(CMFA / "ukraine_dataset_combined.csv"))
    assert [r["answer"] for r in rows] == [r["answer"] for r in csv_rows]
    assert [r["who_asked"] for r in rows] == [r["who_asked"] for r in csv_rows]


def test_comai_schema_text_empty() -> None:
    path = COMAI / "mid.ru_en_2024-no_text.csv"
    rows = list(read_table(path))
    assert len(rows) == 5
    assert all(r["text"] == "" for r in rows)
    cmap = detect_columns(list(rows[0]))
    assert (cmap.text, cmap.date, cmap.id) == ("text", "date", "id")
    assert "url_id" in cmap.extra and "internal_id" in cmap.extra
    assert is_sidecar(path, list(rows[0])) is None  # a document table, rows just empty
    assert len(list(read_table(COMAI / "mid.ru_ru_2024-no_text.csv"))) == 39


def test_comai_summary_stats_is_sidecar() -> None:
    path = COMAI / "ru_institutions_2024_summary_stats.csv"
    rows = list(read_table(path))
    assert len(rows) == 9
    assert is_sidecar(path, list(rows[0])) == "metadata table without a text column"


def test_registry_ndjson_bulk_format() -> None:
    path = REGISTRY / "urlconfig.ndjson"
    rows = list(read_table(path))
    assert len(rows) == 263  # SOURCE.md: 263 source entries
    assert rows[0]["_id"] == "4917fefc12484a580347ebab907cfa05d3cd8132"
    assert rows[0]["name"] == "Belgium"
    assert rows[0]["url"] == "https://newyorkun.diplomatie.belgium.be"
    columns = list(rows[0])
    assert detect_columns(columns).text is None
    assert is_sidecar(path, columns) is not None
    # ... unless the user maps a text column explicitly
    assert is_sidecar(path, columns, {"text": "statement"}) is None


def test_registry_countries_json() -> None:
    rows = list(read_table(REGISTRY / "countries.json"))
    assert rows[0] == {"_id": "5cb4c9d828175ed3931ec52305b32f47173a8e04", "name": "Belgium"}


# --- small tables built here --------------------------------------------------------------


def test_csv_huge_field_and_multiline(tmp_path: Path) -> None:
    big = "word " * 400_000  # 2 MB, far over csv's default 128 KB field limit
    path = tmp_path / "t.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["title", "text"])
        w.writerow(["Big", big])
        w.writerow(["Lines", "Q: one?\nA: two.\n\nMore."])
    rows = list(read_table(path))
    assert rows[0]["text"] == big
    assert rows[1]["text"] == "Q: one?\nA: two.\n\nMore."


def test_csv_is_streamed(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("text\na\nb\n", encoding="utf-8")
    rows = read_table(path)
    assert next(rows) == {"text": "a"}  # an iterator, not a list


def test_csv_bom_semicolon_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes("\ufefftitle;text\nA;один\n\nB;два\n".encode())
    assert list(read_table(path)) == [
        {"title": "A", "text": "один"},
        {"title": "B", "text": "два"},
    ]


def test_csv_cp1251(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(
        "title,text\nЗаявление,Министр иностранных дел ответил на вопросы\n".encode("cp1251")
    )
    assert list(read_table(path)) == [
        {"title": "Заявление", "text": "Министр иностранных дел ответил на вопросы"}
    ]


def test_csv_short_rows_and_duplicate_headers(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("text,text,\nx,y,z\nonly\n", encoding="utf-8")
    assert list(read_table(path)) == [
        {"text": "x", "text_2": "y", "column_3": "z"},
        {"text": "only", "text_2": "", "column_3": ""},
    ]


def test_tsv(tmp_path: Path) -> None:
    path = tmp_path / "t.tsv"
    path.write_text("title\ttext\nA, B\tsome, text\n", encoding="utf-8")
    assert list(read_table(path)) == [{"title": "A, B", "text": "some, text"}]


def test_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    lines = [
        json.dumps({"title": "A", "text": "x"}),
        "",
        json.dumps({"title": "Б", "text": "y", "n": 2}, ensure_ascii=False),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert list(read_table(path)) == [
        {"title": "A", "text": "x"},
        {"title": "Б", "text": "y", "n": 2},
    ]


def test_jsonl_bad_line_names_line_number(tmp_path: Path) -> None:
    path = tmp_path / "t.ndjson"
    path.write_text('{"text": "a"}\n\n{"text": "b",}\n{"text": "c"}\n', encoding="utf-8")
    rows = list(read_table(path))
    assert rows[0] == {"text": "a"}
    assert isinstance(rows[1], BadRow) and rows[1].where == "line 3"
    assert "invalid JSON" in rows[1].reason
    assert rows[2] == {"text": "c"}  # the line after the bad one is read on


def test_jsonl_not_an_object(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text('{"text": "a"}\n[1, 2]\n', encoding="utf-8")
    rows = list(read_table(path))
    assert rows[0] == {"text": "a"}
    assert rows[1] == BadRow("line 2", "expected a JSON object, got list")


def test_jsonl_non_utf8_line_costs_only_itself(tmp_path: Path) -> None:
    """A bad byte on line 301 loses that line, not the 300 before it nor the 20 after."""
    lines = [json.dumps({"text": f"row {i}"}).encode() for i in range(1, 322)]
    lines[300] = b'{"text": "caf\xe9"}'
    path = tmp_path / "t.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    rows = list(read_table(path))
    assert len(rows) == 321
    bad = [r for r in rows if isinstance(r, BadRow)]
    assert len(bad) == 1 and bad[0].where == "line 301" and "not UTF-8" in bad[0].reason
    assert rows[299] == {"text": "row 300"} and rows[301] == {"text": "row 302"}


def test_csv_unterminated_quote_is_reported_and_later_rows_recovered(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        'title,text\nA,first\nB,"an open quote\nC,third\nD,"fourth, quoted"\n',
        encoding="utf-8",
    )
    rows = list(read_table(path))
    assert rows[0] == {"title": "A", "text": "first"}
    assert isinstance(rows[1], BadRow) and rows[1].where == "line 3"
    assert "unterminated quote" in rows[1].reason
    assert rows[2:] == [{"title": "C", "text": "third"}, {"title": "D", "text": "fourth, quoted"}]


def test_csv_cell_over_the_limit_is_skipped(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("COMMUNIQUE_MAX_CELL_MB", "1")
    path = tmp_path / "t.csv"
    big = "word " * 400_000  # 2 MB, with line breaks inside its quotes
    big = big.replace("word word", "word\nword", 1000)
    path.write_text(f'title,text\nA,first\nB,"{big}"\nC,third\n', encoding="utf-8")
    rows = list(read_table(path))
    assert rows[0] == {"title": "A", "text": "first"}
    assert isinstance(rows[1], BadRow) and rows[1].where == "line 3"
    assert "over the limit of 1.0 MB" in rows[1].reason
    assert rows[2] == {"title": "C", "text": "third"}


def test_json_array(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"items": [{"text": "a"}, {"text": "b"}]}), encoding="utf-8")
    assert list(read_table(path)) == [{"text": "a"}, {"text": "b"}]


def test_parquet_batches(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    n = 2500  # more than one 1024-row batch
    table = pa.table(
        {
            "title": [f"T{i}" for i in range(n)],
            "text": [f"text {i}" for i in range(n)],
            "date": [date(2020, 1, 1 + i % 28) for i in range(n)],
        }
    )
    pq.write_table(table, path, row_group_size=700)
    rows = list(read_table(path))
    assert len(rows) == n
    assert rows[0] == {"title": "T0", "text": "text 0", "date": date(2020, 1, 1)}
    assert rows[-1]["title"] == f"T{n - 1}"


def test_parquet_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    path.write_bytes(b"PAR1 not really")
    with pytest.raises(TableError, match="Parquet"):
        list(read_table(path))


def test_xlsx_dates_and_serials(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Title", "Text", "Date", None])
    ws.append(["A", "Q: x? A: y.", datetime(2016, 8, 3), None])
    ws.cell(row=2, column=3).number_format = "yyyy-mm-dd"
    ws.append(["B", "text b", 37579, None])  # an Excel serial left as a number
    ws.append([None, None, None, None])
    ws.append(["C", "text c", datetime(2016, 8, 3, 12, 28), None])
    wb.save(path)
    rows = list(read_table(path))
    assert rows == [
        {"Title": "A", "Text": "Q: x? A: y.", "Date": date(2016, 8, 3)},
        {"Title": "B", "Text": "text b", "Date": 37579},
        {"Title": "C", "Text": "text c", "Date": datetime(2016, 8, 3, 12, 28)},
    ]
    cmap = detect_columns(list(rows[0]))
    assert (cmap.title, cmap.text, cmap.date) == ("Title", "Text", "Date")


def test_xlsx_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"not a zip")
    with pytest.raises(TableError, match="XLSX"):
        list(read_table(path))


def test_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(TableError, match="not a table format"):
        read_table(tmp_path / "t.xml")


def test_sidecar_rules(tmp_path: Path) -> None:
    assert is_sidecar(tmp_path / "manifest.csv", ["file", "title", "text"])
    assert "file list" in (is_sidecar(tmp_path / "files.csv", ["path", "sha256"]) or "")
    assert is_sidecar(tmp_path / "docs.csv", ["title", "text"]) is None
    assert is_sidecar(tmp_path / "pairs.csv", ["question", "answer"]) is None


def test_xlsx_shared_strings_over_the_limit_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """openpyxl reads a workbook's shared strings whole: past a quarter of the input limit
    the workbook is refused before it is opened."""
    monkeypatch.setenv("COMMUNIQUE_MAX_INPUT_MB", "1")
    path = tmp_path / "t.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["title", "text"])
    for i in range(40):
        ws.append([f"row {i}", f"text {i}"])
    wb.save(path)
    # a shared-strings part as Excel writes it, 400 KB (bench/hostile.py makes a 1.5 GB one)
    si = "".join(f"<si><t>{i} {'word ' * 2000}</t></si>" for i in range(40))
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("xl/sharedStrings.xml", f'<sst count="40" uniqueCount="40">{si}</sst>')
    with pytest.raises(TableError, match=r"shared strings \(uncompressed\) too large"):
        list(read_table(path))
    monkeypatch.setenv("COMMUNIQUE_MAX_INPUT_MB", "10")
    assert len(list(read_table(path))) == 40
