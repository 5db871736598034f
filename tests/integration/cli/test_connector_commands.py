"""`hub connector` as a department runs it: real processes, the session's broker, a
database migrated and provisioned beforehand, each test's outboxes under its own
HUB_VAR_DIR."""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import orjson
import pytest

from connectors.catalog import CONNECTORS
from hub.bus.broker import EmbeddedBroker, free_port
from hub.connect.offline import offline_target
from hub.connect.webhook import sign
from hub.stack import open_stack
from tests.utils.processes import hub_env
from tests.utils.settings import make_settings

HUB = [sys.executable, "-m", "hub"]
ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "connectors" / "samples" / "incidents.csv"
SUMMARY = "emergency-reports -> emergency.incident-report: "


def _hub(
    *args: str, env: dict[str, str], cwd: Path | None = None, timeout_s: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*HUB, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )


@pytest.fixture(scope="module")
def provisioned_url(broker: EmbeddedBroker, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A hub database with the catalogue's schemas registered and its topics made on the
    session's broker, as `hub dev` or an operator's provisioning leaves it; `hub
    connector run` only reads it."""
    folder = tmp_path_factory.mktemp("provisioned")
    with open_stack(make_settings(folder, bootstrap=broker.bootstrap)) as hub:
        return hub.settings.database.url


def _run_env(tmp_path: Path, provisioned_url: str, bootstrap: str, **extra: str) -> dict[str, str]:
    return hub_env(
        tmp_path, HUB_DATABASE_URL=provisioned_url, HUB_KAFKA_BOOTSTRAP=bootstrap, **extra
    )


def _status_lines(tmp_path: Path, env: dict[str, str]) -> list[str]:
    status = _hub("connector", "status", "emergency-reports", env=env)
    assert status.returncode == 0, status.stderr
    outbox = tmp_path / "var" / "connectors" / "emergency-reports" / "outbox.db"
    lines = status.stdout.splitlines()
    assert lines[0] == f"emergency-reports -> emergency.incident-report ({outbox})"
    return lines


def test_list_names_every_shipped_connector_with_its_agency_and_stream(tmp_path: Path) -> None:
    listed = _hub("connector", "list", env=hub_env(tmp_path))
    assert listed.returncode == 0, listed.stderr
    rows = {line.split()[0]: line for line in listed.stdout.splitlines()}
    assert set(rows) == set(CONNECTORS)
    for name, cls in CONNECTORS.items():
        _, agency, stream, *_ = rows[name].split()
        assert agency == offline_target(cls.stream)[0].owner, rows[name]
        assert stream == cls.stream, rows[name]
        for also in cls.also:
            assert also in rows[name]


def _department(tmp_path: Path) -> Path:
    """A department's own folder, with the package its connectors go in."""
    work = tmp_path / "department"
    work.mkdir(parents=True)
    # Pins pytest's rootdir here, whatever the folders above hold.
    (work / "pytest.ini").write_text("[pytest]\n")
    return work


def test_new_writes_a_package_whose_test_passes_and_will_not_overwrite_it(tmp_path: Path) -> None:
    work = _department(tmp_path)
    env = hub_env(tmp_path)
    made = _hub(
        "connector", "new", "water-levels", "--stream", "meteorology.observation", env=env, cwd=work
    )
    assert made.returncode == 0, made.stderr
    written = [
        line.removeprefix("wrote ")
        for line in made.stdout.splitlines()
        if line.startswith("wrote ")
    ]
    assert written == [
        "connectors/__init__.py",
        "connectors/water_levels/__init__.py",
        "connectors/water_levels/connector.py",
        "connectors/water_levels/sample.jsonl",
        "tests/unit/connectors/test_water_levels.py",
    ]
    assert all((work / path).is_file() for path in written)
    assert (
        "next: .venv/bin/python -m pytest tests/unit/connectors/test_water_levels.py" in made.stdout
    )

    tested = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", written[-1]],
        env={**env, "PYTHONPATH": os.pathsep.join((str(work), str(ROOT)))},
        cwd=work,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "1 passed" in tested.stdout

    connector = work / "connectors" / "water_levels" / "connector.py"
    before = connector.read_text()
    again = _hub(
        "connector", "new", "water-levels", "--stream", "meteorology.observation", env=env, cwd=work
    )
    assert again.returncode == 1
    assert again.stderr.startswith("error: will not overwrite ")
    assert "connectors/water_levels/connector.py" in again.stderr
    assert "Traceback" not in again.stderr
    assert connector.read_text() == before


@pytest.mark.parametrize(
    ("name", "stream", "reason"),
    [
        ("Water_Levels", "meteorology.observation", "use lower-case words joined by hyphens"),
        ("class", "meteorology.observation", "'class' is a Python keyword"),
        ("water-levels", "meteorology.nosuch", "stream meteorology.nosuch is not in "),
    ],
)
def test_new_refuses_a_bad_name_or_an_unknown_stream_and_writes_nothing(
    tmp_path: Path, name: str, stream: str, reason: str
) -> None:
    work = _department(tmp_path)
    refused = _hub("connector", "new", name, "--stream", stream, env=hub_env(tmp_path), cwd=work)
    assert refused.returncode == 1
    assert refused.stderr.startswith("error: ") and reason in refused.stderr
    assert "Traceback" not in refused.stderr
    assert sorted(p.name for p in work.rglob("*")) == ["pytest.ini"]


@pytest.mark.kafka
def test_run_dead_letters_the_bad_row_exits_3_and_status_shows_the_outbox(
    tmp_path: Path, provisioned_url: str, broker: EmbeddedBroker
) -> None:
    env = _run_env(tmp_path, provisioned_url, broker.bootstrap)
    ran = _hub("connector", "run", "emergency-reports", "--source", str(SAMPLE), env=env)
    assert ran.returncode == 3, ran.stdout + ran.stderr
    lines = ran.stdout.splitlines()
    assert lines[0] == f"{SUMMARY}3 read, 2 published, 1 dead-lettered"
    assert lines[1].startswith("  - incidents.csv:4: occurred_at: ")

    status = _status_lines(tmp_path, env)
    assert status[1:] == [
        "  waiting: 0",
        "  read 3, published 2, dead lettered 1, quarantined 0, failed sends 0, retried 0",
        "  checkpoint: 4",
    ]


@pytest.mark.kafka
def test_run_of_a_clean_export_exits_0_and_a_second_run_takes_nothing_again(
    tmp_path: Path, provisioned_url: str, broker: EmbeddedBroker
) -> None:
    clean = tmp_path / "clean.csv"
    clean.write_text("\n".join(SAMPLE.read_text(encoding="utf-8").splitlines()[:3]) + "\n")
    env = _run_env(tmp_path, provisioned_url, broker.bootstrap)
    ran = _hub("connector", "run", "emergency-reports", "--source", str(clean), env=env)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert ran.stdout == f"{SUMMARY}2 read, 2 published, 0 dead-lettered\n"
    again = _hub("connector", "run", "emergency-reports", "--source", str(clean), env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout == f"{SUMMARY}0 read, 0 published, 0 dead-lettered\n"
    assert _status_lines(tmp_path, env)[1:] == [
        "  waiting: 0",
        "  read 2, published 2, dead lettered 0, quarantined 0, failed sends 0, retried 0",
        "  checkpoint: 3",
    ]


def test_status_of_a_connector_that_never_ran_here_exits_2(tmp_path: Path) -> None:
    status = _hub("connector", "status", "nosuch", env=hub_env(tmp_path))
    assert status.returncode == 2
    outbox = tmp_path / "var" / "connectors" / "nosuch" / "outbox.db"
    assert status.stderr == f"error: {outbox} does not exist: nosuch has not run here\n"


@pytest.mark.kafka
def test_run_with_the_broker_unreachable_keeps_the_events_for_the_next_run(
    tmp_path: Path, provisioned_url: str, broker: EmbeddedBroker
) -> None:
    nobody = f"127.0.0.1:{free_port()}"
    down = _run_env(
        tmp_path,
        provisioned_url,
        nobody,
        HUB_KAFKA_CONNECT_TIMEOUT_MS="500",
        HUB_KAFKA_REQUEST_TIMEOUT_MS="1000",
    )
    command = ("connector", "run", "emergency-reports", "--source", str(SAMPLE), "--drain-s", "2")
    try:
        ran = _hub(*command, env=down, timeout_s=20)
    except subprocess.TimeoutExpired:
        pytest.fail(f"`hub connector run` with Kafka at {nobody} did not end in 20 s")
    assert ran.returncode == 4, ran.stdout + ran.stderr
    assert ran.stdout.startswith(f"{SUMMARY}3 read, 0 published, 1 dead-lettered, 3 waiting")
    assert _status_lines(tmp_path, down)[1].startswith("  waiting: 3, oldest waiting ")

    up = _run_env(tmp_path, provisioned_url, broker.bootstrap)
    sent = _hub("connector", "run", "emergency-reports", "--source", str(SAMPLE), env=up)
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert sent.stdout == f"{SUMMARY}0 read, 2 published, 0 dead-lettered\n"
    status = _status_lines(tmp_path, up)
    assert status[1] == "  waiting: 0"
    assert re.fullmatch(
        r"  read 3, published 2, dead lettered 1, quarantined 0, failed sends \d+, retried \d+",
        status[2],
    )
    assert status[3] == "  checkpoint: 4"


@pytest.mark.kafka
def test_a_webhook_connector_listens_until_stopped_and_sends_what_it_is_posted(
    tmp_path: Path, provisioned_url: str, broker: EmbeddedBroker
) -> None:
    """`hub connector run emergency-webhook --source HOST:PORT` as a department runs it:
    a signed delivery of the samples gets 202, both events reach the outbox and the
    broker, an unsigned one gets 401, and Ctrl-C stops it cleanly."""
    port = free_port()
    secret = "a-shared-secret-of-32-characters!"
    env = _run_env(tmp_path, provisioned_url, broker.bootstrap, HUB_CONNECT_WEBHOOK_SECRET=secret)
    process = subprocess.Popen(
        [*HUB, "connector", "run", "emergency-webhook", "--source", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    samples = ROOT / "connectors" / "samples" / "emergency-webhook"
    body = orjson.dumps(
        {"messages": [orjson.loads(p.read_bytes()) for p in sorted(samples.glob("*.json"))]}
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert process.poll() is None, process.stdout.read()  # type: ignore[union-attr]
                assert time.monotonic() < deadline, "the receiver did not start"
                time.sleep(0.1)
        url = f"http://127.0.0.1:{port}/"
        headers = {"Content-Type": "application/json", **sign(secret.encode(), body)}
        taken = httpx.post(url, content=body, headers=headers, timeout=30)
        assert taken.status_code == 202, taken.text
        assert taken.json() == {"accepted": 2, "dead_lettered": 0}
        assert httpx.post(url, content=body, timeout=30).status_code == 401
        outbox = tmp_path / "var" / "connectors" / "emergency-webhook" / "outbox.db"
        while _published(outbox) < 2:
            assert time.monotonic() < deadline, "the events were not sent"
            time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert "receiving signed deliveries at http://127.0.0.1:" in output
    assert "2 read, 2 published, 0 dead-lettered" in output


def _published(outbox: Path) -> int:
    if not outbox.exists():
        return 0
    with sqlite3.connect(f"file:{outbox}?mode=ro", uri=True, timeout=5) as db:
        row = db.execute("SELECT value FROM counters WHERE name = 'published'").fetchone()
    return int(row[0]) if row else 0
