"""Where a connector's events go: envelope defaults, validation, framing, publishing.

Validation happens before a byte is sent, so a bad event is rejected whole. This is
the direct path, with no outbox: the gateway's HTTP publish uses it and answers the
caller with what went wrong. Connectors go through :class:`ConnectorRuntime` instead.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from opentelemetry.trace import SpanKind

from hub.bus.protocols import Pending, Publisher
from hub.connect.envelope import filled
from hub.connect.target import StreamTarget
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
        """Fill the envelope fields a publisher may leave to the hub (a new random id for
        an event that has none) and apply the catalogue's rules (see ``filled``)."""
        return filled(self.stream, event, lambda: str(uuid.uuid4()))

    def check(self, event: Mapping[str, Any]) -> None:
        """Validate a completed event without sending it (a batch is checked whole first)."""
        self._schema.validate(event)

    def publish(self, event: Mapping[str, Any], *, checked: bool = False) -> Pending:
        """Validate, frame and send one event; raises ``RecordRejected`` before sending.
        ``checked``: the completed event passed :meth:`check` already."""
        (pending,) = self.publish_many([event], checked=checked)
        return pending

    def publish_many(
        self, events: Sequence[Mapping[str, Any]], *, checked: bool = False
    ) -> list[Pending]:
        """Send events under one span: every record carries the same ``traceparent``, and
        a batch costs one span rather than one per event. Each is validated before it
        is sent; one that fails raises ``RecordRejected`` with the earlier ones sent."""
        topic = self.stream.topic
        with self._tracer.start_as_current_span(f"publish {topic}", kind=SpanKind.PRODUCER) as span:
            span.set_attribute("messaging.destination.name", topic)
            span.set_attribute("messaging.batch.message_count", len(events))
            headers = [("content-type", b"application/vnd.linkage.avro"), *trace_headers()]
            pending: list[Pending] = []
            for event in events:
                completed = dict(event) if checked else self.complete(event)
                value = self._write(completed) if checked else self._serialize(completed)
                event_id = str(completed["envelope"]["event_id"])
                if len(events) == 1:
                    span.set_attribute("linkage.event_id", event_id)
                pending.append(
                    self._publisher.send(topic, value, key=event_id.encode(), headers=headers)
                )
            return pending

    def flush(self, timeout_s: float = 30.0) -> None:
        self._publisher.flush(timeout_s)
