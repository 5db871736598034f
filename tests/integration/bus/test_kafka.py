"""The adapter against the real embedded broker."""

from __future__ import annotations

import uuid

import pytest

from hub.bus.broker import EmbeddedBroker
from hub.bus.kafka import KafkaPublisher, KafkaReader, ensure_topics
from hub.bus.records import TopicSpec
from hub.config import KafkaSettings

pytestmark = pytest.mark.kafka
SETTINGS = KafkaSettings(fetch_max_wait_ms=10)


def _topic(partitions: int, broker: EmbeddedBroker) -> str:
    name = f"test.{uuid.uuid4().hex[:8]}.v1"
    assert ensure_topics(SETTINGS, broker.bootstrap, [TopicSpec(name, partitions)]) == [name]
    assert ensure_topics(SETTINGS, broker.bootstrap, [TopicSpec(name, partitions)]) == []
    return name


def test_pages_cover_every_record_of_every_partition_once(broker: EmbeddedBroker) -> None:
    topic = _topic(3, broker)
    publisher = KafkaPublisher(SETTINGS, broker.bootstrap)
    sent = [
        publisher.send(topic, f"v{i}".encode(), key=f"k{i}".encode(), headers=[("h", b"1")])
        for i in range(50)
    ]
    publisher.flush()
    partitions = {p.result(10).partition for p in sent}
    publisher.close()
    assert len(partitions) > 1, "keys should spread over the partitions"
    reader = KafkaReader(SETTINGS, broker.bootstrap, pool_size=1)
    seen: list[bytes] = []
    positions: dict[int, int] = {}
    for _ in range(20):
        page = reader.read(topic, positions=positions, limit=7)
        assert len(page.records) <= 7
        seen += [r.value for r in page.records]
        positions = page.positions
        if not page.records:
            break
    reader.close()
    assert sorted(seen) == sorted(f"v{i}".encode() for i in range(50))
    assert sum(positions.values()) == 50


def test_an_empty_or_missing_topic_reads_as_no_records_quickly(broker: EmbeddedBroker) -> None:
    reader = KafkaReader(SETTINGS, broker.bootstrap)
    empty = reader.read(_topic(2, broker), positions={}, limit=10)
    assert empty.records == []
    missing = reader.read("no.such.topic.v1", positions={0: 3}, limit=10)
    assert (missing.records, missing.positions) == ([], {0: 3})
    reader.close()


def test_records_keep_key_headers_and_timestamp(broker: EmbeddedBroker) -> None:
    topic = _topic(1, broker)
    publisher = KafkaPublisher(SETTINGS, broker.bootstrap)
    delivered = publisher.send(
        topic, b"value", key=b"key", headers=[("traceparent", b"00-abc-def-01")]
    ).result(10)
    publisher.close()
    assert (delivered.topic, delivered.offset) == (topic, 0)
    reader = KafkaReader(SETTINGS, broker.bootstrap)
    (record,) = reader.read(topic, positions={}, limit=5).records
    reader.close()
    assert (record.key, record.value, record.headers) == (
        b"key",
        b"value",
        [("traceparent", b"00-abc-def-01")],
    )
    assert record.timestamp_ms > 0
