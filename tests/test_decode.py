"""sources.decode: gunzip, encoding detection, binary rejection, mojibake repair."""

from __future__ import annotations

import codecs
import gzip
import random

import pytest

from communique.sources.decode import UnreadableInput, bytes_to_text, maybe_gunzip, repair_text

from .conftest import CORPUS

WH = CORPUS / "whitehouse_briefings" / "html"

RU = "Министр иностранных дел Российской Федерации С.В.Лавров ответил на вопросы СМИ."
ZH = "外交部发言人华春莹主持例行记者会。问：关于乌克兰局势，中方有何评论？"
FR = "Café résumé à la française, très élégant."
EN_QUOTES = "He said \u201chello\u201d and that\u2019s it \u2014 done."


# --- maybe_gunzip -------------------------------------------------------------------------


def test_gunzip_plain_data_untouched() -> None:
    assert maybe_gunzip(b"<html>hi</html>") == b"<html>hi</html>"


def test_gunzip_roundtrip() -> None:
    assert maybe_gunzip(gzip.compress(b"hello " * 100)) == b"hello " * 100


def test_gunzip_truncated() -> None:
    data = gzip.compress(random.Random(0).randbytes(5000))
    with pytest.raises(UnreadableInput, match="truncated gzip"):
        maybe_gunzip(data[: len(data) // 2])


def test_gunzip_corrupt_header() -> None:
    with pytest.raises(UnreadableInput, match="gzip"):
        maybe_gunzip(b"\x1f\x8b" + b"x" * 40)


def test_gunzip_real_corpus_file() -> None:
    raw = maybe_gunzip((WH / "0001.html.gz").read_bytes())
    assert raw.startswith(b"<h1>Press Briefing by Press Secretary Josh Earnest, 8/3/2016</h1>")


# --- bytes_to_text: encodings -------------------------------------------------------------


def test_empty() -> None:
    assert bytes_to_text(b"") == ""


def test_utf8() -> None:
    assert bytes_to_text(f"{RU} {ZH} {EN_QUOTES}".encode()) == f"{RU} {ZH} {EN_QUOTES}"


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
    ],
)
def test_boms_are_used_and_dropped(bom: bytes, encoding: str) -> None:
    assert bytes_to_text(bom + f"Hello {RU}".encode(encoding)) == f"Hello {RU}"


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (RU, "cp1251"),
        ("Привет", "cp1251"),
        (RU * 3, "koi8_r"),
        (ZH, "gb18030"),
        ("外交部发言人答记者问", "gbk"),
        (FR, "cp1252"),
        (EN_QUOTES, "cp1252"),
    ],
)
def test_legacy_encodings(text: str, encoding: str) -> None:
    assert bytes_to_text(text.encode(encoding)) == text


def test_meta_charset_is_used() -> None:
    page = f'<html><head><meta charset="windows-1251"></head><body>{RU}</body></html>'
    assert bytes_to_text(page.encode("cp1251")) == page


def test_http_equiv_charset_latin1_read_as_cp1252() -> None:
    page = (
        '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
        f"<p>{EN_QUOTES}</p>"
    )
    assert bytes_to_text(page.encode("cp1252")) == page


def test_declared_encoding() -> None:
    assert bytes_to_text(RU.encode("koi8_r"), declared="koi8-r") == RU


def test_wrong_declared_encoding_does_not_win() -> None:
    # Declared cp1252, but the bytes are cp1251 Russian: cp1252 gives nonsense, so it is dropped.
    assert bytes_to_text((RU * 2).encode("cp1251"), declared="windows-1252") == RU * 2


def test_declared_ignored_when_utf8_is_valid() -> None:
    assert bytes_to_text(RU.encode(), declared="cp1251") == RU


def test_whitehouse_cp1252_title() -> None:
    # 0045's <h1> is cp1252 ("Lady\x92s"), the rest ASCII: not UTF-8.
    text = bytes_to_text(maybe_gunzip((WH / "0045.html.gz").read_bytes()))
    assert text.startswith("<h1>Press Call on the Frist Lady’s Announcement")


def test_utf8_with_one_damaged_byte_stays_utf8() -> None:
    data = (RU * 3).encode()
    data = data[:40] + b"\xe3" + data[41:]  # one byte of a Cyrillic letter damaged
    text = bytes_to_text(data)
    assert text.count("\ufffd") >= 1
    assert text.endswith(RU)


def test_kremlin_page_with_a_damaged_byte() -> None:
    # 063123: UTF-8, but "declared" has \xe3 for "c"; reading it all as cp1251 would turn
    # every Cyrillic word and NBSP into mojibake
    raw = maybe_gunzip((CORPUS / "kremlin_en" / "html" / "063123.html.gz").read_bytes())
    text = bytes_to_text(raw)
    assert "have de\ufffdlared a\u00a0state of" in text
    assert "Официальные сетевые ресурсы" in text


