"""The connector SDK's behaviour, written once and run on every bus (FastStream style).

A subclass supplies the ``bus`` fixture: ``hub.connect.testing.MemoryBus`` in the unit
tests, the real embedded broker in the integration tests. What a connector author's
unit test sees on the memory bus is therefore what production sees on Kafka.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from hub.bus.protocols import Bus
from hub.bus.records import BusRecord, TopicSpec
from hub.catalog.files import SchemaCatalog
from hub.config import TelemetrySettings
from hub.connect import Connector, SourceRecord, StreamTarget
from hub.connect.encoding import AvroEncoder
from hub.connect.outbox import Outbox
from hub.connect.runtime import ConnectorRuntime
from hub.connect.transport import KafkaTransport
from hub.serde.avro import AvroDeserializer, CompiledSchema
from hub.telemetry import configure

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = "linkage.emergency.IncidentReport"
GOOD: dict[str, Any] = {
    "envelope": {
        "occurred_at": "2015-12-20T11:40:00+08:00",
        "classification": {"category": "ACCIDENT_DISASTER"},
    },
    "report_id": "R-1",
    "title": "Landslide",
    "description": "Spoil buried buildings",
    "status": "REPORTED",
    "reported_by": "Guangming duty office",
}


def own_target(bus: Bus, label: str) -> StreamTarget:
    """The incident-report stream on a topic of its own (and its dead-letter topic): the
    real broker is shared by the whole session."""
    target = StreamTarget(
        id="emergency.incident-report",
        owner="emergency",
        topic=f"test.{label}-{uuid.uuid4().hex[:8]}.v1",
        sensitivity="restricted",
    )
    bus.admin().ensure_topics([TopicSpec(target.topic), TopicSpec(target.dead_letter_topic)])
    return target


class ListConnector(Connector):
    name = "list"
    stream = "emergency.incident-report"

    def __init__(self, records: list[dict]) -> None:
        self.records = records

    def read(self, position: object) -> Iterator[SourceRecord]:
        for i, record in enumerate(self.records):
            yield SourceRecord(f"row-{i}", record)

    def map(self, record: SourceRecord) -> dict:
        event = json.loads(json.dumps(record.raw))
        event["envelope"]["occurred_at"] = datetime.fromisoformat(event["envelope"]["occurred_at"])
        return event


class SdkCases:
    """Subclasses provide a ``bus`` fixture returning a :class:`hub.bus.protocols.Bus`."""

    @pytest.fixture(scope="class")
    @classmethod
    def compiled(cls) -> CompiledSchema:
        configure(TelemetrySettings())
        schema = SchemaCatalog.load(ROOT / "schemas").resolve(SCHEMA)
        return CompiledSchema.build(42, schema, json.dumps(schema))

    @pytest.fixture
    def target(self, bus: Bus) -> StreamTarget:
        return own_target(bus, "incidents")

    @pytest.fixture
    def runtime(
        self, bus: Bus, target: StreamTarget, compiled: CompiledSchema, tmp_path: Path
    ) -> Iterator[Callable[[Connector], ConnectorRuntime]]:
        """Runtimes for connectors on this bus and target, each with its own outbox."""
        made: list[ConnectorRuntime] = []

        def make(connector: Connector) -> ConnectorRuntime:
            made.append(
                ConnectorRuntime(
                    connector,
                    encoders={connector.stream: AvroEncoder(target, compiled)},
                    outbox=Outbox(tmp_path / f"outbox-{len(made)}.db"),
                    transport=KafkaTransport(bus.publisher()),
                )
            )
            return made[-1]

        yield make
        for running in made:
            running.close()
            running.outbox.close()

    @staticmethod
    def read(bus: Bus, topic: str) -> list[BusRecord]:
        reader = bus.reader()
        try:
            return reader.read(topic, positions={}, limit=1000).records
        finally:
            reader.close()

    def test_a_malformed_record_is_dead_lettered_whole_with_its_bytes_and_the_reason(
        self,
        bus: Bus,
        target: StreamTarget,
        runtime: Callable[[Connector], ConnectorRuntime],
        compiled: CompiledSchema,
    ) -> None:
        bad = {**GOOD, "report_id": "R-2", "status": "PANIC"}
        connector = ListConnector([GOOD, bad, {**GOOD, "report_id": "R-3"}])
        report = runtime(connector).run()
        assert report.published == 2
        assert [(r.ref, r.reason) for r in report.rejected] == [
            (
                "row-1",
                "status: 'PANIC' is not one of REPORTED, VERIFIED, RESPONDING, CONTAINED, CLOSED",
            )
        ]
        decoded = [
            AvroDeserializer(lambda _id: compiled)(r.value) for r in self.read(bus, target.topic)
        ]
        assert [d["report_id"] for d in decoded] == ["R-1", "R-3"], "nothing of R-2 was sent"
        (letter,) = self.read(bus, target.dead_letter_topic)
        assert orjson.loads(letter.value) == bad, "the original record, unchanged"
        headers = dict(letter.headers)
        assert (headers["source"], headers["field"]) == (b"row-1", b"status")
        assert headers["reason"].startswith(b"status:")

    def test_the_sdk_fills_the_envelope_and_sends_trace_context(
        self,
        bus: Bus,
        target: StreamTarget,
        runtime: Callable[[Connector], ConnectorRuntime],
        compiled: CompiledSchema,
    ) -> None:
        runtime(ListConnector([{**GOOD, "report_id": "R-9"}])).run()
        (record,) = self.read(bus, target.topic)
        envelope = AvroDeserializer(lambda _id: compiled)(record.value)["envelope"]
        assert envelope["source_agency"] == "emergency"
        assert envelope["sensitivity"] == "RESTRICTED", "the stream's catalogue sensitivity"
        assert record.key == str(envelope["event_id"]).encode()
        traceparent = dict(record.headers)["traceparent"].decode()
        assert traceparent.startswith("00-") and len(traceparent.split("-")[1]) == 32

    def test_an_agency_cannot_publish_as_another(
        self,
        bus: Bus,
        target: StreamTarget,
        runtime: Callable[[Connector], ConnectorRuntime],
    ) -> None:
        police = {**GOOD, "envelope": {**GOOD["envelope"], "source_agency": "police"}}
        report = runtime(ListConnector([police])).run()
        assert "'police' may not publish to emergency.incident-report" in report.rejected[0].reason
        assert self.read(bus, target.topic) == [], "a refused event sends nothing"
        assert len(self.read(bus, target.dead_letter_topic)) == 1
