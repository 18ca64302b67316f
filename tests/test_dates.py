"""Dates and times, checked against strings taken from the real corpus."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from communique.structure.dates import (
    DateInfo,
    find_date,
    find_time,
    parse_date_field,
    ymd_number,
    ymd_parts,
)

from .conftest import SEED

csv.field_size_limit(1 << 30)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# ----------------------------------------------------------------------------- find_date


@pytest.mark.parametrize(
    ("text", "date", "time_", "tz"),
    [
        # seed line 1: date and time glued together
        ("9 December 201820:00", "2018-12-09", "20:00", None),
        ("September 5, 2016", "2016-09-05", None, None),
        (
            "Foreign Minister Sergey Lavrov’s interview with Khabar Agency, Kazakhstan, for Maya "
            "Bekbayeva’s project The Era of Revival, Moscow, December 9, 2018",
            "2018-12-09",
            None,
            None,
        ),
        ("2016-09-05", "2016-09-05", None, None),
        ("2020-07-03", "2020-07-03", None, None),
        ("2016-09-05T10:30:00", "2016-09-05", "10:30", None),
        # fmprc titles
        ("Foreign Ministry Spokesperson Hua Chunying's Daily Briefing Online on February 3, 2020",
         "2020-02-03", None, None),
        ("Foreign Ministry Spokesperson Geng Shuang's Regular Press Conference on June11, 2018",
         "2018-06-11", None, None),
        ("Foreign Ministry Spokesperson Hua Chunying's Remarks on August 12, 2019",
         "2019-08-12", None, None),
        ("on July 24, 2019", "2019-07-24", None, None),
        ("2016年11月22日外交部发言人耿爽主持例行记者会 — 中华人民共和国外交部",
         "2016-11-22", None, None),
        ("2020年2月3日外交部发言人华春莹主持网上例行记者会 — 中华人民共和国外交部",
         "2020-02-03", None, None),
        # White House titles: US month/day/year, 2- and 4-digit years, slashes and dashes
        ("Press Briefing by Press Secretary Josh Earnest, 8/3/2016", "2016-08-03", None, None),
        ("Press Briefing by the Press Secretary Josh Earnest, 7/28/16", "2016-07-28", None, None),
        ("Daily Press Briefing by the Press Secretary Josh Earnest, 05/16/16",
         "2016-05-16", None, None),
        ("Press Briefing by Press Secretary Josh Earnest, 12/7/2015", "2015-12-07", None, None),
        ("Briefing by White House Press Secretary Robert Gibbs,3/23/09", "2009-03-23", None, None),
        ("Press Gaggle by Robert Gibbs - 2/27/09", "2009-02-27", None, None),
        ("Briefing by White House Press Secretary Robert Gibbs, 7-30-09", "2009-07-30", None, None),
        ("Briefing by White House Press Secretary Robert Gibbs, 7-2-09", "2009-07-02", None, None),
        ("Gaggle by Press Secretary Robert Gibbs at Al Faw Palace, Iraq, 4-7-09",
         "2009-04-07", None, None),
        ("Gaggle by White House Press Secretary Robert Gibbs Aboard AF1 en route Strasbourg "
         "4-3-2009", "2009-04-03", None, None),
        ("Press Gaggle by Principal Deputy Press Secretary Eric Schultz en route Miami, FL |  "
         "4/22/2015", "2015-04-22", None, None),
        ("Press Briefing by Press Secretary Josh Earnest, et al.  | January 26, 2015",
         "2015-01-26", None, None),
        ("ADMIRAL ALLEN BRIEFING | JUNE 22, 2010:", "2010-06-22", None, None),
        ("1/10/12", "2012-01-10", None, None),
        # State Dept titles from 1999: two-digit year 99 is 1999
        ("12/10/99 Albright interview on CBS's \"The Early Show\"", "1999-12-10", None, None),
        ("1/2/2000: Albright on NBC's \"Meet The Press\"", "2000-01-02", None, None),
        # Kremlin
        ("May 29, 2001, 00:00", "2001-05-29", "00:00", None),
        ("Dmitry Medvedev will take part in\xa0the\xa0meeting of\xa0the\xa0SCO Council of\xa0Heads "
         "of\xa0State on\xa0June\xa010–11, 2010", "2010-06-10", None, None),
        ("by-date/29.05.2001", "2001-05-29", None, None),
        # Russian
        ("5 мая 2023 года", "2023-05-05", None, None),
        ("5 мая 2023", "2023-05-05", None, None),
        ("Интервью Министра иностранных дел Российской Федерации С.В.Лаврова для фильма «Нацизм "
         "под следствием», Москва, 26 ноября 2022 года  - Министерство иностранных дел",
         "2022-11-26", None, None),
        ("СОВМЕСТНОЕ ЗАЯВЛЕНИЕ ПРЕЗИДЕНТА РОССИЙСКОЙ ФЕДЕРАЦИИ В.В.ПУТИНА И ПРЕЗИДЕНТА "
         "ИСЛАМСКОЙ РЕСПУБЛИКИ ПАКИСТАН П.МУШАРАФА (МОСКВА, 5 ФЕВРАЛЯ 2003 ГОДА)",
         "2003-02-05", None, None),
        ("26.11.2022", "2022-11-26", None, None),
        ("867-05-05-2023", "2023-05-05", None, None),
        ("2439-26-11-2022", "2022-11-26", None, None),
        ("1000-21-05-2013", "2013-05-21", None, None),
        ("Дата публикации:    5 мая 2023 года, 10:15", "2023-05-05", "10:15", None),
        ("Дата публикации:    21 февраля 2022 года, 18:30", "2022-02-21", "18:30", None),
        # mid.ru English title, day first
        ("Statement by H.E. Ambassador Anatoly Antonov ... Non–Proliferation of Nuclear Weapons, "
         "New York, 4 May 2009", "2009-05-04", None, None),
        # a time after the date
        ("December 9, 2018 at 12:28 P.M. EST", "2018-12-09", "12:28", "EST"),
    ],
)  # fmt: skip
def test_find_date(text: str, date: str, time_: str | None, tz: str | None) -> None:
    assert find_date(text) == DateInfo(date, False, time_, tz)


def test_seed_first_line_and_title() -> None:
    lines = SEED.read_text(encoding="utf-8").splitlines()
    assert find_date(lines[0]) == DateInfo("2018-12-09", False, "20:00", None)
    title = next(line for line in lines[1:] if line.strip())
    assert find_date(title) == DateInfo("2018-12-09")


@pytest.mark.parametrize(
    ("text", "year", "date"),
    [
        ("Foreign Ministry Spokesperson Geng Shuang's Regular Press Conference on September 10",
         2018, "2018-09-10"),
        ("Foreign Ministry Spokesperson Geng Shuang's Regular Press Conference on September 28",
         2018, "2018-09-28"),
        ("外交部发言人耿爽2月15日答记者问 — 中华人民共和国外交部", 2019, "2019-02-15"),
        ("Press Gaggle By Press Secretary Josh Earnest, January 13", 2015, "2015-01-13"),
        ("5 мая", 2023, "2023-05-05"),
    ],
)  # fmt: skip
def test_yearless_uses_default_year(text: str, year: int, date: str) -> None:
    assert find_date(text, default_year=year) == DateInfo(date, inferred=True)
    # no default year: a date was seen but is never guessed
    assert find_date(text) == DateInfo(None)


def test_yearless_feb_29_needs_a_leap_default_year() -> None:
    assert find_date("on February 29", default_year=2020) == DateInfo("2020-02-29", True)
    assert find_date("on February 29", default_year=2019) is None


def test_complete_date_wins_over_earlier_yearless_one() -> None:
    text = "October 10 briefing, published October 12, 2024"
    assert find_date(text) == DateInfo("2024-10-12")


def test_time_on_the_next_line_is_not_the_date_s_time() -> None:
    assert find_date("May 29, 2001\n10:15 Moscow") == DateInfo("2001-05-29")


def test_default_year_does_not_override_a_written_year() -> None:
    assert find_date("on July 24, 2019", default_year=2001) == DateInfo("2019-07-24")


@pytest.mark.parametrize(
    "text",
    [
        "$100 billion",
        "73rd Session of the UN General Assembly",
        "20 years",
        "Regular Press Conference",
        "外交部发言人耿爽就联合国安理会通过第2371号决议答记者问 — 中华人民共和国外交部",
        "外交部发言人华春莹就美国国会众议院通过“2019年维吾尔人权政策法案”发表谈话",
        "外交部发言人陆慷就朝韩决定于9月举行领导人会晤答记者问",
        "Victory in\xa0the\xa0Great Patriotic War of\xa01941–1945",
        "Vladimir Putin attended screening of\xa0Legenda No.17",
        "Press Briefing by Treasury Secretary Geithner on the G20 Meetings",
        "Letter from the President regarding Designation of Contingent Emergency 2009-H1N1 Funding",
        "Press Briefing by Senior Administration Officials on the President's FY2016 Budget",
        "Background Briefing by a Senior U.S. Official on today's P5+1 meeting",
        "Q    March 2008?",
        "2,000 people, 3.5 percent",
        "version 1.2.33",
        "Executive order awarding state decorations to the crew of a Tu-154 plane",
        "the talks may 5 times",  # lower-case English month names are not read
        "",
    ],
)
def test_not_a_date(text: str) -> None:
    assert find_date(text) is None


@pytest.mark.parametrize(
    "text",
    ["13/45/2016", "2/30/2016", "February 30, 2016", "2016-13-01", "2019-02-29", "31.04.2022",
     "32 мая 2023 года", "867-35-05-2023", "2016年13月1日"],
)  # fmt: skip
def test_impossible_dates_rejected(text: str) -> None:
    assert find_date(text) is None


def test_swapped_reading_when_conventional_one_is_impossible() -> None:
    # a day-first date written with slashes: 26/11 cannot be month/day
    assert find_date("26/11/2022") == DateInfo("2022-11-26")


def test_dayfirst_override() -> None:
    assert find_date("03/04/2010") == DateInfo("2010-03-04")
    assert find_date("03/04/2010", dayfirst=True) == DateInfo("2010-04-03")


# ----------------------------------------------------------------------------- find_time


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # White House stage lines
        ("12:28 P.M. EST", ("12:28", "EST")),
        ("4:49 P.M. EDT", ("16:49", "EDT")),
        ("11:44 A.M. EDT", ("11:44", "EDT")),
        ("12:05 A.M. EDT", ("00:05", "EDT")),
        ("END 1:33 P.M. EST", ("13:33", "EST")),
        ("END           2:20 P.M. EDT", ("14:20", "EDT")),
        ("10:50 A.M.EST", ("10:50", "EST")),
        ("2:06 P.M EST", ("14:06", "EST")),
        ("6:38 P.M. (CEST)", ("18:38", "CEST")),
        ("10:40 A.M. HAST", ("10:40", "HAST")),
        ("1:04 P.M. MSK", ("13:04", "MSK")),
        ("FIN  10:53 PM CET", ("22:53", "CET")),
        ("7:13 P.M. (Local)", ("19:13", None)),
        ("1:35 P.M.", ("13:35", None)),
        ("MR. GIBBS:  3:15 p.m., yes.", ("15:15", None)),
        ("MR. GIBBS:  Tomorrow at 11:00 a.m.", ("11:00", None)),
        ("(9:25 a.m. EDT)", ("09:25", "EDT")),
        ("11 a.m.", ("11:00", None)),
        ("12 pm", ("12:00", None)),
        # 24-hour
        ("10:30", ("10:30", None)),
        ("20:00", ("20:00", None)),
        ("00:00", ("00:00", None)),
        ("Дата публикации:    24 февраля 2022 года, 06:00", ("06:00", None)),
        ("9 December 201820:00", ("20:00", None)),
        ("(1350 hrs) 13:50 MSK", ("13:50", "MSK")),
        ("12:55 P.M. WITA.", ("12:55", "WITA")),
        # capitals that are not a zone are not taken for one
        ("10:30 MR. CARNEY", ("10:30", None)),
        ("at 3 P.M. THE PRESIDENT: Thank you.", ("15:00", None)),
    ],
)
def test_find_time(text: str, expected: tuple[str, str | None]) -> None:
    assert find_time(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "no time here", "3.45 million", "25:00", "12:61", "13:00 P.M.", "2016-09-05",
     "Q    March 2008?", "0 a.m."],
)  # fmt: skip
def test_no_time(text: str) -> None:
    assert find_time(text) is None


# ---------------------------------------------------------------------- parse_date_field


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2019-07-24", DateInfo("2019-07-24")),
        ("12/06/2024", DateInfo("2024-12-06")),  # title: "Moscow, December 6, 2024"
        ("04/19/2022", DateInfo("2022-04-19")),  # title: "Moscow, April 19, 2022"
        ("07/08/2022", DateInfo("2022-07-08")),  # title: "Денпасар, 8 июля 2022 года"
        ("02-12-2003", DateInfo("2003-12-02")),  # mid.ru DD-MM-YYYY
        ("23-01-2003", DateInfo("2003-01-23")),  # title: "... ON JANUARY 23, 2003"
        ("27-02-2003", DateInfo("2003-02-27")),  # title: "BEIJING, FEBRUARY 27, 2003"
        ("20030501", DateInfo("2003-05-01")),
        ("37579", DateInfo("2002-11-19")),  # Excel serial, CMFA row: 19 November 2002
        ("45216", DateInfo("2023-10-17")),  # CMFA row: 17 October 2023
        ("37579.0", DateInfo("2002-11-19")),
        ("2016-09-05T10:30:00", DateInfo("2016-09-05", False, "10:30")),
        ("2009-05-05 19:50:00", DateInfo("2009-05-05", False, "19:50")),  # Comai datetime
        ("2016-09-05T10:30:00+03:00", DateInfo("2016-09-05", False, "10:30", "+03:00")),
        ("2016-09-05T10:30:00Z", DateInfo("2016-09-05", False, "10:30", "UTC")),
        ("20250215064359", DateInfo("2025-02-15", False, "06:43")),  # Wayback stamp
        ("February 23, 2022", DateInfo("2022-02-23")),  # presidency.ucsb.edu index
        ("March 02, 2022", DateInfo("2022-03-02")),
        ("  2020-07-03 ", DateInfo("2020-07-03")),
    ],
)
def test_parse_date_field(value: str, expected: DateInfo) -> None:
    assert parse_date_field(value) == expected


@pytest.mark.parametrize(
    "value",
    ["NA", "", "nan", "NaN", "None", "n/a", "-", "   ", "20031340", "12345", "hello",
     "January 13"],
)  # fmt: skip
def test_parse_date_field_empty_or_invalid(value: str) -> None:
    assert parse_date_field(value) is None


# ----------------------------------------------------------------------- the real corpus


def test_fmprc_manifest_titles_agree(corpus: Path) -> None:
    """find_date over every fmprc title agrees with the manifest's date wherever it has one."""
    rows = [r for r in _rows(corpus / "fmprc_en_zh" / "manifest.csv") if r["date"]]
    inferred = [r for r in rows if r["date_note"]]
    assert len(inferred) >= 13
    agree = 0
    for r in rows:
        if r["date_note"]:  # the title lacks the year: the manifest took it from the t-id
            assert "year inferred" in r["date_note"]
            assert find_date(r["title"]) == DateInfo(None), r["title"]
            got = find_date(r["title"], default_year=int(r["date"][:4]))
            ok = got == DateInfo(r["date"], inferred=True)
        else:
            ok = find_date(r["title"]) == DateInfo(r["date"])
        agree += ok
    print(f"fmprc titles: {agree}/{len(rows)} agree with manifest date")
    assert agree == len(rows)


