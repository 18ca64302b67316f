"""Roles on White House calls and briefings and State Department transcripts (issue 13, "Roles
and pairs"): the staffer who runs a call, briefers' prepared openings, counter-questions and
closing words.

Every expected role here was read off the page itself (zcat of the raw HTML, or the CSV cell),
not taken from the parser's output. Turns are found by the words they open with, so the tests
do not hang on turn numbers.
"""

from __future__ import annotations

from communique.ingest.pipeline import parse_raw
from communique.model import Document, Turn
from communique.sources.raw import RawInput
from communique.sources.walk import iter_items

from .conftest import CORPUS

WH = CORPUS / "whitehouse_briefings" / "html"
RUBIO = CORPUS / "official_transcripts" / "us_ukraine_rubio.csv"


def _page(name: str) -> Document:
    path = WH / name
    parsed = parse_raw(RawInput(path=str(path), data=path.read_bytes(), kind="file", meta={}))
    assert parsed.doc is not None, parsed.error or parsed.skip
    return parsed.doc


def _row(path: object, row: int) -> Document:
    for item in iter_items([path]):  # type: ignore[list-item]
        if isinstance(item, RawInput) and item.path.endswith(f"#row={row}"):
            parsed = parse_raw(item)
            assert parsed.doc is not None, parsed.error or parsed.skip
            return parsed.doc
    raise AssertionError(f"no row {row} in {path}")


def _turn(doc: Document, opening: str, label: str | None = None, nth: int = 0) -> Turn:
    found = [
        t for t in doc.turns if t.text.startswith(opening) and (label is None or t.label == label)
    ]
    assert len(found) > nth, f"no turn opens with {opening!r}"
    return found[nth]


def test_staffer_who_runs_a_background_call_is_its_moderator() -> None:
    """1122: Tommy Vietor opens the call ("We are going to do this on background ... I'll turn it
    over to our first senior administration official"), calls the last question and closes it
    with the ground rules again; the officials brief, then answer."""
    doc = _page("1122.html.gz")
    vietor = [t for t in doc.turns if t.label == "MR. VIETOR"]
    assert [t.text.split(".")[0] for t in vietor] == [
        "Thanks, everybody, for getting on",
        "Let’s do one more question",
        "Thanks, everybody, for getting on",
    ]
    assert all(t.role == "moderator" and t.answers is None for t in vietor)
    first_briefer = _turn(doc, "Thanks, everybody, for joining the call. I'll just say")
    assert first_briefer.role == "statement"
    # the question after the call for "one more" is answered by the officials
    last_q = _turn(doc, "Thank you so much for doing this. A question about the recent reports")
    assert last_q.role == "question"
    reply = doc.turns[last_q.n]  # the next turn
    assert reply.role == "answer" and reply.answers == last_q.n


def test_on_the_record_call_opening_hand_over_and_sign_off() -> None:
    """1200: Vietor's opening ("The call is on the record ... I'm just going to turn it over to
    Tony Blinken"), his "why don't we start taking a couple of questions", "We'll take one
    more." and his closing ("If you have any follow-up questions, please feel free to direct
    them to me") run the call. Blinken's and McFaul's prepared openings are statements."""
    doc = _page("1200.html.gz")
    assert _turn(doc, "Thank you very much. Thank you, guys, for getting on").role == "moderator"
    assert _turn(doc, "Tommy, thanks very much.", "MR. BLINKEN").role == "statement"
    assert _turn(doc, "Thanks, Tony. I’ll be brief", "MR. MCFAUL").role == "statement"
    assert _turn(doc, "Great. Well, with that, why don’t we start taking").role == "moderator"
    more = _turn(doc, "We’ll take one more.", "MR. VIETOR")
    assert more.role == "moderator"
    assert doc.turns[more.n].role == "question"  # the call it made
    closing = _turn(doc, "All right, well, thank you, guys, very much for getting on the call.")
    assert (closing.role, closing.answers) == ("moderator", None)


