"""Blocks to speaker turns: labels, speakers, roles, and questions paired to answers.

The same for every publisher. A paragraph opens a new turn when it carries a label (from the
markup, or by shape at its start); unlabelled paragraphs continue the current turn. Text with no
labels at all is one ``statement`` turn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from itertools import pairwise

from communique.model import Turn
from communique.structure import acts
from communique.structure.conversation import (
    OpenQuestion,
    asks_for_report,
    goes_on,
    key_of,
    names_asker,
    put_to_another,
    referred_question,
    report_question,
    reports,
    takes_turn_to_report,
    takes_up_comment,
)
from communique.structure.labels import (
    INTERPRETED,
    MEDIA_WORDS,
    LabelInfo,
    anonymous,
    classify_label,
    is_office_word,
    split_label,
)
from communique.structure.page import Block
from communique.structure.page_names import NOT_FIRST_NAMES, full_names, name_words
from communique.structure.people import Named, not_a_name_word, same_person, whole_name

QA_KINDS = {"interview", "press_conference", "briefing", "comment"}
STATEMENT_MIN_WORDS = 40  # shorter turns that neither ask nor answer are remarks
_BREAK = re.compile(r"^\s*(?:\*\s*){3,}$")  # "*****", "* * *": a closing notice follows


@dataclass
class _Draft:
    info: LabelInfo | None
    paragraphs: list[str] = field(default_factory=list)
    interpreted: bool = False
    closing: bool = False  # a closing notice after the last answer
    hinted: bool = False  # the reader said the role (Block.role): kept as said


@dataclass
class TurnContext:
    kind: str
    principal: Named | None = None
    people: list[Named] = field(default_factory=list)
    # Set by make_turns: the questions are mostly anonymous ("Q", "Question"), so every named
    # speaker is an answering official (White House briefings: "Q" and "MR. GIBBS").
    anonymous_questions: bool = False
    generic_questions: bool = False  # some questions are anonymous
    # Set by make_turns: the one interviewer an interview's title or lead names ("with George
    # Stephanopoulos of ABC This Week"), who asks the unnamed "Question:" turns
    interviewer: Named | None = None
    # Set by make_turns: the names the page's labels give ("Vitaly Savelyev")
    label_names: list[str] = field(default_factory=list)
    # Set by make_turns: surname (case-folded) -> the whole name the page's text gives it
    # ("This is Michael Mundaca" for "MR. MUNDACA")
    full_names: dict[str, str] = field(default_factory=dict)
    # Text outside the turns that names people (title, lead, a header's "BY BRIAN DEESE, ...",
    # name tooltips): read for the whole names of surname labels only
    name_lines: list[str] = field(default_factory=list)


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
    for i, (block, (info, text, interpreted)) in enumerate(zip(blocks, found, strict=True)):
        if info is not None and not info.strong:
            unsupported = strong == 0 and counts[info.label] < 2
            stray = marked and block.label is None and not _names_someone(info, people)
            if unsupported or stray:
                info, text = None, block.text
        if info is not None and not text and _heading(found, i):
            info, text = None, block.text if block.label is None else f"{block.label}:"
        if info is None and _BREAK.match(text) and drafts:
            if all(f[0] is None for f in found[i + 1 :]) and i + 1 < len(found):
                drafts.append(_Draft(None, [], closing=True))  # a closing notice follows
            continue
        if info is not None:
            interpreted = interpreted or acts.interpreter_note(text)
            hinted = block.role is not None
            drafts.append(_Draft(info, [text] if text else [], interpreted, hinted=hinted))
        elif drafts:
            drafts[-1].paragraphs.append(text)
        else:
            drafts.append(_Draft(None, [text]))
    return [d for d in drafts if d.paragraphs or d.info is not None]


def _heading(found: list[tuple[LabelInfo | None, str, bool]], i: int) -> bool:
    """A label with no text of its own followed by another label, or ending the page, is a
    heading inside the transcript ("Meeting points:"), not a speaker."""
    nxt = found[i + 1] if i + 1 < len(found) else None
    return nxt is None or nxt[0] is not None


def _names_someone(info: LabelInfo, people: list[Named]) -> bool:
    return info.category != "person" or any(
        same_person(info.name or info.label, p.name) for p in people
    )


# The office of a journalist, broadcaster or editor ("President of Interstate Television and Radio
# Company Mir Radik Batyrshin", "Editor-in-chief of Kommersant"): one who asks, not an official
_MEDIA_OFFICE = re.compile(
    r"\b(?:television|TV|radio|broadcast\w*|news agency|newspaper|magazine|editor\w*|"
    r"journalist|correspondent|anchor|columnist|reporter)\b",
    re.I,
)


def _is_official(info: LabelInfo, ctx: TurnContext) -> bool:
    if info.category == "answer":
        return True
    if info.category != "person":
        return False
    if info.office:
        return not _MEDIA_OFFICE.search(info.office) and not _place_only(info.office)
    name = info.name or info.label
    if ctx.principal and same_person(name, ctx.principal.name):
        return True
    if ctx.anonymous_questions or (ctx.generic_questions and info.honorific):
        return True
    return any(_official_office(p.office) and same_person(name, p.name) for p in ctx.people)


def _place_only(office: str) -> bool:
    """The words after the name are only a place ("Dmitry, Moscow": a caller from Moscow),
    no office."""
    words = office.split()
    return len(words) <= 3 and all(w[:1].isupper() and not is_office_word(w) for w in words)


def _official_office(office: str | None) -> bool:
    """An office the title or lead gives a person that makes an official: an office word besides
    "The" ("The Financial Times Editor Lionel Barber" read as office "The" is none), and not a
    journalist's, editor's or broadcaster's."""
    if not office or _MEDIA_OFFICE.search(office):
        return False
    return any(is_office_word(w) for w in office.split() if w.casefold() != "the")


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


