"""Roles in Kremlin conversations and in briefings where the official asks to hear the question
again (issue 13, docs/record.md "Roles"): replies to a comment, reports going on after an
acknowledgement, an opening question put to several guests, "I'm sorry?".

Every expected role here was read off the page itself (the raw HTML), not taken from the parser's
output; turns are found by the words they open with. None of these pages is in the gold set.
"""

from __future__ import annotations

from .conftest import CORPUS
from .pages import parse_page, turn_opening

KREMLIN = CORPUS / "kremlin_en" / "html"
WH = CORPUS / "whitehouse_briefings" / "html"


def test_a_report_going_on_after_an_acknowledgement_answers_the_request_for_it() -> None:
    """060424: "Mr Tokarev, let's start with a report on the Druzhba oil pipeline." Questions
    about the incident and instructions follow; after Putin's "Good." the report goes on ("But at
    the same time, Mr President, ... we held a series of working meetings") and answers the
    opening request, not "So this system failed?" asked in between."""
    doc = parse_page(KREMLIN / "060424.html.gz")
    request = turn_opening(doc, "Mr Tokarev, let’s start with a report")
    assert request.role == "question"
    assert turn_opening(doc, "So this system failed?").role == "question"
    good = turn_opening(doc, "Good.")
    assert good.role == "remark"
    goes_on = doc.turns[good.n]
    assert goes_on.text.startswith("But at the same time, Mr President")
    assert (goes_on.role, goes_on.answers) == ("answer", request.n)


def test_a_reply_to_a_comment_is_a_remark_and_a_report_after_a_comment_goes_on() -> None:
    """060547: after "Problems have been accumulating there for years." the minister only agrees
    ("Yes, for a very long time."): a remark; after "And some of them are quite costly." he goes
    on with the report Putin asked for ("Please tell me how the work is proceeding.") without
    replying to the comment: an answer to that request."""
    doc = parse_page(KREMLIN / "060547.html.gz")
    request = turn_opening(doc, "Please tell me how the work is proceeding.")
    assert request.role == "question"
    assert turn_opening(doc, "Yes, for a very long time.").role == "remark"
    report = turn_opening(doc, "We will also work on the biodiversity")
    assert (report.role, report.answers) == ("answer", request.n)


def test_a_report_nobody_asked_for_goes_on_as_a_statement() -> None:
    """063517: Likhachev opens with his report ("Mr President, thank you very much for this
    opportunity to personally report ..."), answers Putin's questions in between, and after
    "Very good." goes on with it ("Under the Ecology Project, ..."): a statement, not an answer
    to "This year?"."""
    doc = parse_page(KREMLIN / "063517.html.gz")
    assert (
        turn_opening(doc, "Mr President, thank you very much for this opportunity").role
        == "statement"
    )
    assert turn_opening(doc, "This year?").role == "question"
    assert turn_opening(doc, "Under the Ecology Project").role == "statement"


def test_a_host_who_gives_the_floor_by_name_is_a_moderator() -> None:
    """060324: "MrPouyanné, please." (the name glued to "Mr") gives the floor to the next
    speaker of the business council."""
    doc = parse_page(KREMLIN / "060324.html.gz")
    assert turn_opening(doc, "MrPouyanné, please.").role == "moderator"


def test_an_official_who_asks_to_hear_the_question_again_asks_back() -> None:
    """0313: "What was the number again?" - "I'm sorry?" - "What was the number again?" - "Which
    number? 91 percent? ...": the repeat answers "I'm sorry?", and Earnest's reply answers the
    question first asked."""
    doc = parse_page(WH / "0313.html.gz")
    first = turn_opening(doc, "What was the number again?")
    sorry = doc.turns[first.n]
    assert (sorry.text, sorry.role) == ("I’m sorry?", "question")
    repeat = doc.turns[sorry.n]
    assert repeat.text == "What was the number again?"
    assert (repeat.role, repeat.answers) == ("answer", sorry.n)
    reply = doc.turns[repeat.n]
    assert reply.text.startswith("Which number?")
    assert (reply.role, reply.answers) == ("answer", first.n)


