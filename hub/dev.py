"""`hub dev`: the whole hub on one machine, with demo clients and a short demo scenario.

Starts the embedded broker (unless ``HUB_KAFKA_BOOTSTRAP`` names a cluster), prepares
the database, schemas and topics, gives each demo client a fresh secret, runs the
example connectors on sample data, prints how to try it, and serves the gateway until
Ctrl-C. The secrets are printed once and written to ``var/dev/credentials.env`` (0600)
so that the README's curl tour can ``source`` them.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from sqlalchemy.orm import Session, sessionmaker

from hub.bus.broker import EmbeddedBroker, stop_on_sigterm
from hub.bus.kafka import KafkaPublisher
from hub.config import Settings
from hub.connect import run_connector
from hub.connect.wiring import open_sink
from hub.errors import ConfigError
from hub.gateway.app import create_app
from hub.gateway.auth.clients import ClientStore, IssuedCredentials
from hub.gateway.auth.scopes import AUDIT_READ, REGISTRY_WRITE, STREAMS_READ
from hub.policy.model import Policy
from hub.provision import provision
from hub.registry.store import SchemaStore
from hub.store.engine import make_engine, make_sessions


@dataclass(frozen=True, slots=True)
class DemoClient:
    variable: str
    client_id: str
    agency: str
    scopes: frozenset[str]
    role: str


DEMO_CLIENTS = (
    DemoClient(
        "EMERGENCY",
        "emergency-console",
        "emergency",
        frozenset({STREAMS_READ}),
        "Emergency Management Bureau: reads weather warnings",
    ),
    DemoClient(
        "HEALTH",
        "health-dispatch",
        "health",
        frozenset({STREAMS_READ}),
        "Health Commission: reads warnings and incident reports",
    ),
    DemoClient(
        "METEOROLOGY",
        "meteorology-feed",
        "meteorology",
        frozenset({STREAMS_READ, REGISTRY_WRITE}),
        "Meteorological Bureau: owns the warnings",
    ),
    DemoClient(
        "COMMERCE",
        "commerce-supplies",
        "commerce",
        frozenset({STREAMS_READ}),
        "Commerce Bureau: no grants yet, so it is denied",
    ),
    DemoClient(
        "AUDITOR",
        "audit-office",
        "audit",
        frozenset({AUDIT_READ}),
        "Audit Bureau: reads the audit log",
    ),
)


def run_dev(settings: Settings, *, serve: bool = True, echo: bool = True) -> Path:
    """Bring the demo up; returns the credentials file. Blocks serving unless ``serve`` is false."""
    say: Callable[..., None] = print if echo else (lambda *_: None)
    dev_dir = settings.var_dir / "dev"
    dev_dir.mkdir(parents=True, exist_ok=True)
    if serve:
        _check_port_free(settings.gateway.host, settings.gateway.port)
        stop_on_sigterm()
    with ExitStack() as stack:
        bootstrap = settings.kafka.bootstrap
        if bootstrap is None:
            broker = EmbeddedBroker.from_settings(settings.broker, log_path=dev_dir / "broker.log")
            stack.enter_context(broker)
            bootstrap = broker.bootstrap
            say(f"embedded Kafka-protocol broker (Tansu, pid {broker.pid}) on {bootstrap}")
        else:
            say(f"using Kafka at {bootstrap}")
        settings = settings.with_bootstrap(bootstrap)
        engine = make_engine(settings.database)
        stack.callback(engine.dispose)
        provisioned = provision(settings, engine=engine, bootstrap=bootstrap)
        for stream_id, schema in provisioned.schemas.items():
            say(
                f"stream {stream_id}: subject {schema.subject} v{schema.version}, schema id {schema.schema_id}"
            )
        sessions = make_sessions(engine)
        credentials = [
            (
                demo,
                ClientStore(sessions).ensure(
                    client_id=demo.client_id, agency=demo.agency, scopes=demo.scopes
                ),
            )
            for demo in DEMO_CLIENTS
        ]
        env_file = _write_credentials(dev_dir / "credentials.env", settings, credentials)
        say(f"\ndemo clients (secrets shown once; also in {env_file}):")
        for demo, issued in credentials:
            say(f"  {issued.client_id:<20} {issued.client_secret}  {demo.role}")
        _run_demo_connectors(settings, bootstrap, sessions, provisioned.policy, say)
        base = settings.auth.issuer.rstrip("/")
        say(_tour(base, env_file))
        if serve:
            uvicorn.run(
                create_app(settings),
                host=settings.gateway.host,
                port=settings.gateway.port,
                log_level="info",
            )
        return env_file


def _run_demo_connectors(
    settings: Settings,
    bootstrap: str,
    sessions: sessionmaker[Session],
    policy: Policy,
    say: Callable[..., None],
) -> None:
    from connectors.catalog import CONNECTORS, DEMO_SOURCES

    publisher = KafkaPublisher(settings.kafka, bootstrap)
    try:
        for name, build in CONNECTORS.items():
            connector = build(DEMO_SOURCES[name])
            sink = open_sink(
                policy=policy,
                stream_id=connector.stream,
                schemas=SchemaStore(sessions),
                publisher=publisher,
            )
            report = run_connector(connector, sink)
            say(f"\nconnector {name} -> {connector.stream}: {report.summary()}")
    finally:
        publisher.close()


def _write_credentials(
    path: Path, settings: Settings, credentials: list[tuple[DemoClient, IssuedCredentials]]
) -> Path:
    lines = [f"HUB_URL={settings.auth.issuer.rstrip('/')}"]
    for demo, issued in credentials:
        lines += [
            f"{demo.variable}_ID={issued.client_id}",
            f"{demo.variable}_SECRET={issued.client_secret}",
        ]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return path


def _check_port_free(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            raise ConfigError(
                f"gateway port {port} on {host} is in use; stop what holds it or set HUB_GATEWAY_PORT"
            ) from None


def _tour(base: str, env_file: Path) -> str:
    return f"""
Linkage is up.
  gateway      {base}/
  API docs     {base}/docs
  JWKS         {base}/.well-known/jwks.json

Try it (another terminal):
  source {env_file}
  TOKEN=$(curl -s -u "$HEALTH_ID:$HEALTH_SECRET" -d grant_type=client_credentials $HUB_URL/oauth/token \\
          | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  curl -s -H "Authorization: Bearer $TOKEN" $HUB_URL/v1/streams
  curl -s -H "Authorization: Bearer $TOKEN" "$HUB_URL/v1/streams/meteorology.warning/events?limit=2"

Press Ctrl-C to stop (the broker stops with it).
"""
