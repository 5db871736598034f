"""An in-memory bus for connector authors' unit tests: no broker, same ports, same answers.

It implements the bus ports (:class:`hub.bus.protocols.Bus` and its admin, publisher
and reader) the way the Kafka adapter does: records get offsets per partition, keys
pick partitions, a page is merged by time, a position past the end is refused. The
hub's own SDK tests run one set of cases against it and against the real broker, so
what passes here passes there::

    run = run_in_memory(MyConnector("tests/data/sample.csv"), tmp_path)
    assert [e["report_id"] for e in run.events] == [...]
    assert run.dead_letters == []

Set :attr:`MemoryBus.available` to false to see how a connector meets a broker outage,
and :attr:`MemoryBus.max_message_bytes` to see a record refused for its size.

:func:`run_in_memory` runs a connector the way ``hub connector run`` does (outbox,
sender, dead letters) against a memory bus, with the catalogue and schemas from the
repository's files: what ``hub connector new`` writes its test with.
"""

from __future__ import annotations

import heapq
import threading
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hub.bus.protocols import Admin, BeyondEnd, Follower, Positions, Publisher, Reader
from hub.bus.records import BusRecord, Delivered, Headers, ReadResult, TopicSpec
from hub.connect.base import Connector
from hub.connect.encoding import AvroEncoder
from hub.connect.offline import offline_target
from hub.connect.outbox import Outbox
from hub.connect.runtime import ConnectorRuntime, RunReport
from hub.connect.transport import KafkaTransport
from hub.errors import BrokerUnavailable, RecordRefused
from hub.serde.avro import AvroDeserializer, CompiledSchema

__all__ = ["MemoryBus", "MemoryRun", "run_in_memory"]


@dataclass(frozen=True, slots=True)
class _Acknowledged:
    delivered: Delivered

    def result(self, timeout_s: float) -> Delivered:
        return self.delivered


class MemoryBus:
    """Implements ``Bus`` in this process; every client it hands out shares its topics."""

    bootstrap = "memory://"

    def __init__(self) -> None:
        self._topics: dict[str, list[list[BusRecord]]] = {}
        self._lock = threading.Lock()
        self.available = True
        self.max_message_bytes: int | None = None

    def admin(self) -> Admin:
        return _MemoryAdmin(self)

    def publisher(self) -> Publisher:
        return _MemoryPublisher(self)

    def reader(self, *, pool_size: int = 4) -> Reader:
        return _MemoryReader(self)

    def follower(
        self, topics: Sequence[str], *, positions: Positions, from_end: bool = False
    ) -> Follower:
        return _MemoryFollower(self, topics, positions, from_end=from_end)

    def records(self, topic: str) -> list[BusRecord]:
        """Every record of ``topic``, in the order the reader would page them."""
        with self._lock:
            partitions = [list(p) for p in self._topics.get(topic, [])]
        return list(heapq.merge(*partitions, key=_order))

    def _check(self) -> None:
        if not self.available:
            raise BrokerUnavailable("the in-memory bus is set unavailable")

    def _create(self, spec: TopicSpec) -> bool:
        with self._lock:
            if spec.name in self._topics:
                return False
            self._topics[spec.name] = [[] for _ in range(spec.partitions)]
            return True

    def _append(self, topic: str, value: bytes, key: bytes | None, headers: Headers) -> Delivered:
        with self._lock:
            partitions = self._topics.setdefault(topic, [[]])
            # Like Kafka's default partitioner: one key always lands in one partition.
            index = zlib.crc32(key) % len(partitions) if key else 0
            log = partitions[index]
            record = BusRecord(
                topic, index, len(log), int(time.time() * 1000), key, value, list(headers)
            )
            log.append(record)
            return Delivered(topic, index, record.offset)

    def _page(self, topic: str, positions: dict[int, int], limit: int) -> ReadResult:
        with self._lock:
            partitions = [list(p) for p in self._topics.get(topic, [])]
        if not partitions:
            return ReadResult([], dict(positions))
        slices = []
        for index, log in enumerate(partitions):
            start = positions.get(index, 0)
            if start > len(log):
                raise BeyondEnd(index, start, len(log))
            slices.append(log[start : start + limit])
        page = [r for _, r in zip(range(limit), heapq.merge(*slices, key=_order), strict=False)]
        next_positions = dict(positions)
        for record in page:
            next_positions[record.partition] = record.offset + 1
        return ReadResult(page, next_positions)

    def _tail(
        self, topic: str, positions: dict[int, int], *, from_end: bool, room: int
    ) -> list[BusRecord]:
        """Up to ``room`` records after ``positions`` in ``topic``; moves them on."""
        with self._lock:
            partitions = [list(p) for p in self._topics.get(topic, [])]
        found: list[BusRecord] = []
        for index, log in enumerate(partitions):
            start = positions.setdefault(index, len(log) if from_end else 0)
            taken = log[start : start + room - len(found)]
            found += taken
            positions[index] = start + len(taken)
        return found


