"""Writing the archive: a batch of events and the positions after it, in one transaction.

The positions are the archiver's only record of where it is, so a crash between the
insert and the commit loses both and the records are read again; a record read twice
(the broker redelivers, a connector retried) is stored once, by its event id.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Engine, Insert, Table, bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from hub.archive.index import EventIndex
from hub.store.models import ArchivedEvent, ArchivePosition

_EVENTS = cast(Table, ArchivedEvent.__table__)
_POSITIONS = cast(Table, ArchivePosition.__table__)


@dataclass(frozen=True, slots=True)
class NewEvent:
    stream: str
    topic: str
    partition: int
    offset: int
    schema_id: int
    payload: bytes
    index: EventIndex
    #: The record's ``traceparent`` header: the span that published it.
    traceparent: str | None = None

    def row(self, archived_ms: int) -> dict[str, Any]:
        index = self.index
        box = index.box
        return {
            "stream": self.stream,
            "topic": self.topic,
            "partition": self.partition,
            "offset": self.offset,
            "event_id": index.event_id,
            "source_agency": index.source_agency,
            "occurred_ms": index.occurred_ms,
            "published_ms": index.published_ms,
            "archived_ms": archived_ms,
            "incident_id": index.incident_id,
            "category": index.category,
            "classification_code": index.classification_code,
            "severity": index.severity,
            "district": index.district,
            "sensitivity": index.sensitivity,
            "min_lat": box.min_lat if box else None,
            "min_lon": box.min_lon if box else None,
            "max_lat": box.max_lat if box else None,
            "max_lon": box.max_lon if box else None,
            "exercise": index.exercise,
            "schema_id": self.schema_id,
            "payload": self.payload,
            "traceparent": self.traceparent,
        }


class ArchiveStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
        self._insert_event: Insert = dialect.insert(_EVENTS).on_conflict_do_nothing(
            index_elements=["event_id"]
        )
        upsert = dialect.insert(_POSITIONS)
        self._save_position: Insert = upsert.on_conflict_do_update(
            index_elements=["topic", "partition"],
            set_={"next_offset": upsert.excluded.next_offset},
        )

    def positions(self) -> dict[tuple[str, int], int]:
        with self._engine.connect() as connection:
            rows = connection.execute(select(_POSITIONS))
            return {(r.topic, r.partition): r.next_offset for r in rows}

    def write(
        self, events: Sequence[NewEvent], positions: Mapping[tuple[str, int], int], now_ms: int
    ) -> None:
        """Store ``events`` (skipping event ids stored before) and move the positions."""
        with self._engine.begin() as connection:
            if events:
                connection.execute(self._insert_event, [e.row(now_ms) for e in events])
            if positions:
                connection.execute(
                    self._save_position,
                    [
                        {"topic": t, "partition": p, "next_offset": o}
                        for (t, p), o in sorted(positions.items())
                    ],
                )

    def count(self, stream: str | None = None) -> int:
        query = select(func.count()).select_from(_EVENTS)
        if stream is not None:
            query = query.where(_EVENTS.c.stream == stream)
        with self._engine.connect() as connection:
            return int(connection.execute(query).scalar_one())


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """What replay needs of an archived row: enough to put the record back on its topic."""

    id: int
    event_id: str
    payload: bytes
    traceparent: str | None


def replay_batches(engine: Engine, topic: str, size: int = 1_000) -> Iterator[list[StoredRecord]]:
    """The topic's archived records, oldest first, a batch at a time."""
    after = -1
    while True:
        query = (
            select(_EVENTS.c.id, _EVENTS.c.event_id, _EVENTS.c.payload, _EVENTS.c.traceparent)
            .where(_EVENTS.c.topic == topic, _EVENTS.c.id > after)
            .order_by(_EVENTS.c.id)
            .limit(size)
        )
        with engine.connect() as connection:
            batch = [StoredRecord(*row) for row in connection.execute(query)]
        if not batch:
            return
        yield batch
        after = batch[-1].id


def move_records(engine: Engine, moved: Sequence[tuple[int, int, int]]) -> None:
    """Give replayed rows (id, partition, offset) their new place on the topic."""
    if not moved:
        return
    with engine.begin() as connection:
        connection.execute(
            update(_EVENTS)
            .where(_EVENTS.c.id == bindparam("row"))
            .values(partition=bindparam("p"), offset=bindparam("o")),
            [{"row": r, "p": p, "o": o} for r, p, o in moved],
        )


def reset_positions(engine: Engine, topic: str, starts: Mapping[int, int]) -> None:
    """Forget where the archiver was in ``topic``; it goes on from ``starts``."""
    with engine.begin() as connection:
        connection.execute(delete(_POSITIONS).where(_POSITIONS.c.topic == topic))
        if starts:
            connection.execute(
                _POSITIONS.insert(),
                [{"topic": topic, "partition": p, "next_offset": o} for p, o in starts.items()],
            )
