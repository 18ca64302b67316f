"""What the fmprc reader's role rules change: roles, speakers and question->answer links.

Run from the project root: ``python bench/fmprc_roles.py``. Parses every fmprc page that is not
held out twice, without the reader's role rules (``fmprc_roles.mark_roles`` switched off) and
with them, and prints per language the pages and role counts, then how many answers changed
speaker or linked question, how many stopped or started being answers, and the changed pages.
``--save FILE`` keeps this revision's turns; ``--compare FILE`` compares with turns saved by
another revision instead (e.g. the commit before the rules).
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
from communique.sources.raw import RawInput  # noqa: E402
from communique.structure.publishers import fmprc  # noqa: E402

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


def _answers(turns: list[list[object]]) -> dict[tuple[str, int], tuple[object, object]]:
    """(speaker, text of the linked question) of each answer, by (text start, occurrence)."""
    by_n = {t[0]: t for t in turns}
    out: dict[tuple[str, int], tuple[object, object]] = {}
    for t in turns:
        if t[1] == "answer":
            key = (str(t[6]), sum(1 for k in out if k[0] == t[6]))
            out[key] = (t[2], by_n[t[4]][6] if t[4] in by_n else None)
    return out


def _odd_speakers(turns: list[list[object]]) -> int:
    """Answers not by the page's usual answerer (its most frequent answer speaker)."""
    speakers = Counter(t[2] for t in turns if t[1] == "answer")
    if not speakers:
        return 0
    usual = speakers.most_common(1)[0][0]
    return sum(n for s, n in speakers.items() if s != usual)


def _summary(name: str, sig: Sig, langs: dict[str, str], seconds: float) -> None:
    print(f"{name}: {len(sig)} pages ({seconds:.1f} s)")
    for lang in sorted(set(langs.values())):
        roles = Counter(t[1] for rel, ts in sig.items() if langs[rel] == lang for t in ts)
        print(f"  {lang}: {sum(1 for v in langs.values() if v == lang)} pages, {dict(roles)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--save", type=Path, help="write this revision's turns as JSON")
    parser.add_argument("--compare", type=Path, help="compare with turns saved before")
    parser.add_argument("--show", type=int, default=15, help="changed pages to list")
    args = parser.parse_args()
    if args.compare:
        old: Sig = json.loads(args.compare.read_text())
    else:
        rules = fmprc.mark_roles
        fmprc.mark_roles = lambda blocks, **_: None  # type: ignore[assignment]
        started = time.perf_counter()
        old, langs = signature()
        _summary("without the role rules", old, langs, time.perf_counter() - started)
        fmprc.mark_roles = rules  # type: ignore[assignment]
    started = time.perf_counter()
    sig, langs = signature()
    _summary("with them" if not args.compare else "this revision", sig, langs,
             time.perf_counter() - started)  # fmt: skip
    if args.save:
        args.save.write_text(json.dumps(sig, ensure_ascii=False))
    _compare(old, sig, langs, args.show)
    return 0


def _compare(old: Sig, new: Sig, langs: dict[str, str], show: int) -> None:
    """Answers whose speaker or linked question differ, matched by the answer's text start."""
    for lang in sorted(set(langs.values())):
        files = [f for f in new if langs[f] == lang and f in old]
        before = after = speaker = link = gone = added = roles = odd_old = odd_new = 0
        said_old = said_new = 0
        changed: list[str] = []
        for f in files:
            a_old, a_new = _answers(old[f]), _answers(new[f])
            odd_old += _odd_speakers(old[f])
            odd_new += _odd_speakers(new[f])
            said_old += sum(1 for t in old[f] if t[1] == "statement" and t[2])
            said_new += sum(1 for t in new[f] if t[1] == "statement" and t[2])
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
            f"turns with a new role or text start: {roles}; pages changed: {len(changed)}; "
            f"answers not by the page's usual answerer: {odd_old} -> {odd_new}; "
            f"statements with a speaker: {said_old} -> {said_new}"
        )
        for f in changed[:show]:
            print(f"    {f}")


if __name__ == "__main__":
    raise SystemExit(main())
