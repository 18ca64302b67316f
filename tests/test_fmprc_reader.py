"""fmprc.gov.cn reader on real pages from ../shared/corpus/fmprc_en_zh (read in place).

Expected values were written by reading the raw pages (their ``<P>`` elements, titles and
``#News_Body_Time``), counting paragraphs by hand: ``<P>`` holding only an image are not paragraphs.
"""

from __future__ import annotations

import csv
import gzip
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from communique.structure.page import Block, NotADocument, Page
from communique.structure.publishers.fmprc import looks_like_fmprc, read_fmprc

from .conftest import CORPUS

FMPRC = CORPUS / "fmprc_en_zh"


@cache
def manifest() -> dict[str, dict[str, str]]:
    with (FMPRC / "manifest.csv").open(encoding="utf-8", newline="") as fh:
        return {row["file"]: row for row in csv.DictReader(fh)}


def raw(rel: str) -> str:
    return (FMPRC / rel).read_text(encoding="utf-8")


def page(rel: str) -> Page:
    """Read a page as the ingest layer does: with the manifest's URL and the file's path."""
    return read_fmprc(raw(rel), url=manifest()[rel]["url"] or None, path=rel)


def labels(p: Page) -> list[str]:
    return [b.label for b in p.blocks if b.label is not None]


def starts(block: Block, words: str) -> bool:
    return block.text.startswith(words)


# --- English -------------------------------------------------------------------------------------


def test_en_2020_outlet_labels() -> None:
    """July 3, 2020: outlets in bold (``<B><SPAN>CCTV: </SPAN></B>``), plain ``Zhao Lijian:``."""
    p = page("en/regular_presscon/t1794629.html")
    assert p.publisher == "fmprc.gov.cn"
    assert p.attribution == "fmprc.gov.cn"
    assert p.publisher_id == "t1794629"
    assert p.lang == "en"
    assert (
        p.title
        == "Foreign Ministry Spokesperson Zhao Lijian's Regular Press Conference on July 3, 2020"
    )
    assert (p.date, p.date_inferred) == ("2020-07-03", False)
    assert p.kind_hint == "Regular Press Conference"
    assert p.url and p.url.endswith("/2511_665403/t1794629.shtml")
    # 41 <P>: six hold only an image (first, last, and four between answers)
    assert len(p.blocks) == 35
    b = p.blocks
    assert (b[0].label, b[0].bold) == ("CCTV", True)
    assert starts(b[0], "The foreign ministry of Laos issued a statement")
    assert b[1].label is None and starts(b[1], "Zhao Lijian: China highly applauds Laos")
    # the name and the colon in separate <B>: "Beijing Youth Daily</B><B>: </B>"
    assert b[3].label == "Beijing Youth Daily" and starts(b[3], "Ryo Takeuchi, a Japanese director")
    assert b[12].label == "CNR" and starts(b[12], "US Secretary of State Pompeo issued a statement")
    assert b[16].label == "Phoenix TV" and starts(b[16], "According to reports, India's transport")
    assert b[32].label is None and starts(b[32], "The following question is raised after the press")
    assert b[33].label == "Q" and starts(b[33], "In response to Chinese Coast Guard vessels")
    assert starts(b[34], "Zhao Lijian: Diaoyu Dao and its affiliated islands")
    assert labels(p) == [
        "CCTV", "Beijing Youth Daily", "China News Service", "RIA Novosti", "CNR", "Phoenix TV",
        "China Daily", "PTI", "Kyodo News", "AFP", "Q",
    ]  # fmt: skip


def test_en_2020_follow_up_and_reuters() -> None:
    """June 4, 2020: whole questions in <STRONG>, outlet first; ``Follow-up:`` after an answer."""
    p = page("en/regular_presscon/t1785898.html")
    assert (p.date, p.date_inferred, p.lang) == ("2020-06-04", False, "en")
    assert len(p.blocks) == 35  # 39 <P>, four of them images
    b = p.blocks
    assert b[0].label == "The Paper" and starts(b[0], "The US Department of Transportation issued")
    assert b[0].bold
    assert starts(b[1], "Zhao Lijian: We deeply regret")
    assert b[2].label == "Follow-up" and starts(b[2], "Now that China issued a notice")
    assert b[16].label == "Reuters" and starts(b[16], "According to reports, the United States")
    assert b[33].label == "Kyodo"
    assert starts(b[34], "Zhao Lijian: I also take note of relevant reports.")
    assert "Q" not in labels(p)


