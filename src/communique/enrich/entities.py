"""Mentions of countries and international organisations in a turn, with character offsets.

One :class:`EntityMatcher` (built once: :func:`matcher`) finds, in English, Russian and Chinese
text, every mention of a country (``country:KZ``: ISO 3166-1 alpha-2, from pycountry, with its
Russian and Chinese names from pycountry's own gettext catalogues) or of an international
organisation (``org:EAEU``: the curated table ``data/organisations.csv``), each normalised to one
entity: ``EAEU`` = ``Eurasian Economic Union`` = ``ЕАЭС`` = ``欧亚经济联盟``.

How it matches (gazetteers, no model):

- English: an Aho-Corasick automaton over the case-folded text (``pyahocorasick``); a hit must
  sit on word boundaries, and every capital letter of the gazetteer form must be a capital in the
  text (``Turkey`` not ``turkey``, ``Chad`` not ``chad``). Acronyms (``US``, ``UN``, ``WHO``)
  go in a second, case-sensitive automaton: ``US`` is a country, ``us`` is not.
- Chinese: the same automaton over the text, substrings (no word boundaries in Chinese); a few
  "blocking" words win by being longer or further left and mean no entity (``发展中国家``
  "developing countries" holds ``中国``; ``合法`` ... ``法国``; ``沿海地区`` holds ``海地``).
- Russian: inflected. Each gazetteer word is split into a stem and the endings its paradigm
  allows (``Казахстан`` -> ``казахстан`` + {"", а, у, ом, е}; ``Россия`` -> ``росс`` + {ия, ии,
  ию, ией}; ``Соединённые`` -> ``соединенн`` + {ые, ых, ым, ыми}); text words are matched
  stem + allowed ending, word by word, ``ё`` folded to ``е``. Acronyms (``ООН``, ``США``) exactly.
- Overlaps: leftmost, then longest wins (``Eurasian Economic Union``, not ``Union``;
  ``UN Security Council``, not ``UN``); blocking entries take part and then are dropped.

Choices (measured on the hand-annotated turns, see ``bench/entities_eval.py``):

- Demonyms and adjectives (``Russian``, ``Chinese side``, ``российский``, ``中方``) are *not*
  mentions: they are very frequent, often not about the state ("Russian language"), and
  the issue asks for mentions of countries; ``X方`` ("the X side", ``中方``) likewise. Chinese
  one-character abbreviations are matched only in shapes where they are names (see ``ABBR_ZH``:
  ``中美关系``, ``朝美双方``, ``美军``, ``俄驻美``, ``访华``); a lone ``中`` or ``美`` never.
- ``America`` alone and Russian ``Америка`` mean the United States (as they do in these
  sources); ``Latin/North/South/Central America`` block it. ``Korea`` alone is ambiguous and left
  out; ``South Korea``, ``ROK``, ``DPRK``, ``North Korea`` are mapped. ``Georgia`` is the country
  (the White House briefings also use it for the US state: a known source of false positives).
  ``Macedonia`` -> MK; ``USSR``/``Soviet Union``/``СССР`` -> ``country:SU``,
  ``Yugoslavia`` -> ``country:YU``, ``Czechoslovakia`` -> ``country:CS`` (ISO 3166-3, via
  pycountry's historic countries). Russian ``Того`` (Togo; also "of that") is left out.
- ``Security Council`` alone is the UN Security Council, except ``National Security Council``
  and the Security Council of Russia (``Security Council of the Russian Federation``,
  ``Совет Безопасности Российской Федерации``), whose country name is still found.
- A one-word name alone on its line (``Jordan.``) is a press secretary calling on a reporter
  (the White House briefings), not a country. Other given names (``Chad Griffin``) still match.
- Names shown (``entity_name``): the current ISO 3166 short names (``Belarus``, ``Türkiye``,
  ``Czechia``; ISO's common name where it gives one: ``Iran``), index forms turned round
  (``State of Palestine``); older names (``Belorussia``, ``Turkey``, ``Swaziland``) are aliases
  that still find the country in texts and in ``entity:`` filters.
- No Wikidata ids: no packaged source here provides them, and none is written from memory.
"""

