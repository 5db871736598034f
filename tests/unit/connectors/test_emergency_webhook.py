"""The duty office's webhook connector: bodies split into one record per message, each
mapped to its stream's event with an id from the message's own id, and every mapping
error naming the field the sender must fix."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from connectors.emergency_webhook import EmergencyWebhookConnector
from hub.connect import ConnectorRuntime, RecordRejected, Routed, SourceRecord, mapped_events
from hub.connect.encoding import AvroEncoder
from hub.connect.offline import offline_target
from hub.connect.outbox import Outbox
from hub.connect.testing import MemoryBus
from hub.connect.transport import KafkaTransport
from hub.connect.webhook import sign
from hub.serde.avro import AvroDeserializer

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = ROOT / "connectors" / "samples" / "emergency-webhook"
REPORT_BYTES = (SAMPLES / "incident-report.json").read_bytes()
TASK_BYTES = (SAMPLES / "task-assignment.json").read_bytes()
REPORT: dict[str, Any] = json.loads(REPORT_BYTES)
TASK: dict[str, Any] = json.loads(TASK_BYTES)
JSON = "application/json"


@pytest.fixture
def connector() -> EmergencyWebhookConnector:
    return EmergencyWebhookConnector("127.0.0.1:0")


def batch(*messages: Any) -> bytes:
    return json.dumps({"messages": list(messages)}, ensure_ascii=False).encode()


def events(connector: EmergencyWebhookConnector, body: bytes) -> list[dict[str, Any]]:
    return mapped_events(connector, connector.split(body, JSON))


def changed(message: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``message`` with the field at the dotted ``path`` set (``...`` deletes)."""
    copied = copy.deepcopy(message)
    *parents, last = path.split(".")
    holder = copied
    for key in parents:
        holder = holder[key]
    if value is ...:
        del holder[last]
    else:
        holder[last] = value
    return copied


def test_the_sample_incident_report_maps_to_its_event(connector) -> None:
    (event,) = events(connector, REPORT_BYTES)
    envelope = event["envelope"]
    assert envelope["source_agency"] == "emergency"
    assert envelope["incident_id"] == "INC-2026-GM-0615-01"
    assert envelope["classification"]["category"] == "ACCIDENT_DISASTER", "from 事故灾难"
    assert envelope["severity"] == "III", "from Ⅲ级"
    assert envelope["occurred_at"] == datetime(2026, 6, 15, 5, 10, tzinfo=UTC)
    assert envelope["area"]["district_code"] == "440311"
    assert envelope["area"]["point"] == {"lat": 22.7682, "lon": 113.9275}
    assert envelope["sensitivity"] == "RESTRICTED"
    assert envelope["exercise"] is False
    assert event["report_id"] == "EMB-20260615-002"
    assert event["status"] == "RESPONDING", "from 处置中"
    assert event["reporter_phone"] == "0755-00000000"
    assert event["casualties"] == {"deaths": 0, "injured": 3, "missing": 2, "trapped": 4}


def test_the_sample_task_is_routed_to_the_task_assignment_stream(connector) -> None:
    (record,) = connector.split(TASK_BYTES, JSON)
    routed = connector.map(record)
    assert isinstance(routed, Routed)
    assert routed.stream == "emergency.task-assignment"
    (event,) = mapped_events(connector, [record])
    assert event["task_id"] == "TASK-0615-13"
    assert event["assigned_to"] == "health"
    assert event["priority"] == "URGENT", "from 特急"
    assert event["due_at"] == datetime(2026, 6, 15, 6, 0, tzinfo=UTC)
    assert event["envelope"]["occurred_at"] == datetime(2026, 6, 15, 5, 20, tzinfo=UTC)
    assert event["envelope"]["sensitivity"] == "INTERNAL"
    assert event["envelope"]["area"]["point"] is None


def test_a_single_message_is_one_record_holding_the_body_as_sent(connector) -> None:
    (record,) = connector.split(REPORT_BYTES, "application/json; charset=utf-8")
    assert record == SourceRecord("webhook:GM-DUTY-20260615-0042", REPORT_BYTES)


