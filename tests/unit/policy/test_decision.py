"""The decision engine on a small policy of its own: groups, patterns, denies, purposes,
validity windows and emergency grants."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hub.policy.decision import decide, readable_streams
from hub.policy.emergency import DeclaredEmergency
from hub.policy.loader import load_policy
from hub.policy.model import Policy
from hub.policy.plan_cache import emergency_rows
from tests.utils.policies import policy_folder

SHIPPED = Path(__file__).resolve().parents[3] / "policies"
NOW = datetime(2026, 7, 1, 12, tzinfo=UTC)
RULES = """
groups:
  - id: responders
    name: {en: Responders, zh: 救援}
    members: [health, public-security]
grants:
  - id: responders-read-slopes
    reader: responders
    stream: housing.slope-monitoring
    purposes: [response]
    why: responders watch slopes that may fail
  - id: health-reads-commerce
    reader: health
    stream: commerce.*
    purposes: [supply, planning]
    why: hospitals plan supplies with commerce
  - id: housing-reads-warnings-in-july
    reader: housing
    stream: meteorology.warning
    why: a rainy-season trial of warning feeds
    valid_from: 2026-07-01T00:00:00+08:00
    valid_until: 2026-08-01T00:00:00+08:00
  - id: transportation-reads-incidents-in-emergencies
    reader: transportation
    stream: emergency.incident-report
    purposes: [detours]
    why: detours around the scenes of a declared emergency
    emergency:
      categories: [NATURAL_DISASTER]
      level_at_least: II
      districts: ["440311", "440306"]
      max_duration: PT12H
  - id: public-security-reads-casualties
    reader: public-security
    stream: health.casualty-transfer
    why: identifying victims with families
denies:
  - id: no-casualties-for-police
    reader: public-security
    stream: health.casualty-transfer
    why: medical records stay with health
