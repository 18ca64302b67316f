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
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

from communique.enrich.align import latin_tokens, length_ratio, numbers_in, text_length
from communique.model import Document
from communique.structure.ids import publisher_doc_id, publisher_from_url

__all__ = [
    "FALLBACK_THRESHOLD",
    "GROUP_THRESHOLD",
    "VersionLink",
    "content_score",
    "link_versions",
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