def test_closing_thanks_alone_is_a_remark() -> None:
    """0956 and 1607 end with the staffer's thanks and nothing else ("Great. Thanks, everyone, for
    joining today, and we look forward to seeing you in Korea."): remarks, not moderation."""
    korea = _page("0956.html.gz")
    assert korea.turns[-1].text.startswith("Great. Thanks, everyone, for joining today")
    assert (korea.turns[-1].role, korea.turns[-1].answers) == ("remark", None)
    sba = _page("1607.html.gz")
    assert sba.turns[-1].text.startswith("Great. Well, thank you, everyone, for joining us today.")
    assert (sba.turns[-1].role, sba.turns[-1].answers) == ("remark", None)


def test_ground_rules_at_the_close_are_the_moderators_not_an_answer() -> None:
    """0018: Ned Price opens ("First a bit about ground rules. This call will be on background")
    and closes ("this call was on background, and the embargo is now lifted"): not an answer to
    the last question."""
    doc = _page("0018.html.gz")
    price = [t for t in doc.turns if t.label == "MR. PRICE"]
    assert len(price) == 2
    assert [(t.role, t.answers) for t in price] == [("moderator", None), ("moderator", None)]


def test_hand_over_to_a_colleague_keeps_the_question_open() -> None:
    """0231: the pool asks about Turkey; Earnest hands it over ("Let me turn it over to Ben to
    take that one."), and Rhodes' reply answers the pool's question; "Other questions from the
    pool?" calls the next."""
    doc = _page("0231.html.gz")
    question = _turn(doc, "Hey, guys, it’s the pool here.")
    hand_over = _turn(doc, "Let me turn it over to Ben to take that one.")
    assert hand_over.n == question.n + 1 and hand_over.role == "moderator"
    rhodes = doc.turns[hand_over.n]
    assert rhodes.label == "MR. RHODES"
    assert (rhodes.role, rhodes.answers) == ("answer", question.n)
    assert _turn(doc, "Other questions from the pool?").role == "moderator"


def test_briefers_hand_over_by_asking_a_colleague() -> None:
    """0891 (every official labelled SENIOR ADMINISTRATION OFFICIAL): "Do you want to pick up
    from there?" and "You guys want to take that?" hand the floor over; the colleague's
    reply to the reporter's question answers it."""
    doc = _page("0891.html.gz")
    assert _turn(doc, "Do you want to pick up from there?").role == "moderator"
    assert _turn(doc, "Sure, happy to. Thanks, guys.").role == "statement"  # before questions
    question = _turn(doc, "Hi. Thanks so much for doing this call. Two quick questions.")
    pass_on = _turn(doc, "You guys want to take that?")
    assert pass_on.role == "moderator"
    singapore = _turn(doc, "Let me start with Singapore.")
    assert (singapore.role, singapore.answers) == ("answer", question.n)


def test_prepared_openings_are_statements_not_answers() -> None:
    """0192: Rhodes' opening ends "But why don't I turn it over to Christine ...?" (a hand-over,
    not a question), so Wormuth's and McGurk's prepared remarks that follow are statements;
    "With that, we'll move to questions." runs the call."""
    doc = _page("0192.html.gz")
    rhodes = _turn(doc, "Thanks, everybody, for getting on the call.", "MR. RHODES")
    assert rhodes.role == "statement"
    wormuth = _turn(doc, "Well, as Ben said, what we're really trying to do here")
    mcgurk = _turn(doc, "I would just make three points.")
    assert [(t.role, t.answers) for t in (wormuth, mcgurk)] == [("statement", None)] * 2
    assert _turn(doc, "Great. Thanks, Brett. With that, we'll move to questions.").role == (
        "moderator"
    )


def test_a_briefers_correction_after_another_answer_is_a_statement() -> None:
    """1380: after Mundaca answers the housing question, Bernstein speaks "not in response to
    that question, just to make sure that I was clear about a number I cited": a statement."""
    doc = _page("1380.html.gz")
    mundaca = _turn(doc, "I'll take that.", "MR. MUNDACA")
    assert mundaca.role == "answer"
    bernstein = _turn(doc, "I just want to make sure this is -- not in response to that question")
    assert (bernstein.role, bernstein.answers) == ("statement", None)


