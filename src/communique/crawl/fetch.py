"""The polite fetcher: robots.txt, a rate limit per host, retries with backoff, conditional
requests, a clear User-Agent. Time goes through a ``Clock`` so tests need no real sleeping."""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx
from protego import Protego

from communique.crawl.deadline import Deadlines, deadline_transport

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
MAX_BODY = 20 * 1024 * 1024  # bytes of an answer, after decoding (per profile: max_body_mb)
MAX_ROBOTS = 512 * 1024  # bytes of robots.txt read (RFC 9309: at least 500 KiB); the rest ignored
DEADLINE = 120.0  # seconds one answer may take in all (per profile: deadline)
MAX_CRAWL_DELAY = 60.0  # a robots.txt Crawl-delay above this is capped (and logged)
SCHEMES = ("http", "https")
log = logging.getLogger("communique.crawl")


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
    offsite: bool = False  # a URL (or a redirect) outside the profile's hosts: not fetched

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

    ``hosts`` (the profile's): only URLs on these hosts, over http(s), are fetched; another URL,
    or a redirect to one, is answered with an ``offsite`` :class:`Fetched` and never contacted.
    An answer over ``max_body`` bytes (after decoding) or taking longer than ``deadline``
    seconds in all is cut off with an error.
    """

    clock: Clock = field(default_factory=SystemClock)
    min_interval: float = 2.0
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 2.0
    mirror: str | None = None
    user_agent: str = USER_AGENT
    transport: httpx.BaseTransport | None = None
    hosts: frozenset[str] | None = None  # None: any host (a fetcher without a profile)
    max_body: int = MAX_BODY
    deadline: float = DEADLINE
    _last: dict[str, float] = field(default_factory=dict)
    _robots: dict[str, Protego | None] = field(default_factory=dict)
    robots_errors: dict[str, str] = field(default_factory=dict)
    _capped: set[str] = field(default_factory=set)  # hosts whose Crawl-delay was capped
    _client: httpx.Client | None = None
    _deadlines: Deadlines | None = None  # the total deadline on our own sockets

    def __post_init__(self) -> None:
        transport = self.transport
        if transport is None:  # headers sent a byte at a time are cut at the deadline too
            self._deadlines = Deadlines()
            transport = deadline_transport(self._deadlines)
        self._client = httpx.Client(
            timeout=self.timeout,
            follow_redirects=False,
            headers={"User-Agent": self.user_agent},
            transport=transport,
        )

    @classmethod
    def for_profile(cls, profile: Profile, **options: Any) -> Fetcher:
        """A fetcher with a site profile's politeness settings (``options`` override them)."""
        settings: dict[str, Any] = {"min_interval": profile.min_interval,
                                    "timeout": profile.timeout, "retries": profile.retries,
                                    "backoff": profile.backoff,
                                    "hosts": frozenset(profile.hosts),
                                    "max_body": int(profile.max_body_mb * 1024 * 1024),
                                    "deadline": profile.deadline}  # fmt: skip
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
        got = self._request(robots_url, {}, retries=1, max_body=MAX_ROBOTS, truncate=True)
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
        delay = float((robots.crawl_delay(ROBOTS_AGENT) if robots is not None else None) or 0)
        if delay > MAX_CRAWL_DELAY:
            if host not in self._capped:
                self._capped.add(host)
                log.warning(
                    "robots.txt of %s asks for a Crawl-delay of %g s: waiting %g s between "
                    "requests instead (the cap)", host, delay, MAX_CRAWL_DELAY,
                )  # fmt: skip
            delay = MAX_CRAWL_DELAY
        return max(self.min_interval, delay)

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
        for hop in range(MAX_REDIRECTS + 1):
            offsite = self.offsite(url)
            if offsite:
                what = "a redirect to " if hop else ""
                return Fetched(url, 0, error=f"{what}{offsite}: not fetched", offsite=True)
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

    def offsite(self, url: str) -> str | None:
        """Why ``url`` is not fetched (not http(s), or a host the profile does not name), or
        None when it may be."""
        parts = urlsplit(url)
        if parts.scheme.lower() not in SCHEMES:
            return f"{url} is not an http(s) URL"
        if self.hosts is not None and parts.netloc.lower() not in self.hosts:
            return f"{url} is off the site (hosts: {', '.join(sorted(self.hosts))})"
        return None

    def _late(self) -> _CutOff:
        return _CutOff(
            f"the answer took longer than {self.deadline:g} s in all "
            "(the profile's deadline): not stored"
        )

    def _read(self, r: httpx.Response, limit: int, truncate: bool, started: float) -> bytes:
        """The decoded body, up to ``limit`` bytes and ``deadline`` seconds in all: past
        either, :class:`_CutOff` (or, with ``truncate``, the body so far)."""
        out = bytearray()
        for chunk in r.iter_bytes():
            out += chunk
            if len(out) > limit:
                if truncate:
                    return bytes(out[:limit])
                raise _CutOff(
                    f"the answer is over {limit / 1048576:g} MB after decoding "
                    "(the profile's max_body_mb): not stored"
                )
            if time.monotonic() - started > self.deadline:
                raise self._late()
        return bytes(out)

    def _request(
        self,
        url: str,
        headers: dict[str, str],
        *,
        retries: int,
        max_body: int | None = None,
        truncate: bool = False,
    ) -> Fetched:
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
            begun = time.monotonic()
            try:
                with (
                    self._deadline(begun + self.deadline),
                    self._client.stream("GET", target, headers=headers) as r,
                ):
                    body = self._read(r, max_body or self.max_body, truncate, begun)
                got = Fetched(
                    url,
                    r.status_code,
                    body,
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
            except _CutOff as e:  # not retried: the same answer would come again
                return Fetched(url, 0, fetched_at=started, attempts=attempt, error=str(e))
            except httpx.TimeoutException:
                if time.monotonic() - begun >= self.deadline:  # not retried either
                    error = str(self._late())
                    return Fetched(url, 0, fetched_at=started, attempts=attempt, error=error)
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


    def _deadline(self, deadline: float) -> contextlib.AbstractContextManager[None]:
        """No socket wait of this request past ``deadline`` (connect, headers, body)."""
        if self._deadlines is None:  # a transport of the caller's: the body's checks only
            return contextlib.nullcontext()
        return self._deadlines.until(deadline)


class _CutOff(Exception):
    """An answer over the body cap or past its deadline."""
