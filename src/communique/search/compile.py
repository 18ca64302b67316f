"""Compiling a parsed query and its filters to a tantivy query, within the cost limits."""

from __future__ import annotations

import re
from dataclasses import replace

import tantivy
from tantivy import Occur
from tantivy import Query as TQ

from communique.enrich.document import person_of
from communique.search.analysis import (
    analyzers,
    fold,
    has_han,
    raw_terms,
    stem_and_start,
    stem_lang,
    stem_many,
    stemmed_terms,
)
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
    QueryTooCostly,
    Term,
)
from communique.search.expand import AcronymTable, expand_acronyms
from communique.search.schema import LANG_FIELD, NONE
from communique.store.sql import SQLStore
from communique.structure.dates import ymd_number
from communique.structure.doubts import REASONS as ROLE_DOUBTS

MAX_FORMS = 5000  # indexed words looked at to find the forms of a word (NEAR)
# Query cost limits (docs/query.md, "Limits"): one query never holds the archive for long.
MAX_PREFIX_TERMS = 5000  # indexed words one `*` may stand for
MAX_NEAR_PREFIX_TERMS = 500  # ... on a side of NEAR (each pair of words is a phrase search)
MAX_NEAR_PAIRS = 64  # alternatives on one side of NEAR times those on the other


