"""What the fault tests share: another connection holding a table's lock, and a request
timed from the client's side."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from sqlalchemy import Engine, text


@contextmanager
def table_locked(engine: Engine, table: str) -> Iterator[None]:
    """Another connection holds ``table``'s lock for as long as the block runs: on
    PostgreSQL that table's, exclusively; on SQLite the whole file's write lock."""
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        with engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                raw = connection.connection.driver_connection
                assert raw is not None
                raw.isolation_level = None
                raw.execute("BEGIN EXCLUSIVE")
                locked.set()
                release.wait(60)
                raw.execute("ROLLBACK")
            else:
                transaction = connection.begin()
                connection.execute(text(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))
                locked.set()
                release.wait(60)
                transaction.rollback()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(10)
        yield
    finally:
        release.set()
        holder.join(30)


def timed(client: httpx.Client, path: str, headers: dict[str, str]) -> tuple[int, float]:
    """A GET's status and how long it took, in seconds."""
    started = time.monotonic()
    status = client.get(path, headers=headers).status_code
    return status, time.monotonic() - started