def _interviewer(drafts: list[_Draft], ctx: TurnContext) -> Named | None:
    """The one person an interview's title or lead names besides the principal, when no
    labelled speaker is that person and the questions are unnamed ("Question:", "QUESTION:"):
    the journalist who asks them (the gold README's rule for unnamed questioners)."""
    if ctx.kind != "interview" or ctx.principal is None:
        return None
    others = [
        p
        for p in ctx.people
        if p is not ctx.principal
        and not p.office
        and not same_person(p.name, ctx.principal.name)
        and (p.affiliation or p.possessive)  # "of ABC This Week", "Maya Bekbayeva’s project"
    ]
    if len(others) != 1:
        return None
    asks_unnamed = any(d.info and d.info.category == "question" for d in drafts)
    labelled = [
        d.info.name or d.info.label for d in drafts if d.info and d.info.category == "person"
    ]
    if not asks_unnamed or any(same_person(n, others[0].name) for n in labelled):
        return None
    return others[0]


def _page_form(name: str | None, ctx: TurnContext) -> str | None:
    """A long label name cut to the shorter form the page itself uses for that person: "Airlines
    Vitaly Savelyev" (from "General Director of Aeroflot – Russian Airlines Vitaly Savelyev")
    is "Vitaly Savelyev" when another label or the title says so."""
    if not name or len(name.split()) < 3:
        return name
    words = name.split()
    forms = [*ctx.label_names, *(p.name for p in ctx.people)]
    suffixes = [
        f for f in forms
        if 2 <= len(f.split()) < len(words) and words[-len(f.split()) :] == f.split()
    ]  # fmt: skip
    return max(suffixes, key=lambda f: len(f.split()), default=name)


_THANKS_TO = re.compile(
    r"^(?:(?i:sure|okay|great|all right)[.,!]\s+)?"
    r"(?i:thanks|thank you)(?i: (?:very|so) much)?,\s+([A-Z][a-z]+)[.,!]"
)


def _addressed(drafts: list[_Draft], ctx: TurnContext) -> dict[str, str]:
    """Whole names of surname labels the page gives by thanking them: "Thanks, Mike." right
    after a "MR. HAMMER" turn is Mike Hammer. Only one first name so thanked, never the
    first name of another person the page names."""
    thanked: dict[str, set[str]] = {}
    for d, nxt in pairwise(drafts):
        name = d.info.name if d.info and d.info.category == "person" else None
        if not name or " " in name.strip() or name.casefold() in ctx.full_names:
            continue
        m = _THANKS_TO.match(_text(nxt))
        if m and nxt.info is not None and nxt.info.label != d.info.label:  # type: ignore[union-attr]
            thanked.setdefault(name, set()).add(m.group(1))
    others = [*ctx.full_names.values(), *(p.name for p in [ctx.principal, *ctx.people] if p)]
    taken = {n.split()[0] for n in others if " " in n}
    # a first name thanked after two labels ("Thanks, Robert." after MR. GIBBS and after
    # SECRETARY NAPOLITANO) is one of them, but which is not known: neither
    for name, firsts in thanked.items():
        taken |= {f for f in firsts if any(f in v for n, v in thanked.items() if n != name)}
    out: dict[str, str] = {}
    for name, firsts in thanked.items():
        first = next(iter(firsts))
        if len(firsts) == 1 and first not in taken and not not_a_name_word(first) and (
            first.casefold() not in NOT_FIRST_NAMES
        ):
            out[name.casefold()] = f"{first} {name}"
    return out


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
    if info.category == "question" and ctx.interviewer is not None:
        return ctx.interviewer.name, ctx.interviewer.affiliation
    if info.category != "person":
        return None, None
    name = _page_form(info.name, ctx)
    if name and " " not in name.strip() and name.casefold() in ctx.full_names:
        name = ctx.full_names[name.casefold()]  # "Mundaca" -> "Michael Mundaca"
    for p in [ctx.principal, *ctx.people]:
        if p is not None and same_person(name or "", p.name):
            # "Carney" -> "Jay Carney"; but never a Russian title's words, which are inflected
            # ("Сергеем Шойгу") or not a name at all ("Заседание Совета Безопасности")
            cyrillic = re.search(r"[А-ЯЁа-яё]", p.name)
            # a label's whole name stays ("Ilya Shestakov" under "... for Fishery Ilya Shestakov")
            surname_only = not name or len(name_words(name)) == 1  # "Senator Mitchell" too
            if surname_only and len(name_words(p.name)) > 1 and not cyrillic:
                name = p.name
            return name, p.affiliation
    if name is None and info.office:
        if anonymous(info.office):
            return None, None  # "SENIOR ADMINISTRATION OFFICIAL": nobody in particular
        office = info.office
        return (office.title() if office.isupper() else office), None
    return name, None


_CHAIR_OFFICE = re.compile(
    r"\b(?:moderator|host|presenter|chair(?:man|woman)? of the session)\b", re.I
)
# Offices whose holder chairs every turn (a press secretary); a forum's moderator or a TV host
# also asks (only the turns that give the floor are the chair's)
_PRESS_OFFICE = re.compile(r"press secretary|spokes|пресс-секретар", re.I)


def _key(d: _Draft, speaker: str | None) -> str:
    return speaker or (d.info.label if d.info else "")


def _side(d: _Draft, ctx: TurnContext, qa: bool, officials: set[str], key: str) -> str:
    """ask | respond | moderator | remark | other (a participant of a conversation) | none."""
    info = d.info
    if info is None:
        return "none"
    if info.category in ("question", "outlet"):
        return "ask"
    if info.category in ("statement", "narration"):
        return "fixed"  # the reader says: a statement (narration: by nobody)
    if info.category in ("answer", "moderator", "remark"):
        return {"answer": "respond"}.get(info.category, info.category)
    if info.office and _CHAIR_OFFICE.search(info.office):
        return "moderator"  # "Plenary session moderator", "Panel moderator Megyn Kelly"
    if not qa:
        return "other"
    return "respond" if (_is_official(info, ctx) or key in officials) else "ask"


def _moderator_speakers(drafts: list[_Draft], keys: list[str], ctx: TurnContext) -> set[str]:
    """Speakers who chair the session: a press secretary or host who is not the principal, or
    anyone whose turns mostly give the floor."""
    turns: dict[str, list[_Draft]] = {}
    for d, key in zip(drafts, keys, strict=True):
        if d.info is not None and d.info.category == "person":
            turns.setdefault(key, []).append(d)
    out = set()
    for key, ds in turns.items():
        if ctx.principal and same_person(key, ctx.principal.name):
            continue
        office = any(d.info and d.info.office and _PRESS_OFFICE.search(d.info.office) for d in ds)
        floor = sum(
            1 for d in ds if acts.gives_floor(_text(d), bare=True) or acts.runs_call(_text(d))
        )
        if (office and len(ds) > 1) or (len(ds) >= 2 and 2 * floor >= len(ds)):
            out.add(key)
    return out


