"""Roles, speakers and question->answer links on fmprc pages and CMFA rows (issue 13).

Every expected value was read off the raw page (its ``<P>`` elements, bold runs and labels, in
order) or the CSV cell, not taken from the parser's output. None of these pages is held out.
"""

from __future__ import annotations

from communique.model import Document, Turn

from .conftest import CORPUS
from .test_structure import parse_file, table_docs

FMPRC = CORPUS / "fmprc_en_zh"


def doc_of(rel: str) -> Document:
    return parse_file(FMPRC / rel)


def roles(doc: Document) -> list[tuple[str, int | None]]:
    return [(t.role, t.answers) for t in doc.turns]


def turn(doc: Document, n: int) -> Turn:
    assert doc.turns[n - 1].n == n
    return doc.turns[n - 1]


def test_en_outlet_labels_are_the_questioners() -> None:
    """April 1, 2020: "China National Radio:" and "The Paper:" in bold ask like "CCTV:" does.

    Their words look like an office ("National", "The"), so they used to be taken for officials
    answering the previous question, and Hua Chunying's reply after them linked to that one.
    """
    doc = doc_of("en/regular_presscon/t1764777.html")
    assert doc.title and "Hua Chunying" in doc.title
    # 1 opening statement, then 9 outlets each answered once by "Hua Chunying:"
    assert roles(doc) == [("statement", None)] + [
        pair for q in range(2, 20, 2) for pair in (("question", None), ("answer", q))
    ]
    questions = [t for t in doc.turns if t.role == "question"]
    assert [t.affiliation for t in questions] == [
        "CCTV", "China National Radio", "Beijing Youth Daily", "Global Times", "AFP", "The Paper",
        "Shenzhen TV", "Reuters", "Press Trust of India",
    ]  # fmt: skip
    assert all(t.speaker is None for t in questions)
    assert {t.speaker for t in doc.turns if t.role == "answer"} == {"Hua Chunying"}
    opening = turn(doc, 1)
    assert opening.speaker == "Hua Chunying" and opening.text.startswith("Yesterday China and")
    cnr, paper = turn(doc, 4), turn(doc, 12)
    assert cnr.label == "China National Radio" and cnr.text.startswith("Recently the journal")
    assert turn(doc, 5).text.startswith("The paper's findings are consistent with WHO's view")
    assert paper.label == "The Paper" and paper.text.startswith("During his interviews")
    reply = turn(doc, 13)
    assert reply.text.startswith("We read the reports, too.")
    assert "Second, while making all-out efforts" in reply.text  # its four paragraphs


def test_en_first_question_under_an_outlet_after_the_opening_statement() -> None:
    """March 26, 2020: Geng Shuang's figures, then "The Paper:" asks the first question.

    The opening statement and The Paper's question used to run together as three statements
    (The Paper taken for an official), with no question for Geng Shuang's reply.
    """
    doc = doc_of("en/regular_presscon/t1761753.html")
    opening, paper, reply, afp = doc.turns[:4]
    assert opening.role == "statement" and opening.text.startswith("I'd like to share some")
    assert opening.speaker == "Geng Shuang"  # the title's spokesperson opens
    assert "\n\n" not in opening.text  # one paragraph
    assert (paper.role, paper.affiliation, paper.speaker) == ("question", "The Paper", None)
    assert paper.text.startswith("At a press availability after the Virtual G7 Ministerial")
    assert (reply.role, reply.answers, reply.speaker) == ("answer", 2, "Geng Shuang")
    assert reply.text.startswith("We strongly condemn these remarks by Secretary Pompeo.")
    assert reply.text.count("\n\n") == 4  # its five paragraphs
    assert (afp.role, afp.affiliation) == ("question", "AFP")


