"""The composition root: the one place that starts a hub's parts and wires them together.

`hub gateway`, `hub dev`, `hub connector run`, the benchmarks and the test fixtures all
call :func:`open_stack` and get a :class:`HubStack`: the embedded broker unless a cluster
is named, the database opened and migrated, and (unless asked not to, as `hub connector
run` does) the catalogue registered and its topics created. The gateway they serve
shares the stack's database engine and policy. Everything opened is closed on the way
out.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from hub.archive.archiver import REJECTED, Archiver, ArchiverThread
from hub.archive.replay import ReplayReport, replay
from hub.archive.store import ArchiveStore
from hub.bus.broker import EmbeddedBroker
from hub.bus.factory import open_bus
from hub.bus.lazy import LazyPublisher
from hub.bus.protocols import Bus, Publisher
from hub.config import Settings
from hub.connect import Connector, EventSink, RunReport, StreamTarget
from hub.connect.assemble import outbox_path
from hub.connect.encoding import AvroEncoder, Encoder
from hub.connect.outbox import Outbox
from hub.connect.runtime import ConnectorRuntime
from hub.connect.transport import KafkaTransport
from hub.errors import ConfigError, NotFound
from hub.policy.loader import load_policy
from hub.policy.model import Policy
from hub.provision import provision
from hub.registry.cache import SchemaCache
from hub.registry.entities import SubjectSchema
from hub.registry.errors import RegistryError
from hub.registry.service import RegistryService
from hub.serde.avro import AvroDeserializer, CompiledSchema
from hub.serde.wire import value_subject
from hub.store.engine import make_engine, make_sessions
from hub.store.migrate import upgrade

if TYPE_CHECKING:
    from hub.gateway.app import GatewayApp

log = logging.getLogger(__name__)


@dataclass
class HubStack:
    """A hub's running parts; ``settings.kafka.bootstrap`` names the cluster in use."""

    settings: Settings
    bus: Bus
    engine: Engine
    sessions: sessionmaker[Session]
    policy: Policy
    registry: RegistryService
    broker: EmbeddedBroker | None = None
    registered: dict[str, SubjectSchema] = field(default_factory=dict)
    created_topics: list[str] = field(default_factory=list)

    def target(self, stream_id: str) -> StreamTarget:
        """The catalogue entry of ``stream_id``, as the connector SDK needs it."""
        stream = self.policy.stream(stream_id)
        if stream is None:
            raise NotFound(f"stream {stream_id} is not in the catalogue (policies/streams.yaml)")
        return StreamTarget.of(stream)

    def latest_schema(self, stream_id: str) -> tuple[StreamTarget, CompiledSchema]:
        """The stream's catalogue entry and its subject's latest registered schema,
        written out whole (a version may take some of its types by reference)."""
        target = self.target(stream_id)
        subject = value_subject(target.topic)
        registered = self.registry.latest(subject)
        if registered is None:
            raise NotFound(f"no schema is registered under {subject}; run `hub schemas register`")
        decodable = self.registry.decodable(registered.schema_id)
        return target, CompiledSchema.from_text(registered.schema_id, decodable.text)

    def sink(self, stream_id: str, publisher: Publisher) -> EventSink:
        """A sink for ``stream_id`` that writes with the subject's latest registered schema."""
        target, schema = self.latest_schema(stream_id)
        return EventSink(stream=target, schema=schema, publisher=publisher)

    def archiver(self) -> Archiver:
        """An archiver of every stream in the catalogue, on this stack's bus and database."""
        archive = self.settings.archive
        return Archiver(
            bus=self.bus,
            store=ArchiveStore(self.engine),
            decode=AvroDeserializer(SchemaCache(self.registry.decodable)),
            streams={s.topic: s.id for s in self.policy.streams},
            batch_max=archive.batch_max,
            poll_s=archive.poll_s,
            rejected=(*REJECTED, RegistryError),
        )

    def replay(self) -> ReplayReport:
        """Refill the topics that lost records (a restarted in-memory broker) from the
        archive; before an archiver starts."""
        publisher, reader = self.bus.publisher(), self.bus.reader(pool_size=1)
        try:
            return replay(
                self.engine,
                publisher=publisher,
                reader=reader,
                topics=[s.topic for s in self.policy.streams],
            )
        finally:
            publisher.close()
            reader.close()

    def wait_archived(self, archiver: Archiver, timeout_s: float = 60.0) -> dict[str, int]:
        """Wait until ``archiver`` holds every record on the topics now; what is still
        behind when the time runs out (empty: all archived)."""
        reader = self.bus.reader(pool_size=1)
        try:
            return archiver.wait_caught_up(reader, timeout_s)
        finally:
            reader.close()

    def archiving(self) -> ArchiverThread:
        """The archiver in a thread of this process: ``with stack.archiving(): ...``."""
        return ArchiverThread(self.archiver())

    def connector_runtime(
        self, connector: Connector, outbox: Outbox, **options: Any
    ) -> ConnectorRuntime:
        """A runtime sending to this stack's Kafka, with each stream's latest registered
        schema."""
        encoders: dict[str, Encoder] = {
            stream_id: AvroEncoder(*self.latest_schema(stream_id))
            for stream_id in (connector.stream, *connector.also)
        }
        return ConnectorRuntime(
            connector,
            encoders=encoders,
            outbox=outbox,
            # Made on first send: a connector starts, and takes its source into the
            # outbox, with the broker down.
            transport=KafkaTransport(LazyPublisher(self.bus.publisher)),
            **options,
        )

    def run_connectors(self, connectors: list[Connector]) -> list[RunReport]:
        """Run each connector once over its source, through its outbox under
        ``var/connectors/``, as ``hub connector run`` does."""
        reports = []
        for connector in connectors:
            box = Outbox(outbox_path(self.settings.var_dir, connector))
            runtime = self.connector_runtime(connector, box)
            try:
                reports.append(runtime.run())
            finally:
                runtime.close()
                box.close()
        return reports


