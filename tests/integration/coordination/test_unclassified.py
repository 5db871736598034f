"""Incidents whose events name no kind of emergency: the SDK and the gateway refuse them,
but a producer writing to Kafka past both can send them, and the archive keeps what it
is sent. The coordination pages count them as unclassified and never fail on them.
SQLite and PostgreSQL (the incidents are grouped in SQL)."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hub.archive.index import index_event
from hub.archive.store import ArchiveStore, NewEvent
from hub.coordination.assessment import Assessor
from hub.coordination.report import build_report
from hub.serde.avro import AvroSerializer
from tests.utils.console import sign_in
from tests.utils.events import STREAM, incident_report
from tests.utils.stack import Stack, stack_on

pytestmark = pytest.mark.kafka
PASSWORD = "correct horse battery"
NOW = datetime.now(UTC)
#: (incident, category, published): "unclassified" ones carry ``classification: null``.
EVENTS = [
    ("INC-UNCL-1", None, NOW - timedelta(minutes=10)),
    ("INC-UNCL-1", None, NOW - timedelta(minutes=9)),
    ("INC-UNCL-0", None, NOW - timedelta(days=2)),
    ("INC-CLASS-0", "ACCIDENT_DISASTER", NOW - timedelta(days=2)),
    ("INC-MIXED", None, NOW - timedelta(minutes=8)),
    ("INC-MIXED", "NATURAL_DISASTER", NOW - timedelta(minutes=7)),
]


def _event(i: int, incident: str, category: str | None, published: datetime) -> dict[str, Any]:
    event = incident_report(9_500 + i, incident_id=incident, published_at=published)
    event["envelope"].update(
        source_agency="emergency",
        sensitivity="RESTRICTED",
        exercise=False,
        classification={"category": category} if category else None,
    )
    return event


def archive_as_sent(stack: Stack, events: list[dict[str, Any]]) -> None:
    """Encode and archive each event as a producer with the registry's schema sends it,
    with no SDK or gateway between (nothing here applies their rules)."""
    stream = stack.policy.stream(STREAM)
    assert stream is not None
    latest = stack.hub.registry.latest(stream.subject)
    assert latest is not None
    encode = AvroSerializer(stack.services.schemas(latest.schema_id))
    rows = [
        NewEvent(
            stream=STREAM,
            topic=stream.topic,
            partition=0,
            offset=2_000_000 + n,
            schema_id=latest.schema_id,
            payload=encode(event),
            index=index_event(event),
        )
        for n, event in enumerate(events)
    ]
    ArchiveStore(stack.hub.engine).write(rows, {}, now_ms=int(time.time() * 1000))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    with stack_on(request, tmp_path_factory, "unclassified") as running:
        running.services.users.create(
            username="lei", role="duty-officer", agency="emergency", password=PASSWORD
        )
        archive_as_sent(running, [_event(i, *spec) for i, spec in enumerate(EVENTS)])
        yield running


@pytest.fixture
def officer(stack: Stack) -> Iterator[TestClient]:
    with TestClient(stack.http.app, headers={"Accept": "text/html"}) as client:
        assert sign_in(client, "lei", PASSWORD).status_code == 303
        yield client


def _assessor(stack: Stack) -> Assessor:
    services = stack.services
    return Assessor(stack.policy, services.coordination, services.accesses)


def test_an_unclassified_incident_is_compared_with_unclassified_ones_only(stack: Stack) -> None:
    found = _assessor(stack).assess("INC-UNCL-1")
    assert found is not None and found.category is None
    assert [e.category for e in found.events] == [None, None]
    assert [e.incident.incident_id for e in found.earlier] == ["INC-UNCL-0"]
    mixed = _assessor(stack).assess("INC-MIXED")
    assert mixed is not None and mixed.category == "NATURAL_DISASTER", "the first one given"
    facts = stack.services.coordination
    assert {i.incident_id for i in facts.incidents(category=None)} == {"INC-UNCL-1", "INC-UNCL-0"}
    assert {i.incident_id for i in facts.incidents(category="ACCIDENT_DISASTER")} == {"INC-CLASS-0"}
    assert len(facts.incidents()) == 4, "every category, unclassified included"


def test_the_report_counts_unclassified_events_like_any(stack: Stack) -> None:
    now_ms = int(time.time() * 1000)
    report = build_report(
        stack.policy,
        stack.services.coordination,
        since_ms=now_ms - 7 * 86_400_000,
        until_ms=now_ms + 60_000,
        now_ms=now_ms,
    )
    assert report.real.events == len(EVENTS)


def test_the_console_shows_unclassified_incidents_in_both_languages(
    officer: TestClient,
) -> None:
    for lang, word in (("en", "Unclassified"), ("zh", "未分类")):
        listed = officer.get("/console/incidents", params={"lang": lang})
        assert listed.status_code == 200, listed.text
        assert "INC-UNCL-1" in listed.text and word in listed.text
        for path in ("/console/incidents/INC-UNCL-1", "/console/incidents/INC-UNCL-1/assessment"):
            page = officer.get(path, params={"lang": lang})
            assert page.status_code == 200, page.text
            assert word in page.text
    sheet = officer.get("/console/incidents/INC-UNCL-1/assessment.csv")
    assert sheet.status_code == 200
    published = [r for r in csv.DictReader(io.StringIO(sheet.text)) if r["section"] == "published"]
    assert [r["detail"].split()[0] for r in published] == ["unclassified", "unclassified"]
