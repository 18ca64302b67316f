"""Roles, speakers and question->answer links over every fmprc page (held-out pages excluded).

Run from the project root: ``python bench/fmprc_roles.py --save before.json`` on one revision and
``python bench/fmprc_roles.py --compare before.json`` on another. Prints, per language, the
pages and turns read, the role counts, and (with ``--compare``) how many answers changed
speaker or linked question, how many turns changed role, and the first changed pages.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import CORPUS  # noqa: E402

from communique.ingest.pipeline import parse_raw  # noqa: E402
from communique.ingest.sources import RawInput  # noqa: E402

FMPRC = CORPUS / "fmprc_en_zh"
Sig = dict[str, list[list[object]]]  # file -> [[n, role, speaker, affiliation, answers, label]]


def held_out(rel: str) -> bool:
    """The session's evaluation pages: sha1 of the corpus-relative path starts with 0 or 1."""
    return hashlib.sha1(rel.encode()).hexdigest()[0] in "01"


def pages() -> list[tuple[str, str, str]]:
    """(file, lang, url) of every non-held-out document page in the manifest."""
    with (FMPRC / "manifest.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [
        (r["file"], r["lang"], r["url"])
        for r in rows
        if r["kind"] != "index_page" and not held_out(f"fmprc_en_zh/{r['file']}")
    ]


def signature() -> tuple[Sig, dict[str, str]]:
    sig: Sig = {}
    langs: dict[str, str] = {}
    for rel, lang, url in pages():
        path = FMPRC / rel
        raw = RawInput(path=str(path), data=path.read_bytes(), kind="file", meta={"url": url})
        doc = parse_raw(raw).doc
        if doc is None:
            continue
        langs[rel] = lang
        sig[rel] = [
            [t.n, t.role, t.speaker, t.affiliation, t.answers, t.label, t.text[:50]]
            for t in doc.turns
        ]
    return sig, langs


def _answers(turns: list[list[object]]) -> list[tuple[object, object, str]]:
    """(speaker, text of the linked question, answer text) of each answer, in order."""
    by_n = {t[0]: t for t in turns}
    return [
        (t[2], by_n[t[4]][6] if t[4] in by_n else None, str(t[6]))
        for t in turns
        if t[1] == "answer"
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--save", type=Path, help="write this revision's turns as JSON")
    parser.add_argument("--compare", type=Path, help="compare with turns saved before")
    parser.add_argument("--show", type=int, default=15, help="changed pages to list")
    args = parser.parse_args()
    started = time.perf_counter()
    sig, langs = signature()
    print(f"pages: {len(sig)} ({time.perf_counter() - started:.1f} s)")
    for lang in sorted(set(langs.values())):
        roles = Counter(t[1] for rel, ts in sig.items() if langs[rel] == lang for t in ts)
        print(f"  {lang}: {sum(1 for v in langs.values() if v == lang)} pages, {dict(roles)}")
    if args.save:
        args.save.write_text(json.dumps(sig, ensure_ascii=False))
    if args.compare:
        old: Sig = json.loads(args.compare.read_text())
        _compare(old, sig, langs, args.show)
    return 0


def _compare(old: Sig, new: Sig, langs: dict[str, str], show: int) -> None:
    """Answers whose speaker or linked question differ, matched by the answer's text start."""
    for lang in sorted(set(langs.values())):
        files = [f for f in new if langs[f] == lang and f in old]
        before = after = speaker = link = gone = added = roles = 0
        changed: list[str] = []
        for f in files:
            a_old = {a[2]: a for a in _answers(old[f])}
            a_new = {a[2]: a for a in _answers(new[f])}
            before += len(a_old)
            after += len(a_new)
            gone += len(a_old.keys() - a_new.keys())
            added += len(a_new.keys() - a_old.keys())
            both = a_old.keys() & a_new.keys()
            speaker += sum(1 for k in both if a_old[k][0] != a_new[k][0])
            link += sum(1 for k in both if a_old[k][1] != a_new[k][1])
            r_old = Counter((t[6], t[1]) for t in old[f])
            r_new = Counter((t[6], t[1]) for t in new[f])
            roles += (r_new - r_old).total()
            if a_old != a_new or r_old != r_new:
                changed.append(f)
        print(
            f"{lang}: answers {before} -> {after} ({added} new, {gone} no longer answers); "
            f"of answers in both: {speaker} changed speaker, {link} changed question; "
            f"turns with a new role or text start: {roles}; pages changed: {len(changed)}"
        )
        for f in changed[:show]:
            print(f"    {f}")


if __name__ == "__main__":
    raise SystemExit(main())
