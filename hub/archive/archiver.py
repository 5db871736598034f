"""The archiver: tail every stream's topic and write each event to the archive.

One process does it (``hub archive``, or a thread of ``hub dev``). Each round takes what
the topics have, decodes and indexes it, and commits the rows with the positions after
them; a record that cannot be archived (undecodable, or no envelope) goes to its
stream's dead-letter topic unchanged, with the reason, and never stops the others.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from hub.archive.index import NotAnEvent, index_event
from hub.archive.lag import ArchiveLag
from hub.archive.store import ArchiveStore, NewEvent
from hub.bus.protocols import Bus, Follower, Publisher, Reader
from hub.bus.records import BusRecord, traceparent
from hub.errors import BrokerUnavailable, InvalidFrame
from hub.serde.avro import AvroDeserializer
from hub.serde.wire import dead_letter_topic

log = logging.getLogger(__name__)

#: What a record may fail with while it is decoded and indexed; a database error is not
#: here: it stops the round, and the same records are read again.
REJECTED = (InvalidFrame, NotAnEvent, EOFError, ValueError, IndexError, KeyError, TypeError)


@dataclass
class ArchiveCounts:
    archived: int = 0
    rejected: int = 0
    rounds: int = 0
    #: When the last round ended, by the monotonic clock.
    last_round: float = field(default_factory=time.monotonic)


class Archiver:
    def __init__(
        self,
        *,
        bus: Bus,
        store: ArchiveStore,
        decode: AvroDeserializer,
        streams: Mapping[str, str],
        batch_max: int = 1_000,
        poll_s: float = 0.2,
        rejected: tuple[type[Exception], ...] = REJECTED,
    ) -> None:
        """``streams`` maps each topic to archive to its stream id; ``rejected`` are the
        errors that mean the record itself is at fault (the composition root adds the
        registry's "no such schema")."""
        self._bus = bus
        self._store = store
        self._decode = decode
        self._streams = dict(streams)
        self._batch_max = batch_max
        self._poll_s = poll_s
        self._rejected = rejected
        self._follower: Follower | None = None
        self._dead: Publisher | None = None
        self.counts = ArchiveCounts()
        self._lag = ArchiveLag()

    def _tail(self) -> Follower:
        if self._follower is None:
            self._follower = self._bus.follower(
                list(self._streams), positions=self._store.positions()
            )
        return self._follower

    def step(self) -> int:
        """One round: archive what has arrived; returns how many records it took."""
        try:
            records = self._tail().poll(self._poll_s, max_records=self._batch_max)
        except BrokerUnavailable:
            self._drop_follower()
            raise
        if not records:
            self._lag.round({}, now_ms=int(time.time() * 1000), drained=True)
            self.counts.last_round = time.monotonic()
            return 0
        events: list[NewEvent] = []
        positions: dict[tuple[str, int], int] = {}
        rejected: list[tuple[BusRecord, Exception]] = []
        oldest_ms: dict[str, int] = {}
        for record in records:
            positions[(record.topic, record.partition)] = record.offset + 1
            written = record.timestamp_ms
            if written > 0:
                stream = self._streams[record.topic]
                oldest_ms[stream] = min(oldest_ms.get(stream, written), written)
            try:
                events.append(self._new_event(record))
            except self._rejected as exc:
                rejected.append((record, exc))
        # Dead letters first: once the positions are committed the records are not read
        # again, so a dead letter must be on its topic before that.
        if rejected:
            self._dead_letter(rejected)
        now_ms = int(time.time() * 1000)
        try:
            self._store.write(events, positions, now_ms=now_ms)
        except Exception:
            # Nothing was committed: start again from the stored positions.
            self._drop_follower()
            raise
        self._lag.round(oldest_ms, now_ms=now_ms, drained=len(records) < self._batch_max)
        self.counts.archived += len(events)
        self.counts.rejected += len(rejected)
        self.counts.rounds += 1
        self.counts.last_round = time.monotonic()
        return len(records)

    def _new_event(self, record: BusRecord) -> NewEvent:
        if record.value is None:
            raise ValueError("the record has no value (a tombstone)")
        schema, event = self._decode.decode(record.value)
        return NewEvent(
            stream=self._streams[record.topic],
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            schema_id=schema.schema_id,
            payload=bytes(record.value),
            index=index_event(event),
            traceparent=traceparent(record.headers),
        )

    def _dead_letter(self, rejected: list[tuple[BusRecord, Exception]]) -> None:
        if self._dead is None:
            self._dead = self._bus.publisher()
        pending = []
        for record, error in rejected:
            where = f"{record.topic}[{record.partition}]@{record.offset}"
            reason = f"not archived: {type(error).__name__}: {error}"
            log.warning("%s not archived: %s", where, type(error).__name__)
            headers = [
                ("reason", reason.encode()[:512]),
                ("source", where.encode()),
                ("rejected-by", b"archiver"),
            ]
            pending.append(
                self._dead.send(
                    dead_letter_topic(record.topic),
                    record.value or b"",
                    key=record.key,
                    headers=headers,
                )
            )
        for waiting in pending:
            waiting.result(timeout_s=30)

    def backlog(self, reader: Reader) -> dict[str, int]:
        """Records on each topic not archived yet (what ``hub archive status`` shows)."""
        ends = {topic: reader.end_offsets(topic) for topic in self._streams}
        return _behind(ends, self._store.positions())

    def wait_caught_up(self, reader: Reader, timeout_s: float) -> dict[str, int]:
        """Wait until every topic is archived up to its end as it is now; returns what
        is still behind when ``timeout_s`` runs out (empty: caught up)."""
        ends = {topic: reader.end_offsets(topic) for topic in self._streams}
        deadline = time.monotonic() + timeout_s
        while True:
            behind = {t: n for t, n in _behind(ends, self._store.positions()).items() if n}
            if not behind or time.monotonic() >= deadline:
                return behind
            time.sleep(0.05)

    def _drop_follower(self) -> None:
        if self._follower is not None:
            self._follower.close()
            self._follower = None

    def run(self, stop: threading.Event, *, retry_s: float = 1.0) -> None:
        """Archive until ``stop`` is set; an outage is waited out, never fatal."""
        while not stop.is_set():
            try:
                self.step()
            except BrokerUnavailable as exc:
                log.warning("archiver waits for the broker: %s", exc)
                stop.wait(retry_s)
            except Exception:
                log.exception("archiver round failed; retrying from the stored positions")
                stop.wait(retry_s)

    def close(self) -> None:
        self._drop_follower()
        if self._dead is not None:
            self._dead.close()
            self._dead = None


def _behind(
    ends: Mapping[str, Mapping[int, int]], positions: Mapping[tuple[str, int], int]
) -> dict[str, int]:
    return {
        topic: sum(max(0, end - positions.get((topic, p), 0)) for p, end in partitions.items())
        for topic, partitions in ends.items()
    }


class ArchiverThread:
    """The archiver in a thread of a bigger process (``hub dev``, the tests)."""

    def __init__(self, archiver: Archiver) -> None:
        self.archiver = archiver
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=archiver.run, args=(self._stop,), name="archiver", daemon=True
        )

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def start(self) -> ArchiverThread:
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout_s)
        self.archiver.close()

    def __enter__(self) -> ArchiverThread:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
