"""Masks and row filters as tables: (grant, record) -> what the reader sees.

The schema below has a field of each shape a mask must reach: plain, nullable, nested,
in an array, in a map, in a union of records, and a point.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any

import pytest

from hub.policy.model import Policy
from hub.policy.plan import compile_plan
from hub.policy.rules import Grant

KEY = b"k" * 32
POINT = {
    "type": "record",
    "name": "Point",
    "fields": [{"name": "lat", "type": "double"}, {"name": "lon", "type": "double"}],
}
SCHEMA: dict[str, Any] = {
    "type": "record",
    "name": "Case",
    "namespace": "linkage.test",
    "fields": [
        {
            "name": "envelope",
            "type": {
                "type": "record",
                "name": "Env",
                "fields": [
                    {
                        "name": "area",
                        "type": [
                            "null",
                            {
                                "type": "record",
                                "name": "Area",
                                "fields": [
                                    {"name": "district_code", "type": ["null", "string"]},
                                    {
                                        "name": "point",
                                        "type": ["null", POINT],
                                        "tags": ["precise-location"],
                                    },
                                ],
                            },
                        ],
                    },
                    {"name": "severity", "type": ["null", "string"]},
                    {
                        "name": "classification",
                        "type": {
                            "type": "record",
                            "name": "Kind",
                            "fields": [{"name": "category", "type": "string"}],
                        },
                    },
                    {"name": "sensitivity", "type": "string"},
                ],
            },
        },
        {"name": "name", "type": ["null", "string"], "tags": ["pii"]},
        {"name": "code", "type": "string", "tags": ["pii"]},
        {"name": "age", "type": ["null", "int"], "tags": ["pii"]},
        {"name": "count", "type": "int", "tags": ["pii"]},
        {"name": "phone", "type": ["null", "string"], "tags": ["pii"]},
        {"name": "address", "type": ["null", "string"], "tags": ["precise-location"]},
        {
            "name": "seen_at",
            "type": {"type": "long", "logicalType": "timestamp-millis"},
            "tags": ["pii"],
        },
        {"name": "diagnosis", "type": ["null", "string"], "tags": ["medical", "pii"]},
        {
            "name": "patients",
            "type": {
                "type": "array",
                "items": {
                    "type": "record",
                    "name": "Patient",
                    "fields": [
                        {"name": "id_number", "type": "string", "tags": ["pii"]},
                        {"name": "injuries", "type": ["null", "string"], "tags": ["medical"]},
                        {"name": "ward", "type": "string"},
                    ],
                },
            },
        },
        {"name": "notes", "type": {"type": "map", "values": ["null", "string"]}},
        {
            "name": "contact",
            "type": [
                "null",
                {
                    "type": "record",
                    "name": "Person",
                    "fields": [{"name": "person_name", "type": "string", "tags": ["pii"]}],
                },
                {
                    "type": "record",
                    "name": "Office",
                    "fields": [{"name": "office_name", "type": "string"}],
                },
            ],
        },
    ],
}


def record(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "envelope": {
            "area": {"district_code": "440311", "point": {"lat": 22.7612, "lon": 113.9421}},
            "severity": "II",
            "classification": {"category": "ACCIDENT_DISASTER"},
            "sensitivity": "RESTRICTED",
        },
        "name": "Li Ming",
        "code": "A-123",
        "age": 37,
        "count": 4,
        "phone": "13800138000",
        "address": "光明区公明街道长圳社区 12 号",
        "seen_at": datetime(2015, 12, 20, 11, 42, 31, tzinfo=UTC),
        "diagnosis": "fracture",
        "patients": [
            {"id_number": "440300199001011234", "injuries": "burns", "ward": "3B"},
            {"id_number": "440300199202022345", "injuries": None, "ward": "4A"},
        ],
        "notes": {"triage": "red", "other": None},
        "contact": {"person_name": "Wang Fang"},
    }
    base.update(changes)
    return base


@pytest.fixture(scope="module")
def policy() -> Policy:
    from pathlib import Path

    from hub.policy.loader import load_policy

    return load_policy(Path(__file__).resolve().parents[3] / "policies")


def grant(**fields: Any) -> Grant:
    return Grant.model_validate(
        {
            "id": "test-grant",
            "reader": "health",
            "stream": "emergency.incident-report",
            "why": "a test grant",
            **fields,
        }
    )


def shown(policy: Policy, g: Grant, rec: dict[str, Any] | None = None) -> dict[str, Any] | None:
    return compile_plan(SCHEMA, g, policy=policy, hash_key=KEY).apply(rec or record())


def test_defaults_redact_pii_and_medical_and_coarsen_locations(policy: Policy) -> None:
    out = shown(policy, grant())
    assert out is not None
    assert out["name"] is None, "nullable: null"
    assert out["code"] == "[redacted]", "required string: a marker"
    assert "count" not in out, "required int: left out"
    assert out["age"] is None and out["phone"] is None and out["diagnosis"] is None
    assert out["envelope"]["area"]["point"] == {"lat": 22.75, "lon": 113.92}, "Guangming's centroid"
    assert out["address"] == "光明区 (440311)"
    assert [p["id_number"] for p in out["patients"]] == ["[redacted]", "[redacted]"]
    assert [p["injuries"] for p in out["patients"]] == [None, None]
    assert [p["ward"] for p in out["patients"]] == ["3B", "4A"], "untagged fields stay"
    assert out["contact"] == {"person_name": "[redacted]"}, "inside a union of records"
    assert out["notes"] == {"triage": "red", "other": None}
    assert "seen_at" not in out, "a required time with a pii tag: left out"


def test_the_original_record_is_never_changed(policy: Policy) -> None:
    original = record()
    shown(policy, grant(), original)
    assert original == record()


@pytest.mark.parametrize(
    ("mask", "field", "expected"),
    [
        (
            {"path": "phone", "method": "partial", "keep": "last", "chars": 4},
            "phone",
            "*******8000",
        ),
        (
            {"path": "phone", "method": "partial", "keep": "first", "chars": 3},
            "phone",
            "138********",
        ),
        ({"path": "code", "method": "partial", "chars": 8}, "code", "*****"),
        ({"path": "age", "method": "generalize"}, "age", "30-39"),
        ({"path": "age", "method": "generalize", "band": 5}, "age", "35-39"),
        ({"path": "count", "method": "generalize"}, "count", "0-9"),
        (
            {"path": "seen_at", "method": "generalize", "to": "hour"},
            "seen_at",
            datetime(2015, 12, 20, 11, tzinfo=UTC),
        ),
        (
            {"path": "seen_at", "method": "generalize", "to": "day"},
            "seen_at",
            datetime(2015, 12, 20, tzinfo=UTC),
        ),
        ({"path": "name", "method": "generalize"}, "name", None),
        ({"path": "address", "method": "redact"}, "address", None),
        ({"tag": "pii", "method": "drop"}, "name", "<absent>"),
        (
            {"path": "name", "method": "hash"},
            "name",
            hmac.new(KEY, b"Li Ming", hashlib.sha256).hexdigest(),
        ),
    ],
    ids=lambda v: (
        f"{v.get('method')}-{v.get('path') or v.get('tag')}" if isinstance(v, dict) else None
    ),
)
def test_each_method(policy: Policy, mask: dict[str, Any], field: str, expected: Any) -> None:
    out = shown(policy, grant(masks=[mask]))
    assert out is not None
    assert out.get(field, "<absent>") == expected


def test_coarsening_to_a_grid_and_outside_known_districts(policy: Policy) -> None:
    g = grant(masks=[{"tag": "precise-location", "method": "coarsen", "to": "grid", "grid": 0.01}])
    out = shown(policy, g)
    assert out is not None
    assert out["envelope"]["area"]["point"] == {"lat": 22.765, "lon": 113.945}
    elsewhere = record(
        envelope={
            **record()["envelope"],
            "area": {"district_code": "110101", "point": {"lat": 39.9123, "lon": 116.3975}},
        }
    )
    out = shown(policy, grant(), elsewhere)
    assert out is not None
    assert out["envelope"]["area"]["point"] is None, "an unknown district: redacted, not a grid"
    assert out["address"] == "110101", "an address becomes the district it is in"


def test_a_path_mask_beats_a_tag_mask_and_unmask_by_path_or_tag(policy: Policy) -> None:
    g = grant(
        masks=[{"tag": "pii", "method": "drop"}, {"path": "name", "method": "partial", "chars": 2}]
    )
    out = shown(policy, g)
    assert out is not None
    assert out["name"] == "*****ng" and "phone" not in out
    g = grant(unmask=[{"path": "phone", "why": "call-backs to the reporter"}])
    out = shown(policy, g)
    assert out is not None
    assert out["phone"] == "13800138000" and out["name"] is None
    g = grant(unmask=[{"tag": "precise-location", "why": "ambulances need the exact scene"}])
    out = shown(policy, g)
    assert out is not None
    assert out["envelope"]["area"]["point"] == {"lat": 22.7612, "lon": 113.9421}


def test_a_field_with_two_tags_takes_the_strongest_mask(policy: Policy) -> None:
    g = grant(unmask=[{"tag": "pii", "why": "the reader treats the patients"}])
    out = shown(policy, g)
    assert out is not None
    assert out["name"] == "Li Ming", "pii unmasked"
    assert out["diagnosis"] is None, "still medical"
    g = grant(masks=[{"tag": "medical", "method": "hash"}, {"tag": "pii", "method": "drop"}])
    out = shown(policy, g)
    assert out is not None
    assert "diagnosis" not in out, "drop beats hash"


def test_the_plan_names_every_masked_field(policy: Policy) -> None:
    plan = compile_plan(SCHEMA, grant(), policy=policy, hash_key=KEY)
    assert set(plan.masked) >= {
        "envelope.area.point:coarsen",
        "name:redact",
        "patients[].id_number:redact",
        "patients[].injuries:redact",
        "contact.person_name:redact",
        "address:coarsen",
    }
    assert not any(m.startswith("patients[].ward") for m in plan.masked)


def env(**changes: Any) -> dict[str, Any]:
    return record(envelope={**record()["envelope"], **changes})


@pytest.mark.parametrize(
    ("rule", "rec", "kept"),
    [
        ({"districts": ["440311"]}, record(), True),
        ({"districts": ["440305"]}, record(), False),
        ({"districts": ["440311"]}, env(area=None), False),
        ({"severity_at_least": "II"}, record(), True),
        ({"severity_at_least": "I"}, record(), False),
        ({"severity_at_least": "III"}, env(severity="IV"), False),
        ({"severity_at_least": "IV"}, env(severity=None), False),
        ({"categories": ["ACCIDENT_DISASTER"]}, record(), True),
        ({"categories": ["PUBLIC_HEALTH"]}, record(), False),
        # A routine event names no category: kept out by a category filter, deny by
        # default, and served where the filter asks nothing of its kind.
        ({"categories": ["ACCIDENT_DISASTER"]}, env(classification=None), False),
        ({"districts": ["440311"]}, env(classification=None), True),
        ({"sensitivity_at_most": "RESTRICTED"}, record(), True),
        ({"sensitivity_at_most": "INTERNAL"}, record(), False),
        ({"sensitivity_at_most": "INTERNAL"}, env(sensitivity="PUBLIC"), True),
        ({"districts": ["440311"], "severity_at_least": "I"}, record(), False),
    ],
)
def test_row_filters(policy: Policy, rule: dict[str, Any], rec: dict[str, Any], kept: bool) -> None:
    out = compile_plan(SCHEMA, grant(filter=rule), policy=policy, hash_key=KEY).apply(rec)
    assert (out is not None) == kept


CONTACT = {
    "type": "record",
    "name": "Contact",
    "fields": [{"name": "phone", "type": "string", "tags": ["pii"]}],
}


def test_masks_reach_maps_and_arrays_inside_unions_of_several_branches(policy: Policy) -> None:
    schema = {
        "type": "record",
        "name": "Shapes",
        "fields": [
            {
                "name": "c",
                "type": [
                    "null",
                    {"type": "map", "values": CONTACT},
                    {"type": "array", "items": "Contact"},
                ],
            },
            {
                "name": "d",
                "type": [
                    {"type": "record", "name": "Other", "fields": [{"name": "x", "type": "int"}]},
                    {"type": "map", "values": "Contact"},
                ],
            },
        ],
    }
    plan = compile_plan(schema, grant(), policy=policy, hash_key=KEY)
    as_map = plan.apply(
        {"c": {"home": {"phone": "13800138000"}}, "d": {"work": {"phone": "13900139000"}}}
    )
    assert as_map == {
        "c": {"home": {"phone": "[redacted]"}},
        "d": {"work": {"phone": "[redacted]"}},
    }
    as_list = plan.apply({"c": [{"phone": "13800138000"}], "d": {"x": 1}})
    assert as_list == {"c": [{"phone": "[redacted]"}], "d": {"x": 1}}


def test_a_location_is_coarsened_to_the_district_of_the_area_that_holds_it(policy: Policy) -> None:
    area = {
        "type": "record",
        "name": "Area",
        "fields": [
            {"name": "district_code", "type": ["null", "string"]},
            {"name": "point", "type": ["null", POINT], "tags": ["precise-location"]},
        ],
    }
    schema = {
        "type": "record",
        "name": "Move",
        "fields": [
            {
                "name": "envelope",
                "type": {
                    "type": "record",
                    "name": "Env",
                    "fields": [{"name": "area", "type": area}],
                },
            },
            {"name": "destination", "type": "Area"},
        ],
    }
    plan = compile_plan(schema, grant(), policy=policy, hash_key=KEY)
    out = plan.apply(
        {
            "envelope": {"area": {"district_code": "440306", "point": {"lat": 22.6, "lon": 113.8}}},
            "destination": {"district_code": "440311", "point": {"lat": 22.76, "lon": 113.94}},
        }
    )
    assert out is not None
    assert out["envelope"]["area"]["point"] == {"lat": 22.66, "lon": 113.86}, "Bao'an"
    assert out["destination"]["point"] == {"lat": 22.75, "lon": 113.92}, "Guangming, its own"


def test_a_coarsened_place_keeps_nothing_finer_beside_it(policy: Policy) -> None:
    place = {
        "type": "record",
        "name": "Place",
        "fields": [
            {"name": "lat", "type": "double"},
            {"name": "lon", "type": "double"},
            {"name": "resident", "type": ["null", "string"], "tags": ["pii"]},
        ],
    }
    circle = {
        "type": "record",
        "name": "Ring",
        "fields": [
            {"name": "center", "type": POINT},
            {"name": "radius_km", "type": "double"},
            {"name": "label", "type": ["null", "string"]},
        ],
    }
    schema = {
        "type": "record",
        "name": "Sighting",
        "fields": [
            {"name": "district_code", "type": "string"},
            {"name": "where", "type": place, "tags": ["precise-location"]},
            {"name": "ring", "type": circle, "tags": ["precise-location"]},
        ],
    }
    plan = compile_plan(schema, grant(), policy=policy, hash_key=KEY)
    out = plan.apply(
        {
            "district_code": "440311",
            "where": {"lat": 22.771234, "lon": 113.934567, "resident": "Li Ming"},
            "ring": {
                "center": {"lat": 22.771234, "lon": 113.934567},
                "radius_km": 0.2,
                "label": "Hengtaiyu gate 3",
            },
        }
    )
    assert out is not None
    assert out["where"] == {"lat": 22.75, "lon": 113.92, "resident": None}
    assert out["ring"] == {"center": {"lat": 22.75, "lon": 113.92}, "radius_km": 0.2, "label": None}
