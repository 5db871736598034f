"""What the publish routes need: the stream's current schema, and the publisher."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from hub.archive.history import History
from hub.errors import NotFound
from hub.policy.model import Stream
from hub.publishing.ledger import Landed
from hub.publishing.service import EventPublisher, Outcome, target
from hub.registry.cache import SchemaCache
from hub.registry.service import RegistryService


class Publishing:
    def __init__(
        self, *, registry: RegistryService, schemas: SchemaCache, publisher: EventPublisher
    ) -> None:
        self._registry = registry
        self._schemas = schemas
        self._publisher = publisher

    def publish(
        self, stream: Stream, events: Sequence[Mapping[str, Any]], client_id: str
    ) -> list[Outcome]:
        latest = self._registry.latest(stream.subject)
        if latest is None:
            raise NotFound(f"no schema is registered under {stream.subject}")
        to = target(
            id=stream.id,
            owner=stream.owner,
            topic=stream.topic,
            sensitivity=stream.sensitivity,
            classification_required=stream.classification_required,
            schema=self._schemas(latest.schema_id),
        )
        return self._publisher.publish(to, events, client_id)


def archived_lookup(history: History) -> Callable[[Sequence[str]], dict[str, Landed]]:
    """Where events the archive holds landed (a connector may have sent them already)."""

    def lookup(event_ids: Sequence[str]) -> dict[str, Landed]:
        return {
            i: Landed(row.event_id, row.stream, row.partition, row.offset)
            for i, row in history.events(event_ids).items()
        }

    return lookup