from __future__ import annotations

import csv
import gettext
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import ahocorasick
import pycountry

Kind = Literal["country", "organisation", "person"]
DATA = Path(__file__).parent / "data"

# -- extra names pycountry lacks but the texts use --------------------------------------------
EXTRA_EN: dict[str, list[str]] = {
    "US": ["United States", "United States of America", "America"],
    "GB": ["Britain", "Great Britain"],
    "RU": ["Russia"],
    "CN": ["People's Republic of China", "Mainland China"],
    "KR": ["Republic of Korea", "South Korea"],
    "KP": ["North Korea", "Democratic People's Republic of Korea"],
    "TR": ["Turkey", "Republic of Turkey"],
    "CZ": ["Czech Republic"],
    "VA": ["Holy See", "Vatican", "Vatican City"],
    "LA": ["Laos"],
    "BN": ["Brunei"],
    "CV": ["Cape Verde"],
    "CI": ["Cote d'Ivoire", "Ivory Coast"],
    "SZ": ["Swaziland"],
    "MM": ["Burma"],
    "TL": ["East Timor"],
    "MK": ["Macedonia", "Republic of Macedonia", "Former Yugoslav Republic of Macedonia"],
    "CD": ["Zaire", "DR Congo", "Democratic Republic of Congo", "Democratic Republic of the Congo"],
    "CG": ["Republic of Congo", "Congo-Brazzaville"],
    "NL": ["Netherlands", "Holland"],
    "PS": ["Palestine"],
    "MO": ["Macau"],
    "KG": ["Kirghizia"],
    "MD": ["Moldavia"],
    "BY": ["Belorussia"],
    "SU": ["USSR", "Soviet Union", "Union of Soviet Socialist Republics"],
    "YU": ["Yugoslavia"],
    "CS": ["Czechoslovakia"],
}
ACRONYMS_EN: dict[str, list[str]] = {
    "US": ["US", "U.S.", "USA", "U.S.A."],
    "GB": ["UK", "U.K."],
    "CN": ["PRC"],
    "KR": ["ROK"],
    "KP": ["DPRK"],
    "AE": ["UAE"],
    "CD": ["DRC"],
    "SU": ["USSR"],
}
BLOCK_EN = [
    "Latin America", "North America", "South America", "Central America", "Americas",
    "New Mexico", "New Jersey", "New Guinea Island", "National Security Council",
    "Korean Peninsula",
]  # fmt: skip
EXTRA_RU: dict[str, list[str]] = {
    "US": ["Соединённые Штаты", "Соединённые Штаты Америки", "Америка"],
    "GB": ["Великобритания", "Британия", "Соединённое Королевство"],
    "RU": ["Россия", "Российская Федерация"],
    "CN": ["Китай", "Китайская Народная Республика"],
    "KR": ["Республика Корея", "Южная Корея"],
    "KP": ["Северная Корея"],
    "DE": ["Германия", "Федеративная Республика Германия"],
    "BY": ["Белоруссия", "Беларусь", "Республика Беларусь"],
    "KG": ["Киргизия", "Кыргызстан", "Киргизстан", "Киргизская Республика"],
    "TM": ["Туркмения", "Туркменистан"],
    "MD": ["Молдавия", "Молдова"],
    "MK": ["Македония"],
    "CZ": ["Чехия"],
    "SK": ["Словакия"],
    "VA": ["Ватикан"],
    "PS": ["Палестина"],
    "SU": ["Советский Союз"],
    "YU": ["Югославия"],
    "CS": ["Чехословакия"],
    "CI": ["Кот-д'Ивуар"],
}
ACRONYMS_RU: dict[str, list[str]] = {
    "US": ["США"],
    "RU": ["РФ"],
    "CN": ["КНР"],
    "KP": ["КНДР"],
    "DE": ["ФРГ"],
    "AE": ["ОАЭ"],
    "SU": ["СССР"],
    "GB": ["UK"],
}
BLOCK_RU = [
    "Латинская Америка", "Северная Америка", "Южная Америка", "Центральная Америка",
]  # fmt: skip
DROP_RU = {"Того"}  # Togo: also the pronoun "того" at the start of a sentence
EXTRA_ZH: dict[str, list[str]] = {
    "US": ["美国", "美利坚合众国"],
    "RU": ["俄罗斯", "俄罗斯联邦"],
    "GB": ["英国"],
    "CN": ["中国", "中华人民共和国"],
    "KR": ["韩国", "大韩民国"],
    "KP": ["朝鲜", "朝鲜民主主义人民共和国"],
    "ID": ["印尼"],
    "SA": ["沙特", "沙特阿拉伯"],
    "IR": ["伊朗"],
    "BO": ["玻利维亚"],
    "MD": ["摩尔多瓦"],
    "VE": ["委内瑞拉"],
    "SY": ["叙利亚"],
    "CD": ["刚果（金）", "刚果(金)", "刚果金"],
    "CG": ["刚果（布）", "刚果(布)", "刚果布"],
    "VA": ["梵蒂冈", "教廷"],
    "SU": ["苏联"],
    "YU": ["南斯拉夫"],
    "CS": ["捷克斯洛伐克"],
    "CF": ["中非共和国"],
}
DROP_ZH = {"中非"}  # Central African Republic, but 中非 is mostly "China-Africa"
BLOCK_ZH = [
    "发展中国家", "中国家", "朝鲜半岛", "拉美", "南美", "北美", "中美洲", "欧美",
    "合法", "非法", "违法", "依法", "执法", "宪法", "司法", "立法", "方法", "办法", "做法",
    "说法", "看法", "想法", "国际法", "道德", "美德", "今日", "昨日", "明日", "海地区",
    "马里兰", "中南海", "印度洋", "印度洋", "约旦河",
]  # fmt: skip

