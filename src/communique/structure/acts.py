"""What a turn's text does, read from its shape: asks, acknowledges, gives the floor, breaks off.

The turn maker (:mod:`communique.structure.turns`) combines these with the labels to give each
turn its role (the definitions are in ``docs/record.md``, section "Roles"). Nothing here knows a
publisher or a person: only sentence shapes in English, Russian and Chinese.
"""

from __future__ import annotations

import functools
import re

_INTERROGATIVE = re.compile(
    r"^(?:\W*(?:and|but|so|well),? )?(?:why|what|how|who|when|where|which|is|are|was|were|do|"
    r"does|did|can|could|will|would|should|have|has|isn't|aren't|don't|doesn't|didn't)\b",
    re.I,
)
# A Russian sentence opening with a plural imperative ("Заблокируйте ...", "Предложите ...",
# "Скажите ...") asks for an action or an answer.
_IMPERATIVE_RU = re.compile(r"^[А-ЯЁ][а-яё]+(?:йте|ите)\b")
LONG_WORDS = 300  # a turn this long asks only if it ends by asking
_SENTENCE = re.compile(r"[^.!?…。！？]+(?:[.!?…。！？]+[»”\"’')\]]*|$)")
_STAGE = re.compile(r"\s*[(\[][^()\[\]]{1,60}[)\]]\.?\s*$")  # "(Laughter.)" "[applause]"
_QUESTION_END = re.compile(r"[?？][»”\"’')\]]*$")
_THANKS = re.compile(
    r"^(?:(?:thank you|thanks|thank you very much|many thanks|спасибо|благодарю|谢谢)"
    r"(?:[ ,]+(?:very much|so much|sir|ma'am|madam|mr\.? \w+|ms\.? \w+|\w+))?[.!,]*\s*)+$",
    re.I,
)
_ACK_WORDS = (
    r"thank you(?: very much| so much)?|thanks|okay|ok|all right|alright|right|good|very good|"
    r"great|fine|excellent|wonderful|sure|of course|certainly|indeed|exactly|absolutely|yes|"
    r"(?:this|that|it)(?: is|'s|’s) (?:very |really )?(?:good|great|excellent|wonderful|fine)|"
    r"yeah|yep|no|i see|i understand|understood|got it|fair enough|agreed|good afternoon|"
    r"good morning|good evening|hello|hi|goodbye|bye|bye-bye|welcome|congratulations|"
    r"спасибо|большое спасибо|хорошо|ясно|понятно|конечно|да|нет|согласен|отлично|"
    r"добрый день|здравствуйте|谢谢|好|好的|是的|对"
)
_ACK = re.compile(
    rf"^(?:(?:{_ACK_WORDS})(?:[ ,]+(?:sir|ma'am|madam|mr\.? [\w-]+|ms\.? [\w-]+|mr president|"
    r"everybody|everyone|all|guys|folks|colleagues|friends|(?-i:[A-Z][a-z]+)))*[.!,…]*\s*)+$",
    re.I,
)
# "I would like to ask Viktor Linnik to share ...": a chair giving the floor, no request of
# the one addressed
_NOT_NAMED = r"(?! (?:(?:Mr|Ms|Mrs|Dr)\.? )?(?-i:[A-Z])[\w-]+(?: (?-i:[A-Z])[\w-]+)* to\b)"
_REQUEST = re.compile(
    r"\b(?:i(?:'d| would|’d)? (?:like|want|wish) to (?:ask|know|hear|understand|clarify|find out)"
    rf"{_NOT_NAMED}"
    r"|my (?:first |second |last |final |next )?question (?:is|concerns|relates|will be)"
    r"|i have (?:a|one|two|another|the following) (?:\w+ )?questions?"
    r"|(?:can|could|would|will) you (?:please |just |briefly |also )?(?:tell|comment|explain|say|"
    r"elaborate|describe|confirm|share|give|talk|speak|clarify|update|walk|address|respond)"
    r"|please (?:tell|comment|explain|confirm|elaborate|clarify|describe|share)"
    r"|tell (?:us|me) (?:more )?(?:about|what|how|why|whether|if)"
    r"|what do you (?:think|make|say)|i(?:'m| am)? wonder(?:ing)? (?:if|whether|what|how|why)"
    r"|(?:i|we)(?:'d|’d| would)? (?:like to |want to )?ask you to|i am asking you|i instruct"
    r"|please,? consider\b|(?:i|we) would be (?:very |most )?(?:interested in|grateful for|glad "
    r"to hear) your (?:opinion|views?|thoughts|comments?|support)"
    r"|let(?:’s|'s| us) (?:start|begin) with (?:the |a |an |your |our )?(?-i:[a-z])"
    r"|let(?:’s|'s| us) (?:talk|hear) about"
    r"|приказываю|поручаю|предложите|доложите|прошу (?:вас|доложить|подготовить)"
    r"|хотел(?:а|и)? бы (?:спросить|узнать|уточнить|попросить)|у меня (?:есть )?вопрос"
    r"|мой вопрос|вопрос (?:такой|следующий|касается)|скажите|расскажите|прокомментируйте|"
    r"поясните|как вы (?:считаете|оцениваете|думаете)|прошу вас|просим вас"
    r"|请问|能否|是否可以|请介绍|请谈谈)",
    re.I,
)
# Said anywhere in a turn, these make it a question or a request.
_ASKING = re.compile(
    r"\b(?:i have (?:a|an|one|two|another|the following) (?:\w+ )?(?:question|proposal|"
    r"suggestion|request)s?|my request is that|(?:here is|this is) (?:my|the) question|"
    r"my (?:first |second |last |final |next )?"
    r"question (?:is|concerns|relates|will be)|i(?:'d| would|’d)? like to ask"
    rf"{_NOT_NAMED}"
    r"|у меня (?:есть )?(?:вопрос|предложение|просьба)|вопрос (?:такой|следующий|касается))",
    re.I,
)
_FLOOR = re.compile(
    r"\b(?:give (?:the )?floor|gives? the floor|giving the floor|(?:the )?next question|"
    r"(?:first|next|last|final) question (?:comes|is|will come|goes)|question (?:comes|is) from|"
    r"your line is open|line is open|go ahead(?:,? please)?|let (?:us|’s|'s) (?:continue|move on|"
    r"go to|go on[.!]*$|turn|take|(?:begin|start)(?! with (?:the |a |an |your |our )?(?-i:[a-z]))|"
    r"have|"
    r"give|hear|see (?:if|whether|what)|"
    r"ask (?:if|whether|our)|listen)|(?:take|have) the floor|"
    r"^(?-i:(?:Mr|Ms|Mrs|Dr)\.? ?[A-Z][\w-]+),? (?:please|go ahead)|"
    r"pass (?:the|him|her) (?:the )?microphone|"
    r"microphone|(?:^|[,:]\s*)who (?:else )?(?:has|had|would like|wants|wanted)|"
    r"(?:do|does) (?:you|anyone|"
    r"anybody) have a question|ask your question|any (?:more |other |further )?"
    r"questions|take (?:a|one|your|some|a few|two|three) (?:\w+ )?questions?|(?:give you|take|"
    r"have) (?:a|one|the) (?:last|final) (?:one|question)|over to you|"
    r"i see (?:a|the|our) (?:[\w-]+ ){0,3}?(?:journalists?|colleagues?|hands?|representatives?|"
    r"reporters?|correspondents?|man|woman|lady|gentleman|girl|boy|posters?|signs?|placards?|"
    r"banners?|flags?|friends?|(?-i:[A-Z])[\w-]*)\b|"
    r"you have the floor|the floor is yours|(?:i would like to|let me) introduce|"
    r"this call is (?:embargoed|on background|off the "
    r"record)|(?:thanks|thank you),? (?:everyone|everybody|all),? for joining|(?:turn|open) it "
    r"(?:over|up) (?:to|for) (?:the |your )?questions|why don't we take (?:it|that|one|a question)|"
    r"time for (?:just )?(?:one|two|a couple|a few) more|"
    r"(?:like|want) to ask (?:(?:Mr|Ms|Mrs|Dr)\.? )?(?-i:[A-Z])[\w-]+(?: (?-i:[A-Z])[\w-]+)* to "
    r"(?:share|speak|say|tell|comment|present|take|give|add)|"
    r"(?:did|do) you have (?:a|another) (?:second|follow-up|third|last)(?: one| question)?|"
    r"^(?:(?:so|okay|ok|yes|yeah),? )?(?:do )?you (?:guys |all )?want to follow up\b|"
    r"^please,? (?-i:(?:Mr|Ms|Mrs|Dr)\.? ?[A-Z][\w-]+)[.!]?$|"
    r"^(?!(?:yes|no|ok|okay|sure|well|right|fine|good|thanks|all right)\b)"
    r"(?-i:(?:[A-Z][\w’'-]+ ){0,3}[A-Z][\w’'-]+),? (?:please(?: go ahead)?|go ahead)[.!]?$|"
    r"\byou(?:'re|’re| are) next\b|"
    r"\b(?:give|get) (?:you |us )?(?:a |the )?readout from (?-i:[A-Z])|"
    r"\blet me (?:go|turn) to (?-i:[A-Z])|\bi(?:'ll|’ll| will) go to (?-i:[A-Z])[\w-]*[.!]?$|"
    r"\blet you (?:do|take|ask|have) the (?:first|next) question\b|"
    r"\bgive (?:\w+ ){0,10}?(?:the |a )?(?:chance|opportunity) to (?:speak|ask|say)\b|"
    r"\b(?:i suggest|let) (?:that )?(?:you|him|her) speak\b(?! for (?:him|her|your)self)|"
    r"\bwould you like to say (?:something|a few words|a word)\b|"
    r"^(?:any )?more questions\?|\b(?:have|has) (?:a |any )?questions\?$|"
    r"^the (?:last|final) question(?: then| now)?[.!]?$|pass (?:the )?mike\b|"
    r"\blet (?:\w+ ){0,3}(?:colleagues|journalists|others|them) ask\b|"
    r"^the next (?:one|question) (?:will be|is) (?:for|from)\b|"
    r"(?:does|do) (?:anyone|anybody|any of you) (?:else )?(?:want|wish|have anything) to "
    r"(?:say|add|speak)\b|"
    r"(?:will|would|could|can) you take (?:one|another|a question|the next one) from\b|"
    r"ask only one question|one question each|please, your question|next caller|"
    r"what is your question|what(?:’s|'s) your question|your question,? please|"
    r"what is your (?:concern|problem|request|issue)\?|(?:can|could) you repeat your question|"
    r"(?:he|she|the president|vladimir putin) (?:is listening|can hear|sees) (?:to )?you|"
    r"(?:you can )?ask (?:him|her|the president|vladimir putin) (?:a|your) question|"
    r"(?:please )?tell (?:us |him )?(?:your|"
    r"her|his) (?:name|story)|(?:ask|address) (?:her|his|their|your) questions? directly|"
    r"(?:is|are) on the (?:line|air)\b(?! with)|you are on(?: the air)?(?=[.!,])|"
    r"let us (?:watch|listen to)\b|"
    r"(?:we are|we're|we’re) (?:calling|connecting (?:with|to))\b(?! on\b| for\b| upon\b)|"
    r"^(?:and )?here is (?-i:[A-Z])|(?:^|, )your turn\b(?! to)|"
    r"\bany(?:one|body) else (?:wishing|who wishes|who wants|wants?|would like) to "
    r"(?:speak|say|add|ask)\b|"
    r"(?:another|the next|one more) (?:video )?question from\b|"
    r"here is (?:another|a|the next) (?:[\w’'-]+ ){0,2}(?:video )?question\b|"
    r"(?:has|have) sent (?:us )?(?:a |his |her |their )?(?:video )?(?:question|message)|"
    r"we have (?:a )?(?:call|caller|question|video call|message) from|"
    r"(?:turn|hand) (?:it|this|things|the call) (?:back )?(?:over|off) to (?:my |our |the |a |one "
    r"more )?(?:first |next )?(?:colleagues?\b|senior\b|(?-i:[A-Z]))|"
    r"(?:move|go|get) (?:on )?to (?:your |the )?questions|^(?:any )?other questions|"
    r"^(?:anything|anyone|anybody|what) else\?|"
    r"(?:if you have|take|answer) (?:any )?(?:follow-up|additional|further|other|more) questions|"
    r"feel free to (?:e-?mail|contact|reach|call|follow up|direct)|"
    r"(?:send|get|e-?mail|circulate|put out|produce) (?:you |out |around )?(?:the |a )?transcript|"
    r"transcript (?:of this call )?(?:will|should) (?:be|come)|"
    r"would you like to (?:begin|start|kick (?:it|us|this) off)|"
    r"(?-i:[A-Z])[\w.-]+ (?:is|are) (?:here|with us)(?: today)? to (?:talk|brief|discuss|walk|give|"
    r"take|update|answer)\b|"
    r"(?:do )?you (?:guys |all )?want to (?:pick (?:it )?up|take (?:that|this|it)\b|add\b|start\b|"
    r"jump in|kick (?:it|us|this) off)|(?:could|can) you (?:please )?speak up|"
    r"(?:use|wait for|speak into) the mic\b|"
    r"(?:start|begin) (?:taking|with) (?:a couple of |a few |some |your )?questions|"
    r"(?:take|do|have time for) (?:just )?(?:one|two|a couple|a few)(?: of)? more\b|"
    r"wrap (?:it|this|things) up|fire away|"
    r"(?:any|some) closing (?:comments|remarks|words|thoughts)|"
    r"who(?:'s|’s| has) got (?:something|a question)|"
    r"(?:this|that) (?:is going to|will|has to|is) (?:have to )?be the (?:last|final) "
    r"(?:one|question)|"
    r"open (?:it|the call) up (?:to|for) (?:your |some )?questions|start the q&a|"
    r"ready to take (?:some |a few |your )?(?:of your )?questions|слово предоставляется|"
    r"предоставляю слово|передайте микрофон|ваш вопрос, пожалуйста|пожалуйста, ваш вопрос|"
    r"(?:^|[.!] |, )let(?: us|’s|'s) (?:continue|(?:get|go|come) back to (?:the |our )?"
    r"(?:calls?|call cent(?:re|er)|question processing cent(?:re|er)|studio|hall|audience)|"
    r"(?:have|take|hear) (?:another|the next|one more|some|a few|a quick round of) (?:quick )?"
    r"questions?|hear the question)|"
    r"^(?:and )?(?:now )?back to (?:the |our )?(?:calls?|call cent(?:re|er)|studio|phone lines?|"
    r"messages|video calls?)\b|^(?:a|one more) word (?:from|to) (?-i:[A-Z])|"
    r"следующий вопрос|продолжим|请提问|下一个问题)",
    re.I,
)
_BARE_CALL = re.compile(
    r"^(?:(?:yes|yeah|okay|ok|sure|please|all right|go ahead|thank you|thanks)[,.!]?\s*)*"
    r"(?:(?:the |our )?[A-ZА-ЯЁ][\w’'.\-]*(?:\s+[A-ZА-ЯЁ0-9][\w’'.\-]*){0,3}[,.!]?\s*)?"
    r"(?:(?:go ahead|please|sir|ma'am|in the back|in the front|right here|behind you|you)[,.!]?"
    r"\s*)*$"
    r"|^(?i:(?:yes,? )?(?:i am|i'm|i’m) listening)[.!]?$"
)
_PROCEDURAL = re.compile(
    r"^(?:(?:i'm|i am|i’m) sorry,? |excuse me,? |pardon me,? )?(?:[\w.]+(?: [\w.]+)?, )?"
    r"(?:(?:and |but |just |sorry,? )*(?:can|could|may|might) i "
    r"(?:just |quickly |briefly )?"
    r"(?:make (?:my|a|one|this) point|finish(?: my (?:question|thought|point))?|"
    r"say (?:something|a few words|one thing)|continue|go on|"
    r"follow(?: ?-?up| on that)?|ask (?:(?:you )?(?:a|one|another|two) )?(?:more |quick |"
    r"follow-up |last |related |small )?(?:question|thing)s?|"
    r"ask (?:you )?(?:an?|one|another) (?:[\w-]+ ){1,2}?question\??$|"
    r"have (?:a|one) (?:more|follow-up)|"
    r"jump in|interrupt|add something|get one more in|"
    r"change(?: (?:the )?(?:subject|topics?|gears))?\b|switch (?:topics|subjects|gears)|"
    r"stay (?:with|on) (?:this|that|the)? ?[\w ]{0,20}(?:subject|topic|affairs|issue|theme)s?\b)"
    r"|(?:if i may|with your permission|if you (?:will )?(?:allow|permit) me)\b"
    r"|(?:one|a) (?:more|quick|last) (?:question|follow-up|thing)|follow-up|a follow-up"
    r"|there(?:'s|’s| is) a follow-up|(?:can|could|may) i ask (?:you )?(?:on|about) [^?]{1,30}\?$"
    r"|(?:is there )?(?:time|room) for (?:just )?(?:one|a|another) more"
    r"|(?:i think )?(?:we|i) (?:lost|can't hear|cannot hear) you|can you hear (?:me|us)"
    r"|are you (?:still )?there|shall we (?:start|begin|get started|go on|continue)"
    r"|(?:can|could|may) (?:we|i) (?:have|take) (?:a|our) (?:group )?(?:photo|picture|photograph))"
    r"[^.?!]{0,30}[?.!]*$",
    re.I,
)
_CUT_END = re.compile(r"(?:--|—|–|…|\.\.\.)\s*[»”\"’)]?\s*$|[\w,]$")
_CUT_START = re.compile(r"^\s*(?:--|—|–|…|\.\.\.)")
_NOTICE = re.compile(
    r"(?:will (?:not|no longer) (?:hold|have|be holding)[^.]{0,60}(?:press conference|briefing)"
    r"|(?:press conference|briefing)s? will (?:resume|be resumed|not be held|be suspended)"
    r"|(?:holiday|festival|new year|golden week)[^.]{0,80}(?:press conference|briefing)"
    r"|(?:press conference|briefing)[^.]{0,80}(?:holiday|festival)"
    r"|will (?:invite|host|hold)[^.]{0,160}(?:press conference|briefing|news conference)"
    r"|休会|暂停举行|恢复举行|例行记者会将)",
    re.I,
)
_INTERPRETER_NOTE = re.compile(
    r"(?:^|(?<=[.?!:]\s)|(?<=\n))\s*[(\[](?:as interpreted|as translated|"
    r"through (?:an )?interpreters?|via (?:an )?"
    r"interpreter|interpreted|translated|in [A-Z][a-z]+(?: and [A-Z][a-z]+)?|speaks? in \w+|"
    r"speaking in \w+|через переводчика|перевод[^)\]]*|на [а-я]+ языке|同传|翻译)[^)\]]{0,30}"
    r"[)\]]\.?",
    re.I,
)


