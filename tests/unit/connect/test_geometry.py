"""The envelope's outlines: what simplify_ring, covering_ring and friends promise."""

from __future__ import annotations

import math
import random
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.connect.geometry import (
    bounding_box,
    convex_hull,
    covering_circle,
    covering_ring,
    distance_km,
    is_simple,
    simplify_ring,
)


def star(points: int, *, seed: int = 1, wobble: float = 0.3, centre=(30.0, 110.0)) -> list:
    """A closed, simple, star-shaped outline: one vertex per angle, radius varying."""
    rng = random.Random(seed)
    ring = []
    for k in range(points):
        t = 2 * math.pi * k / points
        r = 1 + wobble * math.sin(7 * t) + 0.02 * rng.random()
        ring.append((round(centre[0] + r * math.sin(t), 6), round(centre[1] + r * math.cos(t), 6)))
    return [*ring, ring[0]]


def is_subsequence(small: list, large: list) -> bool:
    remaining = iter(large)
    return all(any(p == q for q in remaining) for p in small)


def inside_convex(ring: list, point: tuple[float, float]) -> bool:
    signs = set()
    for a, b in pairwise(ring):
        cross = (b[1] - a[1]) * (point[0] - a[0]) - (b[0] - a[0]) * (point[1] - a[1])
        if abs(cross) > 1e-12:
            signs.add(cross > 0)
    return len(signs) <= 1


def test_a_ring_within_the_limit_comes_back_unchanged() -> None:
    ring = star(999)
    assert len(ring) == 1000
    assert simplify_ring(ring, max_points=1000) == ring


def test_a_41k_point_outline_is_cut_to_the_limit_closed_simple_with_its_bounding_box() -> None:
    ring = star(41_008)
    simplified = simplify_ring(ring, max_points=1000)
    assert 900 < len(simplified) <= 1000
    assert simplified[0] == simplified[-1]
    assert is_simple(simplified)
    assert bounding_box(simplified) == bounding_box(ring)
    assert is_subsequence(simplified[:-1], ring)


def test_a_spike_that_shapes_the_outline_is_kept_not_strided_away() -> None:
    ring = star(5000, wobble=0.0)
    spike = 625  # at 45 degrees: far out, yet no extreme of the bounding box
    ring[spike] = (30.0 + 1.3 * math.sin(math.pi / 4), 110.0 + 1.3 * math.cos(math.pi / 4))
    assert ring[spike] in simplify_ring(ring, max_points=50)


def test_a_contrived_outline_that_would_cost_too_much_is_strided_within_the_promises() -> None:
    ring = star(5000)
    strided = simplify_ring(ring, max_points=100, work_factor=0)
    assert len(strided) <= 100
    assert strided[0] == strided[-1]
    assert bounding_box(strided) == bounding_box(ring)
    assert is_subsequence(strided[:-1], ring)


def test_an_outline_that_would_cross_itself_is_replaced_by_its_convex_hull() -> None:
    # A figure of eight crosses itself at its waist, and so does any outline of it.
    n = 1000
    eight = [(math.sin(2 * math.pi * k / n), math.sin(4 * math.pi * k / n)) for k in range(n)]
    eight.append(eight[0])
    assert len(convex_hull(eight)) <= 600 < len(eight)
    simplified = simplify_ring(eight, max_points=600)
    assert simplified == convex_hull(eight)
    assert is_simple(simplified)
    assert bounding_box(simplified) == bounding_box(eight)
    assert all(inside_convex(simplified, p) for p in eight)


def test_a_hull_too_long_for_the_limit_is_simplified_and_stays_convex() -> None:
    circles = [star(3000, wobble=0.0), star(3000, wobble=0.0, centre=(30.5, 110.5))]
    covered = covering_ring(circles, max_points=64)
    assert len(covered) <= 64
    assert is_simple(covered)
    assert bounding_box(covered) == bounding_box([p for ring in circles for p in ring])


