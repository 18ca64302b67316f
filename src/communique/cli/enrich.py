"""Commands: versions, align, people, enrich (language versions, people, the register)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from communique.cli.options import (
    DEFAULT_DB,
    DataDirOption,
    DbOption,
    JsonOpt,
    _open,
    _sync_index,
    console,
    out,
)

commands = typer.Typer()


@commands.command()
def versions(doc_id: str, db: DbOption = DEFAULT_DB, as_json: JsonOpt = False) -> None:
    """The documents held that are other-language versions of DOC_ID."""
    store = _open(db)
    try:
        if store.current(doc_id) is None:
            console.print(f"[red]No document {escape(doc_id)} in {db}.[/]")
            raise typer.Exit(1)
        links = store.version_links(doc_id)
    finally:
        store.close()
    if as_json:
        out.print_json(json.dumps(links))
        return
    if not links:
        out.print(f"{doc_id}: no other-language version held")
    for v in links:
        out.print(f"{v['lang'] or '?':4} {v['id']}  ({v['method']}, score {v['score']:.2f})")


@commands.command()
def align(
    a: Annotated[str, typer.Argument(help="A document id.")],
    b: Annotated[str, typer.Argument(help="Another document id (another language).")],
    db: DbOption = DEFAULT_DB,
    as_json: JsonOpt = False,
) -> None:
    """Align two language versions turn by turn; list what each version lacks."""
    from communique.enrich.align import align as align_docs

    store = _open(db)
    try:
        doc_a, doc_b = store.get(a), store.get(b)
    finally:
        store.close()
    for ident, doc in ((a, doc_a), (b, doc_b)):
        if doc is None:
            console.print(f"[red]No document {escape(ident)} in {db}.[/]")
            raise typer.Exit(1)
    assert doc_a is not None and doc_b is not None
    result = align_docs(doc_a, doc_b)
    if as_json:
        out.print_json(json.dumps(result.to_dict()))
        return
    texts_a, texts_b = {t.n: t for t in doc_a.turns}, {t.n: t for t in doc_b.turns}
    for p in result.pairs:
        left = " ".join(texts_a[n].text for n in p.a)[:48].replace("\n", " ")
        right = " ".join(texts_b[n].text for n in p.b)[:48].replace("\n", " ")
        na, nb = ",".join(map(str, p.a)), ",".join(map(str, p.b))
        out.print(f"t{na:>7} <-> t{nb:<7} {escape(left):48}  {escape(right)}", highlight=False)
    for o in result.omissions():
        lacking, other = (a, b) if o.lacking == "a" else (b, a)
        turns = ", ".join(f"t{n}" for n in o.turns)
        if o.certain:
            out.print(f"[yellow]{escape(lacking)} lacks[/] {escape(other)} {turns}",
                      highlight=False)  # fmt: skip
        else:
            out.print(f"[dim]uncertain: {escape(lacking)} may lack {escape(other)} {turns} "
                      f"({escape(o.reason)})[/]", highlight=False)  # fmt: skip
    out.print(
        f"{len(result.pairs)} pairs; without a counterpart: {len(result.unmatched_a)} turns of "
        f"{a}, {len(result.unmatched_b)} of {b}"
    )


@commands.command()
def people(
    db: DbOption = DEFAULT_DB,
    top: Annotated[int, typer.Option(help="How many people to list.")] = 20,
    uncertain: Annotated[
        bool, typer.Option("--uncertain", help="List the merges a human should confirm.")
    ] = False,
    grown: Annotated[
        Path | None,
        typer.Option("--csv", help="Write the people found beyond the register as register rows."),
    ] = None,
) -> None:
    """Speakers clustered into people across spellings and scripts (register first)."""
    import csv

    from communique.enrich.document import register
    from communique.enrich.people import COLUMNS, cluster_labels
    from communique.ingest.enrichment import speaker_labels

    store = _open(db)
    try:
        labels = speaker_labels(store)
    finally:
        store.close()
    clusters = cluster_labels(labels, register())
    table = Table("person", "kind", "turns", "labels")
    ranked = sorted(clusters.people.values(), key=lambda c: -c.count)
    for c in ranked[:top]:
        variants = ", ".join(sorted({lab for lab, _, _ in c.labels}))
        table.add_row(escape(c.id), c.kind, str(c.count), escape(variants[:120]))
    out.print(table)
    out.print(
        f"{len(labels)} distinct speakers -> {len(clusters.people)} people "
        f"({sum(c.in_register for c in ranked)} in the register); "
        f"{len(clusters.uncertain)} uncertain merges (--uncertain lists them)"
    )
    if uncertain:
        rows = Table("label", "lang", "turns", "went to", "reason", "matched with")
        for u in sorted(clusters.uncertain, key=lambda u: -u.count):
            rows.add_row(escape(u.label), u.lang, str(u.count), escape(u.into or "(kept apart)"),
                         u.reason, escape(u.other))  # fmt: skip
        out.print(rows)
    if grown is not None:
        with grown.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=COLUMNS, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(clusters.to_rows())
        out.print(f"wrote {grown}: review it, then load it with COMMUNIQUE_PEOPLE={grown} "
                  "communique enrich")  # fmt: skip


@commands.command()
def enrich(db: DbOption = DEFAULT_DB, data_dir: DataDirOption = None) -> None:
    """Re-apply the register of people (with $COMMUNIQUE_PEOPLE files) and the entity
    gazetteer to every document, then relink language versions and relearn acronyms."""
    from communique.ingest.enrichment import enrich_archive

    store = _open(db)
    try:
        with Progress(
            TextColumn("enriching"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=console,
        ) as progress:  # fmt: skip
            task = progress.add_task("enrich", total=len(store.doc_ids()))
            report = enrich_archive(store, lambda _id: progress.advance(task))
    finally:
        store.close()
    out.print(
        f"{report.documents} documents enriched; {report.links} language-version links; "
        f"{report.acronyms} acronym definitions"
    )
    _sync_index(db, quiet=False, data_dir=data_dir)
