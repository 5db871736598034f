"""The level each monitoring point stands at, kept in the checkpoint so that a hazard is
raised when a point's level rises, not at every reading while it stays there.

A point's level is the most severe of the latest level of each metric measured there:
a crack meter's normal reading does not lower the level the GNSS station's displacement
rate put the point at. A metric back below its thresholds is forgotten, so a level that
falls and rises again raises a hazard again (a slope that moves anew after it had
settled is news). Only points and metrics above normal are kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.housing_monitoring.thresholds import LEVELS, rank

#: Point (``site/point``) -> metric -> level.
Levels = Mapping[str, Mapping[str, str]]


def levels_in(position: Any) -> Levels:
    """The levels a checkpoint holds; none for ``None`` or a checkpoint of another shape."""
    found = position.get("levels") if isinstance(position, Mapping) else None
    if not isinstance(found, Mapping):
        return {}
    return {
        str(point): {str(m): str(lv) for m, lv in metrics.items() if lv in LEVELS}
        for point, metrics in found.items()
        if isinstance(metrics, Mapping)
    }


def point_level(levels: Levels, point: str) -> str | None:
    return max(levels.get(point, {}).values(), key=rank, default=None)


def updated(levels: Levels, point: str, measured: Mapping[str, str | None]) -> Levels:
    """The levels once a reading's metrics are taken. The same object when nothing
    changes, else a new one: a checkpoint already handed out is never changed."""
    before = levels.get(point, {})
    after = {**before, **{m: lv for m, lv in measured.items() if lv is not None}}
    for metric, level in measured.items():
        if level is None:
            after.pop(metric, None)
    if after == before:
        return levels
    rest = {p: m for p, m in levels.items() if p != point}
    return {**rest, point: after} if after else rest


def rises(before: str | None, level: str | None) -> bool:
    """Whether a reading at ``level`` raises a point that stood at ``before``. A point's
    other metrics are at ``before`` or below, so the point rises exactly when the
    reading's own level is above it."""
    return rank(level) > rank(before)
