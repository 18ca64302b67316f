"""What changed between two revisions of a document, and which documents changed.

A document's turns are split into paragraphs (blank lines separate them, as on the pages). The
two revisions' paragraph sequences are aligned (``difflib`` over whitespace-normalised texts);
the paragraphs left over on each side are then paired by similarity:

- the same text on both sides, elsewhere in the document: **moved**;
- similar texts (``difflib`` ratio over their words >= :data:`REWORDED_MIN`, 0.5): **reworded**,
  with a word-level diff;
- the rest: **removed** (old side) or **added** (new side).

Metadata (title, date, kind, speakers) is compared field by field. :func:`changed_documents`
lists the documents with more than one revision seen (optionally since a date) with counts of
their latest change; :func:`gone_pages` lists the pages the crawler found removed from a site.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher
from typing import Any

from communique.model import Document
from communique.structure.document import PARSER_VERSION
from communique.track.revisions import (
    document_at,
    parse_revision,
    raw_input_at,
    revision_rows,
)

REWORDED_MIN = 0.5  # word-level similarity from which two paragraphs are one paragraph reworded
OPS = ("added", "removed", "reworded", "moved")
METADATA = ("title", "date", "kind", "speakers")

# words (a Chinese character is a word), punctuation, and the spaces between them
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+|[^\w\s]|\s+")


@dataclass
class Paragraph:
    """One paragraph of a turn: turn number, 0-based index within the turn, speaker, text."""

    turn: int
    index: int
    speaker: str | None
    text: str


@dataclass
class ParagraphChange:
    """``op``: added, removed, reworded or moved. ``words`` (reworded only) is the word-level
    diff as ``[op, text]`` pieces, op ``=`` (kept), ``-`` (deleted) or ``+`` (inserted)."""

    op: str
    old: Paragraph | None
    new: Paragraph | None
    ratio: float | None = None
    words: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass
class DocumentDiff:
    doc_id: str
    old_revision: str
    new_revision: str
    old_seen_at: str | None
    new_seen_at: str | None
    metadata: list[FieldChange]
    paragraphs: list[ParagraphChange]
    unchanged: int  # paragraphs found as they were, in place

    @property
    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(OPS, 0)
        for c in self.paragraphs:
            out[c.op] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["counts"] = self.counts
        for c in d["paragraphs"]:
            c["words"] = [list(w) for w in c["words"]]
        return d


class RevisionNotFound(LookupError):
    """A document or a revision the archive does not hold (the message says which)."""


# -- paragraphs and words ----------------------------------------------------------------------
def paragraphs_of(doc: Document) -> list[Paragraph]:
    """Every paragraph of every turn, in reading order."""
    out = []
    for t in doc.turns:
        parts = [p for p in re.split(r"\n\s*\n", t.text.replace("\r\n", "\n")) if p.strip()]
        for i, text in enumerate(parts):
            out.append(Paragraph(t.n, i, t.speaker or t.label, " ".join(text.split())))
    return out


def tokens(text: str) -> list[str]:
    """Words, punctuation marks and runs of spaces, in order (joined, they give ``text``)."""
    return _TOKEN.findall(text)


def _words(text: str) -> list[str]:
    return [t.casefold() for t in tokens(text) if not t.isspace()]


def similarity(a: str, b: str) -> float:
    """``difflib`` ratio of two texts' word sequences (0 to 1)."""
    return SequenceMatcher(None, _words(a), _words(b), autojunk=False).ratio()


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """``old`` -> ``new`` as pieces ``("=", kept)``, ``("-", deleted)``, ``("+", inserted)``;
    adjacent pieces of one kind are merged."""
    a, b = tokens(old), tokens(new)
    out: list[tuple[str, str]] = []

    def put(op: str, text: str) -> None:
        if not text:
            return
        if out and out[-1][0] == op:
            out[-1] = (op, out[-1][1] + text)
        else:
            out.append((op, text))

    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            put("=", "".join(a[i1:i2]))
        else:
            put("-", "".join(a[i1:i2]))
            put("+", "".join(b[j1:j2]))
    return out


# -- two revisions -----------------------------------------------------------------------------
def _speakers(doc: Document) -> list[str]:
    return sorted({t.speaker for t in doc.turns if t.speaker})


def metadata_changes(old: Document, new: Document) -> list[FieldChange]:
    """Title, date, kind and the set of speakers, where they differ."""
    out = []
    for name in METADATA:
        a = _speakers(old) if name == "speakers" else getattr(old, name)
        b = _speakers(new) if name == "speakers" else getattr(new, name)
        if a != b:
            out.append(FieldChange(name, a, b))
    return out


