"""The crawler stays on its site (issue 18): a hostile site on loopback links and redirects to
an "internal" server on another port (and to file://), answers with bodies over the cap, a
gzip bomb, a body that trickles, a huge Crawl-delay. The internal server must never be hit."""

from __future__ import annotations

import gzip
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from communique.crawl.crawler import Crawler
from communique.crawl.fetch import Fetcher
from communique.crawl.profile import load_profile
from communique.store import open_store

from .conftest import CORPUS

GOOD_PAGE = gzip.decompress((CORPUS / "kremlin_en" / "html" / "006152.html.gz").read_bytes())


@dataclass
class Site:
    """A loopback server answering ``routes`` (path -> handler); it records every path asked."""

    routes: dict[str, object] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)
    url: str = ""
    server: ThreadingHTTPServer | None = None

    def start(self) -> Site:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                site.hits.append(self.path)
                route = site.routes.get(self.path)
                try:
                    if callable(route):
                        route(self)
                    else:
                        send(self, 404, b"not found")
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        return self

    def stop(self) -> None:
        assert self.server is not None
        self.server.shutdown()
        self.server.server_close()


def send(h: BaseHTTPRequestHandler, status: int, body: bytes, **headers: str) -> None:
    h.send_response(status)
    h.send_header("Content-Type", headers.pop("content_type", "text/html; charset=utf-8"))
    for k, v in headers.items():
        h.send_header(k.replace("_", "-"), v)
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


def trickle(h: BaseHTTPRequestHandler) -> None:
    """A body sent a byte every half second: each read is quick, the whole never ends."""
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Content-Length", "100000")
    h.end_headers()
    for _ in range(100):
        h.wfile.write(b"x")
        h.wfile.flush()
        time.sleep(0.5)


def trickle_headers(h: BaseHTTPRequestHandler) -> None:
    """A status line, then a header a byte every half second: the body never comes."""
    h.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Slow: ")
    h.wfile.flush()
    for _ in range(120):
        h.wfile.write(b"a")
        h.wfile.flush()
        time.sleep(0.5)


@pytest.fixture
def internal() -> Iterator[Site]:
    site = Site()
    site.routes["/secret"] = lambda h: send(h, 200, b"<html><body><p>internal secret</p>")
    yield site.start()
    site.stop()


@pytest.fixture
def hostile(internal: Site) -> Iterator[Site]:
    site = Site().start()
    links = ["/good", f"{internal.url}/secret", "/to-internal", "/to-file", "/huge", "/bomb",
             "/slow", "/slow-headers"]  # fmt: skip
    items = "".join(f'<li><a href="{u}">item {i}</a></li>' for i, u in enumerate(links))
    site.routes.update({
        "/robots.txt": lambda h: send(h, 200, b"User-agent: *\nCrawl-delay: 86400\n",
                                      content_type="text/plain"),
        "/list": lambda h: send(h, 200, f"<html><body><ul>{items}</ul>".encode()),
        "/good": lambda h: send(h, 200, GOOD_PAGE),
        "/to-internal": lambda h: send(h, 302, b"", Location=f"{internal.url}/secret"),
        "/to-file": lambda h: send(h, 302, b"", Location="file:///etc/passwd"),
        "/huge": lambda h: send(h, 200, b"<p>" + b"a" * (3 << 20)),
        "/bomb": lambda h: send(h, 200, gzip.compress(b"<p>" + b"a" * (50 << 20)),
                                Content_Encoding="gzip"),
        "/slow": trickle,
        "/slow-headers": trickle_headers,
    })  # fmt: skip
    yield site
    site.stop()


class FastClock:
    """Real time for reading answers; waits between requests are skipped."""

    def __init__(self) -> None:
        self.t = 1_800_000_000.0

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += max(seconds, 0.0)


def profile_for(tmp_path: Path, site: Site) -> Path:
    path = tmp_path / "hostile.toml"
    path.write_text(
        f'name = "hostile"\nmin_interval = 0.0\ntimeout = 5.0\nretries = 0\n'
        f"max_body_mb = 1.0\ndeadline = 2.0\n"
        f'[[lists]]\nname = "items"\nstart = "{site.url}/list"\n'
        f"[lists.items]\nitem = '//li'\nlink = '//a/@href'\ntitle = '//a//text()'\n",
        encoding="utf-8",
    )
    return path