"""


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> Policy:
    return load_policy(policy_folder(tmp_path_factory.mktemp("policy"), RULES))


def stream(policy: Policy, stream_id: str):
    entry = policy.stream(stream_id)
    assert entry is not None
    return entry


def emergency(**changes: object) -> DeclaredEmergency:
    fields: dict[str, object] = {
        "id": "e1",
        "category": "NATURAL_DISASTER",
        "level": "II",
        "districts": ("440311",),
        "declared_at": NOW - timedelta(hours=1),
        "expires_at": NOW + timedelta(days=3),
    }
    fields.update(changes)
    return DeclaredEmergency(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("agency", "stream_id", "purpose", "allowed", "reason"),
    [
        ("health", "housing.slope-monitoring", None, True, "grant responders-read-slopes"),
        ("public-security", "housing.slope-monitoring", "response", True, "responders-read-slopes"),
        ("commerce", "housing.slope-monitoring", None, False, "no grant lets commerce read"),
        ("health", "commerce.supplies-dispatch", "supply", True, "grant health-reads-commerce"),
        ("health", "commerce.supplies-inventory", "planning", True, "grant health-reads-commerce"),
        (
            "health",
            "commerce.supplies-inventory",
            None,
            False,
            "no purpose was named; name one grant health-reads-commerce allows: supply, planning",
        ),
        (
            "health",
            "commerce.supplies-inventory",
            "curiosity",
            False,
            "purpose 'curiosity' is not one grant health-reads-commerce allows: supply, planning",
        ),
        ("health", "housing.slope-monitoring", "response", True, "responders-read-slopes"),
        ("health", "housing.slope-monitoring", "fun", False, "allows: response"),
        (
            "public-security",
            "health.casualty-transfer",
            None,
            False,
            "deny no-casualties-for-police",
        ),
        ("health", "health.casualty-transfer", "anything", True, "health owns"),
        ("housing", "meteorology.warning", None, True, "grant housing-reads-warnings-in-july"),
    ],
)
def test_decisions(
    policy: Policy, agency: str, stream_id: str, purpose: str | None, allowed: bool, reason: str
) -> None:
    decision = decide(
        policy,
        agency=agency,
        stream=stream(policy, stream_id),
        action="read",
        purpose=purpose,
        now=NOW,
    )
    assert decision.allowed == allowed, decision.reason
    assert reason in decision.reason


def test_a_single_purpose_is_the_default_and_the_decision_names_it(policy: Policy) -> None:
    decision = decide(
        policy,
        agency="health",
        stream=stream(policy, "housing.slope-monitoring"),
        action="read",
        now=NOW,
    )
    assert (decision.purpose, decision.grant_id) == ("response", "responders-read-slopes")


def test_validity_windows_are_honoured(policy: Policy) -> None:
    warning = stream(policy, "meteorology.warning")
    later = datetime(2026, 8, 2, tzinfo=UTC)
    assert not decide(policy, agency="housing", stream=warning, action="read", now=later).allowed


def test_only_the_owner_publishes(policy: Policy) -> None:
    slopes = stream(policy, "housing.slope-monitoring")
    assert decide(policy, agency="housing", stream=slopes, action="publish", now=NOW).allowed
    refused = decide(policy, agency="health", stream=slopes, action="publish", now=NOW)
    assert (refused.allowed, refused.reason) == (
        False,
        "only housing publishes to housing.slope-monitoring",
    )


@pytest.mark.parametrize(
    ("declared", "allowed"),
    [
        ((), False),
        ((emergency(),), True),
        ((emergency(level="I"),), True),
        ((emergency(level="III"),), False),
        ((emergency(category="PUBLIC_HEALTH"),), False),
        ((emergency(districts=("440303",)),), False),
        ((emergency(districts=()),), True),  # the whole city
        ((emergency(closed_at=NOW - timedelta(minutes=1)),), False),
        ((emergency(expires_at=NOW - timedelta(minutes=1)),), False),
        ((emergency(declared_at=NOW - timedelta(hours=13)),), False),  # past max_duration
        ((emergency(level="III"), emergency(id="e2", level="II")), True),
    ],
)
def test_an_emergency_grant_is_in_force_only_while_a_matching_emergency_is(
    policy: Policy, declared: tuple[DeclaredEmergency, ...], allowed: bool
) -> None:
    decision = decide(
        policy,
        agency="transportation",
        stream=stream(policy, "emergency.incident-report"),
        action="read",
        emergencies=declared,
        now=NOW,
    )
    assert decision.allowed == allowed, decision.reason
    assert decision.review_required == allowed
    if not allowed and not declared:
        assert "no matching emergency" in decision.reason


def test_an_ordinary_grant_is_preferred_to_an_emergency_grant(
    policy: Policy, tmp_path: Path
) -> None:
    policy_folder(tmp_path, RULES)
    (tmp_path / "more.yaml").write_text(
        "grants:\n"
        "  - id: transportation-reads-incidents\n"
        "    reader: transportation\n"
        "    stream: emergency.incident-report\n"
        "    purposes: [detours]\n"
        "    why: detours around every incident\n",
        encoding="utf-8",
    )
    both = load_policy(tmp_path)
    decision = decide(
        both,
        agency="transportation",
        stream=stream(both, "emergency.incident-report"),
        action="read",
        emergencies=(emergency(),),
        now=NOW,
    )
    assert decision.grant_id == "transportation-reads-incidents"
    assert not decision.review_required


def test_the_catalogue_lists_what_an_emergency_opens_and_what_a_purpose_would(
    policy: Policy,
) -> None:
    quiet = {s.id for s in readable_streams(policy, agency="transportation", now=NOW)}
    assert "emergency.incident-report" not in quiet
    during = readable_streams(policy, agency="transportation", emergencies=(emergency(),), now=NOW)
    assert "emergency.incident-report" in {s.id for s in during}
    health = {s.id for s in readable_streams(policy, agency="health", now=NOW)}
    assert {"commerce.supplies-inventory", "health.casualty-transfer"} <= health


def test_the_policy_version_follows_the_files(tmp_path: Path) -> None:
    shutil.copytree(SHIPPED, tmp_path / "p")
    first = load_policy(tmp_path / "p").version
    assert load_policy(tmp_path / "p").version == first
    with (tmp_path / "p" / "agencies.yaml").open("a", encoding="utf-8") as handle:
        handle.write("# a comment changes the version too\n")
    assert load_policy(tmp_path / "p").version != first


@pytest.mark.parametrize(
    ("declared_over", "served"),
    [
        ((), {"440311", "440306"}),  # the whole city: the condition's districts
        (("440311", "440303"), {"440311"}),  # both: only where they meet
        (("440306",), {"440306"}),
    ],
)
def test_an_emergency_grant_serves_the_districts_its_emergency_and_condition_share(
    policy: Policy, declared_over: tuple[str, ...], served: set[str]
) -> None:
    decision = decide(
        policy,
        agency="transportation",
        stream=stream(policy, "emergency.incident-report"),
        action="read",
        emergencies=(emergency(districts=declared_over),),
        now=NOW,
    )
    assert decision.allowed
    check = emergency_rows(decision)
    assert check is not None
    codes = ("440311", "440306", "440303", "440305")
    kept = {c for c in codes if check(report(district=c))}
    assert kept == served


def report(
    *, district: str = "440311", category: str = "NATURAL_DISASTER", published: datetime = NOW
) -> dict[str, object]:
    return {
        "envelope": {
            "area": {"district_code": district},
            "classification": {"category": category},
            "published_at": published,
        }
    }


def test_an_emergency_grant_serves_only_the_emergency_s_own_records(policy: Policy) -> None:
    declared = emergency(declared_at=NOW - timedelta(hours=1))
    decision = decide(
        policy,
        agency="transportation",
        stream=stream(policy, "emergency.incident-report"),
        action="read",
        emergencies=(declared,),
        now=NOW,
    )
    check = emergency_rows(decision)
    assert check is not None
    assert check(report())
    # Another kind of emergency in the same district is not this one's.
    assert not check(report(category="ACCIDENT_DISASTER"))
    # Nor is a record that names no kind of emergency at all.
    unclassified = report()
    unclassified["envelope"]["classification"] = None  # type: ignore[index]
    assert not check(unclassified)
    # The stream's history is not opened: the lookback (a day by default) bounds it.
    assert check(report(published=declared.declared_at - timedelta(hours=23)))
    assert not check(report(published=declared.declared_at - timedelta(hours=25)))
    # A record that says nothing of when it reached the hub is not served.
    undated = report()
    del undated["envelope"]["published_at"]  # type: ignore[attr-defined]
    assert not check(undated)


def test_no_deny_locks_an_owner_out_of_its_own_stream(tmp_path: Path) -> None:
    freeze = (
        "denies:\n"
        "  - id: nobody-reads-slopes\n"
        "    reader: '*'\n"
        "    stream: housing.slope-monitoring\n"
        "    why: a freeze while the sensors are recalibrated\n"
    )
    frozen = load_policy(policy_folder(tmp_path, freeze, name="denies.yaml"))
    slopes = stream(frozen, "housing.slope-monitoring")
    assert decide(frozen, agency="housing", stream=slopes, action="read", now=NOW).allowed
    refused = decide(frozen, agency="health", stream=slopes, action="read", now=NOW)
    assert (refused.allowed, refused.reason.split(":")[0]) == (False, "deny nobody-reads-slopes")