_ABBREVIATION = re.compile(
    r"\b(Mr|Ms|Mrs|Dr|St|Gen|Sen|Rep|Gov|Prof|Jr|Sr|Adm|Amb|Lt|Col|Sgt|vs|[A-Z])\.(?=\s|,)"
)


def sentences(text: str) -> list[str]:
    """The text's sentences, stage notes and empty pieces left out ("Mr." ends none)."""
    return list(_sentences(text))


@functools.lru_cache(maxsize=2048)
def _sentences(text: str) -> tuple[str, ...]:
    """``sentences``, remembered: the turn maker asks about the same turn's text many times."""
    out = []
    plain = _ABBREVIATION.sub(r"\1", text).replace("’", "'")  # "don’t" reads as "don't"
    for par in plain.split("\n"):
        for m in _SENTENCE.finditer(par):
            s = m.group(0).strip()
            if s and not _STAGE.fullmatch(s) and re.search(r"\w", s):
                out.append(s)
    return tuple(out)


def words(text: str) -> int:
    """Words, or for Chinese half the characters."""
    if re.search(r"[\u3400-\u9fff]", text):
        return len(text) // 2
    return len(re.findall(r"\w+", text))


def _without_closing_thanks(sents: list[str]) -> list[str]:
    while len(sents) > 1 and (_THANKS.match(sents[-1]) or _ACK.match(sents[-1])):
        sents = sents[:-1]
    return sents


