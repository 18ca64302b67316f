"""Lead kept, of Kremlin pages that have one; headline-only pages that are documents.

    python bench/leads.py [--workers N]

A page has a lead when its markup's ``.read__lead`` holds text (read here with selectolax,
independently of the parser). The lead is kept when the record holds it: as ``Document.lead``
(turn 0), or as the page's only text (a news item published as its lead alone is turn 1). A
headline-only page (no lead, no body paragraph) counts when it is a document with a title and
a turn 0 (``Document.head``) that holds the title. Prints counts for development pages and for
held-out pages apart (``sha1(path)[0]`` in ``01``), and the first pages missed.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import multiprocessing
from collections import Counter
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from communique.ingest.pipeline import parse_raw
from communique.sources.raw import RawInput
from communique.sources.walk import iter_items

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"


def _norm(text: str) -> str:
    """Text without its spaces: pages split words into runs ("80 th") that the reader joins."""
    return "".join(text.split())


def check(item: RawInput) -> tuple[str, bool, str | None, bool]:
    """(path, held out, what the page has: "lead" / "headline" / None, kept)."""
    rel = str(Path(item.path).resolve().relative_to(CORPUS.resolve()))
    held = hashlib.sha1(rel.encode()).hexdigest()[0] in "01"
    tree = LexborHTMLParser(gzip.decompress(item.data).decode("utf-8", "replace"))
    node = tree.css_first(".read__lead")
    lead = _norm(node.text(separator=" ")) if node else ""
    for furniture in tree.css(".read__bottommeta, .read__status, .read__cut, .media"):
        furniture.decompose()  # publication status, "see also", photo captions
    body = tree.css_first("[itemprop=articleBody]")
    has_body = bool(body and any(p.text().strip() for p in body.css("p")))
    doc = parse_raw(item).doc
    if lead:
        kept = doc is not None and (
            _norm(doc.lead or "") == lead
            or (len(doc.turns) == 1 and _norm(doc.turns[0].text) == lead)
        )
        return rel, held, "lead", kept
    if not has_body:
        head = doc.head() if doc is not None else None
        kept = head is not None and head.n == 0 and head.text == doc.title  # type: ignore[union-attr]
        kept = kept and not doc.turns  # type: ignore[union-attr]
        return rel, held, "headline", kept
    return rel, held, None, True


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    items = [i for i in iter_items([CORPUS / "kremlin_en" / "html"]) if isinstance(i, RawInput)]
    has: Counter[tuple[str, bool]] = Counter()
    kept: Counter[tuple[str, bool]] = Counter()
    missed: list[str] = []
    with multiprocessing.Pool(args.workers) as pool:
        for rel, held, what, ok in pool.imap_unordered(check, items, chunksize=16):
            if what is None:
                continue
            has[(what, held)] += 1
            kept[(what, held)] += ok
            if not ok and not held and len(missed) < 10:
                missed.append(f"  {what}: {rel}")
    print(f"{'pages':28} {'with it':>8} {'kept':>8} {'share':>8}")
    for key in sorted(has):
        name = f"{key[0]}{' (held out)' if key[1] else ''}"
        print(f"{name:28} {has[key]:8d} {kept[key]:8d} {kept[key] / has[key]:8.4f}")
    if missed:
        print("missed (development pages):", *missed, sep="\n")


if __name__ == "__main__":
    main()
