"""The ``communique`` command line: the app, assembled from the command modules (records,
search, enrich, serve, analyse, crawl, export, ops, track, verify), each a ``commands`` registry
of its own; ``main`` runs it."""

from __future__ import annotations

from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

from communique.cli import (
    analyse,
    crawl,
    enrich,
    export,
    ops,
    records,
    search,
    serve,
    track,
    verify,
)
from communique.cli.options import with_data_dir
from communique.sources.limits import DISK_FULL_EXIT, DISK_FULL_MESSAGE, is_disk_full


class _App(typer.Typer):
    """The command line; any command stopped by a full disk says "disk full" (exit 3)."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        except Exception as e:
            if not is_disk_full(e):
                raise
            Console(stderr=True).print(f"[red]{DISK_FULL_MESSAGE}[/] ({escape(str(e))})")
            raise SystemExit(DISK_FULL_EXIT) from None


app = _App(
    help="communique: a structured, searchable, citable archive of diplomatic transcripts.",
    no_args_is_help=True,
    add_completion=False,
)


def _assemble(typer_app: typer.Typer) -> None:
    """Every command module's commands and groups on ``typer_app``, in the order of
    ``communique --help``, each command that takes ``--db`` given ``--data-dir`` too."""
    for module in (records, search, enrich, serve, analyse, crawl, export, ops, track, verify):
        typer_app.registered_commands.extend(module.commands.registered_commands)
        typer_app.registered_groups.extend(module.commands.registered_groups)
    with_data_dir(typer_app)
    for group in typer_app.registered_groups:  # watch: its commands take --db too
        if group.typer_instance is not None:
            with_data_dir(group.typer_instance)


_assemble(app)


def main() -> None:
    """Run the command line."""
    app()
