"""Blocks to speaker turns: labels, speakers, roles, and questions paired to answers.

The same for every publisher. A paragraph opens a new turn when it carries a label (from the
markup, or by shape at its start); unlabelled paragraphs continue the current turn. Text with no
labels at all is one ``statement`` turn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from communique.model import Turn
from communique.structure.labels import INTERPRETED, LabelInfo, classify_label, split_label
from communique.structure.page import Block
from communique.structure.people import Named, same_person

QA_KINDS = {"interview", "press_conference", "briefing", "comment"}
REMARK_MAX_WORDS = 12


@dataclass
class _Draft:
    info: LabelInfo | None
    paragraphs: list[str] = field(default_factory=list)
    interpreted: bool = False


@dataclass
class TurnContext:
    kind: str
    principal: Named | None = None
    people: list[Named] = field(default_factory=list)
    # Set by make_turns: the questions are mostly anonymous ("Q", "Question"), so every named
    # speaker is an answering official (White House briefings: "Q" and "MR. GIBBS").
    anonymous_questions: bool = False
    generic_questions: bool = False  # some questions are anonymous


def _labelled(block: Block) -> tuple[LabelInfo | None, str, bool]:
    """(label info, remaining text, interpreted) for one block; info None when unlabelled."""
    if block.role is not None:
        return _role_hinted(block)
    if block.label is not None:
        label, note = _strip_note(block.label)
        interpreted = bool(note and INTERPRETED.search(note))
        info = classify_label(label, interpreted=interpreted, from_markup=True)
        if info is not None:
            return info, block.text, interpreted
        return None, f"{block.label}: {block.text}".strip(), False
    split = split_label(block.text)
    if split is None:
        return None, block.text, False
    info = classify_label(split.label, interpreted=split.interpreted)
    if info is None:
        return None, block.text, False
    if split.glued:
        info = replace(info, strong=False)
    return info, split.body, split.interpreted


def _role_hinted(block: Block) -> tuple[LabelInfo, str, bool]:
    """A block whose reader says its role (``Block.role``): that role over the label's shape.

    A question under a name that is not a role word ("The Paper", "China National Radio") is
    the outlet's; ``narration`` is a ``statement`` by nobody. The label, if any, stays verbatim.
    """
    label, note = _strip_note(block.label) if block.label else ("", None)
    interpreted = bool(note and INTERPRETED.search(note))
    info = classify_label(label, interpreted=interpreted, from_markup=True) if label else None
    if block.role == "question":
        if info is None or info.category != "question":
            info = LabelInfo(label, "outlet" if label else "question", interpreted=interpreted)
    else:
        info = LabelInfo(label, block.role or "statement", interpreted=interpreted)
    return info, block.text, interpreted


def _strip_note(label: str) -> tuple[str, str | None]:
    """'Viktor Orban (retranslated)' -> ('Viktor Orban', '(retranslated)'); notes end a label."""
    m = re.match(r"^(?P<label>.+?)\s*(?P<note>\([^()]*\)?)$", label.strip())
    if m and not re.fullmatch(r"\([A-Z]{2,6}\)", m.group("note")):
        return m.group("label").strip(), m.group("note")
    m = re.match(r"^\((?P<note>as translated[^)]*)\)\s*(?P<label>.+)$", label.strip(), re.I)
    if m:
        return m.group("label"), m.group("note")
    return label.strip(), None


def _drafts(blocks: list[Block], people: list[Named]) -> list[_Draft]:
    """Group blocks into draft turns.

    Weak labels (a single bare word) need support: other strong labels, or a second use. Where
    the markup marks labels, a weak label in plain text ("Germany: ...") must also name a person
    of the title or lead (fmprc's "赵立坚：" answering bold "问：").
    """
    found = [_labelled(b) for b in blocks]
    strong = sum(1 for info, _, _ in found if info is not None and info.strong)
    marked = any(b.label is not None for b in blocks)
    counts: dict[str, int] = {}
    for info, _, _ in found:
        if info is not None:
            counts[info.label] = counts.get(info.label, 0) + 1
    drafts: list[_Draft] = []
    for block, (info, text, interpreted) in zip(blocks, found, strict=True):
        if info is not None and not info.strong:
            unsupported = strong == 0 and counts[info.label] < 2
            stray = marked and block.label is None and not _names_someone(info, people)
            if unsupported or stray:
                info, text = None, block.text
        if info is not None:
            drafts.append(_Draft(info, [text] if text else [], interpreted))
        elif drafts:
            drafts[-1].paragraphs.append(text)
        else:
            drafts.append(_Draft(None, [text]))
    return [d for d in drafts if d.paragraphs or d.info is not None]


def _names_someone(info: LabelInfo, people: list[Named]) -> bool:
    return info.category != "person" or any(
        same_person(info.name or info.label, p.name) for p in people
    )


def _is_official(info: LabelInfo, ctx: TurnContext) -> bool:
    if info.category == "answer":
        return True
    if info.category != "person":
        return False
    if info.office:
        return True
    name = info.name or info.label
    if ctx.principal and same_person(name, ctx.principal.name):
        return True
    if ctx.anonymous_questions or (ctx.generic_questions and info.honorific):
        return True
    return any(p.office and same_person(name, p.name) for p in ctx.people)


def _settle_principal(drafts: list[_Draft], ctx: TurnContext) -> None:
    """Prefer as principal a person of the title or lead who speaks under a label."""
    names = [
        d.info.name or d.info.label
        for d in drafts
        if d.info is not None and d.info.category == "person"
    ]
    if not names:
        return
    speaks = [p for p in ctx.people if any(same_person(n, p.name) for n in names)]
    principal_speaks = ctx.principal is not None and any(
        same_person(n, ctx.principal.name) for n in names
    )
    if speaks and not principal_speaks:
        ctx.principal = speaks[0]
    anonymous = sum(
        1 for d in drafts if d.info and d.info.category == "question" and not d.info.office
    )
    named_unplaced = sum(
        1
        for d in drafts
        if d.info
        and d.info.category == "person"
        and not d.info.office
        and not any(same_person(d.info.name or d.info.label, p.name) for p in speaks)
    )
    # Anonymous questions ("Q") dominate: the named speakers are the officials who answer.
    ctx.anonymous_questions = anonymous > 0 and 2 * anonymous >= named_unplaced
    ctx.generic_questions = anonymous > 0


def _speaker(info: LabelInfo | None, ctx: TurnContext) -> tuple[str | None, str | None]:
    """(speaker, affiliation) as best known from this document."""
    if info is None:
        return None, None
    if info.category in ("answer", "statement"):
        return (ctx.principal.name if ctx.principal else None), None
    if info.category == "outlet":
        return None, info.label
    if info.category == "question" and info.office:
        return None, info.office  # "《北京青年报》记者": the outlet
    if info.category != "person":
        return None, None
    name = info.name
    for p in [ctx.principal, *ctx.people]:
        if p is not None and same_person(name or "", p.name):
            # "Carney" -> "Jay Carney"; but never an inflected title form ("С.В.Лаврова")
            if not name or len(p.name.split()) > len(name.split()):
                name = p.name
            return name, p.affiliation
    if name is None and info.office:
        office = info.office
        return (office.title() if office.isupper() else office), None
    return name, None


def make_turns(blocks: list[Block], ctx: TurnContext) -> list[Turn]:
    """Turns in order, numbered from 1, with roles and answers paired to questions."""
    drafts = _drafts(blocks, [p for p in [ctx.principal, *ctx.people] if p is not None])
    if not drafts:
        return []
    _settle_principal(drafts, ctx)
    labelled = any(d.info is not None for d in drafts)
    qa = ctx.kind in QA_KINDS or any(
        d.info is not None and d.info.category in ("question", "outlet") for d in drafts
    )
    turns: list[Turn] = []
    open_question: int | None = None
    for d in drafts:
        n = len(turns) + 1
        text = "\n\n".join(p for p in d.paragraphs if p)
        speaker, affiliation = _speaker(d.info, ctx)
        role, answers = "statement", None
        info = d.info
        if info is None:
            if not labelled and ctx.principal and ctx.kind not in ("news", "other", "meeting"):
                speaker = ctx.principal.name
        elif info.category in ("question", "outlet"):
            role = "question"
        elif info.category == "moderator":
            role = "moderator"
        elif info.category == "remark":
            role = "remark"
        elif info.category in ("statement", "narration"):
            role = "statement"
        elif _is_official(info, ctx) or not qa:
            if open_question is not None:
                role, answers = "answer", open_question
            elif not qa and len(text.split()) <= REMARK_MAX_WORDS and len(drafts) > 1:
                role = "remark"
        else:
            role = "question"  # a named journalist in a question-and-answer document
        if role == "question":
            open_question = n
        elif role == "moderator" or (info is not None and info.category == "narration"):
            open_question = None
        turns.append(
            Turn(
                n=n,
                label=(info.label or None) if info else None,
                speaker=speaker,
                role=role,  # type: ignore[arg-type]
                text=text,
                affiliation=affiliation,
                interpreted=d.interpreted,
                answers=answers,
            )
        )
    return turns
