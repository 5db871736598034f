"""A point's rise in level as a ``SiteHazardInspection`` event: an inspection that the
monitoring system made, by itself, at the moment of the reading.

How a breach fills the inspection:

- ``inspection_id`` ``MON-<site>-<point>-<UTC time of the reading>``; ``inspected_at``
  the reading's time; ``inspecting_unit`` the monitoring platform (the connector's
  ``monitoring_unit``); no ``inspector``, as no person looked.
- ``findings``: one per metric of the reading that reached a threshold, naming the
  metric, the point, the sensor, the value and the threshold reached, with what the
  level calls for (:data:`REQUIREMENTS`).
- ``hazard_level``: MAJOR (重大隐患) at orange and red, GENERAL (一般隐患) at blue and
  yellow. ``stop_work_ordered`` at red only: the alert plan makes a red alarm an order
  to stop work and dumping at once, while orange calls for an inspection first.
- No ``rectification_deadline``: setting one is for the inspector who follows up.
- ``classification``: a landslide of a natural slope is a geological hazard, a natural
  disaster (NATURAL_DISASTER); the failure of fill or works (a landfill, an excavation,
  a construction site) is an accident (ACCIDENT_DISASTER), as the 20 December 2015
  Guangming landfill slide was found to be. No GB/T 35561 sub-type code is given: the
  label says what kind of hazard it is.
- The site's location is the point's, the nearest the reading knows.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from connectors.common.values import LOCAL
from connectors.housing_monitoring.assessment import Assessment, Breach
from connectors.housing_monitoring.reading import Reading
from connectors.housing_monitoring.slope import EVENT_IDS, area, reading_id
from connectors.housing_monitoring.thresholds import METRICS

HAZARD_STREAM = "housing.site-hazard-inspection"

#: What each level calls for (整改要求), as the finding's requirement.
REQUIREMENTS: Mapping[str, str] = {
    "BLUE": "Monitor more often and check the point on site (加密监测，现场巡查).",
    "YELLOW": (
        "Inspect the site within 24 hours: drainage, fill height, slope and cracks; report"
        " to the district (24小时内现场排查并上报)."
    ),
    "ORANGE": (
        "Inspect now; keep people and vehicles off the slope and prepare to evacuate the"
        " area below it (立即排查，人员车辆撤离坡面，做好撤离准备)."
    ),
    "RED": (
        "Stop all work and dumping and evacuate the danger zone below the site now"
        " (立即停工停止受纳，撤离危险区人员)."
    ),
}

CATEGORY = {"SLOPE": "NATURAL_DISASTER"}  # every other kind of site: ACCIDENT_DISASTER
LABEL = {
    "SLOPE": "滑坡隐患 (landslide hazard)",
    "LANDFILL": "受纳场滑坡隐患 (landfill slide hazard)",
    "DEEP_EXCAVATION": "基坑坍塌隐患 (excavation collapse hazard)",
}


def hazard_event(
    reading: Reading, assessment: Assessment, *, monitoring_unit: str
) -> dict[str, Any]:
    """The inspection for a reading that raised its point to ``assessment.level``."""
    level = assessment.level
    if level is None:
        raise ValueError("a reading below every threshold raises no hazard")
    at = reading.observed_at
    return {
        "envelope": {
            "event_id": str(uuid.uuid5(EVENT_IDS, f"{reading_id(reading)}\n{HAZARD_STREAM}")),
            "occurred_at": at,
            "classification": {
                "category": CATEGORY.get(reading.site_kind, "ACCIDENT_DISASTER"),
                "code": None,
                "label": LABEL.get(reading.site_kind, "坍塌失稳隐患 (ground failure hazard)"),
            },
            "area": area(reading),
        },
        "inspection_id": f"MON-{reading.site_id}-{reading.point_id}-{at:%Y%m%dT%H%M%SZ}",
        "site_id": reading.site_id,
        "site_name": reading.site_name or reading.site_id,
        "site_kind": reading.site_kind,
        "site_location": reading.location,
        "responsible_unit": reading.responsible_unit,
        "inspecting_unit": monitoring_unit,
        "inspector": None,
        "inspected_at": at,
        "findings": [_finding(reading, b) for b in assessment.breaches],
        "hazard_level": "MAJOR" if level in ("ORANGE", "RED") else "GENERAL",
        "stop_work_ordered": level == "RED",
        "rectification_deadline": None,
    }


def _finding(reading: Reading, breach: Breach) -> dict[str, Any]:
    metric = METRICS[breach.metric]
    way = "at or below" if metric.falling else "at or above"
    sensor = (
        f"{reading.sensor_kind} {reading.sensor_id}" if reading.sensor_kind else reading.sensor_id
    )
    local = reading.observed_at.astimezone(LOCAL)
    return {
        "item": f"{metric.english} ({metric.chinese}) at point {reading.point_id}",
        "description": (
            f"{breach.value:g} {metric.unit} ({breach.metric}) by {sensor} at"
            f" {local:%Y-%m-%d %H:%M} Shenzhen time, {way} the {breach.level.lower()}"
            f" threshold of {breach.limit:g} {metric.unit}"
        ),
        "requirement": REQUIREMENTS[breach.level],
        "evidence_uri": None,
    }
