"""The crawl of one site: list pages -> the ledger -> item pages -> raw inputs -> the ingester.

Every fetched page is stored raw, with its ledger row, in one transaction before it is
parsed. The ledger (``crawl_pages``) makes runs resumable: listed pages wait as ``pending``,
failures wait as ``failed`` until ``next_try``, and a page fetched but not yet ingested (a run
that died) is ingested from its stored raw input on the next run, without fetching it again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

from communique.crawl.extract import Listed, page_links, parse_html
from communique.crawl.fetch import Fetched, Fetcher, iso
from communique.crawl.profile import ListSpec, Profile
from communique.ingest.pipeline import Ingester
from communique.sources.raw import RawInput
from communique.store.sql import SQLStore
from communique.structure.ids import canonical_url

RETRY_AFTER = 3600.0  # seconds before a failed page is tried again on a later run; doubles
RETRY_MAX = 7 * 86400.0
GONE = frozenset({404, 410})


@dataclass
class CrawlReport:
    site: str
    list_pages: int = 0
    listed: int = 0  # item pages (and language versions) found on list pages in this run
    fetched: int = 0  # item pages answered with a body
    new: int = 0
    updated: int = 0
    unchanged: int = 0  # 304, the same bytes again, or the same text
    skipped: int = 0  # fetched, but not a document (the ingester said why)
    failed: int = 0
    gone: int = 0
    disallowed: int = 0
    offsite: int = 0  # links and redirects off the profile's hosts: recorded, not fetched
    caught_up: int = 0  # fetched in an earlier run that stopped before ingesting them
    stopped: bool = False  # --max-pages reached: the next run resumes
    list_failed: bool = False  # a list page failed: the run does not count as complete
    since: str | None = None
    until: str | None = None
    failures: list[tuple[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "failures"} | {
            "failures": [list(f) for f in self.failures]
        }


@dataclass
class _Todo:
    url: str  # the ledger key (canonical)
    fetch_url: str


class Crawler:
    """Crawls one site's profile into a store."""

    def __init__(
        self,
        store: SQLStore,
        profile: Profile,
        fetcher: Fetcher,
        *,
        ingest_batch: int = 32,
        on_page: Callable[[str, int, int], None] | None = None,
    ) -> None:
        self.store = store
        self.profile = profile
        self.fetcher = fetcher
        self.clock = fetcher.clock
        self.ingest_batch = ingest_batch
        self.on_page = on_page or (lambda url, done, total: None)
        self._key = f"crawl:{profile.name}:"
        self._batch: list[RawInput] = []

    # -- the run --------------------------------------------------------------------------------
    def run(
        self, *, since: str | None = None, until: str | None = None, max_pages: int | None = None
    ) -> CrawlReport:
        """List, fetch and ingest; ``since`` defaults to the day of the last complete run."""
        started = self.clock.now()
        since = since or self.store.get_state(self._key + "last_success")
        report = CrawlReport(self.profile.name, since=since, until=until)
        # set by a run that did not finish (--max-pages, interrupted): what it did is not redone
        resume_from = self.store.get_state(self._key + "resume_from") or None
        if resume_from is None:
            self.store.set_state(self._key + "resume_from", iso(started))
        self._catch_up(report)
        listed: list[_Todo] = []
        for spec in self.profile.lists:
            listed += self._list(spec, since, until, report)
        queue = self._queue(listed, resume_from)
        done = 0
        seen: set[str] = set()
        i = 0
        while i < len(queue):
            todo = queue[i]
            i += 1
            if todo.url in seen:
                continue
            seen.add(todo.url)
            if max_pages is not None and done >= max_pages:
                report.stopped = True
                break
            self.on_page(todo.fetch_url, done, len(queue) - i + done + 1)
            disallowed = report.disallowed
            queue += self._fetch_item(todo, report)
            done += report.disallowed == disallowed  # a page robots.txt forbids is not asked for
        self._flush(report)
        if not report.stopped:  # went to the end: the next run need not skip what this did
            self.store.set_state(self._key + "resume_from", "")
            if not report.list_failed:
                day = datetime.fromtimestamp(started, UTC).date().isoformat()
                self.store.set_state(self._key + "last_success", day)
        return report

    # -- listing --------------------------------------------------------------------------------
    def _list(
        self, spec: ListSpec, since: str | None, until: str | None, report: CrawlReport
    ) -> list[_Todo]:
        found: list[_Todo] = []
        for url, doc in self._list_pages(spec, report):
            items = spec.items(doc, url)
            older = False
            for it in items:
                if it.date and until and it.date > until:
                    continue
                if it.date and since and it.date < since:
                    older = True
                    continue
                found += self._note_listed(spec, it, report)
            if older:
                break  # lists run newest first: the rest is older than --since
        return found

    def _list_pages(self, spec: ListSpec, report: CrawlReport) -> Iterator[tuple[str, Any]]:
        """(URL, parsed page) of each list page, following the pagination."""
        url: str | None = spec.start
        count: int | None = None
        n = spec.page_first
        for index in range(spec.max_list_pages):
            if url is None:
                return
            body = self._fetch_list_page(url, spec, report)
            if body is None:
                return
            doc = parse_html(body)
            yield url, doc
            if index == 0 and spec.page_count is not None:
                m = spec.page_count.search(body.decode("utf-8", "replace"))
                count = int(m.group(1)) if m else None
            if spec.page_template:
                if count is not None and index + 1 >= count:
                    return
                url = urljoin(spec.start, spec.page_template.replace("{n}", str(n)))
                n += 1
            elif spec.next_page is not None:
                url = next(page_links(doc, url, spec.next_page), None)
            else:
                return

    def _fetch_list_page(self, url: str, spec: ListSpec, report: CrawlReport) -> bytes | None:
        key = canonical_url(url) or url
        row = self.store.crawl_page(key)
        got = self.fetcher.fetch(
            url, etag=row and row["etag"], last_modified=row and row["last_modified"]
        )
        if got.disallowed:
            report.disallowed += 1
            return None
        if got.not_modified and row and row["sha256"]:
            raw = self.store.get_raw(row["sha256"])
            if raw is not None:
                report.list_pages += 1
                self._save(key, url, got, row, {"role": "list", "list": spec.name}, store=False)
                return raw.data
            got = self.fetcher.fetch(url)  # the stored copy is missing: fetch it whole
        if not got.ok:
            if got.status not in GONE or spec.start == url:  # a 404 past the last page: the end
                report.list_failed = True
                report.failed += 1
                report.failures.append((url, got.error or f"HTTP {got.status}"))
            return None
        report.list_pages += 1
        self._save(key, url, got, row, {"role": "list", "list": spec.name})
        return got.body

    def _note_listed(self, spec: ListSpec, it: Listed, report: CrawlReport) -> list[_Todo]:
        """Ledger rows (pending when new) for a listed item and its rewritten versions."""
        meta = {"list": spec.name, "lang": spec.lang, "title": it.title, "date": it.date}
        out = [self._pending(it.url, meta)]
        for rw in spec.rewrites:
            other = rw.pattern.sub(rw.replace, it.url)
            if other != it.url:
                version = {"list": spec.name, "lang": rw.lang, "date": it.date}
                out.append(self._pending(other, version | {"version_of": out[0].url}))
        report.listed += len(out)
        return out

    def _pending(self, url: str, meta: dict[str, Any]) -> _Todo:
        """A page to fetch; a new one enters the ledger as ``pending``."""
        key = canonical_url(url) or url
        if self.store.crawl_page(key) is None:
            meta = {k: v for k, v in meta.items() if v} | {"fetch_url": url}
            now = iso(self.clock.now())
            row = {"url": key, "site": self.profile.name, "state": "pending", "first_seen": now}
            self.store.put_crawl_page(row | {"meta": meta})
        return _Todo(key, url)

    def _queue(self, listed: list[_Todo], resume_from: str | None) -> list[_Todo]:
        """What to fetch: listed pages not done since ``resume_from`` (a run that stopped
        early), then earlier pending pages and failures that are due."""
        now = iso(self.clock.now())
        queue: list[_Todo] = []
        for todo in listed:
            row = self.store.crawl_page(todo.url)
            done = resume_from is not None and ((row or {}).get("last_tried") or "") >= resume_from
            if row and row["state"] == "ok" and done:
                continue
            if row and row["state"] == "failed" and (row["next_try"] or "") > now:
                continue
            queue.append(todo)
        for row in self.store.crawl_pages(site=self.profile.name):
            if row["meta"].get("role") == "list":
                continue
            due = row["state"] == "pending" or (
                row["state"] == "failed" and (row["next_try"] or "") <= now
            )
            if due:
                queue.append(_Todo(row["url"], row["meta"].get("fetch_url") or row["url"]))
        return queue

    # -- fetching an item -----------------------------------------------------------------------
    def _fetch_item(self, todo: _Todo, report: CrawlReport) -> list[_Todo]:
        row = self.store.crawl_page(todo.url) or {}
        got = self.fetcher.fetch(
            todo.fetch_url, etag=row.get("etag"), last_modified=row.get("last_modified")
        )
        meta = dict(row.get("meta") or {})
        if got.disallowed:
            report.disallowed += 1
            self._ledger(todo, row, state=row.get("state") or "pending", error=got.error)
            return []
        if got.offsite:  # another host, another port or scheme: recorded, never contacted
            report.offsite += 1
            report.failures.append((todo.fetch_url, got.error or "off the site"))
            self._ledger(todo, row, state="offsite", error=got.error,
                         last_tried=iso(self.clock.now()))  # fmt: skip
            return []
        if got.not_modified:
            report.unchanged += 1
            self._save(todo.url, todo.fetch_url, got, row, meta, store=False)
            return []
        if got.status in GONE:
            report.gone += 1
            now = iso(self.clock.now())
            self._ledger(
                todo,
                row,
                state="gone",
                http_status=got.status,
                gone_since=row.get("gone_since") or now,
                last_tried=now,
                error=f"HTTP {got.status}",
            )
            return []
        if not got.ok:
            self._failed(todo, row, got, report)
            return []
        report.fetched += 1
        same = row.get("sha256") == _sha(got.body) and row.get("state") == "ok"
        self._save(todo.url, todo.fetch_url, got, row, meta)
        if same:
            report.unchanged += 1
        else:
            self._batch.append(self._raw(todo, got))
            if len(self._batch) >= self.ingest_batch:
                self._flush(report)
        return self._versions(todo, got, meta, report)

    def _versions(
        self, todo: _Todo, got: Fetched, meta: dict[str, Any], report: CrawlReport
    ) -> list[_Todo]:
        """Language versions named on the item page itself (link rules)."""
        spec = next((s for s in self.profile.lists if s.name == meta.get("list")), None)
        if spec is None or not spec.version_links or meta.get("version_of"):
            return []
        doc = parse_html(got.body)
        out = []
        for vl in spec.version_links:
            for url in page_links(doc, todo.fetch_url, vl.rule):
                if (canonical_url(url) or url) != todo.url:
                    version = {"list": spec.name, "lang": vl.lang, "date": meta.get("date")}
                    out.append(self._pending(url, version | {"version_of": todo.url}))
        report.listed += len(out)
        return out

    def _failed(self, todo: _Todo, row: dict[str, Any], got: Fetched, report: CrawlReport) -> None:
        failures = int(row.get("failures") or 0) + 1
        wait = min(RETRY_AFTER * 2 ** (failures - 1), RETRY_MAX)
        now = self.clock.now()
        error = got.error or f"HTTP {got.status}"
        report.failed += 1
        report.failures.append((todo.fetch_url, error))
        self._ledger(
            todo,
            row,
            state="failed",
            failures=failures,
            error=error,
            http_status=got.status or None,
            last_tried=iso(now),
            next_try=iso(now + wait),
        )

    # -- the ledger and the raw store -----------------------------------------------------------
    def _ledger(self, todo: _Todo, row: dict[str, Any], **changes: Any) -> None:
        base = row or {
            "url": todo.url,
            "site": self.profile.name,
            "first_seen": iso(self.clock.now()),
            "meta": {"fetch_url": todo.fetch_url},
        }
        self.store.put_crawl_page({**base, **changes})

    def _save(
        self,
        key: str,
        url: str,
        got: Fetched,
        row: dict[str, Any] | None,
        meta: dict[str, Any],
        *,
        store: bool = True,
    ) -> None:
        """The page's raw bytes and its ledger row, in one transaction."""
        when = iso(got.fetched_at)
        sha = _sha(got.body) if store else (row or {}).get("sha256")
        page = {
            **(row or {"first_seen": when}),
            "url": key,
            "site": self.profile.name,
            "state": "ok",
            "last_tried": when,
            "last_ok": when,
            "http_status": got.status,
            "failures": 0,
            "error": None,
            "next_try": None,
            "gone_since": None,
            "sha256": sha,
            "etag": got.etag or (row or {}).get("etag"),
            "last_modified": got.last_modified or (row or {}).get("last_modified"),
            "meta": {**meta, "fetch_url": url},
        }
        self.store.begin()
        try:
            if store:
                raw_meta = {
                    "url": url,
                    "fetched_at": when,
                    "status": got.status,
                    "etag": got.etag,
                    "last_modified": got.last_modified,
                    "content_type": got.content_type,
                }
                self.store.put_raw(sha, "file", got.body, raw_meta, key)
            self.store.put_crawl_page(page)
            self.store.commit()
        except BaseException:
            self.store.rollback()
            raise

    def _raw(self, todo: _Todo, got: Fetched) -> RawInput:
        return RawInput(path=todo.url, data=got.body, kind="file", meta={"url": todo.fetch_url})

    # -- ingesting ------------------------------------------------------------------------------
    def _catch_up(self, report: CrawlReport) -> None:
        """Ingest pages an earlier run fetched (and stored) but did not get to ingest."""
        rows = self.store.rows(
            "SELECT c.url FROM crawl_pages c LEFT JOIN paths p ON p.path = c.url "
            "WHERE c.site = ? AND c.state = 'ok' AND c.sha256 IS NOT NULL "
            "AND (p.sha256 IS NULL OR p.sha256 <> c.sha256)",
            (self.profile.name,),
        )
        for r in rows:
            row = self.store.crawl_page(r["url"])
            if row is None or row["meta"].get("role") == "list":
                continue
            raw = self.store.get_raw(row["sha256"])
            if raw is None:
                continue
            fetch_url = row["meta"].get("fetch_url") or row["url"]
            self._batch.append(RawInput(row["url"], raw.data, "file", {"url": fetch_url}))
            report.caught_up += 1
        self._flush(report)

    def _flush(self, report: CrawlReport) -> None:
        """Ingest the waiting raw inputs; note each page's document in the ledger."""
        if not self._batch:
            return
        batch, self._batch = self._batch, []
        ingester = Ingester(self.store, workers=1, publisher=self.profile.publisher)
        result = ingester.run_items(batch, described_as=[f"crawl {self.profile.name}"])
        report.new += result.counts["new"]
        report.updated += result.counts["updated"]
        report.unchanged += result.counts["unchanged"]
        report.skipped += result.counts["skipped"]
        for path, reason in result.failures:
            report.failures.append((path, f"not ingested: {reason}"))
        report.failed += result.counts["failed"]
        for raw in batch:
            seen = self.store.path_status(raw.path)
            row = self.store.crawl_page(raw.path)
            if seen and row and seen[2] and row.get("doc_id") != seen[2]:
                self.store.put_crawl_page({**row, "doc_id": seen[2]})


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
