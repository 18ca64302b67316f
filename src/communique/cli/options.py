"""What the commands share: the archive and filter options (one definition each), opening the
archive or its store, dates, query errors, keeping the search index in line, the consoles."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from communique.sources.limits import (
    DISK_FULL_EXIT,
    DISK_FULL_MESSAGE,
    is_disk_full,
)
from communique.store import SQLStore, is_url, open_store
from communique.structure.dates import date_bound

console = Console(stderr=True)
out = Console()

DbOption = Annotated[
    str,
    typer.Option(
        "--db",
        envvar="COMMUNIQUE_DB",
        help="Archive: a SQLite file, or postgresql://user@host:port/dbname.",
        show_default=True,
    ),
]
DEFAULT_DB = "communique.db"
DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        envvar="COMMUNIQUE_DATA_DIR",
        help="Where the search index and caches go (PostgreSQL: default "
        "~/.local/share/communique/HOST_PORT_DB; SQLite: beside the file).",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="JSON on standard output.")]
CsvOpt = Annotated[bool, typer.Option("--csv", help="CSV on standard output.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]
SpeakerOpt = Annotated[
    list[str] | None, typer.Option("--speaker", help="Speaker (repeatable; words match).")
]
RoleOpt = Annotated[str | None, typer.Option(help="question, answer, statement, ... (a,b)")]
KindOpt = Annotated[str | None, typer.Option(help="interview,press_conference,... (a,b)")]
LangOpt = Annotated[str | None, typer.Option(help="en, ru, zh (a,b)")]
PublisherOpt = Annotated[str | None, typer.Option(help="mid.ru, kremlin.ru, ... (a,b)")]
FromOpt = Annotated[str | None, typer.Option("--from", help="YYYY, YYYY-MM or a date")]
ToOpt = Annotated[str | None, typer.Option("--to", help="YYYY, YYYY-MM or a date")]
EntityOpt = Annotated[
    str | None, typer.Option(help="Country or organisation: KZ, Kazakhstan, EAEU (a,b)")
]

T = TypeVar("T")

# The filter options, each declared once: ``filter_options`` gives them to a command.
FILTER_OPTIONS: dict[str, Any] = {
    "speaker": SpeakerOpt, "role": RoleOpt, "kind": KindOpt, "lang": LangOpt,
    "publisher": PublisherOpt, "entity": EntityOpt, "from_": FromOpt, "to": ToOpt,
}  # fmt: skip
SEARCH_FILTERS = ("speaker", "role", "kind", "lang", "publisher", "from_", "to")


@dataclass(frozen=True)
class FilterOptions:
    """The filter options a command was given, as typed (``filter_options``)."""

    speaker: list[str] | None = None
    role: str | None = None
    kind: str | None = None
    lang: str | None = None
    publisher: str | None = None
    entity: str | None = None
    from_: str | None = None
    to: str | None = None

    def kwargs(self) -> dict[str, Any]:
        """As the keywords of ``search.selection.make_filters`` (dates checked: exit 2)."""
        return {
            "speaker": self.speaker or None, "role": self.role, "kind": self.kind,
            "lang": self.lang, "publisher": self.publisher,
            "date_from": _date_bound(self.from_, False), "date_to": _date_bound(self.to, True),
        }  # fmt: skip


NO_FILTER_OPTIONS = FilterOptions()  # the placeholder ``filter_options`` replaces with the options


def filter_options(*names: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Give a command the filter options ``names`` (default: ``SEARCH_FILTERS``) in place of
    its ``filters`` parameter, and call it with them as one :class:`FilterOptions`."""
    chosen = names or SEARCH_FILTERS

    def wrap(command: Callable[..., T]) -> Callable[..., T]:
        signature = inspect.signature(command, eval_str=True)
        params = list(signature.parameters.values())
        at = [p.name for p in params].index("filters")
        options = [
            inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None,
                              annotation=FILTER_OPTIONS[n])
            for n in chosen
        ]  # fmt: skip

        @functools.wraps(command)
        def run(*args: Any, **kw: Any) -> T:
            given = FilterOptions(**{n: kw.pop(n, None) for n in chosen})
            return command(*args, filters=given, **kw)

        run.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[*params[:at], *options, *params[at + 1 :]]
        )
        return run

    return wrap