# Chinese one-character abbreviations, matched only in the shapes where they are unambiguous:
# a run of two or three before a word of relations (中美关系, 中日韩合作, 朝美双方), X军 (美军),
# X驻 / 驻X (俄驻美), and 华 after 访/驻/来/在/对/涉/赴/援/反 (访华, 对华政策).
ABBR_ZH = {
    "中": "country:CN", "美": "country:US", "俄": "country:RU", "日": "country:JP",
    "韩": "country:KR", "朝": "country:KP", "英": "country:GB", "法": "country:FR",
    "德": "country:DE", "印": "country:IN", "澳": "country:AU", "意": "country:IT",
    "伊": "country:IR", "越": "country:VN", "菲": "country:PH", "泰": "country:TH",
    "蒙": "country:MN", "柬": "country:KH", "缅": "country:MM", "哈": "country:KZ",
    "埃": "country:EG", "叙": "country:SY", "孟": "country:BD", "欧": "org:EU",
    "华": "country:CN",
}  # fmt: skip
_A = "中美俄日韩朝英法德印澳意伊越菲泰蒙柬缅哈埃叙孟欧"
_ABBR_ZH = re.compile(
    rf"(?P<run>[{_A}]{{2,3}})(?=关系|两国|双方|合作|贸易|经贸|元首|战略|之间|外长|对话|联合|峰会"
    r"|会晤|谈判|友好|建交|伙伴|经济|人文|交往|友谊|务实|三方|双边|领导人|磋商)"
    r"|(?P<army>[美俄日韩])军"
    r"|(?P<resident>[美俄英法德韩朝伊])驻|驻(?P<posted>[美俄英法德韩朝华澳])"
    r"|[访驻来在对涉赴援反](?P<china>华)(?!盛|尔街|为|侨|人|裔|南|北|东|西|中|夏|沙|语|文|府|莱|约|丽|特)"
)