def test_en_2018_q_a_and_title_without_space() -> None:
    """``on June12, 2018``: bold ``Q:`` questions, plain ``A:`` answers, bold ``Follow-up:``."""
    p = page("en/regular_presscon/t1568234.html")
    assert (
        p.title
        == "Foreign Ministry Spokesperson Geng Shuang's Regular Press Conference on June12, 2018"
    )
    assert (p.date, p.date_inferred) == ("2018-06-12", False)
    assert p.publisher_id == "t1568234"
    assert len(p.blocks) == 43  # 46 <P>: image, image between answers, image at the end
    b = p.blocks
    assert b[0].label is None and starts(b[0], "Brunei Second Minister of Foreign Affairs")
    assert b[3].label == "Q" and starts(
        b[3], "According to reports, the leaders of the US and the DPRK"
    )
    assert b[4].label is None and starts(
        b[4], "A: The international community is closely following"
    )
    assert b[11].label == "Follow-up" and starts(
        b[11], "Will Chairman Kim Jong Un stop in Beijing?"
    )
    assert b[16].label == "Q" and starts(b[16], "This morning the Ministry of Foreign Affairs")
    assert b[22].label == "Follow-up"
    assert starts(b[42], "As to the details, I believe")
    assert Counter(labels(p)) == {"Q": 11, "Follow-up": 2}
    assert sum(1 for x in b if x.label is None and x.text.startswith("A: ")) == 13


def test_en_title_date_without_year_is_inferred() -> None:
    """``on September 10``: the year comes from the page (image upload stamps W020180910...)."""
    p = page("en/regular_presscon/t1593756.html")
    assert (
        p.title
        == "Foreign Ministry Spokesperson Geng Shuang's Regular Press Conference on September 10"
    )
    assert (p.date, p.date_inferred) == ("2018-09-10", True)
    assert len(p.blocks) == 29
    assert starts(p.blocks[0], "At the invitation of State Councilor and Foreign Minister Wang Yi")
    assert p.blocks[3].label == "Q"
    assert starts(p.blocks[3], "State Councilor and Foreign Minister Wang Yi visited Pakistan")
    assert starts(p.blocks[28], "On the Korean Peninsula issue")


def test_en_year_inferred_from_related_news_without_images() -> None:
    """Without image stamps the latest dated "Related News" title gives the year."""
    html = re.sub(r"W0\d{12,}", "img", raw("en/regular_presscon/t1593756.html"))
    p = read_fmprc(html)
    assert (p.date, p.date_inferred) == ("2018-09-10", True)
    # across New Year: related news from September 2018 puts "January 2" in 2019
    p = read_fmprc(html.replace("Conference on September 10</h2>", "Conference on January 2</h2>"))
    assert (p.date, p.date_inferred) == ("2019-01-02", True)


def test_en_year_inferred_from_url_path() -> None:
    """Newer fmprc URLs carry the day: ``/202107/t20210705_9170836.html``."""
    html = re.sub(r"W0\d{12,}", "img", raw("en/regular_presscon/t1593756.html"))
    html = re.sub(r'<div class="tool"[^>]*id="id_RelNewsList".*?</ul>', "", html, flags=re.S)
    assert read_fmprc(html).date is None  # nothing on the page gives the year
    url = "https://www.fmprc.gov.cn/mfa_eng/xwfw_665399/s2510_665401/202109/t20210910_9170836.html"
    p = read_fmprc(html, url=url)
    assert (p.date, p.date_inferred, p.publisher_id) == ("2021-09-10", True, "t20210910_9170836")


