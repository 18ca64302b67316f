"""Raw bytes to clean text: gunzip, pick the encoding, repair mojibake.

The order of :func:`bytes_to_text` is: a byte-order mark; strict UTF-8; the charset the page
declares (``<meta charset>``, an XML declaration, or ``declared`` from the caller); UTF-8 with
a few damaged bytes (U+FFFD in their place); then charset-normalizer's guess and the legacy
encodings of the corpora (cp1251, gb18030, cp1252) compete: the decoding with the least "mess"
(charset-normalizer's score) and the fewest words mixing scripts wins, ties going to that
order. Every guess is checked: binary data and bytes that no encoding turns into sensible
text raise :class:`UnreadableInput` instead of garbage.
:func:`repair_text` then undoes mojibake (UTF-8 read as cp1252, ``â€™``) that was already in
the text when it was published.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
import zlib

import ftfy
import ftfy.chardata
from charset_normalizer import from_bytes
from charset_normalizer.md import mess_ratio
from ftfy.badness import is_bad

from communique.sources.limits import ENV, limits, over

__all__ = ["UnreadableInput", "bytes_to_text", "limit_nesting", "maybe_gunzip", "repair_text"]

GZIP_MAGIC = b"\x1f\x8b"

# Legacy encodings tried last, in this order of preference (ties go to the first).
FALLBACK_ENCODINGS = ("cp1251", "gb18030", "cp1252")

# Labels that browsers (WHATWG Encoding) read as a wider encoding than they name.
_WIDER = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "iso-8859-9": "cp1254",
    "tis-620": "cp874",
}

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_SIGNATURES = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF-", "a PDF file"),
    (b"PK\x03\x04", "a ZIP archive (or a .docx/.xlsx file)"),
    (b"\xd0\xcf\x11\xe0", "an old Office (.doc/.xls) file"),
    (b"\x1f\x8b", "gzip data"),
    (b"\xfd7zXZ", "xz data"),
    (b"PAR1", "a Parquet file"),
)

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)

# Control characters that never appear in text (tab, newlines and form feed are allowed).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_MAX_CONTROL_RATIO = 0.01
# charset-normalizer's "mess" score (0 = clean text); above this a decoding is nonsense.
_MAX_MESS = 0.25
_MESS_SAMPLE = 20_000
_WORD = re.compile(r"[^\W\d_]+")

_SURROGATE = re.compile("[\ud800-\udfff]")


def _mojibake_signatures() -> list[re.Pattern[str]]:
    """Per single-byte encoding that ftfy repairs: a character that a UTF-8 lead byte
    (0xC0-0xF4) becomes, then one that a continuation byte (0x80-0xBF, or a space that replaced
    0xA0) becomes; and C1 controls. Text matching none of them is never changed by ftfy."""
    patterns = [re.compile("[\\x80-\\x9f]")]
    for encoding in ftfy.chardata.CHARMAP_ENCODINGS:
        leads = bytes(range(0xC0, 0xF5)).decode(encoding, "ignore")
        conts = bytes(range(0x80, 0xC0)).decode(encoding, "ignore")
        if encoding != "macroman":  # ftfy never restores 0xA0 in macroman ("– " is fine)
            conts += " "
        patterns.append(re.compile(f"[{re.escape(leads)}][{re.escape(conts)}]"))
    return patterns


_MOJIBAKE_SIGNATURES = _mojibake_signatures()


def _maybe_mojibake(text: str) -> bool:
    return any(p.search(text) for p in _MOJIBAKE_SIGNATURES)


_REPAIR = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_encoding=True,
    restore_byte_a0=True,
    replace_lossy_sequences=True,
    decode_inconsistent_utf8=True,
    fix_c1_controls=True,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=True,
    remove_control_chars=False,
    normalization="NFC",
    explain=False,
)


class UnreadableInput(Exception):
    """Input that cannot be turned into text; the message says what is wrong and what to do."""


def maybe_gunzip(data: bytes, *, max_bytes: int | None = None) -> bytes:
    """Decompress gzip data (recognised by its magic bytes); other data is returned as is.

    Output beyond ``max_bytes`` (default: the document limit) raises :class:`UnreadableInput`
    as soon as it is produced, so a gzip bomb never expands in memory.
    """
    if not data.startswith(GZIP_MAGIC):
        return data
    limit = limits().document_bytes if max_bytes is None else max_bytes
    out: list[bytes] = []
    total = 0
    rest = data
    try:
        while rest.startswith(GZIP_MAGIC):  # concatenated members, like gzip.decompress
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            chunk = inflater.decompress(rest, limit + 1 - total)
            while True:
                total += len(chunk)
                if total > limit:
                    raise UnreadableInput(
                        over("gzip data, decompressed,", None, limit, ENV["document_bytes"])
                    )
                out.append(chunk)
                if inflater.eof or not inflater.unconsumed_tail:
                    break
                chunk = inflater.decompress(inflater.unconsumed_tail, limit + 1 - total)
            if not inflater.eof:
                raise EOFError
            rest = inflater.unused_data.lstrip(b"\x00")
    except EOFError as exc:
        raise UnreadableInput(
            f"truncated gzip data ({len(data)} bytes, the stream ends early): "
            "the file was cut off while copying or downloading; fetch it again"
        ) from exc
    except (zlib.error, OSError) as exc:
        raise UnreadableInput(
            f"truncated or corrupt gzip data ({exc}): the file is damaged; "
            "fetch it again or check it with `gzip -t`"
        ) from exc
    return b"".join(out)


def bytes_to_text(data: bytes, *, declared: str | None = None, max_bytes: int | None = None) -> str:
    """Decode raw bytes to text, or raise :class:`UnreadableInput`; markup nested deeper than
    ``MAX_NESTING`` is flattened (:func:`limit_nesting`).

    ``declared`` is an encoding the caller was told about (an HTTP header, a CLI option); it is
    tried after strict UTF-8, like the page's own ``<meta charset>``, and only if it decodes.
    Data over ``max_bytes`` (default: the document limit) is refused.
    """
    return limit_nesting(_bytes_to_text(data, declared=declared, max_bytes=max_bytes))


MAX_NESTING = 256  # elements open inside one another; deeper tags are dropped, text kept
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)[^<>]*?(/?)>")
_VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
_FIND_OPEN = 64  # open elements searched for the one a closing tag closes


def limit_nesting(text: str, max_depth: int = MAX_NESTING) -> str:
    """``text`` with the tags that would open elements deeper than ``max_depth`` (and their
    closing tags) removed, their text kept; text within the limit is returned unchanged.

    HTML parsers take time growing with the square of the depth (200,000 nested ``<div>``s:
    minutes): this pass is linear, and real pages nest a few dozen deep."""
    if text.count("<") <= max_depth:
        return text
    stack: list[tuple[str, bool]] = []  # (tag, kept)
    depth = 0  # kept elements open
    cuts: list[tuple[int, int]] = []
    for m in _TAG.finditer(text):
        closing, name, selfclosing = m.group(1), m.group(2).lower(), m.group(3)
        if name in _VOID or selfclosing:
            continue
        if not closing:
            kept = depth < max_depth
            stack.append((name, kept))
            if kept:
                depth += 1
            else:
                cuts.append(m.span())
            continue
        for i in range(len(stack) - 1, max(len(stack) - 1 - _FIND_OPEN, -1), -1):
            if stack[i][0] == name:
                closed = stack[i:]
                del stack[i:]
                depth -= sum(1 for _, k in closed if k)
                if not closed[0][1]:
                    cuts.append(m.span())
                break
    if not cuts:
        return text
    parts, last = [], 0
    for start, end in cuts:
        parts.append(text[last:start])
        last = end
    parts.append(text[last:])
    return "".join(parts)


def _bytes_to_text(data: bytes, *, declared: str | None, max_bytes: int | None) -> str:
    if not data:
        return ""
    limit = limits().document_bytes if max_bytes is None else max_bytes
    if len(data) > limit:
        raise UnreadableInput(over("document", len(data), limit, ENV["document_bytes"]))
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data[len(bom) :].decode(encoding), encoding)
            except UnicodeDecodeError as exc:
                raise UnreadableInput(
                    f"the data starts with a {encoding} byte-order mark but is not valid "
                    f"{encoding} ({exc.reason} at byte {exc.start}): re-save it as UTF-8"
                ) from exc
    _reject_binary(data)
    try:
        return _checked(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    for label in (declared, _declared_in(data)):
        encoding = _codec(label)
        if encoding is None:
            continue
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _mess(text) <= _MAX_MESS:
            return _checked(text, encoding)
    text = _almost_utf8(data)
    if text is not None:
        return _checked(text, "utf-8")
    text = _best_guess(data)
    if text is None:
        raise UnreadableInput(
            "no encoding decodes these bytes into sensible text (tried UTF-8, the declared "
            f"charset, charset-normalizer, {', '.join(FALLBACK_ENCODINGS)}): give the "
            "encoding explicitly or re-save the file as UTF-8"
        )
    return _checked(text, "the detected encoding")


def repair_text(text: str) -> str:
    """Undo mojibake (``â€™`` -> ``’``, C1 controls from cp1252) conservatively; NFC.

    Only encoding damage is repaired: typographic quotes, ligatures, full-width characters,
    HTML entities, line breaks and control characters are left as they are.
    """
    if not text:
        return text
    # ftfy can only change text holding a UTF-8 lead/continuation pair as some single-byte
    # encoding decodes it, C1 controls, or surrogates: skip its slow pass on all other text
    if (_maybe_mojibake(text) and is_bad(text)) or _SURROGATE.search(text):
        text = ftfy.fix_text(text, _REPAIR)
    return unicodedata.normalize("NFC", text)


def _codec(label: str | None) -> str | None:
    """Python codec name for a charset label, widened like browsers do; None if unknown."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    name = _WIDER.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _declared_in(data: bytes) -> str | None:
    """The charset an HTML page or XML document declares in its first 4 KB."""
    head = data[:4096]
    m = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    return m.group(1).decode("ascii", "replace") if m else None


