"""One row of the incident table, as the connector read it, becomes one police-incident event.

A row is one state of one incident: the command system rewrites the row as the
incident moves on (dispatched, on scene, closed) and bumps its monotonic column, so
each version read is its own event. A value that cannot be trusted is rejected with
its column's name and the row is dead-lettered; nothing is guessed.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from connectors.common.values import offset_time
from connectors.common.vocabulary import CATEGORIES
from connectors.police_incidents.vocabulary import (
    CATEGORY_OF_TYPE,
    INCIDENT_TYPES,
    SEVERITIES,
    STATUSES,
    symbol,
)
from hub.connect import RecordRejected

#: The namespace of police-incident event ids: a UUID 5 of the incident number and the
#: row's version, so the same version gives the same id however and whenever it is read.
POLICE_INCIDENT_EVENTS = uuid.UUID("498a18e8-5c14-4235-be0f-f357fdb54eb0")

DISTRICT_CODE = re.compile(r"\d{6}")


def event_id(incident_no: str, version: int) -> str:
    return str(uuid.uuid5(POLICE_INCIDENT_EVENTS, f"{incident_no}\n{version}"))


def to_police_incident(row: Mapping[str, Any], *, version_column: str) -> dict[str, Any]:
    """The event for ``row`` (column name -> value, times as ISO 8601 text)."""
    incident_no = _required(row, "incident_no")
    version = row.get(version_column)
    if not isinstance(version, int) or isinstance(version, bool):
        raise RecordRejected(version_column, f"{version!r} is not a whole number")
    incident_type = _term(row, "incident_type", INCIDENT_TYPES)
    received_at = _time(row, "received_at")
    location = _location(row)
    district = _text(row, "district_code")
    if district is not None and not DISTRICT_CODE.fullmatch(district):
        raise RecordRejected("district_code", f"{district!r} is not a six-digit GB/T 2260 code")
    return {
        "envelope": {
            "event_id": event_id(incident_no, version),
            "occurred_at": _time(row, "updated_at") if _text(row, "updated_at") else received_at,
            "incident_id": _text(row, "incident_id"),
            "classification": {
                "category": _category(row, incident_type),
                "code": None,
                "label": _text(row, "incident_subtype"),
            },
            "severity": _severity(row),
            # No description: the street address is precise-location and stays in the
            # tagged ``address`` field, where masks apply; the point is tagged in Area.
            "area": {
                "district_code": district,
                "description": None,
                "point": location,
                "polygon": None,
                "circle": None,
            }
            if district or location
            else None,
        },
        "police_incident_id": incident_no,
        "received_at": received_at,
        "incident_type": incident_type,
        "incident_subtype": _text(row, "incident_subtype"),
        "summary": _required(row, "summary"),
        "caller_name": _text(row, "caller_name"),
        "caller_phone": _text(row, "caller_phone"),
        "location": location,
        "address": _text(row, "address"),
        "police_unit": _text(row, "police_unit"),
        "officers_dispatched": _count(row, "officers_dispatched"),
        "status": _term(row, "status", STATUSES),
    }


def _text(row: Mapping[str, Any], column: str) -> str | None:
    value = row.get(column)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _required(row: Mapping[str, Any], column: str) -> str:
    text = _text(row, column)
    if text is None:
        raise RecordRejected(column, "required column is empty")
    return text


def _term(row: Mapping[str, Any], column: str, terms: dict[str, str]) -> str:
    text = _required(row, column)
    found = symbol(text, terms, set(terms.values()))
    if found is None:
        known = ", ".join(f"{s} ({t})" for t, s in terms.items())
        raise RecordRejected(column, f"{text!r} is not one of {known}")
    return found


def _time(row: Mapping[str, Any], column: str) -> datetime:
    # The table must say the zone: timestamptz, or text with an offset such as +08:00.
    return offset_time(_required(row, column), column)


def _location(row: Mapping[str, Any]) -> dict[str, float] | None:
    lat, lon = row.get("lat"), row.get("lon")
    if lat is None and lon is None:
        return None
    point = {}
    for column, value, limit in (("lat", lat, 90.0), ("lon", lon, 180.0)):
        if value is None:
            raise RecordRejected(column, "empty, though the other coordinate is given")
        try:
            degrees = float(value)
        except (TypeError, ValueError):
            raise RecordRejected(column, f"{value!r} is not decimal degrees") from None
        if not -limit <= degrees <= limit:
            raise RecordRejected(column, f"{degrees} is outside -{limit:g}..{limit:g} degrees")
        point[column] = degrees
    return point


def _count(row: Mapping[str, Any], column: str) -> int | None:
    text = _text(row, column)
    if text is None:
        return None
    if not text.isdigit():
        raise RecordRejected(column, f"{text!r} is not a whole number of officers")
    return int(text)


def _category(row: Mapping[str, Any], incident_type: str) -> str:
    text = _text(row, "emergency_category")
    if text is None:
        return CATEGORY_OF_TYPE[incident_type]
    found = symbol(text, {}, CATEGORIES)
    if found is None:
        raise RecordRejected("emergency_category", f"{text!r} is not one of {sorted(CATEGORIES)}")
    return found


def _severity(row: Mapping[str, Any]) -> str | None:
    text = _text(row, "emergency_severity")
    if text is None:
        return None
    found = SEVERITIES.get(text.upper()) or SEVERITIES.get(text)
    if found is None:
        raise RecordRejected("emergency_severity", f"{text!r} is not an emergency level I-IV")
    return found
