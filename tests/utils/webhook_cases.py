"""The webhook receiver's delivery cases, written once and run on the memory bus (the
unit tests) and on the real broker (the integration tests), with their helpers."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest

from hub.bus.protocols import Bus
from hub.bus.records import BusRecord
from hub.connect import PushConnector, RecordRejected, SourceRecord, StreamTarget
from hub.connect.encoding import AvroEncoder
from hub.connect.offline import offline_target
from hub.connect.outbox import Outbox
from hub.connect.runtime import ConnectorRuntime
from hub.connect.transport import KafkaTransport
from hub.connect.webhook import (
    WebhookReceiver,
    sign,
)
from hub.serde.avro import AvroDeserializer
from tests.utils.sdk_cases import own_target

STREAM = "emergency.incident-report"
SECRET = b"test-secret-0123456789abcdef"
PROBLEM_FIELDS = {"type", "title", "status", "detail"}


class Reports(PushConnector):
    """A body is ``{"reports": [{"n": 1, "title": "..."}, ...]}``, one record a report;
    a report without a title fails to map."""

    name = "reports"
    stream = STREAM

    def split(self, body: bytes, content_type: str) -> Sequence[SourceRecord]:
        try:
            document = json.loads(body)
        except ValueError as exc:
            raise ValueError(f"not JSON: {exc}") from None
        # A body without "reports" raises KeyError: a split with a bug in it.
        return [
            SourceRecord(f"report-{r['n']}", json.dumps(r).encode()) for r in document["reports"]
        ]

    def map(self, record: SourceRecord) -> dict[str, Any]:
        report = json.loads(record.raw)
        if not report.get("title"):
            raise RecordRejected("title", "required")
        return {
            "envelope": {
                "event_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"report/{report['n']}")),
                "occurred_at": 1781500200000,
                "classification": {"category": "ACCIDENT_DISASTER"},
            },
            "report_id": f"R-{report['n']}",
            "title": report["title"],
            "description": "Spoil slid onto workshops",
            "status": "REPORTED",
            "reported_by": "Guangming duty office",
        }


def reports(*numbers: int, untitled: Sequence[int] = ()) -> bytes:
    items = [{"n": n, "title": "" if n in untitled else f"Landslide {n}"} for n in numbers]
    return json.dumps({"reports": items}).encode()


def post(
    receiver: WebhookReceiver,
    body: bytes,
    *,
    headers: dict[str, Any] | None = None,
    secret: bytes = SECRET,
    timestamp: int | None = None,
) -> httpx.Response:
    signed = {} if headers is not None else sign(secret, body, timestamp)
    return httpx.post(
        receiver.url,
        content=body,
        headers={"Content-Type": "application/json", **signed, **(headers or {})},
        timeout=10,
    )


def deliver(runtime: ConnectorRuntime) -> None:
    """Run the sender until the outbox is empty, as its thread would."""
    for _ in range(100):
        if runtime.outbox.depth == 0:
            return
        runtime.sender.round()
    raise AssertionError(f"{runtime.outbox.depth} rows still in the outbox")


def read(bus: Bus, topic: str) -> list[BusRecord]:
    reader = bus.reader()
    try:
        return reader.read(topic, positions={}, limit=1000).records
    finally:
        reader.close()


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert set(body) == PROBLEM_FIELDS
    assert body["status"] == status
    return body


Serve = Callable[..., tuple[WebhookReceiver, ConnectorRuntime]]


class WebhookCases:
    """Subclasses provide a ``bus`` fixture returning a :class:`hub.bus.protocols.Bus`."""

    @pytest.fixture
    def target(self, bus: Bus) -> StreamTarget:
        return own_target(bus, "webhook")

    @pytest.fixture
    def serve(self, bus: Bus, target: StreamTarget, tmp_path: Path) -> Iterator[Serve]:
        """Receivers on free ports, each feeding its own runtime; stopped afterwards."""
        started: list[tuple[WebhookReceiver, ConnectorRuntime]] = []

        def start(
            connector: PushConnector | None = None, *, max_rows: int = 1000, **options: Any
        ) -> tuple[WebhookReceiver, ConnectorRuntime]:
            connector = connector or Reports()
            runtime = ConnectorRuntime(
                connector,
                encoders={STREAM: AvroEncoder(target, offline_target(STREAM)[1])},
                outbox=Outbox(tmp_path / f"outbox-{len(started)}.db", max_rows=max_rows),
                transport=KafkaTransport(bus.publisher()),
            )
            receiver = WebhookReceiver(
                runtime, connector, host="127.0.0.1", port=0, secret=SECRET, **options
            ).start()
            started.append((receiver, runtime))
            return receiver, runtime

        yield start
        for receiver, runtime in started:
            receiver.stop()
            runtime.close()
            runtime.outbox.close()

    def events(self, bus: Bus, target: StreamTarget) -> list[dict[str, Any]]:
        decode = AvroDeserializer(lambda _id: offline_target(STREAM)[1])
        return [decode(r.value) for r in read(bus, target.topic)]

    def test_a_signed_delivery_is_202_once_committed_and_its_events_reach_the_bus(
        self, serve: Serve, bus: Bus, target: StreamTarget
    ) -> None:
        receiver, runtime = serve()
        response = post(receiver, reports(1, 2))
        assert response.status_code == 202
        assert response.headers["content-type"] == "application/json"
        assert response.json() == {"accepted": 2, "dead_lettered": 0}
        assert runtime.outbox.depth == 2, "committed before the answer, not yet sent"
        deliver(runtime)
        assert [e["report_id"] for e in self.events(bus, target)] == ["R-1", "R-2"]

    def test_a_batch_with_one_bad_message_publishes_the_others_and_dead_letters_it(
        self, serve: Serve, bus: Bus, target: StreamTarget
    ) -> None:
        receiver, runtime = serve()
        response = post(receiver, reports(1, 2, 3, untitled=[2]))
        assert response.json() == {"accepted": 2, "dead_lettered": 1}
        deliver(runtime)
        assert [e["report_id"] for e in self.events(bus, target)] == ["R-1", "R-3"]
        (letter,) = read(bus, target.dead_letter_topic)
        assert json.loads(letter.value) == {"n": 2, "title": ""}
        assert dict(letter.headers)["field"] == b"title"

    def test_a_body_split_cannot_read_is_202_and_dead_lettered_with_its_bytes(
        self, serve: Serve, bus: Bus, target: StreamTarget
    ) -> None:
        receiver, runtime = serve()
        body = b'{"reports": [{"n": 1, "title": "cut off here'
        response = post(receiver, body)
        assert response.status_code == 202
        assert response.json() == {"accepted": 0, "dead_lettered": 1}
        deliver(runtime)
        assert self.events(bus, target) == []
        (letter,) = read(bus, target.dead_letter_topic)
        assert letter.value == body, "the original bytes, unchanged"
        headers = dict(letter.headers)
        assert headers["error"] == b"ValueError"
        assert headers["reason"].startswith(b"not JSON")
        assert headers["connector"] == b"reports"

    def test_a_retried_delivery_gives_the_same_event_ids(
        self, serve: Serve, bus: Bus, target: StreamTarget
    ) -> None:
        receiver, runtime = serve()
        body = reports(1, 2)
        assert post(receiver, body, timestamp=int(time.time()) - 60).status_code == 202
        assert post(receiver, body).status_code == 202, "a later retry, freshly signed"
        deliver(runtime)
        ids = [e["envelope"]["event_id"] for e in self.events(bus, target)]
        assert len(ids) == 4
        assert ids[:2] == ids[2:], "consumers and the archive keep each event once"
