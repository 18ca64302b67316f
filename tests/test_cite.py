"""Citations: BibTeX escaping in one pass, CSL-JSON fields, pinned permalinks; and which URLs a
page may link to."""

from __future__ import annotations

import re

from communique.cite import cite
from communique.ingest.pipeline import parse_raw
from communique.model import Document, Participant
from communique.sources.raw import RawInput
from communique.web.pages import web_link
from tests.conftest import SEED


def seed_document() -> Document:
    """The real seed page, parsed as the archive does."""
    doc = parse_raw(RawInput(path=str(SEED), data=SEED.read_bytes(), kind="file")).doc
    assert doc is not None
    return doc


def test_bibtex_escapes_each_special_character_once() -> None:
    doc = seed_document()
    doc.title = r"Costs: 50% of $10 & more {braces} a\b ~x ^y _z #1"
    entry = cite(doc).bibtex
    title = re.search(r"title = \{(.*)\},\n", entry)
    assert title is not None
    assert title.group(1) == (
        r"Costs: 50\% of \$10 \& more \{braces\} a\textbackslash{}b \textasciitilde{}x "
        r"\textasciicircum{}y \_z \#1"
    )
    # braces balance over the whole entry, so BibTeX reads it as one
    depth = 0
    for i, ch in enumerate(entry):
        if ch in "{}" and (i == 0 or entry[i - 1] != "\\"):
            depth += 1 if ch == "{" else -1
            assert depth >= 0
    assert depth == 0


def test_turn_citation_is_pinned_and_names_the_speaker() -> None:
    doc = seed_document()
    answer = doc.turns[1]
    c = cite(doc, answer, base_url="http://archive.example")
    assert c.pinned == f"{doc.id}@{doc.revision}#t2"
    assert c.url == f"http://archive.example/d/{c.pinned}"
    assert c.text.startswith("Sergey Lavrov (2018-12-09).")
    assert c.csl["issued"] == {"date-parts": [[2018, 12, 9]]}
    assert c.csl["author"] == [{"literal": "Sergey Lavrov"}]


def test_only_web_addresses_are_linked() -> None:
    assert web_link("https://www.mid.ru/en/a/1") == "https://www.mid.ru/en/a/1"
    assert web_link("http://kremlin.ru/events/president/news/52830")
    for hostile in ("javascript:alert(document.domain)", " JavaScript:alert(1)",
                    "data:text/html,<script>alert(1)</script>", "", None):  # fmt: skip
        assert web_link(hostile) is None


def test_a_question_is_cited_under_the_journalist_the_page_names() -> None:
    doc = seed_document()
    # the seed's participants: Sergey Lavrov (Foreign Minister), Maya Bekbayeva (Khabar Agency);
    # its questions are labelled "Question"; the parser gives them the one interviewer the
    # title names (issue 13)
    question = doc.turns[0]
    assert question.role == "question" and question.speaker == "Maya Bekbayeva"
    c = cite(doc, question)
    assert c.text.startswith("Maya Bekbayeva (2018-12-09).")
    assert c.csl["author"] == [{"literal": "Maya Bekbayeva"}]
    assert "author = {{Maya Bekbayeva}}" in c.bibtex
    assert cite(doc, doc.turns[1]).csl["author"] == [{"literal": "Sergey Lavrov"}]


def test_a_question_without_a_named_asker_names_no_one() -> None:
    doc = seed_document()
    # participants who never speak: the page does not say which of them asks
    doc.participants = [
        *doc.participants,
        Participant("Another Journalist", None, "Reuters"),
        Participant("A Third Journalist", None, "AFP"),
    ]
    question = doc.turns[0]
    question.speaker = question.affiliation = question.person = None  # as the parser leaves it
    c = cite(doc, question)
    assert c.csl["author"] == [{"literal": "Unnamed questioner"}]
    assert "Question (" not in c.text