def test_en_daily_briefing_online() -> None:
    p = page("en/other/t1739548.html")
    assert p.kind_hint == "Daily Briefing Online"
    assert p.title == (
        "Foreign Ministry Spokesperson Hua Chunying's Daily Briefing Online on February 3, 2020"
    )
    assert (p.date, p.date_inferred, p.lang) == ("2020-02-03", False, "en")
    assert len(p.blocks) == 64  # 68 <P>, four empty
    b = p.blocks
    assert b[0].label is None and starts(b[0], "Good afternoon. I'm Hua Chunying")
    assert b[3].label == "Q" and starts(b[3], "Some countries announced travel restrictions")
    # "<B>Q: Pakistan</B> <B>said</B><B>&nbsp;y</B><B>esterday": one label, words rejoined
    assert b[21].label == "Q" and starts(b[21], "Pakistan said yesterday it will not be evacuating")
    assert starts(b[63], "A: China and Pakistan are iron-clad friends")
    assert labels(p) == ["Q"] * 20


def test_en_paragraphs_separated_by_br() -> None:
    """March 5, 2020: ten <P>, the paragraphs inside separated by ``<BR><BR>``."""
    p = page("en/regular_presscon/t1752564.html")
    assert len(p.blocks) == 31
    b = p.blocks
    assert starts(b[0], "First, some figures from the NHC.")
    assert starts(b[1], "As such preliminary trend shows")
    assert b[2].label == "Q" and starts(b[2], "Reports say the US House of Representatives")
    assert b[3].label is None and starts(b[3], "A: This Act is in serious violation")
    # "<STRONG>Q: A Fox News host ... <BR></STRONG><BR>A: What he said"
    assert b[5].label == "Q" and b[5].text.endswith("What is your comment?")
    assert starts(b[6], "A: What he said, which reveals")
    assert starts(b[30], "A: As I just said, diplomatic departments")


def test_en_remarks_without_date_in_title() -> None:
    p = page("en/spokesperson_remarks_or_qa/t1686638.html")
    assert p.kind_hint == "Spokesperson's Remarks"
    assert p.date is None and not p.date_inferred
    assert len(p.blocks) == 5
    assert p.blocks[0].label == "Q" and starts(p.blocks[0], "US House Speaker Pelosi issued")
    assert starts(p.blocks[1], "A: The recent demonstrations in Hong Kong")


# --- Chinese -------------------------------------------------------------------------------------


def test_zh_2020_outlet_labels() -> None:
    p = page("zh/regular_presscon/t1794584.html")
    assert p.title == "2020年7月3日外交部发言人赵立坚主持例行记者会"
    assert (p.date, p.date_inferred, p.lang) == ("2020-07-03", False, "zh")
    assert p.publisher_id == "t1794584"
    assert p.kind_hint == "例行记者会"
    assert len(p.blocks) == 34  # 40 <P>, six images
    b = p.blocks
    assert b[0].label == "中央电视台记者" and starts(b[0], "日前，老挝外交部发表声明")
    assert b[1].label is None and starts(b[1], "赵立坚：中方高度赞赏老方和越方")
    assert b[10].label == "今日俄罗斯记者" and starts(b[10], "2日，比利时国家安全局称")
    assert b[32].label == "会后有记者问及" and starts(b[32], "据报道，日本内阁官房长官菅义伟")
    assert starts(b[33], "赵立坚：钓鱼岛及其附属岛屿")
    assert not any(x.text.startswith(("\u3000", " ")) for x in b)


def test_zh_2016_wen_da() -> None:
    p = page("zh/regular_presscon/t1415586.html")
    assert p.title == "2016年11月15日外交部发言人耿爽主持例行记者会"
    assert (p.date, p.date_inferred) == ("2016-11-15", False)
    assert len(p.blocks) == 13
    b = p.blocks
    assert b[0].label == "问" and starts(b[0], "近日，美国国务院发布消息称")
    assert b[1].label is None and starts(b[1], "答：中美执法合作是两国关系的重要组成部分")
    assert starts(b[12], "对于中方来讲，亚投行成立旨在")
    assert labels(p) == ["问"] * 4
    assert sum(1 for x in b if x.text.startswith("答：")) == 4