def _open(db: str | Path, *, must_exist: bool = True, data_dir: Path | None = None) -> SQLStore:
    """The store at ``db`` (a SQLite file, or a PostgreSQL URL), or a message and exit 2."""
    if must_exist and not is_url(str(db)) and not Path(db).exists():
        console.print(
            f"[red]No archive at {db}.[/] Create one with: communique ingest PATH --db {db}"
        )
        raise typer.Exit(2)
    try:
        return open_store(str(db), data_dir=data_dir)
    except ConnectionError as e:
        console.print(f"[red]{escape(str(e))}[/]")
        raise typer.Exit(2) from None


def _date_bound(value: str | None, end: bool, option: str | None = None) -> str | None:
    """``--from``/``--to`` values (or ``option``'s): YYYY, YYYY-MM or YYYY-MM-DD (see
    ``dates.date_bound``)."""
    try:
        return date_bound(value, end)
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint=option) from None


def _archive(db: str | Path, data_dir: Path | None = None):  # -> Archive (imported lazily)
    from communique.archive import Archive

    if not is_url(str(db)) and not Path(db).exists():
        console.print(
            f"[red]No archive at {db}.[/] Create one with: communique ingest PATH --db {db}"
        )
        raise typer.Exit(2)
    try:
        with console.status("bringing the search index up to date"):
            return Archive(db, data_dir=data_dir)
    except ConnectionError as e:
        console.print(f"[red]{escape(str(e))}[/]")
        raise typer.Exit(2) from None


def _query_error(e: Exception) -> typer.Exit:
    """A malformed query or option: the message (it points at the problem), exit code 2."""
    console.print(f"[red]{escape(str(e))}[/]", highlight=False)
    return typer.Exit(2)


def _sync_index(db: str | Path, quiet: bool, data_dir: Path | None = None) -> None:
    """Bring the search index in line with the store (build it if there is none)."""
    from communique.search.index import SearchIndex

    store = _open(db, data_dir=data_dir)
    try:
        busy = nullcontext() if quiet else console.status("updating the search index")
        with busy:
            done = SearchIndex(store).open()
            _follow_fts(store)
    except Exception as e:  # the archive is fine; the index can be rebuilt with reindex
        if is_disk_full(e):
            console.print(f"[red]{DISK_FULL_MESSAGE}[/] ({escape(str(e))})")
            raise typer.Exit(DISK_FULL_EXIT) from None
        console.print(f"[yellow]search index not updated ({e}); run: communique reindex[/]")
        return
    finally:
        store.close()
    if done.skipped:
        console.print(f"[yellow]search index not updated now ({done.skipped})[/]")
    elif not quiet and (done.documents or done.rebuilt):
        what = "built" if done.rebuilt else "updated"
        console.print(f"search index {what}: {done.documents} documents, {done.turns} turns")


def _follow_fts(store: Any) -> None:
    """Where ``communique fts`` made the FTS5 copy of the turns (SQLite), bring it in line with
    the change log too; an archive without one stays without one."""
    from communique.store import fts

    if getattr(store, "db", None) is not None and fts.exists(store):
        fts.update(store)


def with_data_dir(typer_app: typer.Typer) -> None:
    """Give every command that takes ``--db`` a ``--data-dir`` option too (where a PostgreSQL
    archive's index and caches go on this machine), unless it declares its own."""
    import functools
    import inspect

    from communique.store.paths import chosen_data_dir

    for info in typer_app.registered_commands:
        command = info.callback
        if command is None:
            continue
        try:
            signature = inspect.signature(command, eval_str=True)
        except NameError:  # an annotation only a type checker can resolve: leave it as is
            continue
        if "db" not in signature.parameters or "data_dir" in signature.parameters:
            continue

        def run(
            *args: Any, _command: Any = command, data_dir: Path | None = None, **kw: Any
        ) -> Any:
            token = chosen_data_dir.set(data_dir)
            try:
                return _command(*args, **kw)
            finally:
                chosen_data_dir.reset(token)

        wrapped = functools.wraps(command)(run)
        extra = inspect.Parameter("data_dir", inspect.Parameter.KEYWORD_ONLY, default=None,
                                  annotation=DataDirOption)  # fmt: skip
        keyword = inspect.Parameter.KEYWORD_ONLY  # typer passes every value by name
        params = [p.replace(kind=keyword) for p in signature.parameters.values()]
        wrapped.__signature__ = signature.replace(parameters=[*params, extra])  # type: ignore
        wrapped.__annotations__ = {**command.__annotations__, "data_dir": DataDirOption}
        info.callback = wrapped
