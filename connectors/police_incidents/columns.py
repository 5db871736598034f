"""The columns the connector reads from the command system's incident table, and the
check that the table has them.

The table is reflected once, not declared, because command systems differ in what else
they keep beside these columns (and in the case of the names: PostgreSQL folds to lower
case, Oracle and some SQL Server schemas to upper). Only the columns below are selected;
a missing required one stops the first read with its name, so a mistyped ``column=`` or
a renamed column is found at start-up rather than as a run of rejected rows.
"""

from __future__ import annotations

from sqlalchemy import Engine, inspect

#: Present in every 110 command system's incident table, under these names.
REQUIRED = ("incident_no", "received_at", "incident_type", "summary", "status")

#: Read when the table has them. ``updated_at`` is when the row's state took effect; the
#: ``emergency_*`` columns and ``incident_id`` are filled by the command centre when it
#: links a call to an emergency the Emergency Management Bureau is handling.
OPTIONAL = (
    "updated_at",
    "incident_subtype",
    "caller_name",
    "caller_phone",
    "address",
    "lat",
    "lon",
    "district_code",
    "police_unit",
    "officers_dispatched",
    "incident_id",
    "emergency_category",
    "emergency_severity",
)


class SourceTableMismatch(LookupError):
    """The incident table is missing, or lacks a column the connector cannot do without.

    Raised from the first :meth:`~connectors.police_incidents.PoliceIncidentConnector.read`:
    no row can be read until the table or the connector's settings are put right."""


def split_table_name(table: str) -> tuple[str | None, str]:
    """``"cad.police_incidents"`` -> ``("cad", "police_incidents")``: a schema may be named."""
    schema, dot, name = table.rpartition(".")
    return (schema or None) if dot else None, name


def table_columns(engine: Engine, *, table: str, column: str, shown: str) -> dict[str, str]:
    """The columns to select, as ``{name the connector uses: name in the table}``.

    ``column`` is the monotonic column and is required like the others; ``shown`` is the
    database URL with its password hidden, for the error message."""
    schema, name = split_table_name(table)
    inspector = inspect(engine)
    if not inspector.has_table(name, schema=schema):
        raise SourceTableMismatch(f"{shown} has no table {table!r}")
    actual = {c["name"].lower(): c["name"] for c in inspector.get_columns(name, schema=schema)}
    wanted = (column, *REQUIRED)
    for needed in wanted:
        if needed.lower() not in actual:
            role = "its monotonic column" if needed == column else "a required column"
            raise SourceTableMismatch(
                f"table {table!r} in {shown} has no column {needed!r} ({role}); the connector"
                f" reads {', '.join(wanted)} and, when present, {', '.join(OPTIONAL)}"
            )
    return {
        used: actual[used.lower()]
        for used in dict.fromkeys((*wanted, *OPTIONAL))
        if used.lower() in actual
    }
