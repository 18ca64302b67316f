"""Commands: ``changes`` (what changed, and a document's diff between revisions) and
``watch`` (saved searches: add, list, remove, show). See docs/tracking.md."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Column, Table
from rich.text import Text

from communique.cli.options import (
    DEFAULT_DB,
    NO_FILTER_OPTIONS,
    DbOption,
    FilterOptions,
    JsonOpt,
    _archive,
    _date_bound,
    _open,
    console,
    filter_options,
    out,
)
from communique.track.changes import (
    DocumentDiff,
    RevisionNotFound,
    changed_documents,
    diff_revisions,
    gone_pages,
)
from communique.track.watch import (
    WatchError,
    add_watch,
    get_watch,
    latest_hits,
    remove_watch,
    watches,
)

commands = typer.Typer()

OP_STYLE = {"added": "green", "removed": "red", "reworded": "yellow", "moved": "blue"}


@commands.command()
def changes(
    doc_id: Annotated[
        str | None, typer.Argument(help="A document: show its diff (else: list what changed).")
    ] = None,
    db: DbOption = DEFAULT_DB,
    since: Annotated[
        str | None, typer.Option(help="Only changes seen since this date (YYYY[-MM[-DD]]).")
    ] = None,
    publisher: Annotated[str | None, typer.Option(help="Only this publisher's documents.")] = None,
    rev_from: Annotated[
        str | None, typer.Option("--from", help="Older revision (default: the one before --to).")
    ] = None,
    rev_to: Annotated[
        str | None, typer.Option("--to", help="Newer revision (default: the current one).")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="Most documents listed.")] = 200,
    as_json: JsonOpt = False,
) -> None:
    """Documents whose text changed (added, removed, reworded paragraphs) and pages gone from
    their site; with DOC_ID, what changed between two of its revisions."""
    store = _open(db)
    try:
        if doc_id is None:
            since_day = _date_bound(since, False)
            docs = changed_documents(store, since=since_day, publisher=publisher, limit=limit)
            gone = gone_pages(store, since=since_day)
            if as_json:
                out.print_json(json.dumps({"changed": [asdict(d) for d in docs], "gone": gone},
                                          ensure_ascii=False))  # fmt: skip
                return
            _print_changed(docs, gone, since)
            return
        try:
            diff = diff_revisions(store, doc_id, rev_from, rev_to)
        except RevisionNotFound as e:
            console.print(f"[red]{escape(str(e))}[/]")
            raise typer.Exit(1) from None
        if as_json:
            out.print_json(json.dumps(diff.to_dict(), ensure_ascii=False))
            return
        print_diff(diff)
    finally:
        store.close()


def _print_changed(docs: list[Any], gone: list[dict[str, Any]], since: str | None) -> None:
    when = f" since {since}" if since else ""
    if not docs:
        out.print(f"No document changed{when}.")
    else:
        table = Table(
            Column("last seen", min_width=20),
            Column("document", min_width=max(len(d.doc_id) for d in docs)),
            "title", "revs", "+", "-", "~",
            "moved", "fields", title=f"Documents changed{when}",
        )  # fmt: skip
        for d in docs:
            c = d.counts
            table.add_row(
                d.last_seen, d.doc_id, escape(d.title or ""), str(d.revisions),
                str(c["added"]), str(c["removed"]), str(c["reworded"]), str(c["moved"]),
                ", ".join(d.metadata) or ("[red]" + escape(d.error) + "[/]" if d.error else ""),
            )  # fmt: skip
        out.print(table)
    if gone:
        table = Table("gone since", Column("url", overflow="fold"), "document", "title",
                      title=f"Pages removed{when}")  # fmt: skip
        for g in gone:
            table.add_row(g["gone_since"] or "", escape(g["url"]), g["doc_id"] or "",
                          escape(g["title"] or ""))  # fmt: skip
        out.print(table)


def print_diff(diff: DocumentDiff, console: Console | None = None) -> None:
    """The diff in colour: removed red, added green, reworded words marked inside (without
    colour, as wdiff marks them: ``[-deleted-]{+inserted+}``). Paragraphs are not wrapped."""
    to = console or out
    c = diff.counts
    to.print(
        f"[bold]{escape(diff.doc_id)}[/] {diff.old_revision} ({diff.old_seen_at or '?'}) -> "
        f"{diff.new_revision} ({diff.new_seen_at or '?'})"
    )
    to.print(
        f"{c['added']} added, {c['removed']} removed, {c['reworded']} reworded, "
        f"{c['moved']} moved; {diff.unchanged} unchanged paragraphs"
    )
    for m in diff.metadata:
        to.print(Text.assemble(f"{m.field}: ", (str(m.old), "red strike"), " -> ",
                                (str(m.new), "green")), soft_wrap=True)  # fmt: skip
    for ch in diff.paragraphs:
        where = ch.new or ch.old
        assert where is not None
        head = f"\n{ch.op.upper()} #t{where.turn} ¶{where.index + 1}"
        if ch.op == "moved" and ch.old and ch.new:
            head += f" (was #t{ch.old.turn} ¶{ch.old.index + 1})"
        if where.speaker:
            head += f" · {where.speaker}"
        to.print(Text(head, style=f"bold {OP_STYLE[ch.op]}"))
        if ch.op == "reworded":
            plain = to.color_system is None  # piped: mark words as wdiff does
            text = Text()
            for op, piece in ch.words:
                if plain and op != "=":
                    piece = f"[-{piece}-]" if op == "-" else f"{{+{piece}+}}"
                text.append(piece, {"-": "red strike", "+": "bold green", "=": ""}[op])
            to.print(text, soft_wrap=True)
        elif ch.op == "removed":
            to.print(Text("- " + where.text, style="red"), soft_wrap=True)
        elif ch.op == "added":
            to.print(Text("+ " + where.text, style="green"), soft_wrap=True)
        else:
            to.print(Text(where.text, style="blue"), soft_wrap=True)


# -- watches ------------------------------------------------------------------------------------
watch_app = typer.Typer(help="Saved searches, each with an Atom feed under `communique serve`.",
                        no_args_is_help=True)  # fmt: skip
commands.add_typer(watch_app, name="watch")


def _watch_error(e: Exception) -> typer.Exit:
    console.print(f"[red]{escape(str(e))}[/]", highlight=False)
    return typer.Exit(2)


@watch_app.command("add")
@filter_options("speaker", "role", "kind", "lang", "publisher", "entity", "from_", "to")
def watch_add(
    name: Annotated[str, typer.Argument(help="A name (letters, digits, . _ -): the feed's URL.")],
    query: Annotated[str, typer.Argument(help="A query (docs/query.md); '' for filters only.")],
    db: DbOption = DEFAULT_DB,
    filters: FilterOptions = NO_FILTER_OPTIONS,
) -> None:
    """Save a search (replacing one of the same name)."""
    saved = {"speaker": filters.speaker or [], "role": filters.role, "kind": filters.kind,
             "lang": filters.lang, "publisher": filters.publisher, "entity": filters.entity,
             "from": filters.from_, "to": filters.to}  # fmt: skip
    store = _open(db)
    try:
        w = add_watch(store, name, query, saved)
    except WatchError as e:
        raise _watch_error(e) from None
    finally:
        store.close()
    out.print(f"watch [bold]{escape(w.name)}[/] saved; its feed: /feeds/{escape(w.name)}.atom")


@watch_app.command("list")
def watch_list(db: DbOption = DEFAULT_DB, as_json: JsonOpt = False) -> None:
    """The saved searches."""
    store = _open(db)
    try:
        saved = watches(store)
    finally:
        store.close()
    if as_json:
        out.print_json(json.dumps([w.to_dict() for w in saved], ensure_ascii=False))
        return
    if not saved:
        out.print("No watches yet: communique watch add NAME 'query' [--speaker ...]")
        return
    table = Table("name", "query", "filters", "created")
    for w in saved:
        table.add_row(escape(w.name), escape(w.query), escape(_describe(w.filters)), w.created)
    out.print(table)


def _describe(filters: dict[str, str]) -> str:
    return " ".join(f"{k}={v}" for k, v in filters.items())


@watch_app.command("remove")
def watch_remove(name: str, db: DbOption = DEFAULT_DB) -> None:
    """Delete a saved search."""
    store = _open(db)
    try:
        remove_watch(store, name)
    except WatchError as e:
        raise _watch_error(e) from None
    finally:
        store.close()
    out.print(f"watch {escape(name)} removed")


@watch_app.command("show")
def watch_show(
    name: str,
    db: DbOption = DEFAULT_DB,
    limit: Annotated[int, typer.Option(min=1, max=500, help="Hits shown.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """A saved search's latest hits: turns of the documents that arrived last, newest first."""
    archive = _archive(db)
    try:
        w = get_watch(archive.store, name)
        hits = latest_hits(archive.index, w, limit)
    except (WatchError, ValueError) as e:
        raise _watch_error(e) from None
    finally:
        archive.close()
    if as_json:
        payload = {**w.to_dict(), "hits": [{**h.hit.to_dict(), "arrived": h.arrived}
                                           for h in hits]}  # fmt: skip
        out.print_json(json.dumps(payload, ensure_ascii=False))
        return
    out.print(f"[bold]{escape(w.name)}[/]: {escape(w.query)} {escape(_describe(w.filters))}")
    if not hits:
        out.print("No hits yet.")
    for item in hits:
        h = item.hit
        who = h.speaker or h.label or h.role
        out.print(f"\n[dim]{item.arrived}[/] [bold]{escape(h.permalink)}[/] {h.date or 'undated'}"
                  f" · {escape(who)} · {escape(h.title or '')}")  # fmt: skip
        out.print(Text(" ".join(h.snippet.split())))
