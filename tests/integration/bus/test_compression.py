"""``HUB_KAFKA_COMPRESSION=gzip``: batches travel compressed and are read back as they
were sent, on the real broker."""

from __future__ import annotations

import uuid

import pytest

from hub.bus.broker import EmbeddedBroker
from hub.bus.factory import open_bus
from hub.bus.records import TopicSpec
from hub.config import KafkaSettings

pytestmark = pytest.mark.kafka


def test_gzip_batches_are_read_back_unchanged(broker: EmbeddedBroker) -> None:
    bus = open_bus(KafkaSettings(fetch_max_wait_ms=10, compression="gzip"), broker.bootstrap)
    topic = f"gzip-{uuid.uuid4().hex[:8]}.v1"
    bus.admin().ensure_topics([TopicSpec(topic)])
    values = [f"<alert>{n}</alert>".encode() * 500 for n in range(20)]
    publisher = bus.publisher()
    try:
        for pending in [
            publisher.send(topic, v, key=str(n).encode()) for n, v in enumerate(values)
        ]:
            pending.result(30)
    finally:
        publisher.close()
    reader = bus.reader(pool_size=1)
    try:
        page = reader.read(topic, positions={}, limit=100)
    finally:
        reader.close()
    assert [r.value for r in page.records] == values
