"""Coordination measured end to end: events published through the broker and archived,
read over HTTP (read receipts), acknowledged over HTTP, refused where the policy says
so; then the coordination report, the incident view and the post-incident assessment
(HTML and CSV) as a signed-in duty officer sees them. SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hub.coordination.assessment import Assessor
from hub.coordination.report import build_report
from tests.utils.console import sign_in
from tests.utils.events import incident_report, publish
from tests.utils.stack import Stack, stack_on

pytestmark = pytest.mark.kafka
PASSWORD = "correct horse battery"
EVENTS = "/v1/streams/emergency.incident-report/events"
AGO = timedelta(minutes=10)


def _report(i: int, incident: str, published: datetime, **more: Any) -> dict[str, Any]:
    event = incident_report(i, incident_id=incident, published_at=published, **more)
    event["envelope"]["classification"] = {"category": "ACCIDENT_DISASTER"}
    return event


def _reports(now: datetime) -> list[dict[str, Any]]:
    """Published ten minutes before ``now`` (one 30 s later), one two days before, a drill."""
    return [
        _report(9_001, "INC-COORD-1", now - AGO),
        _report(9_002, "INC-COORD-1", now - AGO + timedelta(seconds=30)),
        _report(9_003, "INC-COORD-0", now - timedelta(days=2)),
        _report(9_004, "INC-DRILL", now - AGO, exercise=True),
    ]


IDS = [r["envelope"]["event_id"] for r in _reports(datetime.now(UTC))]


@dataclass(frozen=True)
class Scene:
    stack: Stack
    #: How long the reads and acknowledgements took after the events' "now": a delay
    #: measured from publication is AGO plus at most this (a slow machine takes longer).
    slack_ms: int


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def scene(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Scene]:
    with stack_on(request, tmp_path_factory, "coordination") as running:
        running.services.users.create(
            username="lei", role="duty-officer", agency="emergency", password=PASSWORD
        )
        started = datetime.now(UTC)
        publish(running, _reports(started))
        health = running.bearer("health-dispatch")
        for incident in ("INC-COORD-1", "INC-COORD-0"):
            page = running.http.get(
                EVENTS, params={"purpose": "response", "incident": incident}, headers=health
            )
            assert page.status_code == 200 and page.json()["count"] >= 1, page.text
        acked = running.http.post(
            f"/v1/events/{IDS[0]}/ack",
            params={"purpose": "response"},
            json={"status": "acting", "note": "ambulances sent"},
            headers=health,
        )
        assert acked.status_code == 201, acked.text
        refused = running.http.get(
            EVENTS, params={"incident": "INC-COORD-1"}, headers=running.bearer("commerce-supplies")
        )
        assert refused.status_code == 403
        running.services.receipts.flush()
        slack = datetime.now(UTC) - started + timedelta(seconds=1)
        yield Scene(running, int(slack.total_seconds() * 1000))


@pytest.fixture
def stack(scene: Scene) -> Stack:
    return scene.stack


@pytest.fixture
def officer(stack: Stack) -> Iterator[TestClient]:
    with TestClient(stack.http.app, headers={"Accept": "text/html"}) as client:
        assert sign_in(client, "lei", PASSWORD).status_code == 303
        yield client


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def test_the_report_measures_each_pair_against_its_target_with_exercises_apart(
    scene: Scene,
) -> None:
    stack = scene.stack
    ago, slack = int(AGO.total_seconds() * 1000), scene.slack_ms
    now = datetime.now(UTC)
    report = build_report(
        stack.policy,
        stack.services.coordination,
        since_ms=_ms(now - timedelta(days=7)),
        until_ms=_ms(now + timedelta(minutes=1)),
        now_ms=_ms(now),
    )
    assert "emergency.incident-report" in report.streams
    pair = next(p for p in report.real.pairs if (p.publisher, p.reader) == ("emergency", "health"))
    figures = pair.figures
    assert (figures.deliveries, figures.read, figures.acknowledged) == (3, 3, 1)
    assert pair.target is not None and pair.target.acknowledged == timedelta(minutes=30)
    # Read about ten minutes (two of three) and two days after publication.
    assert figures.read_median_ms is not None
    assert ago - 30_000 <= figures.read_median_ms <= ago + slack
    assert figures.read_p90_ms is not None and figures.read_p90_ms >= 2 * 86_400_000 - 60_000
    assert pair.read_met is False, "a delivery read two days late misses a ten-minute target"
    assert pair.ack_met is False, "two of three never acknowledged"
    unacked = {(u.delivery.event.event_id, u.delivery.agency) for u in report.real.unacknowledged}
    assert (IDS[1], "health") in unacked and (IDS[2], "health") in unacked
    assert (IDS[0], "health") not in unacked
    assert report.exercise.events == 1 and report.real.events == 3
    assert all(IDS[3] != u.delivery.event.event_id for u in report.real.unacknowledged)
    assert [p.figures.read for p in report.exercise.pairs if p.reader == "health"] == [0]


def test_the_assessment_quotes_reads_refusals_and_earlier_incidents_of_its_kind(
    scene: Scene,
) -> None:
    stack = scene.stack
    ago, slack = int(AGO.total_seconds() * 1000), scene.slack_ms
    services = stack.services
    found = Assessor(stack.policy, services.coordination, services.accesses).assess("INC-COORD-1")
    assert found is not None and not found.exercise
    assert [e.event_id for e in found.events] == IDS[:2]
    agencies = {d.agency for d in found.deliveries}
    assert {"health", "public-security"} <= agencies, "ordinary grants make receivers"
    assert "guangming" not in agencies, "its grant's filter keeps only district 440311"
    assert "emergency" not in agencies and "commerce" not in agencies
    health = found.by_reader["health"]
    assert (health.deliveries, health.read, health.acknowledged) == (2, 2, 1)
    assert health.ack_median_ms is not None and ago <= health.ack_median_ms <= ago + slack
    assert [a.agency for a in found.denied] == ["commerce"]
    assert found.by_emergency == [], "no emergency was declared"
    assert [e.incident.incident_id for e in found.earlier] == ["INC-COORD-0"], (
        "the drill is not compared with a real incident"
    )
    assert Assessor(stack.policy, services.coordination, services.accesses).assess("NONE") is None


def test_a_duty_officer_opens_the_report_an_incident_and_its_assessment(
    stack: Stack, officer: TestClient
) -> None:
    report = officer.get("/console/coordination", params={"lang": "en"})
    assert report.status_code == 200, report.text
    assert 'id="pairs"' in report.text and "Exercises (counted apart)" in report.text
    listed = officer.get("/console/incidents")
    assert listed.status_code == 200
    assert "INC-COORD-1" in listed.text and "INC-DRILL" in listed.text
    view = officer.get("/console/incidents/INC-COORD-1")
    assert view.status_code == 200, view.text
    assert "<svg" in view.text and f'id="event-{IDS[0]}"' in view.text
    assert "ambulances sent" not in view.text, "no note or payload is shown"
    page = officer.get("/console/incidents/INC-COORD-1/assessment")
    assert page.status_code == 200 and 'id="denied"' in page.text and "commerce" in page.text
    assert officer.get("/console/incidents/NO-SUCH/assessment").status_code == 404
    assert officer.get("/console/incidents/bad%20id").status_code == 422
    rows = [r for r in stack.audit_rows() if r["resource"] == "INC-COORD-1"]
    assert {r["client_id"] for r in rows} == {"console:lei"}
    assert all(r["decision"] == "allow" for r in rows) and len(rows) >= 2


def test_the_assessment_downloads_as_csv_with_one_row_per_fact(
    stack: Stack, officer: TestClient
) -> None:
    response = officer.get("/console/incidents/INC-COORD-1/assessment.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "assessment-INC-COORD-1.csv" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    sections = [r["section"] for r in rows]
    receivers = {r["agency"] for r in rows if r["section"] == "delivery"}
    assert "health" in receivers
    assert sections.count("published") == 2 and sections.count("delivery") == 2 * len(receivers)
    assert sections.count("denied") == 1 and sections.count("earlier-incident") == 1
    (overall,) = [r for r in rows if r["section"] == "overall"]
    assert (overall["read"], overall["acknowledged"]) == ("2", "1")
    assert overall["deliveries"] == str(2 * len(receivers))


def test_the_pages_are_for_signed_in_people_only(stack: Stack) -> None:
    with TestClient(stack.http.app) as anonymous:
        for path in ("/console/coordination", "/console/incidents/INC-COORD-1/assessment.csv"):
            response = anonymous.get(path, follow_redirects=False)
            assert response.status_code == 303, path