def test_zh_journalist_interjections_and_plain_replies() -> None:
    """June 21, 2019: bold "记者：是的。" then Lu Kang's plain reply, with no "答：" before it.

    Lu Kang asks back three times about the AP exam question (turn 5): "答：你说和中美贸易摩擦
    有关，是你猜测的还是引述的？", "你刚才说，…对吗？", "那你向中国教育部求证了吗？". Counter-
    questions are questions (issue 13, gold README), the journalist's replies answer them, and
    Lu Kang's last turn answers the journalist's question.
    """
    doc = doc_of("zh/regular_presscon/t1674409.html")
    assert doc.title == "2019年6月21日外交部发言人陆慷主持例行记者会"
    assert roles(doc)[:13] == [
        ("question", None), ("answer", 1), ("question", None), ("answer", 3),
        ("question", None), ("question", None), ("answer", 6), ("question", None),
        ("answer", 8), ("question", None), ("answer", 10), ("answer", 5),
        ("question", None),
    ]  # fmt: skip
    assert [turn(doc, n).label for n in (1, 2, 3, 4, 7, 9, 11, 13)] == [
        "问", "答", "记者", None, "记者", "记者", "记者", "问",
    ]  # fmt: skip
    assert turn(doc, 2).text.endswith("你还提到了关于那两个加拿大公民的案件，是吗？")
    assert turn(doc, 3).text == "是的。"
    assert turn(doc, 4).text.startswith("中方已就此多次介绍过有关情况。")
    assert [turn(doc, n).text for n in (7, 8, 9, 10, 11)] == [
        "这是部分人的猜测。",
        "你刚才说，有报道称是中国教育部下发文件暂停考试，对吗？",
        "对。",
        "那你向中国教育部求证了吗？",
        "我的同事应该已经向教育部询问了。",
    ]
    assert turn(doc, 12).text.startswith("我不了解你说的情况。")
    assert turn(doc, 13).text.startswith("据报道，浙江钱江摩托公司昨天同美国摩托车制造商")
    asked_back = {6, 8, 10}
    assert {turn(doc, n).speaker for n in asked_back} == {"陆慷"}
    assert {t.speaker for t in doc.turns if t.role == "answer" and t.label != "记者"} == {"陆慷"}
    assert all(
        t.speaker is None for t in doc.turns if t.role == "question" and t.n not in asked_back
    )
    # a stage note ("（记者摇头。）") stays inside the answer it interrupts
    (shake,) = [t for t in doc.turns if "（记者摇头。）" in t.text]
    assert shake.role == "answer" and "这篇报道确实提到了网络攻击" in shake.text


def test_zh_sentence_naming_journalists_before_a_colon_is_not_a_label() -> None:
    """Sept 23, 2019: "我以前在记者会上常说一句话，今天可以再重复一遍：…" inside Geng Shuang's
    answer (plain, between "答：" and the next bold "问：")."""
    doc = doc_of("zh/regular_presscon/t1700436.html")
    (q,) = [t for t in doc.turns if t.text.startswith("现在中国与基里巴斯已经复交")]
    answer, following = turn(doc, q.n + 1), turn(doc, q.n + 2)
    assert (answer.role, answer.answers, answer.speaker, answer.label) == (
        "answer", q.n, "耿爽", "答",
    )  # fmt: skip
    assert answer.text.startswith("Michael，我先纠正你一下")
    assert answer.text.count("\n\n") == 3  # its four paragraphs
    assert "\n\n我以前在记者会上常说一句话，今天可以再重复一遍：该来的早晚会来" in answer.text
    assert answer.text.endswith("也有利于太平洋岛国地区的和平稳定与发展繁荣。")
    assert following.role == "question" and following.text.startswith("据报道，20日，1辆")


def test_zh_aside_in_parentheses_is_a_question() -> None:
    """June 22, 2017: "（记者：消息是巴基斯坦媒体昨天透露的。）" then the reply, plain."""
    doc = doc_of("zh/regular_presscon/t1472449.html")
    (aside,) = [t for t in doc.turns if t.label == "记者"]
    assert aside.role == "question" and aside.text == "消息是巴基斯坦媒体昨天透露的。"
    assert aside.affiliation is None and aside.speaker is None
    reply = turn(doc, aside.n + 1)
    assert (reply.role, reply.answers, reply.speaker) == ("answer", aside.n, "耿爽")
    assert reply.text == "如果有消息，我们会适时发布。"
    before = turn(doc, aside.n - 1)
    assert before.label == "答" and before.text.startswith("我刚才说过了，中国跟巴基斯坦")
    # "（记者点头，笑。）" is a stage note inside an answer, not a turn
    assert "（记者点头，笑。）" in turn(doc, 4).text and turn(doc, 4).role == "answer"


