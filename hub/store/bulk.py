"""Many rows in one statement, for writes that run beside busy request threads.

SQLite's driver gives up the interpreter lock at every step of a statement: once per
row of an ``executemany`` or of a ``RETURNING``. Beside a thread that holds the lock
(a page being rendered, Kafka's sender), it then waits up to a switch interval to get
the lock back, row after row; one statement of many rows steps once. SQLAlchemy's own
multi-row insert compiles anew for every batch size, so the text is made here, once per
size. Names are the table's own, quoted by the dialect; every value is bound.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Engine, Table

ROWS_PER_STATEMENT = 500


class MultiRowInsert:
    """``INSERT ... VALUES (...), (...)`` with an ``ON CONFLICT`` clause: nothing (keep
    the row there) or, with ``update``, those columns taken from the new row."""

    def __init__(
        self,
        engine: Engine,
        table: Table,
        columns: Sequence[str],
        *,
        conflict: Sequence[str],
        update: Sequence[str] = (),
    ) -> None:
        unknown = [c for c in (*columns, *conflict, *update) if c not in table.c]
        if unknown:
            raise ValueError(f"{table.name} has no column {unknown[0]!r}")
        quote = engine.dialect.identifier_preparer.quote
        mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
        self._width = len(columns)
        self._row = "(" + ", ".join([mark] * len(columns)) + ")"
        names = ", ".join(quote(c) for c in columns)
        # Checked against the table above and quoted; no value is ever part of the text.
        self._head = f"INSERT INTO {quote(table.name)} ({names}) VALUES "  # noqa: S608
        target = ", ".join(quote(c) for c in conflict)
        if update:
            sets = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in update)
            self._tail = f" ON CONFLICT ({target}) DO UPDATE SET {sets}"
        else:
            self._tail = f" ON CONFLICT ({target}) DO NOTHING"
        self._made: dict[int, str] = {}

    def execute(self, connection: Connection, rows: Sequence[Sequence[Any]]) -> None:
        """Write ``rows`` (each a value per column, in order) in the caller's transaction."""
        for start in range(0, len(rows), ROWS_PER_STATEMENT):
            chunk = rows[start : start + ROWS_PER_STATEMENT]
            values: list[Any] = []
            for row in chunk:
                if len(row) != self._width:
                    raise ValueError(f"a row of {len(row)} values for {self._width} columns")
                values.extend(row)
            connection.exec_driver_sql(self._text(len(chunk)), tuple(values))

    def _text(self, rows: int) -> str:
        text = self._made.get(rows)
        if text is None:
            text = self._head + ", ".join([self._row] * rows) + self._tail
            self._made[rows] = text
        return text
