from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hub.errors import ConfigError
from hub.policy.decision import decide, readable_streams
from hub.policy.loader import load_policy

POLICIES = Path(__file__).resolve().parents[3] / "policies"


@pytest.fixture
def policy_dir(tmp_path: Path) -> Path:
    target = tmp_path / "policies"
    shutil.copytree(POLICIES, target)
    return target


def test_the_shipped_policy_loads() -> None:
    warning = load_policy(POLICIES).stream("meteorology.warning")
    assert warning is not None
    assert warning.topic == "meteorology.warning.v1"
    assert warning.subject == "meteorology.warning.v1-value"


@pytest.mark.parametrize(
    ("agency", "stream", "allowed", "reason"),
    [
        ("health", "meteorology.warning", True, "grant health-reads-weather-warnings"),
        ("meteorology", "meteorology.warning", True, "meteorology owns meteorology.warning"),
        (
            "commerce",
            "meteorology.warning",
            False,
            "no grant lets commerce read meteorology.warning",
        ),
        (
            "meteorology",
            "emergency.incident-report",
            False,
            "no grant lets meteorology read emergency.incident-report",
        ),
    ],
)
def test_decisions_deny_unless_granted(
    agency: str, stream: str, allowed: bool, reason: str
) -> None:
    policy = load_policy(POLICIES)
    entry = policy.stream(stream)
    assert entry is not None
    decision = decide(policy, agency=agency, stream=entry, action="read")
    assert (decision.allowed, decision.reason) == (allowed, reason)


