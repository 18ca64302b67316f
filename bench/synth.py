"""A large synthetic archive resampled from the real turns of a source archive (for bench/).

Every turn keeps its real text, label, role and its question/answer pairing; documents are new:
a random number of turns (mean ~20) drawn from one language's turns, a date spread over
1999-2024, speakers drawn from the real speakers of that language, and a kind, publisher and
title taken from a real document (so kinds and publishers follow the real distribution).
Everything is drawn from one ``random.Random(seed)``: the same seed gives the same archive.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

from communique.enrich.labels import label_rows
from communique.model import Document, Origin, Participant, Turn
from communique.store.sqlite import SQLiteStore
from communique.structure.document import PARSER_VERSION

DAY0 = date(1999, 1, 1)
DAYS = (date(2024, 12, 31) - DAY0).days + 1
MEAN_TURNS = 20
SIGMA = 0.8  # log-normal spread of the number of turns per document


@dataclass
class SrcTurn:
    label: str | None
    speaker: str | None
    affiliation: str | None
    role: str
    interpreted: bool
    text: str


@dataclass
class Source:
    """The real material: turns grouped into units (a question with its answers stays one unit)."""

    turns: list[SrcTurn]
    # per language: units, each a list of (turn index, position of the question it answers or -1)
    units: dict[str, list[list[tuple[int, int]]]]
    templates: list[tuple[str, str | None, str, str | None]]  # (kind, publisher, lang, title)
    # lang -> ((label, speaker) pairs of non-question turns, cumulative weights)
    speakers: dict[str, tuple[list[tuple[str | None, str]], list[int]]]
    n_docs: int = 0


def load_source(db: str | Path) -> Source:
    """Read every turn and document of a real archive (read-only)."""
    import sqlite3

    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    docs = {
        r[0]: (r[1], r[2], r[3] or "en", r[4])
        for r in con.execute("SELECT id, kind, publisher, lang, title FROM documents ORDER BY id")
    }
    turns: list[SrcTurn] = []
    units: dict[str, list[list[tuple[int, int]]]] = defaultdict(list)
    speaker_counts: dict[str, Counter[tuple[str | None, str]]] = defaultdict(Counter)
    with_turns: set[str] = set()
    cur_doc = None
    by_n: dict[int, tuple[list[tuple[int, int]], int]] = {}
    rows = con.execute(
        "SELECT doc_id, n, label, speaker, affiliation, role, interpreted, answers, text "
        "FROM turns ORDER BY doc_id, n"
    )
    for doc_id, n, label, speaker, aff, role, interp, answers, text in rows:
        if doc_id not in docs or not text.strip():
            continue
        lang = docs[doc_id][2]
        if doc_id != cur_doc:
            cur_doc, by_n = doc_id, {}
            with_turns.add(doc_id)
        idx = len(turns)
        turns.append(SrcTurn(label, speaker, aff, role, bool(interp), text))
        if role != "question" and speaker:
            speaker_counts[lang][label, speaker] += 1
        if answers is not None and answers in by_n:
            # an answer joins its question's unit, pointing at the question's position in it
            unit, pos = by_n[answers]
            unit.append((idx, pos))
        else:
            unit = [(idx, -1)]
            units[lang].append(unit)
        by_n[n] = (unit, len(unit) - 1)
    templates = [d for i, d in docs.items() if i in with_turns and d[2] in units]
    speakers = {}
    for lang, counter in speaker_counts.items():
        names = sorted(counter, key=lambda p: (p[1], p[0] or ""))
        speakers[lang] = (names, list(accumulate(counter[n] for n in names)))
    con.close()
    return Source(turns, dict(units), templates, speakers, len(docs))


@dataclass
class Synthesis:
    """Counts gathered while drawing: how often each source turn was used."""

    uses: Counter[int] = field(default_factory=Counter)
    # (lang, speaker, role) of every non-question turn with a speaker
    speakers: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    turns: int = 0
    docs: int = 0


def synthesize(
    source: Source, n_docs: int, seed: int, stats: Synthesis
) -> Iterator[tuple[Document, bytes]]:
    """Yield (document, its synthetic raw row) ``n_docs`` times."""
    rng = random.Random(seed)
    mu = math.log(MEAN_TURNS) - SIGMA * SIGMA / 2
    for i in range(n_docs):
        kind, publisher, lang, title = rng.choice(source.templates)
        target = max(1, min(400, round(rng.lognormvariate(mu, SIGMA))))
        pool = source.units[lang]
        names, cum = source.speakers.get(lang) or source.speakers["en"]
        day = DAY0 + timedelta(days=rng.randrange(DAYS))
        mapping: dict[str | None, tuple[str | None, str]] = {}
        turns: list[Turn] = []
        while len(turns) < target:
            unit = pool[rng.randrange(len(pool))]
            base = len(turns)
            for idx, ans in unit:
                t = source.turns[idx]
                stats.uses[idx] += 1
                label, speaker = t.label, t.speaker
                if t.role != "question" and speaker:
                    # the same source speaker is one drawn real speaker (label and name)
                    if speaker not in mapping:
                        mapping[speaker] = names[bisect_right(cum, rng.randrange(cum[-1]))]
                    label, speaker = mapping[speaker]
                    stats.speakers[lang, speaker, t.role] += 1
                turns.append(
                    Turn(
                        n=len(turns) + 1,
                        label=label,
                        speaker=speaker,
                        role=t.role,  # type: ignore[arg-type]
                        text=t.text,
                        affiliation=t.affiliation,
                        interpreted=t.interpreted,
                        answers=base + ans + 1 if ans >= 0 else None,
                    )
                )
        raw = json.dumps({"synthetic": i, "seed": seed}, separators=(",", ":")).encode()
        sha = hashlib.sha256(raw).hexdigest()
        people = sorted({t.speaker for t in turns if t.speaker and t.role != "question"})
        doc = Document(
            id=f"synth-{i:06d}",
            revision=sha[:12],
            origin=[Origin(path=f"synth/{seed}/{i}.json", url=None, sha256=sha)],
            publisher=publisher,
            lang=lang,
            title=title,
            kind=kind,  # type: ignore[arg-type]
            turns=turns,
            date=day.isoformat(),
            participants=[Participant(name=p) for p in people[:5]],
            parser_version=PARSER_VERSION,
        )
        stats.turns += len(turns)
        stats.docs += 1
        yield doc, raw


def write_archive(
    store: SQLiteStore,
    docs: Iterator[tuple[Document, bytes]],
    batch: int = 1000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Store every document (raw row first), one transaction per batch; returns the count."""
    done = 0
    store.begin()
    try:
        for doc, raw in docs:
            sha = doc.origin[0].sha256
            store.put_raw(sha, "row", raw, {"synthetic": True}, doc.origin[0].path)
            store.put_document(doc, sha, sha, label_rows(doc))
            done += 1
            if done % batch == 0:
                store.commit()
                if progress:
                    progress(done)
                store.begin()
        store.commit()
    except BaseException:
        store.rollback()
        raise
    return done


