"""Secrets in deploy/compose.yaml: never written in it, all made by make-secrets.sh, kept
out of git, and handed to the hub in the one way it reads them."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

from tests.unit.deploy import compose_file

WITH_SECRETS = "/etc/linkage/with-secrets.sh"
_SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|CREDENTIALS", re.IGNORECASE)
_CREDENTIALS_IN_URL = re.compile(r"://[^/@\s:]+:[^/@\s]+@")


def inlined_secrets(environment: dict[str, str]) -> list[str]:
    """Variables that carry a secret's value in the file itself: a secret-like name with
    a value (``*_FILE`` names a file, which is fine), or a URL with a password in it."""
    found = []
    for name, value in environment.items():
        named_secret = bool(_SECRET_NAME.search(name)) and not name.endswith("_FILE")
        if (named_secret and value) or _CREDENTIALS_IN_URL.search(value):
            found.append(name)
    return found


def test_the_inline_check_finds_literal_secrets() -> None:
    """The check below can fail: each of these is a secret written into the file."""
    assert inlined_secrets(
        {
            "POSTGRES_PASSWORD": "hunter2",
            "HUB_TELEMETRY_METRICS_TOKEN": "abc",
            "HUB_CONNECT_CLIENT_SECRET": "abc",
            "HUB_DATABASE_URL": "postgresql://linkage:hunter2@postgres/linkage",
            "POSTGRES_PASSWORD_FILE": "/run/secrets/postgres_password",
            "HUB_KAFKA_BOOTSTRAP": "kafka-1:9092",
        }
    ) == [
        "POSTGRES_PASSWORD",
        "HUB_TELEMETRY_METRICS_TOKEN",
        "HUB_CONNECT_CLIENT_SECRET",
        "HUB_DATABASE_URL",
    ]


def test_no_secret_is_written_in_the_compose_file() -> None:
    """Breaks if any service gets a password, token, secret or credentialed URL as a
    literal environment value instead of a compose secret."""
    for name, service in compose_file.services().items():
        assert inlined_secrets(compose_file.environment(service)) == [], name


def test_postgres_takes_its_password_from_a_secret_file() -> None:
    """Breaks if the password file the image is told to read is not a secret mounted
    into the service (PostgreSQL would refuse to initialise)."""
    postgres = compose_file.services()["postgres"]
    path = compose_file.environment(postgres)["POSTGRES_PASSWORD_FILE"]
    folder, _, name = path.rpartition("/")
    assert folder == "/run/secrets"
    assert name in compose_file.secret_mounts(postgres)


def test_every_secret_a_service_uses_is_a_file_under_compose_secrets() -> None:
    """Breaks on a service naming an undefined secret, or a secret taken from anywhere
    but the git-ignored folder make-secrets.sh writes."""
    defined = compose_file.compose()["secrets"]
    for name, service in compose_file.services().items():
        assert set(compose_file.secret_mounts(service).values()) <= defined.keys(), name
    for source in defined:
        assert compose_file.secret_file(source).parent == compose_file.COMPOSE_DIR / "secrets"


def test_make_secrets_writes_exactly_the_files_compose_reads(secrets_folder: Path) -> None:
    """Breaks if compose.yaml reads a secret file make-secrets.sh does not write (`up`
    would fail on a fresh machine) or the script writes one nothing reads."""
    wanted = {compose_file.secret_file(s).name for s in compose_file.compose()["secrets"]}
    assert {path.name for path in secrets_folder.iterdir()} == wanted


def test_secret_files_are_private_to_this_machine_yet_readable_in_containers(
    secrets_folder: Path, secret_values: dict[str, str]
) -> None:
    """Breaks if the folder is open to other users of the host, or a file is not
    readable by the containers' own users (PostgreSQL, uid 10001, nobody), or a value
    ends in a newline (which would be part of a token compared byte for byte)."""
    assert stat.S_IMODE(secrets_folder.stat().st_mode) == 0o700
    for path in secrets_folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o444, path.name
    for name, value in secret_values.items():
        assert value, name
        assert value == value.strip(), name


def test_the_database_urls_carry_the_generated_passwords(secret_values: dict[str, str]) -> None:
    """Breaks if a URL names another user, host or database than PostgreSQL is set up
    with, or a password that is not the one make-secrets.sh gave that role."""
    postgres = compose_file.environment(compose_file.services()["postgres"])
    owner = urlsplit(secret_values["database_owner_url"])
    app = urlsplit(secret_values["database_url"])
    assert (owner.username, owner.password) == (
        postgres["POSTGRES_USER"],
        secret_values["postgres_password"],
    )
    assert (app.username, app.password) == ("linkage_app", secret_values["postgres_app_password"])
    for url in (owner, app):
        assert url.hostname == "postgres"
        assert url.path == f"/{postgres['POSTGRES_DB']}"


def test_make_secrets_keeps_what_exists(secrets_folder: Path, tmp_path: Path) -> None:
    """Breaks if running it again replaces a password: PostgreSQL keeps the first one
    in its volume, so the hub would be locked out."""
    again = tmp_path / "secrets"
    shutil.copytree(secrets_folder, again)
    before = {p.name: p.read_bytes() for p in again.iterdir()}
    output = compose_file.make_secrets(again)
    assert {p.name: p.read_bytes() for p in again.iterdir()} == before
    assert "written" not in output


def test_generated_secrets_are_ignored_by_git() -> None:
    """Breaks if deploy/compose/secrets/.gitignore stops covering the generated files."""
    for source in compose_file.compose()["secrets"]:
        path = compose_file.secret_file(source).relative_to(compose_file.REPO)
        done = subprocess.run(
            ["git", "-C", str(compose_file.REPO), "check-ignore", "--no-index", "-q", str(path)],
            check=False,
        )
        assert done.returncode == 0, f"{path} is not ignored by git"


def test_hub_services_receive_secrets_through_with_secrets() -> None:
    """Breaks if a hub service skips the entrypoint (its HUB_* secrets would stay files
    the hub never reads), mounts a secret under a name the script does not export, or
    lacks the script itself."""
    for name, service in compose_file.hub_services().items():
        assert service["entrypoint"] == ["/bin/sh", WITH_SECRETS], name
        assert WITH_SECRETS in compose_file.config_mounts(service), name
        for target in compose_file.secret_mounts(service):
            assert target.startswith("HUB_"), f"{name}: {target}"


def test_only_init_connects_as_the_database_owner() -> None:
    """Breaks if a long-running process gets the owner's URL: it could then edit the
    audit tables that db-grants makes append-only for linkage_app."""
    for name, service in compose_file.hub_services().items():
        source = compose_file.secret_mounts(service)["HUB_DATABASE_URL"]
        assert source == ("database_owner_url" if name == "init" else "database_url"), name


def test_with_secrets_exports_hub_files_and_runs_the_command(tmp_path: Path) -> None:
    """Breaks if the entrypoint loses a value with spaces, quotes or dollars, exports a
    file that is not a HUB_* setting, or does not run the command it was given."""
    folder = tmp_path / "run-secrets"
    folder.mkdir()
    tricky = "p@ss w'o\"rd $HOME `x`"
    (folder / "HUB_DATABASE_URL").write_text(tricky)
    (folder / "postgres_password").write_text("not for the hub")
    script = compose_file.config_file("with-secrets")
    done = subprocess.run(
        ["sh", str(script), "env"],
        env={"PATH": os.environ["PATH"], "LINKAGE_SECRETS_DIR": str(folder)},
        capture_output=True,
        text=True,
        check=True,
        timeout=10,
    )
    env = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    assert env["HUB_DATABASE_URL"] == tricky
    assert "not for the hub" not in done.stdout


def test_with_secrets_runs_with_no_secrets_at_all(tmp_path: Path) -> None:
    """Breaks if a container without HUB_* secrets (the glob matching nothing) fails."""
    done = subprocess.run(
        ["sh", str(compose_file.config_file("with-secrets")), "echo", "ran"],
        env={"PATH": os.environ["PATH"], "LINKAGE_SECRETS_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
        timeout=10,
    )
    assert done.stdout.strip() == "ran"
