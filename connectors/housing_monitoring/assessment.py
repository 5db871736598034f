"""A reading held against its point's thresholds: which metrics reached which level."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from connectors.housing_monitoring.thresholds import METRICS, Band, rank


@dataclass(frozen=True, slots=True)
class Breach:
    """A metric that reached a level: its value and the threshold it reached."""

    metric: str
    value: float
    level: str
    limit: float


@dataclass(frozen=True, slots=True)
class Assessment:
    """A reading against its point's thresholds: each measured metric's level (``None``
    below every threshold) and the breaches among them, in the schema's field order."""

    levels: Mapping[str, str | None]
    breaches: tuple[Breach, ...]

    @property
    def level(self) -> str | None:
        """The most severe level reached; ``None`` below every threshold."""
        return max((b.level for b in self.breaches), key=rank, default=None)


def assess(
    values: Mapping[str, float | None], bands: Mapping[str, Band], rainfall_period: int | None
) -> Assessment:
    """Rainfall over another period than its thresholds' is not compared."""
    levels: dict[str, str | None] = {}
    breaches = []
    for metric in METRICS:
        value, band = values.get(metric), bands.get(metric)
        if value is None or band is None:
            continue
        if band.period_minutes is not None and band.period_minutes != rainfall_period:
            continue
        reached = band.reached(value)
        levels[metric] = reached[0] if reached else None
        if reached:
            breaches.append(Breach(metric, value, *reached))
    return Assessment(levels, tuple(breaches))
