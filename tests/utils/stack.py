"""A whole hub for a test: its own broker, database, keys, demo clients and gateway."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hub.bus.broker import EmbeddedBroker
from hub.bus.kafka import KafkaPublisher
from hub.config import Settings
from hub.connect import Connector, RunReport, run_connector
from hub.connect.wiring import open_sink
from hub.dev import DEMO_CLIENTS
from hub.gateway.app import create_app
from hub.gateway.auth.clients import ClientStore, IssuedCredentials
from hub.policy.model import Policy
from hub.provision import provision
from hub.registry.store import SchemaStore
from hub.store.engine import make_engine, make_sessions
from tests.utils.databases import fresh_postgres
from tests.utils.settings import make_settings


@dataclass
class Stack:
    settings: Settings
    http: TestClient
    broker: EmbeddedBroker
    policy: Policy
    credentials: dict[str, IssuedCredentials]
    sessions: object

    def token(self, client_id: str, scope: str | None = None) -> str:
        issued = self.credentials[client_id]
        form = {"grant_type": "client_credentials"}
        if scope:
            form["scope"] = scope
        response = self.http.post(
            "/oauth/token", data=form, auth=(issued.client_id, issued.client_secret)
        )
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def bearer(self, client_id: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(client_id)}"}

    def run(self, connector: Connector) -> RunReport:
        publisher = KafkaPublisher(self.settings.kafka, self.broker.bootstrap)
        try:
            sink = open_sink(
                policy=self.policy,
                stream_id=connector.stream,
                schemas=SchemaStore(self.sessions),  # type: ignore[arg-type]
                publisher=publisher,
            )
            return run_connector(connector, sink)
        finally:
            publisher.close()

    def audit_rows(self) -> list[dict[str, object]]:
        headers = self.bearer("audit-office")
        rows: list[dict[str, object]] = []
        after = 0
        while True:
            page = self.http.get(
                "/v1/audit", params={"after": after, "limit": 1000}, headers=headers
            ).json()
            rows += page["entries"]
            if not page["next"]:
                return rows
            after = page["entries"][-1]["id"]


@contextmanager
def gateway_stack(tmp: Path, *, database_url: str | None = None) -> Iterator[Stack]:
    with EmbeddedBroker() as broker:
        settings = make_settings(tmp, database_url=database_url, bootstrap=broker.bootstrap)
        engine = make_engine(settings.database)
        provisioned = provision(settings, engine=engine, bootstrap=broker.bootstrap)
        sessions = make_sessions(engine)
        store = ClientStore(sessions)
        credentials = {
            demo.client_id: store.ensure(
                client_id=demo.client_id, agency=demo.agency, scopes=demo.scopes
            )
            for demo in DEMO_CLIENTS
        }
        try:
            with TestClient(create_app(settings)) as http:
                yield Stack(settings, http, broker, provisioned.policy, credentials, sessions)
        finally:
            engine.dispose()


@contextmanager
def stack_on(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, label: str
) -> Iterator[Stack]:
    """A stack on the database kind named by ``request.param`` (sqlite or postgresql)."""
    url = None
    if request.param == "postgresql":
        url = fresh_postgres(request.getfixturevalue("postgres_database"))
    with gateway_stack(tmp_path_factory.mktemp(label), database_url=url) as running:
        yield running
