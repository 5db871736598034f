"""The SDK against the real broker: bad records never reach the stream, and are not lost."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from hub.bus.broker import EmbeddedBroker
from hub.bus.kafka import KafkaPublisher, KafkaReader, ensure_topics
from hub.bus.records import TopicSpec
from hub.config import KafkaSettings, TelemetrySettings
from hub.connect import Connector, EventSink, RecordRejected, SourceRecord, run_connector
from hub.policy.loader import load_policy
from hub.registry.catalog import SchemaCatalog
from hub.registry.serde import AvroDeserializer, CompiledSchema
from hub.registry.wire import dead_letter_topic
from hub.telemetry import configure

pytestmark = pytest.mark.kafka
ROOT = Path(__file__).resolve().parents[3]
SETTINGS = KafkaSettings(fetch_max_wait_ms=10)
GOOD = {
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


class ListConnector(Connector):
    stream = "emergency.incident-report"

    def __init__(self, records: list[dict]) -> None:
        self.records = records

    def read(self) -> Iterator[SourceRecord]:
        for i, record in enumerate(self.records):
            yield SourceRecord(f"row-{i}", record)

    def map(self, record: SourceRecord) -> dict:
        from datetime import datetime

        event = json.loads(json.dumps(record.raw))
        event["envelope"]["occurred_at"] = datetime.fromisoformat(event["envelope"]["occurred_at"])
        return event


@pytest.fixture(scope="module")
def sink(broker: EmbeddedBroker) -> Iterator[tuple[EventSink, CompiledSchema]]:
    configure(TelemetrySettings())
    stream = load_policy(ROOT / "policies").stream("emergency.incident-report")
    schema = SchemaCatalog.load(ROOT / "schemas").resolve(stream.schema_name)
    compiled = CompiledSchema.build(42, schema, json.dumps(schema))
    ensure_topics(
        SETTINGS,
        broker.bootstrap,
        [TopicSpec(stream.topic), TopicSpec(dead_letter_topic(stream.topic))],
    )
    publisher = KafkaPublisher(SETTINGS, broker.bootstrap)
    yield EventSink(stream=stream, schema=compiled, publisher=publisher), compiled
    publisher.close()


def _read(broker: EmbeddedBroker, topic: str) -> list:
    reader = KafkaReader(SETTINGS, broker.bootstrap)
    try:
        return reader.read(topic, positions={}, limit=1000).records
    finally:
        reader.close()


def test_a_malformed_record_is_rejected_whole_and_dead_lettered_with_the_reason(
    broker, sink
) -> None:
    events, compiled = sink
    topic = events.stream.topic
    before = len(_read(broker, topic))
    bad = {**GOOD, "report_id": "R-2", "status": "PANIC"}
    report = run_connector(ListConnector([GOOD, bad, {**GOOD, "report_id": "R-3"}]), events)
    assert report.published == 2
    assert [(r.ref, r.reason) for r in report.rejected] == [
        ("row-1", "status: 'PANIC' is not one of REPORTED, VERIFIED, RESPONDING, CONTAINED, CLOSED")
    ]
    records = _read(broker, topic)[before:]
    decoded = [AvroDeserializer(lambda _id: compiled)(r.value) for r in records]
    assert [d["report_id"] for d in decoded] == ["R-1", "R-3"], "nothing of R-2 reached the stream"
    letters = [orjson.loads(r.value) for r in _read(broker, dead_letter_topic(topic))]
    letter = next(x for x in letters if x["source"] == "row-1")
    assert letter["field"] == "status"
    assert letter["record"]["report_id"] == "R-2", "the original record is kept"
    headers = dict(
        next(
            r
            for r in _read(broker, dead_letter_topic(topic))
            if orjson.loads(r.value)["source"] == "row-1"
        ).headers
    )
    assert headers["reason"].startswith(b"status:")


def test_the_sdk_fills_the_envelope_and_sends_trace_context(broker, sink) -> None:
    events, compiled = sink
    before = len(_read(broker, events.stream.topic))
    run_connector(ListConnector([{**GOOD, "report_id": "R-9"}]), events)
    (record,) = _read(broker, events.stream.topic)[before:]
    event = AvroDeserializer(lambda _id: compiled)(record.value)
    envelope = event["envelope"]
    assert envelope["source_agency"] == "emergency"
    assert envelope["sensitivity"] == "RESTRICTED", "defaults to the stream's catalogue sensitivity"
    assert record.key == str(envelope["event_id"]).encode()
    traceparent = dict(record.headers)["traceparent"].decode()
    assert traceparent.startswith("00-") and len(traceparent.split("-")[1]) == 32


def test_an_agency_cannot_publish_as_another(sink) -> None:
    events, _ = sink
    with pytest.raises(
        RecordRejected, match="'police' may not publish to emergency.incident-report"
    ):
        events.publish({**GOOD, "envelope": {**GOOD["envelope"], "source_agency": "police"}})
