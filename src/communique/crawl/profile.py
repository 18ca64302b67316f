"""Site profiles: TOML files that say where a site's list pages are and how to read them.

A profile is checked when it is loaded; every mistake is reported with the file and the key
(``fmprc.toml: lists[0].items.link: ...``). The format is documented in ``docs/crawl.md``.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from communique.crawl.extract import Listed, Rule, RuleError, list_items

BUILTIN_SITES = Path(__file__).with_name("sites")
SITES_ENV = "COMMUNIQUE_SITES"


class ProfileError(ValueError):
    """A profile that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Rewrite:
    """A language version found by rewriting the item's URL (a regular expression)."""

    lang: str
    pattern: re.Pattern[str]
    replace: str


@dataclass(frozen=True)
class VersionLink:
    """A language version found by a rule on the fetched item page."""

    lang: str
    rule: Rule


@dataclass(frozen=True)
class ListSpec:
    """One list (index) of a site: its pages, its items, their language versions."""

    name: str
    lang: str | None
    start: str
    item: Rule  # one node per item; the rules below are relative to it
    link: Rule
    page_template: str | None = None  # "default_{n}.shtml" (relative to start, or absolute)
    page_first: int = 2  # the number of the second page
    page_count: re.Pattern[str] | None = None  # on the first page: how many pages there are
    next_page: Rule | None = None  # or: a rule for the "next" link
    max_list_pages: int = 50
    title: Rule | None = None
    date: Rule | None = None
    date_pattern: re.Pattern[str] | None = None
    link_pattern: re.Pattern[str] | None = None  # keep only item links that match
    rewrites: tuple[Rewrite, ...] = ()
    version_links: tuple[VersionLink, ...] = ()

    def items(self, doc: Any, url: str) -> list[Listed]:
        """The items of one of this list's pages (``doc``, parsed, fetched from ``url``)."""
        return list_items(
            doc,
            url,
            item=self.item,
            link=self.link,
            title=self.title,
            date=self.date,
            date_pattern=self.date_pattern,
            link_pattern=self.link_pattern,
        )


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    path: Path
    lists: tuple[ListSpec, ...]
    min_interval: float = 2.0  # seconds between two requests to one host
    timeout: float = 30.0
    retries: int = 3  # attempts after the first one, on 5xx, timeouts and connection errors
    backoff: float = 2.0  # seconds before the first retry; doubles each time
    publisher: str | None = None  # force a reader (default: sniffed from the page)
    notes: dict[str, Any] = field(default_factory=dict)
    extra_hosts: tuple[str, ...] = ()  # other hosts the crawl may fetch (``hosts = [...]``)
    max_body_mb: float = 20.0  # largest answer accepted, after decoding (gzip...)
    deadline: float = 120.0  # seconds one answer may take in all, however slowly it trickles

    @property
    def hosts(self) -> list[str]:
        """Every host the crawl may fetch from: the lists' hosts, the hosts that version
        rewrites produce, and those the profile names in ``hosts``; nothing else is contacted."""
        found = {urlsplit(s.start).netloc.lower() for s in self.lists}
        for spec in self.lists:
            for rw in spec.rewrites:
                host = urlsplit(rw.replace).netloc
                if host and "\\" not in host:
                    found.add(host.lower())
        found.update(h.lower() for h in self.extra_hosts)
        return sorted(found)


# -- reading ------------------------------------------------------------------------------------
_TOP = {"name", "title", "min_interval", "timeout", "retries", "backoff", "publisher", "lists",
        "hosts", "max_body_mb", "deadline"}  # fmt: skip
_LIST = {"name", "lang", "start", "pages", "items", "versions"}
_PAGES = {"template", "first", "count", "next", "max"}
_ITEMS = {"item", "link", "title", "date", "date_pattern", "link_pattern"}
_VERSION = {"lang", "rewrite", "replace", "link"}