def test_a_relative_who_is_not_a_call_for_questions() -> None:
    """0558: April Ryan's "Congressman John Lewis, a man who has received one of the highest
    honors ..." is a question Carney answers, not a moderator's "who has a question?"."""
    doc = parse_page(WH / "0558.html.gz")
    lewis = turn_opening(doc, "Congressman John Lewis, a man who has received")
    assert lewis.role == "question"
    reply = doc.turns[lewis.n]
    assert (reply.role, reply.answers) == ("answer", lewis.n)


def test_an_editor_labelled_with_his_office_asks() -> None:
    """017976 (Direct Line, 2012): the host gives the floor to "Chief Editor of Nezavisimaya
    Gazeta Konstantin Remchukov", labelled "Nezavisimaya Gazeta Chief Editor Konstantin
    Remchukov:", who says "I would like to ask a question on foreign policy". An editor's,
    broadcaster's or journalist's office makes no official: he asks, and Putin's reply answers
    him (before, the office put him on the answering side and both turns answered the host)."""
    doc = parse_page(KREMLIN / "017976.html.gz")
    question = turn_opening(doc, "Mr President, I would like to ask a question on foreign policy.")
    assert question.speaker == "Konstantin Remchukov"
    assert question.role == "question"
    reply = doc.turns[question.n]
    assert reply.speaker == "Vladimir Putin"
    assert (reply.role, reply.answers) == ("answer", question.n)


def test_an_interviewer_the_lead_names_with_his_paper_asks() -> None:
    """060836, "Interview with The Financial Times": the lead says "Vladimir Putin spoke with The
    Financial Times Editor Lionel Barber and Moscow Bureau Chief Henry Foy". Barber opens ("Mr
    President, you head for Osaka shortly ...") and asks "Do you believe that the world now has
    become more fragmented?"; Putin answers each. Before, the lead's "The" was read as Barber's
    office, which made him an official: no question of the interview was answered."""
    doc = parse_page(KREMLIN / "060836.html.gz")
    opening = turn_opening(doc, "Mr President, you head for Osaka shortly")
    assert (opening.speaker, opening.role) == ("Lionel Barber", "question")
    fragmented = turn_opening(doc, "Do you believe that the world now has become more fragmented?")
    assert fragmented.role == "question"
    reply = doc.turns[fragmented.n]
    assert reply.speaker == "Vladimir Putin" and reply.text.startswith("Of course, because")
    assert (reply.role, reply.answers) == ("answer", fragmented.n)
    putin = [t for t in doc.turns if t.speaker == "Vladimir Putin"]
    assert sum(t.role == "answer" for t in putin) >= 0.8 * len(putin)


def test_a_prompt_to_go_on_is_no_counter_question() -> None:
    """062917, TASS "20 questions" on the army: "Andrei Vandenko: The army." "Vladimir Putin:
    Ok, and…?" "Andrei Vandenko: ”The armour is strong and our tanks are fast“, right?"
    "Vladimir Putin: Sure. …". Putin's "Ok, and…?" only bids the interviewer go on; the
    question it invites is the next one, which "Sure." answers. Before, "Ok, and…?" was a
    counter-question and the interviewer's question its answer."""
    doc = parse_page(KREMLIN / "062917.html.gz")
    prompt = turn_opening(doc, "Ok, and")
    assert (prompt.speaker, prompt.role, prompt.answers) == ("Vladimir Putin", "remark", None)
    armour = doc.turns[prompt.n]
    assert armour.speaker == "Andrei Vandenko" and armour.role == "question"
    sure = turn_opening(doc, "Sure. Az okh un vey!")
    assert (sure.role, sure.answers) == ("answer", armour.n)


def test_what_finishes_a_broken_off_sentence() -> None:
    """In a one-on-one interview (TASS, 2020: "So this was your…" "Mine."), a reply of a word
    or three that finishes the interviewer's broken-off sentence makes it a question; a nod, a
    question back or a reply that breaks off itself finishes nothing. A respondent's bid to go
    on is no question of his own."""
    from communique.structure import acts
    from communique.structure.turns import completes

    assert completes("Mine.") and completes("Not only you.")
    for reply in ("Yes.", "Right.", "A what?", "Everyone can…", "-- what we have said"):
        assert not completes(reply), reply
    for prompt in ("Ok, and…?", "And?", "So?", "What else?", "And then?"):
        assert acts.prompts_on(prompt), prompt
    for question in (
        "Why hastily?",
        "And what about Syria?",
        "Honestly?",
        "Ok, and what next, war?",
    ):
        assert not acts.prompts_on(question), question


