"""Dates and times as publishers print them, read into ``YYYY-MM-DD`` / ``HH:MM``.

Short strings only (titles, header lines, table cells): every pattern is compiled once at
import and a string without a digit is rejected before any regex runs.

Conventions, all taken from the corpus:

* ``a/b/yyyy`` and ``a/b/yy`` are US month/day/year (White House titles, State Dept CSVs);
* ``a.b.yyyy`` is day.month.year (Russian and Kremlin pages);
* ``dd-mm-yyyy`` with both fields zero-padded is day-first (mid.ru: ``23-01-2003``,
  internal ids ``867-05-05-2023``); other dashed forms (``7-30-09``, ``4-3-2009``) are the
  White House's month-first;
* if the conventional reading is impossible and the swapped one is not, the swap is used;
* two-digit years pivot like ``strptime``'s ``%y``: 00-68 -> 20xx, 69-99 -> 19xx
  (``12/10/99`` in the Albright titles is 1999).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date as _date
from datetime import timedelta

__all__ = [
    "DateInfo",
    "find_date",
    "find_time",
    "iso_date_line",
    "parse_date_field",
    "ymd_number",
    "ymd_parts",
]


@dataclass(frozen=True)
class DateInfo:
    """A date (and optional time) as read from one string."""

    date: str | None  # 'YYYY-MM-DD' or None
    inferred: bool = False  # True when part of the date (e.g. the year) was inferred, not read
    time: str | None = None  # 'HH:MM' 24h
    tz: str | None = None  # as published: 'EST', 'EDT', 'MSK'...


# --------------------------------------------------------------------------- month names

_EN_MONTHS: dict[str, int] = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
    "febuary": 2,  # sic: the CMFA PressCon month column
}  # fmt: skip
_RU_MONTHS: dict[str, int] = {
    # genitive (5 мая 2023 года) first, then nominative (май 2023)
    "января": 1, "февраля": 2, "марта": 3, "апреля": 4, "мая": 5, "июня": 6, "июля": 7,
    "августа": 8, "сентября": 9, "октября": 10, "ноября": 11, "декабря": 12,
    "январь": 1, "февраль": 2, "март": 3, "апрель": 4, "май": 5, "июнь": 6, "июль": 7,
    "август": 8, "сентябрь": 9, "октябрь": 10, "ноябрь": 11, "декабрь": 12,
}  # fmt: skip
_MONTHS: dict[str, int] = {**_EN_MONTHS, **_RU_MONTHS}


def _month_alt() -> str:
    """Alternation of month names in Title and UPPER case (plus lower for Russian).

    English lower case is left out on purpose: ``may 5`` in running text is rarely a date.
    """
    forms: set[str] = set()
    for name in _EN_MONTHS:
        forms.update((name.title(), name.upper()))
    for name in _RU_MONTHS:
        forms.update((name, name.title(), name.upper()))
    return "|".join(sorted(forms, key=lambda s: (-len(s), s)))


_MON = _month_alt()
_NOT_LETTER_AFTER = r"(?![^\W\d_])"  # a month name must not run on into more letters
# a 4-digit year, either free-standing or glued to a following time ("201820:00")
_YEAR4 = r"\d{4}(?:(?!\d)|(?=\d{1,2}:\d{2}(?!\d)))"
_RANGE = r"(?:\s*[-–—]\s*\d{1,2}(?!\d))?"  # "June 10–11, 2010": keep the first day
_ORD = r"(?:st|nd|rd|th)?"

# Dates can only start at the start of a digit run or at a word starting like a month name;
# checking that first lets the engine skip most positions (2-3x faster on titles).
_MON_INITIALS = "".join(sorted({c for k in _MONTHS for c in (k[0], k[0].upper())}))
_DATE_RE = re.compile(
    rf"(?:(?<!\d)(?=\d)|(?<!\w)(?=[{_MON_INITIALS}]))(?:"
    # mid.ru internal document number: NNN-DD-MM-YYYY
    rf"(?P<mid>(?<![\d-])\d{{1,5}}-(?P<mid_d>\d{{2}})-(?P<mid_m>\d{{2}})-(?P<mid_y>\d{{4}})"
    r"(?![\d-]))"
    # ISO and other year-first numeric dates: 2016-09-05, 2018/04/20
    r"|(?P<iso>(?<!\d)(?P<iso_y>\d{4})(?P<iso_s>[-/.])(?P<iso_m>\d{1,2})(?P=iso_s)"
    r"(?P<iso_d>\d{1,2})(?!\d))"
    # Chinese: 2016年11月22日, yearless 2月15日
    r"|(?P<zh>(?<!\d)(?:(?P<zh_y>\d{4})\s*年\s*)?(?P<zh_m>\d{1,2})\s*月\s*(?P<zh_d>\d{1,2})"
    r"\s*[日号])"
    # English month first: September 5, 2016 / June11, 2018 / on September 10
    rf"|(?P<md>(?<!\w)(?P<md_mon>{_MON}){_NOT_LETTER_AFTER}\.?\s*(?P<md_d>\d{{1,2}}){_ORD}"
    rf"(?!\d){_RANGE}(?:,?\s*(?P<md_y>{_YEAR4}))?)"
    # day first, English or Russian: 9 December 2018 / 5 мая 2023 года / 4 May
    rf"|(?P<dm>(?<!\w)(?P<dm_d>\d{{1,2}}){_ORD}{_RANGE}\s*(?:of\s+)?(?P<dm_mon>{_MON})"
    rf"{_NOT_LETTER_AFTER}\.?(?:,?\s*(?P<dm_y>{_YEAR4})(?:\s*(?:года|г\.|Г\.|ГОДА)(?!\w))?)?)"
    # numeric day/month/year in some order: 8/3/2016, 1/10/12, 26.11.2022, 7-30-09
    r"|(?P<num>(?<!\w)(?<!\d[-/.])(?P<num_a>\d{1,2})(?P<num_s>[-/.])(?P<num_b>\d{1,2})"
    r"(?P=num_s)(?P<num_y>\d{4}|\d{2})(?!\d|[-/.]\d)))"
)

# Times: "12:28 P.M. EST", "10:50 A.M.EST", "6:38 P.M. (CEST)", "20:00", "11 a.m.".
_SPACES = " \t\xa0"  # spaces that stay on one line
_SP = f"[{_SPACES}]"
_TZ_NAMES = (
    "UTC", "GMT", "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT", "AKST", "AKDT", "HST",
    "HAST", "HADT", "AST", "ADT", "NST", "NDT", "BST", "IST", "WET", "WEST", "CET", "CEST", "EET",
    "EEST", "MSK", "MSD", "SAMT", "YEKT", "OMST", "KRAT", "IRKT", "YAKT", "VLAT", "MAGT", "TRT",
    "GST", "GET", "AMT", "AZT", "IRST", "AFT", "PKT", "UZT", "ALMT", "NPT", "BDT", "MMT", "ICT",
    "WIB", "WITA", "WIT", "MYT", "SGT", "PHT", "HKT", "CCT", "JST", "KST", "AEST", "AEDT", "ACST",
    "ACDT", "AWST", "NZST", "NZDT", "SAST", "CAT", "EAT", "WAT", "ART", "BRT", "CLT", "COT", "PET",
    "VET", "ECT", "BOT", "PYT", "UYT", "CHST",
)  # fmt: skip
_TZ_SET = frozenset(_TZ_NAMES)
_TZ_ALT = "|".join(sorted(_TZ_NAMES, key=lambda s: (-len(s), s)))


def _ampm(sfx: str) -> str:
    """A.M./P.M. in its published spellings: ``P.M.``, ``p.m.``, ``P.M``, ``pm``, ``PM``."""
    return (
        rf"(?P<ap{sfx}>[AaPp])(?:\.{_SP}?[Mm]\.|\.{_SP}?[Mm](?![A-Za-z])"
        r"|(?<=[ap])m(?![A-Za-z])\.?|(?<=[AP])M(?![A-Za-z])\.?)"
    )


# capitals not in the list count as a zone only after A.M./P.M. and at the end of the line
# ("10:40 A.M. HAST", "12:55 P.M. WITA."), not in "3 P.M. THE PRESIDENT: ..."
_OTHER_TZ = rf"[A-Z]{{2,5}}(?=\)|[.,;]?{_SP}*(?:[\r\n]|$))"


def _zone(sfx: str) -> str:
    """An optional zone after a time: ``EST``, ``(CEST)``, ``A.M.EST``, ISO ``Z``/``+03:00``."""
    return (
        rf"(?:{_SP}*\(?(?P<tz{sfx}>{_TZ_ALT}|{_OTHER_TZ})\)?(?![A-Za-z])"
        rf"|(?P<off{sfx}>Z|[+-]\d{{2}}:?\d{{2}})(?![\d:]))?"
    )


# h:mm (or h.mm with A.M./P.M.), optional seconds, optional A.M./P.M., optional zone
_HM = (
    r"(?P<h>\d{1,2})(?P<sep>[:.])(?P<mi>\d{2})(?!\d)(?::\d{2}(?:\.\d+)?)?"
    rf"(?:{_SP}*{_ampm('')})?{_zone('')}"
)
# "11 a.m.": an hour with A.M./P.M. and no minutes
_H_AMPM = rf"(?P<h2>\d{{1,2}}){_SP}*{_ampm('2')}{_zone('2')}"
_TIME_RE = re.compile(
    # after a non-digit, or glued to a 4-digit year ("9 December 201820:00")
    rf"(?:(?<![\d:.])|(?<=(?<!\d)\d{{4}}))(?:{_HM}|{_H_AMPM})"
)
# A time straight after a date: "201820:00", ", 10:15", " at 3:30 p.m. EST", "T10:30:00".
_ADJ_TIME_RE = re.compile(rf"(?:T|[{_SPACES},]*(?:(?:at|в){_SP}+)?){_HM}")

_HAS_DIGIT = re.compile(r"\d")

_DAYS = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _valid(y: int, m: int, d: int) -> bool:
    if not (1900 <= y <= 2100 and 1 <= m <= 12 and 1 <= d <= _DAYS[m]):
        return False
    return not (m == 2 and d == 29 and not (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)))


def _iso(y: int, m: int, d: int) -> str:
    return f"{y:04d}-{m:02d}-{d:02d}"


def _year2(s: str) -> int:
    y = int(s)
    if len(s) == 2:
        y += 2000 if y < 69 else 1900
    return y


def _tz(tz: str | None, off: str | None, has_ampm: bool) -> str | None:
    """The zone as published; unknown capitals only count after A.M./P.M."""
    if off:
        return "UTC" if off == "Z" else off
    if tz and (tz in _TZ_SET or has_ampm):
        return tz
    return None


def _hhmm(h: int, mi: int, ap: str | None) -> str | None:
    if mi > 59:
        return None
    if ap:
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if ap in "Pp" else 0)
    elif h > 23:
        return None
    return f"{h:02d}:{mi:02d}"


def _time_from(m: re.Match[str]) -> tuple[str, str | None] | None:
    """``(HH:MM, tz)`` from a match of ``_HM`` or ``_H_AMPM``; None if not a real time."""
    if m.group("h") is not None:
        ap = m.group("ap")
        if m.group("sep") == "." and not ap:  # "3.45" is a number, "3.45 p.m." a time
            return None
        hhmm = _hhmm(int(m.group("h")), int(m.group("mi")), ap)
        tz = _tz(m.group("tz"), m.group("off"), ap is not None)
    else:
        hhmm = _hhmm(int(m.group("h2")), 0, m.group("ap2"))
        tz = _tz(m.group("tz2"), m.group("off2"), True)
    return None if hhmm is None else (hhmm, tz)


def find_time(text: str) -> tuple[str | None, str | None] | None:
    """``('HH:MM', tz or None)`` for the first time in ``text``; None if there is none.

    Reads ``12:28 P.M. EST``, ``4:49 P.M. EDT``, ``10:50 A.M.EST``, ``6:38 P.M. (CEST)``,
    ``11 a.m.``, ``10:30``, ``20:00`` (also glued to a year: ``201820:00``).
    A zone is kept when it is a known abbreviation, or any capitals right after A.M./P.M.
    """
    if not text or not _HAS_DIGIT.search(text):
        return None
    for m in _TIME_RE.finditer(text):
        got = _time_from(m)
        if got:
            return got
    return None


def _numeric(a: str, b: str, y: int, sep: str, dayfirst: bool | None) -> tuple[int, int] | None:
    """(month, day) for ``a<sep>b<sep>y`` by the conventions in the module docstring."""
    if dayfirst is None:
        if sep == ".":
            dayfirst = True
        elif sep == "-":
            dayfirst = len(a) == 2 and len(b) == 2
        else:
            dayfirst = False
    ia, ib = int(a), int(b)
    first = (ib, ia) if dayfirst else (ia, ib)
    for m, d in (first, first[::-1]):
        if _valid(y, m, d):
            return m, d
    return None


def _from_match(
    m: re.Match[str], default_year: int | None, dayfirst: bool | None
) -> tuple[str | None, bool] | None:
    """(date or None, inferred) for one regex match; None if the match is not a date."""
    kind = m.lastgroup
    g = m.group
    year_s: str | None
    if kind == "mid":
        y, mo, d = int(g("mid_y")), int(g("mid_m")), int(g("mid_d"))
        return (_iso(y, mo, d), False) if _valid(y, mo, d) else None
    if kind == "iso":
        y, mo, d = int(g("iso_y")), int(g("iso_m")), int(g("iso_d"))
        return (_iso(y, mo, d), False) if _valid(y, mo, d) else None
    if kind == "num":
        y_s = g("num_y")
        if g("num_s") == "." and len(y_s) != 4:  # 1.2.33 is a version, not a date
            return None
        y = _year2(y_s)
        md = _numeric(g("num_a"), g("num_b"), y, g("num_s"), dayfirst)
        return (_iso(y, md[0], md[1]), False) if md else None
    if kind == "zh":
        year_s, mo, d = g("zh_y"), int(g("zh_m")), int(g("zh_d"))
    elif kind == "md":
        year_s, mo, d = g("md_y"), _MONTHS[g("md_mon").lower()], int(g("md_d"))
    else:  # dm
        year_s, mo, d = g("dm_y"), _MONTHS[g("dm_mon").lower()], int(g("dm_d"))
    if year_s is not None:
        y = int(year_s)
        return (_iso(y, mo, d), False) if _valid(y, mo, d) else None
    if not (1 <= mo <= 12 and 1 <= d <= _DAYS[mo]):
        return None
    if default_year is None:
        return None, False  # a day and month, but the year is unknown: never guessed
    return (_iso(default_year, mo, d), True) if _valid(default_year, mo, d) else None


def find_date(
    text: str, *, default_year: int | None = None, dayfirst: bool | None = None
) -> DateInfo | None:
    """First date (and time, if glued or adjacent) found in a short text.

    A complete date wins over an earlier yearless one. A yearless date (``on September 10``)
    takes ``default_year`` and ``inferred=True``; without it the result is
    ``DateInfo(date=None)``. None when no date is found. ``dayfirst`` overrides the
    convention for ambiguous numeric forms (``03/04/2010``) when the caller knows the site.
    """
    if not text or not _HAS_DIGIT.search(text):
        return None
    yearless: tuple[re.Match[str], tuple[str | None, bool]] | None = None
    for m in _DATE_RE.finditer(text):
        got = _from_match(m, default_year, dayfirst)
        if got is None:
            continue
        if got[1] or got[0] is None:  # yearless: keep looking for a complete date
            if yearless is None:
                yearless = (m, got)
            continue
        return _with_time(text, m, got)
    if yearless is not None:
        return _with_time(text, *yearless)
    return None


def _with_time(text: str, m: re.Match[str], got: tuple[str | None, bool]) -> DateInfo:
    t = _ADJ_TIME_RE.match(text, m.end())
    hit = _time_from(t) if t else None
    if hit:
        return DateInfo(got[0], got[1], hit[0], hit[1])
    return DateInfo(got[0], got[1])


_NA = frozenset({"", "na", "n/a", "nan", "nat", "none", "null", "-", "—", "–", "?"})
_FIELD_ISO_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?)?\s*"
    r"(Z|[+-]\d{2}:?\d{2})?"
)
_EXCEL_RE = re.compile(r"\d{5}(?:\.0*)?")
_COMPACT_RE = re.compile(r"(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2}))?")
_EXCEL_EPOCH = _date(1899, 12, 30)


def parse_date_field(value: str, *, dayfirst: bool | None = None) -> DateInfo | None:
    """A table cell or metadata value as a date; None for empty / ``NA`` / ``nan``.

    Accepts ISO dates and datetimes (``2016-09-05T10:30:00``, ``2009-05-05 19:50:00``),
    ``YYYYMMDD`` (and 14-digit ``YYYYMMDDhhmmss`` Wayback stamps), Excel serials
    (``37579`` = 2002-11-19), US ``12/06/2024``, mid.ru ``02-12-2003`` (day first), and
    anything :func:`find_date` reads (``February 23, 2022``).
    """
    if value is None:
        return None
    v = str(value).strip()
    if v.lower() in _NA:
        return None
    m = _FIELD_ISO_RE.fullmatch(v)
    if m:
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
        if not _valid(y, mo, d):
            return None
        time = _hhmm(int(m[4]), int(m[5]), None) if m[4] else None
        return DateInfo(_iso(y, mo, d), False, time, _tz(None, m[6], False) if time else None)
    m = _COMPACT_RE.fullmatch(v)
    if m:
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
        if not _valid(y, mo, d):
            return None
        time = _hhmm(int(m[4]), int(m[5]), None) if m[4] else None
        return DateInfo(_iso(y, mo, d), False, time)
    if _EXCEL_RE.fullmatch(v):
        n = int(float(v))
        if 20000 <= n <= 80000:  # 1954-10-04 .. 2119-01-11
            day = _EXCEL_EPOCH + timedelta(days=n)
            return DateInfo(day.isoformat())
        return None
    info = find_date(v, dayfirst=dayfirst)
    if info is None or info.date is None:
        return None
    return info


_ISO_LINE_RE = re.compile(
    r"[\s\u00a0\u3000]*(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[T ]|,\s*|\s+-\s+|\s+)(\d{1,2}):(\d{2})"
    r"(?::\d{2}(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2}|[A-Z]{2,4})?[\s\u00a0\u3000]*"
)


def iso_date_line(line: str) -> DateInfo | None:
    """A line that is only an ISO date, with an optional time (``2013-02-20 18:30``,
    ``2013-02-20T18:30:00+03:00``, ``2013-02-20 18:30 MSK``), as plain-text pages print it
    under the title; None for anything else (a date inside a sentence is not a date line)."""
    if len(line) > 40 or "-" not in line:
        return None
    m = _ISO_LINE_RE.fullmatch(line)
    if m is None:
        return None
    y, mo, d = int(m[1]), int(m[2]), int(m[3])
    if not _valid(y, mo, d):
        return None
    time = _hhmm(int(m[4]), int(m[5]), None) if m[4] else None
    if m[4] and time is None:
        return None
    zone = m[6] or ""
    tz = _tz(zone if zone.isalpha() else None, None if zone.isalpha() else zone, False)
    return DateInfo(_iso(y, mo, d), False, time, tz if time else None)


_DATE_BOUND = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


def date_bound(value: str | None, end: bool) -> str | None:
    """``2016`` -> ``2016-01-01`` (or ``2016-12-31`` as an end); ``2016-02`` -> month bounds."""
    if not value:
        return None
    m = _DATE_BOUND.fullmatch(value.strip())
    if m is None:
        raise ValueError(f"not a date: {value!r} (use YYYY, YYYY-MM or YYYY-MM-DD)")
    y = int(m.group(1))
    mo = int(m.group(2) or (12 if end else 1))
    if not 1 <= mo <= 12:
        raise ValueError(f"not a date: {value!r} (there is no month {mo})")
    last = calendar.monthrange(y, mo)[1]
    d = int(m.group(3) or (last if end else 1))
    if not 1 <= d <= 31:
        raise ValueError(f"not a date: {value!r} (there is no such day)")
    d = min(d, last)  # 2019-06-31, as a month's end is often written, is 2019-06-30
    return f"{y:04d}-{mo:02d}-{d:02d}"


# --------------------------------------------------------------------------- YYYYMMDD numbers


def ymd_number(value: str | None, *, partial: bool = False) -> int:
    """``YYYY-MM-DD`` as the integer ``YYYYMMDD`` (how the index and caches hold a date; no
    calendar check: ``-31`` of a short month stays); with ``partial``, ``YYYY`` and ``YYYY-MM``
    too (as its first day). ValueError if ``value`` is not one of those."""
    parts = (value or "").split("-")
    if partial:
        parts = [*parts, "1", "1"][:3]
    y, m, d = (int(p) for p in parts)
    if not (0 <= m < 100 and 0 <= d < 100):  # they would spill into the next field
        raise ValueError(f"not a date: {value!r}")
    return y * 10000 + m * 100 + d


def ymd_parts(number: int) -> tuple[int, int, int]:
    """A ``YYYYMMDD`` integer as (year, month, day)."""
    return number // 10000, number // 100 % 100, number % 100
