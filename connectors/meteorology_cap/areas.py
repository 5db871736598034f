"""CAP area geometry: polygon and circle text to points, checked, and the envelope's area.

CAP writes a polygon as space-separated ``lat,lon`` pairs, latitude first (unlike
GeoJSON), the first pair repeated as the last; a circle as ``lat,lon radius`` with the
radius in kilometres. The warning payload keeps that text exactly as issued: it is the
record of what was warned. The envelope carries the index copy, one area for the whole
alert (every ``<info>`` and ``<area>``, since the archive indexes the envelope only):

- ``polygon``: the alert's one polygon, or, when it has several, the convex hull of all
  of them (which contains each); over ``MAX_ENVELOPE_POINTS`` points it is simplified as
  :func:`hub.connect.geometry.simplify_ring` promises: closed, simple, the same bounding
  box, its vertices the original's. It is for indexes and maps; whether a place is
  inside the warned area is answered by the CAP polygons in the payload. The payload
  keeps geometry only as CAP text, so the large outline is stored once in full, and
  once reduced.
- ``circle``: the alert's one circle, or one that contains all of them.
- ``district_code``: the first GB/T 2260 district geocode in any area.
- ``description``: the area descriptions of the first ``<info>`` that has areas.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from hub.connect.geometry import Point, covering_circle, covering_ring

#: Above this many points the envelope's polygon is simplified: 1,000 points are 16 kB
#: of Avro, enough for a district's outline at street scale, while the 41,009-point
#: national outline that prompted the limit would add 656 kB to an event.
MAX_ENVELOPE_POINTS = 1_000
DISTRICT_GEOCODES = frozenset({"GB2260", "GB/T 2260", "ADCODE", "行政区划代码"})
# Plain decimals, as CAP writes them: no exponents, no "nan", no digit separators.
DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def parse_polygon(text: str) -> list[Point]:
    """``(lat, lon)`` points, or ``ValueError`` saying what is wrong with the polygon."""
    pairs = text.split()
    points = [_point(pair) for pair in pairs]
    if len(points) < 4:
        raise ValueError(f"has {len(points)} points; a polygon needs 4 or more")
    if points[0] != points[-1]:
        raise ValueError(f"not closed: it starts at {pairs[0]} and ends at {pairs[-1]}")
    return points


def parse_circle(text: str) -> tuple[Point, float]:
    """``((lat, lon), radius_km)``, or ``ValueError`` saying what is wrong."""
    parts = text.split()
    if len(parts) != 2:
        raise ValueError(f"{text!r} is not 'lat,lon radius'")
    radius = _number(parts[1], "radius")
    if radius < 0:
        raise ValueError(f"radius {parts[1]} is negative")
    return _point(parts[0]), radius


def envelope_area(infos: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The envelope's ``area`` for the alert's infos (already checked by the parser)."""
    areas = [area for info in infos for area in info["areas"]]
    if not areas:
        return None
    described = next(info["areas"] for info in infos if info["areas"])
    polygons = list(dict.fromkeys(p for area in areas for p in area["polygons"]))
    circles = list(dict.fromkeys(c for area in areas for c in area["circles"]))
    ring = (
        covering_ring([parse_polygon(p) for p in polygons], max_points=MAX_ENVELOPE_POINTS)
        if polygons
        else None
    )
    circle = covering_circle([parse_circle(c) for c in circles]) if circles else None
    return {
        "district_code": _district(areas),
        "description": "; ".join(area["area_desc"] for area in described),
        "point": None,
        "polygon": [{"lat": lat, "lon": lon} for lat, lon in ring] if ring else None,
        "circle": (
            {"center": {"lat": circle[0][0], "lon": circle[0][1]}, "radius_km": circle[1]}
            if circle
            else None
        ),
    }


def _district(areas: Iterable[dict[str, Any]]) -> str | None:
    return next(
        (
            g["value"]
            for area in areas
            for g in area["geocodes"]
            if g["name"].upper() in DISTRICT_GEOCODES
            and g["value"].isdigit()
            and len(g["value"]) == 6
        ),
        None,
    )


def _point(pair: str) -> Point:
    lat, comma, lon = pair.partition(",")
    if not comma:
        raise ValueError(f"{pair!r} is not a lat,lon pair")
    latitude, longitude = _number(lat, "latitude"), _number(lon, "longitude")
    if not -90 <= latitude <= 90:
        raise ValueError(f"latitude {lat} is out of range -90..90")
    if not -180 <= longitude <= 180:
        raise ValueError(f"longitude {lon} is out of range -180..180")
    return latitude, longitude


def _number(text: str, what: str) -> float:
    if not DECIMAL.fullmatch(text):
        raise ValueError(f"{what} {text!r} is not a decimal number")
    return float(text)
