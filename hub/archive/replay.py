"""Refill a broker that lost its history from the archive (``hub archive replay``).

The embedded broker keeps records in memory only: after a restart every topic is empty
while the archive still holds every event. A topic whose stored position is past its
end has lost records; its archived events are written back in their order, each row
takes its new partition and offset, and the archiver's positions go back to where the
refilled records begin, so it reads them again and stores none twice (by event id).
A topic that only had old records deleted by retention keeps its end: it is left alone.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Engine

from hub.archive.store import (
    ArchiveStore,
    StoredRecord,
    move_records,
    replay_batches,
    reset_positions,
)
from hub.bus.protocols import Publisher, Reader
from hub.bus.records import TRACEPARENT, Headers

log = logging.getLogger(__name__)


@dataclass
class ReplayReport:
    #: Topic -> records written back.
    replayed: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.replayed.values())

    def summary(self) -> str:
        if not self.replayed:
            return "no topic lost records: nothing to replay"
        lines = [f"{topic}: {count} events written back" for topic, count in self.replayed.items()]
        return "\n".join([f"replayed {self.total} events", *lines])


def lost_topics(
    store: ArchiveStore, reader: Reader, topics: Sequence[str]
) -> dict[str, dict[int, int]]:
    """The topics whose stored position is past their end now, with their ends. A topic
    the archive holds no position for cannot have lost anything archived: its end is
    not asked (each asking is a round trip to the broker)."""
    positions = store.positions()
    stored = {t for t, _ in positions}
    lost = {}
    for topic in topics:
        if topic not in stored:
            continue
        ends = reader.end_offsets(topic)
        if any(offset > ends.get(p, 0) for (t, p), offset in positions.items() if t == topic):
            lost[topic] = ends
    return lost


def replay(
    engine: Engine,
    *,
    publisher: Publisher,
    reader: Reader,
    topics: Sequence[str],
    timeout_s: float = 60.0,
) -> ReplayReport:
    """Write the archive back into every topic that lost records. Run it while no
    archiver is running (``hub dev`` does so before starting its own)."""
    store = ArchiveStore(engine)
    report = ReplayReport()
    for topic, ends in lost_topics(store, reader, topics).items():
        report.replayed[topic] = _refill(engine, publisher, topic, ends, timeout_s)
        log.info("replayed %d archived events into %s", report.replayed[topic], topic)
    return report


def _refill(
    engine: Engine,
    publisher: Publisher,
    topic: str,
    ends: Mapping[int, int],
    timeout_s: float,
) -> int:
    count = 0
    for batch in replay_batches(engine, topic):
        pending = [
            (
                row.id,
                publisher.send(
                    topic, row.payload, key=row.event_id.encode(), headers=_headers(row)
                ),
            )
            for row in batch
        ]
        moved = []
        for row_id, waiting in pending:
            delivered = waiting.result(timeout_s)
            moved.append((row_id, delivered.partition, delivered.offset))
        move_records(engine, moved)
        count += len(moved)
    # Back to where the topic's records now begin: the refilled ones are read again
    # (and not stored twice), and whatever others wrote meanwhile is not skipped.
    reset_positions(engine, topic, ends)
    return count


def _headers(row: StoredRecord) -> Headers:
    """A refilled record names the span that first published it, so a live reader of
    the refilled broker still links to that trace."""
    return [(TRACEPARENT, row.traceparent.encode())] if row.traceparent else []
