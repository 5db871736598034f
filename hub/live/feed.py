"""One stream's live feed: a follower thread, a ring of recent records, subscribers."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hub.archive.index import EventIndex, NotAnEvent, index_event
from hub.bus.protocols import Bus, Follower, Reader
from hub.bus.records import BusRecord, traceparent
from hub.errors import BrokerUnavailable, InvalidFrame
from hub.serde.avro import AvroDeserializer, CompiledSchema

log = logging.getLogger(__name__)

_UNDECODABLE = (InvalidFrame, NotAnEvent, EOFError, ValueError, IndexError, KeyError, TypeError)


@dataclass(frozen=True, slots=True)
class LiveRecord:
    """A record as every subscriber gets it: decoded once, indexed once."""

    partition: int
    offset: int
    schema: CompiledSchema
    event: dict[str, Any]
    index: EventIndex
    #: The span that published the record (its ``traceparent``), for deliveries to link to.
    traceparent: str | None
    #: Messages made of this record, by what made them (the caller's view and position):
    #: subscribers that see it alike share one rendering.
    rendered: dict[Any, bytes | None] = field(default_factory=dict)


@dataclass(eq=False)
class Subscriber:
    """One client's place on a feed; ``cut`` says why the feed dropped it."""

    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[LiveRecord]
    cut: str | None = None

    def offer(self, record: LiveRecord) -> None:
        """Runs on the client's loop: queue the record, or cut a client that lags."""
        if self.cut is not None:
            return
        try:
            self.queue.put_nowait(record)
        except asyncio.QueueFull:
            self.cut = (
                f"the client fell {self.queue.maxsize} events behind; reconnect with "
                "Last-Event-ID to resume from where it stopped"
            )


def _live(decode: AvroDeserializer, record: BusRecord) -> LiveRecord | None:
    try:
        schema, event = decode.decode(record.value)
        index = index_event(event)
    except _UNDECODABLE:
        return None
    return LiveRecord(
        record.partition, record.offset, schema, event, index, traceparent(record.headers)
    )


def _offer_all(subscribers: list[Subscriber], records: list[LiveRecord]) -> None:
    """Runs on the subscribers' event loop."""
    for subscriber in subscribers:
        for record in records:
            subscriber.offer(record)


class StreamFeed:
    """Follows one topic from its end, in a thread of its own, while anyone listens."""

    def __init__(
        self,
        *,
        bus: Bus,
        topic: str,
        decode: AvroDeserializer,
        ring_size: int,
        poll_s: float = 0.1,
    ) -> None:
        self.topic = topic
        self._bus = bus
        self._decode = decode
        self._poll_s = poll_s
        self._ring: deque[LiveRecord] = deque(maxlen=ring_size)
        self._subscribers: set[Subscriber] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        #: Per partition, the next offset the feed will hand out.
        self.head: dict[int, int] = {}
        #: Per partition, the lowest offset from which every record is in the ring.
        self.floor: dict[int, int] = {}
        self.failure: str | None = None

    def start(self, reader: Reader) -> None:
        # The end as a fetch sees it (see KafkaReader.end_offsets), so the first token
        # handed out names real positions.
        ends = reader.end_offsets(self.topic)
        self.head, self.floor = dict(ends), dict(ends)
        follower = self._bus.follower(
            [self.topic], positions={(self.topic, p): o for p, o in ends.items()}
        )
        self._thread = threading.Thread(
            target=self._run, args=(follower,), name=f"live {self.topic}", daemon=True
        )
        self._thread.start()

    def _run(self, follower: Follower) -> None:
        try:
            while not self._stop.is_set():
                try:
                    records = follower.poll(self._poll_s)
                except BrokerUnavailable as exc:
                    self.failure = str(exc)
                    self._stop.wait(1.0)
                    continue
                self.failure = None
                if records:
                    self._hand_out(records)
        finally:
            follower.close()

    def _hand_out(self, records: list[BusRecord]) -> None:
        """Decode a poll's records once, ring them, and offer them to the subscribers with
        one wake-up of each event loop (not one per subscriber and record). Subscribers
        are taken under the same lock as the ring: one that joins meanwhile finds the
        records in its catch-up instead."""
        decoded = [(record, _live(self._decode, record)) for record in records]
        kept: list[LiveRecord] = []
        by_loop: dict[asyncio.AbstractEventLoop, list[Subscriber]] = {}
        with self._lock:
            for record, live in decoded:
                self.head[record.partition] = record.offset + 1
                if live is None:
                    continue  # the archiver dead-letters it; the feed only moves past it
                if len(self._ring) == self._ring.maxlen:
                    dropped = self._ring[0]
                    self.floor[dropped.partition] = dropped.offset + 1
                self._ring.append(live)
                kept.append(live)
            for subscriber in self._subscribers:
                by_loop.setdefault(subscriber.loop, []).append(subscriber)
        if kept:
            for loop, subscribers in by_loop.items():
                loop.call_soon_threadsafe(_offer_all, subscribers, kept)

    def subscribe(
        self, subscriber: Subscriber, since: Mapping[int, int] | None
    ) -> tuple[list[LiveRecord], dict[int, int], dict[int, int]]:
        """Join the feed. Returns the ring's records from ``since`` on, the positions the
        ring does not reach back to (for the archive to fill: partition -> from, and
        the ring's floor as where the archive's part ends), all taken under one lock so
        that nothing falls between the catch-up and the live records."""
        with self._lock:
            self._subscribers.add(subscriber)
            start = dict(self.head) if since is None else dict(since)
            older = {p: o for p, o in start.items() if o < self.floor.get(p, o)}
            backlog = [
                r
                for r in self._ring
                if r.offset >= max(start.get(r.partition, 0), self.floor.get(r.partition, 0))
            ]
            return backlog, older, dict(self.floor)

    def unsubscribe(self, subscriber: Subscriber) -> int:
        with self._lock:
            self._subscribers.discard(subscriber)
            return len(self._subscribers)

    def positions(self) -> dict[int, int]:
        with self._lock:
            return dict(self.head)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)


class LiveFeeds:
    """The feeds of every stream with subscribers; a feed starts with its first."""

    def __init__(
        self,
        *,
        bus: Bus,
        decode: AvroDeserializer,
        reader: Callable[[], Reader],
        ring_size: int = 10_000,
    ) -> None:
        self._bus = bus
        self._decode = decode
        self._reader = reader
        self._ring_size = ring_size
        self._feeds: dict[str, StreamFeed] = {}
        self._lock = threading.Lock()

    def feed(self, topic: str) -> StreamFeed:
        """The topic's feed, started on first use (blocking: call it off the loop)."""
        with self._lock:
            found = self._feeds.get(topic)
            if found is None:
                found = StreamFeed(
                    bus=self._bus, topic=topic, decode=self._decode, ring_size=self._ring_size
                )
                reader = self._reader()
                try:
                    found.start(reader)
                finally:
                    reader.close()
                self._feeds[topic] = found
            return found

    def consumers(self) -> int:
        """Kafka consumers in use for live feeds: one per stream being watched."""
        with self._lock:
            return len(self._feeds)

    def close(self) -> None:
        with self._lock:
            feeds, self._feeds = list(self._feeds.values()), {}
        for feed in feeds:
            feed.stop()
