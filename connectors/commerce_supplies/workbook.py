"""An inventory workbook as its item rows, the way a clerk lays it out.

Read with openpyxl in read-only mode with cached values (``data_only``): a formula
gives the value Excel last calculated. Each visible sheet with a header (see
:mod:`headers`) is read below it; a sheet without one (说明, a lookup list) is passed
over. Skipped: blank rows, rows with a single filled cell (a title, a section heading
such as 一、生活类物资, a note), totals (合计, 小计), a repeated header, rows whose every
filled cell is a ``label：value`` (填表人：…, 审核人：…), and rows with neither an item
name nor a quantity (a note that strays into the code column is not an item). Read-only mode does not see merged
cells, which read blank below their first row, so the warehouse (id, name, district,
location), category and count time carry down from the row above when blank.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from connectors.commerce_supplies.headers import Header, field_of, find_header, no_header, normal

log = logging.getLogger(__name__)

#: Fields a merged cell may span rows of: the warehouse's, the category, the count time.
CARRIED = frozenset(
    {"warehouse_id", "warehouse_name", "district_code", "lat", "lon", "category", "as_of"}
)

TOTALS = frozenset({"合计", "总计", "小计", "total", "subtotal", "grandtotal"})

#: A sheet ends after this many blank rows in a row: a sheet formatted to its last row
#: (1,048,576) is not read to the end.
BLANK_RUN = 1000


@dataclass(frozen=True, slots=True)
class Workbook:
    """The visible sheets' rows as values, and when the workbook was saved (UTC)."""

    sheets: dict[str, list[tuple[Any, ...]]]
    saved: datetime | None


@dataclass(frozen=True, slots=True)
class ItemRow:
    """One item row: its cells by column name (a column without one is ``#`` and its
    letter), with merged-down cells filled in."""

    sheet: str
    row: int
    cells: dict[str, Any]


def open_workbook(data: bytes) -> Workbook:
    """Raises ``ValueError`` for bytes that are not a workbook openpyxl can read."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl's own errors alike: not a workbook
        raise ValueError(f"not an .xlsx workbook that can be opened ({exc})") from None
    try:
        sheets = {
            sheet.title: _rows(sheet.iter_rows(min_row=1, values_only=True))
            for sheet in book.worksheets
            if getattr(sheet, "sheet_state", "visible") == "visible"
        }
        saved = book.properties.modified
    finally:
        book.close()
    return Workbook(sheets, saved.replace(tzinfo=UTC) if isinstance(saved, datetime) else None)


def item_rows(book: Workbook) -> Iterator[ItemRow]:
    """Every item row of every sheet with a header; ``RecordRejected`` (naming the
    field) when no sheet has one."""
    found = False
    for title, rows in book.sheets.items():
        header = find_header(rows)
        if header is None:
            log.debug("sheet %r has no inventory header; passed over", title)
            continue
        found = True
        yield from _items(title, header, rows)
    if not found:
        raise no_header(book.sheets)


def _items(title: str, header: Header, rows: Sequence[tuple[Any, ...]]) -> Iterator[ItemRow]:
    names = [
        name if name is not None else f"#{get_column_letter(i + 1)}"
        for i, name in enumerate(header.names)
    ]
    carried: dict[str, Any] = {}
    for number, cells in enumerate(rows[header.row :], start=header.row + 1):
        values = [(c.strip() or None) if isinstance(c, str) else c for c in cells]
        if _skipped(values, header):
            continue
        row: dict[str, Any] = {}
        for i, value in enumerate(values):
            name = names[i] if i < len(names) else f"#{get_column_letter(i + 1)}"
            if i < len(names) or value is not None:
                row[name] = value
        for name in names:
            if field_of(name) in CARRIED:
                if row.get(name) is None and name in carried:
                    row[name] = carried[name]
                elif row.get(name) is not None:
                    carried[name] = row[name]
        yield ItemRow(title, number, row)


def _skipped(values: list[Any], header: Header) -> bool:
    filled = [v for v in values if v is not None]
    if len(filled) < 2:
        return True
    if any(isinstance(v, str) and normal(v).rstrip(":：") in TOTALS for v in filled):
        return True
    if all(isinstance(v, str) and (":" in v or "：" in v) for v in filled):
        return True  # 填表人：… 审核人：…, wherever the columns put them
    if tuple(values[: len(header.names)]) == header.names:
        return True
    item = [
        v
        for v, n in zip(values, header.names, strict=False)
        if field_of(n) in ("item_name", "quantity")
    ]
    return all(v is None for v in item)


def _rows(rows: Iterator[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    kept: list[tuple[Any, ...]] = []
    blank = 0
    for row in rows:
        if any(v is not None and v != "" for v in row):
            blank = 0
        else:
            blank += 1
            if blank >= BLANK_RUN:
                break
        kept.append(row)
    return kept[: len(kept) - blank]
