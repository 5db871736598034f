"""What a running gateway holds, built once by the lifespan and closed with it.

Routes never see this object: :mod:`hub.gateway.deps` hands each route the one piece
it needs, by type.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from hub.archive.history import History
from hub.archive.store import ArchiveStore
from hub.audit.log import AuditLog
from hub.audit.monitor import ChainMonitor
from hub.audit.proofs import AuditProofs
from hub.audit.reviews import ReviewService
from hub.audit.signing import CheckpointSigner, jwk_set, load_signer, public_keys
from hub.audit.writer import AuditWriter
from hub.bus.factory import open_bus
from hub.bus.lazy import LazyPublisher
from hub.bus.protocols import Publisher
from hub.config import GatewaySettings, Settings
from hub.coordination.accesses import IncidentAccesses
from hub.coordination.acks import AckBook
from hub.coordination.facts import CoordinationFacts
from hub.coordination.receipts import ReceiptBook
from hub.emergencies.service import EmergencyService
from hub.errors import BrokerUnavailable, StoreUnavailable
from hub.gateway.auth.basic import BasicAuthenticator
from hub.gateway.auth.clients import ClientStore
from hub.gateway.auth.keys import signing_keys
from hub.gateway.auth.rotation import load_token_keys
from hub.gateway.auth.server import TokenIssuer
from hub.gateway.auth.sessions import SessionStore
from hub.gateway.auth.shared_failures import DatabaseFailures
from hub.gateway.auth.throttle import TokenThrottle
from hub.gateway.auth.tokens import TokenVerifier
from hub.gateway.auth.users import UserStore
from hub.gateway.bulkheads import Bulkhead
from hub.gateway.checkpoint_feed import CheckpointFeed
from hub.gateway.cursor import CursorCodec
from hub.gateway.events import EventPages
from hub.gateway.live_stream import LiveStream
from hub.gateway.publishing import Publishing, archived_lookup
from hub.gateway.rate_limit import Limiter, RateLimiter
from hub.gateway.readiness import Readiness
from hub.gateway.shared_limits import SharedRateLimiter
from hub.keyfiles import load_key as load_secret
from hub.live.feed import LiveFeeds
from hub.policy.holder import PolicyHolder
from hub.policy.keys import MaskKeys
from hub.policy.model import Policy
from hub.policy.plan_cache import PlanCache
from hub.publishing.ledger import PublishLedger
from hub.publishing.service import EventPublisher
from hub.registry.cache import SchemaCache
from hub.registry.service import RegistryService
from hub.serde.avro import AvroDeserializer
from hub.store.engine import make_engine, make_sessions

#: The gateway's paging-cursor key, in the auth key folder: replicas share it.
CURSOR_KEY = "cursor.key"


@dataclass
class GatewayServices:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    policies: PolicyHolder
    basic: BasicAuthenticator
    issuer: TokenIssuer
    verifier: TokenVerifier
    jwks: dict[str, Any]
    audit: AuditWriter
    audit_log: AuditLog
    checkpoint_signer: CheckpointSigner
    audit_keys: dict[str, Any]
    proofs: AuditProofs
    monitor: ChainMonitor
    users: UserStore
    console_sessions: SessionStore
    reviews: ReviewService
    emergencies: EmergencyService
    registry: RegistryService
    schemas: SchemaCache
    plans: PlanCache
    events: EventPages
    history: History
    receipts: ReceiptBook
    acks: AckBook
    coordination: CoordinationFacts
    accesses: IncidentAccesses
    live: LiveStream
    publishing: Publishing
    publisher: Publisher
    limits: Limiter
    kafka_work: Bulkhead
    database_work: Bulkhead
    readiness: Readiness
    feeds: LiveFeeds
    feed: CheckpointFeed
    owns_engine: bool = True

    def close(self) -> None:
        # The writers first: the rows still queued commit before the pool goes.
        self.audit.close()
        self.feeds.close()
        self.publisher.close()
        self.receipts.close()
        self.feed.close()
        self.readiness.close()
        if self.owns_engine:
            self.engine.dispose()


#: How long readiness waits for each dependency to answer.
READY_TIMEOUT_S = 2.0


def shared_limits(settings: GatewaySettings, engine: Engine) -> bool:
    """Whether rate limits and the token back-off live in the database: on PostgreSQL,
    where replicas share it, unless told otherwise."""
    if settings.limits == "auto":
        return engine.dialect.name == "postgresql"
    return settings.limits == "database"


def _rate_limiter(settings: GatewaySettings, engine: Engine, *, shared: bool) -> Limiter:
    if shared:
        return SharedRateLimiter(engine, rate_per_s=settings.rate_per_s, burst=settings.rate_burst)
    return RateLimiter(rate_per_s=settings.rate_per_s, burst=settings.rate_burst)


def _select_one(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def build_services(
    settings: Settings, *, engine: Engine | None = None, policy: Policy | None = None
) -> GatewayServices:
    """The gateway's parts; ``engine`` and ``policy`` when the process has them already
    (the composition root shares its own, so one process has one connection pool)."""
    if settings.kafka.bootstrap is None:
        raise ValueError(
            "the gateway needs kafka.bootstrap; the CLI fills it for the embedded broker"
        )
    owns_engine = engine is None
    engine = engine or make_engine(settings.database)
    shared = shared_limits(settings.gateway, engine)
    sessions = make_sessions(engine)
    dev = settings.env != "prod"
    token_keys = load_token_keys(settings.auth.key_dir, create=dev)
    keys = signing_keys(token_keys.signing)
    clients = ClientStore(sessions)
    registry = RegistryService(sessions)
    schemas = SchemaCache(registry.decodable)
    mask_keys = MaskKeys(settings.policy.mask_key_dir, create=dev)
    plans = PlanCache(mask_keys)
    bus = open_bus(settings.kafka)
    signer = load_signer(settings.audit.key_dir, name=settings.audit.origin, create=dev)
    audit_keys = public_keys(settings.audit.key_dir, signer)
    feed = CheckpointFeed(bus)
    writer = AuditWriter(engine, settings.audit, signer, on_checkpoint=feed)
    writer.start()
    history = History(engine)
    receipts = ReceiptBook(engine)
    decode = AvroDeserializer(schemas)
    publisher = LazyPublisher(bus.publisher)
    kafka_work = Bulkhead(
        name="Kafka",
        places=settings.gateway.kafka_threads,
        wait_s=settings.kafka.read_timeout_ms / 1000,
        unavailable=BrokerUnavailable,
    )
    database_work = Bulkhead(
        name="the database",
        places=settings.gateway.database_threads,
        wait_s=settings.database.wait_s,
        unavailable=StoreUnavailable,
    )
    feeds = LiveFeeds(
        bus=bus,
        decode=decode,
        reader=lambda: bus.reader(pool_size=1),
        ring_size=settings.live.ring_size,
    )
    cursor_key = load_secret(
        settings.auth.key_dir / CURSOR_KEY,
        create=dev,
        what="cursor key",
        advice="create it with `hub token keygen` (replicas share one: copy it to each)",
    )
    auth = settings.auth
    cursors = CursorCodec(cursor_key)
    events = EventPages(
        history=history,
        decode=decode,
        plans=plans,
        cursors=cursors,
        receipts=receipts,
        page_default=settings.gateway.page_default,
        page_max=settings.gateway.page_max,
        page_bytes=settings.gateway.page_bytes,
    )
    return GatewayServices(
        settings=settings,
        engine=engine,
        sessions=sessions,
        policies=PolicyHolder(settings.policies_dir, policy, check=mask_keys.ensure),
        basic=BasicAuthenticator(clients),
        issuer=TokenIssuer(
            clients=clients,
            issuer=auth.issuer,
            audience=auth.audience,
            keys=keys,
            ttl_s=auth.token_ttl_s,
            throttle=TokenThrottle(store=DatabaseFailures(engine) if shared else None),
        ),
        verifier=TokenVerifier(
            issuer=auth.issuer, audience=auth.audience, keys=token_keys.verifying()
        ),
        jwks=token_keys.jwks(),
        audit=writer,
        audit_log=AuditLog(sessions),
        checkpoint_signer=signer,
        audit_keys=jwk_set(signer.name, audit_keys),
        proofs=AuditProofs(engine),
        users=UserStore(
            sessions,
            lockout_failures=settings.console.lockout_failures,
            lockout_minutes=settings.console.lockout_minutes,
        ),
        console_sessions=SessionStore(
            sessions,
            idle=timedelta(minutes=settings.console.idle_minutes),
            longest=timedelta(hours=settings.console.max_hours),
        ),
        monitor=ChainMonitor(engine, origin=signer.name, keys=audit_keys),
        reviews=ReviewService(sessions),
        emergencies=EmergencyService(sessions),
        registry=registry,
        schemas=schemas,
        plans=plans,
        events=events,
        history=history,
        receipts=receipts,
        acks=AckBook(engine),
        coordination=CoordinationFacts(engine),
        accesses=IncidentAccesses(engine),
        live=LiveStream(
            kafka_work=kafka_work,
            feeds=feeds,
            pages=events,
            archive=ArchiveStore(engine),
            history=history,
            cursors=cursors,
            receipts=receipts,
            settings=settings.live,
        ),
        feeds=feeds,
        publishing=Publishing(
            registry=registry,
            schemas=schemas,
            publisher=EventPublisher(
                publisher=publisher,
                ledger=PublishLedger(engine),
                archived=archived_lookup(history),
            ),
        ),
        publisher=publisher,
        kafka_work=kafka_work,
        database_work=database_work,
        readiness=Readiness(
            {
                "database": lambda: _select_one(engine),
                # Its own bound a little inside readiness's, so its reason is the one shown.
                "kafka": lambda: bus.admin().wait_ready(timeout_s=READY_TIMEOUT_S * 0.75),
                "audit": writer.check_running,
            },
            timeout_s=READY_TIMEOUT_S,
        ),
        limits=_rate_limiter(settings.gateway, engine, shared=shared),
        feed=feed,
        owns_engine=owns_engine,
    )
