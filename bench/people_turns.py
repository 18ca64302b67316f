"""Who speaks, as the archive stores it: persons on turns, before and after a change.

Build an archive, copy it, change the register or the code, re-apply it to the copy
(``communique enrich``, or ``communique reparse --all`` when structure changed), then compare::

    communique ingest ../shared/seeds ../shared/corpus --db /tmp/before.db
    cp /tmp/before.db /tmp/after.db && communique enrich --db /tmp/after.db
    python bench/people_turns.py /tmp/before.db /tmp/after.db

Prints, for each archive (read-only, from the stored ``turns.person``):

* distinct persons on turns, by kind (register ids, derived ``person:``/``journalist:``, outlets);
* the share of named turns with a person: a named turn has a label or speaker that is not a role
  word (``Q``, ``问``, ``Question``), as the label reader classifies it;
* label variants per person at one publisher (mean, max); surnames whose turns at one
  publisher end in several ids (namesakes such as Susan and Condoleezza Rice, or one person
  split: ``person:mike-mcfaul`` / ``person:michael-mcfaul``); and the turns left without a
  person although their surname has one there (``McDONOUGH`` beside ``Denis McDonough``);
* office labels (a label with an office and no name, ``THE PRESIDENT``): turns with a person;
* a few named checks: McDonough's labels and ``THE PRESIDENT`` at whitehouse.gov.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from communique.enrich.names import name_key  # noqa: E402
from communique.enrich.people import default_register  # noqa: E402
from communique.structure.labels import classify_label  # noqa: E402

ROLE_WORDS = ("question", "answer", "remark", "moderator")


def _kind(pid: str) -> str:
    if pid.startswith(("outlet:", "journalist:", "person:")):
        return pid.partition(":")[0]
    return "register" if pid in default_register() else "other"


def measure(path: str) -> dict[str, object]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    rows = db.execute(
        "SELECT d.publisher, coalesce(t.speaker, t.label), t.label, t.person, count(*) "
        "FROM turns t JOIN documents d ON d.id = t.doc_id "
        "WHERE coalesce(t.speaker, t.label) IS NOT NULL GROUP BY 1, 2, 3, 4"
    ).fetchall()
    total_turns = db.execute("SELECT count(*) FROM turns").fetchone()[0]
    db.close()
    named = with_person = office_turns = office_person = 0
    persons: Counter[str] = Counter()
    labels: dict[tuple[str, str], set[str]] = defaultdict(set)
    by_surname: dict[tuple[str, str], Counter[str | None]] = defaultdict(Counter)
    checks: Counter[tuple[str, str | None]] = Counter()
    for pub, who, label, person, n in rows:
        info = classify_label(who, from_markup=True)
        if info is not None and info.category in ROLE_WORDS:
            continue
        named += n
        if person:
            with_person += n
            persons[person] += n
            labels[(pub or "", person)].add(label or who)
        key = name_key(who)
        if key is not None and not key.has_name and key.office:
            office_turns += n
            office_person += n if person else 0
        if key is not None and key.surname and not key.cjk and person != "outlet":
            by_surname[(pub or "", key.fsurname)][person] += n
        if pub == "whitehouse.gov" and (
            "mcdonough" in (label or who).casefold() or (label or "").upper() == "THE PRESIDENT"
        ):
            checks[(label or who, person)] += n
    split = {
        k: c for k, c in by_surname.items() if len(c) > 1 and sum(c.values()) >= 5
    }
    several = {k: c for k, c in by_surname.items() if len([p for p in c if p]) > 1}
    unlinked = sum(c[None] for c in by_surname.values() if any(c))
    variants = [len(v) for v in labels.values()]
    return {
        "turns": total_turns,
        "named turns": named,
        "named turns with a person": with_person,
        "share": with_person / named if named else 0.0,
        "distinct persons": len(persons),
        "by kind": Counter(_kind(p) for p in persons),
        "office-label turns": office_turns,
        "office-label turns with a person": office_person,
        "labels per person (mean)": sum(variants) / len(variants) if variants else 0.0,
        "labels per person (max)": max(variants, default=0),
        "surnames in several ids (publisher)": len(several),
        "turns of surnames in several ids": sum(sum(c.values()) for c in several.values()),
        "turns without a person, surname has one": unlinked,
        "_split": split,
        "_checks": checks,
    }


def main() -> int:
    paths = sys.argv[1:]
    if not paths:
        print(__doc__)
        return 2
    started = time.perf_counter()
    results = [measure(p) for p in paths]
    width = max(len(k) for k in results[0] if not k.startswith("_"))
    print(f"{'':{width}}  " + "  ".join(f"{Path(p).name:>22}" for p in paths))
    for k in results[0]:
        if k.startswith("_"):
            continue
        cells = []
        for r in results:
            v = r[k]
            if isinstance(v, float):
                cells.append(f"{v:>22.3f}")
            elif isinstance(v, Counter):
                cells.append(f"{' '.join(f'{a}={b}' for a, b in sorted(v.items())):>22}")
            else:
                cells.append(f"{v!s:>22}")
        print(f"{k:{width}}  " + "  ".join(cells))
    for p, r in zip(paths, results, strict=True):
        print(f"\n== {Path(p).name}: McDonough's labels and THE PRESIDENT at whitehouse.gov")
        for (label, person), n in sorted(r["_checks"].items(), key=lambda x: -x[1]):  # type: ignore[union-attr]
            print(f"   {label!r:38} -> {person!s:24} {n:5}")
        split = r["_split"]
        top = sorted(split.items(), key=lambda x: -sum(x[1].values()))[:12]  # type: ignore[union-attr]
        print(f"   largest surnames with several ids or none ({len(split)}):")  # type: ignore[arg-type]
        for (pub, surname), c in top:
            shown = ", ".join(f"{pid}={n}" for pid, n in c.most_common(4))
            print(f"     {pub:15} {surname:14} {shown}")
    print(f"\n{time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
