"""Publish events posted as JSON: complete the envelope, validate, then send each new
event id once, and answer with where every event landed."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hub.bus.protocols import Publisher
from hub.connect import EventSink, StreamTarget
from hub.errors import BadRequest, BrokerUnavailable, Conflict, RecordRejected
from hub.publishing.ledger import InFlight, Landed, PublishLedger
from hub.serde.avro import CompiledSchema
from hub.serde.from_json import json_converter

#: The schema a stream is written with now, and the stream's catalogue entry.
Target = tuple[StreamTarget, CompiledSchema]


def target(
    *,
    id: str,
    owner: str,
    topic: str,
    sensitivity: str,
    classification_required: bool,
    schema: CompiledSchema,
) -> Target:
    """What :meth:`EventPublisher.publish` publishes to: the stream and its schema now."""
    stream = StreamTarget(
        id=id,
        owner=owner,
        topic=topic,
        sensitivity=sensitivity,
        classification_required=classification_required,
    )
    return stream, schema


@dataclass(frozen=True, slots=True)
class Outcome:
    landed: Landed
    created: bool


@dataclass(frozen=True, slots=True)
class Problem:
    index: int
    field: str
    reason: str


class Rejected(RecordRejected):
    """Events of a batch that do not match the schema; nothing of the batch was sent."""

    def __init__(self, problems: list[Problem]) -> None:
        first = problems[0]
        super().__init__(first.field, first.reason)
        if len(problems) > 1 or first.index:
            self.message = f"event {first.index}: {self.message}"
            self.args = (self.message,)
        self.problems = [{"index": p.index, "field": p.field, "reason": p.reason} for p in problems]


class EventPublisher:
    def __init__(
        self,
        *,
        publisher: Publisher,
        ledger: PublishLedger,
        archived: Callable[[Sequence[str]], dict[str, Landed]],
        timeout_s: float = 10.0,
        wait_s: float = 5.0,
    ) -> None:
        self._publisher = publisher
        self._ledger = ledger
        self._archived = archived
        self._timeout_s = timeout_s
        self._wait_s = wait_s
        self._sinks: dict[tuple[str, int], tuple[EventSink, Callable[[Any], Any]]] = {}

    def _sink(self, target: Target) -> tuple[EventSink, Callable[[Any], Any]]:
        stream, schema = target
        key = (stream.id, schema.schema_id)
        found = self._sinks.get(key)
        if found is None:
            sink = EventSink(stream=stream, schema=schema, publisher=self._publisher)
            found = self._sinks[key] = (sink, json_converter(json.loads(schema.text)))
        return found

    def publish(
        self, target: Target, events: Sequence[Mapping[str, Any]], client_id: str
    ) -> list[Outcome]:
        sink, convert = self._sink(target)
        prepared = [self._prepare(sink, convert, e, i) for i, e in enumerate(events)]
        problems = [p for p in prepared if isinstance(p, Problem)]
        if problems:
            raise Rejected(problems)
        ready = [p for p in prepared if not isinstance(p, Problem)]
        ids = [str(e["envelope"]["event_id"]) for e in ready]
        if len(set(ids)) != len(ids):
            raise BadRequest("the batch names one event id twice")
        stream = target[0].id
        earlier = self._earlier(ids, stream)
        outcomes = {i: Outcome(landed, created=False) for i, landed in earlier.items()}
        fresh = [i for i in ids if i not in outcomes]
        mine = self._ledger.claim(fresh, stream, client_id)
        for event_id in fresh:
            if event_id not in mine:
                outcomes[event_id] = Outcome(self._wait_for(event_id), created=False)
        if mine:
            ours = [e for i, e in zip(ids, ready, strict=True) if i in mine]
            for landed in self._send(sink, ours):
                outcomes[landed.event_id] = Outcome(landed, created=True)
        return [outcomes[i] for i in ids]

    def _prepare(
        self,
        sink: EventSink,
        convert: Callable[[Any], Any],
        event: Mapping[str, Any],
        index: int,
    ) -> dict[str, Any] | Problem:
        envelope = event.get("envelope")
        if not isinstance(envelope, Mapping):
            return Problem(index, "envelope", "the event has no envelope")
        # The hub stamps when it took the event; an id is made when the sender has none.
        stamped = {
            **envelope,
            "published_at": datetime.now(UTC),
            "event_id": envelope.get("event_id") or str(uuid.uuid4()),
        }
        try:
            # The same rules as the connector SDK's: an event over HTTP is no less an event.
            completed = sink.complete(convert({**event, "envelope": stamped}))
            sink.check(completed)
        except RecordRejected as exc:
            return Problem(index, exc.path, _reason(exc))
        return completed

    def _earlier(self, event_ids: list[str], stream: str) -> dict[str, Landed]:
        """The events published before (over HTTP, or archived from a connector)."""
        known: dict[str, Landed | InFlight] = dict(self._ledger.landed(event_ids))
        known.update(self._archived([e for e in event_ids if e not in known]))
        found: dict[str, Landed] = {}
        for event_id in event_ids:
            where = known.get(event_id)
            if where is None:
                continue
            if where.stream != stream:
                raise Conflict(f"event id {event_id} was published to {where.stream} already")
            if isinstance(where, Landed):
                found[event_id] = where
        return found

    def _wait_for(self, event_id: str) -> Landed:
        deadline = time.monotonic() + self._wait_s
        while time.monotonic() < deadline:
            found = self._ledger.landed([event_id]).get(event_id)
            if isinstance(found, Landed):
                return found
            time.sleep(0.02)
        raise Conflict(f"event id {event_id} is being published by another request; retry")

    def _send(self, sink: EventSink, events: list[dict[str, Any]]) -> list[Landed]:
        ids = [str(e["envelope"]["event_id"]) for e in events]
        try:
            pending = sink.publish_many(events, checked=True)
            delivered = [p.result(self._timeout_s) for p in pending]
        except BrokerUnavailable:
            self._ledger.release(ids)
            raise
        landed = [
            Landed(i, sink.stream.id, d.partition, d.offset)
            for i, d in zip(ids, delivered, strict=True)
        ]
        self._ledger.record(landed)
        return landed


def _reason(error: RecordRejected) -> str:
    message = error.message
    prefix = f"{error.path}: "
    return message[len(prefix) :] if message.startswith(prefix) else message
