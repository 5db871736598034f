"""compose/init.sh, run with a stand-in `hub` that records what it is asked: the steps
in their order, and a second run that leaves existing keys alone."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from hub.audit.signing import KEY_FILE as CHECKPOINT_KEY
from hub.gateway.auth.keys import KEY_FILE as SIGNING_KEY
from tests.unit.deploy import compose_file, dockerfile
from tests.unit.deploy.hub_commands import check_command


def run_init(tmp_path: Path) -> list[list[str]]:
    """init.sh's hub commands, each as its words, with key folders under ``tmp_path``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    log = tmp_path / "hub.log"
    fake = bin_dir / "hub"
    fake.write_text(f'#!/bin/sh\necho "hub $*" >> "{log}"\n')
    fake.chmod(0o755)
    log.write_text("")
    subprocess.run(
        ["sh", str(compose_file.config_file("init"))],
        env={
            "PATH": f"{bin_dir}:{os.environ['PATH']}",
            "HUB_AUTH_KEY_DIR": str(tmp_path / "keys"),
            "HUB_AUDIT_KEY_DIR": str(tmp_path / "keys" / "audit"),
        },
        check=True,
        timeout=10,
    )
    return [line.split() for line in log.read_text().splitlines()]


def test_a_first_run_migrates_makes_the_keys_then_provisions(tmp_path: Path) -> None:
    """Breaks if a step is dropped or moved: keys before the tables they sit beside are
    fine, but topics and schemas (archive replay) must come last, after the database."""
    commands = run_init(tmp_path)
    assert commands == [
        ["hub", "db", "upgrade"],
        ["hub", "token", "keygen"],
        ["hub", "audit", "keygen"],
        ["hub", "policy", "keygen"],
        ["hub", "archive", "replay"],
    ]
    for words in commands:
        check_command(words)


def test_a_second_run_keeps_the_keys(tmp_path: Path) -> None:
    """Breaks if init.sh looks for other file names than the hub writes its keys under:
    `hub token keygen` and `hub audit keygen` would then fail on every `up` after the
    first, and no gateway would start."""
    audit = tmp_path / "keys" / "audit"
    audit.mkdir(parents=True)
    (tmp_path / "keys" / SIGNING_KEY).write_text("{}")
    (audit / CHECKPOINT_KEY).write_text("key")
    commands = run_init(tmp_path)
    assert ["hub", "token", "keygen"] not in commands
    assert ["hub", "audit", "keygen"] not in commands
    assert ["hub", "policy", "keygen"] in commands


def test_init_gets_the_key_folders_it_writes_to() -> None:
    """Breaks if init writes keys somewhere the gateways do not read them: both must
    mount the same keys volume at the image's HUB_AUTH_KEY_DIR, init read-write."""
    key_dir = dockerfile.stages()[-1].env()["HUB_AUTH_KEY_DIR"]
    for name, service in compose_file.hub_services().items():
        mounts = [m.split(":") for m in service.get("volumes", [])]
        at_keys = [m for m in mounts if m[1] == key_dir]
        if name == "init":
            assert at_keys == [["keys", key_dir]]
        elif service.get("command", [])[:2] == ["hub", "gateway"]:
            assert at_keys == [["keys", key_dir, "ro"]], name