def test_counter_question_in_a_briefing() -> None:
    """0729: "can you tell us if there is any different posturing ...?" Earnest: "What do you mean
    by posturing?" Q: "Meetings, briefings to the President?" (the reply, though it asks)
    Earnest: "No, I'd say no." (answers the reporter's question)."""
    doc = _page("0729.html.gz")
    original = _turn(doc, "Right. And can you tell us if there is any different posturing")
    counter = _turn(doc, "What do you mean by posturing?")
    reply = _turn(doc, "Meetings, briefings to the President?")
    answer = _turn(doc, "No, I’d say no.")
    assert (counter.n, reply.n, answer.n) == (original.n + 1, original.n + 2, original.n + 3)
    assert counter.role == "question"
    assert (reply.role, reply.answers) == ("answer", counter.n)
    assert (answer.role, answer.answers) == ("answer", original.n)


def test_counter_question_reply_that_goes_on_asking() -> None:
    """1069: Carney: "Who said that?" Q: "Moody's Investor Services. Is the President concerned
    ...?" Carney's next turn answers the first question, the reply answers his."""
    doc = _page("1069.html.gz")
    original = _turn(doc, "Jay, a financial one. Moody’s Investor Services warns")
    counter = _turn(doc, "Who said that?")
    reply = _turn(doc, "Moody’s Investor Services. Is the President concerned")
    assert counter.role == "question"
    assert (reply.role, reply.answers) == ("answer", counter.n)
    carney = doc.turns[reply.n]
    assert (carney.label, carney.role, carney.answers) == ("MR. CARNEY", "answer", original.n)


def test_press_secretarys_closing_manages_the_session() -> None:
    """0125: after the last answer Earnest closes ("Well, thank you all for spending so much time
    with us today. I'd refer to my colleagues at OMB. Both Shannon and Emily can stand by to take
    any additional questions you have to ask."): he runs the session, he answers nothing."""
    doc = _page("0125.html.gz")
    closing = _turn(doc, "Well, thank you all for spending so much time with us today.")
    assert closing.n == len(doc.turns)
    assert (closing.role, closing.answers) == ("moderator", None)


def test_apology_after_an_interruption_is_a_remark() -> None:
    """Rubio on ABC's This Week: Stephanopoulos cuts in ("Why is it okay to call President
    Zelenskyy —"), Rubio: "All right, I'm sorry." A remark, not an answer."""
    doc = _row(RUBIO, 1)
    sorry = _turn(doc, "All right, I’m sorry.")
    assert (sorry.role, sorry.answers) == ("remark", None)


def test_an_officials_new_start_after_his_complete_answer_answers_nothing() -> None:
    """Powell and Ivanov's press conference (a table row that holds its transcript twice): after
    Powell's answer to the last question ("We talked about all of these items ...") the text
    starts over with his "Well, good afternoon, ladies and gentlemen." No question is pending:
    his and Ivanov's opening words are statements again, not answers to the last question."""
    doc = _row(CORPUS / "official_transcripts" / "us_chechnya_powell_archive.csv", 13)
    last_answer = _turn(doc, "We talked about all of these items")
    assert last_answer.role == "answer"
    again = doc.turns[last_answer.n : last_answer.n + 3]
    assert [t.label for t in again] == [
        "SECRETARY POWELL",
        "FOREIGN MINISTER IVANOV",
        "SECRETARY POWELL",
    ]
    assert again[0].text.startswith("Well, good afternoon, ladies and gentlemen.")
    assert [(t.role, t.answers) for t in again] == [("statement", None)] * 3
    # the first time round the same words open the conference
    first = _turn(doc, "Well, good afternoon, ladies and gentlemen.")
    assert (first.n, first.role) == (1, "statement")


