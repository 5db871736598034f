"""(record, expected problem) tables: every rejection names the field path."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from hub.errors import RecordRejected
from hub.serde.validate import compile_validator

SCHEMA = {
    "type": "record",
    "name": "Event",
    "namespace": "t",
    "fields": [
        {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
        {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "count", "type": "int"},
        {"name": "level", "type": {"type": "enum", "name": "Level", "symbols": ["I", "II"]}},
        {"name": "note", "type": ["null", "string"], "default": None},
        {
            "name": "area",
            "type": [
                "null",
                {
                    "type": "record",
                    "name": "Area",
                    "fields": [
                        {"name": "code", "type": ["null", "string"], "default": None},
                        {
                            "name": "points",
                            "type": {
                                "type": "array",
                                "items": {
                                    "type": "record",
                                    "name": "P",
                                    "fields": [{"name": "lat", "type": "double"}],
                                },
                            },
                            "default": [],
                        },
                    ],
                },
            ],
            "default": None,
        },
        {"name": "tags", "type": {"type": "map", "values": "string"}, "default": {}},
        {"name": "again", "type": ["null", "t.Level"], "default": None},
    ],
}

GOOD = {
    "id": str(uuid.uuid4()),
    "at": datetime(2026, 1, 1, tzinfo=UTC),
    "count": 3,
    "level": "I",
    "area": {"code": "440311", "points": [{"lat": 22.7}]},
    "tags": {"a": "b"},
}

validate = compile_validator(SCHEMA)


def test_a_good_record_passes() -> None:
    validate(GOOD)
    validate({**GOOD, "at": 1_700_000_000_000, "id": uuid.uuid4(), "again": "II", "note": None})


@pytest.mark.parametrize(
    ("change", "path", "reason"),
    [
        ({"count": "3"}, "count", "expected an int, got str '3'"),
        ({"count": True}, "count", "expected an int, got bool True"),
        ({"count": 2**31}, "count", "out of range"),
        ({"level": "V"}, "level", "'V' is not one of I, II"),
        ({"again": "V"}, "again", "'V' is not one of I, II"),
        ({"id": "not-a-uuid"}, "id", "'not-a-uuid' is not a UUID"),
        ({"at": datetime(2026, 1, 1)}, "at", "no timezone"),
        ({"at": "2026-01-01"}, "at", "expected a datetime or epoch timestamp-millis"),
        ({"area": {"code": 440311}}, "area.code", "expected a string, got int 440311"),
        (
            {"area": {"points": [{"lat": 1.0}, {"lat": "x"}]}},
            "area.points[1].lat",
            "expected a double",
        ),
        ({"area": {"points": {"lat": 1.0}}}, "area.points", "expected an array"),
        ({"tags": {"a": 1}}, "tags['a']", "expected a string"),
        ({"surprise": 1}, "surprise", "field is not in schema t.Event"),
    ],
)
def test_a_bad_value_is_rejected_with_its_path(change: dict, path: str, reason: str) -> None:
    with pytest.raises(RecordRejected) as caught:
        validate({**GOOD, **change})
    assert caught.value.path == path
    assert reason in caught.value.reason


def test_a_missing_required_field_is_named() -> None:
    record = {k: v for k, v in GOOD.items() if k != "level"}
    with pytest.raises(RecordRejected) as caught:
        validate(record)
    assert (caught.value.path, caught.value.reason) == ("level", "required field is missing")


def test_a_record_that_is_not_a_mapping_is_rejected_at_the_root() -> None:
    with pytest.raises(RecordRejected, match="<record>: expected a record"):
        validate(["not", "a", "record"])
