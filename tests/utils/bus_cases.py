"""The bus ports' contract, written once and run on the memory bus and the real broker."""

from __future__ import annotations

import uuid

import pytest

from hub.bus.protocols import BeyondEnd, Bus
from hub.bus.records import TopicSpec


def new_topic(bus: Bus, partitions: int) -> str:
    name = f"test.{uuid.uuid4().hex[:8]}.v1"
    admin = bus.admin()
    assert admin.ensure_topics([TopicSpec(name, partitions)]) == [name]
    assert admin.ensure_topics([TopicSpec(name, partitions)]) == [], "creating is idempotent"
    return name


class BusCases:
    """Subclasses provide a ``bus`` fixture returning a :class:`hub.bus.protocols.Bus`."""

    def test_pages_cover_every_record_of_every_partition_once(self, bus: Bus) -> None:
        topic = new_topic(bus, 3)
        publisher = bus.publisher()
        sent = [
            publisher.send(topic, f"v{i}".encode(), key=f"k{i}".encode(), headers=[("h", b"1")])
            for i in range(50)
        ]
        publisher.flush()
        partitions = {p.result(10).partition for p in sent}
        publisher.close()
        assert len(partitions) > 1, "keys should spread over the partitions"
        reader = bus.reader(pool_size=1)
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

    def test_an_empty_or_missing_topic_reads_as_no_records(self, bus: Bus) -> None:
        reader = bus.reader()
        empty = reader.read(new_topic(bus, 2), positions={}, limit=10)
        assert empty.records == []
        missing = reader.read("no.such.topic.v1", positions={0: 3}, limit=10)
        assert (missing.records, missing.positions) == ([], {0: 3})
        reader.close()

    def test_records_keep_key_headers_and_timestamp(self, bus: Bus) -> None:
        topic = new_topic(bus, 1)
        publisher = bus.publisher()
        delivered = publisher.send(
            topic, b"value", key=b"key", headers=[("traceparent", b"00-abc-def-01")]
        ).result(10)
        publisher.close()
        assert (delivered.topic, delivered.offset) == (topic, 0)
        reader = bus.reader()
        (record,) = reader.read(topic, positions={}, limit=5).records
        reader.close()
        assert (record.key, record.value, record.headers) == (
            b"key",
            b"value",
            [("traceparent", b"00-abc-def-01")],
        )
        assert record.timestamp_ms > 0

    def test_a_position_past_the_end_is_refused(self, bus: Bus) -> None:
        topic = new_topic(bus, 1)
        publisher = bus.publisher()
        publisher.send(topic, b"only").result(10)
        publisher.close()
        reader = bus.reader()
        try:
            with pytest.raises(BeyondEnd, match="points past the end of partition 0"):
                reader.read(topic, positions={0: 5}, limit=5)
        finally:
            reader.close()
