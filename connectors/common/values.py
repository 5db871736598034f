"""Times and places as departments' exports write them. Shenzhen's systems write local
times without an offset, so such a time is taken as Shenzhen time; a source that may
hold any zone's times must give the offset instead. A point is WGS84 decimal degrees.
Each parser names its field when it refuses a value, so a dead letter says what to fix.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hub.connect import RecordRejected

#: Shenzhen's time (UTC+8, no daylight saving): what a time without an offset means.
LOCAL = timezone(timedelta(hours=8), "CST")


def to_utc(value: datetime) -> datetime:
    """``value`` in UTC; one without an offset is Shenzhen time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=LOCAL)
    return value.astimezone(UTC)


def offset_time(text: str, field: str) -> datetime:
    """An ISO 8601 date and time that says its offset: a wall-clock time could be any
    zone's, so a source that is not Shenzhen's alone must say which."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise RecordRejected(field, f"{text!r} is not an ISO 8601 date-time") from None
    if value.tzinfo is None:
        raise RecordRejected(field, f"{text!r} has no UTC offset")
    return value


def _blank(value: Any) -> bool:
    return value is None or not str(value).strip()


def point(lat: Any, lon: Any, *, blank: Callable[[Any], bool] = _blank) -> dict[str, float] | None:
    """A WGS84 point from two cells (text or numbers), or ``None`` when both are blank
    (by default: empty, or only white space). One given without the other is refused."""
    if blank(lat) and blank(lon):
        return None
    try:
        found = {"lat": float(str(lat).strip()), "lon": float(str(lon).strip())}
    except ValueError:
        raise RecordRejected("lat/lon", f"{lat!r}, {lon!r} are not decimal degrees") from None
    if not (-90 <= found["lat"] <= 90 and -180 <= found["lon"] <= 180):
        raise RecordRejected("lat/lon", f"{lat}, {lon} is not a point on Earth")
    return found