def _order(record: BusRecord) -> tuple[int, int, int]:
    return (record.timestamp_ms, record.partition, record.offset)


class _MemoryAdmin:
    def __init__(self, bus: MemoryBus) -> None:
        self._bus = bus

    def wait_ready(self, timeout_s: float) -> None:
        self._bus._check()

    def ensure_topics(self, specs: Sequence[TopicSpec]) -> list[str]:
        self._bus._check()
        return [spec.name for spec in specs if self._bus._create(spec)]


class _MemoryPublisher:
    def __init__(self, bus: MemoryBus) -> None:
        self._bus = bus

    def send(
        self, topic: str, value: bytes, *, key: bytes | None = None, headers: Headers | None = None
    ) -> _Acknowledged:
        self._bus._check()
        limit = self._bus.max_message_bytes
        if limit is not None and len(value) > limit:
            raise RecordRefused(f"{len(value)} bytes is over the bus's limit of {limit}")
        return _Acknowledged(self._bus._append(topic, value, key, headers or []))

    def flush(self, timeout_s: float = 30.0) -> None:
        self._bus._check()

    def close(self) -> None:
        """Nothing to release."""


class _MemoryReader:
    def __init__(self, bus: MemoryBus) -> None:
        self._bus = bus

    def read(self, topic: str, *, positions: dict[int, int], limit: int) -> ReadResult:
        self._bus._check()
        return self._bus._page(topic, positions, limit)

    def end_offsets(self, topic: str) -> dict[int, int]:
        self._bus._check()
        with self._bus._lock:
            return {i: len(log) for i, log in enumerate(self._bus._topics.get(topic, []))}

    def close(self) -> None:
        """Nothing to release."""


class _MemoryFollower:
    def __init__(
        self, bus: MemoryBus, topics: Sequence[str], positions: Positions, *, from_end: bool
    ) -> None:
        self._bus = bus
        self._from_end = from_end
        self._positions: dict[str, dict[int, int]] = {t: {} for t in topics}
        for (topic, partition), offset in positions.items():
            if topic in self._positions:
                self._positions[topic][partition] = offset

    def poll(self, timeout_s: float, *, max_records: int = 500) -> list[BusRecord]:
        self._bus._check()
        found: list[BusRecord] = []
        for topic, positions in self._positions.items():
            room = max_records - len(found)
            found += self._bus._tail(topic, positions, from_end=self._from_end, room=room)
        if not found:
            time.sleep(min(timeout_s, 0.01))
        return found

    def close(self) -> None:
        """Nothing to release."""


@dataclass(frozen=True, slots=True)
class MemoryRun:
    """What a connector published and dead-lettered in one run on a memory bus."""

    report: RunReport
    events: list[dict[str, Any]]
    dead_letters: list[BusRecord]
    bus: MemoryBus
    outbox: Outbox


def run_in_memory(connector: Connector, folder: Path, *, bus: MemoryBus | None = None) -> MemoryRun:
    """Run ``connector`` once through an outbox in ``folder`` to a memory bus (a new
    one unless given), then read back its events, decoded, and its dead letters."""
    bus = bus or MemoryBus()
    encoders: dict[str, AvroEncoder] = {}
    for stream_id in (connector.stream, *connector.also):
        target, schema = offline_target(stream_id)
        encoders[stream_id] = AvroEncoder(target, schema)
    outbox = Outbox(folder / f"{connector.name}.outbox.db")
    runtime = ConnectorRuntime(
        connector, encoders=encoders, outbox=outbox, transport=KafkaTransport(bus.publisher())
    )
    report = runtime.run(drain_s=5.0)
    events: list[dict[str, Any]] = []
    dead: list[BusRecord] = []
    for encoder in encoders.values():
        decode = AvroDeserializer(_only(encoder.schema))
        events += [decode(record.value) for record in bus.records(encoder.target.topic)]
        dead += bus.records(encoder.target.dead_letter_topic)
    return MemoryRun(report, events, dead, bus, outbox)


def _only(schema: CompiledSchema) -> Callable[[int], CompiledSchema]:
    """A schema lookup that knows the one schema the run wrote with."""
    return lambda _schema_id: schema