def test_requests_for_the_floor_and_announced_reports() -> None:
    """A request to make one's point is procedural, however politely it opens; a guest who
    opens by announcing a report makes a statement, unless a question waits for it."""
    from communique.structure import acts

    cases = [
        (acts.procedural, "I’m sorry, but can I make my point, Mr President, please?", True),
        (acts.procedural, "Excuse me, may I finish?", True),
        (acts.procedural, "May I say something?", True),
        (acts.procedural, "Can I continue to talk about Syria and the many problems there?", False),
        (acts.announces_report, "Mr President, I would like to report briefly on the 2018 …", True),
        (acts.announces_report, "I would like to present a brief report, Mr President. …", True),
        (acts.announces_report, "Разрешите кратко доложить о ходе работ.", True),
        (acts.announces_report, "Yes, I would like to report that it is done.", False),
    ]
    for reads, text, expected in cases:
        assert reads(text) is expected, (reads.__name__, text)


def test_direct_line_hosts_hand_over_to_the_call_centre() -> None:
    """060795, Direct Line 2019: the hosts' "Let us get back to our call centre.", "Back to the
    calls. A word from Tatyana Remezova." and "Let’s continue with our quick questions." give
    the floor (moderators, as issue 13 says of Direct Line hosts); they ask nothing themselves.
    Before, a contraction ("Let’s") or a return to the calls was not read as a floor shape."""
    doc = parse_page(KREMLIN / "060795.html.gz")
    for opening in (
        "Let us get back to our call centre.",
        "Back to the calls.",
        "Let’s continue with our quick questions.",
    ):
        turn = turn_opening(doc, opening)
        assert turn.speaker in ("Yelena Vinnik", "Pavel Zarubin"), opening
        assert turn.role == "moderator", opening
    # Remezova reads out a text message, then introduces the blogger who asks ("Roberto
    # Panchvidze, will join us by videoconference. We hope to see him on the screen right
    # now."): she hands over, he asks, the President answers him
    remezova = doc.turns[turn_opening(doc, "Back to the calls.").n]
    assert remezova.speaker == "Tatyana Remezova" and remezova.role == "moderator"
    blogger = doc.turns[remezova.n]
    assert blogger.speaker == "Roberto Panchvidze" and blogger.role == "question"
    assert doc.turns[blogger.n].answers == blogger.n


def test_a_field_report_in_a_direct_line_is_questions_and_answers() -> None:
    """060795, Direct Line 2019: the correspondent Mikhail Akinchenko interviews the head of a
    clinic in Roslavl. "How many people do you have on the staff now?" - "I cannot give you the
    exact figure. We have 13 doctors now, but we need four more." Her replies answer him. Before,
    her bare "Yes?" on being approached made her an asker, so every reply of hers was a question."""
    doc = parse_page(KREMLIN / "060795.html.gz")
    staff = turn_opening(doc, "How many people do you have on the staff now?")
    reply = doc.turns[staff.n]
    assert reply.speaker == "Natalya Mochalova" and reply.text.startswith("I cannot give you")
    assert (reply.role, reply.answers) == ("answer", staff.n)
    mochalova = [t for t in doc.turns if t.speaker == "Natalya Mochalova"]
    assert sum(t.role == "answer" for t in mochalova) >= len(mochalova) - 1  # all but "Yes?"


def test_direct_line_hosts_open_the_show_without_asking() -> None:
    """051716, Direct Line 2016: before anything is asked, the hosts introduce the programme
    among themselves ("Good afternoon. We are live with the Direct Line with Vladimir Putin
    …", "This is a joint project between Channel One and Rossiya …", "Our colleagues …",
    "The issues raised include rising prices …"). None of these asks anything, and no host
    answers another. Before, every one of them was a question and the next host's turn its
    answer."""
    doc = parse_page(KREMLIN / "051716.html.gz")
    opening = doc.turns[1:6]
    assert opening[0].text.startswith("Good afternoon. We are live with the Direct Line")
    assert opening[-1].text.startswith("The issues raised include rising prices")
    assert all(t.role in ("statement", "remark") and t.answers is None for t in opening)
    long_one = opening[-1]  # 47 words: a statement, not a remark
    assert long_one.role == "statement"