def _reject_binary(data: bytes) -> None:
    """Raise for known binary formats and for NUL bytes outside UTF-16/32."""
    for magic, what in _SIGNATURES:
        if data.startswith(magic):
            if "PDF" in what:
                hint = "extract its text first (e.g. pdftotext)"
            elif "gzip" in what:
                hint = "decompress it first (maybe_gunzip)"
            else:
                hint = "give a text, HTML or table file (.csv, .tsv, .jsonl, .parquet, .xlsx)"
            raise UnreadableInput(f"binary data ({what}), not text: {hint}")
    if b"\x00" in data[:65536]:
        raise UnreadableInput(
            "binary data (NUL bytes), not text: give a text, HTML or table file; "
            "if it is UTF-16 text without a byte-order mark, re-save it as UTF-8"
        )


def _checked(text: str, encoding: str) -> str:
    """Text whose control characters show it is really binary raises UnreadableInput."""
    sample = text[:200_000]
    controls = len(_CONTROL.findall(sample))
    if sample and controls / len(sample) > _MAX_CONTROL_RATIO:
        raise UnreadableInput(
            f"binary data: {controls} control characters in {len(sample)} characters "
            f"decoded as {encoding}: this is not a text file"
        )
    return text


def _mess(text: str) -> float:
    return mess_ratio(text[:_MESS_SAMPLE], 1.0)


