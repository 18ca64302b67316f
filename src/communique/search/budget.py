"""The time budget of one search or concordance."""

from __future__ import annotations

import os
import time

from communique.search.ast import QueryOverBudget
from communique.search.cancel import check_cancelled

QUERY_SECONDS = 10.0  # time budget of one search or concordance ($COMMUNIQUE_QUERY_SECONDS)


def query_seconds() -> float:
    """The time budget of one query: ``$COMMUNIQUE_QUERY_SECONDS``, else ``QUERY_SECONDS``."""
    try:
        return float(os.environ.get("COMMUNIQUE_QUERY_SECONDS") or QUERY_SECONDS)
    except ValueError:
        return QUERY_SECONDS


class Budget:
    """A query's deadline, checked between steps of its work (a step already in tantivy runs
    to its end; the cost limits keep every step short). The same checks stop the query once
    the client that asked for it has gone (``search.cancel``)."""

    def __init__(self, seconds: float | None = None) -> None:
        self.seconds = query_seconds() if seconds is None else seconds
        self.deadline = time.monotonic() + self.seconds

    def check(self) -> None:
        check_cancelled()  # the client has gone: nobody waits for the answer
        if time.monotonic() > self.deadline:
            raise QueryOverBudget(
                f"the query ran longer than its budget of {self.seconds:g} s and was stopped: "
                "narrow it (longer word beginnings before *, a smaller NEAR distance, fewer "
                "alternatives) or add a filter such as date:2020 or speaker:lavrov"
            )
