"""The `hub` command as a user runs it: real processes, real ports, real signals."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from connectors.catalog import DEMO_SOURCES
from hub.bus.broker import free_port
from hub.bus.factory import open_bus
from hub.config import KafkaSettings
from tests.utils.processes import hub_env, is_alive

HUB = [sys.executable, "-m", "hub"]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return hub_env(tmp_path, **extra)


def _wait_line(
    process: subprocess.Popen[str], pattern: str, timeout_s: float = 60
) -> tuple[re.Match[str], str]:
    seen = ""
    deadline = time.monotonic() + timeout_s
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            if process.poll() is not None:
                break
            continue
        seen += line
        match = re.search(pattern, seen)
        if match:
            return match, seen
    raise AssertionError(f"no {pattern!r} in output:\n{seen}")


def _gone(pid: int, timeout_s: float = 10) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not is_alive(pid):
            return True
        time.sleep(0.1)
    return False


@pytest.mark.kafka
def test_hub_broker_prints_its_address_and_ctrl_c_leaves_no_process(tmp_path: Path) -> None:
    with subprocess.Popen(
        [*HUB, "broker"],
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as process:
        _stop_broker_test(process)


def _stop_broker_test(process: subprocess.Popen[str]) -> None:
    try:
        bootstrap = _wait_line(process, r"HUB_KAFKA_BOOTSTRAP=(\S+)")[0].group(1)
        pid = int(_wait_line(process, r"broker pid (\d+)")[0].group(1))
        open_bus(KafkaSettings(), bootstrap).admin().wait_ready(timeout_s=10)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0
        assert _gone(pid), "the broker must not outlive `hub broker`"
    finally:
        if process.poll() is None:
            process.kill()


@pytest.mark.e2e
@pytest.mark.kafka
def test_hub_dev_serves_the_readme_tour_and_stops_cleanly(tmp_path: Path) -> None:
    port = free_port()
    with subprocess.Popen(
        [*HUB, "dev"],
        env=_env(tmp_path, HUB_GATEWAY_PORT=str(port)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as process:
        _tour(process, tmp_path, port)


def _tour(process: subprocess.Popen[str], tmp_path: Path, port: int) -> None:
    try:
        match, output = _wait_line(process, r"Tansu, pid (\d+)")
        broker_pid = int(match.group(1))
        _, output = _wait_line(process, r"Press Ctrl-C to stop")
        assert (
            "connector meteorology-cap -> meteorology.warning: 3 read, 3 published, 0 dead-lettered"
            in output
        )
        assert "incidents.csv:4: occurred_at" in output
        # Every department's connector ran, the HTTP and SQL ones on the demo's own sources.
        for name in DEMO_SOURCES:
            assert re.search(rf"connector {name} -> \S+: [1-9]\d* read, [1-9]\d* published", output)
        # The demo scenario ran over HTTP before the tour: reads, acknowledgements, a refusal.
        assert "health read 2 incident reports and 3 warnings, and acknowledged 3" in output
        assert "commerce was refused the incident reports (403)" in output
        env_file = tmp_path / "var" / "dev" / "credentials.env"
        assert oct(env_file.stat().st_mode & 0o777) == "0o600"
        credentials = dict(line.split("=", 1) for line in env_file.read_text().split())
        base = credentials["HUB_URL"]
        assert base == f"http://127.0.0.1:{port}"
        secrets = [v for k, v in credentials.items() if k.endswith(("_SECRET", "_PASSWORD"))]
        assert secrets and not [s for s in secrets if s in output], "no secret in piped output"
        assert "not shown: output is not a terminal" in output
        with httpx.Client(base_url=base, timeout=10) as client:
            for _ in range(100):
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            token = client.post(
                "/oauth/token",
                data={"grant_type": "client_credentials"},
                auth=(credentials["HEALTH_ID"], credentials["HEALTH_SECRET"]),
            ).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            streams = client.get("/v1/streams", headers=headers).json()
            assert {"meteorology.warning", "emergency.incident-report"} <= {
                s["id"] for s in streams["streams"]
            }
            page = client.get(
                "/v1/streams/meteorology.warning/events?limit=2", headers=headers
            ).json()
            assert page["count"] == 2 and page["next"]
            _emergency_steps(client, credentials, headers)
            _proof_steps(client, credentials, tmp_path)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
        assert _gone(broker_pid), "the broker must not outlive `hub dev`"
    finally:
        if process.poll() is None:
            process.kill()


@pytest.mark.kafka
def _token(client: httpx.Client, credentials: dict[str, str], who: str) -> dict[str, str]:
    token = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(credentials[f"{who}_ID"], credentials[f"{who}_SECRET"]),
    ).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def _emergency_steps(
    client: httpx.Client, credentials: dict[str, str], health: dict[str, str]
) -> None:
    """Steps 4 to 8 of the README's tour."""
    incidents = "/v1/streams/emergency.incident-report/events"
    masked = client.get(incidents, params={"purpose": "response"}, headers=health).json()
    assert masked["count"] == 2 and masked["events"][0]["event"]["reporter_name"] is None
    commerce = _token(client, credentials, "COMMERCE")
    assert client.get("/v1/streams/meteorology.warning/events", headers=commerce).status_code == 403
    assert client.get(incidents, headers=commerce).status_code == 403
    emergency = _token(client, credentials, "EMERGENCY")
    declared = client.post(
        "/v1/emergencies",
        json={
            "category": "ACCIDENT_DISASTER",
            "level": "II",
            "districts": ["440311"],
            "title": "Guangming landslide",
            "reason": "spoil buried an industrial park",
        },
        headers=emergency,
    )
    assert declared.status_code == 201, declared.text
    during = client.get(incidents, headers=commerce)
    assert during.status_code == 200 and during.json()["count"] == 2
    auditor = _token(client, credentials, "AUDITOR")
    reviews = client.get("/v1/reviews", params={"state": "open"}, headers=auditor).json()["reviews"]
    assert reviews and reviews[0]["emergency_id"] == declared.json()["id"]
    verdict = client.post(
        f"/v1/reviews/{reviews[0]['audit_id']}",
        json={"verdict": "justified", "comment": "supplies were sent"},
        headers=auditor,
    )
    assert verdict.status_code == 200
    closed = client.post(f"/v1/emergencies/{declared.json()['id']}/close", headers=emergency)
    assert closed.status_code == 200
    assert client.get(incidents, headers=commerce).status_code == 403