def _principal_as_labelled(ctx: TurnContext) -> str | None:
    """The principal's name as the page's labels give it ("С.В.Лавров", not the title's
    inflected "С.В.Лаврова")."""
    if ctx.principal is None:
        return None
    name = ctx.principal.name
    return next((n for n in ctx.label_names if same_person(n, name)), name)


_FIRST_PERSON = re.compile(r"\b(?:I|we|my|our|я|мы|наш\w*)\b|我们|我", re.I)


def _opening_words(text: str, ctx: TurnContext) -> bool:
    """Unlabelled words that open a briefing or press conference, spoken in the first person
    ("Добрый день! Мы завершили заседание…"): the principal's opening statement, not a lead."""
    if ctx.kind not in QA_KINDS or ctx.principal is None:
        return False
    return bool(_FIRST_PERSON.search(text[:300]))


def _hosts(drafts: list[_Draft], keys: list[str]) -> set[str]:
    """Speakers labelled once with a moderator's or host's office ("Plenary session moderator,
    TV journalist Sergei Brilyov")."""
    return {
        k for d, k in zip(drafts, keys, strict=True)
        if d.info is not None and d.info.office and _CHAIR_OFFICE.search(d.info.office)
    }  # fmt: skip


def _panelists(drafts: list[_Draft], keys: list[str]) -> set[str]:
    """Named speakers of a moderated panel who are not its moderator."""
    hosts = _hosts(drafts, keys)
    return {
        k for d, k in zip(drafts, keys, strict=True)
        if d.info is not None and d.info.category == "person" and k not in hosts
    }  # fmt: skip


def _anchors(drafts: list[_Draft], keys: list[str], sides: list[str]) -> set[str]:
    """Named askers who run the show: three turns or more, one of which hands the floor over
    (a Direct Line's TV hosts and call-centre hosts, labelled by name with no office)."""
    turns: dict[str, list[str]] = {}
    for d, key, side in zip(drafts, keys, sides, strict=True):
        if side == "ask" and d.info is not None and d.info.category == "person":
            turns.setdefault(key, []).append(_text(d))
    return {
        key
        for key, texts in turns.items()
        if len(texts) >= 3 and any(_hands_over(text) for text in texts)
    }


def _asks_after_reply(i: int, keys: list[str], sides: list[str], texts: list[str]) -> bool:
    """The asker of turn ``i`` gets a word back from the respondent side and then asks: turn
    ``i`` was the preamble of the question ("Congratulations on Counterintelligence Day." "Thank
    you and the same to you." "Russian society ... ?")."""
    j = i + 1
    if (
        j >= len(keys)
        or sides[j] != "respond"
        or acts.words(texts[j]) > STATEMENT_MIN_WORDS
        or acts.asks(texts[j])  # "Are you not afraid today?": the respondent took it as asked
        or acts.has_question_mark(texts[j])  # "What do you mean he shifted responsibility?"
    ):
        return False
    for k in range(j + 1, min(i + 4, len(keys))):
        if keys[k] == keys[i]:
            return acts.asks(texts[k]) and acts.words(texts[k]) > 2
        if sides[k] != "respond":
            return False
    return False


def _ends_by_floor(text: str) -> bool:
    """The turn's last sentence gives the floor ("... Nailya, please introduce our guest.")."""
    return acts.floor_sentence((acts.sentences(text) or [""])[-1])


def _hands_over(text: str) -> bool:
    """The turn ends by handing the floor over, asking nothing else."""
    return (not acts.asks(text) or acts.asks_only_for_floor(text)) and (
        acts.gives_floor(text) or _ends_by_floor(text)
    )


_CALLS_IN = re.compile(
    r"\b(?:would like|want|ask) (?:you|him|her) to (?:comment|say|tell|report|add|answer|address)"
    r"|\blet us (?:listen|hear|give (?:him|her) the floor)",
    re.I,
)


def _brought_in(speaker: str | None, text: str, turns: list[Turn], ctx: TurnContext) -> bool:
    """A guest the principal has just called on to help answer, who asks nothing: he answers
    too. The principal names him ("Governor Voskresensky. Let's ask him as well.", "Yes.
    Please, Mr Kozak.") or, on the guest's first turn, calls him in by office ("Let us listen to
    the Minister of Education.", "I would like you to comment on this, please.")."""
    if speaker is None or ctx.principal is None or acts.asks(text):
        return False
    for t in reversed(turns[-2:]):
        if not same_person(key_of(t), ctx.principal.name):
            continue
        surname = speaker.split()[-1]
        if len(surname) > 2 and re.search(rf"\b{re.escape(surname)}\b", t.text):
            return True
        first_time = all(key_of(u) != speaker for u in turns)
        ending = acts.sentences(t.text)[-2:]
        # a bare "Please go ahead." calls on the next journalist, not on a guest to answer
        return first_time and acts.words(text) > 15 and any(_CALLS_IN.search(x) for x in ending)
    return False


_FOLLOW_UP = re.compile(r"follow[\s\-]?up(?: question)?|追问", re.I)


def _follow_ups(
    drafts: list[_Draft], named: list[tuple[str | None, str | None]], sides: list[str]
) -> list[tuple[str | None, str | None]]:
    """A follow-up label ("Follow-up:", "追问：") asks for the previous questioner: the outlet,
    when that was an outlet ("The Australian:" then "Follow-up:"); nobody after "Q"/"问"."""
    out = list(named)
    asker: tuple[str | None, str | None] = (None, None)
    for i, d in enumerate(drafts):
        if d.info is None or sides[i] != "ask":
            continue  # an official's counter-question ("Which agencies reported this?") too
        if _FOLLOW_UP.fullmatch(d.info.label.strip()) and out[i] == (None, None):
            out[i] = asker
        asker = out[i]
    return out


