"""``hub.client`` against a real gateway on uvicorn: the README's integrator story from
Python, publish to acknowledgement, and errors as ``HubError`` with the problem body.
SQLite only: every route below is tested on PostgreSQL through HTTP elsewhere."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from hub.client import HubClient, HubError
from tests.utils.events import STREAM, incident_report
from tests.utils.server import serving
from tests.utils.stack import Stack, gateway_stack

pytestmark = pytest.mark.kafka


Served = tuple[Stack, str]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A gateway stack on uvicorn, and its URL."""
    with gateway_stack(tmp_path_factory.mktemp("client")) as stack, serving(stack.http.app) as url:
        yield stack, url


def _client(served: Served, name: str) -> HubClient:
    stack, url = served
    issued = stack.credentials[name]
    return HubClient(url, issued.client_id, issued.client_secret)


def _report(i: int, incident: str) -> dict[str, object]:
    """A report with a fresh id, its times as datetimes (the client sends RFC 3339)."""
    fields = {"event_id": str(uuid.uuid4()), "incident_id": incident}
    return incident_report(i, **fields, occurred_at=datetime(2026, 12, 1, 6, i, tzinfo=UTC))


def test_publish_read_follow_the_incident_and_acknowledge(served: Served) -> None:
    stack = served[0]
    incident = f"INC-CLIENT-{uuid.uuid4().hex[:6]}"
    with (
        _client(served, "emergency-console") as emergency,
        _client(served, "health-dispatch") as health,
    ):
        first = _report(0, incident)
        landed = emergency.publish(STREAM, first)
        assert landed["created"] and landed["stream"] == STREAM
        again = emergency.publish(STREAM, first)
        assert (again["created"], again["offset"]) == (False, landed["offset"])
        batch = emergency.publish_batch(STREAM, [_report(i, incident) for i in (1, 2, 3)])
        assert [r["created"] for r in batch] == [True, True, True]
        stack.archived()

        ids = [first["envelope"]["event_id"], *(r["event_id"] for r in batch)]  # type: ignore[index]
        found = list(health.iter_events(STREAM, incident=incident, purpose="response", limit=2))
        assert [e["event"]["envelope"]["event_id"] for e in found] == ids
        assert found[0]["event"]["reporter_name"] != "Person 0", "masked for Health"
        timeline = list(health.timeline(incident, purpose="response"))
        assert [(e["stream"], e["event"]["envelope"]["event_id"]) for e in timeline] == [
            (STREAM, i) for i in ids
        ]

        ack = health.ack(ids[0], "acting", "two ambulances sent", purpose="response")
        assert (ack["agency"], ack["status"]) == ("health", "acting")
        stack.services.receipts.flush()
        (agency,) = emergency.acks(ids[0])["agencies"]
        assert agency["agency"] == "health" and agency["acks"][0]["note"] == "two ambulances sent"


def test_a_refusal_is_a_hub_error_with_the_problem(served: Served) -> None:
    with _client(served, "health-dispatch") as health:
        with pytest.raises(HubError) as refused:
            health.publish(STREAM, _report(0, "INC-NOT-HEALTHS"))
        assert refused.value.status == 403
        assert refused.value.problem["type"].endswith("/forbidden"), refused.value.problem
        with pytest.raises(HubError) as invalid:
            health.events(STREAM, purpose="response", limit=0)
        assert invalid.value.status == 422 and "limit" in str(invalid.value.problem)
