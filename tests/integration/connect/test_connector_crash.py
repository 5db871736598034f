"""`hub connector run` killed with SIGKILL part-way through a large export, then run
again: every row is one event, once in the archive and once through the gateway.

The connector runs as its own process against the stack's broker and database, as a
department would run it. It is the incident-report connector with a source that takes
a few seconds to read (a millisecond a row), loaded from a file as a department's own
module would be, so the kill lands while it is still taking and sending batches on any
machine, however fast.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.utils.stack import Stack, gateway_stack

pytestmark = pytest.mark.kafka

ROWS = 4_000
STREAM = "emergency.incident-report"
HEADER = "report_id,occurred_at,title,description,status,reported_by,category,district_code\n"


def _export(path: Path) -> None:
    rows = (
        f"R-{n},2015-12-20T11:40:00+08:00,Landslide {n},Spoil,REPORTED,Duty office,"
        f"ACCIDENT_DISASTER,440311\n"
        for n in range(ROWS)
    )
    path.write_text(HEADER + "".join(rows), encoding="utf-8")


def _counter(outbox: Path, name: str) -> int:
    if not outbox.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{outbox}?mode=ro", uri=True, timeout=5) as db:
            row = db.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()
    except sqlite3.OperationalError:
        return 0  # the file exists but its tables do not yet
    return int(row[0]) if row else 0


SLOW = """
import time

from connectors.emergency_reports import IncidentReportConnector


class SlowReports(IncidentReportConnector):
    name = "slow-reports"

    def read(self, position):
        for record in super().read(position):
            time.sleep(0.001)
            yield record
"""


def _connector(stack: Stack, tmp: Path, export: Path) -> subprocess.Popen[bytes]:
    settings = stack.hub.settings
    env = {
        **os.environ,
        "HUB_KAFKA_BOOTSTRAP": str(settings.kafka.bootstrap),
        "HUB_DATABASE_URL": settings.database.url,
        "HUB_VAR_DIR": str(tmp / "var"),
        "HUB_CONNECT_BATCH_MAX": "100",
    }
    module = tmp / "slow_reports.py"
    module.write_text(SLOW, encoding="utf-8")
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hub",
            "connector",
            "run",
            str(module),
            "--source",
            str(export),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def test_a_killed_connector_neither_loses_nor_doubles_an_event(tmp_path: Path) -> None:
    export = tmp_path / "reports.csv"
    _export(export)
    outbox = tmp_path / "var" / "connectors" / "slow-reports" / "outbox.db"
    with gateway_stack(tmp_path / "hub") as stack:
        first = _connector(stack, tmp_path, export)
        deadline = time.monotonic() + 120
        while _counter(outbox, "published") < 500 and time.monotonic() < deadline:
            if first.poll() is not None:
                pytest.fail(f"the connector ended before the kill: {first.stdout.read()!r}")  # type: ignore[union-attr]
            time.sleep(0.01)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(30)
        first.stdout.close()  # type: ignore[union-attr]
        taken_before = _counter(outbox, "read")
        assert 0 < taken_before < ROWS, "killed part-way"
        second = _connector(stack, tmp_path, export)
        output, _ = second.communicate(timeout=300)
        assert second.returncode == 0, output.decode()
        assert f"{ROWS - taken_before} read" in output.decode(), "resumed at the checkpoint"
        stack.archived()
        with stack.hub.engine.connect() as connection:
            archived = connection.execute(
                text(
                    "SELECT count(*), count(DISTINCT event_id) FROM archive_events WHERE stream = :s"
                ),
                {"s": STREAM},
            ).one()
        assert tuple(archived) == (ROWS, ROWS), "each row once in the archive"
        headers = stack.bearer("emergency-console")
        seen: list[str] = []
        cursor = None
        while True:
            params = {"limit": 1000, **({"cursor": cursor} if cursor else {})}
            page = stack.http.get(f"/v1/streams/{STREAM}/events", params=params, headers=headers)
            assert page.status_code == 200, page.text
            body = page.json()
            seen += [e["event"]["report_id"] for e in body["events"]]
            cursor = body["next"]
            if not body["more"]:
                break
        assert sorted(seen) == sorted(f"R-{n}" for n in range(ROWS)), "once through the gateway"
        print(f"crash: killed after {taken_before} of {ROWS} rows taken; restart took the rest")
