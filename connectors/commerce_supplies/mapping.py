"""One item row as a ``SuppliesInventory`` event.

A workbook without codes keys its rows by name: ``item_code`` falls back to the item's
name and ``warehouse_id`` to the warehouse's. A specification column (规格型号) joins
the item's name, as in the schema's "bottled drinking water 550 ml". No
classification: a stock count is routine, and describes no emergency.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from connectors.commerce_supplies.headers import field_of
from connectors.commerce_supplies.values import category, count_time, quantity, required_text, text
from connectors.common.values import point
from hub.connect import RecordRejected


def by_field(cells: Mapping[str, Any]) -> dict[str, Any]:
    """A row's cells by the field their column means."""
    found: dict[str, Any] = {}
    for name, value in cells.items():
        field = field_of(name)
        if field is not None:
            found.setdefault(field, value)
    return found


def inventory_event(cells: Mapping[str, Any], saved: datetime | None) -> dict[str, Any]:
    """The event for one row's cells (by column name); no ``event_id``, which depends
    on what the connector has taken before. ``saved``: when the workbook was saved,
    the count time of a row that gives none."""
    row = by_field(cells)
    warehouse_name = text(row.get("warehouse_name")) or text(row.get("warehouse_id"))
    if not warehouse_name:
        raise RecordRejected("warehouse_name", "is blank, and so is the warehouse's id")
    name = required_text(row.get("item_name"), "item_name")
    specification = text(row.get("specification"))
    item_name = f"{name} {specification}" if specification else name
    as_of = count_time(row.get("as_of"), saved)
    location = point(row.get("lat"), row.get("lon"))
    district = text(row.get("district_code"))
    if district and not re.fullmatch(r"\d{6}", district):
        raise RecordRejected("district_code", f"{district!r} is not a six-digit GB/T 2260 code")
    return {
        "envelope": {
            "occurred_at": as_of,
            "area": {
                "district_code": district or None,
                "description": warehouse_name,
                "point": location,
                "polygon": None,
                "circle": None,
            },
        },
        "warehouse_id": text(row.get("warehouse_id")) or warehouse_name,
        "warehouse_name": warehouse_name,
        "warehouse_location": location,
        "item_code": text(row.get("item_code")) or item_name,
        "item_name": item_name,
        "category": category(row.get("category")),
        "quantity": quantity(row.get("quantity")),
        "unit": required_text(row.get("unit"), "unit"),
        "as_of": as_of,
    }