def test_a_batch_is_one_record_per_message_each_with_its_own_bytes(connector) -> None:
    records = connector.split(batch(REPORT, TASK), JSON)
    assert [r.ref for r in records] == [
        "webhook:GM-DUTY-20260615-0042",
        "webhook:GM-CMD-20260615-T013",
    ]
    assert [json.loads(r.raw) for r in records] == [REPORT, TASK]
    assert [e.get("task_id") for e in events(connector, batch(REPORT, TASK))] == [
        None,
        "TASK-0615-13",
    ]


def test_a_message_sent_again_is_the_same_event_and_a_new_id_a_new_one(connector) -> None:
    first = events(connector, REPORT_BYTES)[0]["envelope"]["event_id"]
    again = events(connector, batch(REPORT))[0]["envelope"]["event_id"]
    other = events(connector, batch(changed(REPORT, "id", "GM-DUTY-20260615-0043")))
    assert again == first, "the same message id, in a batch or alone"
    assert other[0]["envelope"]["event_id"] != first
    task = events(connector, batch(changed(TASK, "id", REPORT["id"])))
    assert task[0]["envelope"]["event_id"] != first, "a task and a report never share an id"


def test_batch_elements_without_an_id_are_still_records_of_their_own(connector) -> None:
    records = connector.split(batch(REPORT, ["not", "a", "message"], {"type": "task"}), JSON)
    assert [r.ref for r in records] == [
        "webhook:GM-DUTY-20260615-0042",
        "webhook:messages[1]",
        "webhook:messages[2]",
    ]
    with pytest.raises(RecordRejected, match="a message is a JSON object, not a list"):
        connector.map(records[1])
    with pytest.raises(RecordRejected) as refused:
        connector.map(records[2])
    assert refused.value.path == "type", "its type is checked first"


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b"\xff\xfe not json", JSON, "not JSON"),
        (b"{truncated", JSON, "not JSON"),
        (b"[1, 2]", JSON, "a JSON list"),
        (b'{"messages": {"id": "x"}}', JSON, '"messages" is not a list'),
        (REPORT_BYTES, "text/csv", "text/csv, not application/json"),
        (b"[" * 100_000, JSON, "not JSON"),
    ],
    ids=["bytes", "truncated", "list", "messages-object", "csv", "deep"],
)
def test_a_body_that_cannot_be_told_apart_is_a_value_error(
    connector, body: bytes, content_type: str, reason: str
) -> None:
    with pytest.raises(ValueError, match=reason):
        connector.split(body, content_type)


def test_no_content_type_is_read_as_json_and_an_empty_batch_is_no_records(connector) -> None:
    assert len(connector.split(REPORT_BYTES, "")) == 1
    assert connector.split(b'{"messages": []}', JSON) == []


#: (message, field changed, its new value or ... to delete it, the field the rejection names)
UNMAPPABLE = [
    (REPORT, "type", "incident-update", "type"),
    (REPORT, "id", ..., "id"),
    (REPORT, "id", "has spaces in it", "id"),
    (REPORT, "classification", ..., "classification"),
    (REPORT, "classification.category", "FLOOD", "classification.category"),
    (REPORT, "severity", "V", "severity"),
    (REPORT, "exercise", "no", "exercise"),
    (REPORT, "location.district_code", "4403", "location.district_code"),
    (REPORT, "location.lat", 122.0, "location.lat/lon"),
    (REPORT, "location.lon", ..., "location.lat/lon"),
    (REPORT, "report", ..., "report"),
    (REPORT, "report.occurred_at", "15 June 2026 13:10", "report.occurred_at"),
    (REPORT, "report.occurred_at", "2026-06-15T13:10:00", "report.occurred_at"),
    (REPORT, "report.title", "  ", "report.title"),
    (REPORT, "report.status", "ONGOING", "report.status"),
    (REPORT, "report.reporter.phone", "call the office", "report.reporter.phone"),
    (REPORT, "report.casualties.injured", -1, "report.casualties.injured"),
    (REPORT, "report.casualties.trapped", "4", "report.casualties.trapped"),
    (TASK, "incident_id", ..., "incident_id"),
    (TASK, "task.assigned_to", "Health Commission", "task.assigned_to"),
    (TASK, "task.priority", "ASAP", "task.priority"),
    (TASK, "task.due_at", "2026-06-15T12:00:00+08:00", "task.due_at"),
    (TASK, "task.issued_at", ..., "task.issued_at"),
    (TASK, "task.description", 42, "task.description"),
]


