"""A department that can reach only the gateway: its connector takes the catalogue entry
and the schema from the gateway's APIs with its own client, and sends through the
publish API with the same outbox and retries. The gateway goes away for a while (every
connection cut, behind a proxy) and comes back: every event arrives once."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import text

from connectors.catalog import DEMO_SOURCES
from connectors.health_capacity import HospitalCapacityConnector
from hub.client.api import HubClient
from hub.connect.assemble import gateway_runtime
from hub.connect.outbox import Outbox
from hub.connect.sender import Backoff
from tests.utils.server import serving
from tests.utils.stack import gateway_stack
from tests.utils.tcp_proxy import TcpProxy

pytestmark = pytest.mark.kafka

STREAM = "health.hospital-capacity"


def _archived(stack_engine: object, stream: str) -> tuple[int, int]:
    with stack_engine.connect() as connection:  # type: ignore[attr-defined]
        row = connection.execute(
            text("SELECT count(*), count(DISTINCT event_id) FROM archive_events WHERE stream = :s"),
            {"s": stream},
        ).one()
    return int(row[0]), int(row[1])


def test_a_remote_connector_waits_out_the_gateway_and_delivers_once(tmp_path: Path) -> None:
    with gateway_stack(tmp_path / "hub") as stack, serving(stack.http.app) as url:
        proxy = TcpProxy(("127.0.0.1", urlsplit(url).port or 0))
        credentials = stack.credentials["health-dispatch"]
        client = HubClient(
            f"http://127.0.0.1:{proxy.port}", credentials.client_id, credentials.client_secret
        )
        outbox = Outbox(tmp_path / "outbox.db")
        connector = HospitalCapacityConnector(DEMO_SOURCES["health-capacity"])
        runtime = gateway_runtime(
            connector, client=client, outbox=outbox, backoff=Backoff(0.1, 0.5)
        )
        try:
            proxy.cut()
            down = runtime.run(drain_s=1)
            assert down.read == 6 and len(down.rejected) == 1, "the sample's one bad row"
            assert down.waiting == 5, "five events wait for the gateway"
            state = outbox.state()
            assert state.counters["failed_sends"] >= 1
            assert state.counters["quarantined"] == 1, "the gateway takes no dead letters"
            proxy.restore()
            up = runtime.run(drain_s=30)
            assert up.read == 0 and up.waiting == 0 and up.published == 5
        finally:
            runtime.close()
            outbox.close()
            proxy.cut()
        stack.archived()
        assert _archived(stack.hub.engine, STREAM) == (5, 5)
        # The same events sent again (a fresh outbox, as after losing the file) are
        # recognised by their ids: the gateway publishes nothing twice.
        again_box = Outbox(tmp_path / "again.db")
        again = gateway_runtime(
            HospitalCapacityConnector(DEMO_SOURCES["health-capacity"]),
            client=HubClient(url, credentials.client_id, credentials.client_secret),
            outbox=again_box,
        )
        try:
            assert again.run(drain_s=30).published == 5
        finally:
            again.close()
            again_box.close()
        stack.archived()
        assert _archived(stack.hub.engine, STREAM) == (5, 5)
