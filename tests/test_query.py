"""The search language: query text to tree and filters, and every error with its position."""

from __future__ import annotations

import pytest

from communique.search.ast import (
    And,
    Filters,
    MatchAll,
    Near,
    Node,
    Not,
    Or,
    Phrase,
    Prefix,
    Query,
    QueryError,
    Term,
)
from communique.search.query import parse_query


def T(text: str) -> Term:
    return Term(text)


def P(*words: str) -> Phrase:
    return Phrase(words)


def node(text: str) -> Node:
    return parse_query(text).node


# ----------------------------------------------------------------------------- the issue's examples


def test_issue_example_csto() -> None:
    assert parse_query('CSTO "peacekeeping" -NATO') == Query(
        And((T("CSTO"), P("peacekeeping"), Not(T("NATO"))))
    )


def test_prefix() -> None:
    assert node("sovereign*") == Prefix("sovereign")
    assert node("санкц*") == Prefix("санкц")
    assert node("sovereign*,") == Prefix("sovereign")
    assert node("sovereign**") == Prefix("sovereign")
    assert node("ab*") == Prefix("ab")


def test_group_or_and() -> None:
    assert node("(sanctions OR санкции) AND EU") == And(
        (Or((T("sanctions"), T("санкции"))), T("EU"))
    )


def test_near() -> None:
    assert node("a NEAR/5 b") == Near(T("a"), T("b"), 5)
    assert node('"foreign minister" NEAR/3 Lavrov') == Near(
        P("foreign", "minister"), T("Lavrov"), 3
    )
    assert node("sanction* NEAR/10 (EU OR ЕС)") == Near(
        Prefix("sanction"), Or((T("EU"), T("ЕС"))), 10
    )
    assert node("(a NEAR/5 b) NEAR/2 c") == Near(Near(T("a"), T("b"), 5), T("c"), 2)
    assert node("a NEAR/1000 b") == Near(T("a"), T("b"), 1000)


def test_all_filters() -> None:
    q = parse_query(
        "speaker:lavrov role:answer kind:briefing lang:ru publisher:kremlin.ru "
        "date:2014-01..2014-12 sanctions"
    )
    assert q == Query(
        T("sanctions"),
        Filters(
            speaker=("lavrov",),
            role=("answer",),
            kind=("briefing",),
            lang=("ru",),
            publisher=("kremlin.ru",),
            date_from="2014-01-01",
            date_to="2014-12-31",
        ),
    )


def test_chinese() -> None:
    assert node('外交部 "一带一路"') == And((T("外交部"), P("一带一路")))
    assert node("外交部发言人，") == T("外交部发言人")
    # full-width parentheses group like ASCII ones
    assert node("（制裁 OR 禁运） 外交部") == And((Or((T("制裁"), T("禁运"))), T("外交部")))


# ----------------------------------------------------------------------------- words and phrases


def test_words_keep_case_and_yo() -> None:
    assert node("Ёлка NATO") == And((T("Ёлка"), T("NATO")))


def test_surrounding_punctuation_is_stripped() -> None:
    assert node("sanctions, EU. (Russia)") == And((T("sanctions"), T("EU"), T("Russia")))
    assert node("'Lavrov’s' U.S.") == And((T("Lavrov’s"), T("U.S")))
    assert node("peace-keeping") == T("peace-keeping")
    assert node("sanctions , EU") == And((T("sanctions"), T("EU")))  # a lone comma is no word


def test_lowercase_operators_are_words() -> None:
    assert node("war and peace or not") == And((T("war"), T("and"), T("peace"), T("or"), T("not")))
    assert node("near/5") == T("near/5")


def test_colon_words_that_are_not_filters() -> None:
    assert node("10:30") == T("10:30")
    assert node("http://x") == T("http://x")
    assert node("https://kremlin.ru/events/52830") == T("https://kremlin.ru/events/52830")
    assert node("Lavrov: sanctions") == And((T("Lavrov"), T("sanctions")))
    assert node('"foo:bar"') == P("foo:bar")


def test_phrases() -> None:
    assert node('"exact  phrase"') == P("exact", "phrase")
    assert node('"war AND peace"') == P("war", "AND", "peace")  # operators are words in quotes
    assert node('"Lavrov , Kerry"') == P("Lavrov", "Kerry")
    assert node('"a"b') == And((P("a"), T("b")))
    # typographic quotes, as pasted from a word processor
    assert node("“sanctions regime” «санкции» „Sanktionen“") == And(
        (P("sanctions", "regime"), P("санкции"), P("Sanktionen"))
    )