# "Nicholas Kralev, Washington Times: …", "Chris Arnold, National Public Radio. …", "Hi, I'm
# Jane Doe with the Washington Post. …": a questioner who names himself and his outlet
_SELF_NAMED = re.compile(
    r"^(?i:(?:yes|hi|hello|thanks|thank you|good (?:morning|afternoon|evening))[,.!]?\s+)*"
    r"(?i:(?:i[’']m|i am|this is|my name is)\s+)?"
    r"(?P<name>[A-Z][a-z’'\-]+(?:\s[A-Z][a-z’'\-]+){1,2})"
    r"(?:(?P<comma>,)\s*|\s+(?P<with>with|from|of)\s+(?:the\s+|The\s+)?)"
    r"(?P<outlet>(?:[A-Z]\.){2,}|[A-Z][\w’'&\-]*)"
    r"(?P<more>(?:\s+(?:(?:[A-Z]\.){2,}|[A-Z][\w’'&\-]*|of|the|and|for|in|&)){0,5}?)"
    r"\s*[.:;,](?:\s|$)"
)


def _self_named(
    d: _Draft, named: tuple[str | None, str | None], ctx: TurnContext
) -> tuple[str | None, str | None]:
    """(speaker, affiliation) of an unnamed question ("Q", "QUESTION:") whose opening words
    name the questioner and his outlet; a whole personal name only, never an office ("General
    Jones, I wanted to ask"), nor a person the document names (an official addressed)."""
    if d.info is None or d.info.category != "question" or d.info.office or named[0]:
        return named
    m = _SELF_NAMED.match(_text(d))
    if m is None:
        return named
    name, outlet = m.group("name"), (m.group("outlet") + m.group("more")).strip()
    words = name.split()
    # after a comma or "of", the outlet must read as one ("National Public Radio", "NPR"), not
    # as a place or a person ("Spencer Bachus of Alabama", "Another Democrat, Dianne Feinstein")
    media = any(w.casefold() in MEDIA_WORDS for w in outlet.split()) or bool(
        re.fullmatch(r"[A-Z]{2,6}|(?:[A-Z]\.){2,}", outlet.split()[0])
    )
    if m.group("with") in (None, "of") and not media:
        return named
    if (
        whole_name(name) != name
        or not all(w[0].isupper() for w in words)
        or any(not_a_name_word(w) or w.casefold() in NOT_FIRST_NAMES for w in words)
        or not outlet[:1].isupper()
        or (
            any(is_office_word(w) and w.casefold() != "the" for w in outlet.split())
            and not any(w.casefold() in MEDIA_WORDS for w in outlet.split())
        )  # "John Kerry, Secretary of State, said"; "Chris Arnold, National Public Radio."
    ):
        return named
    known = [*ctx.label_names, *(p.name for p in [ctx.principal, *ctx.people] if p)]
    if any(same_person(name, k) for k in known):
        return named
    return name, outlet


def _outlets_asking(drafts: list[_Draft]) -> None:
    """A label that names no person and holds no office ("The Australian", "The Hindu": only
    an article before capitalised words) over a turn that asks is the outlet that asks."""
    for d in drafts:
        info = d.info
        if (
            info is not None
            and info.category == "person"
            and info.name is None
            and info.office
            and not anonymous(info.office)
            and not any(
                is_office_word(w) and w.casefold() not in ("the", "a", "an")
                for w in info.office.split()
            )
            and acts.asks(_text(d))
        ):
            d.info = replace(info, category="outlet", office=None)


def _text(d: _Draft) -> str:
    return "\n\n".join(p for p in d.paragraphs if p)


def _officials(drafts: list[_Draft], keys: list[str], ctx: TurnContext) -> set[str]:
    """Speakers who answer: anyone labelled once with an office or as the principal."""
    return {
        key
        for d, key in zip(drafts, keys, strict=True)
        if d.info is not None
        and d.info.category == "person"
        and _is_official(d.info, ctx)
        and (d.info.office or ctx.principal is None or same_person(key, ctx.principal.name))
        and not (d.info.office and _CHAIR_OFFICE.search(d.info.office))  # a host asks
    }


def _closing(drafts: list[_Draft], ctx: TurnContext) -> list[_Draft]:
    """A briefing's closing notice (after "*****", or a schedule/holiday/event notice ending the
    last answer) becomes its own unlabelled draft, marked closing."""
    if ctx.kind not in QA_KINDS or not drafts:
        return drafts
    last = drafts[-1]
    if last.closing or last.info is None or len(last.paragraphs) < 2 or last.hinted:
        return drafts
    cut = len(last.paragraphs)
    while cut > 1 and acts.notice(last.paragraphs[cut - 1]):
        cut -= 1
    if ctx.kind != "briefing" or cut == len(last.paragraphs):
        return drafts
    tail = _Draft(None, last.paragraphs[cut:], closing=True)
    last.paragraphs = last.paragraphs[:cut]
    return [*drafts, tail]


def completes(text: str) -> bool:
    """A reply of a word or three that finishes the sentence broken off before it ("So this
    was your…" "Mine."): in a one-on-one interview that sentence asked, it cut into nothing
    (in a briefing a reporter's "And real quickly --" is cut off by "Yes.")."""
    return (
        acts.words(text) <= 3
        and not acts.resumes(text)
        and not acts.broken_off(text)
        and not acts.asks(text)
        and not acts.acknowledges(text)  # "Yes." only nods the sentence on
    )


