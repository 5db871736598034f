"""Bring a store and a cluster up to what the catalogue describes: idempotent, run at start.

Migrates the database, registers each stream's schema under its subject and creates
each stream's topic and dead-letter topic, and the audit checkpoints' topic. Running it twice changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from hub.audit.publication import CHECKPOINT_TOPIC
from hub.bus.protocols import Bus
from hub.bus.records import TopicSpec
from hub.catalog.files import SchemaCatalog
from hub.config import Settings
from hub.errors import ConfigError
from hub.policy.loader import load_policy
from hub.policy.model import Policy, Stream
from hub.registry.entities import SubjectSchema, SubmittedSchema
from hub.registry.errors import RegistryError
from hub.registry.service import RegistryService
from hub.serde.wire import dead_letter_topic
from hub.store.engine import make_sessions
from hub.store.migrate import upgrade

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Provisioned:
    policy: Policy
    schemas: dict[str, SubjectSchema]
    created_topics: list[str]


def _sized(stream: Stream) -> tuple[tuple[str, str], ...]:
    """A stream with a larger limit than Kafka's default says so to the broker, with
    room for the record batch's own overhead."""
    if stream.max_message_bytes <= 1_000_000:
        return ()
    return (("max.message.bytes", str(stream.max_message_bytes + 64 * 1024)),)


def provision(settings: Settings, *, engine: Engine, bus: Bus) -> Provisioned:
    upgrade(engine)
    policy = load_policy(settings.policies_dir)
    schemas = register_catalogue(settings, sessions=make_sessions(engine), policy=policy)
    specs = [TopicSpec(s.topic, s.partitions, config=_sized(s)) for s in policy.streams]
    specs += [TopicSpec(dead_letter_topic(s.topic), 1, config=_sized(s)) for s in policy.streams]
    specs.append(TopicSpec(CHECKPOINT_TOPIC, 1))
    created = bus.admin().ensure_topics(specs)
    if created:
        log.info("created topics: %s", ", ".join(created))
    return Provisioned(policy, schemas, created)


def register_catalogue(
    settings: Settings, *, sessions: sessionmaker[Session], policy: Policy
) -> dict[str, SubjectSchema]:
    """Register each stream's schema under its subject, with the stream's compatibility mode."""
    catalog = SchemaCatalog.load(settings.schemas_dir)
    store = RegistryService(sessions)
    schemas: dict[str, SubjectSchema] = {}
    for stream in policy.streams:
        store.set_mode(subject=stream.subject, mode=stream.compatibility)
        try:
            schemas[stream.id] = store.register(
                subject=stream.subject,
                submitted=SubmittedSchema(catalog.resolve_text(stream.schema_name)),
            )
        except RegistryError as exc:
            raise ConfigError(
                f"{stream.schema_name} cannot be registered as {stream.subject}: {exc.message}. "
                f"Make the change compatible, or publish it as a new major version "
                f"(version: {stream.version + 1} in streams.yaml, a new topic)"
            ) from exc
    return schemas
