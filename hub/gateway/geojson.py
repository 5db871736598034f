"""Events as a GeoJSON FeatureCollection (RFC 7946), for map screens.

The geometry is the envelope's area as the caller may see it (after masking: a
coarsened point is where the grant says it is). GeoJSON has no circle: a circle is its
centre with ``radius_km`` among the properties. Coordinates are longitude first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def _position(point: Any) -> list[float] | None:
    if isinstance(point, Mapping) and "lat" in point and "lon" in point:
        return [point["lon"], point["lat"]]
    return None


def geometry(area: Any) -> dict[str, Any] | None:
    if not isinstance(area, Mapping):
        return None
    parts: list[dict[str, Any]] = []
    if (point := _position(area.get("point"))) is not None:
        parts.append({"type": "Point", "coordinates": point})
    ring = [p for p in (_position(v) for v in area.get("polygon") or ()) if p is not None]
    if len(ring) >= 4:
        parts.append({"type": "Polygon", "coordinates": [ring]})
    circle = area.get("circle")
    if isinstance(circle, Mapping) and (centre := _position(circle.get("center"))) is not None:
        parts.append({"type": "Point", "coordinates": centre})
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    return {"type": "GeometryCollection", "geometries": parts}


def feature(element: Mapping[str, Any]) -> dict[str, Any]:
    event = element["event"]
    envelope = event.get("envelope") if isinstance(event, Mapping) else None
    area = envelope.get("area") if isinstance(envelope, Mapping) else None
    properties = dict(element)
    circle = area.get("circle") if isinstance(area, Mapping) else None
    if isinstance(circle, Mapping) and "radius_km" in circle:
        properties["radius_km"] = circle["radius_km"]
    found: dict[str, Any] = {
        "type": "Feature",
        "geometry": geometry(area),
        "properties": properties,
    }
    if isinstance(envelope, Mapping) and envelope.get("event_id") is not None:
        found["id"] = str(envelope["event_id"])
    return found


def feature_collection(
    elements: Sequence[Mapping[str, Any]], members: Mapping[str, Any]
) -> dict[str, Any]:
    """``members`` (the stream, ``next``, ``more``) ride along as foreign members."""
    return {"type": "FeatureCollection", **members, "features": [feature(e) for e in elements]}
