"""The archiver against the real broker and both databases: each event stored once
with its index, a kill -9 mid-batch loses and doubles nothing, and a restarted
in-memory broker is refilled from the archive."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hub.archive.store import ArchiveStore
from hub.bus.broker import EmbeddedBroker
from hub.store.models import ArchivedEvent
from tests.utils.databases import fresh_postgres
from tests.utils.events import STREAM, incident_report, publish
from tests.utils.processes import hub_env
from tests.utils.stack import Stack, gateway_stack, stack_on

pytestmark = pytest.mark.kafka
HUB = str(Path(sys.executable).with_name("hub"))
TOPIC = "emergency.incident-report.v1"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    with stack_on(request, tmp_path_factory, "archiver") as running:
        yield running


def _rows(stack: Stack) -> list[ArchivedEvent]:
    with stack.sessions() as session:
        return list(session.scalars(select(ArchivedEvent).order_by(ArchivedEvent.id)))


def test_each_event_is_stored_once_with_what_history_asks_by(stack: Stack) -> None:
    events = [incident_report(i) for i in range(30)]
    publish(stack, events)
    publish(stack, events[:10])  # a connector that retried: the same event ids again
    rows = [r for r in _rows(stack) if r.stream == STREAM]
    assert len(rows) == 30 and len({r.event_id for r in rows}) == 30
    third = next(r for r in rows if r.event_id == events[3]["envelope"]["event_id"])
    assert (third.incident_id, third.district, third.severity) == ("INC-0003", "440306", 4)
    assert third.category == "NATURAL_DISASTER" and third.sensitivity == "RESTRICTED"
    assert third.min_lat == third.max_lat == pytest.approx(22.503)
    assert third.occurred_ms == int(events[3]["envelope"]["occurred_at"].timestamp() * 1000)
    assert third.topic == TOPIC and third.payload[:1] == b"\x00", "the record as framed"
    # The positions were committed with the rows: the whole topic is accounted for.
    reader = stack.hub.bus.reader(pool_size=1)
    try:
        assert stack.archiver.backlog(reader)[TOPIC] == 0
        assert ArchiveStore(stack.hub.engine).positions()[(TOPIC, 0)] == 40
    finally:
        reader.close()


def _archiver(tmp: Path, broker: EmbeddedBroker, url: str) -> subprocess.Popen[str]:
    env = hub_env(
        tmp,
        HUB_KAFKA_BOOTSTRAP=broker.bootstrap,
        HUB_DATABASE_URL=url,
        HUB_ARCHIVE_BATCH_MAX="50",
        HUB_ARCHIVE_POLL_S="0.05",
    )
    # The stack has provisioned the broker; no refill, so each restart starts quickly.
    return subprocess.Popen(
        [HUB, "archive", "--no-replay"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_ready(process: subprocess.Popen[str]) -> None:
    """Until it says it is archiving (its SIGTERM handler is in place by then)."""
    assert process.stderr is not None
    for line in process.stderr:
        if "archiving" in line:
            return
    raise AssertionError(f"the archiver ended first with status {process.wait()}")


def _count(stack: Stack) -> tuple[int, int]:
    with stack.hub.engine.connect() as connection:
        table = ArchivedEvent.__table__
        row = connection.execute(
            select(func.count(), func.count(func.distinct(table.c.event_id))).where(
                table.c.stream == STREAM
            )
        ).one()
        return int(row[0]), int(row[1])


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_kill_9_mid_batch_neither_loses_nor_doubles_an_event(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = None
    if kind == "postgresql":
        url = fresh_postgres(request.getfixturevalue("postgres_database"))
    with gateway_stack(tmp_path / "stack", database_url=url) as stack:
        stack.archiving.stop()  # the one under test runs in its own process
        url = stack.settings.database.url
        total = 3_000
        publisher = stack.hub.bus.publisher()
        sink = stack.hub.sink(STREAM, publisher)
        for waiting in [sink.publish(incident_report(i)) for i in range(total)]:
            waiting.result(60)
        publisher.close()
        deadline = time.monotonic() + 120
        for kill in range(2):
            process = _archiver(tmp_path, stack.broker, url)
            # Let it get going (the count moves), then kill it without warning.
            started = _count(stack)[0]
            while _count(stack)[0] == started and process.poll() is None:
                time.sleep(0.02)
                assert time.monotonic() < deadline, "the archiver made no progress"
            time.sleep(0.05 * kill)
            os.kill(process.pid, signal.SIGKILL)
            process.wait(10)
            assert process.stderr is not None
            process.stderr.close()
        rows, distinct = _count(stack)
        assert 0 < rows == distinct < total, f"killed mid-run: {rows} rows, {distinct} ids"
        final = _archiver(tmp_path, stack.broker, url)
        _wait_ready(final)
        try:
            while _count(stack)[0] < total:
                time.sleep(0.05)
                assert time.monotonic() < deadline, f"only {_count(stack)} archived"
            assert _count(stack) == (total, total), "none lost, none doubled"
            reader = stack.hub.bus.reader(pool_size=1)
            try:
                positions = ArchiveStore(stack.hub.engine).positions()
                assert positions[(TOPIC, 0)] == total
                assert reader.end_offsets(TOPIC) == {0: total}
            finally:
                reader.close()
        finally:
            final.send_signal(signal.SIGTERM)
            assert final.wait(30) == 0
            assert final.stderr is not None
            final.stderr.close()


def test_a_restarted_empty_broker_is_refilled_from_the_archive(tmp_path: Path) -> None:
    events = [incident_report(i) for i in range(25)]
    url = f"sqlite:///{tmp_path}/kept.db"
    with gateway_stack(tmp_path / "first", database_url=url) as first:
        publish(first, events)
        before = first.http.get(
            f"/v1/streams/{STREAM}/events", headers=first.bearer("emergency-console")
        ).json()
    # A new in-memory broker on the same database: every topic starts empty.
    with gateway_stack(tmp_path / "second", database_url=url) as second:
        reader = second.hub.bus.reader(pool_size=1)
        try:
            assert reader.end_offsets(TOPIC) == {0: 25}, "the stack refilled the topic"
            records = reader.read(TOPIC, positions={}, limit=100).records
        finally:
            reader.close()
        assert len(records) == 25
        after = second.http.get(
            f"/v1/streams/{STREAM}/events", headers=second.bearer("emergency-console")
        ).json()
        assert [e["event"] for e in after["events"]] == [e["event"] for e in before["events"]]
        # The rows now name where their records are on the new broker.
        assert sorted(e["offset"] for e in after["events"]) == list(range(25))
        publish(second, [incident_report(100)])
        assert _count(second) == (26, 26), "new events after the refill are archived too"