@functools.lru_cache(maxsize=2048)
def asks(text: str) -> bool:
    """The turn mainly asks: its last sentence is a question (closing thanks aside), a question
    ends one of its last two sentences, or it carries a request for information, an opinion or
    an action ("I have the following question", "I would like to ask you to")."""
    sents = _without_closing_thanks(sentences(text))
    if not sents:
        return False
    if _QUESTION_END.search(sents[-1]):
        return True
    if _INTERROGATIVE.match(sents[-1]) and broken_off(sents[-1]):
        return True  # "Why is it —"
    if len(sents) > 1 and _QUESTION_END.search(sents[-2]):
        if words(sents[-1]) <= 12:
            return True
        if (
            words(text) <= ASK_WITH_CONTEXT_WORDS
            and words(sents[-1]) <= 30
            and _INTERROGATIVE.match(sents[-2])
            and re.search(r"\byou\b", sents[-1], re.I)
        ):
            return True  # "How is your engineering segment developing? I know that you take ..."
    if words(text) <= 15 and _CLARIFIES.match(sents[0]) and broken_off(text):
        return True  # "In other words, your products on the domestic market…"
    if words(text) > LONG_WORDS:
        return False  # a long speech with a request inside is a statement
    return any(_ASKING.search(s) or _IMPERATIVE_RU.match(s) for s in sents) or any(
        _REQUEST.search(s) for s in sents[-3:]
    )


