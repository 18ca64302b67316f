"""The ``communique`` command line: ingest, list, show, export, stats, errors, delete, reparse,
search, kwic, reindex, versions, align, people, enrich, serve here; the other commands register
themselves on ``app`` from their modules: cli_analyse (trend, who-says, collocations, keyness,
freq), cli_export (subcorpus), cli_verify (verify), cli_crawl (crawl), cli_track (changes,
watch), cli_ops (backup, restore, check)."""

from __future__ import annotations

import gc
import json
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Column, Table
from rich.text import Text

from communique.ingest.executors import ExecutorUnavailable, open_executor
from communique.ingest.limits import (
    DISK_FULL_EXIT,
    DISK_FULL_MESSAGE,
    is_disk_full,
    set_env_limits,
)
from communique.ingest.pipeline import Ingester, count_files, reparse
from communique.render import ROLE_STYLE, print_document
from communique.store import SQLStore, is_url, open_store
from communique.store.base import DocFilter
from communique.structure.dates import date_bound


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
    dask: Annotated[
        str | None,
        typer.Option(help="Parse on this Dask cluster's workers (tcp://scheduler:8786)."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
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


def _follow_fts(store: Any) -> None:
    """Where ``communique fts`` made the FTS5 copy of the turns (SQLite), bring it in line with
    the change log too; an archive without one stays without one."""
    from communique.store import fts

    if getattr(store, "db", None) is not None and fts.exists(store):
        fts.update(store)


def _date_bound(value: str | None, end: bool) -> str | None:
    """``--from``/``--to`` values: YYYY, YYYY-MM or YYYY-MM-DD (see ``dates.date_bound``)."""
    try:
        return date_bound(value, end)
    except ValueError as e:
        raise typer.BadParameter(str(e)) from None


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


@app.command()
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


# -- search -----------------------------------------------------------------------------------

SpeakerOpt = Annotated[
    list[str] | None, typer.Option("--speaker", help="Speaker (repeatable; words match).")
]
RoleOpt = Annotated[str | None, typer.Option(help="question, answer, statement, ... (a,b)")]
KindOpt = Annotated[str | None, typer.Option(help="interview,press_conference,... (a,b)")]
LangOpt = Annotated[str | None, typer.Option(help="en, ru, zh (a,b)")]
PublisherOpt = Annotated[str | None, typer.Option(help="mid.ru, kremlin.ru, ... (a,b)")]
FromOpt = Annotated[str | None, typer.Option("--from", help="YYYY, YYYY-MM or a date")]
ToOpt = Annotated[str | None, typer.Option("--to", help="YYYY, YYYY-MM or a date")]


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


def _filters(
    speaker: list[str] | None,
    role: str | None,
    kind: str | None,
    lang: str | None,
    publisher: str | None,
    from_: str | None,
    to: str | None,
) -> dict[str, object]:
    return {
        "speaker": speaker or None, "role": role, "kind": kind, "lang": lang,
        "publisher": publisher, "date_from": _date_bound(from_, False),
        "date_to": _date_bound(to, True),
    }  # fmt: skip


def _speaker_hint(archive: Any, query: str, speaker: list[str] | None) -> str | None:
    """The "No speaker matches “Lavorv”: did you mean Lavrov?" of a search that found nothing."""
    from communique.search.speakers import hint_message

    return hint_message(archive, query, speaker)


def _query_error(e: Exception) -> typer.Exit:
    """A malformed query or option: the message (it points at the problem), exit code 2."""
    console.print(f"[red]{escape(str(e))}[/]", highlight=False)
    return typer.Exit(2)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help='Query: words, "phrases", -not, a OR b, ab*, ...')],
    db: DbOption = DEFAULT_DB,
    speaker: SpeakerOpt = None,
    role: RoleOpt = None,
    kind: KindOpt = None,
    lang: LangOpt = None,
    publisher: PublisherOpt = None,
    from_: FromOpt = None,
    to: ToOpt = None,
    sort: Annotated[str, typer.Option(help="relevance, date (newest first) or oldest")] = (
        "relevance"
    ),
    limit: int = 20,
    offset: int = 0,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per hit.")] = False,
    facets: Annotated[bool, typer.Option("--facets", help="Counts by year, speaker, ...")] = False,
    parallel: ParallelOpt = False,
    data_dir: DataDirOption = None,
) -> None:
    """Search the turns (the query language: docs/query.md). Each hit: where it is, who said it,
    a snippet, the question it answers, and a permalink."""
    from communique.search.ast import QueryError

    archive = _archive(db, data_dir)
    hint = None
    try:
        res = archive.search(
            query, **_filters(speaker, role, kind, lang, publisher, from_, to),  # type: ignore[arg-type]
            sort=sort, limit=limit, offset=offset, facets=facets,
        )  # fmt: skip
        par = _parallel(archive, [(h.doc_id, h.n, _hit_start(h)) for h in res.hits], parallel)
        if not res.total:
            hint = _speaker_hint(archive, query, speaker)
    except (QueryError, ValueError) as e:
        raise _query_error(e) from None
    finally:
        archive.close()
    if hint:
        console.print(f"[yellow]{escape(hint)}[/]", highlight=False)
    if as_json:
        for k, hit in enumerate(res.hits):
            item = hit.to_dict()
            if parallel:
                item["parallel"] = [p.to_dict() for p in par[k]]
            print(json.dumps(item, ensure_ascii=False))
        if facets:
            print(json.dumps({"total": res.total, "facets": res.facets}, ensure_ascii=False))
        console.print(f"{res.total} hits", highlight=False)
        return
    shown = f"{offset + 1}-{offset + len(res.hits)}" if res.hits else "none"
    out.print(
        f"[bold]{res.total}[/] hits for [bold]{escape(query)}[/] (showing {shown}, by {sort})\n",
        highlight=False,
    )
    for i, hit in enumerate(res.hits, start=offset + 1):
        _print_hit(hit, i)
        if parallel:
            _print_parallel(par[i - offset - 1])
    if facets:
        _print_facets(res.facets)


