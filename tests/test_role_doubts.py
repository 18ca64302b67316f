"""Roles that read two ways are flagged, with the reason (``Turn.role_uncertain``, issue 13,
docs/record.md "Uncertain roles"), and the flag reaches the store, TEI and citations.

Expected flags were read off the pages: which turn follows a comment, which line cuts into an
answer, which answer resumes after it. None of these pages is in the gold set.
"""

from __future__ import annotations

import json
from pathlib import Path

from lxml import etree

from communique.cite import cite
from communique.export.tei import document_xml
from communique.ingest.pipeline import Ingester
from communique.store import open_store
from communique.structure.doubts import REASONS

from .conftest import CORPUS
from .pages import parse_page, turn_opening

ROOT = Path(__file__).resolve().parent.parent
KREMLIN = CORPUS / "kremlin_en" / "html"
WH = CORPUS / "whitehouse_briefings" / "html"
FMPRC = CORPUS / "fmprc_en_zh" / "en" / "regular_presscon"


def test_a_report_after_a_comment_is_flagged_and_a_plain_request_is_not() -> None:
    """060547: after Putin's "And some of them are quite costly." the minister goes on with his
    report (419 words). Labellers read such a turn as a reply to the comment or as the answer
    going on: flagged. Putin's "Please tell me how the work is proceeding." asks plainly, and
    the minister's "Yes, for a very long time." only agrees: neither is flagged."""
    doc = parse_page(KREMLIN / "060547.html.gz")
    report = turn_opening(doc, "We will also work on the biodiversity")
    assert report.role_uncertain == "after_comment"
    assert turn_opening(doc, "Please tell me how the work is proceeding.").role_uncertain is None
    assert turn_opening(doc, "Yes, for a very long time.").role_uncertain is None


def test_a_cut_in_and_the_answer_resumed_after_it_are_flagged() -> None:
    """1010: Carney breaks off ("And we're not --"), a reporter cuts in ("But there was a
    government shutdown threat before that."), and Carney goes back ("Let me go back to the
    spending bill.") to the question asked before the cut-in. Both read two ways; every turn
    whose role the page says (a "Q" over a question, the answer right after it) is unflagged."""
    doc = parse_page(WH / "1010.html.gz")
    cut_in = turn_opening(doc, "But there was a government shutdown threat before that.")
    assert cut_in.role_uncertain == "short_exchange"
    resumed = turn_opening(doc, "Let me go back to the spending bill.")
    assert resumed.role_uncertain == "resumed_answer"
    assert resumed.answers is not None and resumed.answers < cut_in.n - 1
    assert not any(t.role_uncertain for t in doc.turns if not t.role_inferred)


def test_a_page_that_labels_every_role_has_nothing_uncertain() -> None:
    """Geng Shuang's briefing of 31 December 2019 labels every turn "Q" or "A"."""
    doc = parse_page(FMPRC / "t1729013.html")
    assert doc.turns and not any(t.role_uncertain for t in doc.turns)


def test_reasons_are_the_record_schemas() -> None:
    schema = json.loads((ROOT / "src/communique/schema/record.schema.json").read_text())
    turn = schema["properties"]["turns"]["items"]["properties"]
    assert turn["role_uncertain"]["enum"] == [None, *REASONS]
    assert "role_uncertain" in (ROOT / "docs/record.md").read_text()


def test_the_flag_reaches_the_store_tei_and_citations(archive_target: str) -> None:
    doc = parse_page(KREMLIN / "060547.html.gz")
    report = turn_opening(doc, "We will also work on the biodiversity")
    store = open_store(archive_target)
    try:
        Ingester(store, workers=1).run([KREMLIN / "060547.html.gz"])
        sql = "SELECT n, role_uncertain FROM turns WHERE doc_id = ?"
        rows = {n: reason for n, reason in store.query(sql, (doc.id,))}
    finally:
        store.close()
    assert rows[report.n] == "after_comment"
    assert sum(1 for v in rows.values() if v) == sum(1 for t in doc.turns if t.role_uncertain)
    tei = etree.fromstring(document_xml(doc))
    ana = {u.get("n"): u.get("ana") for u in tei.iter("{http://www.tei-c.org/ns/1.0}u")}
    assert "#role-uncertain" in ana[str(report.n)].split()
    assert "Turn 8 (answer, role uncertain)." in cite(doc, report).text
    plain = cite(doc, turn_opening(doc, "Please tell me how the work is proceeding."))
    assert "Turn 3 (question)." in plain.text


def test_a_question_that_asks_nothing_and_a_remark_after_a_question_are_flagged() -> None:
    """060795, Direct Line 2019. The host Pavel Zarubin's "People write that the minimum wage
    has been reduced in some regions by regional authorities." is put to the President as a
    question, but it neither asks nor requests in so many words: flagged. After Putin asks
    back "What do you mean by “a deal”? This is not a commercial enterprise.", Zarubin's "These
    days, deal is used to call anything …" may answer him: flagged. A greeting after a
    question ("Good afternoon, Mr President.") and a plain question ("Will there be a big deal
    with America?") are not."""
    doc = parse_page(KREMLIN / "060795.html.gz")
    people_write = turn_opening(doc, "People write that the minimum wage has been reduced")
    assert people_write.role == "question"
    assert people_write.role_uncertain == "declarative_question"
    asked_back = turn_opening(doc, "What do you mean by")
    assert asked_back.role == "question"
    reply = doc.turns[asked_back.n]
    assert reply.text.startswith("These days, deal is used")
    assert reply.role_uncertain == "after_question"
    greeting = next(
        t
        for t in doc.turns
        if t.text == "Good afternoon, Mr President." and doc.turns[t.n - 2].role == "question"
    )
    assert greeting.role == "remark" and greeting.role_uncertain is None
    deal = turn_opening(doc, "On with the military theme.")
    assert deal.role == "question" and deal.role_uncertain is None


def test_a_reply_to_a_question_put_back_that_asks_on_is_flagged() -> None:
    """The 2017 annual news conference (056378): Sergei Milvit's question on Vladivostok's
    forests, the President's "What hectares you are talking about?", and Milvit's reply "This is
    a forest belt around the city. … Do you see? …", which answers the question put back and
    asks on: labellers read it either way (an answer, or his next question), so it is flagged.
    The President's long answers elsewhere that ask rhetorically are not."""
    doc = parse_page(KREMLIN / "056378.html.gz")
    back = turn_opening(doc, "What hectares you are talking about?")
    reply = doc.turns[back.n]
    assert reply.text.startswith("This is a forest belt around the city.")
    assert (reply.role, reply.answers) == ("answer", back.n)
    assert reply.role_uncertain == "answer_asks_on"
    assert "answer_asks_on" in REASONS
    flagged = [t for t in doc.turns if t.role_uncertain == "answer_asks_on"]
    assert all(t.speaker != "Vladimir Putin" for t in flagged)
