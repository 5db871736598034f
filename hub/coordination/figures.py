"""Figures over delays: the median and the 90th percentile, by the nearest-rank method,
so every figure shown is a delay that really happened."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from hub.coordination.deliveries import Delivery


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


@dataclass(frozen=True, slots=True)
class Figures:
    """Delays over a set of deliveries: what a pair, a reader or an incident shows."""

    deliveries: int
    read: int
    acknowledged: int
    read_median_ms: int | None
    read_p90_ms: int | None
    ack_median_ms: int | None
    ack_p90_ms: int | None

    @classmethod
    def of(cls, found: Iterable[Delivery]) -> Figures:
        group = list(found)
        reads = [d.to_read_ms for d in group if d.to_read_ms is not None]
        acks = [d.to_ack_ms for d in group if d.to_ack_ms is not None]
        return cls(
            deliveries=len(group),
            read=len(reads),
            acknowledged=len(acks),
            read_median_ms=median(reads),
            read_p90_ms=p90(reads),
            ack_median_ms=median(acks),
            ack_p90_ms=p90(acks),
        )
