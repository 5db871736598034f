"""The Kafka adapter against the real embedded broker, through the bus ports."""

from __future__ import annotations

import pytest
from kafka.partitioner.default import murmur2

from hub.bus.broker import EmbeddedBroker
from hub.bus.factory import open_bus
from hub.bus.protocols import Bus
from hub.config import KafkaSettings
from tests.utils.bus_cases import BusCases, new_topic

pytestmark = pytest.mark.kafka


class TestKafkaBus(BusCases):
    @pytest.fixture
    def bus(self, broker: EmbeddedBroker) -> Bus:
        return open_bus(KafkaSettings(fetch_max_wait_ms=10), broker.bootstrap)

    def test_keys_choose_partitions_as_the_java_client_does(self, bus: Bus) -> None:
        """murmur2 of the key, so a record keyed by event id lands where any other Kafka
        client would put it; with one partition there is nothing to choose."""
        spread, single = new_topic(bus, 3), new_topic(bus, 1)
        publisher = bus.publisher()
        keys = [f"event-{i}".encode() for i in range(30)]
        landed = {k: publisher.send(spread, b"v", key=k).result(10).partition for k in keys}
        alone = {publisher.send(single, b"v", key=k).result(10).partition for k in keys}
        publisher.close()
        assert landed == {k: (murmur2(k) & 0x7FFFFFFF) % 3 for k in keys}
        assert alone == {0}


def test_an_idempotent_producer_delivers_each_record_once_in_order(broker: EmbeddedBroker) -> None:
    """Production turns on ``kafka.idempotent``, and topics carry ``min.insync.replicas``:
    the broker must take both (a broker that refused the producer id request or the
    topic setting would fail the send or the creation here)."""
    settings = KafkaSettings(fetch_max_wait_ms=10, idempotent=True, min_insync_replicas=1)
    bus = open_bus(settings, broker.bootstrap)
    topic = new_topic(bus, 1)
    publisher = bus.publisher()
    sent = [publisher.send(topic, f"v{i}".encode()) for i in range(50)]
    offsets = [pending.result(10).offset for pending in sent]
    publisher.close()
    assert offsets == list(range(50)), "each record once, in the order sent"
    values = [r.value for r in bus.reader().read(topic, positions={0: 0}, limit=100).records]
    assert values == [f"v{i}".encode() for i in range(50)]
