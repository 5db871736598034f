"""archive_events.traceparent (revision 0011) on SQLite and PostgreSQL: what the archiver
stores comes back with the row for history and refill, an event without one has none,
and the revision goes down and up again."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, inspect

from hub.archive.history import History, HistoryFilter
from hub.archive.index import EventIndex
from hub.archive.store import ArchiveStore, NewEvent, replay_batches
from hub.store.migrate import downgrade, upgrade

pytestmark = pytest.mark.postgres

STREAM = "emergency.incident-report"
TOPIC = "emergency.incident-report.v1"
TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def event(number: int, traceparent: str | None) -> NewEvent:
    return NewEvent(
        stream=STREAM,
        topic=TOPIC,
        partition=0,
        offset=number,
        schema_id=1,
        payload=b"\x00\x00\x00\x00\x01",
        index=EventIndex(
            event_id=f"00000000-0000-4000-8000-{number:012d}",
            source_agency="emergency",
            occurred_ms=1_000 + number,
            published_ms=1_000 + number,
            incident_id=None,
            category=None,
            classification_code=None,
            severity=None,
            district=None,
            sensitivity="RESTRICTED",
            box=None,
        ),
        traceparent=traceparent,
    )


def test_the_traceparent_round_trips_with_the_row(migrated_engine: Engine) -> None:
    ArchiveStore(migrated_engine).write(
        [event(1, TRACEPARENT), event(2, None)], {(TOPIC, 0): 3}, now_ms=5_000
    )
    rows = History(migrated_engine).by_stream(STREAM, HistoryFilter(), after=None, limit=10)
    assert [(r.offset, r.traceparent) for r in rows] == [(1, TRACEPARENT), (2, None)]
    (batch,) = replay_batches(migrated_engine, TOPIC)
    assert [r.traceparent for r in batch] == [TRACEPARENT, None], "refill sends it again"


def test_revision_0011_goes_down_and_up(migrated_engine: Engine) -> None:
    def columns() -> set[str]:
        return {c["name"] for c in inspect(migrated_engine).get_columns("archive_events")}

    ArchiveStore(migrated_engine).write([event(1, TRACEPARENT)], {}, now_ms=5_000)
    assert "traceparent" in columns()
    downgrade(migrated_engine, "0010")
    assert "traceparent" not in columns()
    assert ArchiveStore(migrated_engine).count() == 1, "the event stays"
    upgrade(migrated_engine)
    assert "traceparent" in columns()
    (row,) = History(migrated_engine).by_stream(STREAM, HistoryFilter(), after=None, limit=10)
    assert row.traceparent is None, "a row archived before has no link to make"
