"""The Public Security Bureau's connector: police incidents polled from the 110 command
system's incident table into ``public-security.police-incident``.

The source is a SQL table with one row per incident, rewritten as the incident moves
on. The connector needs a monotonic column (``row_version`` by default: a bigint the
command system takes from a sequence on every insert and update, like SQL Server's
``rowversion``; an auto-increment ``id`` serves a table that is only appended to). Its
values must be unique (two rows with one value could fall either side of a batch's end,
and the second be skipped) and it should be indexed: every poll orders by it.

- **Incremental and resumable.** Each poll selects ``column > position ORDER BY column
  LIMIT batch`` until a batch comes back short, and yields rows as each batch arrives;
  every record's position is its row's value, so after a restart the next read starts
  just after the last row whose events were committed. A row updated later has a new
  value and is read again: a follow-up, its own event.
- **What it cannot see.** Only the latest version of a row is in the table: two updates
  between polls give one event, with the second state. A transaction that takes a
  lower value but commits after a higher one has been read is skipped; the command
  system should bump the column as it commits, or the table be fed by a single writer.
- **Event ids** are a UUID 5 of the incident number and the row's version
  (:func:`~connectors.police_incidents.mapping.event_id`), so a version read twice, by
  any instance, is one event.
- **SQL.** SQLAlchemy Core with the table and column names as quoted identifiers
  (``sqlalchemy.table``/``column``), never formatted into text; values are selected
  untyped and passed on as JSON, so SQLite's text times and PostgreSQL's ``timestamptz``
  reach the mapping alike. Times need their offset: a ``timestamp without time zone``
  column's rows are rejected, never read in a guessed zone. A connection is held for
  one batch only, never while the SDK handles a record.
- **Raw.** A record's raw is its row as JSON (UTF-8 bytes): what the mapping saw is what a
  dead letter keeps.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from connectors.police_incidents.columns import split_table_name, table_columns
from connectors.police_incidents.mapping import to_police_incident
from hub.connect import Connector, SourceRecord


class PoliceIncidentConnector(Connector):
    """Reads ``table`` at the SQLAlchemy URL ``source``, ``batch`` rows at a time, in the
    order of its monotonic ``column``.

    ``table`` may name a schema (``"cad.police_incidents"``). The engine is made on the
    first read and disposed by :meth:`close`.
    """

    name = "police-incidents"
    stream = "public-security.police-incident"

    def __init__(
        self,
        source: str,
        *,
        table: str = "police_incidents",
        column: str = "row_version",
        batch: int = 500,
    ) -> None:
        if batch < 1:
            raise ValueError(f"batch must be at least 1, not {batch}")
        self.source = source
        self.table = table
        self.column = column
        self.batch = batch
        self._engine: sa.Engine | None = None
        self._columns: dict[str, str] | None = None

    def read(self, position: Any) -> Iterator[SourceRecord]:
        after = _after(position, self.column)
        columns = self._selected()
        schema, name = split_table_name(self.table)
        source = sa.table(name, *(sa.column(c) for c in columns.values()), schema=schema)
        key = source.c[columns[self.column]]
        listed = [source.c[actual].label(used) for used, actual in columns.items()]
        while True:
            query = (
                sa.select(*listed)
                .where(key.is_not(None) if after is None else key > after)
                .order_by(key)
                .limit(self.batch)
            )
            with self._connect().connect() as connection:
                rows = connection.execute(query).mappings().all()
            for row in rows:
                record = self._record(dict(row))
                after = record.position
                yield record
            if len(rows) < self.batch:
                return

    def map(self, record: SourceRecord) -> Mapping[str, Any]:
        row = json.loads(record.raw)
        if not isinstance(row, dict):
            raise ValueError(f"{record.ref}: not a row")
        return to_police_incident(row, version_column=self.column)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def _connect(self) -> sa.Engine:
        if self._engine is None:
            self._engine = sa.create_engine(self.source)
        return self._engine

    def _selected(self) -> dict[str, str]:
        if self._columns is None:
            engine = self._connect()
            self._columns = table_columns(
                engine,
                table=self.table,
                column=self.column,
                shown=engine.url.render_as_string(hide_password=True),
            )
        return self._columns

    def _record(self, row: Mapping[str, Any]) -> SourceRecord:
        values = {column: _plain(value) for column, value in row.items()}
        version = values[self.column]
        if not isinstance(version, int) or isinstance(version, bool):
            # No checkpoint can be made past it: the poll stops here, loudly.
            raise ValueError(
                f"{self.table}.{self.column} holds {version!r}; a monotonic column holds whole"
                " numbers"
            )
        raw = json.dumps(values, ensure_ascii=False).encode("utf-8")
        return SourceRecord(
            f"{self.table}:{values.get('incident_no')}@{self.column}={version}", raw, version
        )


def _after(position: Any, column: str) -> int | None:
    if position is None or (isinstance(position, int) and not isinstance(position, bool)):
        return position
    raise ValueError(f"position {position!r} is not a value of {column} (a whole number)")


def _plain(value: Any) -> Any:
    """A column's value as JSON holds it: times as ISO 8601 text, numbers as numbers."""
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return (
            int(value) if value.is_finite() and value == value.to_integral_value() else float(value)
        )
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
