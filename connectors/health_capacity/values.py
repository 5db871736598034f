"""Cell text as hospital exports write it: counts with thousands separators or left
blank, local times without an offset (Shenzhen time, :mod:`connectors.common.values`),
the emergency department's state in Chinese or English. Each parser names its field when
it refuses a value."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from connectors.common.values import point as wgs84_point
from connectors.common.values import to_utc
from hub.connect import RecordRejected

#: What exports put in a cell that has no value.
BLANK = frozenset({"", "-", "—", "/", "n/a", "na", "null"})

_TIME_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y-%m-%d %H:%M",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日%H:%M",
)

#: The emergency department's state, as the schema's symbols or as Chinese systems say it.
ED_STATUS: Mapping[str, str] = {
    "normal": "NORMAL",
    "正常": "NORMAL",
    "正常接诊": "NORMAL",
    "busy": "BUSY",
    "繁忙": "BUSY",
    "saturated": "SATURATED",
    "饱和": "SATURATED",
    "满负荷": "SATURATED",
    "diverting": "DIVERTING",
    "分流": "DIVERTING",
    "120分流": "DIVERTING",
    "closed": "CLOSED",
    "停诊": "CLOSED",
    "关闭": "CLOSED",
}

_PLAIN = re.compile(r"\d+(?:\.0*)?")
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.0*)?")


def is_blank(text: str) -> bool:
    return text.strip().casefold() in BLANK


def count(text: str, field: str, *, required: bool) -> int | None:
    """A whole number such as ``1200``, ``1,200`` or ``1，200``; ``12.0`` (a spreadsheet's
    float) is 12. Blank is ``None`` unless the field is required."""
    if is_blank(text):
        if required:
            raise RecordRejected(field, "is blank; this count is required")
        return None
    digits = re.sub(r"\s", "", text).replace("，", ",")
    if not (_PLAIN.fullmatch(digits) or _GROUPED.fullmatch(digits)):
        raise RecordRejected(field, f"{text!r} is not a whole number of zero or more")
    return int(digits.replace(",", "").split(".")[0])


def local_time(text: str, field: str) -> datetime:
    """A date and time in UTC; one written without an offset is Shenzhen time."""
    text = text.strip()
    if not text:
        raise RecordRejected(field, "is blank; a date and time is required")
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        for layout in _TIME_FORMATS:
            try:
                value = datetime.strptime(text, layout)  # naive: the zone is set below
                break
            except ValueError:
                continue
        else:
            raise RecordRejected(
                field,
                f"{text!r} is not a date and time, for example 2015-12-20 11:40"
                " (Shenzhen time) or 2015-12-20T11:40:00+08:00",
            ) from None
    return to_utc(value)


def ed_status(text: str, field: str) -> str:
    found = ED_STATUS.get(re.sub(r"\s", "", text).casefold())
    if found is None:
        symbols = "NORMAL, BUSY, SATURATED, DIVERTING, CLOSED (正常, 繁忙, 饱和, 分流, 停诊)"
        raise RecordRejected(field, f"{text!r} is not one of {symbols}")
    return found


def point(lat: str, lon: str) -> dict[str, float] | None:
    """A WGS84 point, or ``None`` when both are blank (``-`` and ``n/a`` too)."""
    return wgs84_point(lat, lon, blank=is_blank)
