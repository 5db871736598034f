"""Union evolution against Confluent's answers: (history, candidate, mode) -> what breaks, where.

The verdicts are those of Avro Java's ``SchemaCompatibility`` as Confluent's registry runs
it, checked case by case; the field names are ours (Confluent names JSON pointers). A
union index in a checker location is the writer's, so narrowing a union once crashed the
field naming with an IndexError.
"""

from __future__ import annotations

import json
import re
from typing import Any

import avro.schema
import pytest

from hub.registry.compatibility import PreviousVersion, check_compatibility, field_path
from hub.serde.modes import CompatibilityMode


def rec(name: str, *fields: dict[str, Any]) -> dict[str, Any]:
    return {"type": "record", "name": name, "fields": list(fields)}


def f(name: str, type_: Any, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, **extra}


def cas(*names: str) -> dict[str, Any]:
    return rec("Casualties", *(f(n, "int") for n in names))


EST = rec("Estimate", f("low", "int"), f("high", "int"))
A1, A2, B = (
    rec("A", f("x", "int")),
    rec("A", f("x", "int"), f("y", "int")),
    rec("B", f("z", "string")),
)
MUB, TM, DEF = "MISSING_UNION_BRANCH", "TYPE_MISMATCH", "READER_FIELD_MISSING_DEFAULT_VALUE"
ROOT = "<root>"
# What breaks in each direction: BACKWARD (the candidate reads the history) and FORWARD
# (the history reads the candidate); FULL is both.
CASES: list[tuple[str, Any, Any, set[tuple[str, str]], set[tuple[str, str]]]] = [
    ("branch added", ["null", "string"], ["null", "string", "int"], set(), {(MUB, ROOT)}),
    ("branch removed", ["null", "string", "int"], ["null", "string"], {(MUB, ROOT)}, set()),
    ("branches reordered", ["null", "string", "int"], ["int", "null", "string"], set(), set()),
    ("nullable wrapper added", "string", ["null", "string"], set(), {(TM, ROOT)}),
    ("nullable wrapper removed", ["null", "string"], "string", {(TM, ROOT)}, set()),
    (
        "field: nullable added",
        rec("R", f("id", "int"), f("status", "string")),
        rec("R", f("id", "int"), f("status", ["null", "string"], default=None)),
        set(),
        {(TM, "status")},
    ),
    (
        "field: nullable record added",
        rec("R", f("id", "int"), f("casualties", cas("injured"))),
        rec("R", f("id", "int"), f("casualties", ["null", cas("injured")], default=None)),
        set(),
        {(TM, "casualties")},
    ),
    (
        "field: nullable removed",
        rec("R", f("id", "int"), f("status", ["null", "string"], default=None)),
        rec("R", f("id", "int"), f("status", "string")),
        {(TM, "status")},
        set(),
    ),
    (
        "field: branch removed",
        rec("R", f("id", "int"), f("status", ["null", "int", "string"])),
        rec("R", f("id", "int"), f("status", ["null", "int"])),
        {(MUB, "status")},
        set(),
    ),
    (
        "field: branch added",
        rec("R", f("id", "int"), f("status", ["null", "int"])),
        rec("R", f("id", "int"), f("status", ["null", "int", "string"])),
        set(),
        {(MUB, "status")},
    ),
    (
        "field: branches reordered",
        rec("R", f("id", "int"), f("status", ["null", "int", "string"])),
        rec("R", f("id", "int"), f("status", ["string", "null", "int"])),
        set(),
        set(),
    ),
    (
        "nested field narrowed",
        rec(
            "I",
            f("id", "int"),
            f("casualties", rec("C", f("n", "int"), f("trapped", ["null", "int", "string"]))),
        ),
        rec(
            "I",
            f("id", "int"),
            f("casualties", rec("C", f("n", "int"), f("trapped", ["null", "int"]))),
        ),
        {(MUB, "casualties.trapped")},
        set(),
    ),
    ("records: [A,B] -> [A]", [A1, B], [A1], {(MUB, ROOT)}, set()),
    ("records: [A,B] -> [B]", [A1, B], [B], {(MUB, ROOT)}, set()),
    ("records: a field removed from A", [A2, B], [A1, B], set(), {(MUB, ROOT)}),
    ("records: a field added to A", [A1, B], [A2, B], {(MUB, ROOT)}, set()),
    (
        "field of records: branch removed",
        rec("I", f("id", "int"), f("casualties", ["null", cas("injured", "trapped"), EST])),
        rec("I", f("id", "int"), f("casualties", ["null", cas("injured", "trapped")])),
        {(MUB, "casualties")},
        set(),
    ),
    (
        "field of records: a branch's field removed",
        rec("I", f("id", "int"), f("casualties", ["null", cas("injured", "trapped"), EST])),
        rec("I", f("id", "int"), f("casualties", ["null", cas("injured"), EST])),
        set(),
        {(MUB, "casualties")},
    ),
    (
        "field: nullable record unwrapped and grown",
        rec("I", f("casualties", ["null", cas("injured")]), f("id", "int")),
        rec("I", f("casualties", cas("injured", "trapped")), f("id", "int")),
        {(TM, "casualties"), (DEF, "casualties.trapped")},
        set(),
    ),
    (
        "array items: branch removed",
        rec("R", f("tags", {"type": "array", "items": ["int", "string"]})),
        rec("R", f("tags", {"type": "array", "items": ["int"]})),
        {(MUB, "tags[]")},
        set(),
    ),
    (
        "array items: union to a plain type",
        rec("R", f("tags", {"type": "array", "items": ["int", "string"]})),
        rec("R", f("tags", {"type": "array", "items": "int"})),
        {(TM, "tags[]")},
        set(),
    ),
    (
        "array of records: a union narrowed",
        rec(
            "R",
            f("events", {"type": "array", "items": rec("E", f("s", ["null", "int", "string"]))}),
        ),
        rec("R", f("events", {"type": "array", "items": rec("E", f("s", ["null", "int"]))})),
        {(MUB, "events[].s")},
        set(),
    ),
    (
        "map values: branch removed",
        rec("R", f("attrs", {"type": "map", "values": ["null", "string", "int"]})),
        rec("R", f("attrs", {"type": "map", "values": ["null", "string"]})),
        {(MUB, "attrs{}")},
        set(),
    ),
]
MODES = {
    CompatibilityMode.BACKWARD: (True, False),
    CompatibilityMode.FORWARD: (False, True),
    CompatibilityMode.FULL: (True, True),
}