def _zh_abbreviations(text: str):
    for m in _ABBR_ZH.finditer(text):
        for group in ("run", "army", "resident", "posted", "china"):
            if m.group(group):
                s = m.start(group)
                for i, ch in enumerate(m.group(group)):
                    ent = ABBR_ZH[ch]
                    kind = "country" if ent.startswith("country:") else "organisation"
                    yield s + i, s + i + 1, _Entry(ent, kind, ch, True)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    surface: str
    entity: str  # "country:KZ", "org:EAEU"
    kind: Kind


@dataclass(frozen=True)
class _Entry:
    entity: str | None  # None: a blocking entry
    kind: Kind | None
    form: str  # the gazetteer form
    exact: bool  # case-sensitive (acronyms)


# -- normalisation that keeps offsets: one character in, one character out --------------------
_FOLD = [
    ("\u00a0", " "), ("\n", " "), ("\t", " "), ("\r", " "), ("\u2009", " "), ("\u202f", " "),
    ("\u2019", "'"), ("\u2018", "'"), ("\u02bc", "'"), ("\u2010", "-"), ("\u2011", "-"),
    ("\u2012", "-"), ("\u2013", "-"), ("\u2014", "-"), ("ё", "е"),
]  # fmt: skip


def fold(text: str) -> str:
    """Case- and punctuation-folded text of the same length (offsets stay valid)."""
    low = text.lower()
    if len(low) != len(text):  # a few characters lower to two ("İ"): fold them one by one
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    for a, b in _FOLD:  # str.replace is much faster than str.translate with a table
        if a in low:
            low = low.replace(a, b)
    return low


def _word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


# -- Russian inflection ------------------------------------------------------------------------
_ADJ = {
    "ая": ("ая", "ой", "ую", "ою", "ые", "ых"),
    "яя": ("яя", "ей", "юю", "ею"),
    "ий": ("ий", "ого", "ому", "им", "ом", "ие", "их", "ая", "ой", "ую"),
    "ый": ("ый", "ого", "ому", "ым", "ом", "ые", "ых"),
    "ое": ("ое", "ого", "ому", "ым", "ом"),
    "ые": ("ые", "ых", "ым", "ыми"),
    "ие": ("ие", "их", "им", "ими"),
    "ых": ("ых", "ые", "ым", "ыми"),
    "их": ("их", "ие", "им", "ими"),
}
_NOUN = [  # (base ending, allowed endings), longest first
    ("ство", ("ство", "ства", "ству", "ством", "стве")),
    ("ание", ("ание", "ания", "анию", "анием", "ании")),
    ("ение", ("ение", "ения", "ению", "ением", "ении")),
    ("ия", ("ия", "ии", "ию", "ией", "ий")),
    ("ея", ("ея", "еи", "ее", "ею", "еей")),
    ("ья", ("ья", "ьи", "ье", "ью", "ьей")),
    ("ая", ("ая", "ой", "ую", "ою")),
    ("ы", ("ы", "ов", "ам", "ами", "ах", "")),
    ("и", ("и",)),  # genitive forms inside names (Америки) and indeclinables (Мали)
    ("а", ("а", "ы", "и", "е", "у", "ой", "ою", "ей")),
    ("я", ("я", "и", "е", "ю", "ей", "ею")),
    ("й", ("й", "я", "ю", "ем", "е")),
    ("ь", ("ь", "я", "ю", "ем", "е", "и", "ью")),
]
_CONSONANT = ("", "а", "у", "ом", "е", "ы", "ов", "ым")  # -ым: surnames (Путиным, Лавровым)
_RU_WORD = re.compile(r"[0-9A-Za-zА-Яа-яЁё]+")
_RU_GAP = re.compile(r"[\s\-'’«»\"]{1,3}|\s*[—–-]\s*")


