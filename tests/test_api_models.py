"""Every 200 (and 201) of the API has a schema in /api/v1/openapi.json, and the real answers of a
served archive (the search archive, both backends) are valid against it; the document's schema
is the record's (schema/record.schema.json) and checks dates as dates."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator, FormatChecker, ValidationError

from communique.web.models import RECORD_SCHEMA

from .conftest import SERVER_TOKEN, Server

KREMLIN_MEETING = "kremlin-en-54071"  # 2017-03-20, Putin and Donskoy; a lead under the title
HUA_FEB3 = "fmprc-en-t1739548"  # Hua Chunying's Daily Briefing Online on February 3, 2020


@pytest.fixture(scope="module")
def api(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{server.url}/api/v1", timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def spec(api: httpx.Client) -> dict[str, Any]:
    return api.get("/openapi.json").json()


def schema_of(spec: dict[str, Any], path: str, method: str = "get", code: str = "200") -> Any:
    answer = spec["paths"][f"/api/v1{path}"][method]["responses"][code]
    return {**answer["content"]["application/json"]["schema"], "components": spec["components"]}


def valid(spec: dict[str, Any], path: str, body: Any, **where: str) -> None:
    Draft202012Validator(schema_of(spec, path, **where), format_checker=FormatChecker()).validate(
        body
    )


def got(api: httpx.Client, url: str, code: int = 200, **options: Any) -> Any:
    response = api.request(options.pop("method", "GET"), url, **options)
    assert response.status_code == code, response.text[:500]
    return response.json()


def test_no_answer_is_left_without_a_schema(spec: dict[str, Any]) -> None:
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            for code, answer in op["responses"].items():
                if code in ("200", "201", "202", "303"):
                    for media, content in answer["content"].items():
                        schema = content["schema"]
                        refs = [s.get("$ref") for s in schema.get("anyOf", [schema])]
                        assert all(refs) or schema.get("type") == "string", (
                            method, path, media, schema,
                        )  # fmt: skip


def test_a_document_is_a_record_with_its_citation(api: httpx.Client, spec: dict) -> None:
    doc = got(api, f"/documents/{KREMLIN_MEETING}")
    valid(spec, "/documents/{doc_ref}", doc)
    assert doc["date"] == "2017-03-20" and doc["publisher"] == "kremlin.ru"
    assert doc["turns"][0]["permalink"] == f"{KREMLIN_MEETING}#t1"
    assert doc["versions_held"]["en"] == KREMLIN_MEETING
    # the record's own rules hold: no key it does not know, dates that exist
    for wrong in ({**doc, "surprise": 1}, {**doc, "date": "2017-02-30"},
                  {**doc, "turns": [{**doc["turns"][0], "n": 0}]}):  # fmt: skip
        with pytest.raises(ValidationError):
            valid(spec, "/documents/{doc_ref}", wrong)
    record = json.loads(RECORD_SCHEMA.read_text())  # the schema is the record's, and more
    documented = spec["components"]["schemas"]["DocumentOut"]["properties"]
    assert set(documented) == {*record["properties"], "revisions", "versions_held", "citation"}
    assert documented["date"] == record["properties"]["date"]


def test_a_turn_and_its_lead(api: httpx.Client, spec: dict) -> None:
    lead = got(api, f"/documents/{KREMLIN_MEETING}/turns/0")
    valid(spec, "/documents/{doc_ref}/turns/{n}", lead)
    assert lead["turn"]["text"].startswith("Mr Donskoy briefed the President")
    assert lead["question"] is None and "turns" not in lead["document"]
    answer = got(api, f"/documents/{HUA_FEB3}/turns/3")
    valid(spec, "/documents/{doc_ref}/turns/{n}", answer)


def test_analyses_answer_as_described(api: httpx.Client, spec: dict) -> None:
    who = got(api, "/who-says", params={"q": "Kazakhstan"})
    valid(spec, "/who-says", who)
    assert who["people"][0]["who"] == "sergey-lavrov"  # the seed: Lavrov to Khabar
    freq = got(api, "/frequencies", params={"limit": 3})
    valid(spec, "/frequencies", freq)
    assert len(freq["rows"]) == 3 and freq["words"] > 10_000
    summary = got(api, "/subcorpus/summary", params={"q": "Kazakhstan", "from": "2018",
                                                     "to": "2018"})  # fmt: skip
    valid(spec, "/subcorpus/summary", summary)
    assert summary["turns"] == 11 and summary["documents"] == 1  # the seed's 11 turns
    quote = "Kazakhstan is our strategic partner and ally"
    for min_score in (0, 80):
        verified = got(api, "/verify", params={"q": quote, "min_score": min_score})
        valid(spec, "/verify", verified)
    assert verified is not None
    with pytest.raises(ValidationError):  # the schemas do check
        valid(spec, "/verify", {**verified, "found": "yes"})
    versions = got(api, f"/documents/{HUA_FEB3}/versions")
    valid(spec, "/documents/{doc_ref}/versions", versions)
    export = got(api, "/search/export", params={"q": "Kazakhstan", "format": "json"})
    valid(spec, "/search/export", export)
    assert export["hits"] and all(h["text"] for h in export["hits"])


def test_tracking_answers_as_described(api: httpx.Client, spec: dict) -> None:
    token = {"authorization": f"Bearer {SERVER_TOKEN}"}
    created = got(api, "/watches", 201, method="POST", headers=token,
                  json={"name": "models-kz", "query": "Kazakhstan"})  # fmt: skip
    valid(spec, "/watches", created, method="post", code="201")
    try:
        valid(spec, "/watches", got(api, "/watches"))
        hits = got(api, "/watches/models-kz", params={"limit": 3})
        valid(spec, "/watches/{name}", hits)
        assert hits["hits"] and all("Kazakhstan" in h["snippet"] for h in hits["hits"])
        valid(spec, "/changes", got(api, "/changes"))
    finally:
        deleted = got(api, "/watches/models-kz", method="DELETE", headers=token)
    valid(spec, "/watches/{name}", deleted, method="delete")
    assert deleted == {"deleted": "models-kz"}