def test_a_tag_or_a_floor_call_is_no_counter_question_the_next_question_answers() -> None:
    """Read off the pages. Gibbs's "If in fact what is legitimate?" asks back, and the reporter's
    reply answers it (1341); Carney's "That would have been quite a thing, right? (Laughter.)"
    seeks no reply, and "In announcing the trip to the UK ..." is the next question (1211), as
    is "Yes, I did. It involves the FCC's newsroom proposal" after "That's shocking, too, right?
    Wendell, did you have a second one?" (0543)."""
    doc = _page("1341.html.gz")
    back = _turn(doc, "If in fact what is legitimate?")
    assert back.role == "question"
    assert _turn(doc, "That the -- has the White House been transparent").answers == back.n
    doc = _page("1211.html.gz")
    uk = _turn(doc, "In announcing the trip to the UK")
    assert (uk.role, uk.answers) == ("question", None)
    assert _turn(doc, "I’m not aware of those comments by those leaders.").answers == uk.n
    doc = _page("0543.html.gz")
    fcc = _turn(doc, "Yes, I did. It involves the FCC")
    assert (fcc.role, fcc.answers) == ("question", None)


def test_a_press_secretary_who_opens_by_introducing_the_briefers_is_the_moderator() -> None:
    """1613: Gibbs opens ("We wanted to bring together many of the people ... First, John
    Brennan, ...; Dr. Richard Besser, ...; and Janet Napolitano, ... So with that I'll turn it over
    to Mr. Brennan."), the three give their remarks, and Gibbs calls for questions. Introduced as
    the ones who answer, the briefers are not questioners."""
    doc = _page("1613.html.gz")
    gibbs = [t for t in doc.turns if t.label == "MR. GIBBS"]
    assert gibbs[0].text.startswith("Good afternoon, guys.")
    assert gibbs[0].role == "moderator"
    for opening in ("Thank you, Robert. And thank you, everyone", "Thank you, Mr. Brennan.",
                    "Thanks, Dr. Besser."):  # fmt: skip
        assert _turn(doc, opening).role == "statement"
    assert _turn(doc, "With that, let's take a few questions.").role == "moderator"


def test_no_announcements_at_the_top_gives_the_floor() -> None:
    """0028: "I do not have any announcements at the top, so we can go straight to your
    questions. Darlene, would you like to ..." opens the questions; Darlene's is the first."""
    doc = _page("0028.html.gz")
    opening = _turn(doc, "Good afternoon, everybody. I do not have any announcements")
    assert opening.role == "moderator"
    first = doc.turns[opening.n]
    assert (first.label, first.role) == ("Q", "question")
    assert (doc.turns[first.n].role, doc.turns[first.n].answers) == ("answer", first.n)


def test_a_reporter_who_only_echoes_the_answer_makes_a_remark() -> None:
    """1167: Carney lists "his ideas, his concept, his approach, his vision"; the reporter's
    "Concept, approach, vision." only echoes it (a remark), and "No plan. I mean, why are you
    avoiding -- what's wrong with saying “plan”? ..." is the question."""
    doc = _page("1167.html.gz")
    echo = _turn(doc, "Concept, approach, vision.")
    assert echo.role == "remark"
    assert _turn(doc, "No plan. I mean, why are you avoiding").role == "question"


def test_a_q_glued_to_a_one_letter_word_is_still_the_label() -> None:
    """0375 prints "QI have a question for each of you.On the visit, ..." (the "Q" run into
    "I"), as 0468 prints "QA German prosecutor has announced ...". After Earnest's "Julie, do
    you want to start?" the journalist asks (label "Q"), Rhodes answers the Burma half and
    Earnest the Keystone half: both answer that question."""
    doc = _page("0375.html.gz")
    question = _turn(doc, "I have a question for each of you.")
    assert (question.label, question.role) == ("Q", "question")
    rhodes, earnest = doc.turns[question.n], doc.turns[question.n + 1]
    assert rhodes.speaker == "Ben Rhodes" and rhodes.text.startswith("Well, the United States")
    assert earnest.speaker == "Josh Earnest" and earnest.text.startswith("Julie, as it relates")
    assert (rhodes.role, rhodes.answers) == ("answer", question.n)
    assert (earnest.role, earnest.answers) == ("answer", question.n)


