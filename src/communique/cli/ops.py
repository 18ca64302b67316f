"""Commands: backup, restore, check. The work is done in ``communique.ops``."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from communique.cli.options import DEFAULT_DB, DataDirOption, DbOption, QuietOpt, console, out
from communique.store import is_url

commands = typer.Typer()

OnlyErrorsOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Only errors.")]


def _reflow(fn: Callable[..., None]) -> Callable[..., None]:
    """The docstring's paragraphs as single lines (the help reflows them to the terminal)."""
    import inspect

    doc = inspect.cleandoc(fn.__doc__ or "")
    fn.__doc__ = "\n\n".join(" ".join(p.split()) for p in doc.split("\n\n"))
    return fn


def _must_exist(db: str) -> None:
    if not is_url(db) and not Path(db).is_file():
        console.print(f"[red]No archive at {escape(db)}.[/] Check --db (or $COMMUNIQUE_DB).")
        raise typer.Exit(2)


def _fail(e: Exception) -> typer.Exit:
    console.print(f"[red]{escape(str(e))}[/]")
    return typer.Exit(1)


def _size(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000  # type: ignore[assignment]
    return str(n)


@commands.command()
@_reflow
def backup(
    out_path: Annotated[Path, typer.Argument(metavar="OUT", help="The backup file to write.")],
    db: DbOption = DEFAULT_DB,
    data_dir: DataDirOption = None,
    quiet: OnlyErrorsOpt = False,
) -> None:
    """Back up the archive into one file, while other processes may go on writing.

    SQLite: a consistent copy made with SQLite's online backup API; PostgreSQL: pg_dump
    --format=custom (Debian's postgresql-client). The file holds a manifest (schema version,
    counts of documents, turns and raw inputs, the payload's sha256, when and from where).

    Derived files (the search index, the analysis cache, uploaded copies) are not backed up:
    restore rebuilds them.
    """
    from communique.ops.backup import BackupError
    from communique.ops.backup import backup as run_backup

    del data_dir  # accepted like every command's; derived files are not backed up
    if not is_url(db):
        _must_exist(db)
    try:
        with console.status("backing up") if not quiet else _nothing() as status:
            manifest = run_backup(db, out_path, progress=_say(status))
    except (BackupError, ConnectionError, OSError) as e:
        raise _fail(e) from None
    if not quiet:
        c = manifest.counts
        out.print(
            f"backed up {c['documents']} documents, {c['turns']} turns, {c['raw_inputs']} raw "
            f"inputs (schema {manifest.schema_version}) to {out_path} "
            f"({_size(out_path.stat().st_size)}, payload sha256 {manifest.payload_sha256[:16]}…)"
        )


@commands.command()
@_reflow
def restore(
    backup_path: Annotated[Path, typer.Argument(metavar="BACKUP", help="A communique backup.")],
    db: DbOption = DEFAULT_DB,
    data_dir: DataDirOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an archive that already holds documents.")
    ] = False,
    quiet: OnlyErrorsOpt = False,
) -> None:
    """Restore a backup into the archive --db (a new or empty one, or any with --force).

    The backup is checked first (manifest, the payload's sha256); nothing is written if it is
    damaged. A SQLite backup restores to a file, a PostgreSQL one to a database (which must
    exist: createdb NAME). After restoring, the counts are checked against the manifest and the
    search index is rebuilt. Stop servers and ingests on the archive before --force.

    Derived files are not in a backup: the index is rebuilt here, the analysis cache on use.
    """
    from communique.ops.backup import BackupError
    from communique.ops.backup import restore as run_restore

    try:
        with console.status("restoring") if not quiet else _nothing() as status:
            report = run_restore(
                backup_path, db, force=force, data_dir=data_dir, progress=_say(status)
            )
    except (BackupError, ConnectionError, OSError) as e:
        raise _fail(e) from None
    if not quiet:
        m, c = report.manifest, report.counts
        what = "replaced" if report.replaced else "restored"
        out.print(
            f"{what} {db if not is_url(db) else 'the database'} from the backup of {m.source} "
            f"made {m.created}: {c['documents']} documents, {c['turns']} turns, "
            f"{c['raw_inputs']} raw inputs (counts as recorded); search index rebuilt "
            f"({report.index.turns if report.index else 0} turns)"
        )


@commands.command()
@_reflow
def check(
    db: DbOption = DEFAULT_DB,
    data_dir: DataDirOption = None,
    repair: Annotated[
        bool, typer.Option("--repair", help="Repair what can be repaired, then check again.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="The report as JSON.")] = False,
    quiet: QuietOpt = False,
) -> None:
    """Verify the archive: raw inputs present and intact, every document's record and turns,
    ingested paths, parser versions, the search index and analysis cache in line with the
    store. Each problem is reported with what to do.

    --repair reparses, syncs or rebuilds the index, drops stale derived files, checks again
    and names what it could not fix. Exit code 0 when clean, 1 when problems remain."""
    from communique.ops.check import check as run_check

    _must_exist(db)
    with _progress(quiet or as_json) as progress:
        try:
            report = run_check(db, repair=repair, data_dir=data_dir, progress=progress)
        except ConnectionError as e:
            raise _fail(e) from None
    if as_json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        for line in report.repaired:
            out.print(f"[green]repaired:[/] {escape(line)}")
        checked = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in report.checked.items())
        if report.ok:
            out.print(f"[green]archive OK[/] ({checked} checked)")
        else:
            table = Table("problem", "what is wrong", "what to do", title="Problems found")
            for f in report.findings:
                table.add_row(f.code, escape(f.message), escape(f.action))
            out.print(table)
            n = len(report.findings)
            remain = "problems remain" if n > 1 else "problem remains"
            out.print(f"[red]{n} {remain}[/] ({checked} checked)")
    if not report.ok:
        raise typer.Exit(1)


# -- progress -------------------------------------------------------------------------------------


@contextmanager
def _nothing() -> Iterator[None]:
    yield None


def _say(status: object) -> Callable[[str], None]:
    """A backup/restore progress callback showing the current step on a rich status."""

    def say(what: str) -> None:
        if status is not None:
            status.update(what)  # type: ignore[attr-defined]

    return say


@contextmanager
def _progress(disabled: bool) -> Iterator[Callable[[str, int, int], None]]:
    """A check's progress callback: one bar, its description the step under way."""
    with Progress(
        TextColumn("[bold]check {task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=console, disable=disabled, transient=True,
    ) as progress:  # fmt: skip
        task = progress.add_task("", total=None)

        def update(what: str, done: int, total: int) -> None:
            progress.update(task, description=what, completed=done, total=total)

        yield update
