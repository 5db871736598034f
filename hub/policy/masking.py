"""What each mask does to a value, and which mask a field gets.

Safe by default: on a grant to another agency, fields tagged ``pii`` or ``medical`` are
redacted and ``precise-location`` fields coarsened to their district, unless the grant
names another mask or unmasks them with a reason. A mask by path beats a mask by tag;
a field with several tags takes the strongest of their masks.

Every method but ``drop`` (which always leaves the field out) keeps ``None`` as
``None``, and none raises on an unexpected value: what it cannot mask meaningfully it
redacts.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import orjson

from hub.policy.model import Policy
from hub.policy.rules import Grant, Mask

#: The field is left out of the record altogether.
DROP: Any = object()
REDACTED = "[redacted]"

#: Masks on a field's tags are combined by taking the strongest.
STRENGTH = {"drop": 6, "redact": 5, "hash": 4, "partial": 3, "generalize": 2, "coarsen": 1}

DEFAULT_MASKS: dict[str, Mask] = {
    "pii": Mask(tag="pii", method="redact"),
    "medical": Mask(tag="medical", method="redact"),
    "precise-location": Mask(tag="precise-location", method="coarsen", to="district"),
}


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """What the plan knows of a field when it picks and applies a mask."""

    path: str
    tags: tuple[str, ...]
    nullable: bool
    kind: str  # the Avro type of the value when not null: string, int, record, array ...


def mask_for(grant: Grant, field: FieldInfo) -> Mask | None:
    """The mask ``grant`` puts on ``field``, or None to serve it in clear."""
    for mask in grant.masks:
        if mask.path == field.path:
            return mask
    if any(unmask.path == field.path for unmask in grant.unmask):
        return None
    unmasked = {u.tag for u in grant.unmask if u.tag}
    candidates = []
    for tag in field.tags:
        if tag in unmasked:
            continue
        chosen = next((m for m in grant.masks if m.tag == tag), DEFAULT_MASKS.get(tag))
        if chosen is not None:
            candidates.append(chosen)
    return max(candidates, key=lambda m: STRENGTH[m.method], default=None)


Masker = Callable[[Any, Mapping[str, Any], Mapping[str, Any]], Any]
"""``masker(value, parent, event) -> masked value`` (or :data:`DROP`): ``parent`` is the
record that holds the field, ``event`` the whole event (for coarsening's district)."""


def masker(mask: Mask, field: FieldInfo, *, policy: Policy, key: bytes | None) -> Masker:
    """Compile one mask for one field into a function of the value."""
    method = mask.method
    if method == "drop":
        return lambda _value, _parent, _event: DROP
    redact = _redactor(field)
    if method == "redact":
        return redact
    if method == "hash":
        if key is None:
            raise ValueError(f"no hash key for the mask on {field.path}")
        return _hasher(key)
    if method == "partial":
        return _partial(mask, redact)
    if method == "generalize":
        return _generalizer(mask, redact)
    return _coarsener(mask, policy, redact)


def _redactor(field: FieldInfo) -> Masker:
    if field.nullable:
        return lambda _value, _parent, _event: None
    if field.kind == "string":
        return lambda value, _parent, _event: None if value is None else REDACTED
    # A required value of another type has no neutral stand-in: it is left out.
    return lambda value, _parent, _event: None if value is None else DROP


def _hasher(key: bytes) -> Masker:
    def mask(value: Any, _parent: Mapping[str, Any], _event: Mapping[str, Any]) -> Any:
        if value is None:
            return None
        data = value.encode() if isinstance(value, str) else orjson.dumps(value, default=str)
        return hmac.new(key, data, hashlib.sha256).hexdigest()

    return mask


def _partial(rule: Mask, redact: Masker) -> Masker:
    chars, keep_first = rule.chars, rule.keep == "first"

    def mask(value: Any, parent: Mapping[str, Any], event: Mapping[str, Any]) -> Any:
        if value is None:
            return None
        if not isinstance(value, str):
            return redact(value, parent, event)
        if len(value) <= chars:
            return "*" * len(value)  # keeping N of N characters would hide nothing
        hidden = "*" * (len(value) - chars)
        return value[:chars] + hidden if keep_first else hidden + value[-chars:]

    return mask


def _generalizer(rule: Mask, redact: Masker) -> Masker:
    to_day, band = rule.to == "day", rule.band

    def mask(value: Any, parent: Mapping[str, Any], event: Mapping[str, Any]) -> Any:
        if value is None:
            return None
        if isinstance(value, datetime):
            hour = 0 if to_day else value.hour
            return value.replace(hour=hour, minute=0, second=0, microsecond=0)
        if isinstance(value, date):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if isinstance(value, float) and not math.isfinite(value):
                return redact(value, parent, event)
            if isinstance(value, int):
                low = value // band * band  # exact, however large the long
                return f"{low}-{low + band - 1}"
            low_f = math.floor(value / band) * band
            return f"{low_f}-{low_f + band}"
        return redact(value, parent, event)

    return mask


def _coarsener(rule: Mask, policy: Policy, redact: Masker) -> Masker:
    """To the district's centroid (or name, for an address); a location whose district is
    not known is redacted, never kept finer than a district. ``to: grid`` asks for the
    centre of a grid cell instead."""
    to_grid, grid = rule.to == "grid", rule.grid
    # Plain tuples, looked up per record: (lat, lon, label) by district code.
    districts = {d.code: (d.lat, d.lon, f"{d.name.zh} ({d.code})") for d in policy.districts}

    def mask(value: Any, parent: Mapping[str, Any], event: Mapping[str, Any]) -> Any:
        if value is None:
            return None
        if type(value) is dict or isinstance(value, Mapping):
            if "lat" in value and "lon" in value:
                if to_grid:
                    lat, lon = _cell(value.get("lat"), grid), _cell(value.get("lon"), grid)
                    return (
                        {**_blanked(value), "lat": lat, "lon": lon}
                        if len(value) > 2
                        else {"lat": lat, "lon": lon}
                    )
                district = districts.get(_district_code(parent, event) or "")
                if district is None:
                    return redact(value, parent, event)
                coarse = {"lat": district[0], "lon": district[1]}
                return {**_blanked(value), **coarse} if len(value) > 2 else coarse
            if isinstance(value.get("center"), Mapping):
                centre = mask(value["center"], parent, event)
                if centre is None:
                    return redact(value, parent, event)
                return {**_blanked(value), "center": centre, "radius_km": value.get("radius_km")}
            return redact(value, parent, event)
        if isinstance(value, str):
            code = _district_code(parent, event)
            district = districts.get(code or "")
            if district is not None:
                return district[2]
            return code or redact(value, parent, event)
        if isinstance(value, Sequence):
            items = [mask(item, parent, event) for item in value]
            # An item with no neutral stand-in takes the whole list with it.
            if any(item is DROP or item is None for item in items):
                return redact(value, parent, event)
            return items
        return redact(value, parent, event)

    return mask


def _blanked(value: Mapping[str, Any]) -> dict[str, Any]:
    """A coarsened place keeps only its coordinates (and a circle's radius): anything else
    a location record holds (a label, a resident) is as precise as the point, so it is
    nulled rather than passed on beside a coarse one."""
    return dict.fromkeys(value)


def _cell(degrees: Any, grid: float) -> Any:
    """The centre of the grid cell a coordinate falls in."""
    if not isinstance(degrees, (int, float)) or not math.isfinite(degrees):
        return None
    return round(math.floor(degrees / grid) * grid + grid / 2, 6)


def _district_code(parent: Mapping[str, Any], event: Mapping[str, Any]) -> str | None:
    """The district of the record holding the location (an Area has its own), else the
    event's envelope district."""
    code = parent.get("district_code")
    if type(code) is str:
        return code
    envelope = event.get("envelope")
    area = envelope.get("area") if type(envelope) is dict else None
    code = area.get("district_code") if type(area) is dict else None
    return code if type(code) is str else None