@app.command()
def kwic(
    query: Annotated[str, typer.Argument(help="Query; its words are the keywords.")],
    db: DbOption = DEFAULT_DB,
    width: Annotated[int, typer.Option(help="Characters of context on each side.")] = 60,
    sort: Annotated[str, typer.Option(help="corpus (= date, oldest first), left or right")] = (
        "corpus"
    ),
    limit: Annotated[int | None, typer.Option(help="At most this many lines.")] = None,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV on standard output.")] = False,
    speaker: SpeakerOpt = None,
    role: RoleOpt = None,
    kind: KindOpt = None,
    lang: LangOpt = None,
    publisher: PublisherOpt = None,
    from_: FromOpt = None,
    to: ToOpt = None,
    parallel: ParallelOpt = False,
    data_dir: DataDirOption = None,
) -> None:
    """Keyword in context: every occurrence of the query's words in the matching turns, with
    the left and right context and the turn's permalink (``--parallel``: and each line's
    aligned paragraph in the other language versions held)."""
    from communique.search.ast import QueryError
    from communique.search.kwic import to_csv

    archive = _archive(db, data_dir)
    try:
        lines = archive.kwic(
            query, width=width, sort=sort, limit=limit,
            **_filters(speaker, role, kind, lang, publisher, from_, to),
        )  # fmt: skip
        par = _parallel(archive, [(ln.doc_id, ln.n, ln.start) for ln in lines], parallel)
    except (QueryError, ValueError) as e:
        raise _query_error(e) from None
    finally:
        archive.close()
    if as_csv:
        sys.stdout.write(to_csv(lines))
    elif parallel:
        for ln, passages in zip(lines, par, strict=True):
            _print_kwic([ln], width)
            _print_parallel(passages)
    else:
        _print_kwic(lines, width)
    console.print(f"{len(lines)} lines", highlight=False)


ParallelOpt = Annotated[
    bool,
    typer.Option("--parallel", help="Each hit's passage in the other language versions held."),
]


def _parallel(archive, places: list, wanted: bool) -> list:  # archive: communique.Archive
    """The parallel concordance: for each (doc id, turn, offset), the aligned passages."""
    if not wanted:
        return []
    from communique.enrich.versions import parallel_passages

    memo: dict = {}
    return [parallel_passages(archive.store, d, n, at, memo) for d, n, at in places]


