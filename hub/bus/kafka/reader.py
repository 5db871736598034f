"""Paged reads by explicit position, from a small pool of consumers."""

from __future__ import annotations

import heapq
import logging
import queue
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError

from hub.bus.kafka.security import client_security
from hub.bus.protocols import BeyondEnd
from hub.bus.records import BusRecord, ReadResult
from hub.config import KafkaSettings
from hub.errors import BrokerUnavailable

log = logging.getLogger(__name__)

# One poll slice: short, so that an empty partition is recognised after one fetch.
_POLL_SLICE_MS = 50


class KafkaReader:
    """Implements ``Reader``: paged reads by explicit position, with no consumer group.

    kafka-python consumers are not thread-safe, so each read borrows one from a small
    pool; creating a consumer per request would cost a metadata round trip each time.
    """

    def __init__(self, settings: KafkaSettings, bootstrap: str, *, pool_size: int = 4) -> None:
        self._settings = settings
        self._bootstrap = bootstrap
        self._timeout_s = settings.read_timeout_ms / 1000
        self._idle: queue.LifoQueue[KafkaConsumer] = queue.LifoQueue()
        self._closed = False
        self._slots = queue.Queue[None]()
        self._pool_size = pool_size
        for _ in range(pool_size):
            self._slots.put(None)

    def _new_consumer(self) -> KafkaConsumer:
        try:
            return KafkaConsumer(
                bootstrap_servers=self._bootstrap,
                client_id=f"{self._settings.client_id}-reader",
                group_id=None,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                allow_auto_create_topics=False,
                fetch_max_wait_ms=self._settings.fetch_max_wait_ms,
                request_timeout_ms=self._settings.request_timeout_ms,
                bootstrap_timeout_ms=self._settings.connect_timeout_ms,
                **client_security(self._settings),
            )
        except KafkaError as exc:
            raise BrokerUnavailable(f"cannot reach Kafka at {self._bootstrap}: {exc}") from exc

    @contextmanager
    def _consumer(self) -> Iterator[KafkaConsumer]:
        # Waiting for a pooled consumer counts against the read's time: behind reads
        # stalled on a broker that does not answer, it is a 503, not an unbounded wait.
        try:
            self._slots.get(timeout=self._timeout_s)
        except queue.Empty:
            raise BrokerUnavailable(
                f"all {self._pool_size} Kafka readers have been busy for {self._timeout_s:g} s"
            ) from None
        consumer: KafkaConsumer | None = None
        try:
            try:
                consumer = self._idle.get_nowait()
            except queue.Empty:
                consumer = self._new_consumer()
            yield consumer
        except BaseException:
            # A consumer that failed mid-read may hold half a fetch: do not reuse it.
            if consumer is not None:
                consumer.close()
                consumer = None
            raise
        finally:
            if consumer is not None:
                # A read still running when the reader closed closes its own consumer.
                if self._closed:
                    consumer.close()
                else:
                    self._idle.put(consumer)
            self._slots.put(None)

    def read(self, topic: str, *, positions: dict[int, int], limit: int) -> ReadResult:
        try:
            with self._consumer() as consumer:
                return self._read(consumer, topic, positions, limit)
        except KafkaError as exc:
            raise BrokerUnavailable(f"read from {topic} failed: {exc}") from exc

    def end_offsets(self, topic: str) -> dict[int, int]:
        try:
            with self._consumer() as consumer:
                return self._ends(consumer, topic)
        except KafkaError as exc:
            raise BrokerUnavailable(f"end offsets of {topic}: {exc}") from exc

    def _ends(self, consumer: KafkaConsumer, topic: str) -> dict[int, int]:
        """The high watermarks a fetch reports. Tansu answers ListOffsets (latest) with the
        last batch's base offset plus one, not the end, so that answer only tells where
        to fetch from; the fetch's high watermark is the end."""
        tps = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        if not tps:
            return {}
        listed = consumer.end_offsets(tps)
        consumer.assign([])
        consumer.assign(tps)
        for tp in tps:
            consumer.seek(tp, max(0, int(listed.get(tp) or 0) - 1))
        ends: dict[int, int] = {}
        deadline = time.monotonic() + self._timeout_s
        while len(ends) < len(tps):
            if time.monotonic() > deadline:
                missing = sorted(tp.partition for tp in tps if tp.partition not in ends)
                raise BrokerUnavailable(f"no high watermark for {topic} partitions {missing}")
            consumer.poll(timeout_ms=_POLL_SLICE_MS, max_records=1)
            for tp in tps:
                high = consumer.highwater(tp)
                if high is not None:
                    ends[tp.partition] = int(high)
        return ends

    def _read(
        self, consumer: KafkaConsumer, topic: str, positions: dict[int, int], limit: int
    ) -> ReadResult:
        partitions = sorted(consumer.partitions_for_topic(topic) or ())
        if not partitions:
            return ReadResult([], dict(positions))
        tps = [TopicPartition(topic, p) for p in partitions]
        # Clearing the assignment drops cached high watermarks: "caught up" must be
        # learnt from a fetch made by this read, or an outage would pass as no news.
        consumer.assign([])
        consumer.assign(tps)
        for tp in tps:
            consumer.seek(tp, positions.get(tp.partition, 0))
        buffers: dict[int, list[BusRecord]] = {p: [] for p in partitions}
        pending = set(tps)
        deadline = time.monotonic() + self._timeout_s
        while pending and time.monotonic() < deadline:
            batch = consumer.poll(timeout_ms=_POLL_SLICE_MS, max_records=limit)
            for tp, messages in batch.items():
                # A partition that has its share already takes no more: memory stays bounded.
                if tp in pending:
                    room = limit - len(buffers[tp.partition])
                    buffers[tp.partition].extend(to_record(m) for m in messages[:room])
            for tp in list(pending):
                high = consumer.highwater(tp)
                position = consumer.position(tp)
                if high is not None and position > high:
                    raise BeyondEnd(tp.partition, position, high)
                caught_up = high is not None and position >= high
                # No pause() here: in kafka-python 3 a paused, reused consumer stops
                # fetching its other partitions; surplus records are simply not taken.
                if caught_up or len(buffers[tp.partition]) >= limit:
                    pending.discard(tp)
        if pending:
            # A page merged without some partitions would silently skip their records.
            behind = sorted(tp.partition for tp in pending)
            raise BrokerUnavailable(
                f"Kafka did not deliver {topic} partitions {behind} within {self._timeout_s:g}s"
            )
        merged = heapq.merge(
            *buffers.values(), key=lambda r: (r.timestamp_ms, r.partition, r.offset)
        )
        page = [record for _, record in zip(range(limit), merged, strict=False)]
        next_positions = dict(positions)
        for record in page:
            next_positions[record.partition] = record.offset + 1
        return ReadResult(page, next_positions)

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return


def to_record(message: Any) -> BusRecord:
    return BusRecord(
        message.topic,
        message.partition,
        message.offset,
        message.timestamp,
        message.key,
        message.value,
        list(message.headers or ()),
    )
