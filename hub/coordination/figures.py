"""Figures over delays: the median and the 90th percentile, by the nearest-rank method,
so every figure shown is a delay that really happened."""

from __future__ import annotations

import math
from collections.abc import Sequence


def nearest_rank(values: Sequence[int], fraction: float) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[int]) -> int | None:
    return nearest_rank(values, 0.5)


def p90(values: Sequence[int]) -> int | None:
    return nearest_rank(values, 0.9)
