"""Which documents are language versions of one another.

:func:`version_key` gives the key that language versions share, from the publisher's own ids:

- **kremlin.ru**: ``kremlin.ru:<id>``, the numeric id shared by
  ``en.kremlin.ru/events/president/news/NNNNN`` and ``kremlin.ru/events/president/news/NNNNN``
  (also ``/catalog/.../events/NNNNN``, ``/d/NNNNN``: one id space);
- **mid.ru**: ``mid.ru:<id>``, the URL id shared by ``mid.ru/en/.../NNNNNNN`` and
  ``mid.ru/ru/.../NNNNNNN`` (also the Liferay-era ``.../content/id/NNNNNNN``);
- **fmprc.gov.cn**: the English and Chinese pages have unrelated ids (``t1643067`` /
  ``t1643000``), so the key is ``fmprc.gov.cn:<date>:<kind>`` where kind comes from the
  title: ``regular`` (Regular Press Conference / 例行记者会), ``online`` (Daily Briefing
  Online / 网上例行记者会), ``remarks`` (Remarks / 答记者问). One regular press conference a day
  (checked on the corpus: one exception, a republished English page, both linked), but
  several "remarks" a day: within a key group with more than one document in a language,
  only pairs whose content score (below) reaches ``GROUP_THRESHOLD`` are linked. Pages
  without such a title (the CMFA PressCon excerpts) or without a date get no key.

:func:`link_versions` groups documents by key and links every pair of different languages
(method ``shared-id`` or ``same-day``). Documents **without a key** fall back to content:
candidates are documents of another language published the same day; the score is

``0.45 * numbers + 0.25 * names + 0.30 * length``

where ``numbers`` is the Jaccard overlap of the numbers of two or more digits the texts carry,
``names`` the Jaccard overlap of their Latin-script names/acronyms (0 across scripts, and then
its weight is given to ``numbers``), and ``length`` ``min(r, 1/r)`` for ``r`` the ratio of
their lengths over the expected ratio for the language pair (``align.length_ratio``). A pair
is linked (method ``content``) when the score reaches ``FALLBACK_THRESHOLD`` (0.5), each
document with its best candidate only.
"""

from __future__ import annotations

import re
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from communique.enrich.align import (
    Alignment,
    Pair,
    align,
    latin_tokens,
    length_ratio,
    numbers_in,
    pair_paragraphs,
    paragraphs,
    text_length,
)
from communique.model import Document, turn_permalink
from communique.structure.ids import publisher_doc_id, publisher_from_url

__all__ = [
    "FALLBACK_THRESHOLD",
    "GROUP_THRESHOLD",
    "Passage",
    "VersionLink",
    "cached_alignment",
    "content_score",
    "link_versions",
    "parallel_passages",
    "version_key",
]

FALLBACK_THRESHOLD = 0.5
GROUP_THRESHOLD = 0.35


@dataclass(frozen=True)
class VersionLink:
    a_id: str
    b_id: str
    method: str  # "shared-id" | "same-day" | "content"
    score: float


_FMPRC_KINDS = (
    ("online", re.compile(r"网上例行记者会|Briefing Online", re.IGNORECASE)),
    ("regular", re.compile(r"例行记者会|Regular Press Conference", re.IGNORECASE)),
    ("remarks", re.compile(r"答记者问|Remarks", re.IGNORECASE)),
)


def _fmprc_kind(title: str | None) -> str | None:
    for kind, rx in _FMPRC_KINDS:
        if title and rx.search(title):
            return kind
    return None


def version_key(doc: Document) -> str | None:
    """The key shared by the language versions of ``doc``, or None (see the module notes)."""
    pub = doc.publisher or publisher_from_url(doc.url)
    if pub in ("kremlin.ru", "mid.ru"):
        pid = publisher_doc_id(pub, doc.url)
        return f"{pub}:{pid}" if pid else None
    if pub == "fmprc.gov.cn":
        kind = _fmprc_kind(doc.title)
        if kind and doc.date:
            return f"{pub}:{doc.date}:{kind}"
    return None


