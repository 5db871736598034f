"""One closure from the feed becomes one road-closure event.

The feed's statuses are the operations centre's: ``closed``, ``restricted`` and
``congested`` are the schema's states; ``open``, ``lifted`` (ended) and ``cancelled``
(called off before it began) all mean the road is open again, which the schema says
with status ``OPEN``. Times need their UTC offset. ``category`` is the GB/T 35561
category the centre gives a closure it ties to an emergency; without one, a closure
is an accident and disaster (交通运输事故 sit there in GB/T 35561).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from connectors.common.values import offset_time
from connectors.common.vocabulary import CATEGORIES
from connectors.road_closures.geometry import area_shape
from hub.connect import RecordRejected

#: The namespace of road-closure event ids: a UUID 5 of the closure's id and the digest
#: of the state read, so the same state of a closure is one event however often it is
#: read. (A closure that returns to a state identical in every field, ``updated_at``
#: included, would repeat an id; the centre's feed stamps every change.)
ROAD_CLOSURE_EVENTS = uuid.UUID("5a48c24b-4869-467b-9c92-0f62abf1dba0")

STATUSES = {
    "closed": "CLOSED",
    "restricted": "RESTRICTED",
    "congested": "CONGESTED",
    "open": "OPEN",
    "lifted": "OPEN",
    "cancelled": "OPEN",
}
SEVERITIES = frozenset({"I", "II", "III", "IV"})
DISTRICT_CODE = re.compile(r"\d{6}")


def event_id(closure_id: str, state_digest: str) -> str:
    return str(uuid.uuid5(ROAD_CLOSURE_EVENTS, f"{closure_id}\n{state_digest}"))


def to_road_closure(closure: Any, *, state_digest: str) -> dict[str, Any]:
    """The event for one closure (a JSON object from the feed's ``closures``)."""
    if not isinstance(closure, Mapping):
        raise RecordRejected("", "a closure is a JSON object")
    closure_id = _required(closure, "id")
    road = _required(closure, "road")
    status = _status(closure)
    is_open = status == "OPEN"
    point, polygon = area_shape(closure.get("geometry"))
    segment_from, segment_to = _text(closure, "from"), _text(closure, "to")
    return {
        "envelope": {
            "event_id": event_id(closure_id, state_digest),
            "occurred_at": _took_effect(closure, is_open),
            "incident_id": _text(closure, "incident_id"),
            "classification": {"category": _category(closure), "code": None, "label": None},
            "severity": _severity(closure),
            "area": {
                "district_code": _district(closure),
                "description": _place(road, segment_from, segment_to),
                "point": point,
                "polygon": polygon,
                "circle": None,
            },
        },
        "road_id": _text(closure, "road_id"),
        "road_name": road,
        "direction": _text(closure, "direction"),
        "segment_from": segment_from,
        "segment_to": segment_to,
        "status": status,
        "restriction": None if is_open else _text(closure, "restriction"),
        "speed_kmh": _speed(closure),
        "reason": _text(closure, "reason"),
        "detour": None if is_open else _text(closure, "detour"),
        "expected_reopen_at": None if is_open else _time(closure, "ends_at"),
    }


def _text(closure: Mapping[str, Any], key: str) -> str | None:
    value = closure.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise RecordRejected(key, f"expected text, not {type(value).__name__}")
    return str(value).strip() or None


def _required(closure: Mapping[str, Any], key: str) -> str:
    text = _text(closure, key)
    if text is None:
        raise RecordRejected(key, "required, and missing or empty")
    return text


def _status(closure: Mapping[str, Any]) -> str:
    text = _required(closure, "status")
    found = STATUSES.get(text.lower())
    if found is None:
        raise RecordRejected("status", f"{text!r} is not one of {', '.join(STATUSES)}")
    return found


def _time(closure: Mapping[str, Any], key: str) -> datetime | None:
    text = _text(closure, key)
    return None if text is None else offset_time(text, key)


def _took_effect(closure: Mapping[str, Any], is_open: bool) -> datetime:
    """When the state began: the closure's start, or for a road open again its end; the
    feed's ``updated_at`` when that is missing."""
    key = "ends_at" if is_open else "starts_at"
    found = _time(closure, key) or _time(closure, "updated_at")
    if found is None:
        raise RecordRejected(key, f"required (or updated_at) for a {closure.get('status')} road")
    return found


def _category(closure: Mapping[str, Any]) -> str:
    text = _text(closure, "category")
    if text is None:
        return "ACCIDENT_DISASTER"
    if text.upper() not in CATEGORIES:
        raise RecordRejected("category", f"{text!r} is not one of {', '.join(sorted(CATEGORIES))}")
    return text.upper()


def _severity(closure: Mapping[str, Any]) -> str | None:
    text = _text(closure, "severity")
    if text is None:
        return None
    if text.upper() not in SEVERITIES:
        raise RecordRejected("severity", f"{text!r} is not an emergency level I-IV")
    return text.upper()


def _district(closure: Mapping[str, Any]) -> str | None:
    text = _text(closure, "district")
    if text is not None and not DISTRICT_CODE.fullmatch(text):
        raise RecordRejected("district", f"{text!r} is not a six-digit GB/T 2260 code")
    return text


def _speed(closure: Mapping[str, Any]) -> float | None:
    value = closure.get("speed_kmh")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise RecordRejected("speed_kmh", f"{value!r} is not a speed in km/h")
    return float(value)


def _place(road: str, segment_from: str | None, segment_to: str | None) -> str:
    if segment_from and segment_to:
        return f"{road}, {segment_from} to {segment_to}"
    if segment_from or segment_to:
        return f"{road}, at {segment_from or segment_to}"
    return road
