"""The polite fetcher: robots.txt, a rate limit per host, retries with backoff, conditional
requests, a clear User-Agent. Time goes through a ``Clock`` so tests need no real sleeping."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx
from protego import Protego

if TYPE_CHECKING:
    from communique.crawl.profile import Profile

try:
    _VERSION = version("communique")
except PackageNotFoundError:  # running from a source tree
    _VERSION = "0"

USER_AGENT = (
    f"communique/{_VERSION} (research archive of official transcripts; "
    "polite crawler: robots.txt, rate limit; see docs/crawl.md)"
)
ROBOTS_AGENT = "communique"
RETRY_STATUSES = frozenset({500, 502, 503, 504, 429})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5


class Clock(Protocol):
    """Where the fetcher's time comes from (seconds since the epoch)."""

    def now(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock."""

    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


def iso(t: float) -> str:
    """A clock reading as the store writes times (``2026-11-28T09:30:00Z``)."""
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Fetched:
    """What one fetch gave: a status (0: no answer), the body, validators, or an error."""

    url: str
    status: int
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    fetched_at: float = 0.0
    attempts: int = 1
    error: str | None = None
    disallowed: bool = False
    location: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class Fetcher:
    """Fetches pages one at a time, politely.

    ``mirror`` (``http://127.0.0.1:8000``) sends every request to that server instead, with the
    real host in the ``Host`` header, so a mirror or a test site answers for the real URLs.
    """

    clock: Clock = field(default_factory=SystemClock)
    min_interval: float = 2.0
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 2.0
    mirror: str | None = None
    user_agent: str = USER_AGENT
    transport: httpx.BaseTransport | None = None
    _last: dict[str, float] = field(default_factory=dict)
    _robots: dict[str, Protego | None] = field(default_factory=dict)
    robots_errors: dict[str, str] = field(default_factory=dict)
    _client: httpx.Client | None = None

    def __post_init__(self) -> None:
        self._client = httpx.Client(
            timeout=self.timeout,
            follow_redirects=False,
            headers={"User-Agent": self.user_agent},
            transport=self.transport,
        )

    @classmethod
    def for_profile(cls, profile: Profile, **options: Any) -> Fetcher:
        """A fetcher with a site profile's politeness settings (``options`` override them)."""
        settings: dict[str, Any] = {"min_interval": profile.min_interval,
                                    "timeout": profile.timeout, "retries": profile.retries,
                                    "backoff": profile.backoff}  # fmt: skip
        return cls(**(settings | options))

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    # -- politeness -----------------------------------------------------------------------------
    def allowed(self, url: str) -> bool:
        """Whether robots.txt of the URL's host lets us fetch it."""
        host = urlsplit(url).netloc
        if host not in self._robots:
            self._robots[host] = self._load_robots(url)
        robots = self._robots[host]
        return True if robots is None else robots.can_fetch(url, ROBOTS_AGENT)

    def _load_robots(self, url: str) -> Protego | None:
        """The host's rules; None (no rules) for a 4xx; disallow-all for 5xx or no answer
        (RFC 9309), with the reason kept in ``robots_errors``."""
        parts = urlsplit(url)
        robots_url = urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
        got = self._request(robots_url, {}, retries=1)
        if got.status == 200:
            return Protego.parse(got.body.decode("utf-8", "replace"))
        if 400 <= got.status < 500:
            return None
        self.robots_errors[parts.netloc] = (
            f"robots.txt of {parts.netloc} unavailable ({got.error or got.status}): "
            "not crawling the host this run"
        )
        return Protego.parse("User-agent: *\nDisallow: /\n")

    def _interval(self, host: str) -> float:
        robots = self._robots.get(host)
        delay = robots.crawl_delay(ROBOTS_AGENT) if robots is not None else None
        return max(self.min_interval, float(delay or 0))

    def _wait_turn(self, host: str) -> None:
        last = self._last.get(host)
        if last is not None:
            wait = last + self._interval(host) - self.clock.now()
            if wait > 0:
                self.clock.sleep(wait)
        self._last[host] = self.clock.now()

    # -- fetching -------------------------------------------------------------------------------
    def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> Fetched:
        """GET ``url`` (conditionally when validators are given), honouring robots.txt."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        for _ in range(MAX_REDIRECTS + 1):
            if not self.allowed(url):
                host = urlsplit(url).netloc
                if host in self.robots_errors:  # no answer: a failure, retried on a later run
                    return Fetched(url, 0, error=self.robots_errors[host])
                return Fetched(url, 0, error="disallowed by robots.txt", disallowed=True)
            got = self._request(url, headers, retries=self.retries)
            if got.status not in REDIRECTS or not got.location:
                return got
            url = urljoin(url, got.location)  # followed here, so robots and the mirror apply
        got.error = f"more than {MAX_REDIRECTS} redirects"
        return got

    def _request(self, url: str, headers: dict[str, str], *, retries: int) -> Fetched:
        parts = urlsplit(url)
        target = url
        if self.mirror:
            m = urlsplit(self.mirror)
            target = urlunsplit((m.scheme, m.netloc, parts.path or "/", parts.query, ""))
            headers = {**headers, "Host": parts.netloc}
        assert self._client is not None
        attempt = 0
        while True:
            attempt += 1
            self._wait_turn(parts.netloc)
            started = self.clock.now()
            try:
                r = self._client.get(target, headers=headers)
                got = Fetched(
                    url,
                    r.status_code,
                    r.content,
                    etag=r.headers.get("etag"),
                    last_modified=r.headers.get("last-modified"),
                    content_type=r.headers.get("content-type"),
                    location=r.headers.get("location"),
                    fetched_at=started,
                    attempts=attempt,
                )
                if r.status_code not in RETRY_STATUSES:
                    return got
                got.error = f"HTTP {r.status_code}"
            except httpx.TimeoutException:
                got = Fetched(url, 0, fetched_at=started, attempts=attempt, error="timed out")
            except httpx.TransportError as e:
                got = Fetched(
                    url,
                    0,
                    fetched_at=started,
                    attempts=attempt,
                    error=f"connection failed: {type(e).__name__}: {e}",
                )
            if attempt > retries:
                return got
            self.clock.sleep(self.backoff * 2 ** (attempt - 1))
