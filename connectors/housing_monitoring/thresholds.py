"""Alert thresholds: for each metric, the value at which each level (blue, yellow, orange,
red) begins, for a site kind or for one monitoring point.

The thresholds file is YAML (or JSON, which YAML reads), by default the one beside the
readings (:func:`beside`). Every section is optional, and each replaces what comes
before it metric by metric (``null`` switches a metric off)::

    defaults:                  # every site kind; in place of the built-in defaults
      crack_width_mm: {blue: 2, yellow: 5, orange: 10, red: 20}
    kinds:                     # by site kind: LANDFILL, SLOPE, DEEP_EXCAVATION, ...
      LANDFILL:
        displacement_rate_mm_per_day: {blue: 2, yellow: 5, orange: 10, red: 20}
    points:                    # by monitoring point, as <site_id>/<point_id>
      GM-LF-001/SY-01:
        groundwater_depth_m: {blue: 8, yellow: 6, orange: 4, red: 2}
        rainfall_mm: {yellow: 30, red: 60, period_minutes: 60}

A metric may give any of the levels, rising with the level; groundwater depth falls
instead (the water table rising towards the surface is the danger). Rainfall
thresholds hold for one period (``period_minutes``, 60 unless told) and are compared
only with readings over that period.

:data:`DEFAULTS` are Linkage's starting values, chosen to be plausible for fill and
soil slopes; they come from no standard, and a site's engineers should set its own.
Pore water pressure and groundwater depth have none: they depend on where the sensor
sits, so they are set per point.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

#: From least to most severe.
LEVELS = ("BLUE", "YELLOW", "ORANGE", "RED")

SITE_KINDS = ("CONSTRUCTION_SITE", "LANDFILL", "SLOPE", "DEEP_EXCAVATION", "OTHER")


@dataclass(frozen=True, slots=True)
class Metric:
    english: str
    chinese: str
    unit: str
    falling: bool = False


#: The schema's measurement fields, in its order.
METRICS: Mapping[str, Metric] = {
    "surface_displacement_mm": Metric("surface displacement", "累计水平位移", "mm"),
    "settlement_mm": Metric("settlement", "累计沉降", "mm"),
    "displacement_rate_mm_per_day": Metric("displacement rate", "位移速率", "mm/d"),
    "crack_width_mm": Metric("crack width", "裂缝宽度", "mm"),
    "groundwater_depth_m": Metric("groundwater depth", "地下水位埋深", "m", falling=True),
    "pore_water_pressure_kpa": Metric("pore water pressure", "孔隙水压力", "kPa"),
    "rainfall_mm": Metric("rainfall", "降雨量", "mm"),
}

#: The one metric whose thresholds hold for a period.
RAINFALL = "rainfall_mm"


def rank(level: str | None) -> int:
    """0 for no level (正常), 1 for blue up to 4 for red."""
    return 0 if level is None else LEVELS.index(level) + 1


@dataclass(frozen=True, slots=True)
class Band:
    """One metric's thresholds: ``(level, value)`` from the least severe level given."""

    limits: tuple[tuple[str, float], ...]
    falling: bool = False
    period_minutes: int | None = None

    def reached(self, value: float) -> tuple[str, float] | None:
        """The most severe level the value reaches, with its threshold."""
        found = None
        for level, limit in self.limits:
            if (value <= limit) if self.falling else (value >= limit):
                found = (level, limit)
        return found


def _band(values: Mapping[str, float], *, falling: bool = False, period: int | None = None) -> Band:
    return Band(tuple((lv.upper(), float(v)) for lv, v in values.items()), falling, period)


