"""One line of the platform's export as a reading: which site, point and sensor, when,
and what it measured. Columns are the schema's field names plus the site's (``site_kind``,
``district_code``, ``responsible_unit``) and ``lat``/``lon`` for the point; a reading
gives the measurements its sensor takes and leaves the rest blank."""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from datetime import datetime

from connectors.common.values import point, to_utc
from connectors.housing_monitoring.thresholds import METRICS, RAINFALL
from hub.connect import RecordRejected

REQUIRED = ("site_id", "point_id", "sensor_id", "observed_at")

#: Site kinds by the schema's symbols and the Chinese words the platform uses.
KIND_WORDS = {
    "construction_site": "CONSTRUCTION_SITE",
    "建筑工地": "CONSTRUCTION_SITE",
    "工地": "CONSTRUCTION_SITE",
    "landfill": "LANDFILL",
    "受纳场": "LANDFILL",
    "余泥渣土受纳场": "LANDFILL",
    "slope": "SLOPE",
    "边坡": "SLOPE",
    "deep_excavation": "DEEP_EXCAVATION",
    "深基坑": "DEEP_EXCAVATION",
    "基坑": "DEEP_EXCAVATION",
    "other": "OTHER",
    "其他": "OTHER",
}


@dataclass(frozen=True, slots=True)
class Reading:
    site_id: str
    site_name: str | None
    site_kind: str
    district_code: str | None
    responsible_unit: str | None
    point_id: str
    location: dict[str, float] | None
    sensor_id: str
    sensor_kind: str | None
    observed_at: datetime
    values: dict[str, float | None]
    rainfall_period_minutes: int | None

    @property
    def point(self) -> str:
        """The point's key in thresholds and in the checkpoint."""
        return f"{self.site_id}/{self.point_id}"


def parse_reading(raw: bytes, encoding: str) -> Reading:
    """A record's reading (its header line and its line); ``RecordRejected`` names the
    column that is wrong."""
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise RecordRejected(
            "<line>", f"not {encoding} text at byte {exc.start}; set the connector's encoding"
        ) from None
    rows = [r for r in csv.reader(io.StringIO(text, newline="")) if any(c.strip() for c in r)]
    if len(rows) != 2:
        raise ValueError(f"a record is a header and one reading, not {len(rows)} rows")
    header = [h.strip().lstrip("\ufeff") for h in rows[0]]
    for column in REQUIRED:
        if column not in header:
            raise RecordRejected(column, f"no {column} column in the header ({', '.join(header)})")
    cells = {name: value.strip() for name, value in zip(header, rows[1], strict=False)}
    for column in REQUIRED:
        if not cells.get(column):
            raise RecordRejected(column, "is blank; it is required")
    values = {metric: _number(cells.get(metric, ""), metric) for metric in METRICS}
    period = _number(cells.get("rainfall_period_minutes", ""), "rainfall_period_minutes")
    if values[RAINFALL] is not None and (period is None or period <= 0 or period % 1):
        raise RecordRejected(
            "rainfall_period_minutes", "a whole number of minutes is required with rainfall_mm"
        )
    return Reading(
        site_id=cells["site_id"],
        site_name=cells.get("site_name") or None,
        site_kind=_site_kind(cells.get("site_kind", "")),
        district_code=_district(cells.get("district_code", "")),
        responsible_unit=cells.get("responsible_unit") or None,
        point_id=cells["point_id"],
        location=point(cells.get("lat", ""), cells.get("lon", "")),
        sensor_id=cells["sensor_id"],
        sensor_kind=cells.get("sensor_kind") or None,
        observed_at=_time(cells["observed_at"]),
        values=values,
        rainfall_period_minutes=None if period is None else int(period),
    )


def _number(text: str, column: str) -> float | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise RecordRejected(column, f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise RecordRejected(column, f"{text!r} is not a finite number")
    return value


def _time(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise RecordRejected(
            "observed_at", f"{text!r} is not an ISO 8601 time, for example 2015-12-20T08:00+08:00"
        ) from None
    return to_utc(value)


def _site_kind(text: str) -> str:
    if not text:
        return "OTHER"
    found = KIND_WORDS.get(text.casefold())
    if found is None:
        kinds = (
            "LANDFILL 受纳场, SLOPE 边坡, CONSTRUCTION_SITE 建筑工地, DEEP_EXCAVATION 深基坑, OTHER"
        )
        raise RecordRejected("site_kind", f"{text!r} is not one of {kinds}")
    return found


def _district(text: str) -> str | None:
    if text and not re.fullmatch(r"\d{6}", text):
        raise RecordRejected("district_code", f"{text!r} is not a six-digit GB/T 2260 code")
    return text or None