def test_a_call_centre_host_hands_over_to_a_caller_labelled_with_his_town() -> None:
    """051716, Direct Line 2016: Tatyana Remezova reads out messages about pharmacy prices and
    ends "We have Dmitry from Moscow calling us. Good afternoon, Dmitry, you are live on the
    air, please go ahead with your question." (a moderator's turn). "Dmitry, Moscow:" then
    asks ("Why is that pharmacies sell only expensive imported medicines?") and the President's
    "I do not think that there are only expensive imported drugs on pharmacy shelves …" answers
    him. Before, the town after the name read as an office, so the caller was an official and
    the President's reply a statement."""
    doc = parse_page(KREMLIN / "051716.html.gz")
    host = turn_opening(doc, "Mr President, in addition to wage arrears, medicine")
    assert host.speaker == "Tatyana Remezova" and host.role == "moderator"
    caller = doc.turns[host.n]
    assert caller.label == "Dmitry, Moscow" and caller.role == "question"
    putin = doc.turns[caller.n]
    assert putin.text.startswith("I do not think that there are only expensive imported drugs")
    assert (putin.role, putin.answers) == ("answer", caller.n)


def test_show_hand_overs_and_pleasantries() -> None:
    """The shapes a Direct Line's hosts and callers use to hand over or greet, read off the
    2016 and 2019 Direct Lines (051716, 060795)."""
    from communique.structure import acts

    floors = [
        ("Good afternoon, Dmitry, you are live on the air, please go ahead.", True),
        ("Mr Goncharov, you are on the air. Ask your question.", True),
        ("He is listening to you.", True),
        ("We are calling on the Saudis to show restraint.", False),
        ("The President is on the phone with the Prime Minister.", False),
        ("If you get on your computer you can ask him that yourself.", False),
    ]
    for text, expected in floors:
        assert any(acts.floor_sentence(s) for s in acts.sentences(text)) is expected, text
    assert acts.greets_only("Thank you. I am very glad to see you and talk to you.")
    assert acts.greets_only("Good-afternoon, Mr President.")
    assert not acts.greets_only("Thank you. I have a question about medicine.")
    assert acts.procedural("We are all ready. Shall we start?")


def test_a_journalists_preamble_and_the_word_back_are_remarks() -> None:
    """The 2017 annual news conference (056378): "Marina Volynkina, the Odarennye Deti (Gifted
    Children) online resource. Mr President, I would like to follow your example and tell a
    joke: three years ago, you and I had a child, a clever and talented child." "Vladimir Putin:
    Thank God for that. It's a gift from God." "Marina Volynkina: This was a joke, of course. ...
    On September 1, you announced a competition ...". The preamble asks nothing and the word
    back answers nothing: two remarks, and the question is the journalist's next turn."""
    doc = parse_page(KREMLIN / "056378.html.gz")
    preamble = turn_opening(doc, "Marina Volynkina, the Odarennye Deti")
    assert preamble.role == "remark"
    word = doc.turns[preamble.n]
    assert (word.text, word.role, word.answers) == ("Thank God for that. It’s a gift from God.",
                                                    "remark", None)  # fmt: skip
    question = doc.turns[word.n]
    assert question.text.startswith("This was a joke, of course.")
    assert question.role == "question"


def test_asking_colleagues_who_wants_to_add_anything_gives_the_floor() -> None:
    """Meetings with a chair (063591, 057231): "Thank you very much, Mr Turchak. Colleagues,
    does anyone want to add anything? Go ahead, please." only asks for the floor and gives it:
    the chair's turn is a moderator's, and the colleague's words after it are a report of their
    own (a statement), not an answer."""
    doc = parse_page(KREMLIN / "063591.html.gz")
    chair = turn_opening(doc, "Thank you very much, Mr Turchak.")
    assert chair.role == "moderator"
    report = doc.turns[chair.n]
    assert report.text.startswith("Mr President,") and report.role == "statement"
    doc = parse_page(KREMLIN / "057231.html.gz")
    chair = [t for t in doc.turns if "does anyone want to add anything?" in t.text]
    assert [t.role for t in chair] == ["moderator"]