# ----------------------------------------------------------------------------- operators


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a b OR c", Or((And((T("a"), T("b"))), T("c")))),
        ("a OR b c", Or((T("a"), And((T("b"), T("c")))))),
        ("a AND b OR c AND d", Or((And((T("a"), T("b"))), And((T("c"), T("d")))))),
        ("a OR b AND c", Or((T("a"), And((T("b"), T("c")))))),
        ("NOT a b", And((Not(T("a")), T("b")))),
        ("b NOT a", And((T("b"), Not(T("a"))))),
        ("b AND NOT a", And((T("b"), Not(T("a"))))),
        ("a NEAR/5 b c", And((Near(T("a"), T("b"), 5), T("c")))),
        ("a OR b NEAR/3 c", Or((T("a"), Near(T("b"), T("c"), 3)))),
        ("(a OR b) NEAR/5 c", Near(Or((T("a"), T("b"))), T("c"), 5)),
        ("-(a OR b) c", And((Not(Or((T("a"), T("b")))), T("c")))),
        ('-"a b" c', And((Not(P("a", "b")), T("c")))),
        ("c -(a NEAR/5 b)", And((T("c"), Not(Near(T("a"), T("b"), 5))))),
        ("a -(b -c)", And((T("a"), Not(And((T("b"), Not(T("c")))))))),
        ("a (b OR c)", And((T("a"), Or((T("b"), T("c")))))),
        ("(a OR b)(c OR d)", And((Or((T("a"), T("b"))), Or((T("c"), T("d")))))),
        # same operators nested are flattened
        ("a (b c)", And((T("a"), T("b"), T("c")))),
        ("a OR (b OR c)", Or((T("a"), T("b"), T("c")))),
        ("((a))", T("a")),
    ],
)
def test_precedence(text: str, expected: object) -> None:
    assert node(text) == expected


# ----------------------------------------------------------------------------- filters


def test_filters_only_match_all() -> None:
    q = parse_query('speaker:"Sergey  Lavrov" speaker:putin')
    assert q == Query(MatchAll(), Filters(speaker=("Sergey Lavrov", "putin")))
    assert parse_query("(kind:briefing)") == Query(MatchAll(), Filters(kind=("briefing",)))


def test_filters_anywhere_and_in_groups() -> None:
    q = parse_query("sanctions speaker:lavrov EU (role:answer Crimea)")
    assert q.node == And((T("sanctions"), T("EU"), T("Crimea")))
    assert q.filters == Filters(speaker=("lavrov",), role=("answer",))
    q = parse_query("sanctions AND speaker:lavrov")
    assert q == Query(T("sanctions"), Filters(speaker=("lavrov",)))


def test_filters_with_only_negated_text() -> None:
    q = parse_query("speaker:lavrov -NATO")
    assert q == Query(Not(T("NATO")), Filters(speaker=("lavrov",)))
    q = parse_query("kind:briefing -NATO -EU")
    assert q.node == And((Not(T("NATO")), Not(T("EU"))))


def test_filter_values() -> None:
    f = parse_query(
        "Speaker:Lavrov ROLE:Answer kind:press-conference lang:RU publisher:Kremlin.ru "
        "doc:kremlin-en-52830 role:question role:answer speaker:lavrov, lang:zh"
    ).filters
    assert f.speaker == ("Lavrov", "lavrov")  # speaker names as typed; the index folds case
    assert f.role == ("answer", "question")  # duplicates dropped
    assert f.kind == ("press_conference",)
    assert f.lang == ("ru", "zh")
    assert f.publisher == ("kremlin.ru",)
    assert f.doc == ("kremlin-en-52830",)
    assert parse_query('kind:"press conference"').filters.kind == ("press_conference",)


