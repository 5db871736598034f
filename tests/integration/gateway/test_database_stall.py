"""A database that stops answering the archive (another connection holds its table's
lock) with many readers waiting on it: the reads are held to their few places and
refused quickly beyond them, while liveness, the catalogue and tokens go on answering;
every request has its audit row; once the lock goes, reads work again.

PostgreSQL only: there a lock makes readers wait; SQLite's readers in WAL mode never do.
Real processes and sockets: the embedded broker, PostgreSQL, uvicorn, client threads.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import httpx
import pytest

from tests.utils.databases import fresh_postgres
from tests.utils.events import STREAM
from tests.utils.faults import table_locked, timed
from tests.utils.server import serving
from tests.utils.stack import Stack, gateway_stack

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

READERS = 48  # more than the worker pool's 40 threads: the case that starved it
PLACES = 4
#: How long the lock is held: past the readers' wait for a place (2 s), well inside the
#: statement timeout (15 s), so the reads that had a place are answered once it goes.
LOCK_S = 6.0
#: Bounds that allow a busy 2-core machine and still fail by seconds when the pool is
#: starved (the catalogue then waits for the lock to go).
LIVE_BOUND_S = 1.0
CATALOGUE_BOUND_S = 3.0


@pytest.fixture
def stack(postgres_database: str, tmp_path: Path) -> Iterator[Stack]:
    url = fresh_postgres(postgres_database)
    with gateway_stack(tmp_path, database_url=url, database_threads=PLACES) as running:
        yield running


def archive_locked(stack: Stack) -> AbstractContextManager[None]:
    return table_locked(stack.services.engine, "archive_events")


def test_a_stalled_archive_holds_back_only_the_reads_that_need_it(stack: Stack) -> None:
    reader = stack.bearer("health-dispatch")
    path = f"/v1/streams/{STREAM}/events"
    answers: list[tuple[str, int, float]] = []
    with serving(stack.http.app) as url, httpx.Client(base_url=url, timeout=60) as client:
        assert client.get(path, headers=reader).status_code == 200

        def read() -> None:
            request_id = f"stalled-{uuid.uuid4().hex[:12]}"
            with httpx.Client(base_url=url, timeout=60) as own:
                status, took = timed(own, path, {**reader, "X-Request-ID": request_id})
                answers.append((request_id, status, took))

        with archive_locked(stack):
            locked_at = time.monotonic()
            threads = [threading.Thread(target=read) for _ in range(READERS)]
            for thread in threads:
                thread.start()
            time.sleep(0.5)  # the readers are in; now the requests that need no archive
            live = [timed(client, "/healthz", {}) for _ in range(20)]
            catalogue = [timed(client, "/v1/streams", reader) for _ in range(10)]
            credentials = stack.credentials["health-dispatch"]
            token = client.post(
                "/oauth/token",
                data={"grant_type": "client_credentials"},
                auth=(credentials.client_id, credentials.client_secret),
            )
            time.sleep(max(0.0, LOCK_S - (time.monotonic() - locked_at)))
        for thread in threads:
            thread.join(timeout=60)
        after = client.get(path, headers=reader)

    assert all(status == 200 for status, _ in live + catalogue), (live, catalogue)
    assert token.status_code == 200, token.text
    live_worst = max(s for _, s in live)
    catalogue_worst = max(s for _, s in catalogue)
    print(
        f"archive locked: /healthz worst {live_worst * 1000:.0f} ms;"
        f" /v1/streams worst {catalogue_worst * 1000:.0f} ms"
    )
    assert live_worst < LIVE_BOUND_S
    assert catalogue_worst < CATALOGUE_BOUND_S
    assert len(answers) == READERS
    # Readers beyond the places were refused at their wait, before the lock went.
    refused_fast = [s for _, status, s in answers if status == 503 and s < LOCK_S]
    assert len(refused_fast) >= READERS - PLACES, answers
    assert all(status in (200, 503) for _, status, _ in answers), answers
    assert after.status_code == 200, after.text
    rows = {r["request_id"]: r for r in stack.audit_rows()}
    for request_id, status, _ in answers:
        assert rows[request_id]["status"] == status, "every read has its row, as answered"


def test_a_read_held_by_a_lock_ends_at_the_statement_timeout(
    postgres_database: str, tmp_path: Path
) -> None:
    url = fresh_postgres(postgres_database)
    with gateway_stack(tmp_path, database_url=url, statement_timeout_s=1.0) as stack:
        reader = stack.bearer("health-dispatch")
        path = f"/v1/streams/{STREAM}/events"
        with archive_locked(stack):
            started = time.monotonic()
            refused = stack.http.get(path, headers=reader)
            took = time.monotonic() - started
        problem = refused.json()
        assert refused.status_code == 503, problem
        assert problem["type"].endswith("/store-unavailable"), problem
        assert took < 5, "the 1 s timeout, with room for a slow machine"
        assert stack.http.get(path, headers=reader).status_code == 200