_UTF8_SEQ = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


def _almost_utf8(data: bytes) -> str | None:
    """UTF-8 with a few damaged bytes (one per 100 multi-byte characters at most), decoded
    with U+FFFD in their place; None when the data is not mostly UTF-8."""
    sequences = len(_UTF8_SEQ.findall(data[:1_000_000]))
    if sequences < 10:
        return None
    text = data.decode("utf-8", errors="replace")
    damaged = text.count("\ufffd") - data.count("\ufffd".encode())
    return text if damaged <= sequences // 100 else None


def _mixed_words(text: str) -> int:
    """Words mixing ASCII letters with non-Latin ones ("Muсoz" with a Cyrillic с): the mark of
    a legacy single-byte encoding read as the wrong one."""
    return sum(
        1
        for word in _WORD.findall(text[:_MESS_SAMPLE])
        if not word.isascii()
        and any("a" <= c.lower() <= "z" for c in word)
        and any(c > "\u024f" for c in word)
    )


def _best_guess(data: bytes) -> str | None:
    """The least messy of charset-normalizer's guess and the fallback encodings."""
    candidates: list[tuple[float, int, int, str]] = []
    for rank, encoding in enumerate(FALLBACK_ENCODINGS):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        candidates.append((_mess(text), _mixed_words(text), rank, text))
    best = from_bytes(data[:200_000]).best()
    encoding = _codec(best.encoding) if best is not None else None
    # UTF-16/32 without a byte-order mark is a frequent false guess for short random bytes.
    if encoding and not encoding.startswith(("utf-16", "utf-32")):
        rank = (
            FALLBACK_ENCODINGS.index(encoding)
            if encoding in FALLBACK_ENCODINGS
            else len(FALLBACK_ENCODINGS)
        )
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            pass
        else:
            candidates.append((_mess(text), _mixed_words(text), rank, text))
    candidates = [c for c in candidates if c[0] <= _MAX_MESS]
    if not candidates:
        return None
    return min(candidates, key=lambda c: (round(c[0], 2), c[1], c[2]))[3]
