"""Outlines small enough for an envelope: simplify, hull and cover, as pure functions.

A warning's outline can hold tens of thousands of points (a national coastline). An
envelope that repeats it doubles the event and can push it past the broker's size
limit, while what the envelope's geometry is for (the archive's bounding-box index,
place filters, a map) needs its extent and shape, not every vertex. The source's own
text stays the exact record; these functions make the index copy.

Points are ``(lat, lon)`` tuples in decimal degrees, treated as planar coordinates:
distances and tolerances are in degrees (0.01 is about 1.1 km of latitude), and a shape
that crosses the antimeridian is not handled. A ring is closed: its first point is
repeated as its last.

What :func:`simplify_ring` returns for a ring over ``max_points`` points:

- a closed ring of at least 4 and at most ``max_points`` points, every one of them a
  vertex of the original, in the original's order (so coordinates stay in range);
- the original's bounding box, exactly: the vertices at its four extremes are always
  kept, so an index on the box finds the simplified event wherever it found the
  original;
- Douglas–Peucker with the smallest tolerance that fits ``max_points``: every dropped
  vertex lies within that tolerance of the new outline. A pass that would cost more
  than ``work_factor`` distance evaluations per point (possible only for contrived
  shapes) stops and takes every k-th vertex instead (stride decimation), so a hostile
  outline cannot stall a connector;
- simple (no edge crosses another): an outline that would cross itself is replaced by
  the original's convex hull, which contains the original, simplified the same way if
  it is itself too long (a convex outline stays convex and simple).

A ring within ``max_points`` is returned unchanged: nothing is lost where nothing had to be.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise

Point = tuple[float, float]

#: The fewest points ``max_points`` may ask for: the four extremes, the start, the
#: closing repeat and room for the shape between them.
MIN_POINTS = 8
EARTH_RADIUS_KM = 6371.0088


def bounding_box(points: Sequence[Point]) -> tuple[float, float, float, float]:
    """``(min_lat, min_lon, max_lat, max_lon)``."""
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    return min(lats), min(lons), max(lats), max(lons)


def simplify_ring(ring: Sequence[Point], *, max_points: int, work_factor: int = 64) -> list[Point]:
    """The ring with at most ``max_points`` points, under the promises in the module
    docstring."""
    _check_ring(ring, max_points)
    if len(ring) <= max_points:
        return list(ring)
    outline = _reduce(ring, max_points, work_factor)
    if is_simple(outline):
        return outline
    hull = convex_hull(ring)
    return hull if len(hull) <= max_points else _reduce(hull, max_points, work_factor)


def covering_ring(
    rings: Sequence[Sequence[Point]], *, max_points: int, work_factor: int = 64
) -> list[Point]:
    """One outline for several: a single ring simplified, several replaced by the
    convex hull of all their vertices (which contains every one of them, and is
    simplified only if it is itself over ``max_points``)."""
    if not rings:
        raise ValueError("no rings to cover")
    if len(rings) == 1:
        return simplify_ring(rings[0], max_points=max_points, work_factor=work_factor)
    for ring in rings:
        _check_ring(ring, max_points)
    hull = convex_hull([p for ring in rings for p in ring])
    return hull if len(hull) <= max_points else _reduce(hull, max_points, work_factor)


def convex_hull(points: Sequence[Point]) -> list[Point]:
    """The smallest convex ring holding every point (Andrew's monotone chain), closed,
    padded to 4 points when the points are collinear."""
    unique = sorted(set(points), key=lambda p: (p[1], p[0]))
    if not unique:
        raise ValueError("no points to hull")
    if len(unique) < 3:
        ring = [*unique, *unique[-1:] * (3 - len(unique))]
        return [*ring, ring[0]]

    def half(ordered: list[Point]) -> list[Point]:
        chain: list[Point] = []
        for p in ordered:
            while len(chain) >= 2 and _turn(chain[-2], chain[-1], p) <= 0:
                chain.pop()
            chain.append(p)
        return chain

    lower, upper = half(unique), half(unique[::-1])
    hull = lower[:-1] + upper[:-1]
    if len(hull) < 3:  # collinear: a flat ring there and back
        hull = [unique[0], unique[-1], unique[-1]]
    return [*hull, hull[0]]


def is_simple(ring: Sequence[Point]) -> bool:
    """True when no two edges of the closed ring cross or overlap (edges that share a
    vertex may only touch there). Consecutive repeated points are ignored."""
    points = [p for i, p in enumerate(ring) if i == 0 or p != ring[i - 1]]
    edges = list(pairwise(points))
    count = len(edges)
    if count < 3:
        return False
    # Sweep along longitude: only edges whose spans overlap there can meet.
    spans = [(min(a[1], b[1]), max(a[1], b[1])) for a, b in edges]
    active: list[int] = []
    for k in sorted(range(count), key=lambda i: spans[i][0]):
        active = [j for j in active if spans[j][1] >= spans[k][0]]
        for j in active:
            if _edges_meet(edges, j, k, count):
                return False
        active.append(k)
    return True


def covering_circle(circles: Sequence[tuple[Point, float]]) -> tuple[Point, float]:
    """One ``(centre, radius_km)`` that contains every circle: centred on the mean of
    their centres, reaching the far side of the farthest (not the smallest such
    circle, but never one that leaves a part out)."""
    if not circles:
        raise ValueError("no circles to cover")
    if len(circles) == 1:
        return circles[0]
    centre = (
        sum(c[0] for c, _ in circles) / len(circles),
        sum(c[1] for c, _ in circles) / len(circles),
    )
    return centre, max(distance_km(centre, c) + r for c, r in circles)


def distance_km(a: Point, b: Point) -> float:
    """Great-circle distance (haversine) on the mean Earth radius."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _check_ring(ring: Sequence[Point], max_points: int) -> None:
    if max_points < MIN_POINTS:
        raise ValueError(f"max_points must be at least {MIN_POINTS}, not {max_points}")
    if len(ring) < 4 or ring[0] != ring[-1]:
        raise ValueError("a ring needs 4 or more points, the first equal to the last")


def _reduce(ring: Sequence[Point], max_points: int, work_factor: int) -> list[Point]:
    """At most ``max_points``: Douglas–Peucker by rank, or a stride if that costs too much."""
    last = len(ring) - 1  # ring[last] repeats ring[0]
    anchors = _extremes(ring, last)
    budget = max_points - 1  # the closing repeat is added back at the end
    significance = _significance(ring, [*anchors, last], work_factor * len(ring))
    if significance is None:
        kept = _stride(anchors, last, budget)
    else:
        ranked = sorted(significance[:last], reverse=True)
        # Douglas–Peucker at tolerance t keeps exactly the vertices ranked above t.
        threshold = ranked[budget] if last > budget else -1.0
        kept = [i for i in range(last) if significance[i] > threshold]
        if len(kept) < 3:  # a degenerate ring (all points in one place or on a line)
            kept = sorted(set(kept) | set(range(min(3, last))))
    outline = [ring[i] for i in kept]
    return [*outline, outline[0]]


def _extremes(ring: Sequence[Point], last: int) -> list[int]:
    """Index 0 and the vertices at the four extremes of the bounding box, in order."""
    lats = [p[0] for p in ring[:last]]
    lons = [p[1] for p in ring[:last]]
    found = {0, lats.index(min(lats)), lats.index(max(lats))}
    found |= {lons.index(min(lons)), lons.index(max(lons))}
    return sorted(found)


def _significance(ring: Sequence[Point], anchors: list[int], work: int) -> list[float] | None:
    """Each vertex's Douglas–Peucker rank: the largest tolerance at which it would still
    be kept (its distance from the chord it split, capped by its parents' ranks, so that
    ``rank > t`` is exactly Douglas–Peucker's answer for ``t``). ``None`` when the
    splitting would take more than ``work`` distance evaluations."""
    rank = [0.0] * len(ring)
    for a in anchors:
        rank[a] = math.inf
    spans = [(a, b, math.inf) for a, b in pairwise(anchors)]
    while spans:
        a, b, cap = spans.pop()
        if b - a < 2:
            continue
        work -= b - a - 1
        if work < 0:
            return None
        index, distance = _farthest(ring, a, b)
        rank[index] = min(distance, cap)
        spans.append((a, index, rank[index]))
        spans.append((index, b, rank[index]))
    return rank


def _farthest(ring: Sequence[Point], a: int, b: int) -> tuple[int, float]:
    """The vertex strictly between ``a`` and ``b`` farthest from the segment a–b."""
    ay, ax = ring[a]
    by, bx = ring[b]
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    best, index = -1.0, a + 1
    for i in range(a + 1, b):
        py, px = ring[i]
        ux, uy = px - ax, py - ay
        if length2 > 0.0:
            t = (ux * dx + uy * dy) / length2
            t = 0.0 if t < 0.0 else 1.0 if t > 1.0 else t
            ux, uy = ux - t * dx, uy - t * dy
        d = ux * ux + uy * uy
        if d > best:
            best, index = d, i
    return index, math.sqrt(best)


def _stride(anchors: list[int], last: int, budget: int) -> list[int]:
    """The anchors and evenly spaced vertices between them, ``budget`` in all."""
    pinned = set(anchors)
    others = [i for i in range(last) if i not in pinned]
    room = budget - len(pinned)
    step = len(others) / room
    return sorted(pinned | {others[int(k * step)] for k in range(room)})


def _turn(o: Point, a: Point, b: Point) -> float:
    """Positive for a left turn o→a→b, negative for a right one, zero when collinear."""
    return (a[1] - o[1]) * (b[0] - o[0]) - (a[0] - o[0]) * (b[1] - o[1])


def _edges_meet(edges: list[tuple[Point, Point]], j: int, k: int, count: int) -> bool:
    (p1, p2), (q1, q2) = edges[j], edges[k]
    if abs(j - k) == 1 or abs(j - k) == count - 1:
        # Neighbours share a vertex; they fail only by folding back along each other.
        shared, u, v = (p2, p1, q2) if p2 == q1 else (p1, p2, q1)
        if _turn(u, shared, v) != 0:
            return False
        return (u[0] - shared[0]) * (v[0] - shared[0]) + (u[1] - shared[1]) * (v[1] - shared[1]) > 0
    if max(p1[0], p2[0]) < min(q1[0], q2[0]) or max(q1[0], q2[0]) < min(p1[0], p2[0]):
        return False
    d1, d2 = _turn(q1, q2, p1), _turn(q1, q2, p2)
    d3, d4 = _turn(p1, p2, q1), _turn(p1, p2, q2)
    if ((d1 > 0) != (d2 > 0) and d1 != 0 and d2 != 0) and (
        (d3 > 0) != (d4 > 0) and d3 != 0 and d4 != 0
    ):
        return True
    return any(
        d == 0 and _on_segment(s, e, p)
        for d, s, e, p in ((d1, q1, q2, p1), (d2, q1, q2, p2), (d3, p1, p2, q1), (d4, p1, p2, q2))
    )


def _on_segment(s: Point, e: Point, p: Point) -> bool:
    return min(s[0], e[0]) <= p[0] <= max(s[0], e[0]) and min(s[1], e[1]) <= p[1] <= max(s[1], e[1])
