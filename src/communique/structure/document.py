"""A reader's :class:`Page` becomes the archive's :class:`Document` record."""

from __future__ import annotations

from communique.model import Document, Origin
from communique.structure.dates import find_date
from communique.structure.doubts import mark_doubts
from communique.structure.ids import canonical_url, document_id, publisher_doc_id
from communique.structure.kinds import classify_kind
from communique.structure.page import Page
from communique.structure.people import participants_from, principal_and_others
from communique.structure.text import clean_inline
from communique.structure.turns import TurnContext, labelled_questions, make_turns

_KIND_NAMES = {
    "press_conference": "press conference", "phone_call": "telephone conversation",
    "other": "document",
}  # fmt: skip
_SHORT_PUBLISHERS = {
    "kremlin.ru": "Kremlin", "fmprc.gov.cn": "Chinese MFA", "mid.ru": "Russian MFA",
    "whitehouse.gov": "White House", "state.gov": "State Department",
}  # fmt: skip

# Bump when a parser change alters records; `communique reparse` re-derives older ones.
PARSER_VERSION = "2026.12.08.5"  # reporters' quips before anything is asked and the word back are
# remarks (issue 13). Before: 2026.12.08.4 (greetings and "Can we have a group photo?" in
# conversations are remarks, "We would like to ask you to …" asks); 2026.12.08.3 (a forum host's
# hand-overs: "President Radev, please."); 2026.12.08.2 (replies on site in a show's field report,
# hosts' and chairs' floor questions, the answer_asks_on flag); 2026.12.08.1 (journalists' preambles
# and shouts are remarks, the principal asking on about a word from the hall, "Can I change
# topics?", floor-giving in meetings, "Bill Burns" and first-name labels given whole names);
# 2026.12.07.7 (shows with hosts and callers, a reply ending in a jab, journalists'
# self-introductions, "Name, reporter at X" labels); 2026.12.07.6 ("al-Assad" names, offices
# ending in a country, floor grants, announced reports, interviewees' bids to go on); 2026.12.07.5
# (roles that read two ways flagged, a journalist's office makes no official, a glued "QA ...");
# 2026.12.07.4 (replies to a comment, reports going on after an acknowledgement, opening
# questions to several guests, "I'm sorry?" asking back, floor shapes narrowed).

LICENSES = {"kremlin.ru": ("CC BY 4.0", "kremlin.ru")}


def build_document(page: Page, *, origin: Origin, revision: str) -> Document:
    """Turns, kind, participants and id for one page; ``origin`` is its raw input."""
    if page.date is None and page.title:
        found = find_date(page.title)
        if found and found.date:
            page.date, page.date_inferred = found.date, found.inferred
            page.time = page.time or found.time
            page.tz = page.tz or found.tz
    provisional = classify_kind(page.title, kind_hint=page.kind_hint, publisher=page.publisher)
    principal, people, _outlets = principal_and_others(page.title, page.lead, page.speaker_hint)
    ctx = TurnContext(kind=_turn_kind(provisional), principal=principal, people=people)
    ctx.name_lines = [t for t in (page.title, page.lead, *page.name_lines) if t]
    turns = make_turns(page.blocks, ctx)
    labelled = sum(1 for t in turns if t.label is not None)
    questions = labelled_questions(turns)
    kind = classify_kind(
        page.title,
        kind_hint=page.kind_hint,
        publisher=page.publisher,
        labelled_turns=labelled,
        question_turns=questions,
    )
    if kind != provisional:
        ctx.kind = _turn_kind(kind)
        turns = make_turns(page.blocks, ctx)
    mark_doubts(turns)
    speakers: list[tuple[str, str | None]] = []
    for t in turns:
        if t.speaker and t.label and all(t.speaker != s for s, _ in speakers):
            speakers.append((t.speaker, None))
    url = page.url or origin.url
    publisher_id = page.publisher_id or publisher_doc_id(page.publisher, url)
    text = "\n\n".join(t.text for t in turns)
    lead = clean_inline(page.lead) if page.lead else None
    title, title_inferred = page.title, False
    if not (title and title.strip()):
        title, title_inferred = inferred_title(page.publisher, kind, page.date), True
    license_, attribution = page.license, page.attribution
    if page.publisher in LICENSES and license_ is None:
        license_, attribution = LICENSES[page.publisher]
    return Document(
        id=document_id(
            publisher=page.publisher,
            lang=page.lang,
            publisher_id=publisher_id,
            url=canonical_url(url),
            title=page.title,
            date=page.date,
            text=text,
        ),
        revision=revision,
        origin=[origin],
        publisher=page.publisher,
        lang=page.lang,
        title=title,
        title_inferred=title_inferred,
        kind=kind,  # type: ignore[arg-type]
        turns=turns,
        date=page.date,
        date_inferred=page.date_inferred,
        time=page.time,
        tz=page.tz,
        place=page.place,
        url=url,
        license=license_,
        attribution=attribution or (page.publisher if license_ else None),
        versions=page.versions,
        participants=participants_from(principal, people, speakers),
        lead=lead or None,
        parser_version=PARSER_VERSION,
    )


def _turn_kind(kind: str) -> str:
    """The kind turns are made as: a telephone conversation is a conversation, as a meeting
    is (narration stays unattributed)."""
    return "meeting" if kind == "phone_call" else kind


def inferred_title(publisher: str | None, kind: str, date: str | None) -> str:
    """A display title for a document published without one: publisher, kind and date
    (``Chinese MFA briefing, 2022-03-01``); the record flags it ``title_inferred``."""
    what = _KIND_NAMES.get(kind, kind.replace("_", " "))
    name = _SHORT_PUBLISHERS.get(publisher or "", publisher)
    who = f"{name} {what}" if name else what[:1].upper() + what[1:]
    return f"{who}, {date}" if date else f"{who}, undated"
