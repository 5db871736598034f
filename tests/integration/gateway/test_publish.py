"""Publishing over HTTP on both databases: validated against the schema (a 422 names the
field), stamped by the hub, once per event id, in batches that are all or nothing."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hub.store.models import ArchivedEvent
from tests.utils.events import STREAM, incident_report
from tests.utils.stack import Stack, stack_on

pytestmark = pytest.mark.kafka
URL = f"/v1/streams/{STREAM}/events"
TOPIC = "emergency.incident-report.v1"
OBSERVATIONS = "/v1/streams/meteorology.observation/events"
EXAMPLES = Path(__file__).resolve().parents[2] / "data" / "events"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    with stack_on(request, tmp_path_factory, "publish") as running:
        yield running


def as_json(i: int, **envelope: Any) -> dict[str, Any]:
    """An incident report as an integrator posts it: times as RFC 3339 text."""
    event = incident_report(i, **envelope)
    fields = event["envelope"]
    fields["occurred_at"] = fields["occurred_at"].isoformat()
    return event


def _end(stack: Stack) -> int:
    reader = stack.hub.bus.reader(pool_size=1)
    try:
        return reader.end_offsets(TOPIC).get(0, 0)
    finally:
        reader.close()


def test_an_event_is_published_once_stamped_by_the_hub(stack: Stack) -> None:
    headers = stack.bearer("emergency-console")
    event = as_json(7_001)
    del event["envelope"]["event_id"]
    event["envelope"]["published_at"] = "2001-01-01T00:00:00Z"
    created = stack.http.post(URL, json=event, headers=headers)
    assert created.status_code == 201, created.text
    landed = created.json()
    uuid.UUID(landed["event_id"])  # the hub made one
    assert (landed["stream"], landed["created"]) == (STREAM, True)
    stack.archived()
    page = stack.http.get(URL, params={"incident": "INC-0001", "limit": 1000}, headers=headers)
    (served,) = [
        e for e in page.json()["events"] if e["event"]["envelope"]["event_id"] == landed["event_id"]
    ]
    assert served["offset"] == landed["offset"]
    assert not served["event"]["envelope"]["published_at"].startswith("2001"), "the hub's time"
    # The same id again: the first coordinates, and nothing sent.
    before = _end(stack)
    again = stack.http.post(
        URL,
        json={**event, "envelope": {**event["envelope"], "event_id": landed["event_id"]}},
        headers=headers,
    )
    assert again.status_code == 200 and again.json()["offset"] == landed["offset"]
    assert again.json()["created"] is False
    assert _end(stack) == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda e: e.pop("title"), "title"),
        (lambda e: e["envelope"].update(severity="V"), "envelope.severity"),
        (lambda e: e["envelope"].update(occurred_at="yesterday"), "envelope.occurred_at"),
        (lambda e: e["envelope"].update(source_agency="health"), "envelope.source_agency"),
        (lambda e: e.pop("envelope"), "envelope"),
    ],
)
def test_an_event_that_does_not_match_the_schema_is_a_422_naming_the_field(
    stack: Stack, change: Any, field: str
) -> None:
    event = as_json(7_100)
    change(event)
    before = _end(stack)
    refused = stack.http.post(URL, json=event, headers=stack.bearer("emergency-console"))
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["field"] == field
    assert _end(stack) == before, "nothing was published"


def test_only_the_owner_publishes_and_only_with_the_scope(stack: Stack) -> None:
    other = stack.http.post(URL, json=as_json(7_200), headers=stack.bearer("health-dispatch"))
    assert other.status_code == 403 and "only emergency publishes" in other.json()["detail"]
    auditor = stack.http.post(URL, json=as_json(7_200), headers=stack.bearer("audit-office"))
    assert auditor.status_code == 403 and "streams:publish" in auditor.json()["detail"]


def test_an_event_id_published_to_one_stream_is_a_409_on_another(stack: Stack) -> None:
    headers = stack.bearer("emergency-console")
    report = as_json(7_400)
    assert stack.http.post(URL, json=report, headers=headers).status_code == 201
    status = {
        "envelope": {
            "event_id": report["envelope"]["event_id"],
            "occurred_at": report["envelope"]["occurred_at"],
            "classification": {"category": "ACCIDENT_DISASTER"},
        },
        "task_id": "T-1",
        "agency": "emergency",
        "status": "RECEIVED",
    }
    clash = stack.http.post(
        "/v1/streams/emergency.task-status/events", json=status, headers=headers
    )
    assert clash.status_code == 409, clash.text
    assert "was published to emergency.incident-report" in clash.json()["detail"]


def test_a_batch_is_checked_whole_and_answers_each_event(stack: Stack) -> None:
    headers = stack.bearer("emergency-console")
    events = [as_json(i) for i in range(7_300, 7_303)]
    bad = as_json(7_303)
    bad["envelope"]["severity"] = "V"
    before = _end(stack)
    refused = stack.http.post(f"{URL}/batch", json={"events": [*events, bad]}, headers=headers)
    assert refused.status_code == 422
    assert refused.json()["detail"].startswith("event 3: envelope.severity")
    assert _end(stack) == before, "all or nothing"
    first = stack.http.post(f"{URL}/batch", json={"events": events[:2]}, headers=headers)
    assert first.status_code == 200, first.text
    again = stack.http.post(f"{URL}/batch", json={"events": events}, headers=headers)
    results = again.json()["results"]
    assert [r["created"] for r in results] == [False, False, True]
    assert results[:2] == [{**r, "created": False} for r in first.json()["results"]]
    assert _end(stack) == before + 3
    too_many = stack.http.post(f"{URL}/batch", json={"events": [events[0]] * 501}, headers=headers)
    assert too_many.status_code == 422
    twice = stack.http.post(
        f"{URL}/batch", json={"events": [events[0], events[0]]}, headers=headers
    )
    assert twice.status_code == 422 and "twice" in twice.json()["detail"]


def test_an_oversized_or_malformed_body_is_refused(stack: Stack) -> None:
    headers = {**stack.bearer("emergency-console"), "Content-Type": "application/json"}
    huge = stack.http.post(URL, content=b"{" + b" " * (1024 * 1024 + 10) + b"}", headers=headers)
    assert huge.status_code == 413
    broken = stack.http.post(URL, content=b"{nope", headers=headers)
    assert broken.status_code == 422 and "not JSON" in broken.json()["detail"]
    listed = stack.http.post(URL, content=b"[1, 2]", headers=headers)
    assert listed.status_code == 422


def observation(**envelope: Any) -> dict[str, Any]:
    """A routine reading as a station's feed posts it: no classification unless given."""
    event = json.loads((EXAMPLES / "meteorology.observation.json").read_text())[0]
    event["envelope"].pop("published_at")
    event["envelope"].update({"event_id": str(uuid.uuid4()), "classification": None, **envelope})
    return dict(event)