def ru_paradigm(word: str) -> tuple[str, tuple[str, ...]]:
    """Stem and allowed endings of one (folded, nominative) Russian gazetteer word."""
    if len(word) <= 3:
        return word, ("",)
    for base, endings in _NOUN[:3]:  # -ство, -ание, -ение before the adjectives' -ое/-ие
        if word.endswith(base):
            return word[: -len(base)], endings
    if len(word) > 5:
        for base, endings in _ADJ.items():
            if word.endswith(base):
                return word[: -len(base)], endings
    for base, endings in _NOUN[3:]:
        if word.endswith(base):
            return word[: -len(base)], endings
    if word[-1] in "оеиуюэ":  # indeclinable: Конго, Перу, Зимбабве
        return word, ("",)
    return word, _CONSONANT


@dataclass(frozen=True)
class _RuWord:
    stem: str
    endings: frozenset[str]
    capital: bool  # the gazetteer form is capitalised: the text must be too
    exact: str | None  # an acronym: the token must be exactly this


@dataclass(frozen=True)
class _RuEntry:
    words: tuple[_RuWord, ...]
    entry: _Entry


class EntityMatcher:
    """Gazetteer matcher for English, Russian and Chinese turns. Build once; ``find`` is pure."""

    def __init__(
        self,
        organisations: Path = DATA / "organisations.csv",
        people: Iterable[tuple[str, list[str]]] = (),
    ) -> None:
        """``people``: (person id, full names in any script) from the register of people."""
        self.names: dict[str, dict[str, str]] = {}  # entity -> {lang: preferred name}
        en_ci: dict[str, _Entry] = {}  # folded form -> entry (case-insensitive, word bounded)
        cs: dict[str, _Entry] = {}  # exact form -> entry (acronyms, any language)
        zh: dict[str, _Entry] = {}
        ru: list[tuple[str, _Entry]] = []

        def add_en(form: str, e: _Entry) -> None:
            key = fold(form)
            old = en_ci.get(key)
            if old is None or (old.entity is None and e.entity is not None):
                en_ci[key] = e

        tr_ru = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ru"])
        tr_zh = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])
        for c in pycountry.countries:
            ent = f"country:{c.alpha_2}"
            forms = {getattr(c, a, None) for a in ("name", "common_name", "official_name")}
            forms.discard(None)
            iso = getattr(c, "common_name", None) or c.name
            self.names[ent] = {
                "en": display_name(c),
                "ru": tr_ru.gettext(iso),
                "zh": tr_zh.gettext(iso),
            }
            for f in forms:
                if ", " not in f:  # "Korea, Republic of": an index form, not a text form
                    add_en(f, _Entry(ent, "country", f, False))
                r = tr_ru.gettext(f)
                if r != f and r not in DROP_RU:
                    ru.append((r, _Entry(ent, "country", r, False)))
                z = tr_zh.gettext(f)
                if z != f and z not in DROP_ZH:
                    zh.setdefault(z, _Entry(ent, "country", z, False))
        for code, forms in EXTRA_EN.items():
            for f in forms:
                add_en(f, _Entry(f"country:{code}", "country", f, False))
        for code, forms in ACRONYMS_EN.items():
            for f in forms:
                cs[f] = _Entry(f"country:{code}", "country", f, True)
        for code, forms in EXTRA_RU.items():
            for f in forms:
                ru.append((f, _Entry(f"country:{code}", "country", f, False)))
        for code, forms in ACRONYMS_RU.items():
            for f in forms:
                cs[f] = _Entry(f"country:{code}", "country", f, True)
        for code, forms in EXTRA_ZH.items():
            for f in forms:
                zh[f] = _Entry(f"country:{code}", "country", f, False)
        for f in BLOCK_EN:
            add_en(f, _Entry(None, None, f, False))
        for f in BLOCK_RU:
            ru.append((f, _Entry(None, None, f, False)))
        for f in BLOCK_ZH:
            zh.setdefault(f, _Entry(None, None, f, False))
        # pycountry's historic countries with the names above (SU, YU, CS)
        # (a former country only: the Byelorussian SSR's code BY is Belarus's today, and Belarus
        # keeps its current ISO name, "Belorussia" being an alias)
        for h in pycountry.historic_countries:
            ent = f"country:{h.alpha_2}"
            if h.alpha_2 in EXTRA_EN and ent not in self.names:
                self.names[ent] = {"en": EXTRA_EN[h.alpha_2][0]}

        with organisations.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                ent = f"org:{row['id']}"
                split = lambda s: [x.strip() for x in (s or "").split("|") if x.strip()]  # noqa: E731
                self.names[ent] = {
                    lang: (split(row[lang]) or split(row[f"acronyms_{lang}"]) or [row["id"]])[0]
                    for lang in ("en", "ru", "zh")
                }
                for f in split(row["en"]):
                    add_en(f, _Entry(ent, "organisation", f, False))
                for f in split(row["ru"]):
                    ru.append((f, _Entry(ent, "organisation", f, False)))
                for f in split(row["zh"]):
                    zh[f] = _Entry(ent, "organisation", f, False)
                for lang in ("en", "ru", "zh"):
                    for f in split(row[f"acronyms_{lang}"]):
                        if " " in f:  # "СБ ООН": a multi-word acronym, matched as Russian words
                            ru.append((f, _Entry(ent, "organisation", f, True)))
                        else:
                            cs[f] = _Entry(ent, "organisation", f, True)

        for pid, forms in people:  # full names only: a bare surname is too often someone else
            ent = f"person:{pid}"
            for f in forms:
                if "." in f:  # initials (С.В.Лавров): labels, not how texts name people
                    continue
                if any(_cjk(c) for c in f):
                    if len(f) >= 2:
                        zh.setdefault(f, _Entry(ent, "person", f, False))
                    continue
                if len(f.split()) < 2:
                    continue
                if re.search("[А-Яа-яЁё]", f):
                    ru.append((f, _Entry(ent, "person", f, False)))
                else:
                    add_en(f, _Entry(ent, "person", f, False))
            names = [f for f in forms if "." not in f]
            self.names[ent] = {
                "en": names[0] if names else pid,
                "ru": next(
                    (f for f in names if re.search("[А-Яа-яЁё]", f)), names[0] if names else pid
                ),
                "zh": next(
                    (f for f in names if any(_cjk(c) for c in f)), names[0] if names else pid
                ),
            }

        self._en = ahocorasick.Automaton()
        for key, e in en_ci.items():
            self._en.add_word(key, (len(key), e))
        self._en.make_automaton()
        self._cs = ahocorasick.Automaton()
        for key, e in cs.items():
            self._cs.add_word(key, (len(key), e))
        self._cs.make_automaton()
        self._zh = ahocorasick.Automaton()
        for key, e in zh.items():
            self._zh.add_word(key, (len(key), e))
        self._zh.make_automaton()
        self._ru_first: dict[str, list[_RuEntry]] = {}  # first word's stem -> entries
        self._ru_endings: set[str] = {""}
        for form, e in ru:
            words = []
            for w in _RU_WORD.findall(form):
                f = fold(w)
                if e.exact or (len(w) > 1 and w.isupper()):
                    words.append(_RuWord(f, frozenset({""}), True, w))
                    continue
                stem, endings = ru_paradigm(f)
                self._ru_endings.update(endings)
                words.append(_RuWord(stem, frozenset(endings), w[0].isupper(), None))
            if words:
                re_ = _RuEntry(tuple(words), e)
                self._ru_first.setdefault(words[0].stem, []).append(re_)
        for entries in self._ru_first.values():
            entries.sort(key=lambda r: -len(r.words))
        self._max_ending = max(len(x) for x in self._ru_endings)

    # -- matching --------------------------------------------------------------------------
    def find(self, text: str, lang: str | None = None) -> list[Mention]:
        """Mentions in ``text`` (``lang``: en, ru, zh; ``None``: guessed from the script)."""
        if not text:
            return []
        if lang is None:
            lang = guess_lang(text)
        cands: list[tuple[int, int, _Entry]] = []
        low = fold(text)
        if lang == "zh":
            for end, (n, e) in self._zh.iter(text):
                cands.append((end - n + 1, end + 1, e))
            cands.extend(_zh_abbreviations(text))
        elif lang == "ru":
            cands.extend(self._ru(text, low))
        else:
            self._english(text, low, cands)
        for end, (n, e) in self._cs.iter(text):
            start = end - n + 1
            if _bounded(text, start, end + 1, acronym=True):
                cands.append((start, end + 1, e))
        out: list[Mention] = []
        last = -1
        for start, end, e in sorted(cands, key=lambda c: (c[0], -(c[1] - c[0]))):
            if start < last:
                continue
            last = end
            if e.entity is None:
                continue
            if lang == "en" and not e.exact and _alone_on_a_line(text, start, end):
                continue  # "Jordan." on its own line: a press secretary calling on a reporter
            bare_council = e.form in ("Security Council", "Совет Безопасности")
            if bare_council and _national_security_council(low, end):
                continue
            out.append(Mention(start, end, text[start:end], e.entity, e.kind))  # type: ignore[arg-type]
        return out

    def entities(self, text: str, lang: str | None = None) -> set[str]:
        return {m.entity for m in self.find(text, lang)}

    def _english(self, text: str, low: str, cands: list) -> None:
        for end, (n, e) in self._en.iter(low):
            start = end - n + 1
            if not _bounded(low, start, end + 1):
                continue
            form = e.form
            if any(ch.isupper() and not text[start + i].isupper() for i, ch in enumerate(form)):
                continue
            cands.append((start, end + 1, e))

    def _ru(self, text: str, low: str) -> list[tuple[int, int, _Entry]]:
        toks = [(m.start(), m.end()) for m in _RU_WORD.finditer(low)]
        out = []
        for i, (s, e) in enumerate(toks):
            tok = low[s:e]
            for k in range(0, min(self._max_ending, len(tok) - 1) + 1):
                stem = tok[: len(tok) - k] if k else tok
                entries = self._ru_first.get(stem)
                if not entries:
                    continue
                for r in entries:
                    end = self._ru_match(text, low, toks, i, r)
                    if end is not None:
                        out.append((s, end, r.entry))
                        break
        return out

    def _ru_match(self, text, low, toks, i, r: _RuEntry) -> int | None:
        if i + len(r.words) > len(toks):
            return None
        for j, w in enumerate(r.words):
            s, e = toks[i + j]
            if j and not _RU_GAP.fullmatch(low[toks[i + j - 1][1] : s]):
                return None
            if w.exact is not None:
                if text[s:e] != w.exact:
                    return None
                continue
            tok = low[s:e]
            if not tok.startswith(w.stem) or tok[len(w.stem) :] not in w.endings:
                return None
            if w.capital and not text[s].isupper():
                return None
        return toks[i + len(r.words) - 1][1]


