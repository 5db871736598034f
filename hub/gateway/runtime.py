"""Everything a running gateway holds, built once by the lifespan and closed with it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from hub.audit.log import AuditLog
from hub.bus.kafka import KafkaReader
from hub.bus.protocols import Reader
from hub.config import Settings
from hub.gateway.auth.basic import BasicAuthenticator
from hub.gateway.auth.clients import ClientStore
from hub.gateway.auth.keys import load_key, public_jwks, signing_keys
from hub.gateway.auth.server import TokenIssuer
from hub.gateway.auth.tokens import TokenVerifier
from hub.policy.loader import load_policy
from hub.policy.model import Policy
from hub.registry.cache import SchemaCache
from hub.registry.serde import AvroDeserializer
from hub.registry.store import SchemaStore
from hub.store.engine import make_engine, make_sessions


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    policy: Policy
    clients: ClientStore
    basic: BasicAuthenticator
    issuer: TokenIssuer
    verifier: TokenVerifier
    jwks: dict[str, Any]
    audit: AuditLog
    schemas: SchemaStore
    decode: AvroDeserializer
    reader: Reader

    def close(self) -> None:
        self.reader.close()
        self.engine.dispose()


def build_runtime(settings: Settings, *, engine: Engine | None = None) -> Runtime:
    if settings.kafka.bootstrap is None:
        raise ValueError(
            "the gateway needs kafka.bootstrap; the CLI fills it for the embedded broker"
        )
    engine = engine or make_engine(settings.database)
    sessions = make_sessions(engine)
    key = load_key(settings.auth.key_dir, create=settings.env != "prod")
    keys = signing_keys(key)
    clients = ClientStore(sessions)
    schemas = SchemaStore(sessions)
    auth = settings.auth
    return Runtime(
        settings=settings,
        engine=engine,
        sessions=sessions,
        policy=load_policy(settings.policies_dir),
        clients=clients,
        basic=BasicAuthenticator(clients),
        issuer=TokenIssuer(
            clients=clients,
            issuer=auth.issuer,
            audience=auth.audience,
            keys=keys,
            ttl_s=auth.token_ttl_s,
        ),
        verifier=TokenVerifier(issuer=auth.issuer, audience=auth.audience, keys=keys),
        jwks=public_jwks(key),
        audit=AuditLog(sessions),
        schemas=schemas,
        decode=AvroDeserializer(SchemaCache(schemas.schema)),
        reader=KafkaReader(
            settings.kafka, settings.kafka.bootstrap, pool_size=settings.gateway.reader_pool
        ),
    )
