"""The search language: query text -> :class:`~communique.search.ast.Query`.

A hand-written tokenizer and recursive-descent parser (the language, for researchers, is in
``docs/query.md``). Grammar, loosest binding first::

    query    = or_expr
    or_expr  = and_expr { "OR" and_expr }
    and_expr = near { [ "AND" ] near }            (no operator = AND)
    near     = unary [ "NEAR/n" unary ]           (no chains: a NEAR/5 b NEAR/5 c is an error)
    unary    = ( "NOT" | "-" ) unary | primary
    primary  = word | prefix* | "phrase" | field:value | "(" or_expr ")"

Field filters are taken out of the tree into :class:`Filters`; they may only be AND-ed with
the rest (never negated, OR-ed or used with NEAR). Every error is a :class:`QueryError` with
the 0-based position of the offending token.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from typing import Any, NamedTuple

from communique.enrich.entities import lookup as lookup_entity
from communique.model import KINDS, ROLES
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
from communique.structure.doubts import REASONS as ROLE_DOUBTS

FIELDS: tuple[str, ...] = (
    "speaker", "role", "kind", "lang", "publisher", "doc", "date", "entity", "uncertain",
)  # fmt: skip
UNCERTAIN = ("no", "yes", *ROLE_DOUBTS)  # uncertain: values (Turn.role_uncertain)
MAX_NEAR = 1000  # largest NEAR/n distance accepted
MAX_DEPTH = 32  # deepest nesting of parentheses and negations accepted

_QUOTE_OPEN = '"“„«'
_QUOTE_CLOSE = '"”“»'
_SCAN = re.compile(
    r'\s*(?:(?P<open>[(（])|(?P<close>[)）])|(?P<quote>["“„«])|(?P<chunk>[^\s()（）"“„«]+))'
)
_CLOSE_RE = re.compile(r'["”“»]')
_NONSPACE_RE = re.compile(r"\S+")
_FIELD_RE = re.compile(r"([A-Za-z]+):")
_DATE_RE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_DOC_RE = re.compile(r"[a-z0-9-]+")
_OPERAND = frozenset({"word", "prefix", "phrase", "filter", "(", "NOT"})

_EXAMPLES = {
    "speaker": 'speaker:lavrov or speaker:"Sergey Lavrov"',
    "role": "role:answer",
    "kind": "kind:briefing",
    "lang": "lang:ru",
    "publisher": "publisher:kremlin.ru",
    "doc": "doc:kremlin-en-52830",
    "date": "date:2014",
    "entity": 'entity:KZ, entity:Kazakhstan, entity:EAEU or entity:"Eurasian Economic Union"',
    "uncertain": "uncertain:no (only roles that read one way), uncertain:yes",
}
_DATE_HELP = (
    "write a date as YYYY, YYYY-MM or YYYY-MM-DD, or a range such as "
    "date:2014-01..2014-12, date:2014.. or date:..2015-06"
)


class _Tok(NamedTuple):
    """A token: ``kind`` is word/prefix/phrase/filter/(/)/AND/OR/NOT/NEAR/end/error."""

    kind: str
    pos: int
    end: int
    value: Any = None


# ----------------------------------------------------------------------------- tokenizer


def _is_punct(c: str) -> bool:
    """Punctuation, symbols and invisible format characters (stripped from word edges)."""
    if c.isalnum():
        return False
    cat = unicodedata.category(c)
    return cat[0] in "PS" or cat in ("Cc", "Cf")


def _edges(s: str, keep: str = "") -> tuple[int, int]:
    """Bounds of ``s`` without surrounding punctuation (characters in ``keep`` stay)."""
    a, b = 0, len(s)
    while a < b and s[a] not in keep and _is_punct(s[a]):
        a += 1
    while b > a and s[b - 1] not in keep and _is_punct(s[b - 1]):
        b -= 1
    return a, b


def _read_quoted(text: str, q: int) -> tuple[str, int]:
    """The text between the quote at ``q`` and its closing quote, and the index after it."""
    m = _CLOSE_RE.search(text, q + 1)
    if m is None:
        raise QueryError(
            f'this {text[q]} is never closed: add a closing " at the end of the phrase',
            text,
            q,
        )
    return text[q + 1 : m.start()], m.end()


def _phrase_words(text: str, content: str, start: int) -> tuple[str, ...]:
    """The words of a phrase as typed (words without a letter or digit are dropped)."""
    words = []
    for m in _NONSPACE_RE.finditer(content):
        w = m.group()
        if w.endswith("*"):
            raise QueryError(
                '* does not work inside quotes: a "phrase" matches exact words; to find word '
                "beginnings, use * on a single word outside quotes: minist*",
                text,
                start + m.end() - 1,
            )
        if any(c.isalnum() for c in w):
            words.append(w)
    return tuple(words)


def _tokenize(text: str) -> list[_Tok]:
    """Tokens, ending with ``end``, or with ``error`` where the text cannot be read.

    A tokenizer error becomes a token so that the parser reports problems in text order.
    """
    toks: list[_Tok] = []
    i = 0
    try:
        while (m := _SCAN.match(text, i)) is not None:
            kind = m.lastgroup or ""
            p = m.start(kind)
            i = m.end()
            if kind == "open":
                toks.append(_Tok("(", p, i))
            elif kind == "close":
                toks.append(_Tok(")", p, i))
            elif kind == "quote":
                content, i = _read_quoted(text, p)
                words = _phrase_words(text, content, p + 1)
                if not words:
                    raise QueryError(
                        "empty phrase: put words between the quotes, or remove them", text, p
                    )
                toks.append(_Tok("phrase", p, i, words))
            else:
                i = _chunk(text, p, i, toks)
    except QueryError as e:
        toks.append(_Tok("error", e.position, e.position, e))
    else:
        toks.append(_Tok("end", len(text), len(text)))
    return toks


def _chunk(text: str, p: int, end: int, toks: list[_Tok]) -> int:
    """Tokens of one run of text without spaces, parentheses or quotes; returns where to go on."""
    s = text[p:end]
    negated = False
    while s.startswith("-"):
        toks.append(_Tok("NOT", p, p + 1, "-"))
        negated = True
        s, p = s[1:], p + 1
    if negated and not s:
        if end < len(text) and text[end] in _QUOTE_OPEN + "(（":
            return end  # -"phrase", -(group)
        rest = text[end:].lstrip()
        if rest and rest[0] not in ")）":
            raise QueryError(
                "put - directly before what it excludes, without a space: -NATO", text, p - 1
            )
        return end  # dangling: the parser explains
    if not negated:
        if s in ("AND", "OR", "NOT"):
            toks.append(_Tok(s, p, end, s))
            return end
        if s == "NEAR" or s.startswith("NEAR/"):
            toks.append(_near(text, s, p, end))
            return end
    m = _FIELD_RE.match(s)
    if m is not None:
        name = m.group(1).lower()
        raw = s[m.end() :]
        quoted = not raw and end < len(text) and text[end] in _QUOTE_OPEN
        if name in FIELDS:
            return _filter(text, name, raw, p, p + m.end(), end, toks)
        if quoted or (raw and raw[0].isalnum()):
            example = s if raw else f"{s}..."
            raise QueryError(
                f'unknown field "{m.group(1)}:": the fields are {", ".join(FIELDS)}; to search '
                f'for the text itself, put it in quotes: "{example}"',
                text,
                p,
            )
    if not _word(text, s, p, toks) and negated:
        raise QueryError(
            'put the word, "phrase" or (group) to exclude directly after -, e.g. -NATO',
            text,
            p - 1,
        )
    return end


def _near(text: str, s: str, p: int, end: int) -> _Tok:
    """The ``NEAR/n`` operator token, or an error explaining how to write it."""
    if s == "NEAR":
        raise QueryError(
            "NEAR needs a distance in words: write a NEAR/5 b to find a and b at most "
            "5 words apart",
            text,
            p,
        )
    digits = s[5:]
    if not (digits.isascii() and digits.isdigit()):
        raise QueryError(
            f"{s}: the distance after NEAR/ must be a whole number of words, e.g. NEAR/5",
            text,
            p,
        )
    n = int(digits)
    if n < 1:
        raise QueryError(f"{s}: the distance must be at least 1, e.g. NEAR/5", text, p)
    if n > MAX_NEAR:
        raise QueryError(f"{s}: the distance can be at most {MAX_NEAR} words", text, p)
    return _Tok("NEAR", p, end, n)


def _word(text: str, s: str, p: int, toks: list[_Tok]) -> bool:
    """A word or ``prefix*`` token; False if ``s`` is only punctuation (nothing to search)."""
    a, b = _edges(s, keep="*")
    t = s[a:b]
    if "*" not in t:
        a, b = _edges(s)
        if a == b:
            return False
        toks.append(_Tok("word", p + a, p + b, s[a:b]))
        return True
    body = t.rstrip("*")
    if "*" in body:
        raise QueryError(
            "* can only come at the end of a word: sovereign* finds sovereign, sovereignty, ...",
            text,
            p + a + body.index("*"),
        )
    ca, cb = _edges(body)
    core = body[ca:cb]
    if not core and p + a > 0 and text[p + a - 1] in _QUOTE_CLOSE:
        raise QueryError(
            '* does not work on a "phrase": a phrase matches exact words; to find word '
            "beginnings, use * on single words outside quotes: minist*",
            text,
            p + a,
        )
    if not core:
        raise QueryError(
            "* on its own would match every word: put at least 2 letters before it, "
            "e.g. sovereign*",
            text,
            p + a,
        )
    if len(core) < 2:
        raise QueryError(
            f"{core}* is too short: put at least 2 letters before *, e.g. sovereign*",
            text,
            p + a,
        )
    toks.append(_Tok("prefix", p + a, p + b, core))
    return True


def _filter(text: str, name: str, raw: str, p: int, vpos: int, end: int, toks: list[_Tok]) -> int:
    """A ``field:value`` token with its value checked; returns where to go on."""
    if raw:
        if name == "date":
            value = raw.rstrip(",;")
        else:
            a, b = _edges(raw, keep="*")
            value, vpos = raw[a:b], vpos + a
    elif end < len(text) and text[end] in _QUOTE_OPEN:
        content, end_q = _read_quoted(text, end)
        value, vpos, end = " ".join(content.split()), end, end_q
    else:
        value = ""
    if not value:
        raise QueryError(
            f"{name}: needs a value right after the colon (no space), e.g. {_EXAMPLES[name]}",
            text,
            p,
        )
    if "*" in value:
        raise QueryError(f"* does not work in filters: {name}: takes a whole value", text, vpos)
    toks.append(_Tok("filter", p, end, (name, _filter_value(text, name, value, vpos))))
    return end


def _filter_value(text: str, name: str, value: str, vpos: int) -> str | tuple[str | None, ...]:
    """The value as stored in :class:`Filters` (a pair of bounds for ``date``), or an error."""
    if name == "speaker":
        return value
    if name == "date":
        return _date_range(text, value, vpos)
    if name == "entity":
        found = lookup_entity(value)
        if found is None:
            raise QueryError(
                f"entity:{value} names no country or organisation this archive knows: use a "
                f"name, an acronym or an ISO code, e.g. {_EXAMPLES['entity']}",
                text,
                vpos,
            )
        return found
    v = value.lower()
    if name == "role":
        if v not in ROLES:
            raise QueryError(
                f"{name}:{value} is not a role: use one of {', '.join(ROLES)}", text, vpos
            )
    elif name == "kind":
        v = v.replace("-", "_").replace(" ", "_")
        if v not in KINDS:
            raise QueryError(
                f"{name}:{value} is not a kind: use one of {', '.join(KINDS)}", text, vpos
            )
    elif name == "lang":
        if not (len(v) == 2 and v.isascii() and v.isalpha()):
            raise QueryError(
                f"lang:{value}: use a two-letter language code such as en, ru or zh", text, vpos
            )
    elif name == "uncertain" and v not in UNCERTAIN:
        raise QueryError(
            f"uncertain:{value}: use no (roles that read one way), yes (roles flagged as reading "
            f"two ways) or a reason: {', '.join(ROLE_DOUBTS)}",
            text,
            vpos,
        )
    elif name == "doc" and _DOC_RE.fullmatch(v) is None:
        raise QueryError(
            f"doc:{value}: a document id has only letters, digits and hyphens, "
            "e.g. doc:kremlin-en-52830",
            text,
            vpos,
        )
    return v


def _date_bound(text: str, s: str, vpos: int, last: bool) -> str:
    """``YYYY[-MM[-DD]]`` as the first (or, with ``last``, the last) day it covers."""
    m = _DATE_RE.fullmatch(s)
    if m is None:
        raise QueryError(f"date:{s} is not a date: {_DATE_HELP}", text, vpos)
    year = int(m.group(1))
    month = int(m.group(2)) if m.group(2) else None
    day = int(m.group(3)) if m.group(3) else None
    if month is not None and not 1 <= month <= 12:
        raise QueryError(f"date:{s}: there is no month {month}; months are 1 to 12", text, vpos)
    if month is None:
        month = 12 if last else 1
    days = calendar.monthrange(year, month)[1]
    if day is not None and not 1 <= day <= days:
        raise QueryError(f"date:{s}: there is no such day", text, vpos)
    if day is None:
        day = days if last else 1
    return f"{year:04d}-{month:02d}-{day:02d}"


def _date_range(text: str, value: str, vpos: int) -> tuple[str | None, str | None]:
    """Inclusive ``(from, to)`` bounds of a ``date:`` value; either may be open (None)."""
    if ".." not in value:
        return _date_bound(text, value, vpos, False), _date_bound(text, value, vpos, True)
    lo_s, hi_s = value.split("..", 1)
    if not (lo_s or hi_s):
        raise QueryError(f"date:{value} has no date: {_DATE_HELP}", text, vpos)
    lo = _date_bound(text, lo_s, vpos, False) if lo_s else None
    hi = _date_bound(text, hi_s, vpos + len(lo_s) + 2, True) if hi_s else None
    if lo and hi and lo > hi:
        raise QueryError(
            f"date:{value}: the range ends before it starts; put the earlier date first",
            text,
            vpos,
        )
    return lo, hi


# ----------------------------------------------------------------------------- parser


class _Part:
    """A parsed piece: its node (None if only filters), start, positivity and filters."""

    __slots__ = ("filters", "node", "pos", "positive")

    def __init__(self, node: Node | None, pos: int, positive: bool, filters: list[_Tok]) -> None:
        self.node = node
        self.pos = pos
        self.positive = positive  # matches something by itself (a word or filter not negated)
        self.filters = filters


_FILTER_RESTRICTS = "filters restrict the whole query"


class _Parser:
    """Recursive descent over the token list; one method per grammar rule."""

    __slots__ = ("depth", "i", "text", "toks")

    def __init__(self, text: str, toks: list[_Tok]) -> None:
        self.text = text
        self.toks = toks
        self.i = 0
        self.depth = 0  # open parentheses and negations around the current token

    def deeper(self, t: _Tok) -> None:
        """Enter a group or a negation; past MAX_DEPTH the query is refused (a pointed error,
        never a recursion error)."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(
                f"the query nests parentheses or negations more than {MAX_DEPTH} deep: "
                "remove the extra levels (they do not change what it finds)",
                t.pos,
            )

    def peek(self) -> _Tok:
        t = self.toks[self.i]
        if t.kind == "error":
            raise t.value
        return t

    def take(self) -> _Tok:
        t = self.peek()
        self.i += 1
        return t

    def error(self, message: str, pos: int) -> QueryError:
        return QueryError(message, self.text, pos)

    def src(self, t: _Tok) -> str:
        return self.text[t.pos : t.end]

    def parse_or(self, after: _Tok | None) -> _Part:
        parts = [self.parse_and(after)]
        while self.peek().kind == "OR":
            op = self.take()
            parts.append(self.parse_and(op))
        if len(parts) == 1:
            return parts[0]
        children: list[Node] = []
        for part in parts:
            if part.filters:
                f = part.filters[0]
                raise self.error(
                    f"{self.src(f)} cannot be combined with OR: {_FILTER_RESTRICTS}; to allow "
                    "several values write them side by side (speaker:lavrov speaker:putin "
                    "finds either)",
                    f.pos,
                )
            if not part.positive:
                raise self.error(
                    "each side of OR needs a word that is not negated (a OR -b would match "
                    "almost everything); to exclude a word, write it outside the OR: "
                    "(a OR b) -c",
                    part.pos,
                )
            assert part.node is not None
            children.extend(part.node.children if isinstance(part.node, Or) else (part.node,))
        return _Part(Or(tuple(children)), parts[0].pos, True, [])

    def parse_and(self, after: _Tok | None) -> _Part:
        parts = [self.parse_near(after)]
        while True:
            t = self.peek()
            if t.kind == "AND":
                self.take()
                parts.append(self.parse_near(t))
            elif t.kind in _OPERAND:
                parts.append(self.parse_near(None))
            else:
                break
        if len(parts) == 1:
            return parts[0]
        nodes: list[Node] = []
        filters: list[_Tok] = []
        for part in parts:
            filters += part.filters
            if part.node is not None:
                nodes.extend(part.node.children if isinstance(part.node, And) else (part.node,))
        node: Node | None = None
        if len(nodes) == 1:
            node = nodes[0]
        elif nodes:
            node = And(tuple(nodes))
        return _Part(node, parts[0].pos, any(p.positive for p in parts), filters)

    def parse_near(self, after: _Tok | None) -> _Part:
        left = self.parse_unary(after)
        op = self.peek()
        if op.kind != "NEAR":
            return left
        self.take()
        self.near_operand(left, op)
        right = self.parse_unary(op)
        self.near_operand(right, op)
        nxt = self.peek()
        if nxt.kind == "NEAR":
            raise self.error(
                "NEAR joins two single words, phrases or groups: put parentheses around one "
                "pair, e.g. (a NEAR/5 b) NEAR/5 c",
                nxt.pos,
            )
        assert left.node is not None and right.node is not None
        return _Part(Near(left.node, right.node, op.value), left.pos, True, [])

    def near_operand(self, part: _Part, op: _Tok) -> None:
        """Check one side of NEAR: no filters, not negated."""
        if part.filters:
            f = part.filters[0]
            raise self.error(
                f"{self.src(f)} cannot be used with {self.src(op)}: {_FILTER_RESTRICTS}; "
                "move it out of the NEAR",
                f.pos,
            )
        if not part.positive:
            raise self.error(
                "NEAR cannot take a negated word: to leave out texts where two words are near "
                "each other, negate the whole, e.g. -(a NEAR/5 b)",
                part.pos,
            )

    def parse_unary(self, after: _Tok | None) -> _Part:
        op = self.peek()
        if op.kind != "NOT":
            return self.parse_primary(after)
        self.take()
        self.deeper(op)
        inner = self.parse_unary(op)
        self.depth -= 1
        if inner.filters:
            f = inner.filters[0]
            raise self.error(
                f"{self.src(f)} cannot be negated: {_FILTER_RESTRICTS}; remove the "
                f"{self.src(op)} before it",
                f.pos,
            )
        if not inner.positive:
            raise self.error(
                f"{self.src(op)} negates something already negated: remove both negations",
                op.pos,
            )
        assert inner.node is not None
        return _Part(Not(inner.node), op.pos, False, [])

    def parse_primary(self, after: _Tok | None) -> _Part:
        t = self.peek()
        kind = t.kind
        if kind == "word":
            self.take()
            return _Part(Term(t.value), t.pos, True, [])
        if kind == "prefix":
            self.take()
            return _Part(Prefix(t.value), t.pos, True, [])
        if kind == "phrase":
            self.take()
            return _Part(Phrase(t.value), t.pos, True, [])
        if kind == "filter":
            self.take()
            return _Part(None, t.pos, True, [t])
        if kind == "(":
            self.take()
            self.deeper(t)
            inner = self.parse_or(t)
            if self.peek().kind != ")":
                raise self.unclosed(t)
            self.take()
            self.depth -= 1
            return _Part(inner.node, t.pos, inner.positive, inner.filters)
        raise self.missing(t, after)

    def unclosed(self, t: _Tok) -> QueryError:
        return self.error(
            f"this {self.src(t)} is never closed: add a ) to close it, or remove it", t.pos
        )

    def stray(self, t: _Tok) -> QueryError:
        return self.error(
            f"this {self.src(t)} has no matching (: add a ( to open it, or remove it", t.pos
        )

    def missing(self, t: _Tok, after: _Tok | None) -> QueryError:
        """The error for a missing operand: ``t`` came where a word was expected."""
        if after is None or after.kind == "(":
            where = "the query" if after is None else "a group"
            if t.kind == ")":
                if after is None:
                    return self.stray(t)
                return self.error("empty parentheses: put words inside, or remove them", after.pos)
            if t.kind == "end":
                assert after is not None
                return self.unclosed(after)
            op = self.src(t)
            return self.error(
                f"{op} at the start of {where} has nothing before it: put a word before {op}, "
                "or remove it",
                t.pos,
            )
        op = self.src(after)
        if after.kind == "NOT":
            fix = f"put what to exclude right after {op}, e.g. " + (
                "-NATO" if op == "-" else "NOT NATO"
            )
        elif after.kind == "NEAR":
            fix = f"write a word on each side, e.g. a {op} b"
        else:
            fix = f"put a word after {op}, or remove it"
        if t.kind == "end":
            return self.error(
                f"{op} at the end of the query has nothing after it: {fix}", after.pos
            )
        if t.kind == ")":
            return self.error(f"{op} just before ) has nothing after it: {fix}", after.pos)
        return self.error(
            f"{self.src(t)} right after {op}: two operators in a row; remove one, or put a "
            "word between them",
            t.pos,
        )


