"""Enrichment across documents, run over the store: links between language versions, acronyms
learned from the archive, and re-applying the per-document enrichment to what is already stored
(the algorithms are in ``enrich``).

``after_ingest(store, doc_ids)`` runs at the end of an ingest for the documents it added or
changed; ``enrich_archive(store)`` redoes everything (``communique enrich``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from communique.enrich.acronyms import learn
from communique.enrich.document import enrich_document, register
from communique.enrich.labels import label_rows
from communique.enrich.versions import link_versions, version_key
from communique.model import Document
from communique.store.chunks import in_chunks
from communique.store.sql import SQLStore


@dataclass
class EnrichReport:
    documents: int = 0
    links: int = 0
    acronyms: int = 0


def _documents(store: SQLStore, where: str, args: Iterable[object]) -> list[Document]:
    return list(store.records(where, list(args)))


def speaker_labels(store: SQLStore) -> list[tuple[str, str, int, str]]:
    """(speaker, lang, turns, usual role) for every distinct speaker of the archive: the input
    of :func:`communique.enrich.people.cluster_labels`."""
    roles: dict[tuple[str, str], dict[str, int]] = {}
    for value, lang, role, n in store.query(
        "SELECT t.speaker, coalesce(d.lang, ''), t.role, count(*) FROM turns t "
        "JOIN documents d ON d.id = t.doc_id WHERE t.speaker IS NOT NULL AND t.speaker != '' "
        "GROUP BY 1, 2, 3"
    ):
        roles.setdefault((value, lang), {})[role] = n
    return [
        (value, lang, sum(by_role.values()), max(by_role, key=lambda r: by_role[r]))
        for (value, lang), by_role in roles.items()
    ]


def relink(store: SQLStore, doc_ids: Iterable[str], *, dates_per_step: int = 50) -> int:
    """Recompute the version links of ``doc_ids`` against every document that could be their
    version: versions share a publication day (or, undated, a publisher's id). Works a few days
    at a time, so memory stays flat however many documents changed."""
    ids = sorted(set(doc_ids))
    if not ids:
        return 0
    dates: set[str] = set()
    undated_keys: set[str] = set()
    for doc in _stream(store, "id", ids):
        if doc.date:
            dates.add(doc.date)
        elif key := version_key(doc):
            undated_keys.add(key)
    store.delete_version_links(ids)
    touched = set(ids)
    linked = 0
    ordered = sorted(dates)
    groups = [ordered[i : i + dates_per_step] for i in range(0, len(ordered), dates_per_step)]
    for group in groups:
        linked += _link_among(store, list(_stream(store, "date", group)), touched)
    if undated_keys:  # rare: stream the archive once for the documents sharing those ids
        pool = [d for d in _stream_all(store) if version_key(d) in undated_keys]
        linked += _link_among(store, pool, touched)
    return linked


def _link_among(store: SQLStore, docs: list[Document], touched: set[str]) -> int:
    links = [
        (v.a_id, v.b_id, v.method, v.score)
        for v in link_versions(docs)
        if v.a_id in touched or v.b_id in touched
    ]
    store.add_version_links(links)
    return len(links)


def _stream(store: SQLStore, column: str, values: list[str]) -> Iterator[Document]:
    """Documents whose ``column`` is one of ``values``, read 500 values at a time."""
    for marks, chunk in in_chunks(values, 500):
        yield from _documents(store, f"{column} IN ({marks})", chunk)


def _enrichment(doc: Document) -> list[tuple[object, ...]]:
    return [(t.person, *((m.start, m.end, m.entity) for m in t.mentions)) for t in doc.turns]


def _stream_all(store: SQLStore) -> Iterator[Document]:
    yield from store.records()


def learn_acronyms(store: SQLStore, docs: Iterable[Document]) -> int:
    """Store the acronym definitions (``Long Form (LF)``) each of ``docs`` makes; the archive's
    table is their sum (``SQLStore.acronym_table``). Returns how many were found."""
    found = 0
    for doc in docs:
        counts = {
            (short, long): n
            for short, longs in learn(t.text for t in doc.turns).items()
            for long, n in longs.items()
        }
        store.set_acronyms(doc.id, counts)
        found += len(counts)
    return found


ENRICHED = "enriched_seq"  # state key: the change log's seq that cross-document work has reached


def after_ingest(store: SQLStore) -> EnrichReport:
    """Version links and acronyms for the documents changed since the last time (read from the
    store's change log, so a run that died before this step is caught up by the next one), in
    one transaction with the mark of how far it got."""
    since = int(store.get_state(ENRICHED) or 0)
    upto = store.last_change()
    if upto <= since:
        return EnrichReport()
    ids = sorted(
        {doc_id for _seq, doc_id, op in store.changes_since(since) if op != "delete"}
        & set(store.doc_ids())
    )
    report = EnrichReport(documents=len(ids))
    store.begin()
    try:
        report.links = relink(store, ids)
        report.acronyms = learn_acronyms(store, _stream(store, "id", ids))
        store.set_state(ENRICHED, str(upto))
        store.commit()
    except BaseException:
        store.rollback()
        raise
    return report


def enrich_archive(
    store: SQLStore, on_document: Callable[[str], None] | None = None, batch: int = 200
) -> EnrichReport:
    """Re-apply people and entities to every stored document (e.g. after the user extended the
    register), then recompute every version link and the acronym table."""
    reg = register()
    ids = store.doc_ids()
    report = EnrichReport(documents=len(ids))
    for i in range(0, len(ids), batch):
        store.begin()
        try:
            for doc in _stream(store, "id", ids[i : i + batch]):
                before = _enrichment(doc)
                enrich_document(doc, reg)
                if _enrichment(doc) != before:  # a re-save is a change the indexes redo
                    raw, content = store.current(doc.id) or ("", "")
                    store.put_document(doc, raw, content, label_rows(doc))
                if on_document:
                    on_document(doc.id)
            store.commit()
        except BaseException:
            store.rollback()
            raise
    store.begin()
    try:
        report.links = relink(store, ids)
        report.acronyms = learn_acronyms(store, _stream_all(store))
        store.set_state(ENRICHED, str(store.last_change()))
        store.commit()
    except BaseException:
        store.rollback()
        raise
    return report