def test_an_incident_linked_stream_refuses_an_event_without_classification(stack: Stack) -> None:
    headers = stack.bearer("emergency-console")
    unclassified = as_json(7_500, classification=None)
    left_out = as_json(7_501)
    del left_out["envelope"]["classification"]
    before = _end(stack)
    for event in (unclassified, left_out):
        refused = stack.http.post(URL, json=event, headers=headers)
        assert refused.status_code == 422, refused.text
        problem = refused.json()
        assert problem["field"] == "envelope.classification"
        assert f"required for stream {STREAM}, which is incident-linked" in problem["detail"]
    batch = stack.http.post(
        f"{URL}/batch", json={"events": [as_json(7_502), unclassified]}, headers=headers
    )
    assert batch.status_code == 422
    assert batch.json()["detail"].startswith("event 1: envelope.classification")
    assert _end(stack) == before, "nothing was published"


def test_a_routine_event_needs_a_classification_only_when_it_names_an_incident(
    stack: Stack,
) -> None:
    headers = stack.bearer("meteorology-feed")
    plain = observation()
    created = stack.http.post(OBSERVATIONS, json=plain, headers=headers)
    assert created.status_code == 201, created.text
    classified = observation(classification={"category": "NATURAL_DISASTER", "code": "11B03"})
    assert stack.http.post(OBSERVATIONS, json=classified, headers=headers).status_code == 201
    linked = observation(incident_id="INC-2026-GM-0615-01")
    refused = stack.http.post(OBSERVATIONS, json=linked, headers=headers)
    assert refused.status_code == 422, refused.text
    assert refused.json()["field"] == "envelope.classification"
    assert "names incident 'INC-2026-GM-0615-01'" in refused.json()["detail"]
    stack.archived()
    ids = {e["envelope"]["event_id"] for e in (plain, classified)}
    with stack.hub.engine.connect() as connection:
        rows = dict(
            connection.execute(
                select(ArchivedEvent.event_id, ArchivedEvent.category).where(
                    ArchivedEvent.event_id.in_(ids)
                )
            ).all()
        )
    assert rows == {
        plain["envelope"]["event_id"]: None,
        classified["envelope"]["event_id"]: ("NATURAL_DISASTER"),
    }
    served = stack.http.get(OBSERVATIONS, params={"limit": 1000}, headers=headers).json()
    envelopes = {
        e["event"]["envelope"]["event_id"]: e["event"]["envelope"] for e in served["events"]
    }
    assert envelopes[plain["envelope"]["event_id"]]["classification"] is None
    for kind in ("NATURAL_DISASTER", "11B03"):
        filtered = stack.http.get(
            OBSERVATIONS, params={"limit": 1000, "classification": kind}, headers=headers
        ).json()
        found = {e["event"]["envelope"]["event_id"] for e in filtered["events"]}
        assert classified["envelope"]["event_id"] in found
        assert plain["envelope"]["event_id"] not in found, "no category matches no filter"
