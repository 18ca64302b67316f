"""Whitespace and character clean-up shared by every reader."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[ \t\r\n\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]+")
_ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_BLANK_LINES = re.compile(r"\n\s*\n")


def clean_inline(text: str) -> str:
    """One paragraph's text on one line: NBSP, hard line breaks, runs of spaces folded to a space.

    Ideographic spaces (U+3000, used to indent Chinese paragraphs) are removed at the edges.
    """
    text = _ZERO_WIDTH.sub("", text)
    return _SPACES.sub(" ", text).strip()


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs of a plain-text page: blank lines separate them; single newlines are kept."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [p.strip("\n") for p in _BLANK_LINES.split(text) if p.strip()]


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def cjk_ratio(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for c in letters if is_cjk(c)) / len(letters)


def cyrillic_ratio(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for c in letters if "\u0400" <= c <= "\u04ff") / len(letters)


def guess_lang(text: str) -> str | None:
    """ISO 639-1 code by script: zh, ru or en (the corpora's languages); None if no letters."""
    sample = text[:5000]
    if not any(c.isalpha() for c in sample):
        return None
    if cjk_ratio(sample) > 0.3:
        return "zh"
    if cyrillic_ratio(sample) > 0.3:
        return "ru"
    return "en"