def test_zh_follow_up_and_plain_after_conference_label() -> None:
    """追问 in <STRONG>; ``会后，有记者问及<STRONG>：...`` puts the colon in the bold run."""
    p = page("zh/regular_presscon/t1503405.html")
    assert (p.date, p.lang) == ("2017-10-20", "zh")
    assert len(p.blocks) == 12
    b = p.blocks
    assert b[0].label is None and starts(b[0], "国家主席习近平特使、国务院副总理张高丽")
    assert b[1].label == "问" and starts(b[1], "据报道，针对英国保守党人权委员会副主席")
    # plain "会后，有记者问及：": the narration is the question's label (fmprc_roles)
    assert (b[7].label, b[7].role) == ("会后，有记者问及", "question")
    assert starts(b[7], "昨天，普京总统") and not b[7].bold
    assert b[8].role == "answer" and starts(b[8], "我此前也介绍过，中方收到了")
    assert b[10].label == "追问" and starts(b[10], "普京总统还说")
    assert starts(b[11], "答：当然，两位领导人")


def test_zh_answers_to_journalists() -> None:
    p = page("zh/spokesperson_remarks_or_qa/t1416912.html")
    assert p.title == "外交部发言人耿爽就十四世达赖窜访蒙古答记者问"
    assert (p.date, p.kind_hint, p.lang) == ("2016-11-20", "答记者问", "zh")
    assert len(p.blocks) == 3
    assert p.blocks[0].label == "问" and p.blocks[0].bold
    assert starts(p.blocks[0], "据报道，十四世达赖近日赴蒙古活动")
    assert starts(p.blocks[1], "答：近日，蒙方不顾中方多次劝阻")


def test_zh_online_briefing_in_other() -> None:
    p = page("zh/other/t1739521.html")
    assert p.title == "2020年2月3日外交部发言人华春莹主持网上例行记者会"
    assert (p.date, p.kind_hint) == ("2020-02-03", "网上例行记者会")
    assert len(p.blocks) == 64
    b = p.blocks
    assert starts(b[0], "各位记者朋友好！我是外交部发言人华春莹")
    assert b[3].label == "问" and starts(b[3], "近日，个别国家相继宣布")
    # "<B><B>问：</B></B><B>1<B>月</B><B>29</B><B>日</B></B>..."
    assert b[62].label == "问" and starts(b[62], "1月29日，巴基斯坦方面取消了")
    assert starts(b[63], "答：中巴是铁杆朋友")


def test_zh_statement_in_other() -> None:
    """A spokesperson's statement (发表谈话): a document with no turns, kind ``comment``."""
    p = page("zh/other/t1623690.html")
    assert (p.date, p.kind_hint) == ("2018-12-20", "comment")
    assert len(p.blocks) == 4
    assert labels(p) == []
    assert starts(p.blocks[0], "我们对美方执意签署美国会通过的所谓")


def test_zh_furniture_inside_body_is_dropped() -> None:
    html = raw("zh/other/t1623690.html").replace(
        '<div id="News_Body_Txt_A" class="content">',
        '<div id="News_Body_Txt_A" class="content"><p>[字体：<a>大</a> <a>中</a> <a>小</a>]</p>'
        "<p><a>打印本页</a></p><p>* * *</p>",
    )
    p = read_fmprc(html, path="zh/other/t1623690.html")
    assert len(p.blocks) == 4 and p.publisher_id == "t1623690"
    assert starts(p.blocks[0], "我们对美方执意签署")


# --- not documents -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rel", ["zh/index_page/default.html", "zh/index_page/default_10.html",
            "en/regular_presscon/default_1.html"],
)  # fmt: skip
def test_index_pages(rel: str) -> None:
    assert looks_like_fmprc(raw(rel))
    with pytest.raises(NotADocument, match=r"^index page: list of links$"):
        read_fmprc(raw(rel), path=rel)


