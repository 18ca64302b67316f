"""How a turn stands to the turns before it: the question waiting for an answer, whether a turn
goes on with an answer or a report, replies to a comment, or takes up a question put to someone
else, and which question an after-conference narration refers to.

:func:`communique.structure.turns.make_turns` asks these while it walks a transcript; the text
shapes they read (asks, thanks, breaks off) are :mod:`communique.structure.acts`. The rules are
written out in ``docs/record.md`` ("Roles").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from communique.model import Turn
from communique.structure import acts

LONG_REPORT = 150  # a guest's turn this long after an opening statement is a report
COMMENT_MAX_WORDS = 40  # a remark this short is a comment a guest may reply to
REPORT_MIN_WORDS = 20  # a guest's reply to a request for a report is at least this long


@dataclass
class OpenQuestion:
    """The question waiting for an answer."""

    n: int
    key: str
    outer: OpenQuestion | None = None  # the question a counter-question was asked about
    answerer: str | None = None  # who has answered it so far


_PUTS_TO = re.compile(
    r"\b(?:introduce|give (?:the )?floor to|(?:like|want) to ask|turn to|"
    r"question (?:is )?(?:for|to))\b",
    re.I,
)


def addressee(question: Turn, panelists: set[str]) -> str | None:
    """The panellist a moderator's question is put to: named as it opens ("Prime Minister
    Modi, President Putin said ...") or introduced ("I would like to ask Viktor Linnik to
    share ..."); None when it names none or several."""
    sents = acts.sentences(question.text)
    if not sents:
        return None
    places = [sents[0].split(",")[0] if "," in sents[0] else ""]
    places += [s for s in sents if _PUTS_TO.search(s)]
    found = {
        k
        for k in panelists
        for place in places
        if len(k.split()[-1]) > 2 and re.search(rf"\b{re.escape(k.split()[-1])}\b", place)
    }
    return found.pop() if len(found) == 1 else None


def put_to_another(question: Turn, open_q: OpenQuestion, key: str, panelists: set[str]) -> bool:
    """A moderated panel's question put to another panellist, named as it opens or introduced.
    A question put to nobody in particular may have several answers, one per panellist."""
    if question.role != "question" or open_q.key == key:
        return False
    put_to = addressee(question, panelists)
    return put_to is not None and put_to != key


def asks_for_report(
    key: str, text: str, turns: list[Turn], nxt_key: str | None, nxt_text: str
) -> bool:
    """In a conversation: a turn that asks a guest to report on a subject, and the guest does:
    the next turn is another speaker's report (long, not thanks for a welcome)."""
    opening = not any(t.role == "question" for t in turns)
    if nxt_key is None or nxt_key == key or not acts.invites_report(text, opening=opening):
        return False
    if not opening and not acts.asks(text):
        return False  # only the opening request needs no question's shape
    first = (acts.sentences(nxt_text) or [""])[0]
    return (
        acts.words(nxt_text) >= REPORT_MIN_WORDS
        and not acts.asks(nxt_text)
        and not _THANKS_OPENER.search(first)
    )


_THANKS_OPENER = re.compile(r"\b(?:thank|grateful|gratitude|pleasure|delighted|glad|honou?r)", re.I)


_GRANTS = re.compile(
    r"^(?:(?:yes|yes,? of course|of course|certainly|sure|please|please do|please go ahead|"
    r"go ahead|by all means|all right)[,.!]?\s*)+$",
    re.I,
)


def grants_floor(text: str) -> bool:
    """A host's short leave to speak ("Please do.", "Yes, please.", "By all means.")."""
    plain = text.strip()
    granted = re.search(r"please|go ahead|by all means", plain, re.I)
    return bool(_GRANTS.match(plain)) and granted is not None


def goes_on(
    key: str, text: str, turns: list[Turn], last_answer: tuple[str, OpenQuestion] | None
) -> bool:
    """In a conversation: the guest who answered last goes on with the answer after another
    speaker's comment, either resuming an answer the comment cut into ("... six hundred people…")
    or, at length, without first replying to the comment ("Right, but ...", "Definitely.")."""
    if last_answer is None or last_answer[0] != key or len(turns) < 2:
        return False
    prev, before = turns[-1], turns[-2]
    if prev.role != "remark" or key_of(prev) == key or acts.asks(text):
        return False
    if before.role == "answer" and key_of(before) == key and acts.broken_off(before.text):
        return True
    if (  # "This is good." - "We have also ...": an acknowledgement lets the answer go on
        acts.acknowledges(prev.text)
        and acts.words(text) >= REPORT_MIN_WORDS  # not "If I may, I would like to say ..."
        and not acts.replies_to_comment(text)
        and before.role == "answer"
        and key_of(before) == key
    ):
        return True
    return (
        acts.words(text) >= acts.GOES_ON_WORDS
        and not acts.replies_to_comment(text)
        and not echoes(text, prev.text)
    )


_TO_SEVERAL = re.compile(
    r"\b(?:colleagues|friends|all of you|each of you|every one of you|everyone|everybody|"
    r"ladies and gentlemen)\b",
    re.I,
)


