"""The ``communique`` command line: ingest, list, show, export, stats, errors, delete, reparse."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from communique.ingest.pipeline import Ingester, count_files, reparse
from communique.render import print_document
from communique.store.base import DocFilter
from communique.store.sqlite import SQLiteStore
from communique.structure.dates import parse_date_field

app = typer.Typer(
    help="communique: a structured, searchable, citable archive of diplomatic transcripts.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True)
out = Console()

DbOption = Annotated[
    Path,
    typer.Option("--db", envvar="COMMUNIQUE_DB", help="Archive file (SQLite).", show_default=True),
]
DEFAULT_DB = Path("communique.db")


def _open(db: Path, *, must_exist: bool = True) -> SQLiteStore:
    if must_exist and not db.exists():
        console.print(
            f"[red]No archive at {db}.[/] Create one with: communique ingest PATH --db {db}"
        )
        raise typer.Exit(2)
    return SQLiteStore(db)


def _parse_map(values: list[str] | None) -> dict[str, str] | None:
    if not values:
        return None
    mapping: dict[str, str] = {}
    for value in values:
        for pair in value.split(","):
            if "=" not in pair:
                raise typer.BadParameter(f"--map takes field=column pairs, got {pair!r}")
            field, column = pair.split("=", 1)
            mapping[field.strip()] = column.strip()
    return mapping


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files and folders (read recursively).")],
    db: DbOption = DEFAULT_DB,
    publisher: Annotated[str | None, typer.Option(help="Publisher of every input.")] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="Override detection: text, html, table.")
    ] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="Table columns: text=body,title=headline,date=...,url=..."),
    ] = None,
    workers: Annotated[int | None, typer.Option(help="Parser processes (default: cores).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Ingest pages and tables into the archive; prints new/updated/unchanged/skipped/failed."""
    missing = [p for p in paths if not p.exists()]
    if missing:
        console.print(f"[red]Not found:[/] {', '.join(map(str, missing))}")
        raise typer.Exit(2)
    del fmt  # detection is by content; the option is accepted for scripts that pass it
    store = _open(db, must_exist=False)
    ingester = Ingester(
        store, publisher=publisher, column_overrides=_parse_map(map_), workers=workers
    )
    total = count_files(paths)
    with Progress(
        TextColumn("[bold]ingest"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("{task.description}"), console=console, disable=quiet, transient=True,
    ) as progress:  # fmt: skip
        task = progress.add_task("", total=total)
        last = {"file": ""}

        def on_file(path: str) -> None:
            file = path.split("#row=")[0]
            if file != last["file"]:
                last["file"] = file
                progress.advance(task)

        report = ingester.run(paths, on_file=on_file)
    store.close()
    c = report.counts
    summary = ", ".join(f"{c[s]} {s}" for s in ("new", "updated", "unchanged", "skipped", "failed"))
    console.print(
        f"[bold]{summary}[/]"
        + (f" ({report.merged} merged as another route)" if report.merged else "")
    )
    if report.counts["new"] == report.counts["updated"] == 0 and report.counts["unchanged"]:
        console.print("Nothing changed: every document was already in the archive.")
    if report.skip_reasons:
        table = Table("skipped", "reason", title="Skipped (not documents)")
        for reason, n in report.skip_reasons.most_common():
            table.add_row(str(n), reason)
        console.print(table)
    if report.failures:
        table = Table("failed", "reason", title="Failed (see: communique errors)")
        for path, reason in report.failures[:50]:
            table.add_row(path, reason)
        console.print(table)
        raise typer.Exit(1)


def _date_bound(value: str | None, end: bool) -> str | None:
    """'2016' -> 2016-01-01 / 2016-12-31; '2016-12' -> month bounds; full dates as given."""
    if not value:
        return None
    parts = value.split("-")
    if len(parts) == 1 and value.isdigit():
        return f"{value}-12-31" if end else f"{value}-01-01"
    if len(parts) == 2:
        return f"{value}-31" if end else f"{value}-01"
    info = parse_date_field(value)
    if info is None or info.date is None:
        raise typer.BadParameter(f"not a date: {value!r} (use YYYY, YYYY-MM or YYYY-MM-DD)")
    return info.date


@app.command("list")
def list_(
    db: DbOption = DEFAULT_DB,
    publisher: str | None = None,
    kind: str | None = None,
    lang: str | None = None,
    from_: Annotated[str | None, typer.Option("--from", help="YYYY, YYYY-MM or a date")] = None,
    to: Annotated[str | None, typer.Option("--to", help="YYYY, YYYY-MM or a date")] = None,
    limit: int = 100,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List documents, filtered by publisher, kind, language and date."""
    store = _open(db)
    flt = DocFilter(publisher, kind, lang, _date_bound(from_, False), _date_bound(to, True), limit)
    rows = store.summaries(flt)
    if as_json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return
    table = Table("id", "date", "publisher", "kind", "lang", "turns", "title")
    for r in rows:
        table.add_row(r["id"], r["date"] or "", r["publisher"] or "", r["kind"], r["lang"] or "",
                      str(r["turns"]), (r["title"] or "")[:80])  # fmt: skip
    out.print(table)
    console.print(f"{len(rows)} documents" + (" (limit reached)" if len(rows) == limit else ""))


@app.command()
def show(
    doc_id: Annotated[str, typer.Argument(help="Document id, optionally id@revision")],
    db: DbOption = DEFAULT_DB,
    as_json: Annotated[bool, typer.Option("--json", help="The record as JSON.")] = False,
) -> None:
    """Show one document: a readable transcript, or its record with --json."""
    store = _open(db)
    ident, _, revision = doc_id.partition("@")
    doc = store.get(ident, revision or None)
    if doc is None:
        hint = " (that revision is not the current one)" if revision and store.get(ident) else ""
        console.print(f"[red]No document {doc_id}{hint}.[/] Try: communique list --db {db}")
        raise typer.Exit(1)
    if as_json:
        print(json.dumps(doc.to_dict(), ensure_ascii=False, indent=2))
    else:
        print_document(out, doc)


@app.command()
def export(
    db: DbOption = DEFAULT_DB,
    fmt: Annotated[str, typer.Option("--format", help="jsonl")] = "jsonl",
    publisher: str | None = None,
    kind: str | None = None,
    lang: str | None = None,
) -> None:
    """Export every record (the contract in docs/record.md) to standard output."""
    if fmt != "jsonl":
        raise typer.BadParameter("only --format jsonl is supported for now")
    store = _open(db)
    write = sys.stdout.write
    for doc in store.documents(DocFilter(publisher, kind, lang)):
        write(json.dumps(doc.to_dict(), ensure_ascii=False) + "\n")


@app.command()
def stats(
    db: DbOption = DEFAULT_DB, as_json: Annotated[bool, typer.Option("--json")] = False
) -> None:
    """What the archive holds: documents by publisher, kind, language and year."""
    store = _open(db)
    s = store.stats()
    if as_json:
        print(json.dumps(s, ensure_ascii=False, indent=2))
        return
    out.print(
        f"[bold]{s['documents']}[/] documents, {s['turns']} turns, {s['raw_inputs']} raw inputs "
        f"({s['raw_bytes'] / 1e6:.1f} MB), {s['failed_paths']} failed, {s['skipped_paths']} skipped"
    )
    for key in ("by_publisher", "by_kind", "by_lang", "by_role", "by_year"):
        table = Table(key.removeprefix("by_"), "count")
        for k, v in s[key].items():
            table.add_row(str(k), str(v))
        out.print(table)


@app.command()
def errors(db: DbOption = DEFAULT_DB, limit: int = 100) -> None:
    """Inputs whose latest ingest failed, with the reason."""
    store = _open(db)
    rows = store.errors(limit)
    if not rows:
        out.print("No failed inputs.")
        return
    table = Table("path", "reason", "when")
    for r in rows:
        table.add_row(r["path"], r["reason"] or "", r["seen_at"])
    out.print(table)


@app.command()
def delete(doc_id: str, db: DbOption = DEFAULT_DB) -> None:
    """Delete a document (its raw inputs are kept)."""
    store = _open(db)
    if not store.delete(doc_id):
        console.print(f"[red]No document {doc_id}.[/]")
        raise typer.Exit(1)
    out.print(f"Deleted {doc_id}.")


@app.command("reparse")
def reparse_cmd(
    db: DbOption = DEFAULT_DB,
    all_: Annotated[
        bool, typer.Option("--all", help="Also documents parsed by this version.")
    ] = False,
) -> None:
    """Re-derive documents from their stored raw inputs with the current parser."""
    store = _open(db)
    counts = reparse(store, everything=all_)
    out.print(", ".join(f"{v} {k}" for k, v in counts.items()) or "nothing to do")


if __name__ == "__main__":
    app()
