"""Command: crawl. Profiles and politeness: docs/crawl.md."""

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
    QuietOpt,
    _date_bound,
    _open,
    console,
    out,
)
from communique.crawl.crawler import Crawler, CrawlReport
from communique.crawl.fetch import Fetcher
from communique.crawl.profile import ProfileError, find_profiles, load_profile, profile_named

commands = typer.Typer()

SitesDirOpt = Annotated[
    list[Path] | None,
    typer.Option("--sites-dir", help="A folder of site profiles (*.toml); also $COMMUNIQUE_SITES."),
]


def _list_profiles(dirs: list[Path] | None, as_json: bool) -> None:
    rows = []
    for name, file in find_profiles(dirs).items():
        try:
            p = load_profile(file)
            rows.append(
                {
                    "site": name,
                    "title": p.title,
                    "hosts": p.hosts,
                    "lists": [s.name for s in p.lists],
                    "file": str(file),
                    "error": None,
                }
            )
        except ProfileError as e:
            rows.append(
                {
                    "site": name,
                    "title": "",
                    "hosts": [],
                    "lists": [],
                    "file": str(file),
                    "error": str(e),
                }
            )
    if as_json:
        out.print_json(json.dumps(rows, ensure_ascii=False))
        return
    table = Table("site", "title", "hosts", "lists", "file")  # file: where it was found
    for r in rows:
        title = f"[red]{escape(r['error'])}[/]" if r["error"] else escape(r["title"])
        table.add_row(
            r["site"], title, ", ".join(r["hosts"]), ", ".join(r["lists"]), Path(r["file"]).name
        )
    out.print(table)


def _summary(report: CrawlReport) -> None:
    window = f"since {report.since or 'the beginning'}" + (
        f" until {report.until}" if report.until else ""
    )
    table = Table(title=f"crawl {report.site} ({window})", show_header=False)
    for label, value in (
        ("list pages", report.list_pages),
        ("listed", report.listed),
        ("fetched", report.fetched),
        ("new", report.new),
        ("updated", report.updated),
        ("unchanged (304 or same bytes)", report.unchanged),
        ("skipped (not a document)", report.skipped),
        ("failed (retried on a later run)", report.failed),
        ("gone (404/410)", report.gone),
        ("disallowed by robots.txt", report.disallowed),
        ("ingested from an earlier run", report.caught_up),
    ):
        table.add_row(label, str(value))
    out.print(table)
    for url, error in report.failures[:20]:
        console.print(f"[yellow]failed[/] {escape(url)}: {escape(error)}")
    if report.stopped:
        console.print("[yellow]stopped at --max-pages;[/] run again to go on where it stopped")


@commands.command()
def crawl(
    site: Annotated[str | None, typer.Argument(help="Site profile name (see --list).")] = None,
    since: Annotated[
        str | None, typer.Option(help="Items listed from this date (default: the last run).")
    ] = None,
    until: Annotated[str | None, typer.Option(help="Items listed up to this date.")] = None,
    db: DbOption = DEFAULT_DB,
    data_dir: DataDirOption = None,
    max_pages: Annotated[
        int | None, typer.Option("--max-pages", min=0, help="Stop after this many item pages.")
    ] = None,
    mirror: Annotated[
        str | None,
        typer.Option(help="Fetch from this server (http://127.0.0.1:PORT) for the real URLs."),
    ] = None,
    sites_dir: SitesDirOpt = None,
    list_: Annotated[bool, typer.Option("--list", help="List the site profiles.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="The summary as JSON.")] = False,
    quiet: QuietOpt = False,
) -> None:
    """Crawl an official site into the archive: new pages, edits (new revisions), removals."""
    if list_:
        _list_profiles(sites_dir, as_json)
        return
    if site is None:
        console.print("[red]Name a site[/] (communique crawl --list shows them).")
        raise typer.Exit(2)
    try:
        profile = profile_named(site, sites_dir)
    except ProfileError as e:
        console.print(f"[red]{escape(str(e))}[/]")
        raise typer.Exit(2) from None
    since_b, until_b = _date_bound(since, False, "--since"), _date_bound(until, True, "--until")
    store = _open(db, must_exist=False, data_dir=data_dir)
    fetcher = Fetcher.for_profile(profile, mirror=mirror)
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=quiet,
    )
    task = bar.add_task(f"listing {site}", total=None)

    def on_page(url: str, done: int, total: int) -> None:
        bar.update(task, description=f"{site}: {url[-60:]}", completed=done, total=total)

    try:
        with bar:
            crawler = Crawler(store, profile, fetcher, on_page=on_page)
            report = crawler.run(since=since_b, until=until_b, max_pages=max_pages)
    except KeyboardInterrupt:
        console.print("[yellow]interrupted;[/] run again to go on where it stopped")
        raise typer.Exit(130) from None
    finally:
        fetcher.close()
        store.close()
    if as_json:
        out.print_json(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        _summary(report)