def test_the_crawler_stays_on_its_site(
    tmp_path: Path, hostile: Site, internal: Site, caplog: pytest.LogCaptureFixture
) -> None:
    profile = load_profile(profile_for(tmp_path, hostile))
    store = open_store(str(tmp_path / "a.db"))
    fetcher = Fetcher.for_profile(profile, clock=FastClock())
    caplog.set_level(logging.WARNING, logger="communique.crawl")
    started = time.monotonic()
    try:
        report = Crawler(store, profile, fetcher).run()
    finally:
        fetcher.close()
    assert time.monotonic() - started < 20
    assert internal.hits == []  # never contacted, directly or by a redirect
    assert report.new == 1 and report.offsite == 3
    rows = {r["meta"].get("fetch_url") or r["url"]: r for r in store.crawl_pages(site="hostile")}
    secret = rows[f"{internal.url}/secret"]
    assert secret["state"] == "offsite" and "off the site" in secret["error"]
    assert rows[f"{hostile.url}/to-internal"]["state"] == "offsite"
    assert "a redirect to" in rows[f"{hostile.url}/to-internal"]["error"]
    assert "not an http(s) URL" in rows[f"{hostile.url}/to-file"]["error"]
    for path in ("/huge", "/bomb"):
        row = rows[f"{hostile.url}{path}"]
        assert row["state"] == "failed" and "over 1 MB after decoding" in row["error"], row
    for path in ("/slow", "/slow-headers"):
        slow = rows[f"{hostile.url}{path}"]
        assert slow["state"] == "failed" and "longer than 2 s in all" in slow["error"], slow
    assert rows[f"{hostile.url}/good"]["state"] == "ok"
    assert "Crawl-delay of 86400 s" in caplog.text and "60 s" in caplog.text
    assert store.stats()["documents"] == 1
    assert "internal secret" not in str(store.query("SELECT record FROM documents").fetchall())
    store.close()


def test_mirror_never_turns_file_urls_into_requests(tmp_path: Path, hostile: Site) -> None:
    fetcher = Fetcher(clock=FastClock(), mirror=hostile.url, min_interval=0)
    try:
        got = fetcher.fetch("file:///etc/passwd")
    finally:
        fetcher.close()
    assert got.offsite and got.status == 0
    assert "/etc/passwd" not in hostile.hits


def test_headers_sent_a_byte_at_a_time_are_cut_at_the_deadline() -> None:
    """Each byte comes well within the read timeout (5 s): only the total deadline (2 s) can
    stop the page, and robots.txt (whose host is then not crawled this run)."""
    site = Site()
    site.routes.update({"/robots.txt": lambda h: send(h, 404, b""), "/page": trickle_headers})
    trickling_robots = Site()
    trickling_robots.routes["/robots.txt"] = trickle_headers
    site.start()
    trickling_robots.start()
    fetcher = Fetcher(clock=FastClock(), min_interval=0, timeout=5, retries=2, deadline=2)
    try:
        started = time.monotonic()
        got = fetcher.fetch(f"{site.url}/page")
        took = time.monotonic() - started
        assert got.status == 0 and "longer than 2 s in all" in (got.error or ""), got
        assert got.attempts == 1  # the same answer would come again: not retried
        assert 1.5 < took < 4, f"cut after {took:.1f} s"

        started = time.monotonic()
        got = fetcher.fetch(f"{trickling_robots.url}/page")
        took = time.monotonic() - started
        assert got.status == 0 and "robots.txt" in (got.error or "")
        assert "longer than 2 s in all" in (got.error or ""), got
        assert took < 4, f"robots.txt cut after {took:.1f} s"
        assert trickling_robots.hits == ["/robots.txt"]  # the page itself never asked for
    finally:
        fetcher.close()
        site.stop()
        trickling_robots.stop()
