"""Schemathesis over every GET route of a real server (the search archive, both backends):
requests generated from /api/v1/openapi.json, a bounded number per operation, each answer
checked with schemathesis's checks against the description (no 5xx, only documented statuses,
content types and headers, bodies valid against their schemas). All checks but one:
``positive_data_acceptance`` wants every request the schema admits to be answered 2xx, and the
query language of ``q`` (docs/query.md) cannot be written as a JSON Schema, so a generated
``q`` that does not parse is rightly a 400."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from .conftest import Server

EXAMPLES = 6  # per operation: enough to reach the enums, patterns and limits, bounded in time


def test_get_routes_answer_as_described(server: Server) -> None:
    schema = schemathesis.openapi.from_url(f"{server.url}/api/v1/openapi.json")
    operations = [r.ok() for r in schema.include(method="GET").get_all_operations()]
    assert len(operations) >= 25  # every GET route of api*.py
    failures: dict[str, str] = {}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        def answers_as_described(case: schemathesis.Case) -> None:
            case.call_and_validate(timeout=60, excluded_checks=[positive_data_acceptance])

        try:
            answers_as_described()
        except (Exception, BaseExceptionGroup) as e:  # every operation is tried, all reported
            failures[operation.label] = str(e)[:2000]
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())