def make_turns(blocks: list[Block], ctx: TurnContext) -> list[Turn]:
    """Turns in order, numbered from 1, with roles and answers paired to questions.

    Roles follow docs/record.md ("Roles"): the label says which side a speaker is on (asks,
    answers, chairs), the text says what the turn does (asks, answers, acknowledges, gives the
    floor, cuts into an answer). Conversations (meetings) have no sides: a turn is a question
    when it asks, an answer when it replies to one, else a remark or (long) a statement.
    """
    drafts = _drafts(blocks, [p for p in [ctx.principal, *ctx.people] if p is not None])
    if not drafts:
        return []
    _settle_principal(drafts, ctx)
    ctx.interviewer = _interviewer(drafts, ctx)
    ctx.label_names = [
        d.info.name for d in drafts if d.info and d.info.category == "person" and d.info.name
    ]
    ctx.full_names = full_names(ctx.label_names, [_text(d) for d in drafts] + ctx.name_lines)
    ctx.full_names.update(_addressed(drafts, ctx))
    drafts = _closing(drafts, ctx)
    labelled = any(d.info is not None for d in drafts)
    # A session with a host or moderator (a forum's plenary, a TV panel) runs as questions and
    # answers, whatever its kind
    qa = ctx.kind in QA_KINDS or any(
        d.info is not None
        and (
            d.info.category == "moderator"
            or bool(d.info.office and _CHAIR_OFFICE.search(d.info.office))
        )
        for d in drafts
    )
    _outlets_asking(drafts)
    named = [_speaker(d.info, ctx) for d in drafts]
    keys = [_key(d, s) for d, (s, _) in zip(drafts, named, strict=True)]
    officials = _officials(drafts, keys, ctx) if qa else set()
    chairs = _moderator_speakers(drafts, keys, ctx) if qa else set()
    panel = qa and ctx.kind not in QA_KINDS
    panelists = _panelists(drafts, keys) if panel else set()
    hosts = _hosts(drafts, keys) if panel else set()
    if panel:
        # a panel run by a moderator: whoever the moderator does not chair answers him
        officials |= panelists
    sides = [_side(d, ctx, qa, officials, k) for d, k in zip(drafts, keys, strict=True)]
    # a show with hosts and callers (several askers), not one interviewer
    several_askers = len({k for k, sd in zip(keys, sides, strict=True) if sd == "ask"}) > 2
    anchors = _anchors(drafts, keys, sides) if qa and several_askers else set()
    named = _follow_ups(drafts, named, sides)
    named = [_self_named(d, sa, ctx) for d, sa in zip(drafts, named, strict=True)]
    introduced: set[str] = set()
    # who asks something of substance: a bare "Yes?" (a clinic head hearing the reporter out
    # in a Direct Line field report) makes nobody an asker
    texts = [_text(d) for d in drafts]
    askers = {k for t, k in zip(texts, keys, strict=True) if acts.asks(t) and acts.words(t) > 2}
    # one named interviewer asks every question: the respondent never calls on anyone, so a
    # bare "Mine." is no call ("So this was your…" "Mine.")
    asking = {(k, s) for (s, _), k, side in zip(named, keys, sides, strict=True) if side == "ask"}
    lone_interviewer = len(asking) == 1 and None not in {s for _, s in asking}
    turns: list[Turn] = []
    open_q: OpenQuestion | None = None
    last_answer: tuple[str, OpenQuestion] | None = None  # (answerer, question) of the latest answer
    interjected = False  # the turn before cut into the latest answer
    after_preamble = False  # the turn before was an asker's preamble to a question
    spoken = False  # a labelled turn came before (else this one opens the session)
    for i, d in enumerate(drafts):
        n = len(turns) + 1
        text = _text(d)
        speaker, affiliation = named[i]
        key, side = keys[i], sides[i]
        if key in chairs:
            side = "moderator"
        prev = turns[-1] if turns else None
        if prev is not None and prev.role == "moderator" and names_asker(speaker, prev.text):
            introduced.add(key)  # "Your next question is from Ray Henry": a questioner
        if side == "respond" and key in introduced and key not in officials:
            side = sides[i] = "ask"  # "Your next question is from Ray Henry": a questioner
        nxt_side = sides[i + 1] if i + 1 < len(drafts) else None
        nxt_key = keys[i + 1] if i + 1 < len(drafts) else None
        nxt_text = _text(drafts[i + 1]) if i + 1 < len(drafts) else ""
        # the session's end: no question follows (a closing "Thanks, everyone, for joining")
        closes = qa and bool(turns) and "ask" not in sides[i + 1 :]
        role, answers = "statement", None
        cut_in = keep_open = after_answer = preamble = asks_on = False
        # the principal gave the latest answer (a guest he calls in may answer with him)
        principal_answering = (
            last_answer is not None
            and ctx.principal is not None
            and same_person(last_answer[0], ctx.principal.name)
        )
        interjects = (
            last_answer is not None
            and prev is not None
            and prev.role == "answer"
            and nxt_key == last_answer[0]
            and key != last_answer[0]
            and not (lone_interviewer and acts.broken_off(text) and completes(nxt_text))
            and (
                acts.resumes(nxt_text)
                or (
                    not acts.asks(text)
                    and (
                        (acts.broken_off(text) and acts.words(text) <= 6)
                        or (acts.broken_off(prev.text) and acts.words(text) <= 12)
                    )
                )
            )
        )
        if d.closing or d.info is None:
            if (
                d.closing
                or (not labelled and ctx.principal and ctx.kind not in ("news", "other", "meeting"))
                or (not turns and _opening_words(text, ctx))
            ):
                speaker = _principal_as_labelled(ctx)
        elif side == "fixed":
            role = "statement"
        elif d.hinted and side == "ask":
            role = "question"  # the reader knows ("The Paper:" over a bold question)
            if (
                open_q is not None
                and open_q.outer is not None  # the respondent asked back ("为什么？")
                and open_q.key != key
                and open_q.answerer is None
                and not acts.asks(text)
            ):
                role, answers = "answer", open_q.n  # "记者：我只是问一下"
        elif d.hinted and side == "respond" and open_q is not None:
            role, answers = "answer", open_q.n
            if (
                open_q.key != key
                and acts.only_asks(text)
                and acts.words(text) <= 30
                and nxt_side == "ask"  # the journalist replies
            ):
                role, answers = "question", None  # asks back: "那你向中国教育部求证了吗？"
        elif side == "moderator":
            substantive = (
                acts.asks(text)
                and not acts.gives_floor(text)
                # "… I suggest wrapping up by taking three questions from them. Go ahead, Mr
                # Terekhov.": a suggestion to the principal, then the floor
                and not (_ends_by_floor(text) and not acts.has_question_mark(text))
                and not acts.runs_call(text)
                and not (not spoken and acts.opens_for_briefers(text))  # "... like to begin?"
            )
            waiting = open_q is not None and open_q.key != key and open_q.answerer is None
            if (
                waiting
                and not substantive
                and not acts.gives_floor(text)
                and not acts.ground_rules(text)
                and acts.words(text) >= 20
            ):
                role, answers = "answer", open_q.n  # type: ignore[union-attr]
            elif acts.acknowledges(text) and (
                not acts.gives_floor(text) or (closes and not acts.manages(text))
            ):
                role = "remark"  # the chair's "Great, thanks, everybody (for joining)."
            elif (
                closes
                and not substantive
                and acts.words(text) > STATEMENT_MIN_WORDS
                and not (acts.gives_floor(text) or acts.manages(text) or acts.ground_rules(text))
            ):
                role = "statement"  # "... I have a week ahead to read. ... On Monday ..."
            else:
                role = "question" if substantive else "moderator"
        elif side in ("ask", "remark"):
            unanswered = open_q is not None and open_q.key != key and open_q.answerer is None
            replies = unanswered and (
                key not in askers
                or side == "remark"
                or sides[open_q.n - 1] == "respond"  # type: ignore[union-attr]
                # a show's field report: someone on site replies to the correspondent, who
                # goes on asking ("What is its power?" "60 MW." "So the papers are right …?")
                or (
                    speaker is not None
                    and key not in anchors
                    and open_q.key in anchors  # type: ignore[union-attr]
                    and nxt_key == open_q.key  # type: ignore[union-attr]
                    and not acts.has_question_mark(text)
                )
            )
            if not acts.asks(text) and (
                acts.gives_floor(text)
                or (key in hosts and _ends_by_floor(text))
            ):
                # a host: "Let us ask if our call centre has new calls."; a panel's host who
                # ends by introducing the next panellist ("I would like to ask Viktor Linnik
                # to share with us his perspective")
                role = "moderator"
            elif (
                not acts.asks(text)
                and nxt_side in ("ask", "remark")
                and not any(t.role in ("question", "answer") for t in turns)
                and not acts.acknowledges(text)
                and not acts.greets_only(text)
                and not _ends_by_floor(text)
            ):
                # the hosts open the show among themselves before anything is asked
                role = "statement" if acts.words(text) > STATEMENT_MIN_WORDS else "remark"
            elif (
                several_askers
                and nxt_side in ("ask", "remark")
                and nxt_key != key
                and not unanswered  # "... We checked the driver and let him go ahead." replies
                and _hands_over(text)
            ):
                # a correspondent on site hands over to the people there ("... Next to me are
                # the bloggers Artyom Kholikov and Andrei Glazunov. Go ahead please.")
                role = "moderator"
            elif key in anchors and (
                _hands_over(text)
                or (
                    nxt_side in ("ask", "remark")
                    and nxt_key != key
                    and not acts.acknowledges(text)
                    and not acts.greets_only(text)
                    and (
                        (not acts.asks(text) and acts.words(text) > 8)
                        or _ends_by_floor(text)
                    )
                )
            ):
                # a show's host hands over to a caller, a correspondent or the call centre
                # ("We have a phone call from Ussuriysk.", "Mr Gazzayev, what is your question?"),
                # also after reading out what others ask or introducing the topic
                role = "moderator"
            elif (
                key in anchors
                and not acts.asks(text)
                and not acts.broken_off(text)
                and (
                    (acts.words(text) <= 15 and nxt_side == "respond")
                    or (acts.words(text) <= 8 and nxt_side in ("ask", "remark"))
                )
                and sides[i - 1] == "respond"
                and not unanswered  # not a reply to the respondent's question
            ):
                # a show's host puts in a word after an answer ("People concealed their
                # incomes.", "Mr Shoigu is listening to us, of course.", "An exhaustive
                # answer."): a remark
                role = "remark"
            elif principal_answering and _brought_in(speaker, text, turns, ctx):
                # the principal brings in a minister or governor to answer with him
                role, answers = "answer", last_answer[1].n  # type: ignore[index]
            elif (
                acts.broken_off(text)
                and acts.words(text) <= 8
                and not acts.asks(text)
                and not (lone_interviewer and nxt_side == "respond" and completes(nxt_text))
            ):
                role, cut_in = "remark", True  # "Let me show —"
            elif interjects and acts.asks(text) and acts.resumes(nxt_text):
                role, keep_open = "question", True  # cut in with a question; the answer goes on
            elif (
                replies
                and (
                    not acts.asks(text)
                    or (
                        open_q.outer is not None  # type: ignore[union-attr]
                        and acts.asks_back(turns[open_q.n - 1].text)  # type: ignore[union-attr]
                        and not acts.opens_asking(text)
                    )
                    or acts.asks_to_repeat(turns[open_q.n - 1].text)  # type: ignore[union-attr]
                )
                and not acts.thanks(text)
                and not interjects
            ):
                # a reply to the respondent's counter-question (also when it asks on, after a
                # turn that only asks back: "What do you mean by posturing?" "Meetings,
                # briefings to the President?"), or to a
                # reporter's question put to someone in the audience (Direct Line's field reports)
                role, answers = "answer", open_q.n  # type: ignore[union-attr]
            elif (
                acts.acknowledges(text)
                or (acts.greets_only(text) and not acts.has_question_mark(text))
                or (acts.introduces_self(text, speaker) and not acts.has_question_mark(text))
                or acts.procedural(text)
                or acts.shouts(text)  # "Vladivostok!"
                or (i >= len(drafts) - 2 and acts.signs_off(text))  # a sign-off ends the session
                or interjects
                or not acts.sentences(text)
            ):
                role = "remark"
                cut_in = interjects
            elif prev is not None and key_of(prev) != key and acts.echoes_reply(text, prev.text):
                role = "remark"  # "No. A little bit boring." - "Boring."; "Oh!"; "I'm listening."
            elif side == "remark" and not acts.asks(text):
                role = "remark"
            elif (
                several_askers  # a news conference or a show, not one interviewer
                and speaker is not None
                and (open_q is None or open_q.key != key)
                and not acts.asks(text)
                and not acts.has_question_mark(text)
                and _asks_after_reply(i, keys, sides, texts)
            ):
                # a named journalist's preamble (thanks, who they are, a wish), a word back
                # from the principal, then the question: the preamble and the word are remarks
                role, preamble = "remark", True
            elif (
                not lone_interviewer  # an interviewer's topic ("The army.") asks
                and not any(t.role in ("question", "answer") for t in turns)
                and not acts.asks(text)
                and not acts.has_question_mark(text)
                and acts.words(text) <= 8
            ):
                role = "remark"  # a word before anything is asked: "Make this a habit."
            else:
                role = "question"
        elif side == "respond":
            waiting = (
                open_q is not None
                and open_q.key != key
                and open_q.answerer is None
                and sides[open_q.n - 1] != "respond"
            )
            answered = open_q is None or open_q.answerer is not None
            if acts.greets_only(text):
                role = "remark"  # "Hello, boys and girls."
            elif (
                after_preamble
                and nxt_key == key_of(prev)  # type: ignore[arg-type]
                and not acts.asks(text)
                and not acts.gives_floor(text, bare=True)  # "Your question, please."
                and (open_q is None or open_q.answerer is not None)
            ):
                role = "remark"  # the word back on a preamble, before the question
            elif (
                several_askers
                and principal_answering
                and key != last_answer[0]  # type: ignore[index]
                and answered
                and (
                    _brought_in(speaker, text, turns, ctx)
                    or (
                        prev is not None
                        and prev.role == "moderator"
                        and not acts.asks(text)
                        and all(key_of(u) != key for u in turns)
                    )
                )
            ):
                # a show calls in a minister to answer with the principal ("We are calling
                # the Energy Minister. Please.")
                role, answers = "answer", last_answer[1].n  # type: ignore[index]
            elif (
                prev is not None
                and key_of(prev) != key
                and prev.role == "remark"
                and acts.procedural(prev.text)
                and acts.acknowledges(text)
                and acts.words(text) <= 4
                and nxt_key == key_of(prev)
            ):
                role = "moderator"  # "… can I make my point, Mr President, please?" "Sure."
            elif (
                not spoken
                and nxt_key not in (None, key)
                and nxt_side not in ("ask", "remark")
                and acts.opens_for_briefers(text)
            ):
                role = "moderator"  # the press secretary introduces the briefers
            elif acts.asks_to_repeat(text) and nxt_side == "ask":
                role = "question"  # "Huh?", "A what?" after a question (not a cut-in)
            elif (
                closes
                and answered
                and acts.signs_off_session(text)
                and not acts.ground_rules(text)
            ):
                # "Thanks, everyone, for joining."; the staffer's "... If you have follow-up
                # questions, feel free to email me"; an official's closing words
                if acts.acknowledges(text):
                    role = "remark"
                elif acts.manages(text):
                    role = "moderator"
                else:
                    role = "statement" if acts.words(text) > STATEMENT_MIN_WORDS else "remark"
            elif acts.gives_floor(
                text,
                bare=nxt_side == "ask" and not waiting and not lone_interviewer,
                max_rest=0 if waiting else 25,
            ) or (answered and acts.ground_rules(text) and acts.runs_call(text)):
                role = "moderator"  # "this call is on background ... I'll turn it over to Bill"
            elif (
                open_q is not None
                and open_q.answerer not in (None, key)
                and acts.not_an_answer(text)
            ):
                # "not in response to that question, just to make sure that I was clear"
                role = "statement" if acts.words(text) > STATEMENT_MIN_WORDS else "remark"
            elif (
                speaker is not None  # a named official, not one of several anonymous ones
                and open_q is not None
                and open_q.answerer == key
                and prev is not None
                and (prev.role, prev.answers, key_of(prev)) == ("answer", open_q.n, key)
                and acts.opens_anew(text)
            ):
                # the official speaks again right after his complete answer: no question is
                # pending (a closing statement, the transcript starting over)
                role = "statement" if acts.words(text) > STATEMENT_MIN_WORDS else "remark"
                after_answer = True
            elif (
                panel
                and open_q is not None
                and nxt_key == open_q.key != key
                and acts.broken_off(text)
                and acts.words(text) <= 12
                and not acts.asks(text)
            ):
                # "I saw some of it…", and the moderator goes on asking (in a briefing, a
                # secretary's broken-off start is the answer the reporter cuts into)
                role = "remark"
            elif (
                panel
                and open_q is not None
                and not acts.asks(text)
                and put_to_another(turns[open_q.n - 1], open_q, key, panelists)
            ):
                # a panellist's comment on a question put to another ("Ask Mr Dodon.")
                role = "statement" if acts.words(text) > STATEMENT_MIN_WORDS else "remark"
            elif open_q is not None and open_q.key != key and sides[open_q.n - 1] != "respond":
                after_ack = prev is not None and prev.role == "remark" and not interjected
                if (
                    several_askers  # not in an interview or a briefing: a cut-in is answered on
                    and open_q.answerer is not None
                    and prev is not None
                    and key_of(prev) != key
                    and (
                        prev.role == "remark"
                        # or the reply to his last such question: he asks on
                        or (
                            prev.role == "answer"
                            and prev.answers is not None
                            and key_of(turns[prev.answers - 1]) == key
                        )
                    )
                    and nxt_side in ("ask", "remark")
                    and acts.words(text) <= 15
                    and acts.has_question_mark(text)
                    and acts.asks(text)
                    and not acts.asks_only_for_floor(text)
                    and not acts.asks_back(prev.text)  # type: ignore[union-attr]
                ):
                    # the question was answered; a word from the hall, and the principal asks
                    # about it ("More about the child…" "Where is the boy now?"); after the
                    # reply he goes back to the question
                    role, asks_on = "question", True
                elif after_ack and acts.words(text) <= 12 and not acts.asks(text):
                    role = "remark"
                elif acts.acknowledges(text) and not acts.says_yes_or_no(text):
                    role = "remark"  # "All right, I'm sorry."
                elif (
                    open_q.answerer is None
                    and acts.echoes_broken_off(text, turns[open_q.n - 1].text)
                    and nxt_side == "ask"
                ):
                    role = "question"  # "Kind of clear the air about --": what is meant?
                elif open_q.answerer is None and acts.prompts_on(text) and nxt_side == "ask":
                    role = "remark"  # "The army." "Ok, and…?": go on, ask
                elif (
                    open_q.answerer is None
                    and acts.asks(text)
                    and not acts.asks_only_for_floor(text)  # "John, do you have a question?"
                    and acts.words(text) <= 30
                    # "I'll leave that to him. Done?": a reply, then a jab, is no question back,
                    # unless the named asker says yes or no to it ("Are you married?" "Yes, I
                    # am"; a briefing's anonymous "Q" may be the next reporter called on)
                    and (
                        not acts.opens_with_reply(text)
                        or (
                            nxt_key == open_q.key
                            and named[i + 1][0] is not None
                            and acts.opens_yes_or_no(nxt_text)
                        )
                    )
                    # "答：", "A:": the page says answer, unless it only asks back and the
                    # questioner replies ("记者：我只是问一下")
                    and (
                        d.info.category != "answer" or (acts.only_asks(text) and nxt_side == "ask")
                    )
                ):
                    role = "question"  # a counter-question
                else:
                    role, answers = "answer", open_q.n
            elif last_answer is not None and last_answer[0] == key and acts.picks_up(text):
                role, answers = "answer", last_answer[1].n  # back after the line dropped
            elif acts.asks(text) and turns and not acts.asks_only_for_floor(text):
                role = "question"
            elif acts.words(text) > STATEMENT_MIN_WORDS or (
                not any(t.role == "question" for t in turns)
                and not acts.acknowledges(text)
                # a short word back on a quip before the briefing starts ("Keep it short.")
                and not (
                    prev is not None
                    and prev.role == "remark"
                    and key_of(prev) != key
                    and acts.words(text) <= 20
                )
            ):
                role = "statement"  # a long monologue, or the opening before any question
            else:
                role = "remark"
        else:  # a participant of a conversation
            resumed = interjected and last_answer is not None and last_answer[0] == key
            report_goes_on = False
            if goes_on(key, text, turns, last_answer):
                resumed, open_q = True, last_answer[1]  # type: ignore[index]
                if acts.acknowledges(turns[-1].text):  # "This is good.": the report goes on
                    report_q = report_question(key, turns, open_q)
                    if report_q is None:  # a report nobody asked for goes on
                        resumed, open_q = False, None
                        report_goes_on = True
                    else:
                        open_q = report_q
            waited_for = (
                open_q is not None and open_q.key != key and open_q.answerer is None and not resumed
            )
            if acts.announces_report(text) and not waited_for:
                resumed, open_q, report_goes_on = False, None, True  # a report of its own
            if (
                acts.thanks(text)
                or acts.only_thanks(text)
                or acts.greets_only(text)
                or acts.procedural(text)  # "Can we have a group photo?", "May I add something?"
            ):
                role = "remark"
            elif report_goes_on:
                role = "statement"
            elif (
                acts.asks(text)
                and acts.gives_floor(text)
                and _ends_by_floor(text)
                and acts.bare_call((acts.sentences(text) or [""])[-1])
            ):
                # "Colleagues, who wants to add anything? Mr Smirnov, go ahead please.": only
                # asks for the floor, then gives it
                role = "moderator"
            elif asks_for_report(key, text, turns, nxt_key, nxt_text):
                role = "question"  # "Mr Sokolov, let's examine the full range of issues"
            elif acts.gives_floor(text) and len(drafts) > 1:
                role = "moderator"
            elif open_q is not None and takes_turn_to_report(key, text, turns, open_q):
                role, answers = "answer", open_q.n  # one guest after another
            elif open_q is not None and open_q.key != key and (open_q.answerer is None or resumed):
                if acts.asks(text) and open_q.answerer is None and acts.words(text) <= 30:
                    role = "question"
                else:
                    role, answers = "answer", open_q.n
            elif acts.asks(text) and len(drafts) > 1:
                role = "question"
            elif takes_up_comment(key, text, turns):
                role = "remark"  # "Regrettably, this is true. ..."
            elif reports(turns, key, text, len(drafts)):
                role = "statement"
            else:
                role = "remark"
        if keep_open:
            pass  # an interjected question: the answer it cut into resumes on its question
        elif role == "question":
            outer = (
                open_q
                if open_q is not None
                and open_q.key != key
                # not answered yet; asked to repeat ("I'm sorry?"); asked about a word after it
                and (open_q.answerer is None or acts.asks_to_repeat(text) or asks_on)
                else None
            )
            open_q = OpenQuestion(n, key, outer=outer if side in ("respond", "other") else None)
        elif role == "answer" and open_q is not None:
            open_q.answerer = open_q.answerer or key
            last_answer = (key, open_q)
            if open_q.outer is not None and sides[open_q.n - 1] != side:
                open_q = open_q.outer  # the counter-question answered: back to the question
        elif d.info is not None and d.info.category == "narration":
            # "After the press conference, Zhao made further response to the question raised
            # by South China Morning Post": the reply that follows answers that question
            referred = referred_question(text, turns)
            open_q = OpenQuestion(referred.n, key_of(referred)) if referred is not None else None
        elif role == "moderator":
            if not (
                open_q is not None
                and nxt_side == "respond"
                and (open_q.answerer is None or nxt_key != key)
            ):
                open_q = None  # unless handing a question over ("Let me turn it over to Ben")
        elif role == "statement" and qa and side == "respond" and open_q is None:
            last_answer = None
        if after_answer:
            open_q = last_answer = None
        interjected = cut_in
        after_preamble = preamble
        spoken = spoken or bool(d.info is not None and d.info.label)
        turns.append(
            Turn(
                n=n,
                label=(d.info.label or None) if d.info else None,
                speaker=speaker,
                role=role,  # type: ignore[arg-type]
                text=text,
                affiliation=affiliation,
                interpreted=d.interpreted or acts.interpreter_note(text),
                answers=answers,
                role_inferred=not _role_given(d, role, answers, prev),
            )
        )
    return turns


