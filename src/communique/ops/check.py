"""Verify an archive and repair what can be repaired (``communique check [--repair]``).

What is checked, each problem reported with what to do:

- the database's own integrity check (SQLite);
- every raw input that documents, origins or revisions refer to is present, and every stored
  raw input's bytes hash to its sha256;
- every document's record parses, is the document of its row, and the turns table holds as
  many turns as the record;
- every path the ingest log records as new/updated/unchanged names a document that exists;
- documents parsed by another (older) parser version than this one's ``PARSER_VERSION``;
- the search index exists, is of this version, has reached the store's last change and holds
  the same documents (and turns) as the store; the analysis cache is not ahead of the store;
- files left by an interrupted index rebuild or restore.

``repair`` re-derives documents from their raw inputs (stale, mismatched, unreadable, or missing
behind a path), syncs or rebuilds the index, drops derived files that are ahead or left over,
and checks again: what remains (a missing or damaged raw input cannot be recreated) is named.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from communique.enrich.labels import label_rows
from communique.ops.backup import analysis_files
from communique.search.build import process_alive
from communique.search.concordance import ConcordanceStore, prepare_concordance
from communique.search.index import SearchIndex
from communique.search.schema import INDEX_VERSION
from communique.store import is_url, open_store
from communique.store.chunks import in_chunks

Progress = Callable[[str, int, int], None]  # (what, done, total)
PAGE = 500  # rows a query reads at a time (keyset pagination)
RAW_PAGE = 100  # raw inputs (whole files) a query reads at a time
SHOWN = 10  # ids named in a message
REBUILD = {"index-missing", "index-outdated", "index-ahead", "index-contents"}  # else a sync


@dataclass
class Finding:
    """One problem: what is wrong, what to do, the documents it touches."""

    code: str
    message: str
    action: str
    repairable: bool
    doc_ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "action": self.action,
            "repairable": self.repairable,
            "doc_ids": self.doc_ids,
        }


@dataclass
class CheckReport:
    """Findings of one check; with repair, what was done and the findings of the re-check."""

    findings: list[Finding]
    checked: dict[str, int]  # documents, raw inputs, paths looked at
    repaired: list[str] = field(default_factory=list)  # what --repair did
    before: list[Finding] = field(default_factory=list)  # findings before the repair

    @property
    def ok(self) -> bool:
        return not self.findings

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "findings": [f.to_dict() for f in self.findings],
            "repaired": self.repaired,
            "found_before_repair": [f.to_dict() for f in self.before],
        }


def check(
    target: str,
    *,
    repair: bool = False,
    data_dir: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
) -> CheckReport:
    """Check the archive at ``target``; with ``repair``, repair it and check again."""
    store = open_store(target, data_dir=data_dir)
    try:
        report = Checker(store, target, progress).run()
        if not repair or report.ok:
            return report
        done = Repairer(store, target, report.findings).run()
        again = Checker(store, target, progress).run()
        again.repaired, again.before = done, report.findings
        return again
    finally:
        store.close()


def _short(ids: list[str]) -> str:
    shown = ", ".join(ids[:SHOWN])
    return shown + (f" and {len(ids) - SHOWN} more" if len(ids) > SHOWN else "")


class Checker:
    """The checks, in order; each adds findings."""

    def __init__(self, store: Any, target: str, progress: Progress | None) -> None:
        self.store = store
        self.target = target
        self.progress = progress or (lambda *_: None)
        self.findings: list[Finding] = []
        self.checked: dict[str, int] = {}

    def run(self) -> CheckReport:
        for step in (self.integrity, self.raw_inputs, self.documents, self.paths, self.parser,
                     self.index, self.analysis, self.concordance, self.leftovers):  # fmt: skip
            step()
        return CheckReport(self.findings, self.checked)

    def add(self, *args: Any, **kwargs: Any) -> None:
        self.findings.append(Finding(*args, **kwargs))

    def one(self, sql: str, args: tuple[Any, ...] = ()) -> Any:
        return next(iter(self.store.rows(sql, args)[0].values()))

    def pages(self, sql: str, key: str, size: int = PAGE) -> Iterator[dict[str, Any]]:
        """Rows of ``sql`` (which has ``WHERE <key> > ?`` and ``ORDER BY <key> LIMIT ?``)."""
        last = ""
        while True:
            rows = self.store.rows(sql, (last, size))
            yield from rows
            if len(rows) < size:
                return
            last = rows[-1][key]

    # -- the store --------------------------------------------------------------------------------
    def integrity(self) -> None:
        check = getattr(self.store, "integrity_ok", None)
        if check is not None and not check():
            self.add(
                "integrity",
                "the database fails its own integrity check (its file is damaged)",
                "restore the latest backup (communique restore BACKUP --db NEW) and compare",
                False,
            )

    def raw_inputs(self) -> None:
        missing: dict[str, set[str]] = defaultdict(set)  # sha256 -> documents that need it
        for table, doc, sha in (("documents", "id", "raw_sha256"),
                                ("origins", "doc_id", "sha256"),
                                ("revisions", "doc_id", "raw_sha256")):  # fmt: skip
            rows = self.store.rows(
                f"SELECT x.{doc} AS doc_id, x.{sha} AS sha FROM {table} x WHERE NOT EXISTS "
                f"(SELECT 1 FROM raw_inputs r WHERE r.sha256 = x.{sha})"
            )
            for r in rows:
                missing[r["sha"]].add(r["doc_id"])
        if missing:
            docs = sorted(set().union(*missing.values()))
            self.add(
                "raw-missing",
                f"{len(missing)} raw inputs are missing (referenced by documents "
                f"{_short(docs)}): they cannot be recreated from the archive",
                "restore them from a backup (communique restore BACKUP --db OTHER, then compare), "
                "or delete the documents (communique delete ID) and ingest their sources again",
                False,
                docs,
            )
        total = self.one("SELECT count(*) AS n FROM raw_inputs")
        self.checked["raw_inputs"] = total
        damaged: list[str] = []
        sql = "SELECT sha256, data FROM raw_inputs WHERE sha256 > ? ORDER BY sha256 LIMIT ?"
        for done, row in enumerate(self.pages(sql, "sha256", RAW_PAGE), start=1):
            if hashlib.sha256(bytes(row["data"])).hexdigest() != row["sha256"]:
                damaged.append(row["sha256"])
            if done % RAW_PAGE == 0 or done == total:
                self.progress("raw inputs", done, total)
        if damaged:
            docs = self._docs_of_raw(damaged)
            self.add(
                "raw-damaged",
                f"{len(damaged)} raw inputs no longer hash to their sha256 (bytes changed): "
                f"{_short(damaged)}; documents: {_short(docs) or 'none'}",
                "restore them from a backup; the documents parsed from them stay as they are",
                False,
                docs,
            )

    def _docs_of_raw(self, shas: list[str]) -> list[str]:
        docs: set[str] = set()
        for marks, chunk in in_chunks(shas, PAGE):
            for r in self.store.rows(
                f"SELECT id AS doc_id FROM documents WHERE raw_sha256 IN ({marks}) UNION "
                f"SELECT doc_id FROM origins WHERE sha256 IN ({marks})",
                (*chunk, *chunk),
            ):
                docs.add(r["doc_id"])
        return sorted(docs)

    def documents(self) -> None:
        from communique.model import Document

        total = self.one("SELECT count(*) AS n FROM documents")
        self.checked["documents"] = total
        unreadable: list[str] = []
        mismatched: list[str] = []
        sql = (
            "SELECT d.id, d.record, (SELECT count(*) FROM turns t WHERE t.doc_id = d.id) AS turns "
            "FROM documents d WHERE d.id > ? ORDER BY d.id LIMIT ?"
        )
        for done, row in enumerate(self.pages(sql, "id"), start=1):
            try:
                doc = Document.from_dict(json.loads(row["record"]))
            except Exception:  # any failure to read it back is the finding
                unreadable.append(row["id"])
            else:
                if doc.id != row["id"] or len(doc.turns) != int(row["turns"]):
                    mismatched.append(row["id"])
            if done % PAGE == 0 or done == total:
                self.progress("documents", done, total)
        if unreadable:
            self.add(
                "record-unreadable",
                f"{len(unreadable)} documents' records do not parse: {_short(unreadable)}",
                "--repair parses them again from their raw inputs",
                True,
                unreadable,
            )
        if mismatched:
            self.add(
                "turns-mismatch",
                f"{len(mismatched)} documents' turns table does not match their record "
                f"(number of turns): {_short(mismatched)}",
                "--repair parses them again from their raw inputs (or rewrites them from the "
                "record if the raw input is gone)",
                True,
                mismatched,
            )

    def paths(self) -> None:
        rows = self.store.rows(
            "SELECT p.path, p.doc_id FROM paths p WHERE p.status IN ('new', 'updated', "
            "'unchanged') AND (p.doc_id IS NULL OR NOT EXISTS "
            "(SELECT 1 FROM documents d WHERE d.id = p.doc_id)) ORDER BY p.path"
        )
        self.checked["paths"] = self.one("SELECT count(*) AS n FROM paths")
        if rows:
            docs = sorted({r["doc_id"] for r in rows if r["doc_id"]})
            self.add(
                "path-dangling",
                f"{len(rows)} ingested paths name documents that do not exist "
                f"({_short([r['path'] for r in rows])}); documents: {_short(docs) or 'none'}",
                "--repair parses them again from the stored raw inputs",
                True,
                docs,
            )

    def parser(self) -> None:
        from communique.structure.document import PARSER_VERSION

        rows = self.store.rows(
            "SELECT id, parser_version FROM documents WHERE parser_version <> ? ORDER BY id",
            (PARSER_VERSION,),
        )
        if rows:
            versions = sorted({r["parser_version"] for r in rows})
            ids = [r["id"] for r in rows]
            self.add(
                "parser-stale",
                f"{len(rows)} documents were parsed by parser version {', '.join(versions)}, "
                f"not this one ({PARSER_VERSION}): {_short(ids)}",
                "--repair parses them again from their raw inputs with this version",
                True,
                ids,
            )

    # -- derived files ----------------------------------------------------------------------------
    def index(self) -> None:
        index = SearchIndex(self.store)
        last = int(self.one("SELECT coalesce(max(seq), 0) AS seq FROM changes"))
        state = index.state()
        rebuild = "--repair rebuilds it from the store (communique reindex does the same)"
        if state is None or not (index.path / "meta.json").exists():
            self.add("index-missing", f"the search index {index.path} is missing or damaged",
                     rebuild, True)  # fmt: skip
            return
        if state.get("version") != INDEX_VERSION:
            self.add(
                "index-outdated",
                f"the search index is of version {state.get('version')}, not {INDEX_VERSION}",
                rebuild,
                True,
            )
            return
        seq = int(state.get("seq", -1))
        if seq > last:
            self.add(
                "index-ahead",
                f"the search index has reached change {seq} but the store's last is {last} "
                "(it was built from another copy of the archive)",
                rebuild,
                True,
            )
            return
        if seq < last:
            self.add(
                "index-behind",
                f"the search index has reached change {seq} of {last}",
                "--repair brings it up to date (so does any search or ingest)",
                True,
            )
            return
        self.progress("search index", 0, 1)
        try:
            held = index.contents()
        except ValueError as e:
            self.add("index-missing", f"the search index cannot be read ({e})", rebuild, True)
            return
        stored = {
            r["doc_id"]: int(r["n"])
            for r in self.store.rows("SELECT doc_id, count(*) AS n FROM turns GROUP BY doc_id")
        }
        self.progress("search index", 1, 1)
        missing = sorted(set(stored) - set(held))
        extra = sorted(set(held) - set(stored))
        differ = sorted(d for d in set(stored) & set(held) if stored[d] != held[d])
        if missing or extra or differ:
            parts = [
                f"{len(ids)} {what} ({_short(ids)})"
                for ids, what in ((missing, "documents missing from it"),
                                  (extra, "documents the store does not hold"),
                                  (differ, "documents with another number of turns"))
                if ids
            ]  # fmt: skip
            self.add(
                "index-contents",
                "the search index is not in line with the store: " + "; ".join(parts),
                rebuild,
                True,
                missing + extra + differ,
            )

    def analysis(self) -> None:
        path = self.store.paths.analysis
        if not path.exists():
            return
        last = int(self.one("SELECT coalesce(max(seq), 0) AS seq FROM changes"))
        try:
            db = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)
            try:
                row = db.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()
            finally:
                db.close()
            seq = int(row[0]) if row else -1
        except (sqlite3.DatabaseError, ValueError) as e:
            self.add("analysis-damaged", f"the analysis cache {path} cannot be read ({e})",
                     "--repair deletes it (it is rebuilt on the next analysis)", True)  # fmt: skip
            return
        if seq > last:
            self.add(
                "analysis-ahead",
                f"the analysis cache {path} has reached change {seq} but the store's last is "
                f"{last} (it was built from another copy of the archive)",
                "--repair deletes it (it is rebuilt on the next analysis)",
                True,
            )

    def concordance(self) -> None:
        """The concordance store: readable, and not ahead of the store."""
        conc = ConcordanceStore(self.store.paths.concordance)
        if not conc.path.exists():
            return
        st = conc.state()
        last = int(self.one("SELECT coalesce(max(seq), 0) AS seq FROM changes"))
        if st is None:
            self.add("concordance-damaged",
                     f"the concordance store {conc.path} cannot be read (or is outdated)",
                     "--repair builds it again", True)  # fmt: skip
        elif int(st["seq"]) > last:
            self.add("concordance-ahead",
                     f"the concordance store {conc.path} has reached change {st['seq']} but the "
                     f"store's last is {last} (it was built from another copy of the archive)",
                     "--repair builds it again", True)  # fmt: skip

    def leftovers(self) -> None:
        found = leftover_files(self.store, self.target)
        if found:
            self.add(
                "leftovers",
                f"{len(found)} files left by an interrupted rebuild or restore: "
                f"{_short([str(p) for p in found])}",
                "--repair deletes them",
                True,
            )


def leftover_files(store: Any, target: str) -> list[Path]:
    """Temporary copies of the index or of a restore whose process is gone."""
    index = store.paths.index
    patterns = [(index.parent, re.escape(index.name) + r"\.(?:tmp|old)-(\d+)")]
    if not is_url(target):
        db = Path(target)
        patterns.append((db.parent, re.escape(db.name) + r"\.restore-(\d+)"))
    found = []
    for folder, pattern in patterns:
        if not folder.is_dir():
            continue
        for p in sorted(folder.iterdir()):
            m = re.fullmatch(pattern, p.name)
            if m and not process_alive(int(m.group(1))):
                found.append(p)
    return found


class Repairer:
    """What ``--repair`` does about findings; returns lines saying what it did."""

    def __init__(self, store: Any, target: str, findings: list[Finding]) -> None:
        self.store = store
        self.target = target
        self.by_code = {f.code: f for f in findings}
        self.done: list[str] = []

    def run(self) -> list[str]:
        from communique.ingest.enrichment import after_ingest

        lost = self.ids("raw-missing", "raw-damaged")
        broken = self.ids("record-unreadable", "turns-mismatch")
        redo = broken | self.ids("parser-stale")
        if redo:
            self.redo(sorted(redo), lost, broken)
        if "path-dangling" in self.by_code:
            self.dangling()
        if redo or "path-dangling" in self.by_code:
            after_ingest(self.store)
        self.derived()
        return self.done

    def ids(self, *codes: str) -> set[str]:
        """The documents the findings of these codes name."""
        return {d for c in codes if c in self.by_code for d in self.by_code[c].doc_ids}

    def _parse(self, sha: str) -> Any:
        """The document parsed from a stored raw input (None when gone, damaged or failing)."""
        from communique.ingest.pipeline import parse_raw
        from communique.sources.raw import RawInput

        stored = self.store.get_raw(sha)
        if stored is None:
            return None
        raw = RawInput(path=stored.path, data=stored.data, kind=stored.kind, meta=stored.meta)
        if raw.sha256 != sha:  # damaged bytes: not a source to derive from
            return None
        parsed = parse_raw(raw)
        return parsed if parsed.doc is not None else None

    def redo(self, ids: list[str], lost: set[str], broken: set[str]) -> None:
        """Documents again from their raw inputs with this parser, keeping the ids the ingest
        gave them (``reparse`` takes the parse's id, which merges a table's ``-rowN`` parts)
        and their origins; a ``broken`` one whose raw input is gone, from its record."""
        from communique.ingest.pipeline import content_hash
        from communique.model import Document, Origin

        fixed, from_record, failed = [], [], []
        self.store.begin()
        try:
            for doc_id in ids:
                row = self.store.rows(
                    "SELECT raw_sha256, record FROM documents WHERE id = ?", (doc_id,)
                )[0]
                try:
                    record = Document.from_dict(json.loads(row["record"]))
                except Exception:
                    record = None
                parsed = None if doc_id in lost else self._parse(row["raw_sha256"])
                if parsed is not None:
                    doc = parsed.doc
                    doc.id = doc_id  # the id the ingest gave it (it may differ from the parse)
                    if record is not None:
                        doc.origin = record.origin
                    else:
                        doc.origin = [
                            Origin(r["path"], r["url"], r["sha256"])
                            for r in self.store.rows(
                                "SELECT path, url, sha256 FROM origins WHERE doc_id = ? "
                                "ORDER BY position",
                                (doc_id,),
                            )
                        ] or doc.origin
                    self.store.put_document(
                        doc, row["raw_sha256"], parsed.content_hash, label_rows(doc)
                    )
                    fixed.append(doc_id)
                elif doc_id in broken and record is not None and record.id == doc_id:
                    self.store.put_document(
                        record, row["raw_sha256"], content_hash(record), label_rows(record)
                    )
                    from_record.append(doc_id)
                else:
                    failed.append(doc_id)
            self.store.commit()
        except BaseException:
            self.store.rollback()
            raise
        if fixed:
            self.done.append(f"parsed again from their raw inputs (this parser): {_short(fixed)}")
        if from_record:
            self.done.append(f"turns rewritten from the stored record: {_short(from_record)}")
        if failed:
            self.done.append(f"could not repair (raw input missing or damaged): {_short(failed)}")

    def dangling(self) -> None:
        """Paths whose document is gone: the document again from the path's raw input under
        the id recorded, or the path pointed at the document made from that very input."""
        rows = self.store.rows(
            "SELECT p.path, p.sha256, p.status, p.doc_id FROM paths p WHERE p.status IN "
            "('new', 'updated', 'unchanged') AND (p.doc_id IS NULL OR NOT EXISTS "
            "(SELECT 1 FROM documents d WHERE d.id = p.doc_id)) ORDER BY p.path"
        )
        made, pointed, failed = [], [], []
        self.store.begin()
        try:
            for r in rows:
                parsed = self._parse(r["sha256"])
                if parsed is None:
                    failed.append(r["path"])
                    continue
                doc, recorded = parsed.doc, r["doc_id"]
                held = self.store.current(doc.id)
                if recorded is None or (
                    doc.id != recorded and held is not None and held[0] == r["sha256"]
                ):  # the document made from this very input is held under another id
                    if self.store.current(doc.id) is None:
                        self.store.put_document(
                            doc, r["sha256"], parsed.content_hash, label_rows(doc)
                        )
                        made.append(doc.id)
                    self.store.set_path(r["path"], r["sha256"], r["status"], None, doc.id)
                    pointed.append(r["path"])
                    continue
                doc.id = recorded  # the id the ingest gave it (it may differ from the parse)
                if self.store.current(recorded) is None:  # two paths may name one document
                    self.store.put_document(doc, r["sha256"], parsed.content_hash, label_rows(doc))
                    made.append(recorded)
            self.store.commit()
        except BaseException:
            self.store.rollback()
            raise
        if made:
            self.done.append(f"documents made again from their raw inputs: {_short(made)}")
        if pointed:
            self.done.append(f"paths pointed at the documents their inputs give: {_short(pointed)}")
        if failed:
            self.done.append(f"could not repair (raw input missing or failing): {_short(failed)}")

    def derived(self) -> None:
        """The index synced or rebuilt; derived files ahead of the store or left over dropped."""
        paths = self.store.paths
        for f in leftover_files(self.store, self.target):
            if f.is_dir():
                shutil.rmtree(f, ignore_errors=True)
            else:
                f.unlink(missing_ok=True)
            self.done.append(f"deleted {f}")
        if "analysis-ahead" in self.by_code or "analysis-damaged" in self.by_code:
            for f in analysis_files(paths.analysis):
                f.unlink(missing_ok=True)
            self.done.append(f"deleted the analysis cache {paths.analysis} (rebuilt on next use)")
        conc = paths.concordance
        rebuild_conc = bool({"concordance-ahead", "concordance-damaged"} & set(self.by_code))
        if rebuild_conc:
            shutil.rmtree(conc, ignore_errors=True)
        index = SearchIndex(self.store)
        if REBUILD & set(self.by_code):
            done = index.rebuild()
            self.done.append(f"search index rebuilt: {done.documents} documents")
        else:
            done = index.open()  # catches up with the store (and any repair above)
            if done.documents or done.rebuilt:
                self.done.append(f"search index brought up to date: {done.documents} documents")
        index.close()
        if rebuild_conc or conc.exists():  # rebuilt, or brought up to date with the repairs
            turns = prepare_concordance(self.store)
            if rebuild_conc:
                self.done.append(f"concordance store rebuilt: {turns} turns")
