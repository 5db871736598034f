"""The store on SQLite and on PostgreSQL: migrations, clients, registry, audit."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine, inspect

from hub.audit.entry import ALLOW, DENY
from hub.audit.log import AuditLog, AuditQuery
from hub.errors import BadRequest
from hub.gateway.auth.clients import ClientStore
from hub.registry.entities import SubmittedSchema
from hub.registry.errors import RegistryError
from hub.registry.service import RegistryService
from hub.store.engine import make_sessions
from hub.store.migrate import downgrade, upgrade
from tests.utils.audit import audit_writer, entry

pytestmark = pytest.mark.postgres

SCHEMA = '{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}'


@pytest.fixture
def engine(migrated_engine: Engine) -> Engine:
    return migrated_engine


def test_migrations_create_every_table_and_roll_back(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert {
        "oauth_clients",
        "audit_log",
        "registry_schemas",
        "registry_subject_versions",
        "registry_config",
        "archive_events",
        "archive_positions",
        "read_receipts",
        "event_acks",
        "published_events",
    } <= tables
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    upgrade(engine)  # idempotent


def test_clients_keep_only_a_hash_and_authenticate_by_secret(engine: Engine) -> None:
    store = ClientStore(make_sessions(engine))
    issued = store.create(
        agency="health", scopes=frozenset({"streams:read"}), client_id="health-app"
    )
    client = store.get("health-app")
    assert client is not None
    assert issued.client_secret not in client.secret_hash
    assert client.check_client_secret(issued.client_secret)
    assert not client.check_client_secret("wrong")
    with pytest.raises(BadRequest, match="already exists"):
        store.create(agency="health", scopes=frozenset(), client_id="health-app")
    with pytest.raises(BadRequest, match="unknown scopes: root"):
        store.create(agency="health", scopes=frozenset({"root"}))
    rotated = store.ensure(
        client_id="health-app", agency="health", scopes=frozenset({"streams:read"})
    )
    client = store.get("health-app")
    assert client is not None
    assert not client.check_client_secret(issued.client_secret)
    assert client.check_client_secret(rotated.client_secret)
    store.disable("health-app")
    disabled = store.get("health-app")
    assert disabled is not None
    assert not disabled.check_client_secret(rotated.client_secret)


def test_schema_ids_are_global_and_identical_schemas_keep_theirs(engine: Engine) -> None:
    store = RegistryService(make_sessions(engine))
    first = store.register(subject="a-value", submitted=SubmittedSchema(SCHEMA))
    again = store.register(subject="a-value", submitted=SubmittedSchema(SCHEMA.replace(",", ", ")))
    other_subject = store.register(subject="b-value", submitted=SubmittedSchema(SCHEMA))
    assert (first.version, first.schema_id) == (1, again.schema_id)
    assert again.version == 1
    assert other_subject.schema_id == first.schema_id
    changed = store.register(
        subject="a-value", submitted=SubmittedSchema(SCHEMA.replace('"int"', '"long"'))
    )
    assert (changed.version, changed.schema_id) == (2, first.schema_id + 1)
    latest = store.latest("a-value")
    assert latest is not None and latest.version == 2
    assert store.schema(first.schema_id).text == SCHEMA
    with pytest.raises(RegistryError, match="Schema 999 not found"):
        store.schema(999)
    with pytest.raises(RegistryError, match="Invalid schema of type AVRO"):
        store.register(subject="a-value", submitted=SubmittedSchema('{"type": "nope"}'))


def test_concurrent_registration_of_one_schema_gives_one_id(engine: Engine) -> None:
    store = RegistryService(make_sessions(engine))
    results: list[int] = []

    def register() -> None:
        results.append(
            store.register(subject="race-value", submitted=SubmittedSchema(SCHEMA)).schema_id
        )

    threads = [threading.Thread(target=register) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1
    latest = store.latest("race-value")
    assert latest is not None and latest.version == 1


def test_audit_rows_are_written_and_filtered(engine: Engine, tmp_path: Path) -> None:
    log = AuditLog(make_sessions(engine))
    with audit_writer(engine, tmp_path / "keys") as (writer, _):
        for i, decision in enumerate([ALLOW, DENY, ALLOW]):
            writer.record(entry(i, decision=decision, status=200 if decision == ALLOW else 403))
    assert [r.request_id for r in log.query(AuditQuery())] == ["r0", "r1", "r2"]
    assert [r.seq for r in log.query(AuditQuery())] == [0, 1, 2]
    assert [r.request_id for r in log.query(AuditQuery(decision=DENY))] == ["r1"]
    first = log.query(AuditQuery(limit=1))[0]
    assert [r.request_id for r in log.query(AuditQuery(after=first.seq))] == ["r1", "r2"]


def _archived(event_id: str, category: str | None) -> dict[str, object]:
    return {
        "stream": "meteorology.observation",
        "topic": "meteorology.observation.v1",
        "partition": 0,
        "offset": int(event_id[-1]),
        "event_id": event_id,
        "source_agency": "meteorology",
        "occurred_ms": 1,
        "published_ms": 2,
        "archived_ms": 3,
        "category": category,
        "sensitivity": "PUBLIC",
        "schema_id": 1,
        "payload": b"\0",
    }


def test_the_archive_takes_unclassified_events_after_revision_0009(engine: Engine) -> None:
    events = sa.table("archive_events", *(sa.column(name) for name in _archived("e0", None)))
    downgrade(engine, "0008")
    with engine.begin() as connection:
        connection.execute(sa.insert(events).values(_archived("e1", "NATURAL_DISASTER")))
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        connection.execute(sa.insert(events).values(_archived("e2", None)))
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(sa.insert(events).values(_archived("e2", None)))
        kept = connection.execute(sa.text("SELECT event_id, category FROM archive_events"))
        assert sorted(kept) == [("e1", "NATURAL_DISASTER"), ("e2", None)]
    inspector = inspect(engine)
    (category,) = [c for c in inspector.get_columns("archive_events") if c["name"] == "category"]
    assert category["nullable"]
    indexes = {i["name"] for i in inspector.get_indexes("archive_events")}
    assert {"ix_archive_incident", "ix_archive_stream_published"} <= indexes, (
        "SQLite's copy of the table keeps its indexes"
    )
    with pytest.raises(RuntimeError, match="1 archived events have no classification"):
        downgrade(engine, "0008")
    with engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM archive_events WHERE category IS NULL"))
    downgrade(engine, "0008")
    upgrade(engine)


def test_replicas_migrating_a_new_database_at_once_all_succeed(
    database_url: str, tmp_path: Path
) -> None:
    """Processes started together on an empty database each run the migrations at start:
    they wait for one another rather than race to create the same tables. Processes, as
    replicas are: Alembic's context is one per process."""
    import subprocess
    import sys

    from tests.utils.processes import hub_env

    env = hub_env(tmp_path, HUB_DATABASE_URL=database_url)
    replicas = [
        subprocess.Popen(
            [sys.executable, "-m", "hub", "db", "upgrade"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outcomes = [(r.wait(timeout=120), r.stderr.read() if r.stderr else "") for r in replicas]
    for replica in replicas:
        if replica.stderr:
            replica.stderr.close()
    assert all(code == 0 for code, _ in outcomes), outcomes