_GIVEN = {"question": "question", "outlet": "question", "answer": "answer",
          "statement": "statement", "narration": "statement", "moderator": "moderator"}  # fmt: skip


def _role_given(d: _Draft, role: str, answers: int | None, prev: Turn | None) -> bool:
    """The page says the role: a label that names it ("Q", "Question", "答", an outlet,
    "Moderator") or a reader's mark, or an answer to the question labelled just before it.
    Every other role is read from the text's shape (``Turn.role_inferred``)."""
    if d.info is None:
        return d.closing  # a closing notice after the last answer
    if d.hinted or _GIVEN.get(d.info.category) == role:
        # a questioner's label asks only when the text does too ("Q: Mr. Secretary --" may be
        # a bid for the floor)
        return role != "question" or acts.asks(_text(d))
    return (
        role == "answer"
        and prev is not None
        and answers == prev.n
        and not prev.role_inferred
        and prev.role == "question"
    )


def labelled_questions(turns: list[Turn]) -> int:
    """Questions whose label says so ("Question", "Q", an outlet): what makes a document without
    a kind word in its title a press conference (a conversation's questions do not)."""
    count = 0
    for t in turns:
        info = classify_label(t.label) if t.role == "question" and t.label else None
        count += info is not None and info.category in ("question", "outlet")
    return count
