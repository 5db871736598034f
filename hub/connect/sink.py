"""Where a connector's events go: envelope defaults, validation, framing, publishing.

Validation happens before a byte is sent, so a bad event is rejected whole. Rejected
records go to the stream's dead-letter topic (``<topic>.dlq``) with the reason in a
header and in the body, so nothing a department sent is silently dropped.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import orjson
from opentelemetry.trace import SpanKind

from hub.bus.protocols import Pending, Publisher
from hub.connect.target import StreamTarget
from hub.errors import RecordRejected
from hub.serde.avro import AvroSerializer, CompiledSchema
from hub.telemetry import trace_headers, tracer

log = logging.getLogger(__name__)


class EventSink:
    """Publishes one stream's events; build it with the stream's registered schema."""

    def __init__(
        self, *, stream: StreamTarget, schema: CompiledSchema, publisher: Publisher
    ) -> None:
        self.stream = stream
        self._schema = schema
        self._serialize = AvroSerializer(schema)
        self._write = AvroSerializer(schema, validate=False)
        self._publisher = publisher
        self._tracer = tracer("hub.connect")
        self._sensitivity = stream.sensitivity.upper()

    def complete(self, event: Mapping[str, Any]) -> dict[str, Any]:
        """Fill the envelope fields a connector may leave to the SDK."""
        completed = dict(event)
        envelope = dict(completed.get("envelope") or {})
        agency = envelope.setdefault("source_agency", self.stream.owner)
        if agency != self.stream.owner:
            raise RecordRejected(
                "envelope.source_agency",
                f"{agency!r} may not publish to {self.stream.id}, owned by {self.stream.owner}",
            )
        envelope.setdefault("event_id", str(uuid.uuid4()))
        envelope.setdefault("published_at", datetime.now(UTC))
        envelope.setdefault("sensitivity", self._sensitivity)
        envelope.setdefault("exercise", False)
        completed["envelope"] = envelope
        return completed

    def check(self, event: Mapping[str, Any]) -> None:
        """Validate a completed event without sending it (a batch is checked whole first)."""
        self._schema.validate(event)

    def publish(self, event: Mapping[str, Any], *, checked: bool = False) -> Pending:
        """Validate, frame and send one event; raises ``RecordRejected`` before sending.
        ``checked``: the completed event passed :meth:`check` already."""
        completed = dict(event) if checked else self.complete(event)
        topic = self.stream.topic
        with self._tracer.start_as_current_span(f"publish {topic}", kind=SpanKind.PRODUCER) as span:
            value = self._write(completed) if checked else self._serialize(completed)
            event_id = str(completed["envelope"]["event_id"])
            span.set_attribute("messaging.destination.name", topic)
            span.set_attribute("linkage.event_id", event_id)
            headers = [("content-type", b"application/vnd.linkage.avro"), *trace_headers()]
            return self._publisher.send(topic, value, key=event_id.encode(), headers=headers)

    def dead_letter(self, *, ref: str, raw: Any, error: Exception) -> Pending:
        path = error.path if isinstance(error, RecordRejected) else ""
        reason = str(error)
        body = {
            "stream": self.stream.id,
            "source": ref,
            "reason": reason,
            "field": path,
            "rejected_at": datetime.now(UTC),
            "record": raw,
        }
        value = orjson.dumps(body, default=_jsonable)
        headers = [("reason", reason.encode()[:512]), ("source", ref.encode()[:512])]
        # The reason may quote the rejected value (a name, a phone number): it goes to the
        # owner's dead-letter topic, never to the log.
        log.warning("rejected %s for %s at field %r", ref, self.stream.id, path or "<record>")
        return self._publisher.send(self.stream.dead_letter_topic, value, headers=headers)

    def flush(self, timeout_s: float = 30.0) -> None:
        self._publisher.flush(timeout_s)


def _jsonable(value: Any) -> Any:
    """Dead letters keep the original record readable: bytes as text, the rest as str."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)