def paragraph_changes(
    old: list[Paragraph], new: list[Paragraph], threshold: float = REWORDED_MIN
) -> tuple[list[ParagraphChange], int]:
    """(changes in reading order, paragraphs unchanged in place) between two paragraph lists."""
    matcher = SequenceMatcher(None, [p.text for p in old], [p.text for p in new], autojunk=False)
    gone: list[tuple[int, int]] = []  # (old index, where in the new sequence it stood)
    came: list[int] = []
    unchanged = 0
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            unchanged += i2 - i1
            continue
        gone += [(i, j1) for i in range(i1, i2)]
        came += list(range(j1, j2))
    # pair the leftovers, most similar first: same text (moved), then similar (reworded)
    candidates = []
    old_words = {i: _words(old[i].text) for i, _ in gone}
    for j in came:
        matcher = SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(_words(new[j].text))  # analysed once, compared with every leftover
        for i, _ in gone:
            if old[i].text == new[j].text:
                candidates.append((2.0, i, j))
                continue
            matcher.set_seq1(old_words[i])
            if matcher.real_quick_ratio() >= threshold and matcher.quick_ratio() >= threshold:
                ratio = matcher.ratio()
                if ratio >= threshold:
                    candidates.append((ratio, i, j))
    paired_old: dict[int, tuple[int, float]] = {}
    paired_new: set[int] = set()
    for ratio, i, j in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if i not in paired_old and j not in paired_new:
            paired_old[i] = (j, ratio)
            paired_new.add(j)
    keyed: list[tuple[tuple[int, int, int], ParagraphChange]] = []
    for i, at in gone:
        if i in paired_old:
            j, ratio = paired_old[i]
            if ratio > 1:
                change = ParagraphChange("moved", old[i], new[j], 1.0)
            else:
                words = word_diff(old[i].text, new[j].text)
                change = ParagraphChange("reworded", old[i], new[j], round(ratio, 3), words)
            keyed.append(((j, 1, i), change))
        else:
            keyed.append(((at, 0, i), ParagraphChange("removed", old[i], None)))
    for j in came:
        if j not in paired_new:
            keyed.append(((j, 1, -1), ParagraphChange("added", None, new[j])))
    return [c for _, c in sorted(keyed, key=lambda kc: kc[0])], unchanged


def diff_documents(
    old: Document, new: Document, *, old_seen_at: str | None = None,
    new_seen_at: str | None = None, threshold: float = REWORDED_MIN,
) -> DocumentDiff:  # fmt: skip
    """What changed from ``old`` to ``new`` (two revisions of one document)."""
    changes, unchanged = paragraph_changes(paragraphs_of(old), paragraphs_of(new), threshold)
    return DocumentDiff(
        new.id, old.revision, new.revision, old_seen_at, new_seen_at,
        metadata_changes(old, new), changes, unchanged,
    )  # fmt: skip


def previous_revision(order: list[str], revision: str) -> str | None:
    """The revision seen before ``revision`` in ``order`` (oldest first); for the first one,
    the latest other (a page edited back to an earlier text)."""
    before = order[: order.index(revision)] if revision in order else order
    before = before or [r for r in order if r != revision]
    return before[-1] if before else None


def diff_revisions(
    store: Any, doc_id: str, old: str | None = None, new: str | None = None
) -> DocumentDiff:
    """The diff between two revisions of ``doc_id`` held in ``store``.

    ``new`` defaults to the current revision, ``old`` to the revision seen before ``new``.
    Raises :class:`RevisionNotFound` for an unknown document or revision, or a document seen
    only once.
    """
    current = store.get(doc_id)
    if current is None:
        raise RevisionNotFound(f"no document {doc_id} in this archive")
    rows = revision_rows(store, doc_id, current.revision)
    seen = {r["revision"]: r["seen_at"] for r in rows}
    order = [r["revision"] for r in rows]
    new = new or current.revision
    for rev in (old, new):
        if rev is not None and rev not in seen:
            raise RevisionNotFound(
                f"document {doc_id} has no revision {rev} (it has: {', '.join(order)})"
            )
    old = old or previous_revision(order, new)
    if old is None:
        raise RevisionNotFound(
            f"document {doc_id} has one revision only ({new}): nothing to compare"
        )
    a, b = document_at(store, doc_id, old), document_at(store, doc_id, new)
    if a is None or b is None:
        missing = old if a is None else new
        raise RevisionNotFound(
            f"revision {missing} of {doc_id} cannot be re-derived (its raw input is missing or "
            "no longer parses)"
        )
    return diff_documents(a, b, old_seen_at=seen.get(old), new_seen_at=seen.get(new))


# -- the archive --------------------------------------------------------------------------------
@dataclass
class ChangedDocument:
    """A document with more than one revision; ``counts`` compare its latest two."""

    doc_id: str
    title: str | None
    publisher: str | None
    date: str | None
    lang: str | None
    revisions: int
    first_seen: str
    last_seen: str
    old_revision: str
    new_revision: str
    counts: dict[str, int]
    metadata: list[str]  # the fields that changed
    error: str | None = None


