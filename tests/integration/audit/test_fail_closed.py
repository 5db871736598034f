"""Nothing is read unaudited: a locked audit table or a database that is gone refuses the
read with a 503 and serves no data. And on PostgreSQL the hub's own role may only
append to and read the evidence."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from tests.utils.databases import fresh_postgres
from tests.utils.faults import table_locked
from tests.utils.server import serving
from tests.utils.stack import Stack, gateway_stack
from tests.utils.tcp_proxy import tcp_proxy

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]
ROOT = Path(__file__).resolve().parents[3]
EVENTS = "/v1/streams/meteorology.warning/events"


@pytest.fixture(params=["sqlite", "postgresql"])
def stack(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stack]:
    url = None
    if request.param == "postgresql":
        url = fresh_postgres(request.getfixturevalue("postgres_database"))
    with gateway_stack(tmp_path, database_url=url) as running:
        yield running


def _refused(response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "events" not in response.json()


def audit_locked(stack: Stack) -> AbstractContextManager[None]:
    """Another connection holds the audit table's lock for as long as the block runs."""
    return table_locked(stack.services.engine, "audit_log")


def test_a_locked_audit_table_refuses_the_read(stack: Stack) -> None:
    headers = stack.bearer("health-dispatch")
    assert stack.http.get(EVENTS, headers=headers).status_code == 200
    with audit_locked(stack):
        started = time.monotonic()
        response = stack.http.get(EVENTS, headers=headers)
        _refused(response)
        # Bounded by the request's wait for its row (2 s), with room for a slow machine.
        assert time.monotonic() - started < 6
    assert stack.http.get(EVENTS, headers=headers).status_code == 200, "and back once free"


def test_readers_of_a_locked_store_are_refused_in_time_and_never_logged_as_served(
    stack: Stack,
) -> None:
    """Eight clients read for four seconds while the store is locked: each answer comes
    within the bound, liveness answers meanwhile, and afterwards no row says a refused
    request was served (a row whose request gave up is never written)."""
    headers = stack.bearer("health-dispatch")
    answers: list[tuple[str, int, float]] = []
    live: list[float] = []
    with serving(stack.http.app) as url, audit_locked(stack):
        until = time.monotonic() + 4

        def read(n: int) -> None:
            with httpx.Client(base_url=url, timeout=30) as client:
                while time.monotonic() < until:
                    request_id = f"locked-{n}-{uuid.uuid4().hex[:8]}"
                    started = time.monotonic()
                    status = client.get(
                        EVENTS, headers={**headers, "X-Request-ID": request_id}
                    ).status_code
                    answers.append((request_id, status, time.monotonic() - started))

        readers = [threading.Thread(target=read, args=(n,)) for n in range(8)]
        for reader in readers:
            reader.start()
        with httpx.Client(base_url=url, timeout=30) as client:
            while time.monotonic() < until:
                started = time.monotonic()
                assert client.get("/healthz").status_code == 200
                live.append(time.monotonic() - started)
                time.sleep(0.1)
        for reader in readers:
            reader.join(30)
    assert answers and all(status in (200, 503) for _, status, _ in answers), answers
    assert [s for _, status, s in answers if status == 503], "the lock refused reads"
    assert max(s for _, _, s in answers) < 6, "2 s to commit, and room for a slow machine"
    assert max(live) < 1.0
    rows = {r["request_id"]: r for r in stack.audit_rows()}
    for request_id, status, _ in answers:
        if status == 503:
            assert request_id not in rows, "a refused request is never logged as served"
        else:
            assert rows[request_id]["status"] == 200


def test_a_database_that_is_gone_refuses_the_read(postgres_database: str, tmp_path: Path) -> None:
    url = make_url(fresh_postgres(postgres_database))
    with tcp_proxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        through = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        with gateway_stack(tmp_path, database_url=through) as stack:
            headers = stack.bearer("health-dispatch")
            assert stack.http.get(EVENTS, headers=headers).status_code == 200
            proxy.cut()
            _refused(stack.http.get(EVENTS, headers=headers))
            _refused(stack.http.get(EVENTS, headers=headers))


def test_the_app_role_may_only_append_to_and_read_the_evidence(
    postgres_database: str, tmp_path: Path
) -> None:
    owner_url = make_url(fresh_postgres(postgres_database))
    role = f"linkage_app_{uuid.uuid4().hex[:8]}"
    # The owner migrates, then applies the shipped grants (psql variables filled in here).
    with gateway_stack(tmp_path / "owner", database_url=owner_url.render_as_string(False)):
        pass
    script = (ROOT / "deploy" / "postgres" / "audit-append-only.sql").read_text()
    script = (
        script.replace("linkage_app", role)
        .replace(":app_password", "'test-only'")
        .replace(':"DBNAME"', f'"{owner_url.database}"')
    )
    owner = create_engine(owner_url.set(drivername="postgresql+psycopg"))
    try:
        with owner.begin() as connection:
            connection.exec_driver_sql(script)
        app_url = owner_url.set(username=role, password="test-only")
        with gateway_stack(tmp_path / "app", database_url=app_url.render_as_string(False)) as stack:
            headers = stack.bearer("health-dispatch")
            assert stack.http.get(EVENTS, headers=headers).status_code == 200
            assert (
                stack.http.get("/v1/audit", headers=stack.bearer("audit-office")).status_code == 200
            )
        app = create_engine(app_url.set(drivername="postgresql+psycopg"))
        try:
            for statement in (
                "UPDATE audit_log SET reason = 'x'",
                "DELETE FROM audit_log",
                "TRUNCATE audit_log",
                "DELETE FROM audit_checkpoints",
                "UPDATE audit_tree SET hash = 'x'",
                "DROP TABLE audit_log",
            ):
                with (
                    app.connect() as connection,
                    pytest.raises(Exception, match="(?i)permission|owner"),
                ):
                    connection.exec_driver_sql(statement)
            with app.connect() as connection:
                assert connection.exec_driver_sql("SELECT count(*) FROM audit_log").scalar()
        finally:
            app.dispose()
    finally:
        with owner.begin() as connection:
            connection.exec_driver_sql(f'DROP OWNED BY "{role}"; DROP ROLE "{role}"')
        owner.dispose()