def _text(doc: Document) -> str:
    return "\n".join(t.text for t in doc.turns)


@dataclass(frozen=True)
class _Profile:
    numbers: frozenset[str]
    names: frozenset[str]
    length: int


def _profile(doc: Document) -> _Profile:
    text = _text(doc)
    return _Profile(numbers_in(text), latin_tokens(text), text_length(text))


def _jaccard(x: frozenset[str], y: frozenset[str]) -> float | None:
    if not x or not y:
        return None
    return len(x & y) / len(x | y)


def content_score(
    a: Document, b: Document, pa: _Profile | None = None, pb: _Profile | None = None
) -> float:
    """How likely ``b`` is a translation of ``a`` from their contents alone (0..1)."""
    pa = pa or _profile(a)
    pb = pb or _profile(b)
    if not pa.length or not pb.length:
        return 0.0
    r = (pb.length / pa.length) / length_ratio(a.lang, b.lang)
    length = min(r, 1.0 / r)
    nums = _jaccard(pa.numbers, pb.numbers)
    names = _jaccard(pa.names, pb.names)
    if names is not None and names > 0:
        return 0.45 * (nums or 0.0) + 0.25 * names + 0.30 * length
    return 0.70 * (nums or 0.0) + 0.30 * length


def link_versions(docs: Iterable[Document]) -> list[VersionLink]:
    """Links between language versions among ``docs`` (each pair once, ``a_id < b_id``)."""
    docs = list(docs)
    groups: dict[str, list[Document]] = defaultdict(list)
    loose: list[Document] = []
    for d in docs:
        key = version_key(d)
        if key:
            groups[key].append(d)
        else:
            loose.append(d)
    links: dict[tuple[str, str], VersionLink] = {}

    def add(a: Document, b: Document, method: str, score: float) -> None:
        x, y = sorted((a.id, b.id))
        if (x, y) not in links:
            links[(x, y)] = VersionLink(x, y, method, round(score, 3))

    profiles: dict[str, _Profile] = {}

    def prof(d: Document) -> _Profile:
        if d.id not in profiles:
            profiles[d.id] = _profile(d)
        return profiles[d.id]

    for key, members in groups.items():
        method = "same-day" if key.startswith("fmprc.gov.cn:") else "shared-id"
        langs: dict[str | None, int] = defaultdict(int)
        for d in members:
            langs[d.lang] += 1
        crowded = method == "same-day" and any(v > 1 for v in langs.values())
        for a, b in combinations(members, 2):
            if a.lang == b.lang or a.id == b.id:
                continue
            if method == "shared-id":
                add(a, b, method, 1.0)
                continue
            s = content_score(a, b, prof(a), prof(b))
            if not crowded or s >= GROUP_THRESHOLD:
                add(a, b, method, s)

    by_date: dict[str, list[Document]] = defaultdict(list)
    for d in docs:
        if d.date:
            by_date[d.date].append(d)
    for d in loose:
        if not d.date or not d.turns:
            continue
        best: tuple[float, Document] | None = None
        for other in by_date[d.date]:
            if other.id == d.id or other.lang == d.lang or not other.lang or not d.lang:
                continue
            s = content_score(d, other, prof(d), prof(other))
            if best is None or s > best[0]:
                best = (s, other)
        if best and best[0] >= FALLBACK_THRESHOLD:
            add(d, best[1], "content", best[0])
    return sorted(links.values(), key=lambda v: (v.a_id, v.b_id))


# -- the parallel concordance: a turn's passage in the other language versions held ------------
_ALIGNMENTS: OrderedDict[tuple[str, str, str, str], Alignment] = OrderedDict()
ALIGNMENT_CACHE = 64


