"""The document's kind, from what the publisher calls it (title, category) and its shape.

A telephone conversation is a ``phone_call`` whatever its wording ("Telephone conversation
with ...", "... spoke by telephone with ..."); press statements after talks are ``statement``s.
"""

from __future__ import annotations

import re

# Checked in order: the first rule whose pattern matches the title (or category) wins.
_RULES: list[tuple[str, re.Pattern[str]]] = [
    (
        "briefing",
        re.compile(
            r"regular press conference|press briefing|daily briefing|\bbriefing\b|press gaggle|"
            r"\bgaggle\b|брифинг|例行记者会|记者会(?!.*联合)|发布会",
            re.I,
        ),
    ),
    (
        "interview",
        re.compile(
            r"interview|интервью|采访|专访|meet the press|face the nation|this week with|"
            r"fox news sunday|state of the union with|\b(?:of|on|with) (?:cnn|msnbc|nbc|cbs|abc|"
            r"fox news|npr|bbc|pbs)\b",
            re.I,
        ),
    ),
    (
        "comment",
        re.compile(
            r"\bcomment|\bremarks on\b|reply to a media question|answer to a media question|"
            r"комментари|ответ .{0,40}на вопрос|答问|答记者|发言人.{0,12}(?:表示|谈|答)",
            re.I,
        ),
    ),
    (
        "press_conference",
        re.compile(
            r"press conference|news conference|press availability|press statements? and answers|"
            r"answers to (?:media |journalists’ |journalists' )?questions|remarks to the press|"
            r"пресс-конференц|ответы на вопросы|подход к прессе|联合记者会",
            re.I,
        ),
    ),
    (
        "phone_call",
        re.compile(
            r"\btelephone\b|\btelephoned\b|\bphone\s(?:calls?|conversations?|talks)|\bby\sphone\b|"
            r"\bphoned\b|\b(?:over|on)\sthe\sphone\b|телефонн|通电话",
            re.I,
        ),
    ),
    # "Press statements following talks": the statements are the document, not the talks
    ("statement", re.compile(r"\bstatements?\b|заявлени|声明", re.I)),
    (
        "speech",
        re.compile(
            r"\bspeech\b|\baddress\b|remarks (?:at|to|before|by)|\blecture\b|выступлени|обращени|"
            r"послание|讲话|致辞|演讲",
            re.I,
        ),
    ),
    ("article", re.compile(r"\barticle\b|op-ed|статья|署名文章", re.I)),
    (
        "meeting",
        re.compile(
            r"\bmeeting\b|\bmeets\b|\bmet with\b|\btalks\b|\bsession\b|\bsummit\b|\bconversation\b|"
            r"встреча|совещани|заседани|переговоры|беседа|会见|会谈|会晤",
            re.I,
        ),
    ),
]


def classify_kind(
    title: str | None,
    *,
    kind_hint: str | None = None,
    publisher: str | None = None,
    labelled_turns: int = 0,
    question_turns: int = 0,
) -> str:
    """One of ``model.KINDS``.

    ``kind_hint`` is the publisher's own category (fmprc's section, a table column) and is tried
    first; then the title. A page with none of these words is ``news`` when it is a publisher's
    news item without speaker labels, a ``press_conference`` when it has questions, else ``other``.
    """
    for text in (kind_hint, title):
        if not text:
            continue
        for kind, pattern in _RULES:
            if pattern.search(text):
                return kind
    if question_turns:
        return "press_conference"
    if publisher == "kremlin.ru" and labelled_turns == 0:
        return "news"
    if labelled_turns:
        return "meeting"
    return "news" if publisher else "other"
