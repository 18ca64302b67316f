"""URLs and document ids: canonical URLs, publishers, the sites' own ids, stable record ids.

A record id never depends on where a file was stored: it comes from the publisher's own
document id when the URL carries one, else from the canonical URL, else from the text.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import quote, urlsplit, urlunsplit

__all__ = [
    "PUBLISHER_SHORT",
    "canonical_url",
    "document_id",
    "publisher_doc_id",
    "publisher_from_url",
    "url_lang",
]

PUBLISHER_SHORT: dict[str, str] = {
    "kremlin.ru": "kremlin",
    "fmprc.gov.cn": "fmprc",
    "mid.ru": "midru",
    "whitehouse.gov": "whitehouse",
    "state.gov": "stategov",
}

# web.archive.org/web/20231126213347/https://..., also .../20231126213347id_/..., if_, im_...
_WAYBACK_RE = re.compile(
    r"(?:https?:)?//(?:www\.)?(?:web\.)?archive\.org/web/\d{1,14}(?:[a-z]{2}_)?/+(?P<inner>.+)",
    re.IGNORECASE,
)
_SCHEME_RE = re.compile(r"^(?P<scheme>[a-z][a-z0-9+.-]*):/*", re.IGNORECASE)
_PCT_RE = re.compile(r"%[0-9a-fA-F]{2}")
_TRACKING = ("utm_", "fbclid", "gclid", "yclid", "mc_cid", "mc_eid")
_SAFE = "!$%&'()*+,/:;=@~-._"  # left as they are in paths and queries


def _norm_pct(s: str, safe: str) -> str:
    """Percent-encode what must be (non-ASCII, spaces); upper-case existing escapes."""
    s = quote(s, safe=safe)
    return _PCT_RE.sub(lambda m: m.group(0).upper(), s)


def canonical_url(url: str | None) -> str | None:
    """The URL a document is known by, for comparison and hashing.

    Unwraps web.archive.org captures (also ``id_``/``if_`` flags, nested captures), forces
    https, lower-cases the host, drops ``www.``, default ports, the fragment, a trailing
    ``/``, an empty ``?`` and tracking parameters (``utm_*``, ``fbclid``...); keeps any other
    query. None for an empty value.
    """
    if url is None:
        return None
    u = url.strip()
    if not u:
        return None
    for _ in range(5):  # a capture of a capture
        m = _WAYBACK_RE.match(u)
        if not m:
            break
        u = m.group("inner")
    # "http:/host" (Wayback collapses '//'), "//host", or no scheme at all
    m = _SCHEME_RE.match(u)
    if m and m.group("scheme").lower() in ("http", "https"):
        u = u[m.end() :]
    elif u.startswith("//"):
        u = u[2:]
    elif m and "." not in m.group("scheme"):  # mailto:, ftp:... are not web pages
        return u
    parts = urlsplit("https://" + u)
    host = (parts.hostname or "").rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    try:
        port = parts.port if parts.port not in (None, 80, 443) else None
    except ValueError:  # "host:abc"
        port = None
    netloc = f"{host}:{port}" if port else host
    path = _norm_pct(parts.path, _SAFE).rstrip("/")
    query = "&".join(
        _norm_pct(p, _SAFE + "?")
        for p in parts.query.split("&")
        if p and not p.lower().startswith(_TRACKING)
    )
    return urlunsplit(("https", netloc, path, query, ""))


def _host_path(url: str | None) -> tuple[str, str]:
    canon = canonical_url(url)
    if not canon:
        return "", ""
    parts = urlsplit(canon)
    return (parts.hostname or ""), parts.path


def _is(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def publisher_from_url(url: str | None) -> str | None:
    """The publisher's key (a ``PUBLISHER_SHORT`` key) for a URL, or None.

    ``en.kremlin.ru`` -> kremlin.ru; ``mfa.gov.cn`` -> fmprc.gov.cn; the archived
    ``obamawhitehouse.archives.gov`` -> whitehouse.gov; ``2001-2009.state.gov`` -> state.gov.
    """
    host, _ = _host_path(url)
    if not host:
        return None
    if _is(host, "kremlin.ru"):
        return "kremlin.ru"
    if _is(host, "fmprc.gov.cn") or _is(host, "mfa.gov.cn"):
        return "fmprc.gov.cn"
    if _is(host, "mid.ru"):
        return "mid.ru"
    if _is(host, "whitehouse.gov") or (host.endswith(".archives.gov") and "whitehouse" in host):
        return "whitehouse.gov"
    if _is(host, "state.gov"):
        return "state.gov"
    return None


# kremlin.ru: /events/president/news/52830, /events/president/transcripts/21355,
# /catalog/countries/UA/events/67825, /d/67825, /acts/news/123, .../news/copy/41443,
# .../news/52830/print (all one id space: /d/<id> is the site's own short link)
_KREMLIN_ID_RE = re.compile(
    r"/(?:events(?:/[\w-]+)*|catalog(?:/[\w-]+)*/events|acts/news|d)/(?:copy/)?(\d+)"
    r"(?:\.html?)?(?:/(?:print|photos|videos|copy)(?:\.html?)?)?$"
)
# fmprc: .../t1794629.shtml, .../202203/t20220302_10647299.html
_FMPRC_ID_RE = re.compile(r"/(t\d+(?:_\d+)?)\.s?html?$", re.IGNORECASE)
# mid.ru: /ru/foreign_policy/news/1867466, /en/foreign_policy/international_safety/1618725,
# Liferay-era .../asset_publisher/<key>/content/id/3444256
_MIDRU_ID_RE = re.compile(r"/(\d{4,})$")


def publisher_doc_id(publisher: str | None, url: str | None) -> str | None:
    """The publisher's own document id carried by the URL, or None.

    Kremlin ``52830``; fmprc ``t1794629`` (or ``t20220302_10647299``); mid.ru ``1810023``.
    White House and State Department URLs carry no stable numeric id: None. When
    ``publisher`` is None it is taken from the URL.
    """
    _, path = _host_path(url)
    if not path:
        return None
    pub = publisher or publisher_from_url(url)
    if pub == "kremlin.ru":
        m = _KREMLIN_ID_RE.search(path)
    elif pub == "fmprc.gov.cn":
        m = _FMPRC_ID_RE.search(path)
        return m.group(1).lower() if m else None
    elif pub == "mid.ru":
        m = _MIDRU_ID_RE.search(path)
    else:
        return None
    return m.group(1) if m else None


# fmprc language sections: /mfa_eng/, /eng/, /web/ (Chinese), /chn/, /mfa_rus/ ...
_FMPRC_LANG = {
    "eng": "en", "web": "zh", "chn": "zh", "zhn": "zh", "rus": "ru", "fra": "fr", "esp": "es",
    "ara": "ar", "deu": "de", "ger": "de", "jpn": "ja", "kor": "ko", "por": "pt",
}  # fmt: skip
_MIDRU_LANGS = frozenset({"en", "ru", "fr", "es", "de", "ar", "zh", "pt", "it"})


def url_lang(url: str | None) -> str | None:
    """The language the site puts in the URL, or None.

    ``en.kremlin.ru`` -> en, ``kremlin.ru`` -> ru; ``mid.ru/en/...`` -> en; fmprc
    ``/mfa_eng/`` or ``/eng/`` -> en, ``/web/`` -> zh. Other sites: None.
    """
    host, path = _host_path(url)
    if not host:
        return None
    first = path.lstrip("/").split("/", 1)[0].lower()
    if _is(host, "kremlin.ru"):
        labels = host[: -len("kremlin.ru")].rstrip(".").split(".") if host != "kremlin.ru" else []
        if "en" in labels:
            return "en"
        return "ru" if labels in ([], ["special"]) else None
    if _is(host, "mid.ru"):
        return first if first in _MIDRU_LANGS else None
    if _is(host, "fmprc.gov.cn") or _is(host, "mfa.gov.cn"):
        key = first.removeprefix("mfa_")
        return _FMPRC_LANG.get(key)
    return None


_ID_JUNK_RE = re.compile(r"[^a-z0-9]+")


def _slug(s: str) -> str:
    return _ID_JUNK_RE.sub("-", s.lower()).strip("-")


def _norm_text(s: str | None) -> str:
    """NFC, casefold, whitespace collapsed, BOM/zero-width marks dropped."""
    if not s:
        return ""
    s = unicodedata.normalize("NFC", s).casefold()
    s = s.replace("\ufeff", "").replace("\u200b", "")
    return " ".join(s.split())


def _sha12(s: str) -> str:
    return hashlib.sha1(s.encode("utf-8")).hexdigest()[:12]


def document_id(
    *,
    publisher: str | None,
    lang: str | None,
    publisher_id: str | None,
    url: str | None,
    title: str | None,
    date: str | None,
    text: str,
) -> str:
    """A stable id for a record, independent of file paths; only ``[a-z0-9-]``.

    ``{short}-{lang}-{publisher_id}`` when the publisher and its id are known
    (``kremlin-en-52830``, ``fmprc-en-t1794629``, ``midru-ru-1867466``; lang ``und`` if
    unknown); else ``{short or "web"}-{sha1(canonical url)[:12]}``; else
    ``{short or "doc"}-{sha1(title|date|text)[:12]}`` over NFC-normalised, case-folded,
    whitespace-collapsed strings, so that a re-encoded copy of a text gets the same id.
    """
    short = PUBLISHER_SHORT.get(publisher) if publisher else None
    if short and publisher_id:
        pid = _slug(publisher_id)
        if pid:
            return f"{short}-{_slug(lang or '') or 'und'}-{pid}"
    canon = canonical_url(url)
    if canon:
        return f"{short or 'web'}-{_sha12(canon)}"
    key = "|".join((_norm_text(title), _norm_text(date), _norm_text(text)))
    return f"{short or 'doc'}-{_sha12(key)}"
