"""Command: verify (where a reported quote comes from; docs/verify.md)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markup import escape
from rich.text import Text

from communique.analysis.verdict import Difference
from communique.analysis.verify import MIN_SCORE
from communique.cli.options import (
    DEFAULT_DB,
    NO_FILTER_OPTIONS,
    DbOption,
    FilterOptions,
    _archive,
    _query_error,
    filter_options,
    out,
)

commands = typer.Typer()


def _marked(text: str, spans: list[tuple[int, int]], context: int = 160) -> Text:
    """The turn around the matched span, the matched pieces in bold reverse video."""
    a, b = min(s[0] for s in spans), max(s[1] for s in spans)
    lo, hi = max(0, a - context), min(len(text), b + context)
    shown = Text("…" if lo else "")
    at = lo
    for s, e in sorted(spans):
        s, e = max(s, at), min(e, hi)
        if s >= e:
            continue
        shown.append(text[at:s])
        shown.append(text[s:e], style="bold reverse")
        at = e
    shown.append(text[at:hi])
    if hi < len(text):
        shown.append("…")
    return shown


def verdict_line(verdict: str, differences: list[Difference]) -> Text:
    """``verdict: was -> now`` word by word: the source's words struck through in red, the
    quote's in green, with the kinds of meaning they change."""
    line = Text(verdict.upper(), style="bold")
    for d in differences:
        line.append("  ")
        if d.source:
            line.append(f"[-{d.source}-]", style="red strike")
        if d.quote:
            line.append(f"{{+{d.quote}+}}", style="green")
        line.append(f" {d.kind}" + (f" ({', '.join(d.meaning)})" if d.meaning else ""),
                    style="dim")  # fmt: skip
    return line


@commands.command()
@filter_options("speaker", "lang", "from_", "to")
def verify(
    quote: Annotated[str, typer.Argument(help="The quote as it was reported.")],
    db: DbOption = DEFAULT_DB,
    min_score: Annotated[
        float, typer.Option("--min-score", help="Similarity threshold, 0-100.")
    ] = MIN_SCORE,
    limit: Annotated[int, typer.Option(help="At most this many passages.")] = 5,
    filters: FilterOptions = NO_FILTER_OPTIONS,
    as_json: Annotated[bool, typer.Option("--json", help="The result as one JSON object.")] = False,
) -> None:
    """Find where a reported quote comes from: a verdict (verbatim, trimmed, altered, not
    found) with the words that differ, the best-matching passages with a similarity score
    (0-100), date, speaker, question, permalink and the aligned passage of the other language
    version (docs/verify.md)."""
    from communique.analysis.verify import verify as run

    archive = _archive(db)
    try:
        res = run(archive.index, quote, min_score=min_score, limit=limit,
                  **filters.kwargs())  # fmt: skip
    except ValueError as e:
        raise _query_error(e) from None
    finally:
        archive.close()
    if as_json:
        print(json.dumps(res.to_dict(), ensure_ascii=False))
        return
    if not res.matches:
        out.print(f"[bold]NOT FOUND[/]: {escape(res.message())}", highlight=False)
        if res.best_below is not None:
            out.print(f"(the closest passage scores {res.best_below:g})", highlight=False)
        return
    out.print(f"[bold]{escape(res.message())}[/]\n", highlight=False)
    for i, m in enumerate(res.matches, start=1):
        h = m.hit
        who = h.speaker or h.label or h.role
        out.print(
            f"[bold]{i}. {m.verdict}, score {m.score:g}[/]  {escape(h.date or 'undated')}  "
            f"[cyan]{escape(who)}[/]  {escape(h.title or h.doc_id)}",
            highlight=False,
        )
        if h.question:
            q = " ".join(h.question.text.split())
            q = q if len(q) <= 240 else q[:239] + "…"
            out.print(f"   [dim]Q ({escape(h.question.who or 'question')}): {escape(q)}[/]",
                      highlight=False)  # fmt: skip
        line = Text("   ")
        line.append(_marked(h.text, m.matched or m.spans))
        out.print(line)
        out.print(Text("   ").append(verdict_line(m.verdict, m.differences)))
        out.print(f"   {h.permalink}   (pinned: {h.pinned})", highlight=False)
        if m.via:
            out.print(f"   [dim]found through the {escape(m.via)} version of the pages asked[/]",
                      highlight=False)  # fmt: skip
        for al in m.aligned:
            text = " ".join(al.text.split())
            text = text if len(text) <= 400 else text[:399] + "…"
            out.print(f"   [magenta]{escape(al.lang or '?')}[/] {escape(al.permalink)}: "
                      f"{escape(text)}", highlight=False)  # fmt: skip
        out.print()
