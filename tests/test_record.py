"""The export contract: records validate against the shipped JSON Schema; kinds by title."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest

from communique.ingest.pipeline import parse_raw
from communique.model import KINDS, SCHEMA_VERSION, Document
from communique.sources.raw import RawInput
from communique.structure.kinds import classify_kind

from .conftest import CORPUS, SEED

SAMPLES = [
    SEED,
    CORPUS / "kremlin_en" / "html" / "052830.html.gz",
    CORPUS / "fmprc_en_zh" / "zh" / "regular_presscon" / "t1417538.html",
    CORPUS / "whitehouse_briefings" / "html" / "0001.html.gz",
]


@pytest.fixture(scope="module")
def schema() -> dict:
    text = resources.files("communique").joinpath("schema/record.schema.json").read_text()
    return json.loads(text)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_records_validate_and_round_trip(path, schema) -> None:
    parsed = parse_raw(RawInput(path=str(path), data=path.read_bytes(), kind="file"))
    assert parsed.doc is not None, parsed.error or parsed.skip
    record = parsed.doc.to_dict()
    jsonschema.validate(record, schema, format_checker=jsonschema.FormatChecker())
    assert record["schema_version"] == SCHEMA_VERSION
    assert Document.from_dict(json.loads(json.dumps(record))).to_dict() == record


def test_schema_checks_dates_as_dates(schema) -> None:
    """A date that has the right shape but does not exist (2021-02-29) is refused."""
    path = SAMPLES[1]
    parsed = parse_raw(RawInput(path=str(path), data=path.read_bytes(), kind="file"))
    assert parsed.doc is not None
    record = parsed.doc.to_dict()
    checker = jsonschema.FormatChecker()
    jsonschema.validate(record, schema, format_checker=checker)
    for bad in ("2021-02-29", "2020-02-30", "2020-13-01"):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({**record, "date": bad}, schema, format_checker=checker)


def test_schema_kinds_match_the_model(schema) -> None:
    assert tuple(schema["properties"]["kind"]["enum"]) == KINDS


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Foreign Ministry Spokesperson Hua Chunying's Regular Press Conference on May 11, 2018",
         "briefing"),
        ("Press Briefing by Press Secretary Josh Earnest, 8/3/2016", "briefing"),
        ("Press Gaggle by Press Secretary Jay Carney aboard Air Force One", "briefing"),
        ("Brief Spokesperson", "other"),
        ("Interview to Bloomberg", "interview"),
        ("News conference of Vladimir Putin", "press_conference"),
        ("Press Conference by the President After Meeting with National Security Officials",
         "press_conference"),
        ("Выступление и ответы на вопросы СМИ Министра иностранных дел Российской Федерации",
         "press_conference"),
        ("Обращение Президента Российской Федерации", "speech"),
        ("Remarks to the United Nations Security Council", "speech"),
        ("Terrorist Designation Under Executive Order 13224", "other"),
        ("Statement by the Press Secretary on the Visit of President Xi", "statement"),
        ("Working meeting with Natural Resources and Environment Minister Sergei Donskoy",
         "meeting"),
        ("2016年11月22日外交部发言人耿爽主持例行记者会", "briefing"),
        ("外交部发言人就美国国务院涉港声明答记者问", "comment"),
    ],
)  # fmt: skip
def test_kind_from_title(title: str, kind: str) -> None:
    assert classify_kind(title) == kind