def test_granting_a_follow_up_gives_the_floor() -> None:
    """1208 (Carney, Libya): "Q Can I follow up Glenn's question real quick?" "MR. CARNEY:
    Yes." "Q Given what Glenn says, …". The reporter's request is a remark, Carney's "Yes."
    gives the floor (a moderator's turn, as a chair's "Of course." after "May I start?"), and
    the question that follows is what he answers next."""
    doc = _page("1208.html.gz")
    ask = _turn(doc, "Can I follow up Glenn")
    assert ask.role == "remark"
    grant = doc.turns[ask.n]
    assert (grant.label, grant.text, grant.role) == ("MR. CARNEY", "Yes.", "moderator")
    question = doc.turns[grant.n]
    assert question.text.startswith("Given what Glenn says") and question.role == "question"
    assert doc.turns[question.n].answers == question.n


def test_an_answer_that_ends_by_asking_back_still_answers() -> None:
    """1557 (Gibbs, the town hall): "Q It's shocking. It's really shocking." "MR. GIBBS: Chip,
    let's have this discussion at the conclusion of the town hall meeting. How about that?"
    "Q Okay." Gibbs replies first and then asks for agreement: his turn answers the reporter,
    and "Okay." is a remark. Before, the closing question made the whole turn a
    counter-question and "Okay." its answer. The same in 1530: "Q But he won't take time to
    read it front to back --" "MR. GIBBS: I don't know what his vacation plans are currently.
    Will you read the health care bill cover to cover?" answers the reporter."""
    doc = _page("1557.html.gz")
    reporter = _turn(doc, "It's shocking. It's really shocking.")
    gibbs = doc.turns[reporter.n]
    assert gibbs.text.startswith("Chip, let's have this discussion")
    assert (gibbs.role, gibbs.answers) == ("answer", reporter.n)
    assert (doc.turns[gibbs.n].text, doc.turns[gibbs.n].role) == ("Okay.", "remark")
    doc = _page("1530.html.gz")
    reporter = _turn(doc, "But he won't take time to read it front to back")
    jab = doc.turns[reporter.n]
    assert jab.text.startswith("I don't know what his vacation plans are currently.")
    assert (jab.role, jab.answers) == ("answer", reporter.n)


def test_what_opens_with_a_reply() -> None:
    """A turn that opens with a reply of its own answers, whatever it asks after; a nod,
    an apology or an announced question opens no reply (acts.opens_with_reply)."""
    from communique.structure import acts

    cases = [
        ("Not that I’m aware of. How so?", True),
        ("I'll leave the specifics to the President. That's it? Are we done?", True),
        ("I understand. Do you wish to jump for joy when they fight there?", False),
        ("Let me ask you a question, Chip. How do you get a law passed?", False),
        ("Sorry. Which agencies?", False),
        ("Which agencies reported this?", False),
    ]
    for text, expected in cases:
        assert acts.opens_with_reply(text) is expected, text


def test_a_reporter_who_only_introduces_himself_has_not_asked_yet() -> None:
    """0993 (Carney): "MR. CARNEY: … introduce yourself and then --" "Q I'm David Welna with
    NPR." "MR. CARNEY: Nice to see you." "Q A question about Israel. …" The introduction asks
    nothing (a remark), so Carney's greeting answers nothing, and his reply after the question
    answers the question."""
    doc = _page("0993.html.gz")
    intro = _turn(doc, "I’m David Welna with NPR.")
    assert intro.role == "remark"
    greeting = doc.turns[intro.n]
    assert (greeting.text, greeting.role, greeting.answers) == ("Nice to see you.", "remark", None)
    question = doc.turns[greeting.n]
    assert question.text.startswith("A question about Israel.") and question.role == "question"
    assert doc.turns[question.n].answers == question.n


