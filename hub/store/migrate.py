"""Apply the Alembic migrations programmatically, so `hub` needs no alembic.ini."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, text

MIGRATIONS = Path(__file__).parent / "migrations"
#: The PostgreSQL advisory lock migrations run under ("LKMG"): replicas that start at
#: once on a new database migrate it one after the other, the later ones finding
#: nothing left to do, instead of racing to create the same tables.
MIGRATION_LOCK = 0x4C4B4D47


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = alembic_config()
    with engine.begin() as connection:
        _unbounded(connection)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        _unbounded(connection)
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def _unbounded(connection: Connection) -> None:
    """A migration may index a large table: the statement timeout that bounds requests
    (database.statement_timeout_s) does not apply to it. On PostgreSQL it also waits for
    any other process's migration to end first; on SQLite it runs in one transaction."""
    if connection.dialect.name == "sqlite":
        # The driver opens a transaction only before DML, so DDL would commit step by
        # step: a migration refused halfway (0009's downgrade) left the steps before it
        # done and the version unchanged. An explicit transaction makes it all or
        # nothing, and IMMEDIATE makes a second process wait for the first.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    if connection.dialect.name == "postgresql":
        connection.execute(text("SET LOCAL statement_timeout = 0"))
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
