"""Search: the query language (``query``), text analysis, the tantivy index, concordances."""

from communique.search.ast import Filters, Query, QueryError
from communique.search.build import SyncReport
from communique.search.index import Hit, Question, SearchIndex, SearchResults
from communique.search.kwic import KwicLine

__all__ = [
    "Filters",
    "Hit",
    "KwicLine",
    "Query",
    "QueryError",
    "Question",
    "SearchIndex",
    "SearchResults",
    "SyncReport",
]
