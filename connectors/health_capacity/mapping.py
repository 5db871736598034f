"""One hospital's row as a ``HospitalCapacity`` event.

Counts are passed on as the hospital reported them: more free beds than open ones
happens when a ward adds beds in a surge (加床), and is not this connector's to refuse.
No classification: a capacity count is routine, and describes no emergency.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from connectors.health_capacity.values import count, ed_status, is_blank, local_time, point
from hub.connect import RecordRejected

COUNTS = (
    ("beds_total", True),
    ("beds_available", True),
    ("icu_beds_total", True),
    ("icu_beds_available", True),
    ("emergency_patients_waiting", False),
    ("emergency_wait_minutes", False),
    ("ventilators_total", False),
    ("ventilators_available", False),
)


def capacity_event(cells: Mapping[str, str]) -> dict[str, Any]:
    """The event for one row's cells (by field); no ``event_id``, which depends on
    what the connector has taken before."""
    hospital_id = _required(cells, "hospital_id")
    hospital_name = _required(cells, "hospital_name")
    location = point(cells.get("lat", ""), cells.get("lon", ""))
    district = cells.get("district_code", "")
    if is_blank(district):
        district = ""
    elif not re.fullmatch(r"\d{6}", district):
        raise RecordRejected("district_code", f"{district!r} is not a six-digit GB/T 2260 code")
    event: dict[str, Any] = {
        "envelope": {
            "occurred_at": local_time(cells["reported_at"], "reported_at"),
            "area": {
                "district_code": district or None,
                "description": hospital_name,
                "point": location,
                "polygon": None,
                "circle": None,
            },
        },
        "hospital_id": hospital_id,
        "hospital_name": hospital_name,
        "location": location,
        "emergency_department_status": ed_status(
            cells["emergency_department_status"], "emergency_department_status"
        ),
    }
    for field, required in COUNTS:
        event[field] = count(cells.get(field, ""), field, required=required)
    return event


def _required(cells: Mapping[str, str], field: str) -> str:
    text = cells.get(field, "")
    if is_blank(text):
        raise RecordRejected(field, "is blank; it is required")
    return text
