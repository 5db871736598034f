"""Naming the branch of nullable records for fastavro writes the same bytes, leaves the
caller's record alone, and stays out of unions that fastavro must decide itself."""

from __future__ import annotations

import copy
import io
from typing import Any

import fastavro
import pytest

from hub.serde.union_tags import union_tagger

POINT = {
    "type": "record",
    "name": "Point",
    "fields": [
        {"name": "x", "type": "float"},
        {"name": "y", "type": "float"},
        {"name": "label", "type": ["null", "string"], "default": None},
    ],
}
SCHEMA = {
    "type": "record",
    "name": "ex.Event",
    "fields": [
        {"name": "id", "type": "string"},
        {"name": "point", "type": ["null", POINT]},
        {"name": "path", "type": {"type": "array", "items": ["null", "Point"]}},
        {"name": "named", "type": {"type": "map", "values": ["null", "Point"]}},
        {"name": "either", "type": ["null", "string", "Point"]},
        {
            "name": "next",
            "type": [
                "null",
                {
                    "type": "record",
                    "name": "Link",
                    "fields": [
                        {"name": "at", "type": ["null", "Point"]},
                        {"name": "next", "type": ["null", "Link"]},
                    ],
                },
            ],
        },
    ],
}
PARSED = fastavro.parse_schema(SCHEMA)


def _write(record: Any) -> bytes:
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, PARSED, record)
    return buffer.getvalue()


RECORDS: list[dict[str, Any]] = [
    {"id": "a", "point": None, "path": [], "named": {}, "either": None, "next": None},
    {
        "id": "b",
        "point": {"x": 1.0, "y": 2.0},
        "path": [None, {"x": 3.0, "y": 4.0}],
        "named": {"x": {"x": 5.0, "y": 6.0}, "y": None},
        "either": {"x": 7.0, "y": 8.0},
        "next": {"at": {"x": 9.0, "y": 1.0}, "next": {"at": None, "next": None}},
    },
    {"id": "c", "point": None, "path": [], "named": {}, "either": "text", "next": None},
]


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r["id"])
def test_tagged_records_are_written_to_the_same_bytes(record: dict[str, Any]) -> None:
    tag = union_tagger(PARSED)
    assert tag is not None
    kept = copy.deepcopy(record)
    assert _write(tag(record)) == _write(record)
    assert record == kept, "the caller's record is not changed"


def test_branches_are_named_where_one_record_is_the_only_alternative() -> None:
    tag = union_tagger(PARSED)
    assert tag is not None
    tagged = tag(RECORDS[1])
    assert tagged["point"] == ("ex.Point", {"x": 1.0, "y": 2.0})
    assert tagged["path"][0] is None and tagged["path"][1][0] == "ex.Point"
    assert tagged["named"]["x"][0] == "ex.Point" and tagged["named"]["y"] is None
    assert tagged["either"] == {"x": 7.0, "y": 8.0}, "several alternatives: fastavro's"
    link = tagged["next"]
    assert link[0] == "ex.Link" and link[1]["next"][0] == "ex.Link", "a record in itself"


def test_a_value_that_is_not_a_record_is_left_for_fastavro_to_refuse() -> None:
    tag = union_tagger(PARSED)
    assert tag is not None
    assert tag({**RECORDS[0], "point": 5})["point"] == 5
    assert tag("not a record") == "not a record"


def test_a_schema_without_nullable_records_needs_no_tagging() -> None:
    flat = {"type": "record", "name": "F", "fields": [{"name": "a", "type": ["null", "int"]}]}
    assert union_tagger(fastavro.parse_schema(flat)) is None