def cached_alignment(a: Document, b: Document) -> Alignment:
    """``align(a, b)``, remembered for the last ``ALIGNMENT_CACHE`` pairs of revisions."""
    key = (a.id, a.revision, b.id, b.revision)
    found = _ALIGNMENTS.get(key)
    if found is None:
        found = _ALIGNMENTS[key] = align(a, b)
        while len(_ALIGNMENTS) > ALIGNMENT_CACHE:
            _ALIGNMENTS.popitem(last=False)
    else:
        _ALIGNMENTS.move_to_end(key)
    return found


@dataclass(frozen=True)
class Passage:
    """The passage of another language version aligned with a turn (or a place in it).

    ``turns`` are that version's turn numbers (empty: the turn has no counterpart there);
    ``text`` the aligned paragraphs when a place (``start``) was given and the paragraphs
    align, else the aligned turns' whole text; ``paragraph`` says which it is."""

    doc_id: str
    lang: str | None
    turns: tuple[int, ...]
    text: str
    paragraph: bool = False

    @property
    def permalink(self) -> str:
        return turn_permalink(self.doc_id, self.turns[0]) if self.turns else self.doc_id

    def to_dict(self) -> dict[str, object]:
        return {"doc_id": self.doc_id, "lang": self.lang, "turns": list(self.turns),
                "permalink": self.permalink, "text": self.text,
                "paragraph": self.paragraph}  # fmt: skip


def parallel_passages(
    store: Any,
    doc_id: str,
    n: int,
    start: int | None = None,
    memo: dict[str, Any] | None = None,
) -> list[Passage]:
    """Turn ``n`` of ``doc_id`` in each other language version the archive holds (by
    ``version_links``), through the turn alignment; with ``start`` (a character offset in the
    turn's text, e.g. a concordance keyword's), only the paragraphs aligned with the one
    holding it. ``memo`` (a dict kept by the caller) saves reading the same documents and
    links again for many lines."""
    memo = {} if memo is None else memo

    def get(key: str, fn: Any, *args: Any) -> Any:
        if key not in memo:
            memo[key] = fn(*args)
        return memo[key]

    links = get(f"links:{doc_id}", store.version_links, doc_id)
    if not links:
        return []
    doc = get(doc_id, store.get, doc_id)
    if doc is None:
        return []
    out = []
    for link in links:
        other = get(link["id"], store.get, link["id"])
        if other is None:
            continue
        al = cached_alignment(doc, other)
        pair = next((p for p in al.pairs if n in p.a), None)
        if pair is None:
            out.append(Passage(other.id, other.lang, (), ""))
            continue
        texts = {t.n: t.text for t in other.turns}
        whole = "\n\n".join(texts[m] for m in pair.b if m in texts)
        part = _aligned_paragraphs(al, pair, n, start) if start is not None else None
        out.append(Passage(other.id, other.lang, pair.b, part or whole, bool(part)))
    return out


def _aligned_paragraphs(al: Alignment, pair: Pair, n: int, start: int) -> str | None:
    """The paragraphs of the other side aligned with the paragraph of turn ``n`` holding
    character ``start`` (None when that paragraph has no counterpart)."""
    by_a = {t.n: t.text for t in al.a_turns}
    offset = 0
    for m in pair.a:
        if m == n:
            break
        offset += len(by_a[m]) + 2
    joined_a = "\n\n".join(by_a[m] for m in pair.a)
    at = offset + start
    index = -1
    pos = 0
    for i, para in enumerate(paragraphs(joined_a)):
        found = joined_a.find(para, pos)
        pos = found + len(para)
        if found <= at < pos or at < found:
            index = i
            break
    if index < 0:
        return None
    by_b = {t.n: t.text for t in al.b_turns}
    pb = paragraphs("\n\n".join(by_b[m] for m in pair.b))
    for ia, ib, _ in pair_paragraphs(al, pair):
        if index in ia:
            return "\n\n".join(pb[j] for j in ib) or None
    return None
