"""The police-incidents connector on a SQLite file: mapping, resuming, follow-ups, bad rows.

``check_incremental_resume`` is the scenario the PostgreSQL suite runs too
(``tests/integration/connectors/test_police_incidents_sql.py``)."""

from __future__ import annotations

import sqlite3
import uuid
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from connectors.police_incidents import (
    SAMPLE_SQL,
    PoliceIncidentConnector,
    SourceTableMismatch,
    seed_sqlite,
)
from connectors.police_incidents.mapping import POLICE_INCIDENT_EVENTS, to_police_incident
from hub.connect import RecordRejected, SourceRecord, mapped_events

ROOT = Path(__file__).resolve().parents[3]
ROWS = ROOT / "tests" / "data" / "public-security" / "police_incidents.sql"
GOOD = ["0413", "0420", "0437", "0440"]


def incidents_script() -> str:
    """The test rows in the demo sample's table, created by the sample's own
    ``CREATE TABLE`` so that the tests read the table the demo has."""
    sample = SAMPLE_SQL.read_text(encoding="utf-8")
    start = sample.index("CREATE TABLE")
    table = sample[start : sample.index(");", start) + 2]
    return f"{table}\n{ROWS.read_text(encoding='utf-8')}"


def seeded(folder: Path) -> str:
    """A SQLite file in ``folder`` holding the test incidents; its URL."""
    script = folder / "police_incidents.sql"
    script.write_text(incidents_script(), encoding="utf-8")
    return seed_sqlite(folder / "cad.db", script)


@pytest.fixture
def url(tmp_path: Path) -> str:
    return seeded(tmp_path)


def follow_up(url: str, incident: str, **changes: Any) -> None:
    """Update a row as the command system does: new values, the next row_version."""
    engine = sa.create_engine(url)
    rows = sa.table("police_incidents", sa.column("incident_no"), sa.column("row_version"))
    names = ["incident_no", "row_version", *changes]
    target = sa.table("police_incidents", *(sa.column(n) for n in names))
    bump = sa.select(sa.func.max(rows.c.row_version) + 1).scalar_subquery()
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.update(target)
                .where(target.c.incident_no == f"PI-20260615-GM-{incident}")
                .values(row_version=bump, **changes)
            )
    finally:
        engine.dispose()


def _numbers(records: list[SourceRecord]) -> list[str]:
    return [r.ref.split(":")[1].split("@")[0][-4:] for r in records]


def _valid(connector: PoliceIncidentConnector, records: list[SourceRecord]) -> list[dict]:
    """The records' events as the SDK would publish them; the rejected rows left out."""
    good = []
    for record in records:
        try:
            connector.map(record)
        except RecordRejected:
            continue
        good.append(record)
    return mapped_events(connector, good)


def check_incremental_resume(url: str) -> None:
    """Read in batches, restart from a committed position, then see a follow-up."""
    first = PoliceIncidentConnector(url, batch=2)
    try:
        records = list(first.read(None))
        assert [r.position for r in records] == [1, 2, 3, 4, 5, 6]
        assert records[0].ref == "police_incidents:PI-20260615-GM-0413@row_version=1"
        before = {e["police_incident_id"]: e for e in _valid(first, records)}
    finally:
        first.close()

    # A crash after the third row's events were committed: a new instance goes on from 3.
    second = PoliceIncidentConnector(url, batch=2)
    try:
        resumed = list(second.read(records[2].position))
        assert [r.position for r in resumed] == [4, 5, 6]
        assert resumed == records[3:]
        assert list(second.read(6)) == []

        follow_up(
            url,
            "0413",
            status="DISPATCHED",
            updated_at="2026-06-15T13:15:00+08:00",
            police_unit="Guangming Sub-bureau, Fenghuang police station (光明分局凤凰派出所)",
            officers_dispatched=12,
            incident_id="INC-2026-GM-0615-01",
        )
        (again,) = second.read(6)
        assert again.position == 7
        assert again.ref == "police_incidents:PI-20260615-GM-0413@row_version=7"
        (event,) = mapped_events(second, [again])
        assert list(second.read(7)) == []
    finally:
        second.close()

    first_state = before["PI-20260615-GM-0413"]
    assert (first_state["status"], event["status"]) == ("RECEIVED", "DISPATCHED")
    assert event["officers_dispatched"] == 12
    assert event["envelope"]["incident_id"] == "INC-2026-GM-0615-01"
    assert event["envelope"]["occurred_at"] == datetime.fromisoformat("2026-06-15T05:15:00Z")
    assert event["received_at"] == first_state["received_at"]
    assert event["envelope"]["event_id"] != first_state["envelope"]["event_id"]
    assert event["envelope"]["event_id"] == str(
        uuid.uuid5(POLICE_INCIDENT_EVENTS, "PI-20260615-GM-0413\n7")
    )


