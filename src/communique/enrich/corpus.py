"""Enrichment across documents: links between language versions, acronyms learned from the
archive, and re-applying the per-document enrichment to what is already stored.

``after_ingest(store, doc_ids)`` runs at the end of an ingest for the documents it added or
changed; ``enrich_archive(store)`` redoes everything (``communique enrich``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from communique.enrich.acronyms import learn
from communique.enrich.document import enrich_document, register
from communique.enrich.versions import link_versions, version_key
from communique.model import Document
from communique.store.sqlite import SQLiteStore


@dataclass
class EnrichReport:
    documents: int = 0
    links: int = 0
    acronyms: int = 0


def _documents(store: SQLiteStore, where: str, args: Iterable[object]) -> list[Document]:
    rows = store.db.execute(f"SELECT record FROM documents WHERE {where}", list(args))
    return [Document.from_dict(json.loads(r[0])) for r in rows]


def speaker_labels(store: SQLiteStore) -> list[tuple[str, str, int, str]]:
    """(speaker, lang, turns, usual role) for every distinct speaker of the archive: the input
    of :func:`communique.enrich.people.cluster_labels`."""
    roles: dict[tuple[str, str], dict[str, int]] = {}
    for value, lang, role, n in store.db.execute(
        "SELECT t.speaker, coalesce(d.lang, ''), t.role, count(*) FROM turns t "
        "JOIN documents d ON d.id = t.doc_id WHERE t.speaker IS NOT NULL AND t.speaker != '' "
        "GROUP BY 1, 2, 3"
    ):
        roles.setdefault((value, lang), {})[role] = n
    return [
        (value, lang, sum(by_role.values()), max(by_role, key=lambda r: by_role[r]))
        for (value, lang), by_role in roles.items()
    ]


def relink(store: SQLiteStore, doc_ids: Iterable[str]) -> int:
    """Recompute the version links of ``doc_ids`` against every document that could be their
    version (versions share a publication day, or a publisher's id when undated)."""
    ids = sorted(set(doc_ids))
    if not ids:
        return 0
    changed = _in_chunks(store, "id", ids)
    dates = sorted({d.date for d in changed if d.date})
    pool = {d.id: d for d in changed}
    for d in _in_chunks(store, "date", dates):
        pool.setdefault(d.id, d)
    keys = {version_key(d) for d in changed if not d.date} - {None}
    if keys:  # undated documents with a publisher id: their versions may be dated or not
        for d in _documents(store, "1", ()):
            if version_key(d) in keys:
                pool.setdefault(d.id, d)
    links = link_versions(pool.values())
    touched = set(ids)
    mine = [(v.a_id, v.b_id, v.method, v.score) for v in links if {v.a_id, v.b_id} & touched]
    store.set_version_links(ids, mine)
    return len(mine)


def _in_chunks(store: SQLiteStore, column: str, values: list[str]) -> list[Document]:
    out: list[Document] = []
    for i in range(0, len(values), 500):
        chunk = values[i : i + 500]
        out += _documents(store, f"{column} IN ({','.join('?' * len(chunk))})", chunk)
    return out


def learn_acronyms(store: SQLiteStore, docs: Iterable[Document]) -> int:
    """Store the acronym definitions (``Long Form (LF)``) each of ``docs`` makes; the archive's
    table is their sum (``SQLiteStore.acronym_table``). Returns how many were found."""
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


def after_ingest(store: SQLiteStore, doc_ids: Iterable[str]) -> EnrichReport:
    """Version links and acronyms for the documents an ingest added or changed (one
    transaction)."""
    ids = sorted(set(doc_ids))
    report = EnrichReport(documents=len(ids))
    if not ids:
        return report
    store.begin()
    try:
        report.links = relink(store, ids)
        report.acronyms = learn_acronyms(store, _in_chunks(store, "id", ids))
        store.commit()
    except BaseException:
        store.rollback()
        raise
    return report


def enrich_archive(
    store: SQLiteStore, on_document: Callable[[str], None] | None = None, batch: int = 200
) -> EnrichReport:
    """Re-apply people and entities to every stored document (e.g. after the user extended the
    register), then recompute every version link and the acronym table."""
    reg = register()
    ids = store.doc_ids()
    report = EnrichReport(documents=len(ids))
    for i in range(0, len(ids), batch):
        store.begin()
        try:
            for doc in _in_chunks(store, "id", ids[i : i + batch]):
                enrich_document(doc, reg)
                raw, content = store.current(doc.id) or ("", "")
                store.put_document(doc, raw, content)
                if on_document:
                    on_document(doc.id)
            store.commit()
        except BaseException:
            store.rollback()
            raise
    store.begin()
    try:
        docs = _documents(store, "1", ())
        links = link_versions(docs)
        store.db.execute("DELETE FROM version_links")
        store.set_version_links([], [(v.a_id, v.b_id, v.method, v.score) for v in links])
        report.links = len(links)
        report.acronyms = learn_acronyms(store, docs)
        store.commit()
    except BaseException:
        store.rollback()
        raise
    return report