def _cjk(c: str) -> bool:
    return "\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff"


def _bounded(s: str, start: int, end: int, acronym: bool = False) -> bool:
    """The span does not start or end inside a word (an acronym may touch Chinese characters)."""
    inside = (lambda c: c.isalnum() and not _cjk(c)) if acronym else _word_char
    if start and inside(s[start - 1]) and inside(s[start]):
        return False
    return not (end < len(s) and inside(s[end]) and inside(s[end - 1]))


_VOCATIVE = re.compile(r"[ \t]*[.,?!]?[ \t]*(?:\n|$)")


def _alone_on_a_line(text: str, start: int, end: int) -> bool:
    """The mention is all there is on its line (not the first), but for punctuation."""
    line_start = text.rfind("\n", 0, start) + 1
    if line_start == 0 or text[line_start:start].strip():
        return False
    return bool(_VOCATIVE.match(text, end))


_NSC_BEFORE = ("national ", "russian ", "russia's ", "presidential ")
_NSC_AFTER = re.compile(r"\s*(?:of\s+(?:the\s+)?russia|российской\s+федерации|россии|рф\b)")


def _national_security_council(low: str, start_of_after: int) -> bool:
    """``Security Council`` here is a national one (Russia's), not the UN's."""
    return bool(_NSC_AFTER.match(low, start_of_after)) or any(
        low[max(0, start_of_after - 40) : start_of_after]
        .rsplit("security council", 1)[0]
        .endswith(b)
        for b in _NSC_BEFORE
    )


