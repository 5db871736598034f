"""The Emergency Management Bureau's connector: incident reports from a CSV export.

Duty offices export their report log as CSV (one row per first report or follow-up);
each row becomes an ``emergency.incident-report`` event. A row that cannot be read is
rejected with the column that is wrong, and the rest of the file still goes through.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from hub.connect import Connector, RecordRejected, SourceRecord

REQUIRED = ("report_id", "occurred_at", "title", "description", "status", "reported_by", "category")
CASUALTIES = ("deaths", "injured", "missing", "trapped")


class IncidentReportConnector(Connector):
    name = "emergency-reports"
    stream = "emergency.incident-report"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def read(self, position: Any) -> Iterator[SourceRecord]:
        """Rows after the last one taken (the checkpoint is its line number), so an
        export that grows is read on from where the last run stopped."""
        text = self.path.read_text(encoding="utf-8-sig")
        for line, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
            if position is None or line > position:
                yield SourceRecord(f"{self.path.name}:{line}", row, position=line)

    def map(self, record: SourceRecord) -> Mapping[str, Any]:
        row: dict[str, str] = {k: (v or "").strip() for k, v in record.raw.items() if k}
        for column in REQUIRED:
            if not row.get(column):
                raise RecordRejected(column, "required column is empty")
        return {
            "envelope": {
                "occurred_at": _time(row["occurred_at"]),
                "incident_id": row.get("incident_id") or None,
                "classification": {
                    "category": row["category"],
                    "code": row.get("code") or None,
                    "label": row.get("label") or None,
                },
                "severity": row.get("severity") or None,
                "area": _area(row),
            },
            "report_id": row["report_id"],
            "title": row["title"],
            "description": row["description"],
            "status": row["status"],
            "reported_by": row["reported_by"],
            "reporter_name": row.get("reporter_name") or None,
            "reporter_phone": row.get("reporter_phone") or None,
            "address": row.get("address") or None,
            "casualties": _casualties(row),
        }


def _time(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise RecordRejected("occurred_at", f"{text!r} is not an ISO 8601 date-time") from None
    if value.tzinfo is None:
        raise RecordRejected("occurred_at", f"{text!r} has no UTC offset, for example +08:00")
    return value


def _area(row: dict[str, str]) -> dict[str, Any] | None:
    district, lat, lon = row.get("district_code"), row.get("lat"), row.get("lon")
    point = None
    if lat or lon:
        try:
            point = {"lat": float(lat or ""), "lon": float(lon or "")}
        except ValueError:
            raise RecordRejected("lat/lon", f"{lat!r}, {lon!r} are not decimal degrees") from None
    if not (district or point or row.get("place")):
        return None
    return {
        "district_code": district or None,
        "description": row.get("place") or None,
        "point": point,
        "polygon": None,
        "circle": None,
    }


def _casualties(row: dict[str, str]) -> dict[str, int] | None:
    if not any(row.get(c) for c in CASUALTIES):
        return None
    counts = {}
    for column in CASUALTIES:
        text = row.get(column) or "0"
        if not text.isdigit():
            raise RecordRejected(column, f"{text!r} is not a whole number")
        counts[column] = int(text)
    return counts