def _filters(toks: list[_Tok], text: str) -> Filters:
    """Collect filter tokens: values OR-ed per field (duplicates dropped), one date range."""
    values: dict[str, list[str]] = {}
    date: tuple[str | None, str | None] = (None, None)
    seen_date = False
    for t in toks:
        name, value = t.value
        if name == "date":
            if seen_date:
                raise QueryError(
                    "a query can have only one date filter: to cover several periods use one "
                    "range, e.g. date:2014..2016",
                    text,
                    t.pos,
                )
            seen_date, date = True, value
        elif value not in (vs := values.setdefault(name, [])):
            vs.append(value)
    return Filters(
        speaker=tuple(values.get("speaker", ())),
        role=tuple(values.get("role", ())),
        kind=tuple(values.get("kind", ())),
        lang=tuple(values.get("lang", ())),
        publisher=tuple(values.get("publisher", ())),
        doc=tuple(values.get("doc", ())),
        entity=tuple(values.get("entity", ())),
        uncertain=tuple(values.get("uncertain", ())),
        date_from=date[0],
        date_to=date[1],
    )


def parse_query(text: str) -> Query:
    """Parse a search query (language: ``docs/query.md``); raises :class:`QueryError`."""
    parser = _Parser(text, _tokenize(text))
    if parser.peek().kind == "end":
        raise QueryError(
            'empty query: type a word to search for, a "phrase" in quotes, or a filter such as '
            "speaker:lavrov",
            text,
            0,
        )
    part = parser.parse_or(None)
    t = parser.peek()
    if t.kind == ")":
        raise parser.stray(t)
    if not part.positive:
        raise QueryError(
            "a query needs at least one word or filter that is not negated: add what to search "
            "for, e.g. sanctions -NATO",
            text,
            part.pos,
        )
    node = part.node if part.node is not None else MatchAll()
    return Query(node, _filters(part.filters, text))
