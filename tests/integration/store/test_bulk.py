"""Multi-row statements on SQLite and PostgreSQL: chunks of any size, conflicts kept or
updated as asked, reserved words as column names, and refusals of what does not fit."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import BigInteger, Column, Engine, Integer, MetaData, String, Table, select

from hub.config import DatabaseSettings
from hub.store.bulk import ROWS_PER_STATEMENT, MultiRowInsert
from hub.store.engine import make_engine

pytestmark = pytest.mark.postgres

METADATA = MetaData()
ROWS = Table(
    "bulk_rows",
    METADATA,
    Column("id", String(16), primary_key=True),
    Column("offset", BigInteger),  # a reserved word: quoted by the dialect
    Column("note", String(32)),
    Column("n", Integer),
)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(DatabaseSettings(url=database_url))
    METADATA.drop_all(engine)
    METADATA.create_all(engine)
    yield engine
    METADATA.drop_all(engine)
    engine.dispose()


def _all(engine: Engine) -> dict[str, tuple[int, str, int]]:
    with engine.connect() as connection:
        return {r.id: (r.offset, r.note, r.n) for r in connection.execute(select(ROWS))}


def test_rows_in_chunks_and_conflicts_kept(engine: Engine) -> None:
    insert = MultiRowInsert(engine, ROWS, ("id", "offset", "note", "n"), conflict=("id",))
    count = ROWS_PER_STATEMENT * 2 + 3
    with engine.begin() as connection:
        insert.execute(connection, [(f"r{i}", i, "first", i % 7) for i in range(count)])
    with engine.begin() as connection:
        insert.execute(connection, [("r0", 99, "second", 0), ("new", 1, "second", 1)])
    rows = _all(engine)
    assert len(rows) == count + 1
    assert rows["r0"] == (0, "first", 0), "a conflict keeps the row there"
    assert rows[f"r{count - 1}"] == (count - 1, "first", (count - 1) % 7)


def test_conflicts_updated_in_the_named_columns_only(engine: Engine) -> None:
    insert = MultiRowInsert(engine, ROWS, ("id", "offset", "note", "n"), conflict=("id",))
    upsert = MultiRowInsert(
        engine, ROWS, ("id", "offset", "note", "n"), conflict=("id",), update=("offset", "n")
    )
    with engine.begin() as connection:
        insert.execute(connection, [("a", 1, "kept", 1)])
        upsert.execute(connection, [("a", 5, "ignored", 6), ("b", 2, "new", 3)])
    assert _all(engine) == {"a": (5, "kept", 6), "b": (2, "new", 3)}


def test_what_does_not_fit_is_refused_before_anything_is_sent(engine: Engine) -> None:
    with pytest.raises(ValueError, match="no column 'missing'"):
        MultiRowInsert(engine, ROWS, ("id", "missing"), conflict=("id",))
    insert = MultiRowInsert(engine, ROWS, ("id", "n"), conflict=("id",))
    with engine.begin() as connection, pytest.raises(ValueError, match="3 values for 2"):
        insert.execute(connection, [("a", 1, 2)])
    assert _all(engine) == {}
