"""A whole hub for a test: its own broker, database, keys, demo clients and gateway."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hub.archive.archiver import Archiver, ArchiverThread
from hub.bus.broker import EmbeddedBroker
from hub.config import LiveSettings, Settings
from hub.connect import Connector, RunReport
from hub.demo.clients import issue_demo_credentials
from hub.gateway.auth.clients import IssuedCredentials
from hub.gateway.services import GatewayServices
from hub.policy.model import Policy
from hub.stack import HubStack, gateway_app, open_stack
from tests.utils.databases import fresh_postgres
from tests.utils.settings import make_settings


@dataclass
class Stack:
    hub: HubStack
    http: TestClient
    credentials: dict[str, IssuedCredentials]
    archiving: ArchiverThread

    @property
    def archiver(self) -> Archiver:
        return self.archiving.archiver

    @property
    def settings(self) -> Settings:
        return self.hub.settings

    @property
    def broker(self) -> EmbeddedBroker:
        assert self.hub.broker is not None
        return self.hub.broker

    @property
    def policy(self) -> Policy:
        return self.hub.policy

    @property
    def sessions(self):
        return self.hub.sessions

    @property
    def services(self) -> GatewayServices:
        """The gateway's own services, as its lifespan built them."""
        return self.http.app.state.services  # type: ignore[attr-defined]

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
        """Publish what ``connector`` reads, and wait until the archive holds it all."""
        (report,) = self.hub.run_connectors([connector])
        self.archived()
        return report

    def archived(self, timeout_s: float = 60.0) -> None:
        """Wait until the archiver has taken every record on every stream's topic."""
        behind = self.hub.wait_archived(self.archiver, timeout_s)
        assert not behind, f"the archive is behind: {behind}"

    def audit_rows(self) -> list[dict[str, Any]]:
        headers = self.bearer("audit-office")
        rows: list[dict[str, Any]] = []
        after = -1
        while True:
            page = self.http.get(
                "/v1/audit", params={"after": after, "limit": 1000}, headers=headers
            ).json()
            rows += page["entries"]
            if not page["next"]:
                return rows
            after = page["entries"][-1]["seq"]


@contextmanager
def gateway_stack(
    tmp: Path,
    *,
    database_url: str | None = None,
    policies_dir: Path | None = None,
    watch_s: float = 0.0,
    checkpoint_rows: int = 1_000,
    live_ring: int = 10_000,
    live_queue: int = 1_000,
    docs: bool = True,
    body_timeout_s: float = 30.0,
    kafka_threads: int = 8,
    database_threads: int = 16,
    statement_timeout_s: float = 15.0,
    read_timeout_ms: int = 5_000,
) -> Iterator[Stack]:
    settings = make_settings(
        tmp,
        database_url=database_url,
        policies_dir=policies_dir,
        watch_s=watch_s,
        checkpoint_rows=checkpoint_rows,
        live=LiveSettings(ring_size=live_ring, queue_max=live_queue),
        docs=docs,
        body_timeout_s=body_timeout_s,
        kafka_threads=kafka_threads,
        database_threads=database_threads,
        statement_timeout_s=statement_timeout_s,
        read_timeout_ms=read_timeout_ms,
    )
    with open_stack(settings) as hub:
        credentials = {
            demo.client_id: issued for demo, issued in issue_demo_credentials(hub.sessions)
        }
        hub.replay()
        with hub.archiving() as archiving, TestClient(gateway_app(hub)) as http:
            yield Stack(hub, http, credentials, archiving)


@contextmanager
def stack_on(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    label: str,
    **options: Any,
) -> Iterator[Stack]:
    """A stack on the database kind named by ``request.param`` (sqlite or postgresql);
    ``options`` go to :func:`gateway_stack`."""
    url = None
    if request.param == "postgresql":
        url = fresh_postgres(request.getfixturevalue("postgres_database"))
    with gateway_stack(tmp_path_factory.mktemp(label), database_url=url, **options) as running:
        yield running
