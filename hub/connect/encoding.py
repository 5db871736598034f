"""From a mapped event to the bytes the outbox keeps: completed, validated, encoded for
its transport and held to the stream's size limit; and, for a record that failed, its
dead letter.

Everything that can refuse one record happens here, before the outbox, so a record
that fails is dead-lettered in the same transaction as its neighbours' events and the
checkpoint: the feed never stops on it, and it is never half-sent.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import orjson

from hub.bus.records import Headers
from hub.connect.base import SourceRecord
from hub.connect.envelope import complete, raw_bytes
from hub.connect.outbox import Entry
from hub.connect.target import StreamTarget
from hub.errors import RecordRejected
from hub.serde.avro import AvroSerializer, CompiledSchema

AVRO = ("content-type", b"application/vnd.linkage.avro")
JSON = ("content-type", b"application/json")
#: A dead letter keeps the first this many bytes of a larger record (and says so).
DEAD_LETTER_MAX = 512 * 1024


class Encoder(ABC):
    """Turns one mapped event into an outbox entry for one stream and transport: complete
    the event, make its bytes, hold them to the stream's limit."""

    content_type: tuple[str, bytes]

    def __init__(self, target: StreamTarget, schema: CompiledSchema) -> None:
        self.target = target
        self.schema = schema

    def encode(
        self,
        event: Mapping[str, Any],
        *,
        connector: str,
        record: SourceRecord,
        index: int,
        headers: Headers,
    ) -> Entry:
        completed = complete(self.target, event, connector=connector, record=record, index=index)
        value = self._bytes(completed)
        if len(value) > self.target.max_message_bytes:
            raise RecordRejected(
                "",
                f"the event is {len(value):,} bytes, over {self.target.id}'s limit of"
                f" {self.target.max_message_bytes:,} (max_message_bytes in streams.yaml)",
            )
        event_id = str(completed["envelope"]["event_id"])
        return Entry(
            kind="event",
            stream=self.target.id,
            topic=self._topic(),
            event_id=event_id,
            key=event_id.encode(),
            value=value,
            headers=[self.content_type, *headers],
            ref=record.ref,
        )

    @abstractmethod
    def _bytes(self, completed: dict[str, Any]) -> bytes:
        """The completed event's bytes, checked against the schema."""

    def _topic(self) -> str:
        return self.target.topic


class AvroEncoder(Encoder):
    """For Kafka: Confluent-framed Avro under the stream's registered schema."""

    content_type = AVRO

    def __init__(self, target: StreamTarget, schema: CompiledSchema) -> None:
        super().__init__(target, schema)
        self._serialize = AvroSerializer(schema)

    def _bytes(self, completed: dict[str, Any]) -> bytes:
        return self._serialize(completed)


class JsonEncoder(Encoder):
    """For the gateway's publish API: the event as JSON, validated here first so that a
    bad one is dead-lettered locally rather than refused by the gateway later. Its
    "topic" is the stream id, the route's name for it."""

    content_type = JSON

    def _bytes(self, completed: dict[str, Any]) -> bytes:
        self.schema.validate(completed)
        return orjson.dumps(completed, option=orjson.OPT_UTC_Z)

    def _topic(self) -> str:
        return self.target.id


def dead_letter(
    target: StreamTarget,
    record: SourceRecord,
    error: BaseException,
    *,
    connector: str,
    position: Any,
) -> Entry:
    """The record's original bytes, with why it failed and where it came from in
    headers, for the owner's dead-letter topic."""
    original = raw_bytes(record.raw)
    return Entry(
        kind="dead-letter",
        stream=target.id,
        topic=target.dead_letter_topic,
        event_id=None,
        key=record.ref.encode()[:512],
        value=original[:DEAD_LETTER_MAX],
        headers=failure_headers(
            error, connector=connector, ref=record.ref, position=position, original=original
        ),
        ref=record.ref,
    )


def failure_headers(
    error: BaseException, *, connector: str, ref: str, position: Any, original: bytes
) -> Headers:
    """The reason travels in headers, so the value stays the record's bytes unchanged.
    The reason may quote the record (a name, a phone number): it goes to the owner's
    dead-letter topic and never to the log."""
    reason = str(error) or type(error).__name__
    headers: Headers = [
        ("reason", reason.encode()[:2048]),
        ("error", type(error).__name__.encode()),
        ("field", (error.path if isinstance(error, RecordRejected) else "").encode()),
        ("connector", connector.encode()),
        ("source", ref.encode()[:512]),
        ("position", orjson.dumps(position, default=str)[:2048]),
        ("rejected-at", datetime.now(UTC).isoformat().encode()),
        ("sha256", hashlib.sha256(original).hexdigest().encode()),
    ]
    if len(original) > DEAD_LETTER_MAX:
        headers.append(("truncated-from", str(len(original)).encode()))
    return headers