@contextmanager
def open_stack(
    settings: Settings,
    *,
    embedded: bool = True,
    provisioned: bool = True,
    broker_log: Path | None = None,
) -> Iterator[HubStack]:
    """Start what ``settings`` describe; stop it all when the block ends.

    Args:
        embedded: start the embedded broker when no cluster is named; if false, a
            missing ``kafka.bootstrap`` is a configuration error.
        provisioned: register the catalogue's schemas and create its topics (both
            idempotent); if false the database is only migrated.
        broker_log: where the embedded broker writes its output.
    """
    with ExitStack() as stack:
        broker = None
        bootstrap = settings.kafka.bootstrap
        if bootstrap is None:
            if not embedded:
                raise ConfigError("set HUB_KAFKA_BOOTSTRAP to the cluster to use")
            broker = EmbeddedBroker.from_settings(settings.broker, log_path=broker_log)
            stack.enter_context(broker)
            bootstrap = broker.bootstrap
        policy = load_policy(settings.policies_dir)
        ready = _fitted(settings.with_bootstrap(bootstrap), policy)
        engine = make_engine(ready.database)
        stack.callback(engine.dispose)
        bus = open_bus(ready.kafka)
        sessions = make_sessions(engine)
        running = HubStack(
            settings=ready,
            bus=bus,
            engine=engine,
            sessions=sessions,
            policy=policy,
            registry=RegistryService(sessions),
            broker=broker,
        )
        if provisioned:
            done = provision(ready, engine=engine, bus=bus)
            running.policy, running.registered = done.policy, done.schemas
            running.created_topics = done.created_topics
        else:
            upgrade(engine)
        yield running


def _fitted(settings: Settings, policy: Policy) -> Settings:
    """Producers' requests large enough for the catalogue's largest event, with room for
    the batch around it."""
    largest = max((s.max_message_bytes for s in policy.streams), default=0) + 64 * 1024
    if largest <= settings.kafka.max_request_bytes:
        return settings
    kafka = settings.kafka.model_copy(update={"max_request_bytes": largest})
    return settings.model_copy(update={"kafka": kafka})


@contextmanager
def open_store(settings: Settings) -> Iterator[sessionmaker[Session]]:
    """Only the database, migrated: for the commands that need nothing else."""
    engine = make_engine(settings.database)
    try:
        upgrade(engine)
        yield make_sessions(engine)
    finally:
        engine.dispose()


def serve_gateway(running: HubStack, *, log_level: str = "info") -> None:
    """Serve the gateway in this process, on the stack's database, until Ctrl-C or SIGTERM."""
    import uvicorn

    settings = running.settings
    uvicorn.run(
        gateway_app(running),
        host=settings.gateway.host,
        port=settings.gateway.port,
        log_level=log_level,
        timeout_graceful_shutdown=max(1, round(settings.gateway.shutdown_s)),
    )


def gateway_app(running: HubStack) -> GatewayApp:
    """The gateway for this stack: its settings, its database engine, its policy."""
    from hub.gateway.app import create_app

    return create_app(running.settings, engine=running.engine, policy=running.policy)