def test_calls_on_the_next_journalist_in_a_news_conference() -> None:
    """Shapes the President, the chair and the hosts use to call on the next journalist or
    caller (the 2018 news conference 059455, the 2017 Direct Line 054790), and look-alikes that
    do not give the floor."""
    from communique.structure import acts

    chelyabinsk = "If it is not about the KGB then please go ahead. "
    chelyabinsk += "You are from Chelyabinsk, aren’t you?"
    sport = "Mr President, you have not taken any sports-related questions so far. Will you take "
    sport += "one from Sovietsky Sport?"
    floors = [
        ("Yes, but let several other colleagues ask their questions too.", True),
        ("The next one will be for equity holders, okay?", True),
        ("Arkady, what is your concern?", True),
        ("We are returning to the question. Can you repeat your question?", True),
        (chelyabinsk, True),
        (sport, True),
        ("Let them know what we think.", False),
        ("What is your concern about the budget, Mr Siluanov, and how will you meet it?", False),
    ]
    for text, expected in floors:
        assert acts.gives_floor(text) is expected, text


def test_a_family_on_site_replies_to_the_correspondent_in_a_field_report() -> None:
    """The 2019 Direct Line (060795), a field report from Naberezhnyye Chelny: the correspondent
    Yegor Kolyvanov asks "… Who are your guests today? Are these people your relatives?" and
    Vladimir Lyulkovich replies "This is the husband of our eldest daughter and his family …"
    before the correspondent asks on ("Do you have the same living conditions here?"). The reply
    answers the correspondent, although Lyulkovich also puts a question to the President in the
    programme. A host's "Back to the question please, Nyuta." answers nothing."""
    doc = parse_page(KREMLIN / "060795.html.gz")
    reply = turn_opening(doc, "This is the husband of our eldest daughter")
    asked = doc.turns[reply.n - 2]
    assert asked.speaker == "Yegor Kolyvanov" and "Who are your guests today?" in asked.text
    assert (reply.role, reply.answers) == ("answer", asked.n)
    assert turn_opening(doc, "Back to the question please, Nyuta.").role != "answer"


def test_a_forum_hosts_hand_overs() -> None:
    """How the host of a plenary session or a youth forum hands the floor over (the 2019 St
    Petersburg forum 060707, the Tavrida forum 055376), and look-alikes that do not."""
    from communique.structure import acts

    floors = [
        ("Thank you, President Xi.\n\nPresident Radev, please.", True),
        ("Thank you for your wonderful speech.\n\nMr Pashinyan, you are next, please.", True),
        ("I would like to give Svetlana the opportunity to ask her question.", True),
        ("I suggest that you speak, Georgy, if you have no objections.", True),
        ("Dima, would you like to say something about the theatre?", True),
        ("More questions? Maybe the poets have questions?", True),
        ("The last question then.", True),
        ("Let us pass the mike over there and give them a chance to ask their questions.", True),
        ("Thank you, please.", False),
        ("The last question was about the budget.", False),
        ("They do not give us a chance to breathe.", False),
        ("I’m going to let him speak for himself tomorrow.", False),
    ]
    for text, expected in floors:
        assert acts.gives_floor(text) is expected, text


def test_greetings_on_a_visit_and_a_request_for_a_photo_are_small_talk() -> None:
    """On a visit to a plant (056635): "Good afternoon. How are you faring here at the plant?"
    "Very well, thank you." greet, and "Mr President, can we have a group photo?" asks for
    nothing of substance: in a conversation all three are remarks (acts), while a question
    that only opens like a greeting still asks."""
    from communique.structure import acts

    assert acts.greets_only("Good afternoon. How are you faring here at the plant?")
    assert acts.greets_only("Very well, thank you.")
    assert not acts.greets_only("How are things with the budget, and when will you report?")
    assert not acts.greets_only("Very well.")
    assert acts.procedural("Mr President, can we have a group photo?")


def test_a_participants_request_to_the_president_asks() -> None:
    """Requests at a youth forum (055376) that carry no question mark still ask for an action
    or an opinion; a report that only informs does not."""
    from communique.structure import acts

    asked = [
        "We had a year of culture, a year of literature, a year of cinema, but not a year of "
        "music. We would like to ask you to support the idea of holding the Year of Music in "
        "2019. Thank you.",
        "If we do this, we will have a new generation of free and open people. Please, consider "
        "this, think about adding a new subject, Acting. Thank you.",
        "We have launched the centre. I would be very interested in your opinion.",
    ]
    for text in asked:
        assert acts.asks(text), text
    assert not acts.asks("We have launched the centre. It has been very interesting for us.")