def test_error_pages() -> None:
    redirect = "unknown/other/5da282a497928267043b7993b40e794ff3a6a26a.html"
    not_found = "unknown/other/31fb332d1f8849f7ec35c7e1548f0d0ad7e25139.html"
    for rel in (redirect, not_found):
        assert looks_like_fmprc(raw(rel))
    with pytest.raises(NotADocument, match=r"^error page: 302 Found"):
        read_fmprc(raw(redirect))
    with pytest.raises(NotADocument, match=r"^error page"):
        read_fmprc(raw(not_found))
    # the same site shell without its "page not found" message
    shell = re.sub(r"<TABLE.*?</TABLE>", "", raw(not_found), flags=re.S)
    with pytest.raises(NotADocument, match=r"^error page"):
        read_fmprc(shell)


def test_document_template_without_text_is_an_error_page() -> None:
    """A document page whose body is empty, or holds only a "not found" notice."""
    en = raw("en/spokesperson_remarks_or_qa/t1686638.html")
    start = en.index('<div class="content">') + len('<div class="content">')
    end = en.index('<div class="tool"', start)
    with pytest.raises(NotADocument, match=r"^error page: site shell"):
        read_fmprc(en[:start] + "<P>&nbsp;</P></div>" + en[end:])  # "Related News" stays
    zh = raw("zh/other/t1623690.html")
    start = zh.index('<div id="News_Body_Txt_A" class="content">')
    end = zh.index('<div class="news" id="appendix_list"')
    notice = '<div id="News_Body_Txt_A"><p>对不起，我们没有找到您要的网页。</p></div>'
    with pytest.raises(NotADocument, match=r"^error page: page not found"):
        read_fmprc(zh[:start] + notice + zh[end:])


def test_looks_like_fmprc_rejects_other_sites() -> None:
    assert not looks_like_fmprc("<html><body><p>Q: hello</p><p>A: hi</p></body></html>")
    assert not looks_like_fmprc('<a href="https://www.fmprc.gov.cn/mfa_eng/">MFA</a>')
    assert not looks_like_fmprc(
        '<p>中华人民共和国外交部 <a href="https://www.fmprc.gov.cn/">网站</a></p>'
    )
    kremlin = sorted((CORPUS / "kremlin_en" / "html").glob("*.html.gz"))[:20]
    for path in kremlin:
        assert not looks_like_fmprc(gzip.decompress(path.read_bytes()).decode("utf-8", "replace"))


# --- every file ----------------------------------------------------------------------------------


def test_every_fmprc_file() -> None:
    """All files: documents read, list and error pages skipped, dates equal to the manifest's.

    The manifest files 11 English list pages (``default_N.html``) under regular_presscon with no
    date: they must be skipped as index pages.
    """
    rows = manifest()
    files = sorted(str(p.relative_to(FMPRC)) for p in FMPRC.rglob("*.html"))
    assert len(files) == len(rows)
    dated = agree = inferred = 0
    mismatches = []
    skipped: Counter[str] = Counter()
    for rel in files:
        row = rows[rel]
        html = raw(rel)
        assert looks_like_fmprc(html), rel
        try:
            p = read_fmprc(html, url=row["url"] or None, path=rel)
        except NotADocument as exc:
            reason = str(exc).split(":")[0]
            skipped[reason] += 1
            expected = "error page" if row["lang"] == "unknown" else "index page"
            assert reason == expected, rel
            assert row["kind"] == "index_page" or not row["date"], rel
            continue
        assert row["kind"] != "index_page" and row["lang"] != "unknown", rel
        assert p.blocks and p.lang == row["lang"], rel
        assert p.publisher_id == Path(rel).stem, rel
        assert all(b.text or b.label for b in p.blocks), rel
        assert not any(b.text.startswith(("\u3000", " ")) for b in p.blocks), rel
        if row["date"]:
            dated += 1
            inferred += p.date_inferred
            if (p.date, p.date_inferred) == (row["date"], bool(row["date_note"])):
                agree += 1
            else:
                mismatches.append((rel, p.date, p.date_inferred, row["date"], row["date_note"]))
    regular = sum(1 for r in rows.values() if r["kind"] == "regular_presscon" and r["date"])
    print(
        f"\nfmprc: {dated} dated documents ({regular} regular press conferences), {agree} dates"
        f" agree with the manifest, {inferred} years inferred; skipped {dict(skipped)}"
    )
    assert not mismatches, mismatches[:10]
    assert skipped == {"index page": 59 + 11, "error page": 2}
