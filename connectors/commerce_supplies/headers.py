"""Which column of an inventory sheet holds which field, found by the column names.

Workbooks are laid out by hand: a title or a 填报单位 line comes above the table, so the
header is the first row (of the first :data:`SCAN_ROWS`) that names an item, a quantity,
a unit and a warehouse, in Chinese or English. Columns not in the table (序号, 备注)
are ignored."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hub.connect import RecordRejected

#: How far down a sheet its header may be.
SCAN_ROWS = 30

#: Field -> the column names that mean it, compared after :func:`normal`.
ALIASES: Mapping[str, tuple[str, ...]] = {
    "warehouse_id": ("warehouse_id", "仓库编号", "仓库代码", "库点编号", "储备库编号"),
    "warehouse_name": ("warehouse_name", "warehouse", "仓库名称", "仓库", "库点名称", "储备库"),
    "item_code": ("item_code", "物资编码", "物资代码", "物资编号", "编码"),
    "item_name": ("item_name", "item", "物资名称", "物资品名", "品名", "物品名称"),
    "specification": ("specification", "spec", "规格", "规格型号", "型号"),
    "category": ("category", "物资类别", "物资类型", "类别", "分类"),
    "quantity": ("quantity", "qty", "stock", "库存数量", "数量", "现有库存", "实存数量"),
    "unit": ("unit", "计量单位", "单位"),
    "as_of": ("as_of", "counted_at", "盘点时间", "盘点日期", "统计时间", "统计日期", "更新时间"),
    "district_code": ("district_code", "行政区划代码", "区划代码"),
    "lat": ("lat", "latitude", "纬度"),
    "lon": ("lon", "longitude", "经度"),
}

#: What a header must name; a warehouse by its id or its name.
REQUIRED = ("item_name", "quantity", "unit")
WAREHOUSE = ("warehouse_id", "warehouse_name")

_FULL_WIDTH = str.maketrans("（）", "()")


def normal(name: str) -> str:
    """A column name as compared: case, spaces, underscores and a unit in brackets at
    the end (``数量（箱）``) do not count."""
    text = name.translate(_FULL_WIDTH).strip().casefold()
    text = re.sub(r"\([^()]*\)$", "", text)
    return re.sub(r"[\s_\-]", "", text)


FIELD_OF: Mapping[str, str] = {
    normal(alias): field for field, names in ALIASES.items() for alias in names
}


def field_of(name: Any) -> str | None:
    return FIELD_OF.get(normal(name)) if isinstance(name, str) else None


@dataclass(frozen=True, slots=True)
class Header:
    """A header row: its row number, and each column's name (``None`` if blank)."""

    row: int
    names: tuple[str | None, ...]

    def missing(self) -> list[str]:
        fields = {field_of(n) for n in self.names}
        lacking = [f for f in REQUIRED if f not in fields]
        if not fields & set(WAREHOUSE):
            lacking.append("warehouse_name")
        return lacking


def find_header(rows: Sequence[tuple[Any, ...]]) -> Header | None:
    """The first row naming every required field; ``None`` if there is none.

    Raises ``RecordRejected`` when the header names a field twice: which column holds
    the stock would be a guess."""
    for number, cells in enumerate(rows[:SCAN_ROWS], start=1):
        header = Header(number, tuple(c.strip() if isinstance(c, str) else None for c in cells))
        if header.missing():
            continue
        seen: dict[str, str] = {}
        for name in header.names:
            field = field_of(name)
            if field is not None and name is not None:
                if field in seen:
                    raise RecordRejected(
                        field, f"two columns mean {field}: {seen[field]!r} and {name!r}"
                    )
                seen[field] = name
        return header
    return None


def no_header(sheets: Mapping[str, Sequence[tuple[Any, ...]]]) -> RecordRejected:
    """Why no sheet has a header, told from the row that came closest."""
    best: tuple[int, str, Header] | None = None
    for title, rows in sheets.items():
        for number, cells in enumerate(rows[:SCAN_ROWS], start=1):
            header = Header(number, tuple(c if isinstance(c, str) else None for c in cells))
            named = sum(field_of(n) is not None for n in header.names)
            if best is None or named > best[0]:
                best = (named, title, header)
    if best is None or best[0] == 0:
        return RecordRejected(
            "item_name",
            f"no sheet has a header row naming {', '.join(REQUIRED)} and a warehouse"
            f" in its first {SCAN_ROWS} rows (for example 物资名称, 数量, 单位, 仓库)",
        )
    _, title, header = best
    field = header.missing()[0]
    return RecordRejected(
        field,
        f"no column for {field}: the nearest to a header is row {header.row} of sheet"
        f" {title!r} ({', '.join(n for n in header.names if n)}); {field} may be called"
        f" {' or '.join(ALIASES[field])}",
    )