def test_whitehouse_manifest_titles_agree(corpus: Path) -> None:
    rows = _rows(corpus / "whitehouse_briefings" / "manifest.csv")
    dated = [r for r in rows if r["date_from_title"]]
    agree = sum(find_date(r["title"]) == DateInfo(r["date_from_title"]) for r in dated)
    # titles the manifest did not date (dashed 7-30-09, "January 26, 2015"...) that we do
    extra = sum(
        1 for r in rows if not r["date_from_title"] and (i := find_date(r["title"])) and i.date
    )
    print(f"whitehouse titles: {agree}/{len(dated)} agree with date_from_title; {extra} more dated")
    assert agree == len(dated)
    assert len(dated) > 1000


_MONTH_WORD = re.compile(
    r"January|February|March|April|May|June|July|August|September|October|November|December"
)


def test_kremlin_titles_no_numeric_false_positives(corpus: Path) -> None:
    """Kremlin titles are full of numbers (Tu-154, 1941–1945, G20, No.17); dates only come
    from titles that name a month."""
    rows = _rows(corpus / "kremlin_en" / "manifest.csv")
    found = 0
    for r in rows:
        info = find_date(r["title"])
        if info is not None:
            found += 1
            assert _MONTH_WORD.search(r["title"]), r["title"]
    assert found > 100