@pytest.mark.parametrize(
    ("value", "date_from", "date_to"),
    [
        ("2014", "2014-01-01", "2014-12-31"),
        ("2014-05", "2014-05-01", "2014-05-31"),
        ("2014-02", "2014-02-01", "2014-02-28"),
        ("2016-02", "2016-02-01", "2016-02-29"),
        ("2014-05-06", "2014-05-06", "2014-05-06"),
        ("2014-5-6", "2014-05-06", "2014-05-06"),
        ("2014-01..2014-12", "2014-01-01", "2014-12-31"),
        ("2014-04..2014-06", "2014-04-01", "2014-06-30"),
        ("2014..2016-02-03", "2014-01-01", "2016-02-03"),
        ("2014..", "2014-01-01", None),
        ("..2015-06", None, "2015-06-30"),
        ("2014-05..2014-05", "2014-05-01", "2014-05-31"),
    ],
)
def test_dates(value: str, date_from: str | None, date_to: str | None) -> None:
    f = parse_query(f"date:{value}").filters
    assert (f.date_from, f.date_to) == (date_from, date_to)


# ----------------------------------------------------------------------------- errors


def error(text: str) -> QueryError:
    with pytest.raises(QueryError) as info:
        parse_query(text)
    return info.value


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        # empty
        ("", "empty query", 0),
        ("   ", "empty query", 0),
        (", ;", "empty query", 0),
        # parentheses
        ("(sanctions OR EU", "this ( is never closed: add a ) to close it, or remove it", 0),
        ("a AND (b", "this ( is never closed", 6),
        ("((a)", "this ( is never closed", 0),
        ("sanctions OR EU)", "this ) has no matching (: add a ( to open it, or remove it", 15),
        (") a", "this ) has no matching (", 0),
        ("(a))", "this ) has no matching (", 3),
        ("a ()", "empty parentheses: put words inside, or remove them", 2),
        # quotes
        ('sanctions "peace keeping', 'this " is never closed: add a closing " at the end', 10),
        ("«санкции", "this « is never closed", 0),
        ('a ""', "empty phrase: put words between the quotes, or remove them", 2),
        ('a " , "', "empty phrase", 2),
        # dangling operators
        (
            "sanctions AND",
            "AND at the end of the query has nothing after it: put a word after AND",
            10,
        ),
        ("sanctions OR", "OR at the end of the query has nothing after it", 10),
        (
            "sanctions NOT",
            "NOT at the end of the query has nothing after it: put what to exclude",
            10,
        ),
        ("sanctions -", "- at the end of the query has nothing after it: put what to exclude", 10),
        ("sanctions - ", "- at the end of the query", 10),
        ("(a AND)", "AND just before ) has nothing after it: put a word after AND", 3),
        ("(a OR )", "OR just before ) has nothing after it", 3),
        ("(a NOT)", "NOT just before ) has nothing after it", 3),
        ("(a -)", "- just before ) has nothing after it", 3),
        ("OR sanctions", "OR at the start of the query has nothing before it", 0),
        ("AND sanctions", "AND at the start of the query has nothing before it", 0),
        ("a (OR b)", "OR at the start of a group has nothing before it", 3),
        ("a AND AND b", "AND right after AND: two operators in a row", 6),
        ("a AND OR b", "OR right after AND: two operators in a row", 6),
        ("a OR OR b", "OR right after OR", 5),
        ("NOT AND a", "AND right after NOT", 4),
        ("a - b", "put - directly before what it excludes, without a space", 2),
        ("a -, b", 'put the word, "phrase" or (group) to exclude directly after -', 2),
        # negation
        ("-NATO", "a query needs at least one word or filter that is not negated", 0),
        ("  NOT NATO -EU", "a query needs at least one word or filter that is not negated", 2),
        ("NOT NOT a", "NOT negates something already negated: remove both negations", 0),
        ("a --b", "- negates something already negated", 2),
        ("a -(-b -c)", "- negates something already negated", 2),
        ("sanctions OR -NATO", "each side of OR needs a word that is not negated", 13),
        ("a OR (NOT b)", "each side of OR needs a word that is not negated", 5),
        # NEAR
        ("a NEAR b", "NEAR needs a distance in words: write a NEAR/5 b", 2),
        ("a NEAR/0 b", "NEAR/0: the distance must be at least 1", 2),
        ("a NEAR/x b", "NEAR/x: the distance after NEAR/ must be a whole number of words", 2),
        ("a NEAR/ b", "NEAR/: the distance after NEAR/ must be a whole number", 2),
        ("a NEAR/5x b", "NEAR/5x: the distance after NEAR/ must be a whole number", 2),
        ("a NEAR/1001 b", "NEAR/1001: the distance can be at most 1000 words", 2),
        ("a NEAR/5", "NEAR/5 at the end of the query has nothing after it", 2),
        ("NEAR/5 b", "NEAR/5 at the start of the query has nothing before it", 0),
        ("(a NEAR/5) b", "NEAR/5 just before ) has nothing after it", 3),
        ("a NEAR/5 OR b", "OR right after NEAR/5: two operators in a row", 9),
        ("a NEAR/5 b NEAR/3 c", "NEAR joins two single words, phrases or groups", 11),
        ("a NEAR/5 -b", "NEAR cannot take a negated word", 9),
        ("NOT a NEAR/5 b", "NEAR cannot take a negated word", 0),
        # prefix
        ("*", "* on its own would match every word: put at least 2 letters before it", 0),
        ("sanctions *", "* on its own would match every word", 10),
        ("a*", "a* is too short: put at least 2 letters before *", 0),
        ("EU a* b", "a* is too short", 3),
        ("外*", "外* is too short", 0),
        ("sov*reign", "* can only come at the end of a word", 3),
        ("*reign", "* can only come at the end of a word", 0),
        ('"foreign minist"*', '* does not work on a "phrase"', 16),
        ('"foreign minist*"', "* does not work inside quotes", 15),
        # filter values
        ("role:answerz", "role:answerz is not a role: use one of question, answer, statement", 5),
        ("kind:presser", "kind:presser is not a kind: use one of interview, press_conference", 5),
        ("lang:eng", "lang:eng: use a two-letter language code such as en, ru or zh", 5),
        ("lang:ру", "lang:ру: use a two-letter language code", 5),
        ("doc:kremlin_52830", "doc:kremlin_52830: a document id has only letters, digits", 4),
        ("speaker: lavrov", "speaker: needs a value right after the colon (no space)", 0),
        ('x speaker:""', "speaker: needs a value", 2),
        ('speaker:"Lavrov', 'this " is never closed', 8),
        ("speaker:lav*", "* does not work in filters", 8),
        (
            "date:2014/05",
            "date:2014/05 is not a date: write a date as YYYY, YYYY-MM or YYYY-MM-DD",
            5,
        ),
        ("date:14", "date:14 is not a date", 5),
        ("date:2014-13", "date:2014-13: there is no month 13", 5),
        ("date:2014-02-30", "date:2014-02-30: there is no such day", 5),
        ("date:2014..2014-02-30", "date:2014-02-30: there is no such day", 11),
        ("date:2015..2014", "date:2015..2014: the range ends before it starts", 5),
        ("date:..", "date:.. has no date", 5),
        ("date:2014...2015", "date:.2015 is not a date", 11),
        ("date:2014 a date:2016", "a query can have only one date filter", 12),
        # unknown fields
        (
            "sanctions foo:bar",
            'unknown field "foo:": the fields are speaker, role, kind, lang, publisher, doc, '
            'date, entity, uncertain; to search for the text itself, put it in quotes: "foo:bar"',
            10,
        ),
        ('Speakers:"Lavrov"', 'unknown field "Speakers:"', 0),
        # filters where they cannot go
        ("speaker:lavrov OR sanctions", "speaker:lavrov cannot be combined with OR", 0),
        ("a OR (b role:answer)", "role:answer cannot be combined with OR", 8),
        ("(speaker:lavrov OR speaker:putin) a", "speaker:lavrov cannot be combined with OR", 1),
        ("a -speaker:lavrov", "speaker:lavrov cannot be negated: filters restrict the whole", 3),
        ("a NOT kind:briefing", "kind:briefing cannot be negated", 6),
        ("a -(b lang:ru)", "lang:ru cannot be negated", 6),
        ("speaker:lavrov NEAR/5 a", "speaker:lavrov cannot be used with NEAR/5", 0),
    ],
)
def test_errors(text: str, message: str, position: int) -> None:
    e = error(text)
    assert str(e).startswith(message), str(e)
    assert e.position == position
    assert e.query == text


def test_error_shows_query_and_caret() -> None:
    e = error("sanctions AND")
    assert str(e).splitlines()[1:] == ["  sanctions AND", "            ^"]


def test_first_error_in_text_order() -> None:
    # the parser stops at the first problem, even when a later one is found while reading
    assert error('OR a "unclosed').position == 0
    assert error('a AND AND "unclosed').position == 6
    assert error('a "unclosed OR').position == 2