_CLARIFIES = re.compile(r"^(?:in other words|you mean|that is to say|that is|i\.e\.),", re.I)


def opens_asking(text: str) -> bool:
    """The first sentence is a question of its own ("Is the President leaning one way or another
    on airstrikes?", "中国对金正恩的健康状况有何看法？"), not a fragment that asks for
    confirmation ("Meetings, briefings to the President?") or a reply ("Moody's Investor
    Services.")."""
    sents = sentences(text)
    if not sents or not _QUESTION_END.search(sents[0]):
        return False
    # Chinese questions have no opening word to tell them by: any asks
    return bool(_INTERROGATIVE.match(sents[0]) or re.search(r"[\u3400-\u9fff]", sents[0]))


def asks_only_for_floor(text: str) -> bool:
    """The turn's questions only hand the floor over ("But why don't I turn it over to
    Christine?", "Do you want to pick up from there?"): a briefer asks nothing of substance."""
    questions = [s for s in sentences(text) if _QUESTION_END.search(s)]
    return bool(questions) and all(floor_sentence(s) for s in questions)


def has_question_mark(text: str) -> bool:
    return any(_QUESTION_END.search(s) for s in sentences(text))


_SIGN_OFF = re.compile(
    r"^(?:[\w.]+(?: [\w.]+)?, )?(?:(?:thank you|thanks|many thanks)\b[^?]{0,100}"
    r"|(?:with that,? |and )?(?:we|i) (?:want to |would like to |also )?thank\b[^?]{0,250}"
    r"|(?:we|i) (?:really |very much |do )?appreciate (?:it|this|that|your time|you)[^?]{0,40}"
    r"|(?:i'?m |i am )?sorry(?: about that)?|excuse me|pardon(?: me)?)[.!]*$",
    re.I,
)
_YES_NO = re.compile(r"\b(?:yes|no|yeah|yep|nope|not|never|да|нет|是|不)\b", re.I)


