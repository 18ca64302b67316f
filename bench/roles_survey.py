"""Role distribution per corpus family and kind, over the development pages (not held out).

    python bench/roles_survey.py

Kremlin pages with two or more labelled paragraphs (manifest), every White House briefing, and
the official-transcript table rows; pages held out for evaluation (first hex digit of sha1 of
the path under ``../shared/corpus`` is 0 or 1) are skipped. Prints, per kind: documents, turns,
the share of each role, how many answers are linked, and the share of turns flagged
``role_uncertain`` (docs/record.md, "Uncertain roles"). A survey to see a class's shape before
and after a change to the turn maker; accuracy against hand labels is ``bench/roles_eval.py``.
"""

from __future__ import annotations

import csv
import hashlib
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from communique.ingest.pipeline import parse_raw  # noqa: E402
from communique.model import Document  # noqa: E402
from communique.sources.raw import RawInput  # noqa: E402
from communique.sources.walk import iter_items  # noqa: E402

CORPUS = (ROOT.parent / "shared" / "corpus").resolve()
ROLES = ("question", "answer", "statement", "remark", "moderator")


def held_out(rel: str) -> bool:
    return hashlib.sha1(rel.encode()).hexdigest()[0] in "01"


def parse_file(path: Path) -> Document | None:
    return parse_raw(RawInput(path=str(path), data=path.read_bytes(), kind="file")).doc


def kremlin() -> list[Document | None]:
    rows = csv.DictReader((CORPUS / "kremlin_en" / "manifest.csv").open(encoding="utf-8"))
    rels = [
        f"kremlin_en/{r['file']}" for r in rows if int(r["n_speaker_label_paragraphs"] or 0) >= 2
    ]
    return [parse_file(CORPUS / rel) for rel in rels if not held_out(rel)]


def whitehouse() -> list[Document | None]:
    paths = sorted((CORPUS / "whitehouse_briefings" / "html").glob("*.html.gz"))
    return [parse_file(p) for p in paths if not held_out(str(p.relative_to(CORPUS)))]


def tables() -> list[Document | None]:
    docs: list[Document | None] = []
    for path in sorted((CORPUS / "official_transcripts").glob("*.csv")):
        if path.name == "corpus_index.csv" or held_out(str(path.relative_to(CORPUS))):
            continue
        docs += [parse_raw(i).doc for i in iter_items([path]) if isinstance(i, RawInput)]
    return docs


def report(name: str, docs: list[Document | None]) -> None:
    roles: dict[str, Counter[str]] = defaultdict(Counter)
    count: Counter[str] = Counter()
    linked: Counter[str] = Counter()
    uncertain: Counter[str] = Counter()
    for doc in docs:
        if doc is None:
            continue
        count[doc.kind] += 1
        for t in doc.turns:
            roles[doc.kind][t.role] += 1
            linked[doc.kind] += t.answers is not None
            uncertain[doc.kind] += bool(t.role_uncertain)
    print(f"== {name}")
    for kind in sorted(roles):
        total = roles[kind].total()
        shares = " ".join(f"{r} {roles[kind][r] / total:.2f}" for r in ROLES)
        print(
            f"  {kind:17} docs {count[kind]:5} turns {total:7}  {shares}  linked {linked[kind]}"
            f"  uncertain {uncertain[kind] / total:.2f}"
        )


def main() -> int:
    started = time.perf_counter()
    for name, family in (("kremlin", kremlin), ("whitehouse", whitehouse), ("tables", tables)):
        report(name, family())
    print(f"({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
