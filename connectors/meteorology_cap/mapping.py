"""Map a parsed CAP alert to a ``meteorology.warning`` event: envelope, signal, CAP fields."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from connectors.meteorology_cap.signals import LEVEL_BY_CAP_SEVERITY, LEVEL_BY_COLOR, find_signal

# Stable ids: the same alert read twice is the same event (consumers dedupe on it).
CAP_NAMESPACE = uuid.UUID("5d1c9a4e-4a0b-5c59-9a3e-6c1b7f0f2a11")

CATEGORY_BY_CAP = {
    "Geo": "NATURAL_DISASTER",
    "Met": "NATURAL_DISASTER",
    "Env": "NATURAL_DISASTER",
    "Health": "PUBLIC_HEALTH",
    "Security": "SOCIAL_SECURITY",
}
SENSITIVITY_BY_SCOPE = {"Public": "PUBLIC", "Restricted": "INTERNAL", "Private": "RESTRICTED"}
DISTRICT_GEOCODES = frozenset({"GB2260", "GB/T 2260", "ADCODE", "行政区划代码"})


def cap_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def to_warning(alert: dict[str, Any]) -> dict[str, Any]:
    info = alert["info"][0] if alert["info"] else None
    signal = find_signal(info["event"]) if info else None
    return {
        "envelope": _envelope(alert, info, signal),
        "signal": signal,
        **alert,
    }


def _envelope(
    alert: dict[str, Any], info: dict[str, Any] | None, signal: dict[str, Any] | None
) -> dict[str, Any]:
    # When the warning took effect: onset may lie hours ahead for a forecast.
    occurred = (info and info["effective"]) or alert["sent"]
    return {
        "event_id": str(uuid.uuid5(CAP_NAMESPACE, f"{alert['sender']}|{alert['identifier']}")),
        "occurred_at": cap_time(occurred),
        "incident_id": alert["incidents"],
        "classification": _classification(info, signal),
        # A cancellation grades nothing: the level it names has ended.
        "severity": None if alert["msg_type"] == "Cancel" else _level(info, signal),
        "area": _area(info),
        "sensitivity": SENSITIVITY_BY_SCOPE[alert["scope"]],
        # Exercise, Test, System and Draft alerts are not warnings of a real hazard.
        "exercise": alert["status"] != "Actual",
    }


def _classification(info: dict[str, Any] | None, signal: dict[str, Any] | None) -> dict[str, Any]:
    categories = info["categories"] if info else []
    category = next((CATEGORY_BY_CAP[c] for c in categories if c in CATEGORY_BY_CAP), None)
    if category is None:
        category = (
            "ACCIDENT_DISASTER" if categories and categories[0] != "Other" else "NATURAL_DISASTER"
        )
    return {
        "category": category,
        "code": signal["code"] if signal else None,
        "label": info["event"] if info else None,
    }


def _level(info: dict[str, Any] | None, signal: dict[str, Any] | None) -> str | None:
    if signal and signal["color"]:
        return LEVEL_BY_COLOR[signal["color"]]
    return LEVEL_BY_CAP_SEVERITY.get(info["severity"]) if info else None


def _area(info: dict[str, Any] | None) -> dict[str, Any] | None:
    areas = info["areas"] if info else []
    if not areas:
        return None
    district = next(
        (
            g["value"]
            for a in areas
            for g in a["geocodes"]
            if g["name"].upper() in DISTRICT_GEOCODES
            and g["value"].isdigit()
            and len(g["value"]) == 6
        ),
        None,
    )
    polygon = next((p for a in areas for p in a["polygons"]), None)
    circle = next((c for a in areas for c in a["circles"]), None)
    return {
        "district_code": district,
        "description": "; ".join(a["area_desc"] for a in areas),
        "point": None,
        "polygon": parse_polygon(polygon) if polygon else None,
        "circle": parse_circle(circle) if circle else None,
    }


def parse_polygon(text: str) -> list[dict[str, float]]:
    """CAP polygons are ``lat,lon`` pairs, latitude first (unlike GeoJSON)."""
    points = []
    for pair in text.split():
        lat, _, lon = pair.partition(",")
        points.append({"lat": _coordinate(lat, 90), "lon": _coordinate(lon, 180)})
    if len(points) < 4 or points[0] != points[-1]:
        raise ValueError(f"CAP polygon needs 4 or more pairs, first equal to last: {text[:60]!r}")
    return points


def parse_circle(text: str) -> dict[str, Any]:
    center, _, radius = text.strip().partition(" ")
    lat, _, lon = center.partition(",")
    try:
        radius_km = float(radius)
    except ValueError:
        raise ValueError(f"CAP circle radius is not a number: {text!r}") from None
    return {
        "center": {"lat": _coordinate(lat, 90), "lon": _coordinate(lon, 180)},
        "radius_km": radius_km,
    }


def _coordinate(text: str, bound: float) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"CAP coordinate {text!r} is not a number") from None
    if not -bound <= value <= bound:
        raise ValueError(f"CAP coordinate {value} is out of range ±{bound}")
    return value