class QueryCompiler:
    """The part of ``SearchIndex`` that compiles queries: words to the index's terms, NEAR to
    phrases, filters to field queries (the attributes below are set by ``SearchIndex``)."""

    store: SQLStore
    schema: tantivy.Schema
    index: tantivy.Index
    _forms_cache: dict[str, frozenset[str]]
    _acronyms: AcronymTable | None

    # -- compiling queries ----------------------------------------------------------------------
    def _terms(self, field_name: str, tokens: list[str], slop: int = 0) -> TQ:
        if len(tokens) == 1:
            return TQ.term_query(self.schema, field_name, tokens[0])
        return TQ.phrase_query(self.schema, field_name, tokens, slop)

    def _term(self, word: str) -> TQ:
        """A word: stemmed on the English and Russian fields, as is on the raw field."""
        raw = raw_terms(word)
        clauses = []
        if not has_han(word):
            for lang, field_name in LANG_FIELD.items():
                toks = stemmed_terms(word, lang)
                if toks:
                    clauses.append(self._terms(field_name, toks))
        if raw:
            clauses.append(self._terms("text_raw", raw))
        if not clauses:
            return TQ.empty_query()
        return (
            clauses[0]
            if len(clauses) == 1
            else TQ.boolean_query([(Occur.Should, c) for c in clauses])
        )

    def forms(self, token: str) -> frozenset[str]:
        """Indexed words with the stem of ``token`` (a folded, lowercased single word), from
        the term dictionary: what a word on a side of NEAR matches."""
        if token in self._forms_cache:
            return self._forms_cache[token]
        out = {token}
        lang = stem_lang(token)
        stem, prefix = stem_and_start(token, lang)
        if prefix and not token.isdigit():
            found = self.index.searcher().terms_with_prefix("text_raw", prefix, limit=MAX_FORMS)
            cands = [t for t, _ in found]
            stems = stem_many(cands, lang)
            out.update(c for c, s in zip(cands, stems, strict=True) if s == stem)
        result = frozenset(out)
        if len(self._forms_cache) > 10_000:
            self._forms_cache.clear()
        self._forms_cache[token] = result
        return result

    def _positions(self, node: Node) -> list[list[str]] | None:
        """A NEAR side as alternatives, each a list of per-position regexes on ``text_raw``;
        None when the side is not made of words, phrases and prefixes (and OR of those)."""
        if isinstance(node, Term):
            toks = raw_terms(node.text)
            if len(toks) == 1 and not has_han(toks[0]):
                forms = sorted(self.forms(toks[0]))
                alt = "(" + "|".join(map(_rx, forms)) + ")" if len(forms) > 1 else _rx(forms[0])
                return [[alt]]
            return [[_rx(t) for t in toks]] if toks else []
        if isinstance(node, Phrase):
            toks = [t for w in node.words for t in raw_terms(w)]
            return [[_rx(t) for t in toks]] if toks else []
        if isinstance(node, Prefix):
            toks = raw_terms(node.prefix)
            if toks:
                self._check_prefix(node, toks[-1], MAX_NEAR_PREFIX_TERMS, " on a side of NEAR")
            return [[*map(_rx, toks[:-1]), _rx(toks[-1]) + ".*"]] if toks else []
        if isinstance(node, Or):
            out: list[list[str]] = []
            for child in node.children:
                alts = self._positions(child)
                if alts is None:
                    return None
                out += alts
            return out
        return None

    def _check_prefix(self, node: Prefix, start: str, limit: int, where: str = "") -> None:
        """Refuse a ``*`` that stands for more than ``limit`` indexed words."""
        found = self.index.searcher().terms_with_prefix("text_raw", start, limit=limit + 1)
        if len(found) > limit:
            raise QueryTooCostly(
                f"{node.prefix}* matches more than {limit:,} different words{where}: "
                "write more letters before the *, or the words themselves"
            )

    def _leaves(self, node: Node) -> list[Node]:
        """The positive words, phrases and prefixes of a subtree."""
        if isinstance(node, Term | Phrase | Prefix):
            return [node]
        if isinstance(node, And | Or):
            return [leaf for c in node.children for leaf in self._leaves(c)]
        if isinstance(node, Near):
            return self._leaves(node.left) + self._leaves(node.right)
        return []

    def _near(self, node: Near) -> TQ:
        """Both sides at most ``distance`` words apart, in either order (phrases with slop)."""
        sides: list[list[list[str]]] = []
        extra: list[TQ] = []
        for side in (node.left, node.right):
            alts = self._positions(side)
            if alts is None:  # a group such as (a AND b): it must match, and one of its words
                extra.append(self.compile(side))  # must be near the other side
                alts = [a for leaf in self._leaves(side) for a in (self._positions(leaf) or [])]
            sides.append(alts)
        pairs = len(sides[0]) * len(sides[1])
        if pairs > MAX_NEAR_PAIRS:
            raise QueryTooCostly(
                f"NEAR/{node.distance} between {len(sides[0])} and {len(sides[1])} alternatives "
                f"is {pairs:,} pairs of words to look for, more than {MAX_NEAR_PAIRS}: put fewer "
                "words (or word beginnings) on its sides, or split it into several searches"
            )
        slop = max(node.distance - 1, 0)
        clauses = []
        for a in sides[0]:
            for b in sides[1]:
                for seq in (a + b, b + a):
                    if all(_is_literal(p) for p in seq):
                        words = [_unrx(p) for p in seq]
                        clauses.append(TQ.phrase_query(self.schema, "text_raw", words, slop))
                    else:
                        clauses.append(TQ.regex_phrase_query(self.schema, "text_raw", seq, slop))
        near = (
            TQ.boolean_query([(Occur.Should, c) for c in clauses]) if clauses else TQ.empty_query()
        )
        if not extra:
            return near
        return TQ.boolean_query([(Occur.Must, q) for q in (near, *extra)])

    def compile(self, node: Node) -> TQ:
        """The tantivy query for a query tree (without filters)."""
        if isinstance(node, Term):
            return self._term(node.text)
        if isinstance(node, Phrase):
            toks = [t for w in node.words for t in raw_terms(w)]
            return self._terms("text_raw", toks) if toks else TQ.empty_query()
        if isinstance(node, Prefix):
            toks = raw_terms(node.prefix)
            if not toks:
                return TQ.empty_query()
            self._check_prefix(node, toks[-1], MAX_PREFIX_TERMS)
            if len(toks) == 1:
                return TQ.regex_query(self.schema, "text_raw", _rx(toks[0]) + ".*")
            words = [*map(_rx, toks[:-1]), _rx(toks[-1]) + ".*"]
            return TQ.regex_phrase_query(self.schema, "text_raw", words)
        if isinstance(node, Near):
            return self._near(node)
        if isinstance(node, And):
            clauses = [
                (Occur.MustNot, self.compile(c.child))
                if isinstance(c, Not)
                else (Occur.Must, self.compile(c))
                for c in node.children
            ]
            if all(o == Occur.MustNot for o, _ in clauses):
                clauses.append((Occur.Must, TQ.all_query()))
            return TQ.boolean_query(clauses)
        if isinstance(node, Or):
            return TQ.boolean_query([(Occur.Should, self.compile(c)) for c in node.children])
        if isinstance(node, Not):
            return TQ.boolean_query(
                [(Occur.Must, TQ.all_query()), (Occur.MustNot, self.compile(node.child))]
            )
        if isinstance(node, MatchAll):
            return TQ.all_query()
        raise TypeError(f"not a query node: {node!r}")

    def expand(self, query: Query) -> Query:
        """``query`` with each acronym also matching its long forms and each long form its
        acronym, in every language the archive and the organisations table know (``CICA`` ->
        ``Conference on Interaction and Confidence-Building Measures in Asia``, ``СВМДА``,
        ``亚信``)."""
        node = expand_acronyms(query.node, self.acronyms().expand)
        return query if node is query.node else replace(query, node=node)

    def acronyms(self) -> AcronymTable:
        """The archive's acronym definitions (read again after each sync or rebuild)."""
        if self._acronyms is None:
            self._acronyms = AcronymTable(self.store.acronym_table())
        return self._acronyms

    def compile_filters(self, f: Filters) -> list[TQ]:
        """One query per filtered field (values OR-ed within a field)."""
        out: list[TQ] = []
        if f.speaker:
            alts = []
            for value in f.speaker:
                person = person_of(value)
                if person is not None:  # every label and script the person is known by
                    alts.append(TQ.term_query(self.schema, "person", person))
                toks = analyzers()["c_raw"].analyze(fold(value))
                if toks:
                    alts.append(self._terms("speaker_tok", toks))
            out.append(_any(alts) if alts else TQ.empty_query())
        if f.entity:
            out.append(TQ.term_set_query(self.schema, "entity", list(f.entity)))
        if f.uncertain:  # "no": turns indexed without a reason; "yes": with any
            reasons = {NONE if v == "no" else v for v in f.uncertain if v != "yes"}
            if "yes" in f.uncertain:
                reasons |= set(ROLE_DOUBTS)
            out.append(TQ.term_set_query(self.schema, "uncertain", sorted(reasons)))
        for name, values in (("role", f.role), ("kind", f.kind), ("lang", f.lang),
                             ("publisher", f.publisher)):  # fmt: skip
            if values:
                norm = [v.strip().lower() for v in values]
                if name == "kind":
                    norm = [v.replace("-", "_").replace(" ", "_") for v in norm]
                out.append(TQ.term_set_query(self.schema, name, norm))
        if f.doc:
            alts = []
            for value in f.doc:
                ident, _, n = value.strip().partition("#t")
                ident = ident.partition("@")[0].lower()
                q = TQ.term_query(self.schema, "doc_id", ident)
                if n.isdigit():
                    q = TQ.boolean_query(
                        [(Occur.Must, q), (Occur.Must, TQ.term_query(self.schema, "n", int(n)))]
                    )
                alts.append(q)
            out.append(_any(alts))
        if f.date_from or f.date_to:
            lo = _ymd(f.date_from) if f.date_from else None
            hi = _ymd(f.date_to) if f.date_to else None
            out.append(TQ.range_query(self.schema, "date", tantivy.FieldType.Integer, lo, hi))
        return out

    def query(self, query: Query, extra: Filters | None = None) -> TQ:
        """The whole tantivy query: the text part, AND the filters (which do not score)."""
        main = self.compile(query.node)
        filters = query.filters.merged(extra) if extra is not None else query.filters
        parts = self.compile_filters(filters)
        if not parts:
            return main
        clauses = [(Occur.Must, main)]
        clauses += [(Occur.Must, TQ.const_score_query(p, 0.0)) for p in parts]
        return TQ.boolean_query(clauses)


def _any(queries: list[TQ]) -> TQ:
    return (
        queries[0] if len(queries) == 1 else TQ.boolean_query([(Occur.Should, q) for q in queries])
    )


def _ymd(value: str) -> int:
    """``YYYY-MM-DD`` (``-31`` of a short month is fine) as an integer ``YYYYMMDD``."""
    try:
        return ymd_number(value, partial=True)
    except ValueError:
        raise QueryError(
            f"not a date: {value!r}: use YYYY, YYYY-MM or YYYY-MM-DD", value, 0
        ) from None


_RX_SPECIAL = set("\\.+*?()|[]{}^$#&-~")


def _rx(token: str) -> str:
    return "".join("\\" + c if c in _RX_SPECIAL else c for c in token)


def _is_literal(pattern: str) -> bool:
    return re.fullmatch(r"(?:\\.|[^\\.+*?()|\[\]{}^$#&~-])*", pattern) is not None


def _unrx(pattern: str) -> str:
    return re.sub(r"\\(.)", r"\1", pattern)
