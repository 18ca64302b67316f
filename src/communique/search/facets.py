"""Facets: the values of a search's hits counted per field, on a thread of their own."""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from communique.search.schema import NONE

FACETS = ("year", "publisher", "kind", "lang", "speaker", "role", "entity")
# the field each facet counts: speakers are counted as people (person id, else the name)
FACET_FIELD = {"speaker": "who"}
ENTITY_FACET_SIZE = 25
OTHER = "(other)"  # speakers beyond the ones listed
SPEAKER_FACET_SIZE = 25


@functools.cache
def facet_request() -> dict[str, Any]:
    """One terms aggregation per facet field. Every turn has a value in each ((none) when it
    has none), so none needs ``missing`` (which makes tantivy slower)."""
    aggs: dict[str, Any] = {}
    for name in FACETS:
        terms: dict[str, Any] = {"field": FACET_FIELD.get(name, name), "size": 1000}
        if name == "speaker":
            terms["size"] = SPEAKER_FACET_SIZE
        if name == "entity":
            terms["size"] = ENTITY_FACET_SIZE + 1  # (none) may take one place
        if name == "year":
            terms["order"] = {"_key": "asc"}
        aggs[name] = {"terms": terms}
    return aggs


def facet_counts(result: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Facet name -> value -> count, from the aggregation's result; speakers beyond the listed
    ones are summed as (other)."""
    out: dict[str, dict[str, int]] = {}
    for name in FACETS:
        agg = result.get(name, {})
        counts = {str(b["key"]): int(b["doc_count"]) for b in agg.get("buckets", [])}
        if name == "entity":  # several a turn: counts do not add up to the hits; no (none)
            counts.pop(NONE, None)
            counts = dict(list(counts.items())[:ENTITY_FACET_SIZE])
        elif agg.get("sum_other_doc_count"):
            counts[OTHER] = int(agg["sum_other_doc_count"])
        out[name] = counts
    return out


@functools.cache
def aggregator() -> ThreadPoolExecutor:
    """The threads that count facets while a search runs."""
    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="communique-facets")