def changed_documents(
    store: Any,
    *,
    since: str | None = None,
    publisher: str | None = None,
    limit: int = 200,
    counts: bool = True,
) -> list[ChangedDocument]:
    """Documents with more than one revision seen, the latest seen since ``since`` (a date or
    timestamp, compared with ``seen_at``), newest change first, at most ``limit``.

    ``counts=False`` leaves the counts to :func:`pending_summaries` and :func:`fill_summaries`
    (the server reads the store under its lock, then re-parses old revisions outside it)."""
    where, args = ["d.id = r.doc_id"], []
    if publisher:
        where.append("d.publisher = ?")
        args.append(publisher.lower())
    having = "count(*) > 1"
    if since:
        having += " AND max(r.seen_at) >= ?"
        args.append(since)
    rows = store.rows(
        "SELECT r.doc_id, d.title, d.publisher, d.date, d.lang, d.revision, count(*) AS n, "
        "min(r.seen_at) AS first_seen, max(r.seen_at) AS last_seen "
        f"FROM revisions r, documents d WHERE {' AND '.join(where)} "
        "GROUP BY r.doc_id, d.title, d.publisher, d.date, d.lang, d.revision "
        f"HAVING {having} ORDER BY last_seen DESC, r.doc_id LIMIT ?",
        [*args, limit],
    )
    out = []
    for r in rows:
        order = [x["revision"] for x in revision_rows(store, r["doc_id"], r["revision"])]
        out.append(ChangedDocument(
            r["doc_id"], r["title"], r["publisher"], r["date"], r["lang"], r["n"],
            r["first_seen"], r["last_seen"], previous_revision(order, r["revision"]) or "",
            r["revision"], dict.fromkeys(OPS, 0), [],
        ))  # fmt: skip
    if counts:
        fill_summaries(out, pending_summaries(store, out))
    return out


# A diff depends only on the two raw inputs (a revision is its input's hash) and the parser: the
# counts of each pair are worked out once per process (re-parsing the old input is the slow part).
_SUMMARIES: dict[tuple[str, str, str, str], tuple[dict[str, int], list[str]] | str] = {}
_SUMMARIES_MAX = 20_000


def _key(item: ChangedDocument) -> tuple[str, str, str, str]:
    return (item.doc_id, item.old_revision, item.new_revision, PARSER_VERSION)


@dataclass
class PendingSummary:
    """What a document's counts need from the store: its current record and the old input."""

    key: tuple[str, str, str, str]
    new: Document | None
    old_raw: Any  # RawInput | None


def pending_summaries(store: Any, items: list[ChangedDocument]) -> list[PendingSummary]:
    """The store reads for the items whose counts are not known yet (fast: no parsing)."""
    out = []
    for item in items:
        key = _key(item)
        if key in _SUMMARIES or not item.old_revision:
            continue
        out.append(PendingSummary(key, store.get(item.doc_id),
                                  raw_input_at(store, item.doc_id, item.old_revision)))  # fmt: skip
    return out


def fill_summaries(items: list[ChangedDocument], pending: list[PendingSummary]) -> None:
    """Parse the old revisions of ``pending``, diff them, and set every item's counts."""
    for p in pending:
        old = parse_revision(p.old_raw, p.key[0]) if p.old_raw is not None else None
        if p.new is None or old is None or p.new.revision != p.key[2]:
            summary: Any = f"revision {p.key[1]} of {p.key[0]} cannot be re-derived"
        else:
            diff = diff_documents(old, p.new)
            summary = (diff.counts, [m.field for m in diff.metadata])
        if len(_SUMMARIES) >= _SUMMARIES_MAX:
            _SUMMARIES.clear()
        _SUMMARIES[p.key] = summary
    for item in items:
        found = _SUMMARIES.get(_key(item))
        if isinstance(found, tuple):
            item.counts, item.metadata = dict(found[0]), list(found[1])
        else:
            item.error = found or f"document {item.doc_id} has one revision only"


def gone_pages(
    store: Any, *, since: str | None = None, site: str | None = None
) -> list[dict[str, Any]]:
    """Pages the crawler found removed from their site (ledger state ``gone``), newest first,
    each with the title of the document it gave, if the archive holds it."""
    pages = [p for p in store.crawl_pages(site=site, state="gone")
             if not since or (p.get("gone_since") or "") >= since]  # fmt: skip
    out = []
    for p in sorted(pages, key=lambda p: (p.get("gone_since") or "", p["url"]), reverse=True):
        doc = store.get(p["doc_id"]) if p.get("doc_id") else None
        out.append({"url": p["url"], "site": p["site"], "gone_since": p.get("gone_since"),
                    "doc_id": p.get("doc_id"), "title": doc.title if doc else None,
                    "http_status": p.get("http_status")})  # fmt: skip
    return out