def test_a_grant_outside_its_validity_window_denies(policy_dir: Path) -> None:
    (policy_dir / "extra.yaml").write_text(
        "grants:\n"
        "  - id: commerce-reads-warnings-for-a-week\n"
        "    reader: commerce\n"
        "    stream: meteorology.warning\n"
        "    why: typhoon season supply planning\n"
        "    valid_from: 2026-07-01T00:00:00+08:00\n"
        "    valid_until: 2026-07-08T00:00:00+08:00\n"
    )
    policy = load_policy(policy_dir)
    inside = datetime(2026, 7, 3, tzinfo=UTC)
    after = datetime(2026, 7, 9, tzinfo=UTC)
    warning = policy.stream("meteorology.warning")
    assert warning is not None
    assert decide(policy, agency="commerce", stream=warning, action="read", now=inside).allowed
    late = decide(policy, agency="commerce", stream=warning, action="read", now=after)
    assert (late.allowed, late.reason) == (
        False,
        "grant commerce-reads-warnings-for-a-week is not in force now",
    )
    readable = readable_streams(policy, agency="commerce", now=after)
    assert "meteorology.warning" not in {s.id for s in readable}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "grants:\n  - id: g1\n    reader: health\n    stream: meteorology.warning\n",
            r"extra.yaml:2: grants entry: why: Field required",
        ),
        (
            "grants:\n  - id: g1\n    reader: nobody\n    stream: meteorology.warning\n    why: a good reason\n",
            r"extra.yaml:2: grant g1: reader 'nobody' is not an agency or group",
        ),
        (
            "grants:\n  - id: g1\n    reader: health\n    stream: no.such\n    why: a good reason\n",
            r"extra.yaml:2: grant g1: stream 'no.such' is not in the catalogue",
        ),
        (
            "grants:\n  - id: g1\n    reader: health\n    stream: meteorology.warning\n    why: a good reason\n    valid_until: 2026-01-01T00:00:00\n",
            r"extra.yaml:2: .*valid_until: give a timezone",
        ),
        (
            "streams:\n  - id: health.beds\n    owner: emergency\n    schema: x.Y\n    description: d\n    steward: s\n",
            r"stream health.beds must start with its owner's id 'emergency'",
        ),
        ("grants: {}\n", r"section 'grants' must be a list"),
        ("secrets:\n  - x\n", r"unknown section 'secrets'"),
        ("grants: [\n", r"extra.yaml: cannot read YAML"),
        (
            "agencies:\n  - id: health\n    name: {en: H, zh: 卫}\n",
            r"extra.yaml:2: agency id 'health' is defined twice",
        ),
        (
            "grants:\n  - id: g1\n    reader: health\n    stream: meteorology.warning\n    why: short\n",
            r"extra.yaml:2: grants entry: why: String should have at least 10 characters",
        ),
        (
            "grants:\n  - id: g1\n    reader: health\n    stream: health.*\n    actions: [publish]\n    why: a good reason\n",
            r"publish cannot be granted",
        ),
        (
            "grants:\n  - id: g1\n    reader: health\n    stream: transport.*\n    why: a good reason\n",
            r"extra.yaml:2: grant g1: stream 'transport.\*' is not in the catalogue",
        ),
        (
            "grants:\n  - id: g1\n    reader: health\n    stream: meteorology.warning\n    why: a good reason\n    masks: [{tag: pii, path: x, method: drop}]\n",
            r"a mask names either a tag or a path",
        ),
        (
            "grants:\n  - id: g1\n    reader: health\n    stream: meteorology.warning\n    why: a good reason\n    masks: [{tag: pii, method: redact, to: day}]\n",
            r"to: day is for method generalize",
        ),
        (
            "grants:\n  - id: g1\n    reader: health\n    stream: meteorology.warning\n    why: a good reason\n    unmask: [{tag: pii, why: nope}]\n",
            r"unmask.0.why: String should have at least 10 characters",
        ),
        (
            "grants:\n  - id: g1\n    reader: health\n    stream: meteorology.warning\n    why: a good reason\n    filter: {districts: ['4403']}\n",
            r"district '4403' is not a six-digit GB/T 2260 code",
        ),
        (
            "groups:\n  - id: crew\n    name: {en: C, zh: 组}\n    members: [health, nobody]\n",
            r"extra.yaml:2: group crew: member 'nobody' is not an agency",
        ),
        (
            "denies:\n  - id: d1\n    reader: ghost\n    stream: '*.*'\n    why: a good reason\n",
            r"extra.yaml:2: deny d1: reader 'ghost' is not an agency or group",
        ),
        (
            "grants:\n  - id: g1\n    reader: health\n    stream: meteorology.warning\n    why: a good reason\n    emergency: {categories: [], level_at_least: II}\n",
            r"emergency.categories",
        ),
    ],
)
def test_bad_policy_files_are_reported_with_file_and_reason(
    policy_dir: Path, content: str, message: str
) -> None:
    (policy_dir / "extra.yaml").write_text(content)
    with pytest.raises(ConfigError, match=message):
        load_policy(policy_dir)


ROUTINE = {
    "meteorology.observation",
    "health.hospital-capacity",
    "health.disease-case-aggregate",
    "transportation.transit-disruption",
    "commerce.supplies-inventory",
    "housing.slope-monitoring",
}


def test_only_routine_streams_may_leave_out_a_classification() -> None:
    streams = load_policy(POLICIES).streams
    assert {s.id for s in streams if not s.classification_required} == ROUTINE
    assert {s.classification for s in streams} == {"required", "optional"}


def test_a_stream_requires_a_classification_unless_it_declares_otherwise(
    policy_dir: Path,
) -> None:
    entry = "  - id: health.beds\n    owner: health\n    schema: x.Y\n    description: d\n"
    extra = policy_dir / "extra.yaml"
    extra.write_text(f"streams:\n{entry}    steward: s\n")
    beds = load_policy(policy_dir).stream("health.beds")
    assert beds is not None and beds.classification == "required" and beds.classification_required
    extra.write_text(f"streams:\n{entry}    steward: s\n    classification: sometimes\n")
    with pytest.raises(ConfigError, match=r"extra.yaml:2: .*classification"):
        load_policy(policy_dir)