def acknowledges(text: str) -> bool:
    """Only thanks, greetings, agreement or sign-off ("Thank you.", "Yes, sir.", "Very good.",
    "Mr. Secretary, thanks for your time this morning.")."""
    sents = sentences(text)
    return bool(sents) and all(
        _ACK.match(s) or _THANKS.match(s) or (_SIGN_OFF.match(s) and words(s) <= 40) for s in sents
    )


_SESSION_THANKS = re.compile(
    r"^(?:\W*(?:all right|okay|ok|well|great|so|and)[,.!]?\s+)*(?:thanks?|thank you|many thanks)\b"
    r"(?=[^?]*\b(?:every(?:one|body)|all|guys|folks|for (?:joining|your time|their time|"
    r"taking|spending|participating|getting on|being (?:on|with|here)|sitting|hopping|"
    r"dialing|doing th)))",
    re.I,
)


def signs_off_session(text: str) -> bool:
    """The turn opens (after "Okay."/"Great.") by thanking everyone for their time, not for a
    question ("Thanks, everyone, for joining.", "Well, thank you all for spending so much time
    with us today.")."""
    for s in sentences(text):
        if _SESSION_THANKS.match(s):
            return words(s) <= 40 and not re.search(r"\bquestions?\b", s, re.I)
        if not (_ACK.match(s) or _THANKS.match(s)):
            return False
    return False


_GREETING = re.compile(
    r"^(?:good[ -](?:morning|afternoon|evening)|hello|hi)\b[^.!?]{0,40}[.!]?$", re.I
)
# "I am very glad to see you and talk to you.", "I would like to wish you good health."
_PLEASANTRY = re.compile(
    r"^(?:(?:i am|i'm|i’m|we are|we're|we’re) (?:very |so |really |most )?(?:glad|pleased|happy|"
    r"delighted) to (?:see|meet|hear|talk|speak|be|welcome)|i (?:would like to |want to )?wish "
    r"you)\b[^?]{0,120}$",
    re.I,
)


def opens_for_briefers(text: str) -> bool:
    """An opening that introduces the briefers and hands over to them, asking nothing of
    substance ("Secretary Duncan is here to talk to you a little bit about the announcement
    ...", "I'll turn it over to Ben with that.", "Administration official number one, would you
    like to begin?"), however long the introductions."""
    return gives_floor(text, max_rest=CALL_TURN_WORDS)


_SELF_INTRODUCED = re.compile(
    r"\b(?:my name is|i am from|i'm from|i’m from|i represent|i work (?:for|at)|i am with)\b", re.I
)


def introduces_self(text: str, name: str | None) -> bool:
    """The turn only greets, thanks and says who speaks ("Good afternoon, Artyom Artemenko,
    Crimea 24 television network.", "My name is Yelena Glushakova, and I am from RIA
    Novosti."): no question yet."""
    sents = sentences(text)
    surname = name.split()[-1] if name and name.strip() else ""

    def says_who(s: str) -> bool:
        named = len(surname) > 2 and re.search(rf"\b{re.escape(surname)}\b", s)
        return words(s) <= 20 and bool(named or _SELF_INTRODUCED.search(s))

    return (
        bool(sents)
        and any(says_who(s) for s in sents)
        and all(
            says_who(s) or _GREETING.match(s) or _THANKS.match(s) or _PLEASANTRY.match(s)
            for s in sents
        )
    )


def greets_only(text: str) -> bool:
    """Only a greeting ("Good afternoon.", "Hello, Mr Morozov.", "Hello. How are you doing?"),
    or pleasantries with thanks ("Thank you. I am very glad to see you and talk to you.")."""
    sents = sentences(text)
    greets = [
        bool(_GREETING.match(s) or _HOW_ARE_YOU.match(s) or _PLEASANTRY.match(s)) for s in sents
    ]
    return any(greets) and all(g or _THANKS.match(s) for g, s in zip(greets, sents, strict=True))


_HOW_ARE_YOU = re.compile(
    r"^how are (?:you|things)(?: (?:all|doing|faring|getting on|keeping))?(?: (?:here|there|"
    r"today))?(?: (?:at|in) (?:the |this |your )?[\w -]{1,20})?\??$"
    r"|^(?:(?:very |quite |pretty )?(?:well|fine|good)|not bad|great),? (?:thank you|thanks)\b"
    r"[^?]{0,40}$",  # "Very well, thank you."
    re.I,
)
_REPEAT = re.compile(
    r"^(?:huh|what|pardon(?: me)?|sorry|i'm sorry|excuse me|say (?:that )?again|come again|"
    r"an? what|the what|what was that|"
    r"(?:could|can) you repeat (?:that|the question))\??$",
    re.I,
)


def asks_to_repeat(text: str) -> bool:
    """The turn only asks to hear the question again ("Huh?", "Sorry?", "Say again?"): the
    question repeated answers it."""
    return bool(_REPEAT.match(text.strip().replace("’", "'")))


def opens_anew(text: str) -> bool:
    """The turn opens with a greeting or thanks of its own ("Well, good afternoon, ladies and
    gentlemen.", "Thank you very much."): a new start, not an answer going on."""
    sents = sentences(text)
    if not sents:
        return False
    first = re.sub(r"^(?:well|so|and|okay|ok)[,.!]?\s+", "", sents[0], flags=re.I)
    first = re.sub(r",? ladies and gentlemen", "", first, flags=re.I)
    return bool(_GREETING.match(first) or _THANKS.match(first))


def manages(text: str) -> bool:
    """Besides thanks, the turn manages the session ("If you have any follow-up questions, feel
    free to email us.", "We'll send you the transcript")."""
    return any(
        floor_sentence(s) and not (_ACK.match(s) or _THANKS.match(s) or _SIGN_OFF.match(s))
        for s in sentences(text)
    )


def only_thanks(text: str) -> bool:
    """Every sentence thanks ("First, I would like to thank you for finding time in your busy
    schedule ...", "Thank you, Mr President."): a reply that answers nothing."""
    sents = sentences(text)
    return bool(sents) and all(
        _THANKS.match(s) or (_THANKING.match(s) and not re.search(r"\bbut\b", s, re.I))
        for s in sents
    )