class _Reader:
    """Typed access to a TOML table, with errors that name the file and the key."""

    def __init__(self, file: Path) -> None:
        self.file = file

    def fail(self, key: str, message: str) -> ProfileError:
        return ProfileError(f"{self.file.name}: {key}: {message}")

    def table(self, value: Any, key: str, allowed: set[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, f"must be a table, got {type(value).__name__}")
        for k in value:
            if k not in allowed:
                raise self.fail(
                    f"{key}.{k}" if key else k,
                    f"unknown key (expected one of: {', '.join(sorted(allowed))})",
                )
        return value

    def get(self, t: dict[str, Any], key: str, where: str, kind: type, default: Any = None) -> Any:
        full = f"{where}.{key}" if where else key
        if key not in t:
            if default is _REQUIRED:
                raise self.fail(full, "missing (required)")
            return default
        v = t[key]
        ok = isinstance(v, kind) and not (kind in (int, float) and isinstance(v, bool))
        if kind is float and isinstance(v, int) and not isinstance(v, bool):
            v, ok = float(v), True
        if not ok:
            raise self.fail(full, f"must be a {kind.__name__}, got {v!r}")
        return v

    def rule(self, t: dict[str, Any], key: str, where: str, required: bool = False) -> Rule | None:
        text = self.get(t, key, where, str, _REQUIRED if required else None)
        if text is None:
            return None
        try:
            return Rule.parse(text)
        except RuleError as e:
            raise self.fail(f"{where}.{key}", str(e)) from None

    def regex(self, t: dict[str, Any], key: str, where: str) -> re.Pattern[str] | None:
        text = self.get(t, key, where, str)
        if text is None:
            return None
        try:
            return re.compile(text)
        except re.error as e:
            raise self.fail(f"{where}.{key}", f"not a regular expression: {e}") from None

    def url(self, t: dict[str, Any], key: str, where: str) -> str:
        u = self.get(t, key, where, str, _REQUIRED)
        parts = urlsplit(u)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise self.fail(f"{where}.{key}", f"must be an absolute http(s) URL, got {u!r}")
        return u


_REQUIRED = object()


def _required(rule: Rule | None) -> Rule:
    assert rule is not None  # _Reader.rule(required=True) raised otherwise
    return rule


def _positive(r: _Reader, t: dict[str, Any], key: str, kind: type, default: Any) -> Any:
    v = r.get(t, key, "", kind, default)
    if v < 0:
        raise r.fail(key, f"must not be negative, got {v!r}")
    return v


def _list_spec(r: _Reader, raw: Any, where: str) -> ListSpec:
    t = r.table(raw, where, _LIST)
    name = r.get(t, "name", where, str, _REQUIRED)
    start = r.url(t, "start", where)
    pages = r.table(t.get("pages", {}), f"{where}.pages", _PAGES)
    template = r.get(pages, "template", f"{where}.pages", str)
    if template is not None and "{n}" not in template:
        raise r.fail(f"{where}.pages.template", f"must contain {{n}}, got {template!r}")
    count = r.regex(pages, "count", f"{where}.pages")
    if count is not None and count.groups != 1:
        raise r.fail(f"{where}.pages.count", "needs exactly one group: (\\d+)")
    next_page = r.rule(pages, "next", f"{where}.pages")
    if template and next_page:
        raise r.fail(f"{where}.pages", "give either template or next, not both")
    items_where = f"{where}.items"
    items = r.table(t.get("items", None) or {}, items_where, _ITEMS)
    if not items:
        raise r.fail(items_where, "missing (required: at least item and link)")
    date_pattern = r.regex(items, "date_pattern", items_where)
    if date_pattern is not None and date_pattern.groups > 1:
        raise r.fail(f"{items_where}.date_pattern", "needs at most one group")
    rewrites: list[Rewrite] = []
    links: list[VersionLink] = []
    versions = t.get("versions", [])
    if not isinstance(versions, list):
        raise r.fail(f"{where}.versions", "must be an array of tables: [[lists.versions]]")
    for j, v in enumerate(versions):
        vw = f"{where}.versions[{j}]"
        vt = r.table(v, vw, _VERSION)
        lang = r.get(vt, "lang", vw, str, _REQUIRED)
        if "rewrite" in vt:
            pattern = r.regex(vt, "rewrite", vw)
            replace = r.get(vt, "replace", vw, str, _REQUIRED)
            assert pattern is not None
            rewrites.append(Rewrite(lang, pattern, replace))
        elif "link" in vt:
            rule = r.rule(vt, "link", vw, required=True)
            assert rule is not None
            links.append(VersionLink(lang, rule))
        else:
            raise r.fail(vw, "give rewrite (+ replace) or link")
    return ListSpec(
        name=name,
        lang=r.get(t, "lang", where, str),
        start=start,
        page_template=template,
        page_first=r.get(pages, "first", f"{where}.pages", int, 2),
        page_count=count,
        next_page=next_page,
        max_list_pages=r.get(pages, "max", f"{where}.pages", int, 50),
        item=_required(r.rule(items, "item", items_where, required=True)),
        link=_required(r.rule(items, "link", items_where, required=True)),
        title=r.rule(items, "title", items_where),
        date=r.rule(items, "date", items_where),
        date_pattern=date_pattern,
        link_pattern=r.regex(items, "link_pattern", items_where),
        rewrites=tuple(rewrites),
        version_links=tuple(links),
    )


def parse_profile(data: dict[str, Any], file: Path) -> Profile:
    """A checked profile from a decoded TOML document."""
    r = _Reader(file)
    r.table(data, "", _TOP)
    name = r.get(data, "name", "", str, _REQUIRED)
    if not re.fullmatch(r"[a-z0-9][a-z0-9_.-]*", name):
        raise r.fail("name", f"use lower-case letters, digits, '-', '_' or '.', got {name!r}")
    raw_lists = data.get("lists")
    if not isinstance(raw_lists, list) or not raw_lists:
        raise r.fail("lists", "missing (required: at least one [[lists]] table)")
    lists = tuple(_list_spec(r, raw, f"lists[{i}]") for i, raw in enumerate(raw_lists))
    seen: set[str] = set()
    for i, spec in enumerate(lists):
        if spec.name in seen:
            raise r.fail(f"lists[{i}].name", f"{spec.name!r} is used twice")
        seen.add(spec.name)
    retries = _positive(r, data, "retries", int, 3)
    return Profile(
        name=name,
        title=r.get(data, "title", "", str, name),
        path=file,
        lists=lists,
        min_interval=_positive(r, data, "min_interval", float, 2.0),
        timeout=_positive(r, data, "timeout", float, 30.0),
        retries=retries,
        backoff=_positive(r, data, "backoff", float, 2.0),
        publisher=r.get(data, "publisher", "", str),
        extra_hosts=_hosts(r, data),
        max_body_mb=_positive(r, data, "max_body_mb", float, 20.0),
        deadline=_positive(r, data, "deadline", float, 120.0),
    )


def _hosts(r: _Reader, data: dict[str, Any]) -> tuple[str, ...]:
    """``hosts = ["kremlin.ru", ...]``: host names (with a port if any), nothing else."""
    hosts = data.get("hosts", [])
    if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
        raise r.fail("hosts", 'must be a list of host names, e.g. ["kremlin.ru"]')
    for h in hosts:
        if not re.fullmatch(r"[A-Za-z0-9.-]+(:\d+)?", h):
            raise r.fail("hosts", f"{h!r} is not a host name (no scheme, no path)")
    return tuple(hosts)


def load_profile(file: Path) -> Profile:
    """Read and check one profile file."""
    try:
        with file.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as e:
        raise ProfileError(f"{file.name}: not valid TOML: {e}") from None
    except OSError as e:
        raise ProfileError(f"{file}: cannot read: {e.strerror}") from None
    return parse_profile(data, file)


def site_dirs(extra: list[Path] | None = None) -> list[Path]:
    """Where profiles are looked for, first wins: ``--sites-dir``, ``$COMMUNIQUE_SITES``
    (several folders separated by ``os.pathsep``), then the profiles shipped here."""
    dirs = list(extra or [])
    env = os.environ.get(SITES_ENV, "")
    dirs += [Path(p) for p in env.split(os.pathsep) if p]
    return [*dirs, BUILTIN_SITES]


def find_profiles(extra: list[Path] | None = None) -> dict[str, Path]:
    """Profile name -> file, the first folder that has a name winning."""
    found: dict[str, Path] = {}
    for d in site_dirs(extra):
        for f in sorted(d.glob("*.toml")) if d.is_dir() else []:
            found.setdefault(f.stem, f)
    return found


def profile_named(name: str, extra: list[Path] | None = None) -> Profile:
    """The profile called ``name`` (its file's stem), checked."""
    files = find_profiles(extra)
    if name not in files:
        known = ", ".join(sorted(files)) or "none"
        raise ProfileError(
            f"no site profile {name!r} (known: {known}); add {name}.toml to a folder given "
            f"with --sites-dir or ${SITES_ENV}"
        )
    profile = load_profile(files[name])
    if profile.name != name:
        raise ProfileError(f"{files[name].name}: name: {profile.name!r} must match the file name")
    return profile
