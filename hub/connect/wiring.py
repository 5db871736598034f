"""Build a connector's sink from the catalogue and the registry."""

from __future__ import annotations

from typing import Protocol

from hub.bus.protocols import Publisher
from hub.connect.sink import EventSink
from hub.errors import NotFound
from hub.policy.model import Policy
from hub.registry.entities import SubjectSchema
from hub.registry.serde import CompiledSchema


class SubjectLookup(Protocol):
    def latest(self, subject: str) -> SubjectSchema | None: ...


def open_sink(
    *, policy: Policy, stream_id: str, schemas: SubjectLookup, publisher: Publisher
) -> EventSink:
    """A sink for ``stream_id`` that writes with the subject's latest registered schema."""
    stream = policy.stream(stream_id)
    if stream is None:
        raise NotFound(f"stream {stream_id} is not in the catalogue (policies/streams.yaml)")
    registered = schemas.latest(stream.subject)
    if registered is None:
        raise NotFound(
            f"no schema is registered under {stream.subject}; run `hub schemas register`"
        )
    schema = CompiledSchema.from_text(registered.schema_id, registered.text)
    return EventSink(stream=stream, schema=schema, publisher=publisher)