def _hit_start(hit) -> int | None:  # hit: communique.search.Hit
    if not hit.highlights:
        return None
    a, b = hit.highlights[0]
    at = hit.text.find(hit.snippet[a:b])
    return at if at >= 0 else None


def _print_parallel(passages: list) -> None:  # passages: list[enrich.versions.Passage]
    for p in passages:
        line = Text(f"   {p.lang or '?'} ", style="bold magenta")
        if not p.turns:
            line.append(f"{p.doc_id}: no counterpart of this turn", style="dim")
        else:
            text = " ".join(p.text.split())
            line.append(p.permalink + ": ", style="dim")
            line.append(text if len(text) <= 400 else text[:399] + "…")
        out.print(line, highlight=False)


def _marked(text: str, spans: list[tuple[int, int]]) -> Text:
    t = Text(text)
    for a, b in spans:
        t.stylize("bold black on yellow", a, b)
    return t


def _print_hit(hit, i: int) -> None:  # hit: communique.search.Hit
    """Where (permalink, date, publisher, kind, title), who, the question, the snippet."""
    head = Text(f"{i}. ", style="bold")
    head.append(hit.permalink, style="bold blue")
    facts = [hit.date or "undated", hit.publisher or "", hit.kind or "", hit.lang or ""]
    head.append("  " + " · ".join(f for f in facts if f), style="dim")
    out.print(head)
    if hit.title:
        out.print(Text("   " + hit.title, style="italic"))
    if hit.question is not None:
        q = Text("   Q ", style="bold cyan")
        q.append(f"(#t{hit.question.n}" + (f", {hit.question.who}" if hit.question.who else "")
                 + "): ", style="cyan")  # fmt: skip
        text = " ".join(hit.question.text.split())
        q.append(text if len(text) <= 400 else text[:400].rsplit(" ", 1)[0] + "…")
        out.print(q)
    who = hit.speaker or hit.label or ""
    if hit.affiliation and hit.affiliation != who:
        who = f"{who} ({hit.affiliation})" if who else hit.affiliation
    line = Text("   ")
    line.append(who or hit.role, style=ROLE_STYLE.get(hit.role, "bold"))
    line.append(f" [{hit.role}]: ", style="dim")
    line.append_text(_marked(hit.snippet, hit.highlights))
    out.print(line)
    out.print(Text(f"   cite {hit.pinned}", style="dim"))
    out.print()


def _print_facets(facets: dict[str, dict[str, int]]) -> None:
    for name, counts in facets.items():
        line = Text(f"{name}: ", style="bold")
        line.append("  ".join(f"{k} ({v})" for k, v in counts.items()) or "-")
        out.print(line)


def _print_kwic(lines: list, width: int) -> None:  # lines: list[communique.search.KwicLine]
    """One line per occurrence: the contexts padded so that the keywords line up."""
    flat = str.maketrans("\r\n\t", "   ")
    for ln in lines:
        row = Text(ln.left.translate(flat).rjust(width) + " ")
        row.append(ln.keyword.translate(flat), style="bold black on yellow")
        row.append(" " + ln.right.translate(flat).ljust(width) + "  ")
        row.append(ln.permalink, style="dim")
        out.print(row, soft_wrap=True, highlight=False)


@app.command()
def reindex(db: DbOption = DEFAULT_DB, data_dir: DataDirOption = None) -> None:
    """Rebuild the search index from the archive (it is derived: nothing is lost)."""
    import time

    from communique.search.index import SearchIndex

    store = _open(db, data_dir=data_dir)
    start = time.perf_counter()
    try:
        with console.status("indexing"):
            done = SearchIndex(store).rebuild()
    finally:
        store.close()
    out.print(
        f"indexed {done.turns} turns of {done.documents} documents "
        f"in {time.perf_counter() - start:.1f} s"
    )


@app.command()
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


@app.command()
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


@app.command()
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

    from communique.enrich.corpus import speaker_labels
    from communique.enrich.document import register
    from communique.enrich.people import COLUMNS, cluster_labels

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


@app.command()
def enrich(db: DbOption = DEFAULT_DB, data_dir: DataDirOption = None) -> None:
    """Re-apply the register of people (with $COMMUNIQUE_PEOPLE files) and the entity
    gazetteer to every document, then relink language versions and relearn acronyms."""
    from communique.enrich.corpus import enrich_archive

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


