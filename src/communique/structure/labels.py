"""Speaker labels recognised by their shape, never by a list of people.

A label is the short text before a colon that opens a paragraph (``Sergey Lavrov:``,
``С.В.Лавров:``, ``MR. CARNEY:``, ``问：``, ``Reuters:``), or ``Q`` and spaces (White House).
:func:`split_label` finds one at the start of a paragraph; :func:`classify_label` says what it
is: a generic role word, an outlet, or a person with an optional office title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from communique.structure.name_words import places, plain_word

# Generic role words, compared case-folded without punctuation.
QUESTION_WORDS = {
    "question", "q", "questions", "follow-up", "follow up", "followup", "interviewer",
    "journalist", "reporter", "correspondent", "audience", "вопрос", "вопросы", "корреспондент",
    "журналист", "ведущий вопрос", "问", "追问", "记者", "提问",
}  # fmt: skip
ANSWER_WORDS = {"a", "answer", "reply", "response", "ответ", "答"}
REMARK_WORDS = {
    "remark", "remarks from the audience", "voice", "response from the hall", "from the audience",
    "реплика", "реплики", "comment",
}  # fmt: skip
MODERATOR_WORDS = {
    "moderator", "host", "chair", "chairman", "operator", "the operator", "ведущий", "модератор",
    "主持人",
}  # fmt: skip
# Words of headings inside transcripts ("Amendment to the Gaggle:", "Meeting Points:"): never
# part of a speaker's label.
HEADING_WORDS = {
    "amendment", "gaggle", "points", "addendum", "correction", "corrections", "readout",
    "transcript", "schedule", "week", "update", "updates", "clarification", "erratum", "agenda",
    "announcement", "announcements", "excerpts", "highlights",
}  # fmt: skip
# Last words of labels that say what kind of speaker talks, never who ("SENIOR ADMINISTRATION
# OFFICIAL", "PARTICIPANT", "AUDIENCE MEMBER"): such a label names nobody.
ANONYMOUS_HEADS = {
    "official", "officials", "participant", "participants", "member", "members", "reporter",
    "reporters", "moderator", "questioner", "unidentified", "panelist", "panellist", "journalist",
    "journalists", "correspondent",
}  # fmt: skip

# Words that make up office titles (the part of a label before the person's name).
OFFICE_WORDS = {
    "president", "vice", "prime", "minister", "foreign", "secretary", "spokesperson",
    "spokesman", "spokeswoman", "press", "deputy", "ambassador", "chairman", "chairwoman",
    "director", "general", "head", "governor", "mayor", "chancellor", "federal", "king", "queen",
    "emir", "crown", "prince", "premier", "official", "representative", "special", "envoy",
    "adviser", "advisor", "assistant", "senior", "administration", "commissioner", "high",
    "state", "national", "security", "council", "affairs", "defence", "defense", "chief", "staff",
    "acting", "first", "executive", "united", "states", "kingdom", "republic", "federation",
    "emirates", "the", "mr", "ms", "mrs", "dr", "sir", "madam", "secretary-general",
    "undersecretary", "under", "ministry", "spokesperson's", "adminstration",
    "президент", "министр", "председатель", "заместитель", "пресс-секретарь", "помощник",
    "официальный", "представитель", "генеральный", "секретарь", "посол", "глава", "премьер-министр",
    "вице-премьер", "губернатор", "директор", "мэр", "советник", "руководитель",
}  # fmt: skip
# Russian office words inflect ("Министра иностранных дел Российской Федерации"): match stems.
RU_OFFICE_STEMS = (
    "министр", "президент", "председател", "заместител", "пресс-секретар", "посл", "глав",
    "российск", "федерац", "росси", "республик", "иностранн", "официальн", "представител",
)  # fmt: skip


def is_office_word(word: str) -> bool:
    w = re.sub(r"(’s|'s)$", "", word.casefold()).strip(".,")
    return w in OFFICE_WORDS or w.startswith(RU_OFFICE_STEMS)


HONORIFICS = {"mr", "ms", "mrs", "dr", "sir", "madam", "г-н", "г-жа", "господин", "госпожа"}
PARTICLES = {
    "of", "the", "de", "da", "del", "della", "di", "von", "van", "der", "den", "al", "el", "bin",
    "ibn", "and", "for", "on", "to", "at", "in", "la", "le", "du", "des", "y", "и", "по", "в",
    "на", "при",
}  # fmt: skip
MEDIA_WORDS = {
    "news", "daily", "times", "tv", "television", "radio", "agency", "media", "press", "post",
    "journal", "network", "group", "broadcasting", "telegraph", "channel", "service", "herald",
    "tribune", "gazette", "review", "weekly", "magazine", "newspaper", "net", "online", "cctv",
    "xinhua", "reuters", "bloomberg", "afp", "ap", "tass", "ria", "interfax", "kyodo", "nhk",
    "cnn", "bbc", "phoenix", "dpa", "efe", "ansa", "yonhap", "sputnik", "itar-tass",
    "社", "台", "报", "网", "电视", "通讯社", "日报", "时报", "媒体", "新闻",
}  # fmt: skip
# Capitalised words that open ordinary sentences ending in a colon ("Firstly: ...").
DISCOURSE_WORDS = {
    "note", "firstly", "secondly", "thirdly", "first", "second", "third", "finally", "example",
    "however", "therefore", "subject", "topic", "re", "ps", "source", "photo", "video", "update",
    "warning", "attention", "summary", "background", "conclusion", "result", "results", "quote",
    "translation", "for example", "in other words", "in short", "that is", "otherwise", "so",
    "also", "moreover", "besides", "but", "and", "yes", "no", "well", "now", "then", "here",
    "today", "yesterday", "tomorrow", "again", "once again", "namely", "briefly", "lastly",
    "also read", "read more", "related", "advertisement",
    "deadline", "venue", "location", "time", "date", "address", "contact", "contacts", "phone",
    "tel", "fax", "email", "e-mail", "website", "agenda", "programme", "program",
    "и", "итак", "во-первых", "во-вторых", "в-третьих", "например", "однако", "цитата", "справка",
    "примечание", "то есть", "наконец", "впрочем", "кстати", "главное", "дата публикации",
    "ссылка на материал", "теги", "темы", "регионы", "лица", "источник",
}  # fmt: skip
INTERPRETED = re.compile(
    r"translat|interpret|перевод|翻译|同传|^\(?\s*(?:in|speaks in|speaking in|speaking) "
    r"(?:english|french|german|spanish|russian|chinese|arabic|italian|japanese|korean|"
    r"portuguese|turkish|hebrew|persian|farsi|ukrainian|polish|hindi|[a-z]+ish)\s*\)?\.?$",
    re.I,
)

_LABEL_START = re.compile(
    r"^\**\s*(?P<pre>\((?:as translated|through (?:an )?interpreter|via interpreter)\)\s*)?"
    r"(?P<label>[^:：\n]{1,90}?)\s*(?P<paren>\([^()\n]{1,60}\))?\s*[:：]\s*(?P<body>.*)$",
    re.I | re.S,
)
_Q_SPACES = re.compile(
    r"^\**\s*(?P<label>Q)(?:\s*--\s*|\s+|\.\s*|\*\s*)(?=[^\s:：])(?P<body>.*)$", re.S
)
# "QCan you...", "QA German prosecutor...", "QI have a question...": "Q" glued to the question
_Q_GLUED = re.compile(r"^(?P<label>Q)(?=[A-Z][a-z’']|[AI]\s)(?P<body>.*)$", re.S)
_TOKEN_OK = re.compile(
    r"^(?:"
    r"[A-ZА-ЯЁ][\w’'\-]*\.?"  # Capitalised word, maybe abbreviated (Mr.)
    r"|(?:[A-ZА-ЯЁ]\.){1,3}\s?[A-ZА-ЯЁ][\w’'\-]*"  # initials glued: С.В.Лавров, S.Lavrov
    r"|[A-ZА-ЯЁ][A-ZА-ЯЁ\-’'.&]*"  # ALL CAPS
    r"|\w+-[A-ZА-ЯЁ][\w\-]*"  # al-Assad
    r")$"
)
# A sentence that names its topic before a colon, inside a turn: never a speaker
_TOPIC_OPENER = re.compile(
    r"^(?:as (?:for|to|regards)|with regard to|regarding|concerning|turning to|speaking of|"
    r"что касается|по поводу|относительно)\b"
)
_CJK_LABEL = re.compile(r"^[\u3400-\u9fff·（）()A-Za-z]{1,12}$")
_CJK_VERBS = re.compile(
    r"(表示|指出|说|称|强调|认为|如下|是|为|有|道|问道|回答|介绍|宣布|透露|提到)$"
)
_BAD_CHARS = re.compile(r"[?!;,\"«»“”„<>\[\]{}=+*#@%$/\\|~^]|\d")


@dataclass(frozen=True)
class LabelInfo:
    """What a label says about its speaker."""

    label: str  # verbatim, without colon and without the interpreter note
    category: str  # question | answer | remark | moderator | outlet | person
    name: str | None = None  # the person's name within the label, cleaned
    office: str | None = None  # office title within the label ("Foreign Minister")
    interpreted: bool = False
    strong: bool = True  # False for single bare words that need support from other labels
    honorific: bool = False  # "MR. CARNEY", "Ms. Psaki"


@dataclass(frozen=True)
class Split:
    label: str
    body: str
    interpreted: bool
    glued: bool = False  # "QCan you...": a label only when the document has others


def _fold(s: str) -> str:
    return re.sub(r"[\s.\-]+", " ", s.casefold()).strip(" .")


def split_label(text: str) -> Split | None:
    """The label opening ``text`` and the text after it, if the paragraph opens with one."""
    m = _Q_SPACES.match(text)
    if m and not text.startswith(("Q&A", "Q & A")):
        return Split("Q", m.group("body").strip(), False)
    m = _Q_GLUED.match(text)
    if m:
        return Split("Q", m.group("body").strip(), False, glued=True)
    m = _LABEL_START.match(text)
    if not m:
        return None
    label = m.group("label").strip()
    paren = m.group("paren") or ""
    interpreted = bool(m.group("pre")) or bool(INTERPRETED.search(paren))
    if paren and not interpreted:
        return None  # "(something):" in prose is not a label unless it is an interpreter note
    return Split(label, m.group("body").strip(), interpreted)


_NARRATIVE_QUESTION = re.compile(
    r"question|asked|journalist|reporter|correspondent|вопрос|журналист|корреспондент|"
    r"记者|问及|提问|追问",
    re.I,
)


# a whole name, then a comma and what the speaker is: a person however the rest reads
_NAME_WORD = r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
_NAME_FIRST = re.compile(rf"^{_NAME_WORD} {_NAME_WORD}, ")


def classify_label(
    label: str, *, interpreted: bool = False, from_markup: bool = False
) -> LabelInfo | None:
    """Say what a label is, or None when the text is not a label (prose before a colon).

    ``from_markup`` is set for labels the page's markup marks (a bold run ending in a colon);
    those may also be narrative ("The following question was raised after the press
    conference", "会后有记者问及"), which plain text never is.
    """
    raw = label.strip().strip("\u3000 ")
    if not raw or len(raw) > (200 if from_markup else 90):
        return None
    folded = re.sub(r"^(?:the|a|an) (?=\w)", "", _fold(raw))  # "THE MODERATOR", "A REPORTER"
    if from_markup and re.search(r"[\u3400-\u9fff]", raw) and raw.endswith(("表示", "说")):
        return LabelInfo(raw, "answer", interpreted=interpreted)
    if re.search(r"[\u3400-\u9fff]", raw) and "记者" in raw and len(raw) <= 24:
        outlet = raw.split("记者")[0].strip("《》“”，, ") or None
        if outlet and outlet.startswith("会后"):  # "会后，有记者问及": after the conference
            outlet = None
        return LabelInfo(raw, "question", name=None, office=outlet, interpreted=interpreted)
    for words, category in (
        (QUESTION_WORDS, "question"),
        (ANSWER_WORDS, "answer"),
        (REMARK_WORDS, "remark"),
        (MODERATOR_WORDS, "moderator"),
    ):
        if folded in words:
            return LabelInfo(raw, category, interpreted=interpreted)
    if (
        from_markup
        and _NARRATIVE_QUESTION.search(raw)
        and not any(w in OFFICE_WORDS - {"the"} for w in folded.split())
        and not _ends_in_name(raw)
        and not _NAME_FIRST.match(raw)  # "Valeriya Korableva, reporter at Channel One"
    ):
        return LabelInfo(raw, "question", interpreted=interpreted)
    if _CJK_LABEL.match(raw) and re.search(r"[\u3400-\u9fff]", raw):
        return _classify_cjk(raw, interpreted)
    if folded in DISCOURSE_WORDS or any(w in HEADING_WORDS for w in folded.split()):
        return None
    if _TOPIC_OPENER.match(folded):
        return None  # "As for Buryatia and Trans-Baikal: priority development areas ..."
    tokens = raw.replace("\u00a0", " ").split()
    if _plain_label(raw, tokens):
        if _is_outlet(tokens):
            return LabelInfo(raw, "outlet", interpreted=interpreted, strong=len(tokens) > 1)
        office, name = split_office(tokens)
    elif from_markup and _marked_label(raw, tokens):
        office, name = _office_and_name_with_commas(raw)
    else:
        return None
    if not name and not office:
        return None
    if anonymous(raw):
        if folded.split()[-1] in QUESTION_WORDS:
            return LabelInfo(raw, "question", interpreted=interpreted)  # "Foreign Journalist"
        name, office = None, raw  # "SENIOR ADMINISTRATION OFFICIAL", "PARTICIPANT": nobody
    strong = len(tokens) > 1 or bool(office) or _has_initials(raw) or raw.isupper()
    honorific = tokens[0].casefold().strip(".") in HONORIFICS
    return LabelInfo(
        raw, "person", name=name, office=office, interpreted=interpreted, strong=strong,
        honorific=honorific,
    )  # fmt: skip


def anonymous(label: str | None) -> bool:
    """A label that says what kind of speaker talks, never who: its last word is a kind of
    speaker ("SENIOR ADMINISTRATION OFFICIAL", also misspelt "ADMINSTRATION"; "PARTICIPANT";
    "AUDIENCE MEMBER") and no word before it is a name (office words, articles, "White House")."""
    words = [w.strip(".,") for w in (label or "").replace("\u00a0", " ").casefold().split()]
    if not words or words[-1] not in ANONYMOUS_HEADS:
        return False
    return all(
        is_office_word(w) or w in PARTICLES or w in MEDIA_WORDS or w in _KIND_WORDS
        for w in words[:-1]
    )


# Words that qualify a kind of speaker without naming anyone ("AUDIENCE MEMBER", "SENIOR
# WHITE HOUSE OFFICIAL", "FEMALE PARTICIPANT")
_KIND_WORDS = {
    "audience", "white", "house", "department", "female", "male", "another", "unidentified",
    "u.s.", "us", "american", "russian", "chinese", "military", "defense", "pentagon", "treasury",
    "government", "administration", "adminstration", "panel", "press",
}  # fmt: skip


def _ends_in_name(raw: str) -> bool:
    """A label that names someone after his job ("Plenary session moderator, TV journalist
    Sergei Brilyov"): two capitalised words, neither an office nor a media word, after a
    lowercase job noun. A narration ("The following question was raised after the press
    conference") ends in lowercase words."""
    tokens = raw.replace("\u00a0", " ").split()
    if len(tokens) < 3 or not tokens[-3][:1].islower():
        return False
    return all(
        _CAPITALISED.match(t) and not is_office_word(t) and t.casefold() not in MEDIA_WORDS
        for t in tokens[-2:]
    )


def _plain_label(raw: str, tokens: list[str]) -> bool:
    """The strict shape a label has in plain text: capitalised words, particles, initials."""
    if _BAD_CHARS.search(raw) or not tokens or len(tokens) > 12:
        return False
    if not _TOKEN_OK.match(tokens[0]):
        return False
    return all(tok.casefold() in PARTICLES or _TOKEN_OK.match(tok) for tok in tokens)


_MARKED_BAD = re.compile(r"[?!;«»“”\"<>=+*#@%$/\\|~^]")
_CAPITALISED = re.compile(r"^(?:[A-ZА-ЯЁ]|(?:[A-ZА-ЯЁ]\.)+|[IVX]+$)")


def _marked_label(raw: str, tokens: list[str]) -> bool:
    """Looser shape for labels the markup marks: long office titles with commas, digits and
    lowercase words ("Commander of the 58th Army ... Andrey Gurulyov"), as long as the label ends
    in a capitalised name; headings ending in a colon ("The message reads") do not.
    """
    if _MARKED_BAD.search(raw) or len(tokens) > 40:
        return False
    head = raw.split(",")[0].split()
    candidates = [tokens]
    if "," in raw and 2 <= len(head) <= 6:
        candidates.append(head)  # "Vladimir Fortov, Secretary of the Department of ..."
    return any(
        all(t and _CAPITALISED.match(t) for t in (w.strip(",.()") for w in words[-2:]))
        for words in candidates
    )


def _office_and_name_with_commas(raw: str) -> tuple[str | None, str | None]:
    """Name and office from 'Natalya Yuryeva, Channel One Russia' or 'Minister ..., X Y'."""
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    first = parts[0].split()
    if (
        len(parts) > 1
        and len(first) <= 3
        and not any(is_office_word(t) for t in first)
        and all(_CAPITALISED.match(t) for t in first)  # not "Plenary session moderator"
    ):
        return ", ".join(parts[1:]), " ".join(first)
    for i, part in enumerate(parts):
        office, name = split_office(part.split())
        if name and len(name.split()) >= 2:
            rest = [*parts[:i], *([office] if office else []), *parts[i + 1 :]]
            return ", ".join(rest) or None, name
    office, name = split_office(parts[-1].split())
    return ", ".join([*parts[:-1], *([office] if office else [])]) or None, name


def _classify_cjk(raw: str, interpreted: bool) -> LabelInfo | None:
    if _CJK_VERBS.search(raw):
        return None
    if any(raw.endswith(w) for w in MEDIA_WORDS if re.match(r"[\u3400-\u9fff]", w)):
        return LabelInfo(raw, "outlet", interpreted=interpreted)
    # A short run of Chinese characters: a name (发言人 labels such as 赵立坚) — weak on its own.
    if len(raw) <= 4:
        return LabelInfo(raw, "person", name=raw, interpreted=interpreted, strong=False)
    return None


def _has_initials(raw: str) -> bool:
    return bool(re.search(r"(?:^|\s)(?:[A-ZА-ЯЁ]\.){1,3}\s?[A-ZА-ЯЁ]", raw))


def _is_outlet(tokens: list[str]) -> bool:
    folded = [t.casefold().strip(".") for t in tokens]
    if any(t in MEDIA_WORDS for t in folded):
        # "Press Secretary Josh Earnest" has "press" but is an office: offices win
        return not any(t in OFFICE_WORDS - {"press", "the"} for t in folded)
    if len(tokens) == 1:
        tok = tokens[0]
        # an acronym such as CCTV, AFP, NHK (not Q/A, caught earlier)
        return tok.isupper() and 2 <= len(tok) <= 6 and tok.isalpha()
    return False


_NAME_PARTICLES = {"al", "bin", "ibn", "von", "van", "de", "da", "der", "del", "di", "el", "la"}
_OBJECT_PARTICLES = PARTICLES - _NAME_PARTICLES
# a surname glued to its particle: "al-Assad", "el-Sisi", "bin-Zayed"
_PARTICLE_NAME = re.compile(r"^(?:al|el|ad|ar|as|ash|at|az|bin|ibn|abu|ul)-[A-Z]")
# countries that are also given names ("Chad Wolf", "Georgia", "Jordan", "India", "Israel")
_GIVEN_NAME_PLACES = {"chad", "georgia", "jordan", "india", "israel", "kenya", "america"}


def split_office(tokens: list[str]) -> tuple[str | None, str | None]:
    """('President of Russia', 'Vladimir Putin') from the label's words.

    The name is the trailing run of capitalised words (at most three) that are not office words
    and not the object of a particle ("of Russia" belongs to the office).
    """
    name_tokens: list[str] = []
    words = 0  # name words, particles inside a name ("bin", "Al") not counted
    i = len(tokens) - 1
    while i >= 0 and words < 3:
        tok = tokens[i]
        low = tok.casefold().strip(".,")
        inner = low in _NAME_PARTICLES and name_tokens and i > 0
        if not inner and (is_office_word(tok) or low in PARTICLES or low in HONORIFICS):
            break
        if (
            not inner
            and not _CAPITALISED.match(tok)
            and not _PARTICLE_NAME.match(tok)
            and not re.match(r"^[\u3400-\u9fff]", tok)
        ):
            break  # "anchor" in "CNBC TV anchor Geoff Cutmore"
        if name_tokens and low in places() and low not in _GIVEN_NAME_PLACES:
            break  # "Russia" in "Patriarch of Moscow and All Russia Kirill" ends the office
        # "of Russia": the office's object, unless this is the name's only word so far
        if name_tokens and i > 0 and tokens[i - 1].casefold() in _OBJECT_PARTICLES:
            break
        name_tokens.insert(0, tok)
        words += 0 if inner else 1
        i -= 1
    while name_tokens and name_tokens[0].casefold() in _NAME_PARTICLES:
        name_tokens.pop(0)
        i += 1
    if words == 3 and i >= 0:
        i = _trim_long_name(tokens, name_tokens, i)
    office_tokens = tokens[: i + 1]
    # "of Russia" alone consumed as the name: give it back to the office
    if office_tokens and office_tokens[-1].casefold() in PARTICLES and name_tokens:
        office_tokens = office_tokens + name_tokens
        name_tokens = []
    office = " ".join(t for t in office_tokens if t.casefold().strip(".") not in HONORIFICS)
    name = " ".join(name_tokens)
    return (office or None), (_tidy_name(name) or None)


def _not_name(token: str) -> bool:
    return plain_word(token) or is_office_word(token)


def _trim_long_name(tokens: list[str], name_tokens: list[str], i: int) -> int:
    """A three-word name after an office may hold the end of the body's name
    ("Governor of Moscow Region Andrei Vorobyov", "Rosatom CEO Alexei Likhachev", "General
    Director of Aeroflot – Russian Airlines Vitaly Savelyev"). Cut ``name_tokens`` in place and
    return the new index of the office's last token.

    Leading words that no name has (job nouns, words of bodies and places) go to the office.
    When the capitalised run goes on before the three words ("Norilsk Nickel Vladimir Potanin")
    and what precedes them is neither a country ("of Turkey Recep Tayyip Erdogan") nor the end
    of a body's name ("Reconciliation", an acronym), the name is its last two words.
    """
    while len(name_tokens) > 2 and (
        _not_name(name_tokens[0]) or name_tokens[0].casefold() in places()
    ):
        name_tokens.pop(0)
        i += 1
    if len(name_tokens) < 3:
        return i
    before = tokens[i]
    low = before.casefold().strip(".,")
    goes_on = (
        any(is_office_word(t) or t.casefold() in PARTICLES for t in tokens[:i])
        and bool(_CAPITALISED.match(before))
        and not is_office_word(before)
        and low not in PARTICLES
        and not (before.isupper() and len(before) > 1)
        and not _not_name(before)
        and not any(
            " ".join(t.casefold().strip(".,") for t in tokens[j : i + 1]) in places()
            for j in range(max(0, i - 5), i + 1)
        )
    )
    if goes_on:
        name_tokens.pop(0)
        i += 1
    return i


def _tidy_name(name: str) -> str:
    """ALL-CAPS names in title case ("CARNEY" -> "Carney"); others as written."""
    if name.isupper() and len(name) > 2:
        return " ".join(
            w.capitalize() if not re.match(r"^(?:\w\.)+$", w) else w for w in name.split()
        )
    return name
