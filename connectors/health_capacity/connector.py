"""The connector: the latest capacity export, read whole at every poll, and only the rows
that changed since they were last taken."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from connectors.common.changes import Row, changed, digest, whole_file
from connectors.common.exports import latest_export
from connectors.health_capacity import table
from connectors.health_capacity.columns import Columns, undecodable
from connectors.health_capacity.mapping import capacity_event
from hub.connect import Connector, RecordRejected, SourceRecord

#: Namespace of this connector's event ids (see :func:`event_id`).
EVENT_IDS = uuid.UUID("c3ae6832-a300-45c4-a38d-1ec61fe0eedc")


class HospitalCapacityConnector(Connector):
    """Hospital capacity from a CSV export that the Health Commission's reporting system
    writes again every few minutes.

    Args:
        source: The export file, overwritten at each drop; or a folder of timestamped
            exports (``capacity-20151220T1140.csv``), of which the last by name is read.
        encoding: The files' encoding; by default UTF-8 (with or without a byte-order
            mark) when the file is valid UTF-8, else GB18030.
    """

    name = "health-capacity"
    stream = "health.hospital-capacity"
    #: Drops come every few minutes; reading one is cheap, and a change waits half a minute.
    poll_s = 30.0

    def __init__(self, source: str | Path, *, encoding: str | None = None) -> None:
        self.source = Path(source)
        self.encoding = table.check_encoding(encoding)

    def read(self, position: Any) -> Iterator[SourceRecord]:
        export = latest_export(self.source, suffix=".csv")
        if export is None:
            return
        path, data = export
        text = table.decode(data, self.encoding)
        rows = [row for row in table.rows(text) if not row.blank]
        if not rows:
            return
        header, body = rows[0], rows[1:]
        try:
            columns = Columns.of(header.fields)
        except RecordRejected:
            # Every row would fail alike: the file is one record, dead-lettered once.
            raw = text.encode("utf-8", errors="surrogateescape")
            record = whole_file(f"{path.name}:{header.line}", raw, position)
            if record is not None:
                yield record
            return
        yield from changed([_row(path.name, header, columns, row) for row in body], position)

    def map(self, record: SourceRecord) -> dict[str, Any]:
        if not isinstance(record.raw, bytes):
            raise ValueError(f"{record.ref}: expected the row's bytes, got {type(record.raw)}")
        rows = [r for r in table.rows(record.raw.decode("utf-8", "surrogateescape")) if not r.blank]
        columns = Columns.of(rows[0].fields if rows else [])
        if len(rows) != 2:
            raise ValueError(
                f"{record.ref}: a record is a header and one row, not {len(rows)} rows"
            )
        event = capacity_event(columns.cells(rows[1].fields))
        event["envelope"]["event_id"] = event_id(event)
        return event


def state(event: dict[str, Any]) -> dict[str, Any]:
    """What a row says, as compared between drops: everything but the time, so a
    hospital that re-confirms the same numbers is not news."""
    envelope = {k: v for k, v in event["envelope"].items() if k not in ("occurred_at", "event_id")}
    return {**event, "envelope": envelope}


def event_id(event: dict[str, Any]) -> str:
    """The hospital, its report time and what it said: the same report read again (after
    a restart, or from a later drop whose rows moved) is the same event."""
    at = event["envelope"]["occurred_at"].isoformat()
    return str(uuid.uuid5(EVENT_IDS, f"{event['hospital_id']}\n{at}\n{digest(state(event))}"))


def _row(file: str, header: table.Row, columns: Columns, row: table.Row) -> Row:
    raw = table.one_row_file(header, row)
    ref = f"{file}:{row.line}"
    try:
        event = capacity_event(columns.cells(row.fields))
    except (RecordRejected, ValueError):
        position = columns.index["hospital_id"]
        key = row.fields[position].strip() if position < len(row.fields) else ""
        return Row(key if key and not undecodable(key) else None, digest(raw), ref, raw)
    return Row(event["hospital_id"], digest(state(event)), ref, raw)