def test_zh_question_after_the_conference_and_reply_without_a_label() -> None:
    """Feb 24, 2017 ends: bold "会后有记者问及：…" then plain "耿爽表示，…"."""
    doc = doc_of("zh/regular_presscon/t1441374.html")
    assert len(doc.turns) == 38
    after, reply = turn(doc, 37), turn(doc, 38)
    assert (after.role, after.label) == ("question", "会后有记者问及")
    assert after.affiliation is None and after.speaker is None
    assert after.text.startswith("日本防卫省防卫研究所发表了《中国安全保障报告2017")
    assert (reply.role, reply.answers, reply.speaker) == ("answer", 37, "耿爽")
    assert reply.text.startswith("耿爽表示，我们注意到有关报道，已就此向日方提出严正交涉。")
    assert turn(doc, 36).text == (
        "姆努钦财长刚刚就任不久，中方期待同他合作，共同推动中美经贸关系继续向前发展，造福两国人民。"
    )
    follow_ups = [t.n for t in doc.turns if t.label == "追问"]
    assert follow_ups == [21, 31, 35]
    assert all(turn(doc, n + 1).answers == n for n in follow_ups)


def test_en_question_after_the_conference_in_the_text() -> None:
    """Aug 2, 2018: a plain "After the press conference, the following question is raised: …"."""
    doc = doc_of("en/regular_presscon/t1581484.html")
    (after,) = [t for t in doc.turns if t.label and t.label.startswith("After the press")]
    assert after.label == "After the press conference, the following question is raised"
    assert after.role == "question" and after.text.startswith("The Vietnamese government has")
    reply = turn(doc, after.n + 1)
    assert (reply.role, reply.answers, reply.label) == ("answer", after.n, "A")
    assert reply.text.startswith("There is only one China in the world")
    assert turn(doc, after.n - 1).text.endswith("maintain stability and achieve development.")


def test_en_narration_before_a_question_is_nobodys_statement() -> None:
    """Sept 17, 2019: "A journalist asked the following question after the press conference:"."""
    doc = doc_of("en/regular_presscon/t1698607.html")
    (told,) = [t for t in doc.turns if t.text.startswith("A journalist asked the following")]
    assert (told.role, told.speaker, told.label, told.answers) == ("statement", None, None, None)
    q, a = turn(doc, told.n + 1), turn(doc, told.n + 2)
    assert q.role == "question" and q.text.startswith("According to media reports, the Solomon")
    assert (a.role, a.answers, a.speaker) == ("answer", q.n, "Hua Chunying")
    assert a.text.startswith("China highly appreciates the Solomon Islands government's decision")
    assert a.n == len(doc.turns)


def test_zh_closing_notice_after_stars_is_a_statement() -> None:
    """April 30, 2019 ends: 追问, a one-line answer, "*****", the May Day recess notice."""
    doc = doc_of("zh/regular_presscon/t1659935.html")
    follow, answer, notice = doc.turns[-3:]
    assert (follow.label, follow.role, follow.text) == ("追问", "question", "所以明天会有结果？")
    assert (answer.role, answer.answers) == ("answer", follow.n)
    assert answer.text == "我们相信这个问题能够得到妥善解决。"
    assert (notice.role, notice.answers, notice.speaker) == ("statement", None, "耿爽")
    assert notice.text.startswith("根据2019年五一劳动节假期放假安排，外交部例行记者会将于5月1日")


def test_en_closing_notice_is_one_statement() -> None:
    """Dec 28, 2018 ends: an answer, "********", the recess notice and the year-end thanks."""
    doc = doc_of("en/regular_presscon/t1625726.html")
    answer, notice = doc.turns[-2:]
    assert answer.role == "answer" and answer.text.startswith("We have issued the readout")
    assert answer.text.endswith(".") and "adjourned" not in answer.text
    assert (notice.role, notice.speaker) == ("statement", "Hua Chunying")
    assert notice.text.startswith("The regular press conference of the Ministry of Foreign")
    assert "\n\nThis is the last regular press conference of the Ministry" in notice.text


