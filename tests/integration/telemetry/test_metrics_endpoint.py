"""/metrics in Prometheus' text format: requests by route template and status, decisions
by action and outcome, audit batches, the archiver's lag and the live feeds open; who
may scrape; and nothing in it that names a caller, an id or a token.

One process holds every gateway the suite builds, and its meter provider is set once:
each check compares the values before and after what it does, never absolute ones.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from typing import Any, cast

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlalchemy import func, select

from hub.client import HubClient, Message
from hub.config import TelemetrySettings
from hub.gateway.app import create_app
from hub.store.models import AuditRow
from tests.utils.events import STREAM, incident_report, publish
from tests.utils.server import serving
from tests.utils.stack import Stack, gateway_stack

pytestmark = pytest.mark.kafka

WARNINGS = "meteorology.warning"
EVENTS_ROUTE = "/v1/streams/{stream}/events"
SCRAPE_TOKEN = "scrape-" + uuid.uuid4().hex
PURPOSE = "response"

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with gateway_stack(tmp_path_factory.mktemp("metrics")) as running:
        yield running


def parse(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def scrape(http: TestClient, **headers: str) -> Samples:
    answer = http.get("/metrics", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    return parse(answer.text)


def value(samples: Samples, name: str, **labels: str) -> float:
    """The sum of ``name``'s samples whose labels include ``labels`` (scope labels and
    the others the caller does not name are summed over)."""
    wanted = set(labels.items())
    return sum(v for (n, found), v in samples.items() if n == name and wanted <= found)


def grew(before: Samples, after: Samples, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


def test_reads_count_by_route_template_status_and_decision(stack: Stack) -> None:
    health, commerce = stack.bearer("health-dispatch"), stack.bearer("commerce-supplies")
    before = scrape(stack.http)
    allowed = stack.http.get(f"/v1/streams/{WARNINGS}/events", headers=health)
    assert allowed.status_code == 200, allowed.text
    for _ in range(2):
        denied = stack.http.get(f"/v1/streams/{WARNINGS}/events", headers=commerce)
        assert denied.status_code == 403, denied.text
    assert stack.http.get("/v1/no-such-route", headers=health).status_code == 404
    after = scrape(stack.http)

    requests = "linkage_gateway_requests_total"
    get_events = {"http_route": EVENTS_ROUTE, "http_request_method": "GET"}
    assert grew(before, after, requests, **get_events, http_response_status_code="200") == 1
    assert grew(before, after, requests, **get_events, http_response_status_code="403") == 2
    assert grew(before, after, requests, http_route="unrouted", http_response_status_code="404")
    durations = "linkage_gateway_request_duration_seconds_count"
    assert grew(before, after, durations, **get_events) == 3

    decisions = "linkage_policy_decisions_total"
    read = {"linkage_action": "events.read", "linkage_stream": WARNINGS}
    assert grew(before, after, decisions, **read, linkage_outcome="allowed") == 1
    assert grew(before, after, decisions, **read, linkage_outcome="denied") == 2
    # A stream the caller made up is no label: the path's stream id is the caller's text.
    stack.http.get("/v1/streams/made.up/events", headers=health)
    made_up = scrape(stack.http)
    assert not [labels for (_, labels) in made_up if ("linkage_stream", "made.up") in labels]

    # Every audited request above waited for its batch: the batches grew by at least one
    # commit, and by at least as many rows as requests.
    size, latency = "linkage_audit_batch_size", "linkage_audit_commit_duration_seconds"
    committed = {"linkage_outcome": "committed"}
    assert grew(before, after, f"{latency}_count", **committed) >= 1
    assert grew(before, after, f"{size}_count", **committed) >= 1
    assert grew(before, after, f"{size}_sum", **committed) >= 4


def test_the_archiver_shows_its_lag_by_stream_after_a_publish(stack: Stack) -> None:
    publish(stack, [incident_report(i) for i in range(3)])
    lags = [
        v
        for (name, labels), v in scrape(stack.http).items()
        if name == "linkage_archive_lag_seconds" and ("linkage_stream", STREAM) in labels
    ]
    assert lags, "the archiver reported a lag for the stream it archived"
    # Seconds, not milliseconds; 0 once a quiet round has found it caught up.
    assert all(0 <= lag < 60 for lag in lags)


def test_live_subscribers_rise_while_a_feed_is_open_and_fall_when_it_closes(stack: Stack) -> None:
    gauge = "linkage_live_subscribers"
    issued = stack.credentials["health-dispatch"]
    before = value(scrape(stack.http), gauge, linkage_stream=STREAM)
    with (
        serving(stack.http.app) as url,
        HubClient(url, issued.client_id, issued.client_secret) as hub,
    ):
        feeds = [cast(Generator[Message], hub.live(STREAM, purpose=PURPOSE)) for _ in range(2)]
        for feed in feeds:
            assert next(feed).event == "ready"
        assert value(scrape(stack.http), gauge, linkage_stream=STREAM) == before + 2
        for feed in feeds:
            feed.close()
        deadline = time.monotonic() + 10
        while value(scrape(stack.http), gauge, linkage_stream=STREAM) != before:
            assert time.monotonic() < deadline, "the closed feeds are still counted"
            time.sleep(0.25)  # a scrape late in the suite renders every series so far


def test_no_client_token_or_id_appears_in_the_metrics(stack: Stack) -> None:
    token = stack.token("health-dispatch")
    request_id = f"req-{uuid.uuid4().hex[:12]}"
    event = incident_report(90)
    publish(stack, [event])
    read = stack.http.get(
        f"/v1/streams/{STREAM}/events",
        params={"purpose": PURPOSE},
        headers={"Authorization": f"Bearer {token}", "X-Request-ID": request_id},
    )
    assert read.status_code == 200, read.text
    assert event["envelope"]["event_id"] in read.text
    # Refused (acknowledgements are the publisher's and the coordinator's), but routed:
    # the event id is in the path.
    acks = stack.http.get(
        f"/v1/events/{event['envelope']['event_id']}/acks",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert acks.status_code == 403, acks.text
    text = stack.http.get("/metrics").text
    assert EVENTS_ROUTE in text and "/v1/events/{event_id}/acks" in text, "templates are"
    named = {
        *stack.credentials,  # the clients' ids
        *(issued.client_secret for issued in stack.credentials.values()),
        token,
        request_id,
        event["envelope"]["event_id"],
        event["envelope"]["incident_id"],
        f"/v1/streams/{STREAM}/events",
    }
    # Connectors' metrics name their connector, and one connector shares its name with a
    # demo client (commerce-supplies): those lines name a connector, not a caller.
    gateway_lines = "\n".join(
        line for line in text.splitlines() if not line.startswith("linkage_connector_")
    )
    found = {n for n in named if n in gateway_lines}
    assert not found, f"the metrics name {found}"


def test_a_scrape_writes_no_audit_row(stack: Stack) -> None:
    def rows() -> int:
        with stack.sessions() as session:
            return int(session.scalar(select(func.count()).select_from(AuditRow)) or 0)

    # The audit writer commits each request's row before its answer: counting is exact.
    stack.http.get("/healthz")
    start = rows()
    for _ in range(3):
        assert stack.http.get("/metrics").status_code == 200
    assert rows() == start


@contextmanager
def gateway(stack: Stack, **update: Any) -> Iterator[TestClient]:
    """Another gateway on the stack's database and broker, with other settings."""
    settings = stack.settings.model_copy(update=update)
    app = create_app(settings, engine=stack.hub.engine, policy=stack.policy)
    with TestClient(app) as http:
        yield http


