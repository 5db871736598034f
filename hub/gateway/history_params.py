"""The history filters as query parameters, parsed once for the stream page and the
incident timeline alike; a bad value is a 422 that names the parameter."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Query
from fastapi.exceptions import RequestValidationError
from pydantic import BeforeValidator, Field

from hub.archive.history import HistoryFilter
from hub.archive.index import SEVERITY_RANK, Box
from hub.policy.vocabulary import CATEGORIES

DISTRICT = r"^[0-9]{6}$"
CLASSIFICATION = r"^[A-Z0-9_]{1,32}$"
BBOX = r"^-?[0-9.]+,-?[0-9.]+,-?[0-9.]+,-?[0-9.]+$"
INCIDENT = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"


_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _rfc3339(value: object) -> object:
    """A time given as text in RFC 3339 (``2026-07-01T06:00:00+08:00``); pydantic alone
    would also take ``0.5`` as seconds since 1970, which no caller means."""
    if isinstance(value, str) and not _RFC3339.match(value):
        raise ValueError("a time in RFC 3339, for example 2026-07-01T06:00:00+08:00")
    return value


#: A query parameter holding a time.
Moment = Annotated[datetime, BeforeValidator(_rfc3339)]


def _invalid(name: str, message: str, value: object) -> RequestValidationError:
    return RequestValidationError(
        [{"type": "value_error", "loc": ("query", name), "msg": message, "input": value}]
    )


def _ms(moment: datetime | None) -> int | None:
    if moment is None:
        return None
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return int(aware.timestamp() * 1000)


def _box(text: str | None) -> Box | None:
    """GeoJSON's order: west, south, east, north."""
    if text is None:
        return None
    try:
        west, south, east, north = (float(v) for v in text.split(","))
    except ValueError:
        raise _invalid("bbox", "four numbers: west,south,east,north", text) from None
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise _invalid(
            "bbox", "west <= east within -180..180 and south <= north within -90..90", text
        )
    return Box(min_lat=south, min_lon=west, max_lat=north, max_lon=east)


async def history_filter(
    since: Annotated[
        Moment | None, Query(description="events that occurred at or after (RFC 3339)")
    ] = None,
    until: Annotated[Moment | None, Query(description="events that occurred before")] = None,
    incident: Annotated[
        str | None, Query(pattern=INCIDENT, description="events of this incident id")
    ] = None,
    district: Annotated[
        list[Annotated[str, Field(pattern=DISTRICT)]] | None,
        Query(description="GB/T 2260 district codes (repeat for several)", max_length=50),
    ] = None,
    severity_at_least: Annotated[
        str | None,
        Query(pattern=r"^(I|II|III|IV)$", description="level I (gravest) to IV; II keeps I, II"),
    ] = None,
    classification: Annotated[
        list[Annotated[str, Field(pattern=CLASSIFICATION)]] | None,
        Query(
            description=(
                "GB/T 35561 categories (NATURAL_DISASTER ...) or sub-type codes;"
                " an event with no classification matches none"
            ),
            max_length=20,
        ),
    ] = None,
    bbox: Annotated[
        str | None, Query(pattern=BBOX, description="west,south,east,north (WGS84 degrees)")
    ] = None,
) -> HistoryFilter:
    since_ms, until_ms = _ms(since), _ms(until)
    if since_ms is not None and until_ms is not None and until_ms <= since_ms:
        raise _invalid("until", "until must be later than since", until)
    # Each code's pattern is checked by the parameter's own type (and shown in OpenAPI).
    districts = tuple(dict.fromkeys(district or ()))
    kinds = tuple(dict.fromkeys(classification or ()))
    return HistoryFilter(
        since_ms=since_ms,
        until_ms=until_ms,
        incident=incident,
        districts=districts,
        severity_rank_at_most=SEVERITY_RANK[severity_at_least] if severity_at_least else None,
        categories=tuple(k for k in kinds if k in CATEGORIES),
        codes=tuple(k for k in kinds if k not in CATEGORIES),
        bbox=_box(bbox),
    )


HistoryFilterDep = Annotated[HistoryFilter, Depends(history_filter)]