DEFAULTS: Mapping[str, Band] = {
    "surface_displacement_mm": _band({"blue": 30, "yellow": 50, "orange": 80, "red": 120}),
    "settlement_mm": _band({"blue": 30, "yellow": 50, "orange": 80, "red": 120}),
    "displacement_rate_mm_per_day": _band({"blue": 2, "yellow": 5, "orange": 10, "red": 20}),
    "crack_width_mm": _band({"blue": 2, "yellow": 5, "orange": 10, "red": 20}),
    "rainfall_mm": _band({"blue": 20, "yellow": 30, "orange": 50, "red": 80}, period=60),
}


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Built-in defaults, then a file's defaults, kinds and points, each over the last."""

    defaults: Mapping[str, Band | None] = field(default_factory=dict)
    kinds: Mapping[str, Mapping[str, Band | None]] = field(default_factory=dict)
    points: Mapping[str, Mapping[str, Band | None]] = field(default_factory=dict)

    def at(self, site_kind: str, site_id: str, point_id: str) -> dict[str, Band]:
        """The bands in force at one monitoring point."""
        bands: dict[str, Band | None] = dict(DEFAULTS)
        for layer in (
            self.defaults,
            self.kinds.get(site_kind, {}),
            self.points.get(f"{site_id}/{point_id}", {}),
        ):
            bands.update(layer)
        return {metric: band for metric, band in bands.items() if band is not None}

    @classmethod
    def load(cls, path: str | Path | None) -> Thresholds:
        """The thresholds in a file (``None``: the built-in defaults alone); a file that
        is not as described above is a ``ValueError`` naming where it is wrong."""
        if path is None:
            return cls()
        path = Path(path)
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ValueError(f"{path}: not YAML or JSON ({exc})") from None
        where = path.name
        _mapping(document, where, allowed=("defaults", "kinds", "points"))
        kinds = _mapping(document.get("kinds") or {}, f"{where}: kinds", allowed=SITE_KINDS)
        points = _mapping(document.get("points") or {}, f"{where}: points")
        for key in points:
            if str(key).count("/") != 1:
                raise ValueError(f"{where}: points.{key}: name a point as <site_id>/<point_id>")
        return cls(
            defaults=_layer(document.get("defaults") or {}, f"{where}: defaults"),
            kinds={k: _layer(v or {}, f"{where}: kinds.{k}") for k, v in kinds.items()},
            points={str(k): _layer(v or {}, f"{where}: points.{k}") for k, v in points.items()},
        )


def beside(source: Path) -> Path | None:
    """The thresholds file that goes with a readings source: ``<stem>.thresholds.yaml``
    (or ``.yml``, ``.json``) next to a file, ``thresholds.yaml`` in a folder. The
    connector is made from its source alone (``hub connector run``, ``hub dev``), so
    the readings and their alert plan travel together."""
    for suffix in (".yaml", ".yml", ".json"):
        if source.is_dir():
            found = source / f"thresholds{suffix}"
        else:
            found = source.with_name(f"{source.stem}.thresholds{suffix}")
        if found.is_file():
            return found
    return None


def _mapping(value: Any, where: str, allowed: tuple[str, ...] | None = None) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{where}: expected a mapping, got {type(value).__name__}")
    for key in value:
        if allowed is not None and key not in allowed:
            raise ValueError(f"{where}: {key!r} is not one of {', '.join(allowed)}")
    return value


def _layer(value: Any, where: str) -> dict[str, Band | None]:
    metrics = _mapping(value, where, allowed=tuple(METRICS))
    return {
        metric: None if spec is None else _parsed(spec, f"{where}.{metric}", metric)
        for metric, spec in metrics.items()
    }


def _parsed(spec: Any, where: str, name: str) -> Band:
    metric, rainfall = METRICS[name], name == RAINFALL
    allowed = (*(lv.lower() for lv in LEVELS), "period_minutes")
    _mapping(spec, where, allowed=allowed)
    period = spec.get("period_minutes")
    if period is not None and (
        not rainfall or isinstance(period, bool) or not isinstance(period, int)
    ):
        raise ValueError(f"{where}: period_minutes is a whole number, for rainfall only")
    limits: list[tuple[str, float]] = []
    for level in LEVELS:
        value = spec.get(level.lower())
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{where}.{level.lower()}: {value!r} is not a number")
        if limits and not (value < limits[-1][1] if metric.falling else value > limits[-1][1]):
            way = "fall" if metric.falling else "rise"
            raise ValueError(
                f"{where}: thresholds must {way} with the level;"
                f" {level.lower()} {value} after {limits[-1][0].lower()} {limits[-1][1]:g}"
            )
        limits.append((level, float(value)))
    if not limits:
        raise ValueError(f"{where}: give at least one of blue, yellow, orange, red")
    return Band(tuple(limits), metric.falling, (period or 60) if rainfall else None)