def takes_turn_to_report(key: str, text: str, turns: list[Turn], open_q: OpenQuestion) -> bool:
    """In a conversation: the opening question was put to several guests ("Good afternoon,
    colleagues. ... We are here to discuss what will come after the Olympics"), another guest
    has answered it, and this one now gives a report of his own, his first words since: an
    answer to the same question."""
    if open_q.answerer in (None, key) or open_q.key == key:
        return False
    asked = turns[open_q.n - 1]
    if any(t.role == "question" for t in turns[: open_q.n - 1]):
        return False  # only the opening question
    if not _TO_SEVERAL.search(asked.text) or any(key_of(t) == key for t in turns[open_q.n :]):
        return False
    return (
        acts.words(text) >= REPORT_MIN_WORDS
        and not acts.asks(text)
        and not acts.replies_to_comment(text)
    )


def report_question(key: str, turns: list[Turn], latest: OpenQuestion) -> OpenQuestion | None:
    """The question a guest's report going on after an acknowledgement answers: the question
    his first turn answered (the request for the report), not a sub-question answered in
    between ("In other words, your products ..." - "Yes, ..." - "This is good." - the report
    goes on); None when his first turn was a report nobody asked for (it goes on as a
    statement); ``latest`` when he has not spoken or opened the conversation."""
    first = next((t for t in turns if key_of(t) == key), None)
    if first is None:
        return latest
    if first.role != "answer" or first.answers is None:
        opened = next((t for t in turns if t.label is not None), None) is first
        return None if first.role == "statement" and not opened else latest  # the host goes on
    if first.answers == latest.n:
        return latest
    asked = turns[first.answers - 1]
    return OpenQuestion(asked.n, key_of(asked), answerer=key)


def takes_up_comment(key: str, text: str, turns: list[Turn]) -> bool:
    """In a conversation: the turn opens by replying to another speaker's comment just before
    ("Regrettably, this is true. ...", "Yes, quite. We also hold ...") or by taking up its
    subject: a remark, however long the report it goes on with."""
    if not turns or acts.asks(text):
        return False
    prev = turns[-1]
    said = _NARRATION.sub(" ", prev.text).strip()  # "(Ms Kuznetsova spoke in detail about ...)"
    return (
        prev.role == "remark"
        and key_of(prev) != key
        and acts.words(said) <= COMMENT_MAX_WORDS
        and not acts.acknowledges(said)
        and (acts.replies_to_comment(text) or echoes(text, said))
    )


_NARRATION = re.compile(r"\([^()]{20,}\)")  # the editor's note inside a turn


def echoes(text: str, comment: str) -> bool:
    """The turn's first sentence repeats the comment before it ("So you are using them." -
    "We are using them. ..."): a reply to the comment."""
    comment = _NARRATION.sub(" ", comment)
    first = (acts.sentences(text) or [""])[0]
    said, heard = set(acts.folded_words(first)), set(acts.folded_words(comment))
    return len(said) >= 2 and len(said & heard) >= 0.6 * len(said)


def reports(turns: list[Turn], key: str, text: str, total: int) -> bool:
    """In a conversation: the opening, a report the chair invited, a report resumed after
    remarks, or a long monologue; other declarative turns are remarks."""
    if total == 1 or acts.words(text) > acts.LONG_WORDS:
        return True
    labelled = [t for t in turns if t.label is not None]
    if not labelled:
        return True  # the first words spoken
    prev = turns[-1]
    if prev.role == "moderator" or (prev.role == "remark" and grants_floor(prev.text)):
        # "Please do.": the report the guest asked leave for; "Congratulations." is none
        return acts.words(text) > 3
    if prev.role == "statement" and prev.label is not None and acts.words(text) >= LONG_REPORT:
        return True  # a guest's report after the opening statement
    if acts.words(text) < acts.GOES_ON_WORDS:
        return False  # a short comment between remarks resumes no report
    for t in reversed(turns):  # a report resumed after interjected remarks
        if t.role != "remark":
            return t.role == "statement" and t.label is not None and (t.speaker or t.label) == key
    return False


_RAISED_BY = re.compile(
    r"\bquestions? (?:raised|asked|posed|put) by (?:the |a |an )?(?P<who>[^.,;:]+?)\s*(?:[.,;:]|$)",
    re.I,
)


def referred_question(text: str, turns: list[Turn]) -> Turn | None:
    """The latest question by whoever a narration says raised it ("the question raised by
    South China Morning Post"), if the page has one by that outlet or person."""
    m = _RAISED_BY.search(text)
    if not m:
        return None
    who = re.sub(r"\s+", " ", m.group("who")).strip().casefold()
    for t in reversed(turns):
        names = [t.affiliation, t.speaker, t.label]
        if t.role == "question" and any(x and x.casefold() == who for x in names):
            return t
    return None


_CALLS_QUESTION = re.compile(r"\b(?:questions?|caller|line)\b", re.I)


def key_of(turn: Turn) -> str:
    """Who spoke a turn, as the turn maker keys speakers: the speaker, else the label."""
    return turn.speaker or turn.label or ""


def names_asker(speaker: str | None, text: str) -> bool:
    """The chair's turn names this speaker as the one who asks ("Your next question is from
    Ray Henry"), not as a briefer (the call's opening: "this call is on the record ... With us
    today we have Ben Rhodes")."""
    if not speaker or acts.ground_rules(text):
        return False
    last = speaker.split()[-1]
    return len(last) > 2 and any(
        re.search(rf"\b{re.escape(last)}\b", s)
        and _CALLS_QUESTION.search(s)
        and not _TAKES_QUESTIONS.search(s)  # "the people that will answer your questions: ..."
        for s in acts.sentences(text)
    )


_TAKES_QUESTIONS = re.compile(
    r"\b(?:answer|take|taking|address|field|respond to)\w* (?:your |any |some |a few )?questions",
    re.I,
)
