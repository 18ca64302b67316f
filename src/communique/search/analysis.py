"""Text analysis for search: normalisation, tokenisers, stemmers, Chinese segmentation.

The index and the query side share these, so a word is analysed the same way in both:

- ``fold``: ``ё``/``Ё`` -> ``е``/``Е`` (one character for one, so offsets stay valid).
- ``c_raw``: words (runs of letters and digits), lowercased, unstemmed: phrases, prefixes,
  Chinese. Text holding Chinese characters is first segmented here in Python (jieba puts
  spaces between the words), then tokenised by tantivy like any other text (in Rust).
- ``c_en``, ``c_ru``: the same words, stemmed (Snowball English and Russian).
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any

import tantivy
from tantivy import Filter, TextAnalyzer, TextAnalyzerBuilder, Tokenizer

MAX_TOKEN_BYTES = 40  # longer tokens are dropped (tantivy's RemoveLongFilter does the same)

_FOLD = str.maketrans("ёЁ", "еЕ")
HAN_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef"  # CJK ideographs
HAN = re.compile(f"[{HAN_RANGES}]+")
_WIDE = re.compile(r"[\u3400-\U0010ffff]")  # a quick pre-check for HAN
WORD = re.compile(r"[^\W_]+")  # what tantivy's SimpleTokenizer calls a token
STEMMERS = {"en": "english", "ru": "russian"}


def fold(text: str) -> str:
    """``ё`` -> ``е`` (and capitals); same length, so character offsets are unchanged."""
    return text.translate(_FOLD)


def norm(word: str) -> str:
    """A token as the index holds it: folded and lowercased."""
    return fold(word).lower()


def has_han(text: str) -> bool:
    return HAN.search(text) is not None


def _builder(stemmer: str | None) -> TextAnalyzer:
    b = TextAnalyzerBuilder(Tokenizer.simple()).filter(Filter.remove_long(MAX_TOKEN_BYTES))
    b = b.filter(Filter.lowercase())
    if stemmer:
        b = b.filter(Filter.stemmer(stemmer))
    return b.build()


@lru_cache(maxsize=1)
def analyzers() -> dict[str, TextAnalyzer]:
    """The tokenizers registered on the index, by name."""
    return {"c_raw": _builder(None), "c_en": _builder("english"), "c_ru": _builder("russian")}


def register(index: tantivy.Index) -> None:
    for name, analyzer in analyzers().items():
        index.register_tokenizer(name, analyzer)


@lru_cache(maxsize=1)
def _jieba() -> Any:
    import jieba  # imported lazily: loading its dictionary takes about a second

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def has_han_fast(text: str) -> bool:
    """``has_han`` with a quick exit for the usual text without any character from U+3400."""
    return not text.isascii() and _WIDE.search(text) is not None and has_han(text)


def segment(text: str) -> str:
    """``text`` with spaces put between the Chinese words (jieba), for ``c_raw`` to split."""
    if not has_han_fast(text):
        return text
    jieba = _jieba()
    return HAN.sub(lambda m: " " + " ".join(jieba.cut(m.group(), HMM=True)) + " ", text)


def segment_many(texts: list[str]) -> list[str]:
    """``segment`` of each text (what a worker process does during a full build)."""
    return [segment(t) for t in texts]


def index_text(text: str) -> str:
    """What ``text_raw`` indexes for ``text``: folded, Chinese segmented (else ``text`` itself)."""
    if text.isascii():
        return text
    if "ё" in text or "Ё" in text:
        text = fold(text)
    return segment(text)


def raw_tokens(text: str) -> list[str]:
    """The ``text_raw`` tokens of ``text`` (folded, lowercased, Chinese segmented)."""
    return analyzers()["c_raw"].analyze(index_text(text))


def raw_terms(word: str) -> list[str]:
    """The ``text_raw`` terms of a word or phrase as typed in a query."""
    return raw_tokens(word)


def stemmed_terms(word: str, lang: str) -> list[str]:
    """The ``text_<lang>`` terms of a word as typed (``lang`` is ``en`` or ``ru``)."""
    return analyzers()[f"c_{lang}"].analyze(fold(word))


def stem_many(words: list[str], lang: str) -> list[str]:
    """The stem of each single-token word (one analyzer call for all of them)."""
    if not words:
        return []
    stems = analyzers()[f"c_{lang}"].analyze(" ".join(words))
    if len(stems) == len(words):
        return stems
    return [(stemmed_terms(w, lang) or [""])[0] for w in words]


_CYRILLIC = re.compile(r"[а-яё]")


def stem_lang(token: str) -> str:
    """The stemmer for a query word: Russian for Cyrillic, else English."""
    return "ru" if _CYRILLIC.search(token) else "en"


def stem_and_start(token: str, lang: str) -> tuple[str, str]:
    """The stem of a folded, lowercased word, and what every word with that stem starts with.

    A Snowball stem is a prefix of its words, except English y -> i (policy: polici) and a few
    rewritten endings (sensibility: sensibl): one letter less covers them. An empty start means
    too short to look for (search the word itself).
    """
    stem = (stemmed_terms(token, lang) or [token])[0]
    cut = stem[:-1] if lang == "en" and (len(stem) > 4 or stem.endswith("i")) else stem
    n = 0
    while n < min(len(token), len(cut)) and token[n] == cut[n]:
        n += 1
    return stem, token[:n] if n >= 2 else ""


def count_words(text: str) -> int:
    """How many index positions ``text`` spans (for NEAR distances when highlighting)."""
    if has_han_fast(text):
        return len(raw_tokens(text))
    return sum(1 for m in WORD.finditer(text) if len(m.group().encode()) < MAX_TOKEN_BYTES)
