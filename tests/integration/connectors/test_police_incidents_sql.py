"""The police-incidents connector on PostgreSQL: the SQLite scenario again, where the
times are ``timestamptz`` and come back as datetimes in the server's zone."""

from __future__ import annotations

from datetime import datetime

import psycopg
import pytest

from connectors.police_incidents import SAMPLE_SQL, PoliceIncidentConnector
from hub.connect import mapped_events
from tests.unit.connectors.test_police_incidents import check_incremental_resume, incidents_script
from tests.utils.databases import fresh_postgres

pytestmark = pytest.mark.postgres


def _loaded(database: str, script: str) -> str:
    url = fresh_postgres(database)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(script.encode("utf-8"))
    return url


@pytest.fixture
def incidents(postgres_database: str) -> str:
    return _loaded(postgres_database, incidents_script())


def test_reading_resumes_after_a_restart_and_a_follow_up_is_a_new_event(incidents: str) -> None:
    check_incremental_resume(incidents)


def test_the_demo_sample_reads_alike_on_postgresql(postgres_database: str) -> None:
    url = _loaded(postgres_database, SAMPLE_SQL.read_text(encoding="utf-8"))
    connector = PoliceIncidentConnector(url)
    try:
        records = list(connector.read(None))
        events = mapped_events(connector, records[:1] + records[2:])
    finally:
        connector.close()
    assert [r.position for r in records] == [2, 4, 5, 6]
    landslide = events[1]
    assert landslide["police_incident_id"] == "PI-20260615-GM-0413"
    assert landslide["received_at"] == datetime.fromisoformat("2026-06-15T13:12:00+08:00")
    assert landslide["envelope"]["occurred_at"] == datetime.fromisoformat(
        "2026-06-15T13:15:00+08:00"
    )
    assert landslide["location"] == {"lat": 22.7682, "lon": 113.9275}
