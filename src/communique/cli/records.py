"""Commands: ingest, list, show, export, stats, errors, delete, reparse."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Column, Table

from communique.cli.options import (
    DEFAULT_DB,
    DataDirOption,
    DbOption,
    FromOpt,
    QuietOpt,
    ToOpt,
    _date_bound,
    _open,
    _sync_index,
    console,
    out,
)
from communique.cli.render import print_document
from communique.ingest.executors import ExecutorUnavailable, open_executor
from communique.ingest.pipeline import Ingester, count_files, reparse
from communique.sources.limits import (
    DISK_FULL_EXIT,
    DISK_FULL_MESSAGE,
    is_disk_full,
    set_env_limits,
)
from communique.store.base import DocFilter

commands = typer.Typer()


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


@commands.command()
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
    dask: Annotated[
        str | None,
        typer.Option(help="Parse on this Dask cluster's workers (tcp://scheduler:8786)."),
    ] = None,
    quiet: QuietOpt = False,
    data_dir: DataDirOption = None,
    max_input_mb: Annotated[
        float | None, typer.Option(help="Largest file read (MB; default 200).")
    ] = None,
    max_document_mb: Annotated[
        float | None, typer.Option(help="Largest page after gunzip (MB; default 5).")
    ] = None,
    max_cell_mb: Annotated[
        float | None, typer.Option(help="Largest table row (MB; default 10).")
    ] = None,
) -> None:
    """Ingest pages and tables into the archive; prints new/updated/unchanged/skipped/failed."""
    set_env_limits(input_bytes=max_input_mb, document_bytes=max_document_mb, cell_bytes=max_cell_mb)
    missing = [p for p in paths if not p.exists()]
    if missing:
        console.print(f"[red]Not found:[/] {', '.join(map(str, missing))}")
        raise typer.Exit(2)
    del fmt  # detection is by content; the option is accepted for scripts that pass it
    try:  # reach the cluster before the archive is touched
        executor = open_executor(workers, dask)
    except ExecutorUnavailable as e:
        console.print(f"[red]{escape(str(e))}[/]")
        raise typer.Exit(2) from None
    try:
        store = _open(db, must_exist=False, data_dir=data_dir)
    except BaseException:
        executor.close()
        raise
    ingester = Ingester(
        store, publisher=publisher, column_overrides=_parse_map(map_), executor=executor
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

        try:
            report = ingester.run(paths, on_file=on_file)
        except Exception as e:
            if not is_disk_full(e):
                raise
            console.print(f"[red]{DISK_FULL_MESSAGE}[/] ({escape(str(e))})")
            raise typer.Exit(DISK_FULL_EXIT) from None
        finally:
            executor.close()
    store.close()
    _sync_index(db, quiet, data_dir)
    _prepare_derived(db, quiet, data_dir)
    c = report.counts
    summary = ", ".join(f"{c[s]} {s}" for s in ("new", "updated", "unchanged", "skipped", "failed"))
    console.print(
        f"[bold]{summary}[/]"
        + (f" ({report.merged} merged as another route)" if report.merged else "")
    )
    if report.workers:
        n = len(report.workers)
        console.print(f"parsed on {n} worker process{'es' if n > 1 else ''} ({executor.describe})")
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



def _prepare_derived(db: str | Path, quiet: bool, data_dir: Path | None = None) -> None:
    """Bring the word cache and the concordance store in line with the store (after the
    index), with a progress bar: a server then never builds them on a first request."""
    from communique.archive import Archive

    try:
        with Archive(db, sync=False, data_dir=data_dir) as archive, Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), console=console, disable=quiet, transient=True,
        ) as progress:  # fmt: skip
            tasks: dict[str, Any] = {}

            def step(what: str, done: int, total: int) -> None:
                if what not in tasks:
                    tasks[what] = progress.add_task(what, total=total)
                progress.update(tasks[what], completed=done, total=max(total, done))

            archive.prepare(step)
    except Exception as e:  # the archive is fine; both are rebuilt when next needed
        if is_disk_full(e):
            console.print(f"[red]{DISK_FULL_MESSAGE}[/] ({escape(str(e))})")
            raise typer.Exit(DISK_FULL_EXIT) from None
        console.print(f"[yellow]word cache or concordance store not updated ({e})[/]")

@commands.command("list")
def list_(
    db: DbOption = DEFAULT_DB,
    publisher: str | None = None,
    kind: str | None = None,
    lang: str | None = None,
    from_: FromOpt = None,
    to: ToOpt = None,
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
    cells = [(r["id"], r["date"] or "", r["publisher"] or "", r["kind"], r["lang"] or "",
              str(r["turns"]), r["title"] or "") for r in rows]  # fmt: skip
    if not out.is_terminal:  # piped: tab-separated, every id whole (copy-paste round-trips)
        sys.stdout.write("id\tdate\tpublisher\tkind\tlang\tturns\ttitle\n")
        for c in cells:
            sys.stdout.write("\t".join(v.replace("\t", " ").replace("\n", " ") for v in c) + "\n")
    else:
        table = Table(Column("date", no_wrap=True, min_width=10), "publisher", "kind", "lang",
                      "turns", "title")  # fmt: skip
        table.columns.insert(0, Column("id", no_wrap=True, min_width=max(
            (len(c[0]) for c in cells), default=2)))  # fmt: skip
        for c in cells:
            table.add_row(*c[:6], c[6][:80])
        out.print(table)
    console.print(f"{len(rows)} documents" + (" (limit reached)" if len(rows) == limit else ""))


@commands.command()
def show(
    doc_id: Annotated[
        str,
        typer.Argument(
            help="A document or turn as cited: id, id@revision, id#t16, id@revision#t16"
        ),
    ],
    db: DbOption = DEFAULT_DB,
    as_json: Annotated[bool, typer.Option("--json", help="The record as JSON.")] = False,
) -> None:
    """Show one document (a readable transcript, or its record with --json), or one turn of it
    as the archive cites it (``id#t16``, ``id@revision#t16``), with the question it answers."""
    store = _open(db)
    ident, revision, n = split_citation(doc_id)
    doc = store.get(ident, revision)
    if doc is None:
        hint = " (that revision is not the current one)" if revision and store.get(ident) else ""
        console.print(f"[red]No document {escape(doc_id)}{hint}.[/] Try: communique list --db {db}")
        raise typer.Exit(1)
    if n is not None:
        doc = _only_turn(doc, n, doc_id)
    if as_json:
        print(json.dumps(doc.to_dict(), ensure_ascii=False, indent=2))
    else:
        print_document(out, doc)


def split_citation(value: str) -> tuple[str, str | None, int | None]:
    """``id``, ``id@revision``, ``id#t16`` or ``id@revision#t16`` (what the archive prints as a
    citation) as (id, revision or None, turn number or None)."""
    head, sep, turn = value.strip().partition("#")
    ident, _, revision = head.partition("@")
    n = None
    if sep:
        digits = turn[1:] if turn[:1].lower() == "t" else turn
        if not digits.isdigit():
            console.print(
                f"[red]{escape(value)}: a turn is cited as #t<number>, not #{escape(turn)}[/]"
            )
            raise typer.Exit(2)
        n = int(digits)
    return ident, revision or None, n


def _only_turn(doc: Any, n: int, cited: str) -> Any:
    """``doc`` with only turn ``n`` (and the question it answers); a clear error without it."""
    from dataclasses import replace

    turn = next((t for t in doc.turns if t.n == n), None)
    if turn is None:
        last = doc.turns[-1].n if doc.turns else 0
        console.print(f"[red]No turn {n} in {escape(cited.partition('#')[0])}[/] "
                      f"(its turns are #t1 to #t{last}).")  # fmt: skip
        raise typer.Exit(1)
    keep = {n, turn.answers} if turn.answers else {n}
    return replace(doc, turns=[t for t in doc.turns if t.n in keep])


@commands.command()
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


@commands.command()
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


@commands.command()
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


@commands.command()
def delete(doc_id: str, db: DbOption = DEFAULT_DB) -> None:
    """Delete a document (its raw inputs are kept)."""
    store = _open(db)
    if not store.delete(doc_id):
        console.print(f"[red]No document {doc_id}.[/]")
        raise typer.Exit(1)
    out.print(f"Deleted {doc_id}.")


@commands.command("reparse")
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
