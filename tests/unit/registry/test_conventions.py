"""The house rules: each broken rule is one line naming file and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hub.catalog.conventions import check_files, check_streams, snake_case
from hub.catalog.files import SchemaCatalog

ROOT = Path(__file__).resolve().parents[3]
GOOD_FIELD = {"name": "envelope", "type": "linkage.common.Envelope", "doc": "Shared event fields."}


def test_the_shipped_catalogue_follows_every_rule() -> None:
    catalog = SchemaCatalog.load(ROOT / "schemas")
    assert [str(p) for p in check_files(catalog, ROOT)] == []
    import yaml

    streams = yaml.safe_load((ROOT / "policies" / "streams.yaml").read_text())["streams"]
    assert check_streams(catalog, [(s["id"], s["schema"]) for s in streams]) == []


def _catalogue_with(tmp_path: Path, folder: str, file: str, schema: dict) -> list[str]:
    common = tmp_path / "schemas" / "common"
    common.mkdir(parents=True)
    for path in (ROOT / "schemas" / "common").glob("*.avsc"):
        (common / path.name).write_text(path.read_text())
    target = tmp_path / "schemas" / folder / file
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(schema))
    return [str(p) for p in check_files(SchemaCatalog.load(tmp_path / "schemas"), tmp_path)]


def event(
    *fields: dict, name: str = "BedCount", namespace: str = "linkage.health", doc: str = "Beds."
) -> dict:
    return {
        "type": "record",
        "name": name,
        "namespace": namespace,
        "doc": doc,
        "fields": [GOOD_FIELD, *fields],
    }


@pytest.mark.parametrize(
    ("schema", "file", "expected"),
    [
        (
            event({"name": "beds", "type": "int"}),
            "bed_count.avsc",
            "schemas/health/bed_count.avsc: field BedCount.beds has no doc",
        ),
        (
            event(doc=""),
            "bed_count.avsc",
            "schemas/health/bed_count.avsc: type BedCount has no doc",
        ),
        (
            event(
                {
                    "name": "name",
                    "type": ["null", "string"],
                    "default": None,
                    "doc": "x",
                    "tags": ["secret"],
                }
            ),
            "bed_count.avsc",
            "field BedCount.name: unknown tag 'secret'; known tags are medical, pii, precise-location",
        ),
        (
            event({"name": "freeBeds", "type": "int", "doc": "x"}),
            "bed_count.avsc",
            "field BedCount.freeBeds: name should be snake_case",
        ),
        (event(name="bedCount"), "bed_count.avsc", "type name 'bedCount' should be PascalCase"),
        (event(), "beds.avsc", "file name should be bed_count.avsc for type BedCount"),
        (
            event(namespace="linkage.hospital"),
            "bed_count.avsc",
            "namespace is 'linkage.hospital'; files in health/ use 'linkage.health'",
        ),
        (
            event(
                {
                    "name": "s",
                    "type": {"type": "enum", "name": "Ward", "doc": "d", "symbols": ["icu"]},
                    "doc": "x",
                }
            ),
            "bed_count.avsc",
            "enum Ward symbol 'icu' should start with an upper-case letter",
        ),
        (
            event({"name": "n", "type": ["string", "null"], "default": None, "doc": "x"}),
            "bed_count.avsc",
            "field BedCount.n: a null default needs 'null' as the first type of the union",
        ),
        (
            event({"name": "n", "type": "int", "default": "many", "doc": "x"}),
            "bed_count.avsc",
            "invalid default: Default value <many>",
        ),
        (
            {
                "type": "record",
                "name": "BedCount",
                "namespace": "linkage.health",
                "doc": "d",
                "fields": [{"name": "beds", "type": "int", "doc": "x"}],
            },
            "bed_count.avsc",
            "an event schema's first field must be envelope of type linkage.common.Envelope",
        ),
    ],
    ids=[
        "field-doc",
        "type-doc",
        "tag",
        "field-name",
        "type-name",
        "file-name",
        "namespace",
        "symbol",
        "null-default",
        "bad-default",
        "no-envelope",
    ],
)
def test_each_broken_rule_is_one_line(
    tmp_path: Path, schema: dict, file: str, expected: str
) -> None:
    problems = _catalogue_with(tmp_path, "health", file, schema)
    assert any(expected in p for p in problems), problems
    assert all(p.startswith("schemas/health/") for p in problems)


def test_a_stream_without_schema_and_a_schema_without_stream_are_reported() -> None:
    catalog = SchemaCatalog.load(ROOT / "schemas")
    problems = [str(p) for p in check_streams(catalog, [("health.beds", "linkage.health.Nothing")])]
    assert (
        "policies/streams.yaml: health.beds: schema linkage.health.Nothing is not in schemas/"
        in problems
    )
    assert any("linkage.meteorology.Warning is used by no stream" in p for p in problems)


def test_snake_case() -> None:
    assert snake_case("IncidentReport") == "incident_report"
    assert snake_case("Warning") == "warning"