def parse(schema: Any) -> avro.schema.Schema:
    return avro.schema.parse(json.dumps(schema))


def broken(messages: list[str]) -> set[tuple[str, str]]:
    found = set()
    for message in messages:
        kind = re.search(r"errorType:'(\w+)'", message)
        field = re.search(r"field:'([^']*)'", message)
        assert kind and field, message
        found.add((kind.group(1), field.group(1)))
    return found


@pytest.mark.parametrize("mode", list(MODES), ids=str)
@pytest.mark.parametrize(
    ("history", "candidate", "backward", "forward"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_union_changes_are_judged_as_confluent_judges_them(
    mode: CompatibilityMode, history: Any, candidate: Any, backward: set, forward: set
) -> None:
    checks_backward, checks_forward = MODES[mode]
    expected = (backward if checks_backward else set()) | (forward if checks_forward else set())
    report = check_compatibility(mode, parse(candidate), [PreviousVersion(3, parse(history))])
    assert report.compatible == (not expected)
    assert broken(report.messages) == expected
    for message in report.messages:
        assert f"compatibility:'{mode.value}'" in message and "oldSchemaVersion:3" in message


def test_field_path_never_raises_on_a_location_that_fits_neither_schema() -> None:
    schema = parse(rec("R", f("a", ["null", "int"]), f("b", {"type": "array", "items": "int"})))
    for location in ("/fields/9", "/fields/0/type/7", "/fields/1/type/items/3", "/x/y", "/fields"):
        assert isinstance(field_path(schema, location), str)
    assert field_path(schema, "/fields/0/type/1") == "a"