@pytest.mark.parametrize(
    ("message", "path", "value", "field"),
    UNMAPPABLE,
    ids=[
        f"{'report' if m is REPORT else 'task'}:{p}{'-missing' if v is ... else ''}"
        for m, p, v, _ in UNMAPPABLE
    ],
)
def test_a_message_that_cannot_be_mapped_is_rejected_naming_its_field(
    connector, message: dict[str, Any], path: str, value: Any, field: str
) -> None:
    (record,) = connector.split(batch(changed(message, path, value)), JSON)
    with pytest.raises(RecordRejected) as refused:
        mapped_events(connector, [record])
    assert refused.value.path == field


def test_optional_fields_may_be_left_out(connector) -> None:
    report = {k: v for k, v in REPORT.items() if k not in ("severity", "location", "exercise")}
    report["report"] = {
        k: v for k, v in REPORT["report"].items() if k not in ("reporter", "address", "casualties")
    }
    del report["incident_id"]
    (event,) = events(connector, batch(report))
    assert event["envelope"]["area"] is None
    assert event["envelope"]["incident_id"] is None, "a first report may precede the incident"
    assert (event["reporter_name"], event["casualties"]) == (None, None)


@pytest.mark.parametrize("source", ["127.0.0.1:8443", "0.0.0.0:0", "[::1]:8443"])
def test_the_source_is_the_listen_address(source: str) -> None:
    connector = EmergencyWebhookConnector(source)
    assert connector.source == source
    assert (connector.host, str(connector.port)) == tuple(
        source.replace("[", "").replace("]", "").rsplit(":", 1)
    )


@pytest.mark.parametrize("source", ["127.0.0.1", "localhost:http", ":8443", "host:70000"])
def test_a_source_that_is_not_host_and_port_is_refused(source: str) -> None:
    with pytest.raises(ValueError, match="not a listen address"):
        EmergencyWebhookConnector(source)


def decoded(bus: MemoryBus, encoder: AvroEncoder) -> list[dict[str, Any]]:
    decode = AvroDeserializer(lambda _id: encoder.schema)
    return [decode(r.value) for r in bus.records(encoder.target.topic)]


def test_the_samples_delivered_to_the_receiver_reach_both_streams(tmp_path: Path) -> None:
    connector = EmergencyWebhookConnector("127.0.0.1:0")
    bus = MemoryBus()
    streams = [connector.stream, *connector.also]
    encoders = {s: AvroEncoder(*offline_target(s)) for s in streams}
    runtime = ConnectorRuntime(
        connector,
        encoders=encoders,
        outbox=Outbox(tmp_path / "outbox.db"),
        transport=KafkaTransport(bus.publisher()),
    )
    secret = b"duty-office-secret-0123456789"
    bad = changed(TASK, "task.priority", "ASAP")
    body = batch(REPORT, TASK, changed(bad, "id", "GM-CMD-20260615-T014"))
    with connector.receiver(runtime, secret=secret) as receiver:
        answer = httpx.post(
            receiver.url,
            content=body,
            headers={"Content-Type": JSON, **sign(secret, body)},
            timeout=10,
        )
    assert answer.status_code == 202
    assert answer.json() == {"accepted": 2, "dead_lettered": 1}
    while runtime.outbox.depth:
        runtime.sender.round()
    found = {stream: decoded(bus, encoder) for stream, encoder in encoders.items()}
    assert [e["report_id"] for e in found["emergency.incident-report"]] == ["EMB-20260615-002"]
    assert [e["task_id"] for e in found["emergency.task-assignment"]] == ["TASK-0615-13"]
    (letter,) = bus.records(encoders[connector.stream].target.dead_letter_topic)
    assert dict(letter.headers)["field"] == b"task.priority"
    assert dict(letter.headers)["source"] == b"webhook:GM-CMD-20260615-T014"
    runtime.outbox.close()