def test_reading_resumes_after_a_restart_and_a_follow_up_is_a_new_event(url: str) -> None:
    check_incremental_resume(url)


def test_rows_map_to_valid_police_incidents(url: str) -> None:
    connector = PoliceIncidentConnector(url)
    try:
        events = {
            e["police_incident_id"][-4:]: e for e in _valid(connector, list(connector.read(None)))
        }
    finally:
        connector.close()
    assert sorted(events) == GOOD
    landslide = events["0413"]
    envelope = landslide["envelope"]
    assert envelope["source_agency"] == "public-security"
    assert envelope["sensitivity"] == "RESTRICTED"
    assert envelope["classification"] == {
        "category": "ACCIDENT_DISASTER",
        "code": None,
        "label": "Landslide, people may be trapped (滑坡, 疑有人员被困)",
    }
    assert envelope["occurred_at"] == landslide["received_at"]
    assert envelope["area"]["point"] == landslide["location"] == {"lat": 22.7682, "lon": 113.9275}
    assert envelope["area"]["description"] is None, "the exact address stays in the tagged field"
    assert landslide["caller_phone"] == "13900000000"
    # Chinese terms from the call taker's pick lists.
    assert (events["0420"]["incident_type"], events["0420"]["status"]) == ("TRAFFIC", "DISPATCHED")
    assert events["0437"]["envelope"]["area"] == {
        "district_code": "440311",
        "description": None,
        "point": None,
        "polygon": None,
        "circle": None,
    }
    assert events["0437"]["envelope"]["classification"]["category"] == "SOCIAL_SECURITY"
    assert events["0440"]["envelope"]["area"] is None


def test_a_bad_row_is_rejected_naming_its_column_and_later_rows_go_on(url: str) -> None:
    connector = PoliceIncidentConnector(url)
    rejected: dict[str, str] = {}
    published = []
    try:
        for record in connector.read(None):
            try:
                published += mapped_events(connector, [record])
            except RecordRejected as exc:
                rejected[_numbers([record])[0]] = exc.path
                assert b'"PENDING"' in record.raw or b"122.7675" in record.raw
    finally:
        connector.close()
    assert rejected == {"0425": "status", "0431": "lat"}
    assert [e["police_incident_id"][-4:] for e in published] == GOOD


def test_a_table_without_the_monotonic_column_is_refused_by_name(tmp_path: Path) -> None:
    url = seeded(tmp_path)
    connector = PoliceIncidentConnector(url, column="updated_seq")
    try:
        with pytest.raises(SourceTableMismatch, match="no column 'updated_seq' \\(its monotonic"):
            list(connector.read(None))
    finally:
        connector.close()


