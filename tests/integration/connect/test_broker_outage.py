"""A connector publishing 10,000 events loses the broker part-way (every connection cut,
new ones refused, for a few seconds) and gets it back: it goes on taking its source
into the outbox meanwhile, and in the end every event is on the topic, counted by
event id.

The broker sits behind a TCP proxy and advertises the proxy's port, so every client
connection goes through it. Tansu keeps its data in memory only: stopping its process
would lose what it had already taken, which would test Tansu rather than the SDK.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hub.bus.broker import EmbeddedBroker, free_port
from hub.bus.factory import open_bus
from hub.bus.protocols import Bus
from hub.bus.records import TopicSpec
from hub.config import KafkaSettings
from hub.connect import Connector, SourceRecord
from hub.connect.encoding import AvroEncoder
from hub.connect.envelope import derived_event_id
from hub.connect.offline import offline_target
from hub.connect.outbox import Outbox
from hub.connect.runtime import ConnectorRuntime, RunReport
from hub.connect.sender import Backoff
from hub.connect.transport import KafkaTransport
from tests.utils.tcp_proxy import TcpProxy

pytestmark = pytest.mark.kafka

EVENTS = 10_000
STREAM = "emergency.incident-report"
SETTINGS = KafkaSettings(fetch_max_wait_ms=10, request_timeout_ms=3_000, connect_timeout_ms=2_000)


class Reports(Connector):
    name = "outage-reports"
    stream = STREAM

    def read(self, position: Any) -> Iterator[SourceRecord]:
        """A source that takes a few seconds to read whole, as a real one would."""
        for n in range(position or 0, EVENTS):
            if n % 500 == 0:
                time.sleep(0.25)
            yield SourceRecord(f"row-{n}", f"R-{n}".encode(), position=n + 1)

    def map(self, record: SourceRecord) -> dict[str, Any]:
        return {
            "envelope": {
                "occurred_at": 1_450_582_800_000,
                "classification": {"category": "ACCIDENT_DISASTER"},
            },
            "report_id": record.raw.decode(),
            "title": "Landslide",
            "description": "Spoil buried buildings",
            "status": "REPORTED",
            "reported_by": "Guangming duty office",
        }


@pytest.fixture
def proxied() -> Iterator[tuple[TcpProxy, EmbeddedBroker]]:
    broker_port = free_port()
    proxy = TcpProxy(("127.0.0.1", broker_port))
    broker = EmbeddedBroker(port=broker_port, advertised_port=proxy.port)
    with broker:
        try:
            yield proxy, broker
        finally:
            proxy.cut()


def _event_ids(bus: Bus, topic: str) -> list[str]:
    reader = bus.reader(pool_size=1)
    try:
        ends = reader.end_offsets(topic)
        positions: dict[int, int] = {}
        keys: list[str] = []
        while any(positions.get(p, 0) < end for p, end in ends.items()):
            page = reader.read(topic, positions=positions, limit=2_000)
            keys += [r.key.decode() for r in page.records if r.key]
            positions = page.positions
        return keys
    finally:
        reader.close()


def test_every_event_is_delivered_after_the_broker_comes_back(
    proxied: tuple[TcpProxy, EmbeddedBroker], tmp_path: Path
) -> None:
    proxy, _ = proxied
    bus = open_bus(SETTINGS, f"127.0.0.1:{proxy.port}")
    target, schema = offline_target(STREAM)
    topic = f"outage-{uuid.uuid4().hex[:8]}.v1"
    target = type(target)(id=target.id, owner=target.owner, topic=topic, sensitivity="restricted")
    bus.admin().ensure_topics([TopicSpec(topic), TopicSpec(target.dead_letter_topic)])
    outbox = Outbox(tmp_path / "outbox.db")
    runtime = ConnectorRuntime(
        Reports(),
        encoders={STREAM: AvroEncoder(target, schema)},
        outbox=outbox,
        transport=KafkaTransport(bus.publisher()),
        batch_max=200,
        send_timeout_s=2,
        backoff=Backoff(0.2, 1.0),
    )
    done: list[RunReport] = []
    worker = threading.Thread(target=lambda: done.append(runtime.run(drain_s=180)))
    worker.start()
    deadline = time.monotonic() + 120
    while outbox.state().counters["published"] < 1_000 and time.monotonic() < deadline:
        time.sleep(0.05)
    proxy.cut()
    cut = outbox.state()
    deadline = time.monotonic() + 60
    while outbox.state().counters["failed_sends"] < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    during = outbox.state()
    assert during.counters["failed_sends"] >= 2, "the sender met the outage, and tried again"
    assert during.counters["read"] > cut.counters["read"], "the source is taken meanwhile"
    assert during.depth > 0
    proxy.restore()
    worker.join(240)
    assert done, "the run ended"
    report = done[0]
    print(
        f"outage: cut after {cut.counters['published']:,} published; {during.depth:,} waiting at the cut's end;"
        f" {during.counters['failed_sends']} failed sends before the broker came back"
    )
    assert report.read == EVENTS and report.waiting == 0 and not report.rejected
    keys = _event_ids(bus, topic)
    expected = {
        derived_event_id(Reports.name, SourceRecord(f"row-{n}", f"R-{n}".encode()), 0)
        for n in range(EVENTS)
    }
    assert set(keys) == expected, "every event, by event id"
    print(f"outage: {len(keys):,} records for {len(set(keys)):,} event ids")
    runtime.close()
    outbox.close()