def test_who_speaks_and_who_gives_the_floor() -> None:
    """Self-introductions, a bare "I am listening." and interruptions that ask (acts)."""
    from communique.structure import acts

    assert acts.introduces_self("Good afternoon, Artyom Artemenko, Crimea 24.", "Artyom Artemenko")
    assert acts.introduces_self("My name is Yelena, and I am from RIA Novosti.", None)
    assert not acts.introduces_self("Viktor Smirnov, 47news.ru. Why has Gazprom no gas?", None)
    assert acts.gives_floor("I am listening.", bare=True)
    assert not acts.gives_floor("I am listening.")
    assert not acts.opens_with_reply("Just a second. Terms of exchange?")


def test_shouts_from_the_room_are_remarks_and_a_call_to_follow_up_gives_the_floor() -> None:
    """1541 (Gibbs): "MR. GIBBS: Let me figure out what the distribution policy is before you
    go off and get half-cocked and excited." "Q Oooh!" "Q Okay, hi. (Laughter.)" "MR. GIBBS: You
    want to follow up on Chuck's question?" The shout asks nothing (a remark, not a question
    Gibbs answers), and his question only gives the next reporter the floor. 1399 opens with
    "Q Oooh!" "Q Booo!": remarks too."""
    from communique.structure import acts

    doc = _page("1541.html.gz")
    shout = _turn(doc, "Oooh!")
    assert shout.role == "remark"
    call = _turn(doc, "You want to follow up on Chuck")
    assert call.role == "moderator"
    assert doc.turns[call.n].text.startswith("I'll start with something new")
    assert doc.turns[call.n].role == "question"
    doc = _page("1399.html.gz")
    assert [(t.text, t.role) for t in doc.turns[:2]] == [("Oooh!", "remark"), ("Booo!", "remark")]
    for text, expected in [
        ("Vladivostok!", True),
        ("Mr President!", True),
        ("Yes!", False),  # may answer
        ("Why not?!", False),
        ("Thank you very much, everybody!", False),
    ]:
        assert acts.shouts(text) is expected, text


def test_asking_to_change_the_subject_asks_for_the_floor() -> None:
    """1296 (Burton): "Q Can I change -- stay with foreign affairs?" "MR. BURTON: Sure." and
    0834 (Carney): "Q Can I change the subject for a minute?" "MR. CARNEY: Sure.": requests
    for the floor (remarks), which the grant answers as the moderator."""
    from communique.structure import acts

    assert acts.procedural("Can I change -- stay with foreign affairs?")
    assert acts.procedural("Could I switch topics?")
    assert not acts.procedural("Can I change my mind about Russia and tell you about it?")
    doc = _page("0834.html.gz")
    ask = _turn(doc, "Can I change the subject for a minute?")
    assert ask.role == "remark"
    grant = doc.turns[ask.n]
    assert (grant.text, grant.role) == ("Sure.", "moderator")
    question = doc.turns[grant.n]
    assert question.role == "question" and doc.turns[question.n].answers == question.n


def test_quips_before_the_briefing_starts_are_remarks() -> None:
    """0658 (Carney): "MR. CARNEY: I'm here to take your questions …" "Q Yes, keep it short."
    "MR. CARNEY: Keep it short." "Q Yes." "MR. CARNEY: Let me go to Julie." Before anything is
    asked, the reporters' quips ask nothing and the press secretary's word back answers
    nothing: remarks, and "Let me go to Julie." gives the floor. 0458 (Earnest): "Q And
    Colbert." "MR. EARNEST: Exactly. So, Josh, I'll let you do the first question today." """
    doc = _page("0658.html.gz")
    quip = _turn(doc, "Yes, keep it short.")
    assert quip.role == "remark"
    back = doc.turns[quip.n]
    assert (back.text, back.role, back.answers) == ("Keep it short.", "remark", None)
    call = _turn(doc, "Let me go to Julie.")
    assert call.role == "moderator"
    assert doc.turns[call.n].role == "question"
    doc = _page("0458.html.gz")
    assert _turn(doc, "And Colbert.").role == "remark"
    assert _turn(doc, "Exactly. So, Josh, I’ll let you do the first question").role == "moderator"
