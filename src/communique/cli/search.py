"""Commands: search, kwic (``--parallel``: the aligned passages of other language versions),
reindex."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.text import Text

from communique.cli.options import (
    DEFAULT_DB,
    NO_FILTER_OPTIONS,
    CsvOpt,
    DataDirOption,
    DbOption,
    FilterOptions,
    _archive,
    _open,
    _query_error,
    console,
    filter_options,
    out,
)
from communique.cli.render import ROLE_STYLE

commands = typer.Typer()


ParallelOpt = Annotated[
    bool,
    typer.Option("--parallel", help="Each hit's passage in the other language versions held."),
]


def _speaker_hint(archive: Any, query: str, speaker: list[str] | None) -> str | None:
    """The "No speaker matches “Lavorv”: did you mean Lavrov?" of a search that found nothing."""
    from communique.search.speakers import hint_message

    return hint_message(archive.index, query, speaker)


@commands.command()
@filter_options()
def search(
    query: Annotated[str, typer.Argument(help='Query: words, "phrases", -not, a OR b, ab*, ...')],
    db: DbOption = DEFAULT_DB,
    filters: FilterOptions = NO_FILTER_OPTIONS,
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
            query, **filters.kwargs(),  # type: ignore[arg-type]
            sort=sort, limit=limit, offset=offset, facets=facets,
        )  # fmt: skip
        par = _parallel(archive, [(h.doc_id, h.n, _hit_start(h)) for h in res.hits], parallel)
        if not res.total:
            hint = _speaker_hint(archive, query, filters.speaker)
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


@commands.command()
@filter_options()
def kwic(
    query: Annotated[str, typer.Argument(help="Query; its words are the keywords.")],
    db: DbOption = DEFAULT_DB,
    width: Annotated[int, typer.Option(help="Characters of context on each side.")] = 60,
    sort: Annotated[str, typer.Option(help="corpus (= date, oldest first), left or right")] = (
        "corpus"
    ),
    limit: Annotated[int | None, typer.Option(help="At most this many lines.")] = None,
    as_csv: CsvOpt = False,
    filters: FilterOptions = NO_FILTER_OPTIONS,
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
            **filters.kwargs(),
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


@commands.command()
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