def test_a_missing_required_column_or_table_is_named(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cad.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE police_incidents (row_version BIGINT, incident_no TEXT,"
            " received_at TEXT, incident_type TEXT, status TEXT)"
        )
    engine.dispose()
    connector = PoliceIncidentConnector(url)
    other = PoliceIncidentConnector(url, table="cad_incidents")
    try:
        with pytest.raises(SourceTableMismatch, match="no column 'summary' \\(a required column"):
            list(connector.read(None))
        with pytest.raises(SourceTableMismatch, match="has no table 'cad_incidents'"):
            list(other.read(None))
    finally:
        connector.close()
        other.close()


def test_names_are_quoted_identifiers_never_sql_text(tmp_path: Path) -> None:
    """A table and column whose names are not plain words (or are hostile) still work."""
    url = f"sqlite:///{tmp_path / 'cad.db'}"
    table = 'incidents"; DROP TABLE keep; --'
    engine = sa.create_engine(url)
    meta = sa.MetaData()
    columns = [sa.Column(name, sa.Text) for name in ("incident_no", "received_at", "summary")]
    columns += [sa.Column(name, sa.Text) for name in ("incident_type", "status")]
    incidents = sa.Table(table, meta, sa.Column("Seq No", sa.BigInteger), *columns)
    keep = sa.Table("keep", meta, sa.Column("x", sa.Integer))
    meta.create_all(engine)
    with engine.begin() as connection:
        connection.execute(
            incidents.insert(),
            [
                {
                    "Seq No": n,
                    "incident_no": f"PI-{n}",
                    "received_at": "2026-06-15T13:12:00+08:00",
                    "summary": "s",
                    "incident_type": "OTHER",
                    "status": "RECEIVED",
                }
                for n in (10, 20, 30)
            ],
        )
    connector = PoliceIncidentConnector(url, table=table, column="Seq No", batch=1)
    try:
        assert [r.position for r in connector.read(10)] == [20, 30]
        assert len(mapped_events(connector)) == 3
    finally:
        connector.close()
    assert sa.inspect(engine).has_table(keep.name)
    engine.dispose()


def test_batches_are_read_as_the_records_are_taken(url: str) -> None:
    """A poll holds one batch at a time: the next query runs only when it is needed."""
    connector = PoliceIncidentConnector(url, batch=2)
    queries: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "LIMIT" in statement.upper():
            queries.append(statement)

    sa.event.listen(sa.Engine, "before_cursor_execute", seen)
    try:
        reading = connector.read(None)
        taken = [next(reading), next(reading)]
        assert len(queries) == 1
        taken.append(next(reading))
        assert len(queries) == 2
        taken += list(reading)
        # Six rows in batches of two: three full batches and an empty one.
        assert len(queries) == 4
        assert [r.position for r in taken] == [1, 2, 3, 4, 5, 6]
    finally:
        sa.event.remove(sa.Engine, "before_cursor_execute", seen)
        connector.close()


def test_a_schema_qualified_table_and_a_reopened_engine(url: str) -> None:
    connector = PoliceIncidentConnector(url, table="main.police_incidents")
    try:
        assert len(list(connector.read(None))) == 6
        connector.close()
        assert len(list(connector.read(5))) == 1
    finally:
        connector.close()


@pytest.mark.parametrize("position", ["3", 2.5, True, {"row_version": 3}])
def test_a_position_that_is_not_a_column_value_is_refused(url: str, position: Any) -> None:
    connector = PoliceIncidentConnector(url)
    try:
        with pytest.raises(ValueError, match="not a value of row_version"):
            list(connector.read(position))
    finally:
        connector.close()


def test_the_demo_sample_maps_all_but_its_deliberately_wrong_row(tmp_path: Path) -> None:
    connector = PoliceIncidentConnector(seed_sqlite(tmp_path / "demo.db"))
    try:
        records = list(connector.read(None))
        with pytest.raises(RecordRejected) as caught:
            connector.map(records[1])
        events = mapped_events(connector, records[:1] + records[2:])
    finally:
        connector.close()
    assert caught.value.path == "lat"
    assert [(e["police_incident_id"][-4:], e["status"]) for e in events] == [
        ("0420", "DISPATCHED"),
        ("0413", "DISPATCHED"),
        ("0431", "ON_SCENE"),
    ]
    assert events[1]["envelope"]["severity"] == "I"


ROW = {
    "row_version": 1,
    "incident_no": "PI-1",
    "received_at": "2026-06-15T13:12:00+08:00",
    "incident_type": "CRIMINAL",
    "summary": "s",
    "status": "RECEIVED",
}


@pytest.mark.parametrize(
    ("changes", "column"),
    [
        ({"received_at": "2026-06-15 13:12:00"}, "received_at"),
        ({"received_at": "15/06/2026"}, "received_at"),
        ({"updated_at": "2026-06-15T13:12:00"}, "updated_at"),
        ({"incident_type": "ROBBERY"}, "incident_type"),
        ({"summary": "  "}, "summary"),
        ({"incident_no": None}, "incident_no"),
        ({"lat": 22.7}, "lon"),
        ({"lat": "north", "lon": 113.9}, "lat"),
        ({"lat": 22.7, "lon": 213.9}, "lon"),
        ({"district_code": "4403"}, "district_code"),
        ({"officers_dispatched": "-2"}, "officers_dispatched"),
        ({"emergency_category": "WEATHER"}, "emergency_category"),
        ({"emergency_severity": "V"}, "emergency_severity"),
        ({"row_version": "7"}, "row_version"),
    ],
)
def test_each_bad_value_names_its_column(changes: dict, column: str) -> None:
    with pytest.raises(RecordRejected) as caught:
        to_police_incident({**ROW, **changes}, version_column="row_version")
    assert caught.value.path == column


def test_the_command_centres_emergency_link_overrides_the_default_category() -> None:
    event = to_police_incident(
        {**ROW, "emergency_category": "natural_disaster", "emergency_severity": "2"},
        version_column="row_version",
    )
    assert event["envelope"]["classification"]["category"] == "NATURAL_DISASTER"
    assert event["envelope"]["severity"] == "II"
    assert (
        to_police_incident({**ROW, "emergency_severity": "较大"}, version_column="row_version")[
            "envelope"
        ]["severity"]
        == "III"
    )


def test_the_sqlite_file_is_left_as_it_was(url: str) -> None:
    """Reading takes no locks it keeps and writes nothing."""
    path = Path(url.removeprefix("sqlite:///"))
    before = path.read_bytes()
    connector = PoliceIncidentConnector(url)
    try:
        list(connector.read(None))
    finally:
        connector.close()
    assert path.read_bytes() == before
    with closing(sqlite3.connect(path, timeout=0.1)) as other:
        other.execute("BEGIN EXCLUSIVE")
        other.rollback()
