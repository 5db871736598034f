"""`hub policy` as an operator runs it: explain, test, export-acls, and reload against a
running gateway process."""

from __future__ import annotations

import json
import re
import signal
import subprocess
from pathlib import Path

import httpx
import pytest
import yaml

from hub.bus.broker import free_port
from tests.integration.cli.test_commands import HUB, _env, _wait_line
from tests.utils.policies import policy_folder

ROOT = Path(__file__).resolve().parents[3]


def hub(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*HUB, "policy", *args],
        env=_env(tmp_path, **env),
        capture_output=True,
        text=True,
        check=False,
    )


def test_explain_names_the_grant_the_purpose_and_each_mask(tmp_path: Path) -> None:
    done = hub(tmp_path, "explain", "--agency", "health", "--stream", "emergency.incident-report")
    assert done.returncode == 0, done.stderr
    assert "allowed by grant health-reads-incident-reports for purpose response" in done.stdout
    assert "reporter_name: redact" in done.stdout
    assert "envelope.area.point: coarsen" in done.stdout
    denied = hub(
        tmp_path, "explain", "--agency", "commerce", "--stream", "emergency.incident-report"
    )
    assert denied.returncode == 0
    assert (
        "emergency grant commerce-reads-incident-reports-in-emergencies opens it" in denied.stdout
    )
    assert "published from 1 day before the declaration on" in denied.stdout
    unknown = hub(tmp_path, "explain", "--agency", "commerce", "--stream", "no.such")
    assert unknown.returncode == 1 and "not in the catalogue" in unknown.stderr


def test_the_shipped_cases_pass_and_a_wrong_case_fails(tmp_path: Path) -> None:
    done = hub(tmp_path, "test")
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"\d+ passed, 0 failed", done.stderr)
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "wrong.yaml").write_text(
        "cases:\n"
        "  - name: commerce may not read incident reports in quiet times\n"
        "    agency: commerce\n"
        "    stream: emergency.incident-report\n"
        "    record: {}\n"
        "    expect: {decision: allow}\n",
        encoding="utf-8",
    )
    wrong = hub(tmp_path, "test", "--cases", str(cases))
    assert wrong.returncode == 1
    assert "FAIL wrong.yaml" in wrong.stdout and "expected allow, got deny" in wrong.stdout


def test_acls_are_exported_as_json_and_as_strimzi_users(tmp_path: Path) -> None:
    done = hub(tmp_path, "export-acls")
    assert done.returncode == 0, done.stderr
    rules = json.loads(done.stdout)
    owner_write = {
        "principal": "User:meteorology",
        "host": "*",
        "permission": "ALLOW",
        "operation": "WRITE",
        "resource_type": "TOPIC",
        "resource_name": "meteorology.warning.v1",
        "pattern_type": "LITERAL",
    }
    assert owner_write in rules
    readers = {
        r["principal"] for r in rules if r["resource_name"] == "emergency.incident-report.v1"
    }
    assert "User:health" not in readers, "a masking grant reads through the gateway only"
    strimzi = hub(tmp_path, "export-acls", "--format", "strimzi", "--cluster", "city")
    users = list(yaml.safe_load_all(strimzi.stdout))
    assert {u["kind"] for u in users} == {"KafkaUser"}
    assert all(u["metadata"]["labels"]["strimzi.io/cluster"] == "city" for u in users)
    assert all(u["spec"]["authorization"]["type"] == "simple" for u in users)


@pytest.mark.kafka
def test_reload_swaps_the_policy_into_a_running_gateway(tmp_path: Path) -> None:
    policies = policy_folder(tmp_path / "policies", "grants: []\n", name="grants.yaml")
    env = {"HUB_POLICIES_DIR": str(policies)}
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
        env=_env(tmp_path, **env),
        capture_output=True,
        text=True,
        check=True,
    )
    secret = created.stdout.split("client_secret=")[1].strip()
    port = free_port()
    with subprocess.Popen(
        [*HUB, "gateway"],
        env=_env(tmp_path, HUB_GATEWAY_PORT=str(port), **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as process:
        try:
            _wait_line(process, r"Uvicorn running on")
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
                token = client.post(
                    "/oauth/token",
                    data={"grant_type": "client_credentials"},
                    auth=("health-app", secret),
                ).json()["access_token"]
                headers = {"Authorization": f"Bearer {token}"}
                path = "/v1/streams/meteorology.warning"
                assert client.get(path, headers=headers).status_code == 403
                (policies / "grants.yaml").write_text(
                    "grants:\n"
                    "  - id: health-reads-weather-warnings\n"
                    "    reader: health\n"
                    "    stream: meteorology.warning\n"
                    "    purposes: [preparedness]\n"
                    "    why: hospitals prepare for storms\n",
                    encoding="utf-8",
                )
                status_file = tmp_path / "var" / "gateways" / f"gateway-{port}.json"
                status = json.loads(status_file.read_text(encoding="utf-8"))
                assert (status["pid"], status["sighup"]) == (process.pid, True)
                reloaded = hub(tmp_path, "reload", "--wait", "30", **env)
                assert reloaded.returncode == 0, reloaded.stderr
                assert re.search(rf"gateway :{port}: policy \w+ is in force", reloaded.stdout)
                assert client.get(path, headers=headers).status_code == 200
                (policies / "grants.yaml").write_text("grants: [\n", encoding="utf-8")
                refused = hub(tmp_path, "reload", **env)
                assert refused.returncode == 1 and "cannot read YAML" in refused.stderr
                assert client.get(path, headers=headers).status_code == 200, "the old one stays"
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
            assert not status_file.exists(), "a stopped gateway leaves no status behind"
            (policies / "grants.yaml").write_text("grants: []\n", encoding="utf-8")
            gone = hub(tmp_path, "reload", **env)
            assert gone.returncode == 1 and "no gateway is running" in gone.stderr
        finally:
            if process.poll() is None:
                process.kill()