def _proof_steps(client: httpx.Client, credentials: dict[str, str], tmp_path: Path) -> None:
    """Step 9 of the README's tour, and signing in to the console as it says."""
    commerce = _token(client, credentials, "COMMERCE")
    latest = client.get("/v1/audit/checkpoints/latest", headers=commerce)
    assert latest.status_code == 200 and latest.json()["note"].startswith("linkage.local/audit")
    verified = subprocess.run(
        [*HUB, "audit", "verify"], env=_env(tmp_path), capture_output=True, text=True, timeout=120
    )
    assert verified.returncode == 0, verified.stderr
    assert "audit log ok" in verified.stdout
    form = client.get("/console/login")
    csrf = form.text.split('name="csrf" value="')[1].split('"')[0]
    signed = client.post(
        "/console/login",
        data={
            "username": credentials["CONSOLE_AUDITOR_USER"],
            "password": credentials["CONSOLE_AUDITOR_PASSWORD"],
            "csrf": csrf,
        },
        follow_redirects=False,
    )
    assert signed.status_code == 303, signed.text


def test_hub_gateway_provisions_serves_and_stops_its_broker(tmp_path: Path) -> None:
    port = free_port()
    with subprocess.Popen(
        [*HUB, "gateway"],
        env=_env(tmp_path, HUB_GATEWAY_PORT=str(port)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as process:
        try:
            match, _ = _wait_line(process, r"embedded broker pid (\d+)")
            broker_pid = int(match.group(1))
            _wait_line(process, r"Uvicorn running on")
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
                assert client.get("/healthz").json() == {"status": "ok"}
                assert (
                    client.get("/.well-known/oauth-authorization-server").json()["issuer"]
                    == f"http://127.0.0.1:{port}"
                )
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=20)
            assert _gone(broker_pid)
        finally:
            if process.poll() is None:
                process.kill()


def test_errors_are_one_line_and_a_nonzero_exit(tmp_path: Path) -> None:
    bad = tmp_path / "policies"
    bad.mkdir()
    (bad / "grants.yaml").write_text("grants: [\n")
    result = subprocess.run(
        [*HUB, "policy", "lint"],
        env=_env(tmp_path, HUB_POLICIES_DIR=str(bad)),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and "grants.yaml: cannot read YAML" in result.stderr
    assert "Traceback" not in result.stderr
    ok = subprocess.run(
        [*HUB, "policy", "lint"], env=_env(tmp_path), capture_output=True, text=True, check=False
    )
    assert ok.returncode == 0 and re.match(r"policy ok: \d+ agencies", ok.stdout)
    typo = subprocess.run(
        [*HUB, "policy", "lint"],
        env=_env(tmp_path, HUB_KAFKA_FETCH_MAX_WAIT_MS="1"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert typo.returncode == 2 and "kafka.fetch_max_wait_ms" in typo.stderr


def test_clients_create_prints_the_secret_once_and_list_never_does(tmp_path: Path) -> None:
    created = subprocess.run(
        [
            *HUB,
            "clients",
            "create",
            "--agency",
            "health",
            "--scope",
            "streams:read",
            "--id",
            "health-app",
        ],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"client_secret=(\S+)", created.stdout)
    assert found is not None
    secret = found.group(1)
    listed = subprocess.run(
        [*HUB, "clients", "list"], env=_env(tmp_path), capture_output=True, text=True, check=True
    )
    assert "health-app" in listed.stdout and secret not in listed.stdout
    unknown = subprocess.run(
        [*HUB, "clients", "create", "--agency", "nobody", "--scope", "streams:read"],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        check=False,
    )
    assert unknown.returncode == 1 and "agency 'nobody' is not in" in unknown.stderr


def test_sigterm_cuts_open_live_feeds_after_the_shutdown_grace(tmp_path: Path) -> None:
    """A live feed never ends by itself: without a bound on the graceful shutdown a
    replica being rolled would wait for its heartbeat to find the client gone (here 300
    s), or for ever for a client that stays. With it the feed is cut and the process exits."""
    import threading

    from hub.client import HubClient
    from hub.config import DatabaseSettings
    from hub.demo.clients import issue_demo_credentials
    from hub.store.engine import make_engine, make_sessions

    port = free_port()
    env = _env(tmp_path, HUB_GATEWAY_PORT=str(port), HUB_LIVE_HEARTBEAT_S="300")
    env["HUB_GATEWAY_SHUTDOWN_S"] = "1"
    subprocess.run([*HUB, "db", "upgrade"], env=env, check=True, capture_output=True)
    engine = make_engine(DatabaseSettings(url=env["HUB_DATABASE_URL"]))
    issued = {
        demo.client_id: creds for demo, creds in issue_demo_credentials(make_sessions(engine))
    }["health-dispatch"]
    engine.dispose()
    with subprocess.Popen(
        [*HUB, "gateway"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as process:
        try:
            _wait_line(process, r"Uvicorn running on")
            opened = threading.Event()
            hub = HubClient(f"http://127.0.0.1:{port}", issued.client_id, issued.client_secret)

            def listen() -> None:
                try:
                    for message in hub.live("emergency.incident-report", purpose="response"):
                        if message.event == "ready":
                            opened.set()
                except httpx.HTTPError:
                    return

            threading.Thread(target=listen, daemon=True).start()
            assert opened.wait(60), "the feed opened"
            process.send_signal(signal.SIGTERM)
            # Generous for a busy machine; the heartbeat alone would take 300 s. 143 is
            # 128 + SIGTERM: the broker and the stack were closed on the way out.
            assert process.wait(timeout=90) == 128 + signal.SIGTERM
            hub.close()
        finally:
            if process.poll() is None:
                process.kill()
