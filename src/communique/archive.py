"""The Python API: an archive file with its search index.

>>> from communique import Archive
>>> with Archive("archive.db") as a:
...     res = a.search('CSTO "peacekeeping" -NATO', speaker="Sergey Lavrov", role="answer")
...     for hit in res.hits:
...         print(hit.permalink, hit.date, hit.speaker, hit.snippet)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from communique.model import Document
from communique.search.ast import Query
from communique.search.build import SyncReport
from communique.search.concordance import NotReady, prepare_concordance, serve
from communique.search.index import SORTS, SearchIndex, SearchResults
from communique.search.kwic import SORTS as KWIC_SORTS
from communique.search.kwic import KwicLine
from communique.search.selection import Values, make_filters, parse
from communique.store import is_url, open_store


class Archive:
    """An archive (the store, the source of truth: a SQLite file or a PostgreSQL URL) and its
    search index (``<db>.index/``, or ``index/`` in the data directory of a PostgreSQL archive).

    Opening it brings the index in line with the store (building it if missing). Malformed
    queries raise :class:`communique.search.QueryError`, whose message says what to fix.
    """

    def __init__(
        self,
        db_path: str | Path,
        *,
        sync: bool = True,
        check_same_thread: bool = True,
        data_dir: str | Path | None = None,
    ) -> None:
        """``db_path``: a SQLite file (it must exist) or a PostgreSQL URL; ``data_dir``: where
        the derived files go (``communique.store.paths.data_paths``)."""
        self.target = str(db_path)
        self.path: Path | None = None if is_url(self.target) else Path(db_path)
        if self.path is not None and not self.path.exists():
            raise FileNotFoundError(f"no archive at {self.path}")
        self.store = open_store(self.target, check_same_thread=check_same_thread, data_dir=data_dir)
        self.index = SearchIndex(self.store)
        try:
            self.last_sync: SyncReport = self.index.open(sync=sync)
        except BaseException:
            self.store.close()
            raise

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.index.close()
        self.store.close()

    def get(self, doc_id: str) -> Document | None:
        """A document by id; ``id@revision`` is that revision (an older one is re-derived from
        its stored raw input)."""
        from communique.track.revisions import document_at

        ident, _, revision = doc_id.partition("#")[0].partition("@")
        return document_at(self.store, ident, revision or None)

    def reindex(self) -> SyncReport:
        """Rebuild the index from the store."""
        return self.index.rebuild()

    def sync(self) -> SyncReport:
        """Apply the store's changes since the index was last brought up to date."""
        self.last_sync = self.index.sync()
        return self.last_sync

    @staticmethod
    def parse(query: str | Query) -> Query:
        return parse(query)

    def search(
        self,
        query: str | Query,
        *,
        speaker: Values = None,
        role: Values = None,
        kind: Values = None,
        lang: Values = None,
        publisher: Values = None,
        doc: Values = None,
        entity: Values = None,
        date_from: str | None = None,
        date_to: str | None = None,
        sort: str = "relevance",
        limit: int = 10,
        offset: int = 0,
        facets: bool = False,
    ) -> SearchResults:
        """Turns matching ``query`` (the language of docs/query.md) and the filters.

        ``sort``: ``relevance``, ``date`` (newest first) or ``oldest``. Dates take ``YYYY``,
        ``YYYY-MM`` or ``YYYY-MM-DD``; list filters take a value, a comma list or a sequence.
        """
        if sort not in SORTS:
            raise ValueError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
        q = self.parse(query)
        extra = make_filters(
            speaker=speaker, role=role, kind=kind, lang=lang, publisher=publisher, doc=doc,
            entity=entity, date_from=date_from, date_to=date_to,
        )  # fmt: skip
        text = query if isinstance(query, str) else ""
        return self.index.search(
            q, extra, sort=sort, limit=limit, offset=offset, facets=facets, text=text
        )

    def kwic(
        self,
        query: str | Query,
        width: int = 60,
        sort: str = "corpus",
        limit: int | None = None,
        **filters: Any,
    ) -> list[KwicLine]:
        """A concordance: every occurrence of the query's words in the matching turns.

        ``sort``: ``corpus`` or ``date`` (chronological), ``left`` or ``right`` (by the words
        before or after the keyword). ``limit`` keeps the first lines of that order.
        """
        if sort not in KWIC_SORTS:
            raise ValueError(f"sort must be one of {', '.join(KWIC_SORTS)}, not {sort!r}")
        q, extra = self.parse(query), make_filters(**filters)
        try:  # sorted by context: from the concordance store when it can serve the query
            served = serve(self.index, self.store, q, extra, width=width, sort=sort, limit=limit)
        except NotReady:  # not built yet, or behind the store: the index's path
            served = None
        if served is not None:
            return served.lines
        return self.index.kwic(q, extra, width=width, sort=sort, limit=limit)

    def kwic_count(self, query: str | Query, **filters: Any) -> int | None:
        """How many lines the concordance of ``query`` has, counted by the concordance store
        (None when it cannot serve the query); :class:`NotReady` while it is prepared."""
        served = serve(self.index, self.store, self.parse(query), make_filters(**filters),
                       width=0, sort="left", limit=0, count_only=True)  # fmt: skip
        return None if served is None else served.total

    def prepare(self, progress: Any = None) -> None:
        """Build or update the data derived for analyses and concordances (the word cache and
        the concordance store), off the request path: ``ingest`` does it after the index.
        ``progress(what, done, total)`` is called as it goes."""
        from communique.analysis.corpus import prepare_token_cache

        prepare_concordance(self.store, progress)
        prepare_token_cache(self.index, progress)

    # -- analysis and exports: the same functions the CLI and the API call ----------------------
    def trend(self, query: str | Query, **options: Any) -> Any:
        """Matches over time (``communique.analysis.stats.trend``: ``by``, ``split``,
        ``per_10k``, ``window`` and the search filters)."""
        from communique.analysis.stats import trend

        return trend(self.index, query, **options)

    def who_says(self, query: str | Query, **options: Any) -> Any:
        """People ranked by how often, and how much more than expected, they say it."""
        from communique.analysis.stats import who_says

        return who_says(self.index, query, **options)

    def collocations(self, word: str, **options: Any) -> Any:
        """Words around ``word`` with log-likelihood, MI, T-score and log-Dice."""
        from communique.analysis.stats import collocations

        return collocations(self.index, word, **options)

    def keyness(self, a: str, b: str, **options: Any) -> Any:
        """Words key in subcorpus ``a`` against ``b`` (each a query with filters)."""
        from communique.analysis.stats import keyness

        return keyness(self.index, a, b, **options)

    def frequencies(self, query: str | Query | None = None, **options: Any) -> Any:
        """Word or n-gram frequency list of the turns matching ``query`` and the filters."""
        from communique.analysis.stats import frequencies

        return frequencies(self.index, query, **options)

    def verify(self, quote: str, **options: Any) -> Any:
        """The passages a reported quote comes from (``min_score``, ``limit``, filters)."""
        from communique.analysis.verify import verify

        return verify(self.index, quote, **options)

    def export(self, selection: Any, fmt: str, out: Any, **options: Any) -> int:
        """Write a subcorpus (a query and filters) as csv, jsonl, parquet, tei, bibtex or csl."""
        from communique.export import export

        return export(self.index, selection, fmt, out, **options)