def test_one_latin_byte_in_english_is_cp1252() -> None:
    # cp1251 decodes \xf1 too (Cyrillic с), but "Muсoz" would mix scripts inside a word
    data = b"Remarks by Director of Domestic Policy Council Cecilia Mu\xf1oz on the Budget"
    assert bytes_to_text(data).endswith("Cecilia Muñoz on the Budget")


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("0527", "Press Briefing By The First Lady’s Chief Of Staff"),
        ("0719", "and Director of Domestic Policy Council Cecilia Muñoz on the"),
        ("1202", "Remarks by President Obama and President Calderón of Mexico"),
        ("1340", "Información Sobre La Reunión Del Presidente"),
    ],
)
def test_whitehouse_titles_in_cp1252(name: str, title: str) -> None:
    # these <h1> lines hold raw cp1252 bytes (\x92, \xf1, \xf3); the rest is ASCII
    first_line = bytes_to_text(maybe_gunzip((WH / f"{name}.html.gz").read_bytes())).split("\n")[0]
    assert title in first_line


# --- bytes_to_text: binary and nonsense -----------------------------------------------------


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "PNG"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"PK\x03\x04\x14\x00\x06\x00" + bytes(100), "ZIP"),
        (gzip.compress(b"hello"), "gzip"),
    ],
)
def test_known_binary_formats(data: bytes, what: str) -> None:
    with pytest.raises(UnreadableInput, match=what):
        bytes_to_text(data)


def test_random_bytes() -> None:
    rng = random.Random(42)
    for _ in range(20):
        with pytest.raises(UnreadableInput):
            bytes_to_text(rng.randbytes(2000))


def test_random_bytes_without_nuls() -> None:
    rng = random.Random(7)
    for _ in range(20):
        data = bytes(rng.randrange(1, 256) for _ in range(200))
        with pytest.raises(UnreadableInput):
            bytes_to_text(data)


def test_high_bytes_no_encoding_makes_sense() -> None:
    rng = random.Random(3)
    data = bytes(rng.randrange(0x80, 0x100) for _ in range(3000))
    with pytest.raises(UnreadableInput, match="no encoding"):
        bytes_to_text(data)


def test_nul_bytes() -> None:
    with pytest.raises(UnreadableInput, match="NUL"):
        bytes_to_text(b"hello\x00world\x00" * 10)


def test_many_control_chars() -> None:
    with pytest.raises(UnreadableInput, match="control characters"):
        bytes_to_text(b"abc\x01\x02\x03def\x04\x05" * 20)


def test_a_few_control_chars_are_fine() -> None:
    text = "x" * 2000 + "\x0c\x1b" + "y"
    assert bytes_to_text(text.encode()) == text


def test_message_says_what_to_do() -> None:
    with pytest.raises(UnreadableInput, match="pdftotext"):
        bytes_to_text(b"%PDF-1.7\n")


# --- repair_text --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("broken", "fixed"),
    [
        ("thatâ€™s", "that’s"),
        ("He said â€œhelloâ€\x9d", "He said “hello”"),
        ("Ð\x9fÑ\x80Ð¸Ð²ÐµÑ\x82", "Привет"),
        ("РћС„РёС†РёР°Р»СЊРЅС‹Рµ", "Официальные"),  # UTF-8 read as cp1251
        ("The Frist Lady\x92s", "The Frist Lady’s"),  # C1 control from cp1252 read as latin-1
        ("Calder\u00c3\u00b3n", "Calderón"),
    ],
)
def test_repair_mojibake(broken: str, fixed: str) -> None:
    assert repair_text(broken) == fixed


@pytest.mark.parametrize(
    "good",
    [
        "“Typographic” quotes — and ’apostrophes’",
        "ﬁ ligature, ＡＢＣ full width, &amp; entity",
        "Line one\r\nLine two\u2028three",
        RU,
        ZH,
        FR,
        "Q\u00a0\u00a0\u00a0 Thank you.",
        "",
    ],
)
def test_repair_leaves_good_text_alone(good: str) -> None:
    assert repair_text(good) == good


def test_repair_nfc() -> None:
    assert repair_text("e\u0301te\u0301") == "été"


def test_repair_real_powell_csv() -> None:
    # The State Department CSV carries cp1252 apostrophes as C1 controls (\x92).
    path = CORPUS / "official_transcripts" / "us_chechnya_powell_archive.csv"
    text = bytes_to_text(path.read_bytes())
    assert "I don\x92t know of any" in text
    repaired = repair_text(text)
    assert "I don’t know of any" in repaired
    assert "\x92" not in repaired


def test_deep_nesting_is_flattened_and_text_kept() -> None:
    from communique.sources.decode import MAX_NESTING, limit_nesting

    deep = "<html><body>" + "<div>" * 200_000 + "<p>Deep words.</p>" + "</div>" * 200_000
    flat = limit_nesting(deep + "<p>After.</p></body></html>")
    assert "Deep words." in flat and flat.endswith("<p>After.</p></body></html>")
    assert flat.count("<div>") == MAX_NESTING - 2  # html and body are two of the levels
    assert flat.count("</div>") == MAX_NESTING - 2


def test_real_pages_are_not_touched_by_the_nesting_limit() -> None:
    from communique.sources.decode import limit_nesting

    for name in ("006152.html.gz", "007954.html.gz"):
        text = gzip.decompress((CORPUS / "kremlin_en" / "html" / name).read_bytes()).decode()
        assert limit_nesting(text) is text