def test_several_rings_are_covered_by_the_hull_of_all_of_them() -> None:
    west = [(0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 0.0), (0.0, 0.0)]
    east = [(0.0, 5.0), (0.0, 6.0), (1.0, 6.0), (1.0, 5.0), (0.0, 5.0)]
    covered = covering_ring([west, east], max_points=1000)
    assert covered[0] == covered[-1]
    assert bounding_box(covered) == (0.0, 0.0, 1.0, 6.0)
    assert all(inside_convex(covered, p) for p in west + east)


def test_one_ring_is_covered_by_itself() -> None:
    square = [(0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 0.0), (0.0, 0.0)]
    assert covering_ring([square], max_points=1000) == square


def test_the_convex_hull_holds_every_point() -> None:
    rng = random.Random(3)
    points = [(rng.uniform(-10, 10), rng.uniform(-10, 10)) for _ in range(2000)]
    hull = convex_hull(points)
    assert hull[0] == hull[-1]
    assert all(inside_convex(hull, p) for p in points)
    assert is_simple(hull)


def test_collinear_points_make_a_flat_ring_of_four() -> None:
    assert len(convex_hull([(0.0, 0.0), (1.0, 1.0), (2.0, 2.0)])) == 4
    assert convex_hull([(1.0, 1.0)]) == [(1.0, 1.0)] * 4


def test_a_ring_of_one_place_simplifies_to_four_points() -> None:
    same = [(5.0, 5.0)] * 2000
    simplified = simplify_ring(same, max_points=100)
    assert len(simplified) == 4
    assert set(simplified) == {(5.0, 5.0)}


@pytest.mark.parametrize(
    ("ring", "simple"),
    [
        ([(0, 0), (0, 1), (1, 1), (1, 0), (0, 0)], True),
        ([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)], False),  # a bow tie
        ([(0, 0), (0, 2), (0, 1), (1, 1), (0, 0)], False),  # folds back along itself
        ([(0, 0), (0, 2), (1, 1), (0, 2), (2, 2), (2, 0), (0, 0)], False),  # touches itself
        ([(0, 0), (0, 1), (0, 1), (1, 1), (1, 0), (0, 0)], True),  # a repeated point
    ],
    ids=["square", "bow-tie", "fold", "touch", "repeat"],
)
def test_is_simple_finds_crossings_folds_and_touches(ring: list, simple: bool) -> None:
    assert is_simple([(float(a), float(b)) for a, b in ring]) is simple


def test_covering_circle_contains_every_circle() -> None:
    circles = [((30.0, 110.0), 5.0), ((30.2, 110.3), 1.0), ((29.9, 109.8), 0.0)]
    centre, radius = covering_circle(circles)
    for c, r in circles:
        assert distance_km(centre, c) + r <= radius + 1e-9
    assert covering_circle(circles[:1]) == circles[0]


def test_distance_is_great_circle_kilometres() -> None:
    assert distance_km((0.0, 0.0), (0.0, 1.0)) == pytest.approx(111.195, abs=0.01)


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 8"):
        simplify_ring(star(100), max_points=5)
    with pytest.raises(ValueError, match="first equal to the last"):
        simplify_ring([(0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 0.0)], max_points=100)
    with pytest.raises(ValueError, match="no rings"):
        covering_ring([], max_points=100)
    with pytest.raises(ValueError, match="no circles"):
        covering_circle([])


@settings(max_examples=40, deadline=None)
@given(
    points=st.integers(min_value=9, max_value=1500),
    max_points=st.integers(min_value=8, max_value=200),
    seed=st.integers(min_value=0, max_value=10_000),
    wobble=st.floats(min_value=0.0, max_value=0.9),
)
def test_any_star_outline_keeps_every_promise(
    points: int, max_points: int, seed: int, wobble: float
) -> None:
    ring = star(points, seed=seed, wobble=wobble)
    simplified = simplify_ring(ring, max_points=max_points)
    assert 4 <= len(simplified) <= max(max_points, len(ring) if len(ring) <= max_points else 0)
    assert simplified[0] == simplified[-1]
    assert bounding_box(simplified) == bounding_box(ring)
    if len(ring) > max_points:
        assert is_simple(simplified)