def guess_lang(text: str) -> str:
    """en, ru or zh by the script of the first letters."""
    cjk = cyr = lat = 0
    for c in text[:400]:
        if "\u4e00" <= c <= "\u9fff":
            cjk += 1
        elif "\u0400" <= c <= "\u04ff":
            cyr += 1
        elif c.isascii() and c.isalpha():
            lat += 1
    if cjk * 2 >= max(cyr, lat) and cjk:
        return "zh"
    return "ru" if cyr > lat else "en"


@lru_cache(maxsize=1)
def matcher() -> EntityMatcher:
    """The matcher (countries, organisations and the shipped register's people), built once
    per process."""
    from communique.enrich.people import default_register

    people = [
        (p.id, [p.name, *p.names]) for p in default_register().people.values() if p.kind != "outlet"
    ]
    return EntityMatcher(people=people)


def find(text: str, lang: str | None = None) -> list[Mention]:
    return matcher().find(text, lang)


def display_name(country: object) -> str:
    """A country's current ISO 3166 short name as people write it: the common name where ISO
    gives one (``Iran``, ``South Korea``), else the short name (``Belarus``, ``Türkiye``,
    ``Czechia``), an index form turned round (``Palestine, State of`` -> ``State of
    Palestine``; ``Congo, The Democratic Republic of the`` -> ``Democratic Republic of the
    Congo``). Older names (``Belorussia``, ``Turkey``) stay aliases that find the country."""
    name = getattr(country, "common_name", None) or country.name  # type: ignore[attr-defined]
    head, sep, tail = name.partition(", ")
    if sep and re.search(r"\bof(?: the)?$", tail, re.I):
        name = f"{tail} {head}"
        name = name[4:] if name.startswith(("The ", "the ")) else name
    official = getattr(country, "official_name", None)
    if ", " in name and official and ", " not in official:  # Virgin Islands, British
        name = official[4:] if official.startswith("the ") else official
    return name


