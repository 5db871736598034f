"""The connector: the inventory workbook, read whole at every poll, and only the item
rows that changed since they were last taken."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from connectors.commerce_supplies.mapping import inventory_event
from connectors.commerce_supplies.workbook import ItemRow, item_rows, open_workbook
from connectors.common.changes import Row, changed, digest, whole_file
from connectors.common.exports import latest_export
from hub.connect import Connector, RecordRejected, SourceRecord

#: Namespace of this connector's event ids (see :func:`event_id`).
EVENT_IDS = uuid.UUID("63025d15-f016-41cd-9538-0657c092c482")


class SuppliesInventoryConnector(Connector):
    """Emergency supplies stock from the Commerce Bureau's inventory workbook (.xlsx).

    Args:
        source: The workbook, saved over at each export; or a folder of dated exports,
            of which the last ``.xlsx`` by name is read (Excel's ``~$`` lock files are
            not workbooks and are passed over).
    """

    name = "commerce-supplies"
    stream = "commerce.supplies-inventory"
    #: Stock is counted daily, and after each dispatch during a response.
    poll_s = 60.0

    def __init__(self, source: str | Path) -> None:
        self.source = Path(source)

    def read(self, position: Any) -> Iterator[SourceRecord]:
        export = latest_export(self.source, suffix=".xlsx", passed_over=_excel_lock)
        if export is None:
            return
        path, data = export
        try:
            book = open_workbook(data)
            rows = list(item_rows(book))
        except (RecordRejected, ValueError):
            # Nothing in it can be read: the workbook is one record, dead-lettered once.
            record = whole_file(path.name, data, position)
            if record is not None:
                yield record
            return
        yield from changed([_row(path.name, book.saved, row) for row in rows], position)

    def map(self, record: SourceRecord) -> dict[str, Any]:
        raw = record.raw
        if isinstance(raw, bytes):
            # The whole workbook: opening it again says why none of it could be read.
            list(item_rows(open_workbook(raw)))
            raise ValueError(f"{record.ref}: the workbook was unreadable when it was taken")
        if not isinstance(raw, Mapping) or not isinstance(raw.get("cells"), Mapping):
            raise ValueError(f"{record.ref}: expected an item row's cells, got {type(raw)}")
        event = inventory_event(raw["cells"], _saved(raw.get("saved")))
        event["envelope"]["event_id"] = event_id(event)
        return event


def state(event: dict[str, Any]) -> dict[str, Any]:
    """What a row says, as compared between exports: everything but the count time,
    so a workbook re-exported with the same stock is not news."""
    envelope = {k: v for k, v in event["envelope"].items() if k not in ("occurred_at", "event_id")}
    return {**{k: v for k, v in event.items() if k != "as_of"}, "envelope": envelope}


def event_id(event: dict[str, Any]) -> str:
    """Warehouse, item, count time and stock: the same count read again (after a
    restart, or from an export whose rows moved) is the same event."""
    at = event["as_of"].isoformat()
    key = f"{event['warehouse_id']}\n{event['item_code']}\n{at}\n{digest(state(event))}"
    return str(uuid.uuid5(EVENT_IDS, key))


def _row(file: str, saved: datetime | None, row: ItemRow) -> Row:
    raw = {"sheet": row.sheet, "row": row.row, "saved": saved, "cells": row.cells}
    ref = f"{file}:{row.sheet}!{row.row}"
    try:
        event = inventory_event(row.cells, saved)
    except (RecordRejected, ValueError):
        # By its cells alone: a re-export (a new saved time) of a row still bad is not news.
        return Row(None, digest(row.cells), ref, raw)
    return Row(f"{event['warehouse_id']}/{event['item_code']}", digest(state(event)), ref, raw)


def _saved(value: Any) -> datetime | None:
    """The workbook's saved time as a record holds it (a datetime, or its text once a
    record has been through JSON)."""
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    return value if isinstance(value, datetime) else None


def _excel_lock(path: Path) -> bool:
    """Excel's owner file (``~$`` and the workbook's name) beside a workbook someone
    has open: not a workbook, and never the latest export."""
    return path.name.startswith("~$")
