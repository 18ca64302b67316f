"""Commands: trend, who-says, collocations, keyness, freq. Formulas: docs/analysis.md."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from communique.cli.options import (
    DEFAULT_DB,
    NO_FILTER_OPTIONS,
    CsvOpt,
    DbOption,
    FilterOptions,
    JsonOpt,
    _archive,
    _query_error,
    console,
    filter_options,
    out,
)

commands = typer.Typer()

MinFreqOpt = Annotated[int, typer.Option("--min", help="Least frequency.")]
MinSampleOpt = Annotated[int, typer.Option(help="Rates from fewer words are marked small.")]
StopOpt = Annotated[
    bool, typer.Option("--stopwords/--no-stopwords", help="Leave out stop words (default).")
]


@contextmanager
def _progress() -> Iterator[Callable[[str, int, int], None]]:
    """A progress bar for the slow part (building the token cache), shown when it starts."""
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), console=console, transient=True)  # fmt: skip
    task: list[int] = []

    def report(what: str, done: int, total: int) -> None:
        if not task:
            bar.start()
            task.append(bar.add_task(what, total=total))
        bar.update(task[0], completed=done, total=total, description=what)

    try:
        with console.status("analysing"):
            yield report
    finally:
        if task:
            bar.stop()


def _run(
    db: Path,
    fn: Callable[[Any, Callable[[str, int, int], None]], Any],
    empty: Callable[[Any], bool] | None = None,
    query: str = "",
    speaker: list[str] | None = None,
) -> Any:
    """``fn(archive, progress)``; when ``empty(result)``, a speaker filter (of ``query`` or
    ``speaker``) that matches no one is named, with the closest speaker ("did you mean")."""
    from communique.search.ast import QueryError
    from communique.search.speakers import hint_message

    archive = _archive(db)
    try:
        with _progress() as report:
            res = fn(archive, report)
        hint = empty is not None and empty(res) and hint_message(archive.index, query, speaker)
        if hint:
            console.print(f"[yellow]{escape(hint)}[/]", highlight=False)
        return res
    except (QueryError, ValueError) as e:
        raise _query_error(e) from None
    finally:
        archive.close()


def _emit(rows: list[dict[str, Any]], as_csv: bool, as_json: bool, payload: Any = None) -> bool:
    if as_json:
        print(json.dumps(payload if payload is not None else rows, ensure_ascii=False, indent=1))
        return True
    if as_csv:
        buf = io.StringIO()
        if rows:
            w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
        sys.stdout.write(buf.getvalue())
        return True
    return False


def _cell(value: Any) -> str:
    if value is None:
        return "–"  # a gap: no documents in the period
    if isinstance(value, bool):
        return "small" if value else ""
    return f"{value:.2f}" if isinstance(value, float) else escape(str(value))


def _table(rows: list[dict[str, Any]], title: str) -> None:
    """Rows as a table; the ``search`` URLs are in --csv and --json only."""
    table = Table(title=title, title_justify="left")
    if not rows:
        out.print(f"{escape(title)}: nothing found", highlight=False)
        return
    keys = [k for k in rows[0] if k != "search"]
    for key in keys:
        table.add_column(key, justify="left" if isinstance(rows[0][key], str) else "right")
    for r in rows:
        table.add_row(*(_cell(r[k]) for k in keys))
    out.print(table)


@commands.command()
@filter_options()
def trend(
    query: Annotated[str, typer.Argument(help="Query (filters such as speaker:lavrov allowed).")],
    db: DbOption = DEFAULT_DB,
    by: Annotated[str, typer.Option(help="day, month, quarter or year")] = "year",
    split: Annotated[str | None, typer.Option(help="speaker, publisher, kind or lang")] = None,
    per_10k: Annotated[bool, typer.Option("--per-10k", help="Hits per 10,000 words.")] = False,
    window: Annotated[int, typer.Option(help="Moving average over this many periods.")] = 0,
    top: Annotated[int, typer.Option(help="Split values shown (most hits first).")] = 8,
    min_sample: MinSampleOpt = 10_000,
    plot: Annotated[Path | None, typer.Option(help="Write a chart: .svg or .png")] = None,
    as_csv: CsvOpt = False,
    as_json: JsonOpt = False,
    filters: FilterOptions = NO_FILTER_OPTIONS,
) -> None:
    """How many turns match QUERY per period, absolute or per 10,000 words."""
    from communique.analysis import stats

    flt = filters.kwargs()
    res = _run(db, lambda a, p: stats.trend(a.index, query, by=by, split=split, per_10k=per_10k,
                                            window=window, top=top, min_sample=min_sample,
                                            progress=p, **flt),
               lambda r: not r.total, query, filters.speaker)  # fmt: skip
    if plot is not None:
        from communique.analysis.plot import plot_trend

        plot_trend(res, plot)
        console.print(f"chart written to {plot}", highlight=False)
    if not _emit(res.rows(), as_csv, as_json, res.to_dict()):
        langs = ", ".join(res.langs) if res.langs else "every language"
        _table(res.rows(), f"{query}: {res.total} matching turns, by {by} (words: {langs}; "
                           f"– no documents; small: fewer than {min_sample} words)")  # fmt: skip


@commands.command("who-says")
@filter_options()
def who_says(
    query: Annotated[str, typer.Argument(help="Query (filters allowed).")],
    db: DbOption = DEFAULT_DB,
    sort: Annotated[str, typer.Option(help="hits, ratio, ll or per_10k")] = "hits",
    limit: int = 20,
    min_words: Annotated[int, typer.Option(help="Leave out people with fewer words.")] = 0,
    min_sample: MinSampleOpt = 10_000,
    as_csv: CsvOpt = False,
    as_json: JsonOpt = False,
    filters: FilterOptions = NO_FILTER_OPTIONS,
) -> None:
    """People ranked by how often their turns match QUERY, and how much more than expected."""
    from communique.analysis import stats

    flt = filters.kwargs()
    res = _run(db, lambda a, p: stats.who_says(a.index, query, sort=sort, limit=limit,
                                               min_words=min_words, min_sample=min_sample,
                                               progress=p, **flt),
               lambda r: not r, query, filters.speaker)  # fmt: skip
    rows = stats.to_rows(res)
    if not _emit(rows, as_csv, as_json):
        _table(rows, f"who says {query}")


@commands.command()
@filter_options()
def collocations(
    word: Annotated[str, typer.Argument(help="The node word (filters allowed).")],
    db: DbOption = DEFAULT_DB,
    window: Annotated[int, typer.Option(help="Words either side.")] = 5,
    by: Annotated[str, typer.Option(help="ll, mi, t, logdice or freq")] = "ll",
    min_freq: Annotated[int, typer.Option("--min", help="Least co-occurrences.")] = 3,
    limit: int = 50,
    stopwords: StopOpt = True,
    as_csv: CsvOpt = False,
    as_json: JsonOpt = False,
    filters: FilterOptions = NO_FILTER_OPTIONS,
) -> None:
    """Words found near WORD more often than chance: LL, MI, T-score, logDice."""
    from dataclasses import asdict

    from communique.analysis import stats

    flt = filters.kwargs()
    res = _run(db, lambda a, p: stats.collocations(
        a.index, word, window=window, sort=by, min_freq=min_freq, limit=limit, stopwords=stopwords,
        progress=p, **flt))  # fmt: skip
    rows = stats.to_rows(res.collocates)
    if not _emit(rows, as_csv, as_json, asdict(res)):
        _table(rows, f"collocates of {word} (f={res.f_n}, ±{window}, {res.n} words)")


@commands.command()
def keyness(
    a: Annotated[str, typer.Option("--a", help="Subcorpus A: a query or filters.")],
    b: Annotated[str, typer.Option("--b", help="Subcorpus B: a query or filters.")],
    db: DbOption = DEFAULT_DB,
    min_freq: MinFreqOpt = 5,
    limit: int = 50,
    stopwords: StopOpt = True,
    as_csv: CsvOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Words key in subcorpus A against B and in B against A (log-likelihood, log ratio)."""
    from dataclasses import asdict

    from communique.analysis import stats

    res = _run(db, lambda arc, p: stats.keyness(arc.index, a, b, min_freq=min_freq, limit=limit,
                                                stopwords=stopwords, progress=p))  # fmt: skip
    rows = [{"key_in": "A", **r} for r in stats.to_rows(res.key_a)]
    rows += [{"key_in": "B", **r} for r in stats.to_rows(res.key_b)]
    if not _emit(rows, as_csv, as_json, asdict(res)):
        _table([r for r in rows if r["key_in"] == "A"],
               f"key in A ({a}: {res.words_a} words) against B")  # fmt: skip
        _table([r for r in rows if r["key_in"] == "B"],
               f"key in B ({b}: {res.words_b} words) against A")  # fmt: skip


@commands.command()
@filter_options()
def freq(
    query: Annotated[str | None, typer.Argument(help="Query (optional; filters allowed).")] = None,
    db: DbOption = DEFAULT_DB,
    ngrams: Annotated[int, typer.Option(help="1 for words, 2 for bigrams, ...")] = 1,
    limit: int = 100,
    min_freq: MinFreqOpt = 1,
    stopwords: StopOpt = True,
    as_csv: CsvOpt = False,
    as_json: JsonOpt = False,
    filters: FilterOptions = NO_FILTER_OPTIONS,
) -> None:
    """The most frequent words or n-grams of the turns matching QUERY and the filters."""
    from communique.analysis import stats

    flt = filters.kwargs()
    total, res = _run(db, lambda a, p: stats.frequencies(
        a.index, query, ngrams=ngrams, limit=limit, min_freq=min_freq, stopwords=stopwords,
        progress=p, **flt))  # fmt: skip
    rows = stats.to_rows(res)
    if not _emit(rows, as_csv, as_json, {"words": total, "rows": rows}):
        _table(rows, f"{'words' if ngrams == 1 else f'{ngrams}-grams'} ({total} words)")
