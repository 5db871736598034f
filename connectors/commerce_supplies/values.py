"""Cell values as openpyxl hands them over (numbers, text, datetimes; a formula as the
value Excel last calculated), turned into the schema's types. Each parser names its
field when it refuses a value."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from connectors.common.values import to_utc
from hub.connect import RecordRejected

#: The schema's supply categories, by their symbols and by the words stock lists use.
CATEGORIES: Mapping[str, str] = {
    **{s.casefold(): s for s in ("FOOD", "DRINKING_WATER", "SHELTER", "HYGIENE", "MEDICAL")},
    **{s.casefold(): s for s in ("BEDDING_AND_CLOTHING", "FUEL", "EQUIPMENT", "OTHER")},
    "食品": "FOOD",
    "食品类": "FOOD",
    "方便食品": "FOOD",
    "饮用水": "DRINKING_WATER",
    "瓶装水": "DRINKING_WATER",
    "帐篷": "SHELTER",
    "帐篷类": "SHELTER",
    "被服": "BEDDING_AND_CLOTHING",
    "被服类": "BEDDING_AND_CLOTHING",
    "衣被": "BEDDING_AND_CLOTHING",
    "卫生用品": "HYGIENE",
    "医用防护": "MEDICAL",
    "医疗用品": "MEDICAL",
    "防护用品": "MEDICAL",
    "燃料": "FUEL",
    "器材": "EQUIPMENT",
    "设备": "EQUIPMENT",
    "救援器材": "EQUIPMENT",
    "其他": "OTHER",
}

_TIME_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%Y年%m月%d日")
_NUMBER = re.compile(r"\d+(?:\.\d*)?|\d{1,3}(?:,\d{3})+(?:\.\d*)?")


def text(value: Any) -> str:
    """A cell as text: a code typed as a number (10001) is ``"10001"``, not ``"10001.0"``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def required_text(value: Any, field: str) -> str:
    found = text(value)
    if not found:
        raise RecordRejected(field, "is blank; it is required")
    return found


def quantity(value: Any, field: str = "quantity") -> float:
    """Stock in its unit: a number cell, or text such as ``1,200``; never blank."""
    if isinstance(value, bool):
        raise RecordRejected(field, f"{value!r} is not a quantity")
    if isinstance(value, int | float):
        found = float(value)
    elif value is None or not str(value).strip():
        raise RecordRejected(
            field, "is blank (a formula that Excel never calculated reads blank too)"
        )
    else:
        digits = re.sub(r"\s", "", str(value)).replace("，", ",")
        if not _NUMBER.fullmatch(digits):
            raise RecordRejected(field, f"{value!r} is not a quantity of zero or more")
        found = float(digits.replace(",", ""))
    if found < 0 or found != found:  # NaN is not equal to itself
        raise RecordRejected(field, f"{value!r} is not a quantity of zero or more")
    return found


def category(value: Any, field: str = "category") -> str:
    """The supply category; a blank cell (or no such column) is OTHER."""
    word = re.sub(r"\s", "", text(value)).casefold()
    if not word:
        return "OTHER"
    found = CATEGORIES.get(word)
    if found is None:
        raise RecordRejected(
            field,
            f"{value!r} is not a supply category: FOOD 食品, DRINKING_WATER 饮用水,"
            " SHELTER 帐篷, BEDDING_AND_CLOTHING 被服, HYGIENE 卫生用品, MEDICAL 医用防护,"
            " FUEL 燃料, EQUIPMENT 器材, OTHER 其他",
        )
    return found


def count_time(value: Any, saved: datetime | None, field: str = "as_of") -> datetime:
    """When the stock was counted, in UTC: a date cell (Shenzhen time), text such as
    ``2015-12-19 17:00``, or if the row has none, when the workbook was saved."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if saved is None:
            raise RecordRejected(field, "is blank, and the workbook says not when it was saved")
        return saved.astimezone(UTC)
    if isinstance(value, datetime):
        found = value
    elif isinstance(value, date):
        found = datetime(value.year, value.month, value.day)  # naive: the zone is set below
    elif isinstance(value, str):
        found = _parsed(value.strip(), field)
    else:
        raise RecordRejected(
            field, f"{value!r} is not a date: format the column as a date, or write 2015-12-19"
        )
    return to_utc(found)


def _parsed(value: str, field: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        pass
    for layout in _TIME_FORMATS:
        try:
            return datetime.strptime(value, layout)  # naive: the caller sets the zone
        except ValueError:
            continue
    raise RecordRejected(field, f"{value!r} is not a date, for example 2015-12-19 17:00")