# -- vocabulary -------------------------------------------------------------------------------

WORD = re.compile(r"[a-z]+")
# English function words and transcript furniture: never used as query words
_STOP_WORDS = """
    a about above after again against all also am an and any are aren as at be because been
    before being below between both but by can cannot could couldn did didn do does doesn doing
    don down during each few for from further had hadn has hasn have haven having he her here
    hers herself him himself his how i if in into is isn it its itself just let ll me more most
    mustn my myself no nor not now of off on once only or other ought our ours ourselves out over
    own re same shan she should shouldn so some such than that the their theirs them themselves
    then there these they this those through to too under until up us ve very was wasn we were
    weren what when where which while who whom why will with won would wouldn you your yours
    yourself yourselves s t d m o y mr ms mrs q okay yes yeah well thank thanks going get got
    go say said one two like know think want way really much many even still already lot things
    thing something anything nothing make made see look us well right"""
STOP = frozenset(_STOP_WORDS.split())


@dataclass
class Vocab:
    """Turn frequencies (lower-case words, English turns) in the synthetic archive."""

    df: Counter[str]
    turns: int  # all turns of the archive
    en_turns: list[int]  # source turn indexes of English turns that were used
    en_weights: list[int]  # cumulative use counts of en_turns


def vocabulary(source: Source, stats: Synthesis) -> Vocab:
    en = {idx for unit in source.units.get("en", []) for idx, _ in unit}
    df: Counter[str] = Counter()
    used = []
    for idx, uses in stats.uses.items():
        if idx not in en:
            continue
        used.append(idx)
        for w in set(WORD.findall(source.turns[idx].text.lower())):
            df[w] += uses
    used.sort()
    cum = list(accumulate(stats.uses[i] for i in used))
    return Vocab(df, stats.turns, used, cum)


def usable(word: str) -> bool:
    return len(word) >= 3 and word not in STOP and word.isascii()