def _problem(answer: Any, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = answer.json()
    assert body["status"] == status
    return body


def test_with_a_scrape_token_only_its_bearer_may_scrape(stack: Stack) -> None:
    telemetry = TelemetrySettings(metrics_token=SecretStr(SCRAPE_TOKEN))
    with gateway(stack, telemetry=telemetry) as http:
        missing = _problem(http.get("/metrics"), 401)
        assert missing["type"] == "/problems/unauthenticated"
        assert http.get("/metrics").headers["www-authenticate"] == 'Bearer realm="linkage"'
        wrong = http.get("/metrics", headers={"Authorization": f"Bearer {SCRAPE_TOKEN}x"})
        _problem(wrong, 401)
        basic = http.get("/metrics", auth=("scraper", SCRAPE_TOKEN))
        _problem(basic, 401)
        for refused in (missing, wrong.json(), basic.json()):
            assert SCRAPE_TOKEN not in str(refused)
        agency = http.get("/metrics", headers=stack.bearer("health-dispatch"))
        _problem(agency, 401)
        right = http.get("/metrics", headers={"Authorization": f"Bearer {SCRAPE_TOKEN}"})
        assert right.status_code == 200, right.text
        assert "linkage_gateway_requests_total" in right.text
        assert SCRAPE_TOKEN not in right.text


def test_in_prod_without_a_token_there_are_no_metrics(stack: Stack) -> None:
    with gateway(stack, env="prod") as http:
        refused = _problem(http.get("/metrics"), 404)
        absent = _problem(http.get("/no-such-page"), 404)
        assert (refused["type"], refused["detail"]) == (absent["type"], absent["detail"]), (
            "as if there were no such route"
        )
        assert http.get("/healthz").status_code == 200, "the gateway itself serves"
    telemetry = TelemetrySettings(metrics_token=SecretStr(SCRAPE_TOKEN))
    with gateway(stack, env="prod", telemetry=telemetry) as http:
        right = http.get("/metrics", headers={"Authorization": f"Bearer {SCRAPE_TOKEN}"})
        assert right.status_code == 200, right.text


def test_with_prometheus_off_there_are_no_metrics(stack: Stack) -> None:
    telemetry = TelemetrySettings(prometheus=False, metrics_token=SecretStr(SCRAPE_TOKEN))
    with gateway(stack, telemetry=telemetry) as http:
        _problem(http.get("/metrics"), 404)
        _problem(http.get("/metrics", headers={"Authorization": f"Bearer {SCRAPE_TOKEN}"}), 404)