@app.command()
def serve(
    db: DbOption = DEFAULT_DB,
    data_dir: DataDirOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="COMMUNIQUE_TOKEN",
            help="Allow POST /api/v1/documents for clients sending this bearer token "
            "(unset: adding documents over HTTP is off).",
        ),
    ] = None,
    max_body: Annotated[
        int | None,
        typer.Option(min=1, help="Largest request body accepted, in bytes (default 20 MiB)."),
    ] = None,
    public_url: Annotated[
        str | None,
        typer.Option(
            envvar="COMMUNIQUE_PUBLIC_URL",
            help="The URL clients reach the server at (https://archive.example.org): "
            "permalinks, citations, exports and feeds use it, whatever Host a request names.",
        ),
    ] = None,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            help="A host name clients may use (repeatable; default: localhost, "
            "127.0.0.1, ::1 and --host); others get 400."
        ),
    ] = None,
    timeout_keep_alive: Annotated[
        int, typer.Option(help="Seconds an idle or slow client may hold a connection.")
    ] = 5,
    max_connections: Annotated[
        int, typer.Option(help="Concurrent connections accepted in all (others get 503).")
    ] = 200,
    max_client_connections: Annotated[
        int, typer.Option(help="Concurrent connections from one client address.")
    ] = 16,
    request_timeout: Annotated[
        float, typer.Option(help="Seconds a client has to send a whole request.")
    ] = 30.0,
    heavy_workers: Annotated[
        int,
        typer.Option(
            min=0,
            help="Processes for heavy analyses (keyness, collocations, verify, "
            "sorted KWIC, subcorpus selection); 0: in the request's thread.",
        ),
    ] = 2,
    heavy_queue: Annotated[
        int, typer.Option(min=0, help="Heavy requests that may wait; more get 503 Retry-After.")
    ] = 8,
    deadline: Annotated[
        float,
        typer.Option(
            min=1,
            help="Seconds a heavy request may take (waiting included) before "
            "it is stopped and answered 503 with Retry-After.",
        ),
    ] = 60.0,
) -> None:
    """Serve the archive: web interface at /, REST API at /api/v1 (docs at /api/v1/docs)."""
    from communique.web import create_app
    from communique.web.app import MAX_BODY
    from communique.web.serving import run_server, serve_hosts

    if not is_url(db) and not Path(db).exists():
        console.print(
            f"[red]No archive at {db}.[/] Create one with: communique ingest PATH --db {db}"
        )
        raise typer.Exit(2)
    hosts = None if public_url else serve_hosts(host, allowed_host)
    with console.status("bringing the search index up to date"):
        web_app = create_app(
            db, token=token, max_body=max_body or MAX_BODY, data_dir=data_dir,
            public_url=public_url, allowed_hosts=hosts,
            heavy_workers=heavy_workers, heavy_queue=heavy_queue, deadline=deadline,
        )  # fmt: skip
    console.print(f"serving {db} on http://{host}:{port}/ (API: http://{host}:{port}/api/v1/docs)")
    # what start-up loaded (the index, the people register, gazetteers) lives as long as the
    # server: kept out of the garbage collector's full passes, which would walk it again and
    # again and stall requests
    gc.collect()
    gc.freeze()
    run_server(web_app, host=host, port=port, timeout_keep_alive=timeout_keep_alive,
               max_connections=max_connections, per_client=max_client_connections,
               request_seconds=request_timeout)  # fmt: skip


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


# commands kept in modules of their own register themselves on ``app`` when imported
from communique import (  # noqa: E402, F401
    cli_analyse,
    cli_crawl,
    cli_export,
    cli_ops,
    cli_track,
    cli_verify,
)

with_data_dir(app)

if __name__ == "__main__":
    # run as ``python -m communique.cli`` this file is ``__main__``, a second copy: the command
    # modules registered themselves on ``communique.cli.app``, so run that one
    from communique.cli import app as registered
    from communique.cli import with_data_dir as add_data_dir

    add_data_dir(registered)  # again: some modules registered after communique.cli ran
    registered()
