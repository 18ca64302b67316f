"""Who speaks in an fmprc briefing, from the page's own shape: ``Block.role`` hints.

fmprc pages set every journalist's turn in bold and the spokesperson's replies in plain text,
and their labels do not always say which is which:

- English pages from 2020 name the outlet instead of ``Q`` (``The Paper:``, ``China National
  Radio:``, ``ABC Australia:``): a bold labelled paragraph is the outlet's question, whatever
  its words look like, unless the label is the spokesperson's (plain elsewhere, or in the title).
- A bold paragraph without a label after a reply is a new question (a follow-up, "I don't know"
  in a back-and-forth); a plain paragraph without a label right after a question is the
  spokesperson's reply, even without ``答：`` / ``A:`` (``会后有记者问及：…`` then ``耿爽表示，…``;
  ``记者澄清：…`` then the reply; ``（记者：…）`` inside an answer).
- Questions after the press conference are introduced by a narration ("The following question
  was raised after the press conference:", ``会后，有记者问及：``): with the question after the
  colon it is a question under that label; alone it is ``narration`` (a statement by nobody).
- Unlabelled opening paragraphs before the first question are the spokesperson's opening
  ``statement`` (visits announced, figures of the day).
- Closing notices (a schedule or holiday notice, or anything after a ``********`` line at the
  end) are the spokesperson's ``statement``, not the end of the last answer.
- A plain paragraph of a reply that only looks labelled (``我以前在记者会上常说一句话，今天可以
  再重复一遍：…``: a sentence naming 记者 before a colon) joins the paragraph before it, so the
  turn maker does not take it for a journalist.
"""

from __future__ import annotations

import re

from communique.structure.labels import classify_label, split_label
from communique.structure.page import Block

# A question asked after the conference, as the page narrates it.
_AFTER = re.compile(
    r"^(?:after the (?:regular )?press conference[^:.]*?\b(?:questions?|journalists?)\b|"
    r"(?:the|this) following questions?\b|"
    r"(?:this|the) questions? (?:was|is|were) (?:raised|asked|posed)|"
    r"a journalist (?:asked|posed|raised)\b)|"
    r"^会后[，,]?(?:[^：:。]{0,20}?记者[^：:。]{0,10}?问|就[^：:。]{0,30}?问题)",
    re.I,
)
_FIRST_PERSON = re.compile(r"\b(?:I|we|my|our|me|us)\b|我", re.I)
_AFTER_SPLIT = re.compile(r"^(?P<label>[^:：]{8,140}?)\s*[:：]\s*(?P<body>\S.*)$", re.S)
# "（记者：消息是巴基斯坦媒体昨天透露的。）": the journalist cuts into an answer.
_ASIDE = re.compile(r"^[（(](?P<label>记者[^：:（）()]{0,6})[：:]\s*(?P<body>.+?)[）)]?\s*$", re.S)
_INTERJECTION = re.compile(r"记者|追问|问及|journalist|follow", re.I)
_NOTICE = re.compile(
    r"\b(?:regular|our|MFA) press conferences?\b[^.]{0,80}\b(?:adjourn|recess|will (?:start|"
    r"begin|be held|resume)|resumes?\b)|\bno regular press conference\b|"
    r"外交部(?:网上)?例行记者会(?!上)[^。]{0,30}(?:暂停|休会|恢复|提前|推迟|延后|照常举行|改在)",
    re.I,
)
_ASKS = ("question", "outlet")


