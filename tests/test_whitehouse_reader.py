"""structure.publishers.whitehouse on the real White House briefings (read in place).

Expectations come from reading the pages (``zcat html/NNNN.html.gz``): counts of ``<p>`` /
``legacy-para`` paragraphs, and of ``<br/>`` + NBSP-line breaks, less the header lines (place,
correction pointer, start time) and the closing ``END`` / time paragraph.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from communique.sources.decode import bytes_to_text, maybe_gunzip
from communique.structure.page import Page, Unparseable
from communique.structure.publishers.whitehouse import looks_like_whitehouse, read_whitehouse

from .conftest import CORPUS

FOLDER = CORPUS / "whitehouse_briefings"
HTML = FOLDER / "html"


def _text(name: str) -> str:
    return bytes_to_text(maybe_gunzip((HTML / f"{name}.html.gz").read_bytes()))


def _read(name: str) -> Page:
    return read_whitehouse(_text(name))


def _texts(page: Page) -> list[str]:
    return [b.text for b in page.blocks]


# --- recognising the format ---------------------------------------------------------------


def test_looks_like_whitehouse() -> None:
    assert looks_like_whitehouse(_text("0001"))
    assert looks_like_whitehouse("<h1>T</h1>\nb'<div class=\"field field-name-x\">hi</div>'")
    assert not looks_like_whitehouse('<h1>T</h1>\n<div class="field">hi</div>')
    assert not looks_like_whitehouse("<!DOCTYPE html><html><h1>T</h1></html>")
    kremlin = maybe_gunzip((CORPUS / "kremlin_en" / "html" / "017173.html.gz").read_bytes())
    assert not looks_like_whitehouse(bytes_to_text(kremlin))


def test_truncated_literal_is_unparseable() -> None:
    text = _text("0673")
    with pytest.raises(Unparseable, match="truncated"):
        read_whitehouse(text[: len(text) // 2])


def test_no_literal_is_unparseable() -> None:
    with pytest.raises(Unparseable):
        read_whitehouse("<h1>Title</h1>\n<div>plain html</div>")


# --- five kinds of briefing ----------------------------------------------------------------


def test_carney_gaggle_aboard_air_force_one() -> None:
    # 0673: <p class="rtecenter">Aboard Air Force One<br/>En Route Senegal</p>, <p>12:00 P.M.
    # EDT</p>, eight speech paragraphs, <p>END<br/>12:05 P.M. EDT</p>.
    page = _read("0673")
    assert page.title == (
        "Press Briefing by Press Secretary Jay Carney on the President's Statement in Response "
        "to the Supreme Court Ruling on the Defense of Marriage Act aboard Air Force One en "
        "route Senegal, 6/26/13"
    )
    assert (page.publisher, page.lang) == ("whitehouse.gov", "en")
    assert (page.date, page.date_inferred) == ("2013-06-26", False)
    assert (page.time, page.tz) == ("12:00", "EDT")
    assert page.place == "Aboard Air Force One, En Route Senegal"
    texts = _texts(page)
    assert len(texts) == 8
    assert texts[0].startswith("MR. CARNEY:  So this is the only paper statement")
    assert texts[1].startswith("The first was to Edie Windsor.")
    assert texts[4] == "Q    Who called him?"
    assert texts[7].startswith("MR. CARNEY:  He was obviously pleased.")
    assert all(b.label is None for b in page.blocks)  # labels stay in the text


def test_carney_briefing_short_date() -> None:
    # 1000: 194 <p>: place, time, 191 speech paragraphs, END + time.
    page = _read("1000")
    assert page.title == "Press Briefing by Press Secretary Jay Carney, 1/10/12"
    assert page.date == "2012-01-10"
    assert (page.time, page.tz) == ("12:28", "EST")
    assert page.place == "James S. Brady Press Briefing Room"
    texts = _texts(page)
    assert len(texts) == 191
    assert texts[0].startswith("MR. CARNEY:  I apologize for that -- scheduling is a")
    assert texts[1] == "Q    Tell us about them."  # Q + 3 NBSP + space
    assert texts[-1] == "Thank you all very much."


def test_earnest_briefing_with_correction_note() -> None:
    # 0001: 294 <p>: place, "**Please see correction ..." pointer, time, 290 paragraphs, END.
    page = _read("0001")
    assert page.title == "Press Briefing by Press Secretary Josh Earnest, 8/3/2016"
    assert page.date == "2016-08-03"
    assert (page.time, page.tz) == ("11:44", "EDT")
    assert page.place == "James S. Brady Press Briefing Room"
    texts = _texts(page)
    assert len(texts) == 290
    assert texts[0].startswith("MR. EARNEST:  Good morning, everybody.")
    assert texts[1].startswith("I don’t have any statements at the top, Josh")
    assert texts[2] == "Q    You didn’t get Zika did you?"  # "Q \xa0 \xa0You"
    assert texts[3] == "MR. EARNEST:  I hope not. (Laughter.)"
    assert texts[-1] == "Thanks, everybody."
    assert not any("Please see correction" in t for t in texts)
    assert not any(t.startswith("END") for t in texts)


def test_schultz_gaggle_br_paragraphs() -> None:
    # 0002: the whole transcript is one <p> whose paragraphs are split by <br/> + an NBSP line
    # (51 of them): the time, 50 paragraphs, then "END\xa0<br/>12:31 P.M. EDT".
    page = _read("0002")
    assert page.date == "2016-08-01"  # "8/1/16"
    assert (page.time, page.tz) == ("12:10", "EDT")
    assert page.place == "Aboard Air Force One, En Route Atlanta, Georgia"
    texts = _texts(page)
    assert len(texts) == 50
    assert texts[0].startswith("MR. SCHULTZ:  Welcome aboard Air Force One, everybody,")
    assert texts[1].startswith("The President will make two important announcements")
    assert texts[-1] == "Thank you, guys."


def test_press_conference_by_the_president() -> None:
    # 0000: two centered place lines, then one <p> with 115 paragraphs after the time.
    page = _read("0000")
    assert page.title == (
        "Press Conference by the President After Meeting with National Security Officials"
    )
    assert page.date is None  # neither the title nor the header gives one
    assert (page.time, page.tz) == ("16:49", "EDT")
    assert page.place == "The Pentagon, Washington, D.C."
    texts = _texts(page)
    assert len(texts) == 115
    assert texts[0].startswith("THE PRESIDENT:  Good afternoon, everybody. I just met again")
    assert texts[-1] == "All right? Thank you very much, everybody."


def test_cp1252_title_press_call() -> None:
    # 0045: the <h1> holds a raw cp1252 byte (Lady\x92s); caption of 7 <br/> lines, "Via
    # Conference Call", time, 32 paragraphs, no END.
    page = _read("0045")
    assert page.title == (
        "Press Call on the Frist Lady’s Announcement on the Legacy and Future of Turnaround Arts"
    )
    assert page.date is None
    assert (page.time, page.tz) == ("11:34", "EDT")
    assert page.place == "Via Conference Call"
    texts = _texts(page)
    assert len(texts) == 32
    assert texts[0].startswith("MS. DRAKE:  Thank you for joining this on-the-record")
    assert texts[-1].startswith("So this is one of those fantastic experiences")


def test_cp1252_title_with_accent() -> None:
    page = _read("0719")  # "Cecilia Mu\xf1oz" in the <h1>
    assert page.title is not None
    assert "Director of Domestic Policy Council Cecilia Muñoz on the Fiscal Year" in page.title
    assert page.date == "2013-04-10"


def test_mojibake_in_body_is_repaired() -> None:
    # 0854: 'called \xc3\xa2\xe2\x82\xac\xc5\x93The Same.\xc3\xa2\xe2\x82\xac\xc2\x9d' in the
    # literal: UTF-8 read as cp1252 before it was stored.
    text = " ".join(_texts(_read("0854")))
    assert "The new ad is called “The Same.” It draws" in text
    assert "â€" not in text


def test_month_name_date_and_caps_caption() -> None:
    # 0342: <p align="center"> caps caption (5 <br/> lines), "New Delhi, India", time, 210
    # paragraphs, END.
    page = _read("0342")
    assert page.title == (
        "Press Briefing by Press Secretary Josh Earnest, et al. | January 26, 2015"
    )
    assert page.date == "2015-01-26"
    assert (page.time, page.tz) == ("14:01", "IST")
    assert page.place == "New Delhi, India"
    texts = _texts(page)
    assert len(texts) == 210
    assert texts[0].startswith("MR. EARNEST:  Let me just outline the top for you")
    assert not any("MASTERCARD" in t for t in texts)


def test_legacy_2009_template() -> None:
    # 1501: 226 div.legacy-para: THE WHITE HOUSE, Office/For Immediate Release, caps caption,
    # place, time, 220 paragraphs, END; one paragraph runs two turns together ("...campaigned
    # for? MR. GIBBS: I think ...") and is cut at the label: 221 blocks.
    page = _read("1501")
    assert page.title == "Briefing by White House Press Secretary Robert Gibbs, 9/16/09"
    assert page.date == "2009-09-16"
    assert (page.time, page.tz) == ("14:13", "EDT")
    assert page.place == "James S. Brady Press Briefing Room"
    texts = _texts(page)
    assert len(texts) == 221
    assert texts[0] == "MR. GIBBS: Good afternoon, hope everyone is doing well. Take us away."
    assert texts[1].startswith("Q Thanks. The bill in the Senate, Baucus's bill, is out now.")
    assert any(t.startswith("MR. GIBBS: I think what the President believes") for t in texts)
    joined = " ".join(texts)
    for furniture in ("THE WHITE HOUSE", "Office of the Press Secretary", "For Immediate"):
        assert furniture not in joined


def test_date_from_release_line_when_title_has_none() -> None:
    # 1485: no time line; "For Immediate Release  October 1, 2009"; place "Geneva, Switzerland"
    page = _read("1485")
    assert page.title == "Background Briefing by a Senior U.S. Official on today's P5+1 meeting"
    assert page.date == "2009-10-01"
    assert page.time is None
    assert page.place == "Geneva, Switzerland"
    assert _texts(page)[0].startswith("Let me start off by recapping the events of the day")


def test_transcript_in_one_paragraph_is_cut_at_labels() -> None:
    # 0685: a single <p>: "2:27 P.M. PDT MR. RHODES: Hey, everybody. ..." with 13 "MR. RHODES:",
    # 26 "MR. DONILON:" and 25 "Q " labels inside; it ends "... Thank you. 3:21 P.M. PDT".
    page = _read("0685")
    assert (page.time, page.tz) == ("14:27", "PDT")
    texts = _texts(page)
    assert len(texts) == 64
    assert texts[0].startswith("MR. RHODES: Hey, everybody. Thanks for coming")
    assert texts[1].startswith("MR. DONILON: Thank you, Ben. Good afternoon, everybody.")
    assert sum(t.startswith("Q ") for t in texts) == 25
    assert texts[-1].endswith("Okay, thanks, everybody. Thank you.")


def test_spanish_page() -> None:
    page = _read("1444")
    assert page.title == "Declaraciones del Presidente Durante Rueda de Prensa"
    assert page.lang == "es"
    assert (page.time, page.tz) == ("22:30", "CET")
    assert _texts(page)[0].startswith("EL PRESIDENTE:  Permítanme comenzar")


def test_label_without_space_is_kept_verbatim() -> None:
    # 0016: the page lost its NBSPs: "MR. EARNEST:Good afternoon, everybody.Good evening."
    page = _read("0016")
    assert page.place == "Westin Hotel, Warsaw, Poland"
    assert _texts(page)[0].startswith("MR. EARNEST:Good afternoon, everybody.Good evening.")


# --- the whole folder ------------------------------------------------------------------------


def _manifest() -> dict[str, dict[str, str]]:
    with (FOLDER / "manifest.csv").open(encoding="utf-8", newline="") as fh:
        return {Path(row["file"]).name: row for row in csv.DictReader(fh)}


_RELEASE = re.compile(
    rb"For Immediate Release(?:\s|\\xc2\\xa0)+((?:January|February|March|April|May|June|July"
    rb"|August|September|October|November|December) \d{1,2}, \d{4})"
)


def test_every_file_reads() -> None:
    manifest = _manifest()
    files = sorted(HTML.glob("*.html.gz"))
    assert len(files) == len(manifest) == 1515
    with_date = with_time = with_place = 0
    for path in files:
        raw = maybe_gunzip(path.read_bytes())
        text = bytes_to_text(raw)
        assert looks_like_whitehouse(text), path.name
        page = read_whitehouse(text)
        assert page.publisher == "whitehouse.gov"
        assert page.lang in ("en", "es"), path.name
        assert page.title, path.name
        assert page.blocks, path.name
        for block in page.blocks:
            assert block.text and "\n" not in block.text and "\u00a0" not in block.text
            assert not re.match(r"END\b|\d{1,2}:\d\d [AP]\.M\. [A-Z]{2,4}$", block.text)
        expected = manifest[path.name]["date_from_title"]
        if expected:  # the manifest read these from the titles
            assert page.date == expected, path.name
        elif _RELEASE.search(raw):
            # no date in the title: the release line of the 2009 template gives it
            assert page.date is not None, path.name
        with_date += page.date is not None
        with_time += page.time is not None
        with_place += page.place is not None
    # 1,022 titles carry a date the manifest's own scan found; other title formats
    # ("January 26, 2015", "2/3/2016 -- Baltimore") and "For Immediate Release" lines add more.
    print(f"{len(files)} pages: {with_date} dated, {with_time} timed, {with_place} placed")
    assert with_date >= 1100
    assert with_time >= 1450
    assert with_place >= 1150
