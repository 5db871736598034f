"""What history is asked by, taken from an event's envelope once, when it is archived.

The shared envelope (``schemas/common/envelope.avsc``) is the same on every stream, so
one function serves them all; a record without one is not an event of the catalogue
and is refused with the reason.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

#: Severity level to its archive rank: I (the gravest) is 1, so "at least II" is ``<= 2``.
SEVERITY_RANK = {"I": 1, "II": 2, "III": 3, "IV": 4}
#: CAP statuses of a message that warns of no real hazard; an event written before the
#: envelope had ``exercise`` still counts as one by its CAP status.
NOT_ACTUAL = frozenset({"Exercise", "System", "Test", "Draft"})


class NotAnEvent(ValueError):
    """The record decodes but lacks the envelope the archive indexes by."""


@dataclass(frozen=True, slots=True)
class Box:
    """A WGS84 bounding box; a point is a box of no size."""

    min_lat: float
    min_lon: float
    max_lat: float
    max_lon: float

    @classmethod
    def around(cls, points: Iterable[tuple[float, float]]) -> Box | None:
        lats, lons = [], []
        for lat, lon in points:
            lats.append(lat)
            lons.append(lon)
        if not lats:
            return None
        return cls(min(lats), min(lons), max(lats), max(lons))

    def overlaps(self, other: Box) -> bool:
        return not (
            other.min_lat > self.max_lat
            or other.max_lat < self.min_lat
            or other.min_lon > self.max_lon
            or other.max_lon < self.min_lon
        )


@dataclass(frozen=True, slots=True)
class EventIndex:
    event_id: str
    source_agency: str
    occurred_ms: int
    published_ms: int
    incident_id: str | None
    #: None for a routine event, which describes no emergency (``classification`` null).
    category: str | None
    classification_code: str | None
    severity: int | None
    district: str | None
    sensitivity: str
    box: Box | None
    #: An exercise, drill or test: kept apart from real events when coordination is measured.
    exercise: bool = False


def index_event(event: Mapping[str, Any]) -> EventIndex:
    envelope = event.get("envelope")
    if not isinstance(envelope, Mapping):
        raise NotAnEvent("the record has no envelope")
    try:
        # Null on a routine event; such an event matches no category filter.
        found = envelope.get("classification")
        classification: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
        return EventIndex(
            event_id=str(envelope["event_id"]),
            source_agency=str(envelope["source_agency"]),
            occurred_ms=epoch_ms(envelope["occurred_at"]),
            published_ms=epoch_ms(envelope["published_at"]),
            incident_id=envelope.get("incident_id"),
            category=_text(classification.get("category")),
            classification_code=_text(classification.get("code")),
            severity=SEVERITY_RANK.get(envelope.get("severity") or ""),
            district=_district(envelope.get("area")),
            sensitivity=str(envelope["sensitivity"]),
            box=area_box(envelope.get("area")),
            exercise=bool(envelope.get("exercise")) or event.get("status") in NOT_ACTUAL,
        )
    except (KeyError, TypeError) as exc:
        raise NotAnEvent(f"the envelope lacks {exc}") from None


def epoch_ms(value: Any) -> int:
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return int(moment.timestamp() * 1000)
    if isinstance(value, int):
        return value
    raise TypeError(f"a time, not {type(value).__name__}")


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _district(area: Any) -> str | None:
    if not isinstance(area, Mapping):
        return None
    code = area.get("district_code")
    return code if isinstance(code, str) else None


def area_box(area: Any) -> Box | None:
    """The box around everything the area names: its point, polygon and circle."""
    if not isinstance(area, Mapping):
        return None
    points: list[tuple[float, float]] = []
    if isinstance(point := area.get("point"), Mapping):
        points.append((point["lat"], point["lon"]))
    for vertex in area.get("polygon") or ():
        points.append((vertex["lat"], vertex["lon"]))
    if isinstance(circle := area.get("circle"), Mapping):
        centre, radius = circle["center"], float(circle["radius_km"])
        # About 111 km to a degree of latitude; a degree of longitude shrinks towards the
        # poles, and the box stays a box (wider than the circle, never narrower).
        dlat = radius / 111.0
        dlon = radius / max(111.0 * math.cos(math.radians(centre["lat"])), 1e-6)
        points += [
            (centre["lat"] - dlat, centre["lon"] - dlon),
            (centre["lat"] + dlat, centre["lon"] + dlon),
        ]
    return Box.around(points)
