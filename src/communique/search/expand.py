"""Query rewriting with what the archive knows: acronyms and their long forms.

``expand_acronyms`` turns a word that is an acronym (``CICA``, ``ОДКБ``) into "the acronym OR
its long forms", and a phrase that is a long form into "the phrase OR its acronyms", in every
language the archive's learned definitions and the organisations table give. The highlighter
works from the rewritten tree, so the long forms are highlighted too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from communique.enrich.acronyms import expansions
from communique.search.ast import And, Near, Node, Not, Or, Phrase, Term

MIN_COUNT = 2  # a definition learned from the archive counts from this many sightings


@dataclass
class AcronymTable:
    """Learned definitions (``{short: {long: count}}``) with the expansions asked so far."""

    table: Mapping[str, Mapping[str, int]]
    _cache: dict[str, frozenset[str]] = field(default_factory=dict)

    def expand(self, text: str) -> frozenset[str]:
        if text not in self._cache:
            got = expansions(text, self.table, MIN_COUNT, organisations=True)  # type: ignore[arg-type]
            self._cache[text] = frozenset(got)
        return self._cache[text]


def _is_acronym(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _node_for(text: str) -> Node:
    words = tuple(text.split())
    return Term(words[0]) if len(words) == 1 and _is_acronym(words[0]) else Phrase(words)


def expand_acronyms(node: Node, expand: Callable[[str], frozenset[str]]) -> Node:
    """``node`` with acronyms and long forms OR-ed with their equivalents (the same object when
    nothing changes)."""
    if isinstance(node, Term) and _is_acronym(node.text):
        others = sorted(expand(node.text) - {node.text})
        return Or((node, *map(_node_for, others))) if others else node
    if isinstance(node, Phrase) and len(node.words) >= 2:
        text = " ".join(node.words)
        others = sorted(e for e in expand(text) if e.casefold() != text.casefold())
        return Or((node, *map(_node_for, others))) if others else node
    if isinstance(node, And | Or):
        children = tuple(expand_acronyms(c, expand) for c in node.children)
        if all(a is b for a, b in zip(children, node.children, strict=True)):
            return node
        return replace(node, children=children)
    if isinstance(node, Not):
        child = expand_acronyms(node.child, expand)
        return node if child is node.child else Not(child)
    if isinstance(node, Near):  # positions matter there: leave the words as written
        return node
    return node
