"""`hub schemas check` end to end: a real git history and a real registry database."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
REPORT = "schemas/emergency/incident_report.avsc"


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository holding a copy of today's schemas and policies, committed."""
    for folder in ("schemas", "policies"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "-c", "user.email=t@example.invalid", "-c", "user.name=t", "add", ".")
    _git(
        tmp_path,
        "-c",
        "user.email=t@example.invalid",
        "-c",
        "user.name=t",
        "commit",
        "-q",
        "-m",
        "v1",
    )
    return tmp_path


def check(repo: Path, *args: str, database: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.update(
        HUB_SCHEMAS_DIR=str(repo / "schemas"),
        HUB_POLICIES_DIR=str(repo / "policies"),
        HUB_CONFIG=str(repo / "absent.toml"),
        HUB_DATABASE_URL=database or f"sqlite:///{repo}/absent.db",
    )
    return subprocess.run(
        [sys.executable, "-m", "hub", "schemas", "check", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def edit_report(repo: Path, change) -> None:
    path = repo / REPORT
    schema = json.loads(path.read_text())
    change(schema["fields"])
    path.write_text(json.dumps(schema, ensure_ascii=False, indent=2))


def test_the_repository_passes() -> None:
    result = check(ROOT, "--against", "none")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "17 event schemas and 10 shared types pass" in result.stdout


def test_an_incompatible_change_fails_naming_the_field_and_rule(repo: Path) -> None:
    edit_report(
        repo,
        lambda f: f.append(
            {"name": "reported_via", "type": "string", "doc": "Channel (报告渠道)."}
        ),
    )
    result = check(repo)
    assert result.returncode == 1
    (line,) = result.stdout.splitlines()
    assert line.startswith(
        "linkage.emergency.IncidentReport (emergency.incident-report.v1-value): incompatible with git "
    )
    assert "READER_FIELD_MISSING_DEFAULT_VALUE" in line and "field:'reported_via'" in line
    assert result.stderr.strip() == "1 problem(s)"


def test_a_compatible_change_passes_and_so_does_a_new_major_version(repo: Path) -> None:
    edit_report(
        repo,
        lambda f: f.append(
            {
                "name": "reported_via",
                "type": ["null", "string"],
                "default": None,
                "doc": "Channel (报告渠道).",
            }
        ),
    )
    assert check(repo).returncode == 0
    edit_report(
        repo,
        lambda f: f.append({"name": "channel_code", "type": "string", "doc": "Code (渠道代码)."}),
    )
    streams = repo / "policies" / "streams.yaml"
    text = streams.read_text()
    anchor = "  - id: emergency.incident-report\n    owner: emergency\n    schema: linkage.emergency.IncidentReport\n    version: 1\n"
    assert anchor in text
    streams.write_text(text.replace(anchor, anchor.replace("version: 1", "version: 2")))
    result = check(repo)
    assert result.returncode == 0, result.stdout


def test_committed_changes_are_checked_against_the_commit_before_them(repo: Path) -> None:
    edit_report(repo, lambda f: f.pop())  # drop casualties: it had a default, so this is fine
    _git(repo, "-c", "user.email=t@example.invalid", "-c", "user.name=t", "commit", "-qam", "v2")
    assert check(repo).returncode == 0
    edit_report(repo, lambda f: f[4].update(type="string"))  # status: enum -> string breaks readers
    _git(repo, "-c", "user.email=t@example.invalid", "-c", "user.name=t", "commit", "-qam", "v3")
    result = check(repo)
    assert result.returncode == 1 and "field:'status'" in result.stdout


def test_versions_in_the_registry_database_are_checked_too(repo: Path, tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path}/registry.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.update(
        HUB_SCHEMAS_DIR=str(repo / "schemas"),
        HUB_POLICIES_DIR=str(repo / "policies"),
        HUB_DATABASE_URL=database,
        HUB_CONFIG=str(repo / "absent.toml"),
    )
    subprocess.run(
        [sys.executable, "-m", "hub", "schemas", "register"],
        env=env,
        check=True,
        capture_output=True,
    )
    edit_report(
        repo,
        lambda f: f.append(
            {"name": "reported_via", "type": "string", "doc": "Channel (报告渠道)."}
        ),
    )
    result = check(repo, "--against", "none", database=database)
    assert result.returncode == 1
    assert "incompatible with registered versions" in result.stdout
    assert check(repo, "--against", "none", "--no-registry", database=database).returncode == 0


def test_a_convention_problem_is_one_line_and_exit_1(repo: Path) -> None:
    edit_report(repo, lambda f: f[1].pop("doc"))
    result = check(repo)
    assert result.returncode == 1
    assert (
        result.stdout.strip()
        == "schemas/emergency/incident_report.avsc: field IncidentReport.report_id has no doc"
    )


ENVELOPE = "schemas/common/envelope.avsc"


def set_classification(repo: Path, field_type: object, **extra: object) -> None:
    path = repo / ENVELOPE
    schema = json.loads(path.read_text())
    (field,) = [f for f in schema["fields"] if f["name"] == "classification"]
    field.pop("default", None)
    field.update(type=field_type, **extra)
    path.write_text(json.dumps(schema, ensure_ascii=False, indent=2))


def test_an_envelope_field_made_nullable_reads_what_was_written_before(repo: Path) -> None:
    """Issue 17: classification went from the plain record to a union with null; Avro
    resolves a writer's record against a reader's union that holds it, so every subject
    (all embed the envelope) stays BACKWARD_TRANSITIVE, and going back would not."""
    record = "linkage.common.Classification"
    set_classification(repo, record)
    _git(repo, "-c", "user.email=t@example.invalid", "-c", "user.name=t", "commit", "-qam", "v0")
    set_classification(repo, ["null", record], default=None)
    result = check(repo)
    assert result.returncode == 0, result.stdout + result.stderr
    _git(repo, "-c", "user.email=t@example.invalid", "-c", "user.name=t", "commit", "-qam", "v1")
    set_classification(repo, record)
    result = check(repo)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 17, "every stream's subject embeds the envelope"
    assert all("TYPE_MISMATCH" in line and "classification" in line for line in lines)
