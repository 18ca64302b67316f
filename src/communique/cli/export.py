"""Commands: subcorpus, datasette-metadata, fts.

``communique subcorpus QUERY --format csv|jsonl|parquet|tei|bibtex|csl --out PATH [filters]``;
``communique datasette-metadata`` (Datasette's metadata file for the archive) and
``communique fts`` (an SQLite FTS5 copy of the turns for Datasette's search box).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from communique.cli.options import (
    DEFAULT_DB,
    NO_FILTER_OPTIONS,
    DbOption,
    FilterOptions,
    QuietOpt,
    _archive,
    _open,
    _query_error,
    console,
    filter_options,
)
from communique.store import is_url

commands = typer.Typer()

EXPORT_FORMATS = ("csv", "jsonl", "parquet", "tei", "bibtex", "csl")


@commands.command()
@filter_options("speaker", "role", "kind", "lang", "publisher", "entity", "from_", "to")
def subcorpus(
    query: Annotated[
        str, typer.Argument(help="Query (docs/query.md); empty: every turn the filters allow.")
    ] = "",
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", help="csv, jsonl, parquet, tei, bibtex or csl [jsonl]"),
    ] = None,
    out_path: Annotated[
        str,
        typer.Option("--out", "-o", help="File to write ('-': standard output); a folder for tei."),
    ] = "-",
    db: DbOption = DEFAULT_DB,
    filters: FilterOptions = NO_FILTER_OPTIONS,
    base_url: Annotated[
        str,
        typer.Option(
            "--public-url", "--base-url", envvar="COMMUNIQUE_PUBLIC_URL",
            help="The archive's public web address (https://archive.example.org), for the "
            "permalinks in tables, TEI and citations.",
        ),
    ] = "",
    excel: Annotated[
        bool, typer.Option("--excel", help="CSV for spreadsheets: UTF-8 with a byte-order mark.")
    ] = False,
    quiet: QuietOpt = False,
) -> None:
    """Export every turn a search matches (a subcorpus): a table of turns (csv, jsonl,
    parquet), TEI XML in the ParlaMint manner (one file per document and a corpus root;
    --out is a folder) or the citations of its documents (bibtex, csl). See docs/export.md."""
    from communique.export import CITATION_FORMATS, TABLE_FORMATS
    from communique.export.subcorpus import EmptySelection, doc_ids, documents, require, select
    from communique.search.ast import QueryError
    from communique.search.selection import Selection

    fmt = fmt or ("csv" if excel else "jsonl")
    if excel and fmt != "csv":
        raise typer.BadParameter("--excel is for CSV: give --format csv (or no --format)")
    if fmt not in EXPORT_FORMATS:
        raise typer.BadParameter(
            f"--format must be one of {', '.join(EXPORT_FORMATS)}, not {fmt!r}"
        )
    if fmt == "tei" and out_path == "-":
        raise typer.BadParameter("tei writes one file per document: give --out FOLDER")
    selection = Selection(
        q=query, speaker=tuple(filters.speaker or ()), role=filters.role or "",
        kind=filters.kind or "", lang=filters.lang or "", publisher=filters.publisher or "",
        entity=filters.entity or "", date_from=filters.from_ or "", date_to=filters.to or "",
    )  # fmt: skip
    archive = _archive(db)
    try:
        try:
            keys = select(archive.index, selection)
        except (QueryError, ValueError) as e:
            raise _query_error(e) from None
        try:
            require(keys, selection)
        except EmptySelection as e:
            raise _query_error(e) from None
        ids = doc_ids(keys)
        unit, total = ("turns", len(keys)) if fmt in TABLE_FORMATS else ("documents", len(ids))
        with Progress(
            TextColumn(f"[bold]{fmt}"), BarColumn(), MofNCompleteColumn(), TextColumn(unit),
            TimeElapsedColumn(), console=console, disable=quiet, transient=True,
        ) as progress:  # fmt: skip
            task = progress.add_task("", total=total)

            def step(n: int) -> None:
                progress.advance(task, n)

            if fmt == "tei":
                from communique.export.tei import ROOT_FILE, corpus_title, tei_files

                folder = Path(out_path)
                folder.mkdir(parents=True, exist_ok=True)
                for name, data in tei_files(
                    documents(archive.store, ids), base_url=base_url, title=corpus_title(selection)
                ):
                    (folder / name).write_bytes(data)
                    if name != ROOT_FILE:
                        step(1)
            else:
                if fmt in TABLE_FORMATS:
                    from communique.export.tables import chunks

                    parts = chunks(archive.store, keys, fmt, progress=step, excel=excel)
                else:
                    from communique.export import bundle

                    assert fmt in CITATION_FORMATS
                    parts = bundle.chunks(archive.store, ids, fmt, base_url=base_url, progress=step)
                if out_path == "-":
                    if fmt == "parquet" and sys.stdout.isatty():
                        raise typer.BadParameter("parquet is binary: give --out FILE")
                    for part in parts:
                        sys.stdout.buffer.write(part)
                    sys.stdout.buffer.flush()
                else:
                    with open(out_path, "wb") as f:
                        f.writelines(parts)
    finally:
        archive.close()
    where = "standard output" if out_path == "-" else out_path
    of = f" of {len(ids)} documents" if unit == "turns" else ""
    console.print(f"{total} {unit}{of} as {fmt} to {where}", highlight=False)


@commands.command("datasette-metadata")
def datasette_metadata(
    out_path: Annotated[str, typer.Option("--out", "-o", help="The file to write.")] = (
        "metadata.json"
    ),
    db: DbOption = DEFAULT_DB,
) -> None:
    """Write Datasette's metadata for the archive file: table titles, descriptions, sources,
    licences, column descriptions, facets, label columns (then: datasette ARCHIVE.db
    --metadata metadata.json). See docs/export.md."""
    from communique.export.datasette import write_metadata

    if is_url(str(db)):
        raise typer.BadParameter("Datasette reads SQLite files: give --db FILE.db")
    store = _open(db)
    try:
        meta = write_metadata(store, out_path, Path(db).stem)
    finally:
        store.close()
    search = "turns_fts" if "fts_table" in str(meta) else "communique serve (no FTS table)"
    console.print(f"Datasette metadata to {out_path}; search: {search}", highlight=False)


@commands.command()
def fts(
    db: DbOption = DEFAULT_DB,
    drop: Annotated[bool, typer.Option("--drop", help="Remove the FTS5 table.")] = False,
) -> None:
    """Build (or bring up to date from the change log) an SQLite FTS5 table of the turns,
    turns_fts, so Datasette's search box works. A derived copy, off by default: the
    archive's own search is communique search / serve. See docs/export.md."""
    from communique.store import fts as fts_table

    if is_url(str(db)):
        raise typer.BadParameter("the FTS5 table is for SQLite archives: give --db FILE.db")
    store = _open(db)
    try:
        if drop:
            fts_table.drop(store)
            console.print("turns_fts removed")
            return
        done = fts_table.update(store)
    finally:
        store.close()
    what = "built" if done["created"] else "brought up to date"
    console.print(f"turns_fts {what}: {done['documents']} documents, {done['turns']} turns "
                  f"(change log seq {done['seq']})", highlight=False)  # fmt: skip
