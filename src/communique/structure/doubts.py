"""Where a role read from the wording reads two ways: ``Turn.role_uncertain`` (issue 13).

A role the page says (``role_inferred`` false) is right 99% of the time in the hand-labelled
gold set; a role read from the wording is right 88-93% of the time, and its errors gather in a
few shapes that human labellers also read two ways (``tests/fixtures/gold_roles/README.md``,
"Agreement between labellers"). Those shapes are flagged here, with the reason, so that a
researcher who publishes a role can leave them out or check them by hand. The shapes and their
thresholds were set on the development pages only; ``python bench/roles_eval.py`` prints the
accuracy of flagged and unflagged turns per publisher on every split.
"""

from __future__ import annotations

import re

from communique.model import Turn
from communique.structure import acts
from communique.structure.labels import classify_label

_QUESTION_MARK = re.compile(r"[?？]")

COMMENT_REPLY_WORDS = 20  # after a comment, a turn longer than this may reply, answer or report
SHORT_QUESTION_WORDS = 5  # a question this short may be a cut-in, an echo or asking back
SHORT_ANSWER_WORDS = 20  # an answer this short may be a remark on what was just said
LONG_REMARK_WORDS = 40  # a remark longer than this may be an answer or a report
SHORT_STATEMENT_WORDS = 150  # a statement this short may be a remark or an answer

# reason -> what a reader is told (docs/record.md "Uncertain roles")
REASONS: dict[str, str] = {
    "after_comment": "follows a comment: it may reply to it, go on with an answer, or report",
    "short_exchange": "a short question or answer: it may be a cut-in, an echo or a remark",
    "long_remark": "a long remark: it may answer what was asked before or report",
    "short_statement": "a short statement: it may be a remark or an answer",
    "resumed_answer": "answers a question asked before the turn just before it: it may answer "
    "a later one, or none",
    "declarative_question": "a question that neither asks nor requests in so many words: it may "
    "be a comment or a remark",
    "after_question": "a remark right after another speaker's question: it may answer it",
    "answer_asks_on": "replies to a short question put back and then asks one of its own: it "
    "may be the asker's next question",
}
ASKED_BACK_WORDS = 15  # a question this short, answered by a turn that asks, was put back


def doubt(turn: Turn, prev: Turn | None, asked: Turn | None = None) -> str | None:
    """The reason ``turn``'s inferred role reads two ways, or None when it does not (or when
    the page says the role, or the turn is unlabelled: narration, a lead or a text without
    labels is a statement by definition). ``asked`` is the question an answer replies to, when
    it was put back to the answer's speaker."""
    if not turn.role_inferred or turn.label is None:
        return None
    words = len(turn.text.split())
    after_comment = (
        prev is not None
        and prev.role == "remark"
        and (prev.speaker or prev.label) != (turn.speaker or turn.label)
    )
    if after_comment and turn.role != "question" and words > COMMENT_REPLY_WORDS:
        return "after_comment"
    if turn.role == "question" and words <= SHORT_QUESTION_WORDS:
        return "short_exchange"
    if turn.role == "answer" and words <= SHORT_ANSWER_WORDS:
        return "short_exchange"
    if turn.role == "remark" and words > LONG_REMARK_WORDS:
        return "long_remark"
    if turn.role == "statement" and words <= SHORT_STATEMENT_WORDS:
        return "short_statement"
    if turn.role == "answer" and prev is not None and turn.answers != prev.n:
        return "resumed_answer"
    if (
        turn.role == "answer"
        and asked is not None
        and len(asked.text.split()) <= ASKED_BACK_WORDS
        and _QUESTION_MARK.search(asked.text)
        and _QUESTION_MARK.search(turn.text)
        and acts.asks(turn.text)
    ):
        return "answer_asks_on"  # "… and what else?" "And a tax on the self-employed. Isn't …?"
    if (
        turn.role == "question"
        and not _QUESTION_MARK.search(turn.text)
        and not acts.asks(turn.text)
        and not acts.invites_report(turn.text, opening=True)
        and not _labelled_question(turn)
    ):
        return "declarative_question"  # no question mark, no request: a challenge or a comment
    if (
        turn.role == "remark"
        and prev is not None
        and prev.role == "question"
        and (prev.speaker or prev.label) != (turn.speaker or turn.label)
        and not (acts.greets_only(turn.text) or acts.only_thanks(turn.text))
    ):
        return "after_question"
    return None


def _labelled_question(turn: Turn) -> bool:
    """The label says a question is put ("Question:", "Q", an outlet), whatever the words."""
    info = classify_label(turn.label) if turn.label else None
    return info is not None and info.category in ("question", "outlet")


def mark_doubts(turns: list[Turn]) -> None:
    """Set ``role_uncertain`` on every turn whose inferred role reads two ways."""
    prev: Turn | None = None
    for turn in turns:
        turn.role_uncertain = doubt(turn, prev, _put_back(turn, turns))
        prev = turn


def _put_back(turn: Turn, turns: list[Turn]) -> Turn | None:
    """The question ``turn`` answers if it was put back to its speaker: asked right after this
    speaker's own question, before anyone answered that ("… and what else?")."""
    if turn.role != "answer" or not turn.answers or turn.answers > len(turns):
        return None
    asked = turns[turn.answers - 1]
    answered: set[int] = set()  # questions answered between that one and the one put back
    for t in reversed(turns[: asked.n - 1]):  # back to the question before the one put back
        if t.role == "question":
            own = (t.speaker or t.label) == (turn.speaker or turn.label)
            return asked if own and t.n not in answered else None
        if t.answers is not None:
            answered.add(t.answers)
    return None
