"""`hub audit witness` against a gateway served over HTTP, and `hub audit verify` on its
database: a rebuilt log passes its own checks and is caught by the witness."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlalchemy import text

from hub.audit.signing import load_signer
from tests.integration.cli.test_commands import HUB, _env
from tests.utils.audit import rebuild
from tests.utils.server import serving
from tests.utils.stack import Stack, gateway_stack

pytestmark = pytest.mark.kafka
ORIGIN = "linkage.local/audit"


def hub(tmp: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*HUB, "audit", *args],
        env=_env(tmp, HUB_AUDIT_KEY_DIR=str(tmp / "keys" / "audit"), **env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def traffic(stack: Stack, requests: int) -> None:
    for _ in range(requests):
        stack.http.get("/v1/streams", headers=stack.bearer("health-dispatch"))


def test_a_witness_keeps_checkpoints_and_catches_a_rebuilt_log(tmp_path: Path) -> None:
    with gateway_stack(tmp_path, checkpoint_rows=4) as stack:
        issued = stack.credentials["health-dispatch"]
        creds = {
            "HUB_WITNESS_CLIENT_ID": issued.client_id,
            "HUB_WITNESS_CLIENT_SECRET": issued.client_secret,
        }
        witness = tmp_path / "witness-health"
        traffic(stack, 6)
        with serving(stack.http.app) as url:
            first = hub(tmp_path, "witness", "--gateway", url, "--dir", str(witness), **creds)
            assert first.returncode == 0, first.stderr
            assert "pinned the log's keys" in first.stdout
            traffic(stack, 9)
            second = hub(tmp_path, "witness", "--gateway", url, "--dir", str(witness), **creds)
            assert second.returncode == 0, second.stderr
            assert "pinned" not in second.stdout and "consistent up to size" in second.stdout
            kept = sorted(int(p.stem) for p in (witness / "checkpoints").glob("*.note"))
            assert len(kept) >= 3

            ok = hub(tmp_path, "verify", "--witness", str(witness))
            assert ok.returncode == 0, ok.stderr
            assert "audit log ok" in ok.stdout and f"{len(kept)} witnessed" in ok.stdout

            # Someone with the database and the signing key rewrites row 2 and re-signs.
            signer = load_signer(tmp_path / "keys" / "audit", name=ORIGIN, create=False)
            engine = stack.services.engine
            rebuild(engine, signer, origin=ORIGIN, edit_seq=2)
            alone = hub(tmp_path, "verify")
            assert alone.returncode == 0, "the rebuilt log agrees with itself"
            caught = hub(tmp_path, "verify", "--witness", str(witness))
            assert caught.returncode == 1
            assert "BAD" in caught.stderr and "first bad seq" in caught.stderr

            traffic(stack, 5)
            alarm = hub(tmp_path, "witness", "--gateway", url, "--dir", str(witness), **creds)
            assert alarm.returncode == 1
            assert "WITNESS ALERT" in alarm.stderr and "does not extend" in alarm.stderr
            assert list(witness.glob("ALERT-*.txt")), "the evidence is kept"
            # What it kept before stays as it was.
            assert sorted(int(p.stem) for p in (witness / "checkpoints").glob("*.note")) == kept


def test_verify_names_the_first_bad_seq_of_an_edited_row(tmp_path: Path) -> None:
    with gateway_stack(tmp_path, checkpoint_rows=4) as stack:
        traffic(stack, 5)
        with stack.services.engine.begin() as connection:
            connection.execute(text("UPDATE audit_log SET status = 200 WHERE seq = 3"))
            connection.execute(text("UPDATE audit_log SET agency = 'nobody' WHERE seq = 3"))
        report = hub(tmp_path, "verify", "--json")
        assert report.returncode == 1
        assert '"first_bad_seq": 3' in report.stdout
        human = hub(tmp_path, "verify")
        assert "BAD seq 3: row seq 3 was changed" in human.stderr


def test_witness_needs_its_credentials(tmp_path: Path) -> None:
    missing = hub(tmp_path, "witness", "--gateway", "http://127.0.0.1:9", "--dir", str(tmp_path))
    assert missing.returncode == 2 and "HUB_WITNESS_CLIENT_ID" in missing.stderr
    unreachable = hub(
        tmp_path,
        "witness",
        "--gateway",
        "http://127.0.0.1:9",
        "--dir",
        str(tmp_path / "w"),
        HUB_WITNESS_CLIENT_ID="x",
        HUB_WITNESS_CLIENT_SECRET="y",
    )
    assert unreachable.returncode == 1 and "error:" in unreachable.stderr
    assert "Traceback" not in unreachable.stderr