def test_official_transcripts_date_column_agrees_with_title(corpus: Path) -> None:
    """Where a row has both a date column and a dated title, the two readings agree.

    (The State Dept rows' ``YYYYMMDD`` column is the Wayback capture day, not the document's;
    their titles carry no full date, so they are not compared.)
    """
    compared = 0
    for path in sorted((corpus / "official_transcripts").glob("*.csv")):
        for r in _rows(path):
            field = parse_date_field(r["date"])
            titled = find_date(r["title"] or "")
            if field and titled and titled.date and not r["date"].isdigit():
                assert field.date == titled.date, (path.name, r["date"], r["title"])
                compared += 1
    print(f"official_transcripts: {compared} rows compared")
    assert compared >= 10


def test_official_transcripts_russian_page_text(corpus: Path) -> None:
    """mid.ru texts open with the internal id; kremlin.ru texts end with 'Дата публикации'."""
    midru = {
        r["url"]: r["text"].split("\n", 1)[0]
        for r in _rows(corpus / "official_transcripts" / "lavrov_ukraine_combined.csv")
        if r["text"][:1].isdigit()
    }
    assert {find_date(v).date for v in midru.values()} == {"2023-05-05", "2022-11-26"}

    trailers = {}
    for r in _rows(corpus / "official_transcripts" / "russia_ukraine_putin.csv"):
        line = next(x for x in r["text"].splitlines() if x.startswith("Дата публикации:"))
        trailers[r["url"].rsplit("/", 1)[1]] = find_date(line)
    assert trailers["67825"] == DateInfo("2022-02-21", False, "18:30")
    assert trailers["67828"] == DateInfo("2022-02-21", False, "22:35")
    assert trailers["67843"] == DateInfo("2022-02-24", False, "06:00")
    assert trailers["71256"] == DateInfo("2023-05-30", False, "16:10")
    assert trailers["76600"] == DateInfo("2025-04-01", False, "15:25")
    assert all(t is not None and t.date and t.time for t in trailers.values())


