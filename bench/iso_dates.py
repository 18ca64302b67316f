"""Date found, of plain-text pages that print an ISO date line under the title.

    python bench/iso_dates.py [PATH ...]

A page prints such a line when one of its first lines is only ``YYYY-MM-DD`` with an optional
``HH:MM`` (found by a regular expression over the raw text, independently of the parser). For
each such page the plain-text reader's date (and time, when the line has one) is compared with
the line's. Inputs:

* every PATH given (plain-text files, ``.gz`` too, or folders of them);
* the corpus's plain-text inputs (the seed, the text cells of the transcript tables);
* the Kremlin HTML pages rendered as plain text the way a text copy of the page reads (title,
  ``2013-02-20 18:30``, place, lead, body paragraphs), in three layouts taken in turn: the date
  line under the title in one paragraph; title, lead, date line, place; date line first. The
  rendering reads the page's markup (``h1``, ``time[datetime]``, ``.read__time``, ``.read__lead``,
  ``.read__place``, the article's ``p``), not the parser.

Prints found/total for the date and the time, per source and layout, for pages used in
development and for held-out pages apart (``sha1(path)[0]`` in ``01``).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import re
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from communique.structure.publishers.textpage import read_text_page

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
SEED = ROOT.parent / "shared" / "seeds" / "000_4edebaca2194af6e.txt"
ISO_LINE = re.compile(r"^[ \t]*(\d{4}-\d{2}-\d{2})(?:[ T](\d{1,2}:\d{2}))?[ \t]*$", re.M)
HEAD_LINES = 15
LAYOUTS = ("title+date", "title/lead/date/place", "date-first")


def held_out(rel: str) -> bool:
    return hashlib.sha1(rel.encode()).hexdigest()[0] in "01"


def printed_date(text: str) -> tuple[str, str | None] | None:
    """The first ISO date line among the first lines of a page: (date, time or None)."""
    head = "\n".join(text.lstrip().splitlines()[:HEAD_LINES])
    m = ISO_LINE.search(head)
    return (m.group(1), m.group(2)) if m else None


def _text(node: object) -> str:
    return " ".join((node.text(separator=" ") if node else "").split())  # type: ignore[attr-defined]


def render_kremlin(html: str, layout: str) -> str | None:
    """A Kremlin page as plain text in ``layout``; None when it has no date or title."""
    tree = LexborHTMLParser(html)
    h1, when = tree.css_first("h1.entry-title"), tree.css_first("time.read__published")
    date = when.attributes.get("datetime") if when else None
    if not h1 or not date:
        return None
    time = _text(tree.css_first(".read__time"))
    line = f"{date} {time}" if re.fullmatch(r"\d{1,2}:\d{2}", time) else date
    place, lead = _text(tree.css_first(".read__place")), _text(tree.css_first(".read__lead"))
    body_node = tree.css_first("[itemprop=articleBody]")
    body = [t for p in (body_node.css("p") if body_node else []) if (t := _text(p))]
    title = _text(h1)
    if layout == "title+date":
        head = [f"{title}\n{line}" + (f"\n{place}" if place else ""), lead]
    elif layout == "title/lead/date/place":
        head = [title, lead, line, place]
    else:
        head = [line, title, lead]
    return "\n\n".join(p for p in [*head, *body] if p) + "\n"


def kremlin_pages() -> Iterator[tuple[str, str, str]]:
    """(source, relative path, text) of the Kremlin pages rendered as plain text."""
    for k, path in enumerate(sorted((CORPUS / "kremlin_en" / "html").glob("*.html.gz"))):
        layout = LAYOUTS[k % len(LAYOUTS)]
        html = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
        text = render_kremlin(html, layout)
        if text is not None:
            yield f"kremlin rendered, {layout}", str(path.relative_to(CORPUS)), text


def corpus_text_pages() -> Iterator[tuple[str, str, str]]:
    yield "seed", "seed", SEED.read_text(encoding="utf-8")
    csv.field_size_limit(1 << 30)
    for path in sorted((CORPUS / "official_transcripts").glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as f:
            for n, row in enumerate(csv.DictReader(f), start=1):
                if row.get("text"):
                    rel = f"{path.relative_to(CORPUS)}#row={n}"
                    yield "transcript tables", rel, row["text"]


def given_pages(paths: list[str]) -> Iterator[tuple[str, str, str]]:
    for arg in paths:
        p = Path(arg)
        for f in sorted(p.rglob("*")) if p.is_dir() else [p]:
            if f.is_file():
                data = f.read_bytes()
                data = gzip.decompress(data) if f.suffix == ".gz" else data
                yield "given", str(f), data.decode("utf-8", "replace")


def main(argv: list[str]) -> None:
    total: Counter[tuple[str, bool]] = Counter()
    dates: Counter[tuple[str, bool]] = Counter()
    timed: Counter[tuple[str, bool]] = Counter()
    times: Counter[tuple[str, bool]] = Counter()
    misses: list[str] = []
    sources = [given_pages(argv)] if argv else [corpus_text_pages(), kremlin_pages()]
    for source in sources:
        for name, rel, text in source:
            printed = printed_date(text)
            if printed is None:
                continue
            key = (name, held_out(rel))
            page = read_text_page(text)
            total[key] += 1
            dates[key] += page.date == printed[0]
            if printed[1]:
                timed[key] += 1
                times[key] += page.time == f"{int(printed[1][:-3]):02d}{printed[1][-3:]}"
            if page.date != printed[0] and not key[1] and len(misses) < 10:
                misses.append(f"  {rel}: printed {printed[0]}, read {page.date}")
    print(f"{'source':36} {'pages':>7} {'date found':>12} {'time found':>12}")
    for key in sorted(total):
        name = f"{key[0]}{' (held out)' if key[1] else ''}"
        time = f"{times[key] / timed[key]:.4f}" if timed[key] else "-"
        print(f"{name:36} {total[key]:7d} {dates[key] / total[key]:12.4f} {time:>12}")
    n, found = sum(total.values()), sum(dates.values())
    print(f"{'all':36} {n:7d} {found / n if n else 0:12.4f}")
    if misses:
        print("dates missed (development pages):", *misses, sep="\n")


if __name__ == "__main__":
    main(sys.argv[1:])