_THANKING = re.compile(
    r"^(?:\w+, )?(?:(?:we|i) (?:\w+ )?(?:(?:want|would like|wish) to )?thank|"
    r"(?:we are|i am) (?:very |most |deeply )?grateful)\b",
    re.I,
)


def says_yes_or_no(text: str) -> bool:
    return bool(_YES_NO.search(text))


def thanks(text: str) -> bool:
    """Only thanks ("Thank you.", "Thank you very much, Mr President.")."""
    sents = sentences(text)
    return bool(sents) and all(_THANKS.match(s) for s in sents)


def only_asks(text: str) -> bool:
    """Every sentence is a question ("为什么？有什么新的消息吗？"): a counter-question even
    under an answer's label ("答：")."""
    sents = sentences(text)
    return bool(sents) and all(s.rstrip("\"'”’）) ").endswith(("?", "？")) for s in sents)


_TAG_QUESTION = re.compile(
    r"[,—–-]\s*(?:right|isn't (?:it|that|he|she)|aren't (?:they|we|you)|don't you think|"
    r"wouldn't you (?:say|agree)|correct|no|yes|huh|eh|ok|okay|yeah)\s*[?？][\W]*$",
    re.I,
)


def asks_back(text: str) -> bool:
    """The turn only asks back ("Say again?", "If in fact what is legitimate?"): every sentence
    is a question, and one of them is neither a tag seeking agreement ("That would have been
    quite a thing, right?") nor a call for the next question ("Wendell, did you have a second
    one?"). A reply to it answers it, even when the reply asks on."""
    sents = sentences(text.replace("’", "'"))
    return only_asks(text) and any(
        not _TAG_QUESTION.search(s) and not floor_sentence(s) for s in sents
    )


def signs_off(text: str) -> bool:
    """A short closing turn that opens with thanks and asks nothing ("Thank you, Mr President.
    We will continue working here and let you go.")."""
    sents = sentences(text)
    return (
        bool(sents) and bool(_THANKS.match(sents[0])) and words(text) <= 30 and not asks(text)
    )


def procedural(text: str) -> bool:
    """A procedural request for the floor ("Can I follow up?", "One more question?", "We are
    all ready. Shall we start?")."""
    if words(text) > 12:
        return False
    sents = sentences(text)
    after_a_word = len(sents) == 2 and words(sents[0]) <= 4 and not _QUESTION_END.search(sents[0])
    return bool(_PROCEDURAL.match(text.strip())) or (
        after_a_word and bool(_PROCEDURAL.match(sents[1]))
    )


def floor_sentence(s: str) -> bool:
    return bool(_FLOOR.search(s))


def bare_call(sentence: str) -> bool:
    """A sentence that only calls on someone ("Mr Smirnov, go ahead please.", "Jim.")."""
    return bool(_BARE_CALL.match(sentence))


def gives_floor(text: str, *, bare: bool = False, max_rest: int = 25) -> bool:
    """The turn gives the floor or manages the session, and asks nothing of substance.

    ``bare`` also counts a turn that only calls on someone ("Jim.", "Yes, Julie.", "Channel
    One, please."): the caller has to know that a question follows and none is waiting.
    ``max_rest``: how many words of other sentences the turn may have.
    """
    sents = sentences(text)
    if not sents:
        return False
    floor = [s for s in sents if floor_sentence(s)]
    if floor:
        substantive = [
            s
            for s in sents
            if _QUESTION_END.search(s) and not floor_sentence(s) and not _TAG_QUESTION.search(s)
        ]  # "... please go ahead. You are from Chelyabinsk, aren't you?" only checks
        rest = sum(words(s) for s in sents if not floor_sentence(s) and not _ACK.match(s))
        return not substantive and rest <= max_rest
    if bare and words(text) <= 8 and all(bare_call(s) for s in sents):
        return not acknowledges(text) or bool(re.search(r"\bgo ahead\b|\bplease\b", text, re.I))
    return False


_GROUND_RULES = re.compile(
    r"\b(?:(?:this|the|today's|our) (?:call|briefing|conversation)(?: today)? (?:is|was|will be|"
    r"is going to be)(?: all)?,? (?:on (?:the )?record|on background|off (?:the )?record|"
    r"(?:not )?embargoed|not for broadcast)"
    r"|(?:this|it) (?:is|was|will be|is going to be)(?: all)? on background"
    r"|(?:do|doing) (?:this|the call|this call|the whole thing) on (?:background|the record)"
    r"|on[- ]the[- ]record (?:conference )?(?:call|briefing)|background (?:call|briefing)"
    r"|(?:call|briefing) on background"
    r"|attribut(?:able|ed) to (?:a |the )?senior administration officials?"
    r"|sourced (?:only )?to (?:a )?senior administration official"
    r"|embargoed (?:until|for)|the embargo is (?:now )?lifted)",
    re.I,
)
CALL_TURN_WORDS = 200  # a staffer's turn that runs a call is no longer than this


def ground_rules(text: str) -> bool:
    """The turn states a call's ground rules ("this call is on background, attributable to
    senior administration officials", "embargoed until 6:00 a.m.")."""
    return bool(_GROUND_RULES.search(text.replace("’", "'")))


def runs_call(text: str) -> bool:
    """A staffer's turn that runs a call or briefing: its ground rules, the briefers introduced
    and the floor handed over, or the questions opened, and nothing asked of substance; a
    briefer's prepared remarks are longer."""
    sents = sentences(text)
    if words(text) > CALL_TURN_WORDS or any(
        _QUESTION_END.search(s) and not floor_sentence(s) for s in sents
    ):
        return False
    return ground_rules(text) or gives_floor(text)


_NOT_AN_ANSWER = re.compile(
    r"\b(?:not (?:in )?(?:response|reply|answer) to (?:that|the|your|this) question"
    r"|(?:let me go|going) back to (?:something|a number|a point) (?:I|we) (?:said|cited|made)"
    r"|(?:to )?correct (?:something|a number|the record|myself)"
    r"|make sure (?:that )?(?:I|we) (?:was|were) clear (?:about|on))",
    re.I,
)


