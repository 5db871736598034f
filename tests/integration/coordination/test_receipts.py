"""Read receipts keep up with the fastest reader: pages of one event, handed in by a
thread that never waits, all reach the database, on SQLite and PostgreSQL."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import Engine, func, select

from hub.coordination.receipts import ReceiptBook
from hub.store.models import ReadReceipt
from tests.utils.events import STREAM

pytestmark = pytest.mark.postgres

PAGES = 10_000
#: About what the page service spends on a page of one, holding the interpreter lock.
PAGE_S = 0.0002


@pytest.fixture
def engine(migrated_engine: Engine) -> Engine:
    return migrated_engine


def test_pages_of_one_from_a_busy_reader_are_all_noted(engine: Engine) -> None:
    """The reader holds the interpreter lock between pages, as a page service does. A
    writer that gave the lock up for every page it took (or every row it wrote) fell
    behind such a reader (about 1,600 pages a second beside 5,000) and its queue, which
    holds half of them here, overflowed."""
    book = ReceiptBook(engine, queue_max=PAGES // 2)
    try:
        for i in range(PAGES):
            busy_until = time.perf_counter() + PAGE_S
            while time.perf_counter() < busy_until:
                pass  # rendering the page, without ever waiting
            book.served("health", STREAM, [f"event-{i}"], "page")
        assert book.flush(120), "the receipts were not written within two minutes"
    finally:
        book.close()
    with engine.connect() as connection:
        noted = connection.execute(select(func.count()).select_from(ReadReceipt.__table__))
        assert noted.scalar_one() == PAGES, "receipts were dropped"
