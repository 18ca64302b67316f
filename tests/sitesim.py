"""A simulated official site on loopback, built from the real pages of ../shared/corpus.

One server answers for several hosts (by the ``Host`` header, as the crawler's ``--mirror``
sends it). Pages are served byte for byte (gzipped corpus files as ``Content-Encoding:
gzip``), with ETag / Last-Modified and 304s; robots.txt per host; 500s for the first N
requests of a page; slow answers; pages that change or disappear between runs. Every request
is recorded with the time of the clock the test gives (the crawler's injected clock).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

FMPRC = "www.fmprc.gov.cn"


@dataclass
class Page:
    body: bytes  # as sent on the wire (gzipped when ``gzipped``)
    content_type: str = "text/html; charset=utf-8"
    gzipped: bool = False
    modified: float = 1_593_561_600.0  # 2020-07-01
    status: int = 200

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:16] + '"'

    @property
    def last_modified(self) -> str:
        return formatdate(self.modified, usegmt=True)


@dataclass
class Hit:
    """One request as the site saw it."""

    at: float  # the test's clock
    host: str
    path: str
    status: int
    headers: dict[str, str]


@dataclass
class SiteSim:
    clock: Callable[[], float] = time.time
    pages: dict[tuple[str, str], Page] = field(default_factory=dict)
    robots: dict[str, str | None] = field(default_factory=dict)  # None: robots.txt 503s
    fail_first: dict[tuple[str, str], int] = field(default_factory=dict)  # 500 N times
    slow: dict[tuple[str, str], tuple[float, int]] = field(default_factory=dict)  # (s, N times)
    hits: list[Hit] = field(default_factory=list)
    url: str = ""  # http://127.0.0.1:PORT once started: what the crawler's --mirror names
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    # -- the site -------------------------------------------------------------------------------
    def add(
        self, url: str, body: bytes, *, gzipped: bool = False, content_type: str | None = None
    ) -> None:
        u = urlsplit(url)
        path = u.path + (f"?{u.query}" if u.query else "")
        self.pages[(u.netloc, path)] = Page(
            body, content_type or "text/html; charset=utf-8", gzipped=gzipped
        )

    def change(self, url: str, body: bytes) -> None:
        """A new body (and validators) for a page, as when a ministry edits it."""
        page = self.pages[_key(url)]
        page.body, page.gzipped, page.modified = body, False, page.modified + 86400

    def remove(self, url: str, status: int = 404) -> None:
        self.pages[_key(url)].status = status

    def hits_of(self, url: str) -> list[Hit]:
        host, path = _key(url)
        return [h for h in self.hits if (h.host, h.path) == (host, path)]

    # -- serving --------------------------------------------------------------------------------
    def start(self) -> str:
        sim = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                sim._answer(self)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _answer(self, h: BaseHTTPRequestHandler) -> None:
        host = (h.headers.get("Host") or "").lower()
        key = (host, h.path)
        with self._lock:
            slow = self.slow.get(key)
            if slow and slow[1] > 0:
                self.slow[key] = (slow[0], slow[1] - 1)
            failing = self.fail_first.get(key, 0)
            if failing:
                self.fail_first[key] = failing - 1
        status, body, headers = self._respond(host, h.path, h.headers, failing > 0)
        with self._lock:
            self.hits.append(Hit(self.clock(), host, h.path, status, dict(h.headers.items())))
        if slow and slow[1] > 0:
            time.sleep(slow[0])
        try:
            h.send_response(status)
            for k, v in headers.items():
                h.send_header(k, v)
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the crawler gave up waiting (a slow answer): as on the real web

    def _respond(
        self, host: str, path: str, req: object, failing: bool
    ) -> tuple[int, bytes, dict[str, str]]:
        if path == "/robots.txt":
            if host in self.robots and self.robots[host] is None:
                return 503, b"Service Unavailable", {"Content-Type": "text/plain"}
            if host in self.robots:
                return 200, str(self.robots[host]).encode(), {"Content-Type": "text/plain"}
            return 404, b"no robots.txt", {"Content-Type": "text/plain"}
        if failing:
            return 500, b"Internal Server Error", {"Content-Type": "text/plain"}
        page = self.pages.get((host, path))
        if page is None or page.status != 200:
            status = page.status if page else 404
            return status, b"<html><body>Not Found</body></html>", {"Content-Type": "text/html"}
        headers = {
            "Content-Type": page.content_type,
            "ETag": page.etag,
            "Last-Modified": page.last_modified,
        }
        inm = req.get("If-None-Match")  # type: ignore[attr-defined]
        ims = req.get("If-Modified-Since")  # type: ignore[attr-defined]
        if (inm and inm == page.etag) or (not inm and ims == page.last_modified):
            return 304, b"", headers
        if page.gzipped:
            headers["Content-Encoding"] = "gzip"
        return 200, page.body, headers


def _key(url: str) -> tuple[str, str]:
    u = urlsplit(url)
    return u.netloc, u.path + (f"?{u.query}" if u.query else "")


# -- sites built from the corpus ----------------------------------------------------------------
def fmprc_manifest(corpus: Path) -> list[dict[str, str]]:
    with (corpus / "fmprc_en_zh" / "manifest.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def add_fmprc(sim: SiteSim, corpus: Path, list_files: set[str]) -> dict[str, str]:
    """Every fmprc page of the corpus at its real URL (list pages: only ``list_files``);
    returns URL -> corpus file of what is served."""
    served = {}
    for row in fmprc_manifest(corpus):
        is_list = Path(row["file"]).name.startswith("default")
        if is_list and row["file"] not in list_files:
            continue
        url = row["url"].replace("http://", "https://")
        sim.add(url, (corpus / "fmprc_en_zh" / row["file"]).read_bytes())
        served[url] = row["file"]
    return served


def add_kremlin(sim: SiteSim, corpus: Path, ids: list[int], per_page: int = 3) -> list[str]:
    """Real en.kremlin.ru news pages (gzipped, as stored) and list pages built for them in
    the site's list markup, newest first, ``/events/president/news/page/N``; returns the
    item URLs in list order."""
    rows = {}
    with (corpus / "kremlin_en" / "manifest.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            rows[int(row["news_id"])] = row
    chosen = sorted((rows[i] for i in ids), key=lambda r: r["date"], reverse=True)
    urls = []
    for row in chosen:
        data = (corpus / "kremlin_en" / row["file"]).read_bytes()
        sim.add(row["url"], data, gzipped=True)
        assert gzip.decompress(data)
        urls.append(row["url"])
    pages = [chosen[i : i + per_page] for i in range(0, len(chosen), per_page)]
    for n, page in enumerate(pages, start=1):
        entries = "".join(
            f'<div class="hentry h-entry hentry_event" data-id="{r["news_id"]}">'
            f'<h3 class="hentry__title hentry__title_special">'
            f'<a href="/events/president/news/{r["news_id"]}">'
            f'<span class="entry-title p-name">{r["title"]}</span></a></h3>'
            f'<p class="hentry__meta"><time class="published dt-published" '
            f'datetime="{r["date"]}">{r["date"]}</time></p></div>'
            for r in page
        )
        more = (
            f'<a class="button button_white more more-next" '
            f'href="/events/president/news/page/{n + 1}">Previous events</a>'
            if n < len(pages)
            else ""
        )
        html = (
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>News</title>'
            f'</head><body><div class="events"><div class="entry-content">{entries}</div>'
            f'<div class="pagination">{more}</div></div></body></html>'
        )
        path = "/events/president/news" if n == 1 else f"/events/president/news/page/{n}"
        sim.add(f"http://en.kremlin.ru{path}", html.encode())
    return urls