def not_an_answer(text: str) -> bool:
    """The speaker says the turn answers no question: a correction or clarification of his own
    earlier words ("not in response to that question, just to make sure that I was clear about
    a number I cited")."""
    return bool(_NOT_AN_ANSWER.search(" ".join(sentences(text)[:2])))


def broken_off(text: str) -> bool:
    """The turn stops mid-sentence ("... the --")."""
    return bool(_CUT_END.search(text.rstrip()))


_PICKS_UP = re.compile(
    r"\b(?:as i was saying|i was (?:just )?(?:going to|saying)|to finish (?:my|the) (?:answer|"
    r"thought)|sorry about that|where was i)\b",
    re.I,
)


_INVITES = re.compile(
    r"\b(?:let(?:'s| us) (?:examine|discuss|talk|look at|go over|review|consider|hear|"
    r"(?:begin|start) with (?:the |a |your |our )?(?-i:[a-z]))"
    r"|i(?: would|'d)? like (?:to (?:discuss|talk|hear|know|ask|examine|look at|go over|learn)|"
    r"you to (?:tell|report|brief|update|inform|talk|present))"
    r"|i want(?:ed)? to (?:discuss|talk|hear|know|ask|learn)|(?:to )?see how you"
    r"|i have (?:the usual |a few |several |some |a number of |two |three )?questions"
    r"|let me (?:begin|start) with (?:the |a |my |our )?(?:traditional |usual |customary |first )?"
    r"question"
    r"|you (?:wanted|want|were going|are going|planned|are planning|are prepared|are ready) to "
    r"(?:tell|report|talk|brief|present|raise|discuss|inform)"
    r"|(?:tell|report to|brief|update) (?:me|us)\b"
    r"|how (?:you (?:assess|see|are|intend|plan)|things (?:are|stand)|the situation)"
    r"|давайте (?:обсудим|поговорим|начнём|начнем)|хотел(?:а|и)? бы (?:обсудить|поговорить|"
    r"услышать|узнать)|расскажите|доложите)",
    re.I,
)
_ADDRESSES = re.compile(
    r"(?:^|[.!?]\s+)(?:Mr|Ms|Mrs|Dr)\.? [A-Z][\w-]+,|\b(?:you|your|вы|вас|ваш\w*)\b", re.I
)


def invites_report(text: str, *, opening: bool = False) -> bool:
    """A host's turn that asks a guest to report on a subject ("Mr Sokolov, let's examine the
    full range of issues ...", "I have the usual questions for you", "I would like to know what
    you think about this"): a request for information, though no sentence ends in a question.
    ``opening``: no question has been asked yet, so a subject and leave to speak are enough
    ("Let us discuss last year's results. Go ahead, please.")."""
    plain = text.replace("’", "'")
    addressed = bool(_ADDRESSES.search(re.sub(r"\bthank you\b", "", plain, flags=re.I)))
    if opening and not addressed:
        addressed = bool(_LETS_DISCUSS.search(plain)) and any(
            _GO_AHEAD.search(s) for s in sentences(plain)[-2:]
        )
    return (
        words(text) <= LONG_WORDS
        and addressed
        and (has_question_mark(text) or bool(_INVITES.search(plain) or _REQUEST.search(plain)))
    )


_LETS_DISCUSS = re.compile(
    r"\blet(?:'s| us) (?:examine|discuss|talk|look at|go over|review|consider)\b"
    r"|давайте (?:обсудим|поговорим)",
    re.I,
)
_GO_AHEAD = re.compile(r"^(?:please,? )?go ahead\b|^please(?: do)?[.!]?$|^the floor is yours", re.I)


_REPLY_OPENER = re.compile(
    r"^(?:(?:mr|ms|mrs)\.? \w+,? )?(?:(?:yes|no|yeah|right|true|correct|exactly|absolutely|"
    r"definitely|certainly|sure|indeed|quite|naturally|it is|"
    r"(?:(?:regrettably|unfortunately|sadly|indeed|yes),? )?(?:that|this|it)(?:'s| is) "
    r"(?:indeed |certainly |really |quite |absolutely |exactly )?(?:right|"
    r"true|correct|so|the case)"
    r"|(?:we|i) (?:will|shall)(?: certainly| definitely| of course)?(?: (?:do (?:it|that|this|so)|"
    r"try|see to it|look into (?:it|that|this)))?"
    r"|(?:this|that|it) (?:would be|will be|is) (?:a )?(?:very |really )?(?:important|good|great|"
    r"useful|interesting|right|correct|true)(?: (?:thing|idea|point|question|proposal))?"
    r"|да|нет|верно|правильно|безусловно)(?=\s*[,.!;:…—–-]|\s+(?:but|sir|mr|ms)\b)"
    r"|of course|i agree|agreed|i see|maybe(?: so)?|perhaps|possibly|not (?:quite|exactly|really)"
    r"|not at all|by no means"
    r"|thank you|thanks|спасибо|благодарю|谢谢"
    r"|конечно|согласен|是的|对|好)\b",
    re.I,
)
ASK_WITH_CONTEXT_WORDS = 60  # a turn this short may end with a sentence of context
GOES_ON_WORDS = 60  # a guest's turn this long after a comment goes on with the answer


_ANNOUNCES_REPORT = re.compile(
    r"^(?:(?:mr|madam|ms) [\w ]{1,30}, )?(?:(?:i|we) would like to |let me |allow me to |"
    r"(?:i|we) want to )(?:briefly |now )?(?:report|present (?:a |my |our )?(?:brief |short )?"
    r"report|give (?:you )?(?:a )?(?:brief |short )?(?:report|overview|update))\b"
    r"|^(?:разрешите|позвольте|хотел бы|хочу) (?:кратко |коротко )?доложить",
    re.I,
)