def test_en_labelled_closing_words_after_stars_are_a_statement() -> None:
    """June 1, 2020 ends: Macau Monthly asks, Zhao Lijian answers, "*****", then
    "Zhao Lijian: Today is International Children's Day." (labelled, but answering nobody)."""
    doc = doc_of("en/regular_presscon/t1784867.html")
    question, answer, closing = doc.turns[-3:]
    assert (question.role, question.affiliation) == ("question", "Macau Monthly")
    assert (answer.role, answer.answers, answer.speaker) == ("answer", question.n, "Zhao Lijian")
    assert answer.text.startswith("This year marks the 75th anniversary of the victory")
    assert (closing.role, closing.answers) == ("statement", None)
    assert (closing.label, closing.speaker) == ("Zhao Lijian", "Zhao Lijian")
    assert closing.text.startswith("Today is International Children's Day.")


def test_en_word_style_bold_for_complex_scripts_is_not_bold() -> None:
    """Jan 8, 2019: Word's ``mso-bidi-font-weight: bold`` on plain answers is not bold text."""
    doc = doc_of("en/regular_presscon/t1627624.html")
    (answer,) = [t for t in doc.turns if t.text.startswith("China and the United States agreed")]
    assert answer.role == "answer" and answer.label == "A"
    assert "\n\nAs for whether the trade talks are motivated" in answer.text
    assert turn(doc, answer.n + 1).text.startswith("The United States sent a navy vessel")


def test_zh_spokesperson_talk_is_a_comment() -> None:
    doc = doc_of("zh/other/t1623690.html")
    assert doc.title == "外交部发言人华春莹就美国签署涉藏消极法案发表谈话"
    assert doc.kind == "comment"
    # one statement (4 paragraphs, no labels), now the spokesperson's the title names
    (only,) = doc.turns
    assert (only.role, only.speaker, only.label) == ("statement", "华春莹", None)
    assert (
        only.text.startswith("我们对美方执意签署美国会通过的所谓") and only.text.count("\n\n") == 3
    )


def test_cmfa_rows_outlets_ask_and_closing_notices_are_statements() -> None:
    """CMFA PressCon rows: ``who_asked`` "The Paper" asks; a notice after "***" is apart."""
    docs = table_docs(CORPUS / "cmfa_presscon_subset" / "ukraine_dataset_combined.csv")
    assert len(docs) == 661
    paper = {d.id.rsplit("-", 1)[1]: d for d in docs if d.turns[0].label == "The Paper"}
    # read off the CSV: the rows where who_asked is "The Paper", and their spokesperson
    assert {row: d.turns[1].speaker for row, d in paper.items()} == {
        "24458": "Wang Wenbin", "26548": "Wang Wenbin", "26669": "Zhao Lijian",
        "26707": "Zhao Lijian", "26806": "Zhao Lijian", "26929": "Zhao Lijian",
        "26987": "Wang Wenbin", "28813": "Wang Wenbin", "28879": "Mao Ning", "29268": "Wang Wenbin",
    }  # fmt: skip
    for d in paper.values():
        q, a = d.turns[:2]
        assert (q.role, q.affiliation, q.speaker) == ("question", "The Paper", None)
        assert (a.role, a.answers) == ("answer", 1)
    (dragon,) = [d for d in docs if d.id.endswith("-27099")]
    q, a, notice = dragon.turns
    assert (q.role, a.role, a.answers) == ("question", "answer", 1)
    assert a.text.endswith("enhancing mutual trust and cooperation among regional countries.")
    assert (notice.role, notice.speaker, notice.label) == ("statement", "Zhao Lijian", None)
    assert notice.text.startswith("In observance of the Dragon Boat Festival, the MFA regular")
    assert notice.text.endswith("Have a good Dragon Boat Festival!")
