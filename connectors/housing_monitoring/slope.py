"""A reading as a ``SlopeMonitoring`` event, with the level it reached.

No classification: a monitoring reading is routine, at every level; the hazard that a
rising reading raises (see :mod:`hazard`) is what carries one.
"""

from __future__ import annotations

import uuid
from typing import Any

from connectors.housing_monitoring.assessment import Assessment
from connectors.housing_monitoring.reading import Reading
from connectors.housing_monitoring.thresholds import METRICS

#: Namespace of this connector's event ids.
EVENT_IDS = uuid.UUID("8f65483d-6a66-4fab-9663-fb3d2d98cd84")


def area(reading: Reading) -> dict[str, Any]:
    return {
        "district_code": reading.district_code,
        "description": reading.site_name or reading.site_id,
        "point": reading.location,
        "polygon": None,
        "circle": None,
    }


def reading_id(reading: Reading) -> str:
    """The sensor, its time and what it measured: the same reading read again (a
    replaced export, a restart) is the same event, and a corrected one is a new one."""
    values = ",".join(f"{reading.values[m]!r}" for m in METRICS)
    at = reading.observed_at.isoformat()
    key = f"{reading.point}\n{reading.sensor_id}\n{at}\n{values}"
    return str(uuid.uuid5(EVENT_IDS, key))


def slope_event(reading: Reading, assessment: Assessment) -> dict[str, Any]:
    return {
        "envelope": {
            "event_id": reading_id(reading),
            "occurred_at": reading.observed_at,
            "area": area(reading),
        },
        "site_id": reading.site_id,
        "site_name": reading.site_name,
        "point_id": reading.point_id,
        "point_location": reading.location,
        "sensor_id": reading.sensor_id,
        "sensor_kind": reading.sensor_kind,
        **reading.values,
        "rainfall_period_minutes": reading.rainfall_period_minutes,
        "alert_level": assessment.level,
        "triggered_by": [b.metric for b in assessment.breaches],
    }