def test_cmfa_excel_serials_agree_with_day_month_year(corpus: Path) -> None:
    """The Excel serial in ``date`` and the ``day``/``month``/``year`` columns (one of which
    spells the month "Febuary") name the same day in all 661 rows."""
    rows = _rows(corpus / "cmfa_presscon_subset" / "ukraine_dataset_combined.csv")
    for r in rows:
        info = parse_date_field(r["date"])
        assert info is not None
        assert find_date(f"{r['day']} {r['month']} {r['year']}") == DateInfo(info.date)
    assert len(rows) == 661


def test_comai_datetime_and_internal_id(corpus: Path) -> None:
    n = 0
    for name in ("mid.ru_en_2024-no_text.csv", "mid.ru_ru_2024-no_text.csv"):
        for r in _rows(corpus / "mid_ru_comai_schema" / name):
            assert parse_date_field(r["datetime"]).date == r["date"]
            if r["internal_id"]:
                # NNN-DD-MM-YYYY, sometimes just DD-MM-YYYY; the day is the publication day
                # or, when they differ, the event's day named in the title
                # ("... 25 сентября 2018 года" published 2018-09-27)
                titled = find_date(r["title"])
                allowed = {r["date"], titled.date if titled else None}
                assert find_date(r["internal_id"]).date in allowed, r["internal_id"]
                n += 1
    assert n > 0


# ----------------------------------------------------------------------------- YYYYMMDD numbers


def test_ymd_numbers_of_whole_and_partial_dates() -> None:
    assert ymd_number("2019-06-31") == 20190631  # a month's end as often written: kept
    assert ymd_parts(20190631) == (2019, 6, 31)
    assert ymd_number("2016", partial=True) == 20160101
    assert ymd_number("2016-02", partial=True) == 20160201
    for bad in ("2016", "2016-02", "", None, "2016-xx-01", "2016-01-100"):
        with pytest.raises(ValueError):
            ymd_number(bad)  # a whole date is wanted (and fields of two digits at most)
    with pytest.raises(ValueError):
        ymd_number("2016-", partial=True)