def announces_report(text: str) -> bool:
    """The turn opens by announcing a report ("Mr President, I would like to report briefly on
    the 2018 results", "I would like to present a brief report"): a statement, unless a
    question waits for it."""
    first = (sentences(text) or [""])[0]
    return bool(_ANNOUNCES_REPORT.match(first.replace("’", "'")))


_ANNOUNCES_QUESTION = re.compile(
    r"\b(?:let me ask|i(?:'ll| will| want to| would like to)? ask you|i have (?:a|one) question"
    r"|tell me|answer me|one question)\b",
    re.I,
)


# a question back that asks what was meant ("Could you tell me again what he said exactly?",
# "Who exactly started to distance themselves?")
_ASKS_WHAT_WAS_MEANT = re.compile(
    r"\b(?:say|tell|ask|explain)\b[^.?!]{0,30}\bagain\b|\bagain\?"
    r"|\b(?:repeat|exactly|what do you mean|what does (?:that|it) mean|which ones?)\b"
    r"|^(?:by the way|do you know|have you (?:ever )?(?:seen|read|heard))\b"
    r"|\bi (?:do not|don't|did not|didn't) (?:understand|get it|follow)\b"
    r"|^(?:just a (?:second|moment|minute)|one (?:second|moment)|wait a (?:second|minute)|"
    r"excuse me)\b",
    re.I,
)
_OPENS_YES_NO = re.compile(r"^(?:yes|no|yeah|nope|да|нет)\b", re.I)


def opens_yes_or_no(text: str) -> bool:
    """The turn opens by saying yes or no ("Yes, I am, and I have no regrets about it.")."""
    return bool(_OPENS_YES_NO.match(text.strip()))


def opens_with_reply(text: str) -> bool:
    """The turn opens with a reply of its own before any question ("I'll leave the specifics
    to the President. That's it? Are we done? (Laughter.)", "No, I don't have any update. I
    assume you're referring to ...?"): it answers, whatever it asks after. An opening nod or
    apology ("I understand.", "Sorry.") or a sentence that announces the question ("Let me ask
    you a question, Chip.") replies nothing."""
    sents = sentences(text)  # "’" already reads as "'"
    if len(sents) < 2 or _QUESTION_END.search(sents[0]):
        return False
    first = sents[0]
    asked = [s for s in sents if _QUESTION_END.search(s)]
    return (
        words(first) >= 3
        and not any(_ASKS_WHAT_WAS_MEANT.search(s) for s in [first, *asked])
        and not acknowledges(first)
        and not _SIGN_OFF.match(first)
        and not _ANNOUNCES_QUESTION.search(first)
    )


def replies_to_comment(text: str) -> bool:
    """The turn opens by replying to what was just said ("Right, but ...", "Definitely.",
    "Maybe so, Mr President, ...", "Yes. We intend to ..."), not by going on with a report."""
    sents = sentences(text)
    return bool(sents) and bool(_REPLY_OPENER.match(sents[0].replace("’", "'")))


_DANGLES = re.compile(
    r"\b(?:about|of|to|for|with|on|in|from|by|what|which|who|whom)\s*(?:--|—|–|…|\.\.\.)\s*$", re.I
)


def folded_words(text: str) -> list[str]:
    """The words of ``text``, case-folded, in order (for comparing what a turn repeats)."""
    return re.findall(r"\w+", text.casefold())


_EXCLAIMS = re.compile(
    r"^(?:oh|ah|wow|aha|hmm|i see|i'm listening|i am listening|go on|(?:pretty|quite|so) true)"
    r"[.!…]*$",
    re.I,
)


def echoes_reply(text: str, reply: str) -> bool:
    """A short turn that only echoes the reply before it ("No. A little bit boring." -
    "Boring.") or exclaims ("Oh!", "I'm listening.", "Pretty true."), asking nothing."""
    plain = text.strip().replace("’", "'")
    if has_question_mark(plain) or words(plain) > 4:
        return False
    if _EXCLAIMS.match(plain):
        return True
    said, heard = folded_words(plain), set(folded_words(reply))
    return bool(said) and all(w in heard for w in said)


def shouts(text: str) -> bool:
    """A shout from the hall of one to three words ("Vladivostok!", "Mr President!"), asking
    nothing and saying neither yes nor no."""
    plain = _STAGE.sub("", text).strip()
    return (
        plain.endswith("!")
        and words(plain) <= 3
        and not has_question_mark(plain)
        and not says_yes_or_no(plain)
    )


_PROMPTS_ON = re.compile(
    r"^(?:(?:ok(?:ay)?|and|so|well|then|yes|yeah|right|what|else|next)\b[\s,.…]*){1,3}"
    r"(?:…|\.\.\.)?\?$",
    re.I,
)


def prompts_on(text: str) -> bool:
    """A respondent's short prompt to go on ("Ok, and…?", "And?", "So?", "What else?"): it
    asks nothing of its own; the interviewer's next words are the question."""
    return bool(_PROMPTS_ON.match(text.strip()))


def echoes_broken_off(text: str, question: str) -> bool:
    """A short turn that repeats the question's words and breaks off for the asker to finish
    ("Kind of clear the air about --" after "... to kind of clear the air."): it asks back."""
    if not broken_off(text) or not 3 <= words(text) <= 8 or not _DANGLES.search(text):
        return False
    said, heard = folded_words(text), set(folded_words(question))
    return sum(w in heard for w in said) >= 0.6 * len(said)


def picks_up(text: str) -> bool:
    """The speaker picks up an answer broken off ("Sorry about that. ... I was just going to")."""
    return bool(_PICKS_UP.search(" ".join(sentences(text)[:3])))


def resumes(text: str) -> bool:
    """The turn picks up a sentence broken off before ("-- what we have said")."""
    return bool(_CUT_START.match(text))


def notice(text: str) -> bool:
    """A schedule or holiday notice, or the announcement of an event."""
    return bool(_NOTICE.search(text))


def interpreter_note(text: str) -> bool:
    """The text has an interpreter note of its own, at its start or between sentences:
    "(As interpreted.)", "(In French)", "(через переводчика)"."""
    return bool(_INTERPRETER_NOTE.search(text))