def entity_name(entity: str, lang: str = "en") -> str:
    """The entity's usual name in ``lang`` (English when there is none): ``country:KZ`` ->
    ``Kazakhstan``, ``Казахстан``, ``哈萨克斯坦``."""
    names = matcher().names.get(entity, {})
    return names.get(lang) or names.get("en") or entity.partition(":")[2] or entity


def lookup(value: str) -> str | None:
    """The entity a user means by ``value``: an id (``country:KZ``, ``org:EAEU``), an ISO code
    (``KZ``, ``KAZ``), or a name or acronym in any of the three languages (``Kazakhstan``,
    ``ЕАЭС``, ``哈萨克斯坦``). None when nothing (or only part of it) names an entity."""
    value = value.strip()
    names = matcher().names
    if value in names:
        return value
    for prefix in ("country:", "org:"):
        if f"{prefix}{value.upper()}" in names:
            return f"{prefix}{value.upper()}"
    if len(value) == 3 and value.isalpha():
        country = pycountry.countries.get(alpha_3=value.upper())
        if country is not None:
            return f"country:{country.alpha_2}"
    found = find(value)
    if len(found) == 1 and found[0].end - found[0].start >= len(value.strip(" .")) - 1:
        return found[0].entity
    # a name typed in lower case ("kazakhstan", "eurasian economic union")
    found = find(value.title())
    if len(found) == 1 and found[0].end - found[0].start >= len(value.strip(" .")) - 1:
        return found[0].entity
    return None
