"""A closure's GeoJSON geometry (RFC 7946: WGS84, ``[lon, lat]``) as the envelope's area.

The shared Area has points and polygons but no lines, and a closure is usually a line
along a road. A ``LineString`` (or ``MultiLineString``) becomes the closed rectangle
that bounds it: what area filters and the archive's bounding-box index compare, and
never smaller than the road. The road and segment themselves are in the event's text
fields and in the area's description.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hub.connect import RecordRejected

GeoPoint = dict[str, float]


def area_shape(geometry: Any) -> tuple[GeoPoint | None, list[GeoPoint] | None]:
    """``(point, polygon)`` for the geometry; ``(None, None)`` when there is none."""
    if geometry is None:
        return None, None
    if not isinstance(geometry, Mapping):
        raise RecordRejected("geometry", "expected a GeoJSON geometry object")
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Point":
        return _point(coordinates, "geometry.coordinates"), None
    if kind == "LineString":
        return None, _bounds(_line(coordinates, "geometry.coordinates"))
    if kind == "MultiLineString":
        if not isinstance(coordinates, list) or not coordinates:
            raise RecordRejected("geometry.coordinates", "expected a list of lines")
        points = [
            p
            for i, line in enumerate(coordinates)
            for p in _line(line, f"geometry.coordinates[{i}]")
        ]
        return None, _bounds(points)
    if kind == "Polygon":
        if not isinstance(coordinates, list) or not coordinates:
            raise RecordRejected("geometry.coordinates", "expected a list of rings")
        ring = _line(coordinates[0], "geometry.coordinates[0]")
        if len(ring) < 4 or ring[0] != ring[-1]:
            raise RecordRejected(
                "geometry.coordinates[0]", "a polygon's ring needs 4 or more positions, closed"
            )
        return None, ring
    raise RecordRejected(
        "geometry.type", f"{kind!r} is not Point, LineString, MultiLineString or Polygon"
    )


def _point(position: Any, path: str) -> GeoPoint:
    if (
        not isinstance(position, list)
        or len(position) < 2
        or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in position[:2])
    ):
        raise RecordRejected(path, f"{position!r} is not a [lon, lat] position")
    lon, lat = float(position[0]), float(position[1])
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise RecordRejected(path, f"[{lon}, {lat}] is outside WGS84 [lon, lat] bounds")
    return {"lat": lat, "lon": lon}


def _line(positions: Any, path: str) -> list[GeoPoint]:
    if not isinstance(positions, list) or len(positions) < 2:
        raise RecordRejected(path, "expected two or more [lon, lat] positions")
    return [_point(p, f"{path}[{i}]") for i, p in enumerate(positions)]


def _bounds(points: list[GeoPoint]) -> list[GeoPoint]:
    south, north = min(p["lat"] for p in points), max(p["lat"] for p in points)
    west, east = min(p["lon"] for p in points), max(p["lon"] for p in points)
    return [
        {"lat": south, "lon": west},
        {"lat": south, "lon": east},
        {"lat": north, "lon": east},
        {"lat": north, "lon": west},
        {"lat": south, "lon": west},
    ]