def mark_roles(blocks: list[Block], *, title: str | None, after_separator: set[int]) -> None:
    """Set ``role`` (and move a label found in the text to ``label``) where the shape says.

    ``after_separator``: indexes of blocks that follow a ``********`` line.
    """
    cats = [_category(b) for b in blocks]
    asked = [b for b, c in zip(blocks, cats, strict=True) if c in _ASKS]
    bold_asks = len(asked) >= 2 and sum(b.bold for b in asked) >= 0.8 * len(asked)
    speakers = {_label_text(b) for b, c in zip(blocks, cats, strict=True) if c and not b.bold}
    current: str | None = None  # the turn so far: "question", "reply", "statement" or None
    interjection = False  # the open question is bold or a journalist's aside
    seen_question = False
    merge: list[int] = []  # paragraphs that only look labelled: part of the one before
    if asked and blocks and cats[0] is None and not blocks[0].bold:
        blocks[0].role = "statement"  # the spokesperson's opening announcements
    for i, (block, cat) in enumerate(zip(blocks, cats, strict=True)):
        role = _role(block, cat, i in after_separator, seen_question)
        if role is None and bold_asks:
            role = _bold_role(block, cat, current, seen_question, title, speakers)
        if role is None and cat is None and not block.bold and current == "question":
            role = "answer" if interjection else None
        if bold_asks and role is None and _plain_sentence_with_colon(block, cat, current):
            merge.append(i)  # "我以前在记者会上常说一句话，今天可以再重复一遍：…" goes on
            continue
        if role == "statement" and current == "statement" and cat is None:
            role = None  # the notice goes on
        if role is not None:
            block.role = role
            cat = "question" if role == "question" else role
        if cat in _ASKS:
            current, seen_question = "question", True
            interjection = (
                block.bold
                or block.role == "question"
                or bool(block.label and _INTERJECTION.search(block.label))
            )
        elif cat is not None:
            current, interjection = ("statement" if cat == "statement" else "reply"), False
    for i in reversed(merge):
        blocks[i - 1].text += "\n\n" + blocks.pop(i).text


def _plain_sentence_with_colon(block: Block, cat: str | None, current: str | None) -> bool:
    """A plain paragraph in a reply whose words before a colon only look like a questioner's
    label (a sentence naming 记者): the spokesperson goes on, on a page whose questions are bold.
    """
    if block.bold or block.label is not None or cat != "question" or current != "reply":
        return False
    return len(_label_text(block) or "") > 8


def _label_text(block: Block) -> str | None:
    if block.label is not None:
        return block.label
    split = split_label(block.text)
    return split.label if split else None


def _category(block: Block) -> str | None:
    """The label's category as the turn maker will see it (None: no label)."""
    if block.label is not None:
        info = classify_label(block.label, from_markup=True)
        return info.category if info else None
    split = split_label(block.text)
    info = classify_label(split.label) if split else None
    return info.category if info else None


def _role(block: Block, cat: str | None, after_separator: bool, seen: bool) -> str | None:
    """Roles read from the words: after-conference narration, asides, closing notices."""
    if after_separator and seen and not block.bold and cat in ("person", "answer"):
        if block.label is None:  # "Zhao Lijian: Today is International Children's Day. ..."
            split = split_label(block.text)
            if split is not None:
                block.label, block.text = split.label, split.body
        return "statement"
    if block.label is not None:
        if _AFTER.match(block.label) and not block.text:
            return "narration" if "表示" not in block.label else "statement"
        return None
    m = _ASIDE.match(block.text)
    if m:
        block.label, block.text = m.group("label"), m.group("body").strip()
        return "question"
    if _AFTER.match(block.text):
        m = _AFTER_SPLIT.match(block.text)
        if m and len(m.group("body")) > 20 and not _FIRST_PERSON.search(m.group("label")):
            block.label, block.text = m.group("label"), m.group("body")
            return "question"
        if block.bold:  # the question itself, told ("a journalist asked if China is ...")
            return "question"
        # a narration is short and nobody's ("I checked on the question after ..." is a reply)
        if len(block.text) < 160 and not _FIRST_PERSON.search(block.text):
            return "narration"
    if block.bold or not seen or cat not in (None, "question"):
        return None
    if cat == "question" and len(_label_text(block) or "") <= 8:
        return None  # "问：" and "记者：" are questions, whatever they say
    if after_separator or _NOTICE.search(block.text):
        return "statement"
    return None


def _bold_role(
    block: Block,
    cat: str | None,
    current: str | None,
    seen_question: bool,
    title: str | None,
    speakers: set[str | None],
) -> str | None:
    """Bold paragraphs on a page that sets its questions in bold: the journalists'.

    A bold paragraph without a label asks only once questions have begun (not a heading in the
    opening statement); one under an outlet's name asks anywhere, the first question included.
    """
    if not block.bold:
        return None
    if cat is None:
        return "question" if seen_question and current != "question" else None
    if cat in ("person", "outlet") and block.label is not None:
        spokesperson = block.label in speakers or bool(title and block.label in title)
        return None if spokesperson else "question"
    return None
