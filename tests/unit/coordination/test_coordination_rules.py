"""What the coordination figures are made of, without a database: targets and their
precedence, who counts as a receiver, exercises kept apart, nearest-rank figures, and
the delays as the console writes them."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from hub.archive.index import index_event
from hub.coordination.deliveries import Delivery
from hub.coordination.facts import Published
from hub.coordination.figures import median, p90
from hub.coordination.receivers import Receivers
from hub.coordination.report import pair_figures, split_exercises
from hub.errors import ConfigError
from hub.gateway.console.times import delay
from hub.policy.loader import load_policy
from tests.utils.policies import policy_folder

RULES = """
grants:
  - id: health-reads-reports
    reader: health
    stream: emergency.incident-report
    purpose: [response]
    why: hospitals prepare for casualties
  - id: guangming-reads-its-reports
    reader: guangming
    stream: emergency.incident-report
    filter: {districts: ["440311"]}
    why: the district responds to its own incidents
  - id: commerce-in-an-emergency
    reader: commerce
    stream: emergency.incident-report
    emergency: {categories: [ACCIDENT_DISASTER], level_at_least: II}
    why: relief supplies go where an emergency is declared
  - id: housing-reads-reports
    reader: housing
    stream: emergency.incident-report
    why: site inspections follow landslides
denies:
  - id: housing-not-reports
    reader: housing
    stream: emergency.incident-report
    why: a deny beats every grant, even in this test
targets:
  - stream: "emergency.*"
    first_read: PT1H
    acknowledged: PT2H
    why: everything of the bureau within the hour
  - stream: emergency.incident-report
    first_read: PT10M
    acknowledged: PT30M
    why: reports drive the first hour of a response
"""


@pytest.fixture
def policy(tmp_path: Path):
    return load_policy(policy_folder(tmp_path, RULES))


def _event(district: str | None, *, exercise: bool = False, incident: str = "INC-1") -> Published:
    return Published(
        event_id=f"e-{district}-{exercise}-{incident}",
        stream="emergency.incident-report",
        agency="emergency",
        published_ms=0,
        incident_id=incident,
        category="ACCIDENT_DISASTER",
        code=None,
        severity="II",
        district=district,
        sensitivity="RESTRICTED",
        exercise=exercise,
    )


def test_an_exact_target_wins_over_a_pattern_listed_before_it(policy) -> None:
    exact = policy.target_for("emergency.incident-report")
    assert exact is not None and exact.first_read == timedelta(minutes=10)
    pattern = policy.target_for("emergency.task-assignment")
    assert pattern is not None and pattern.acknowledged == timedelta(hours=2)
    assert policy.target_for("meteorology.warning") is None, "not measured"


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (
            "{stream: nobody.nothing, first_read: PT1M, acknowledged: PT2M, why: a typo here}",
            "not in the catalogue",
        ),
        (
            "{stream: meteorology.warning, first_read: PT0S, acknowledged: PT2M, why: zero wait}",
            "more than zero",
        ),
        (
            "{stream: meteorology.warning, first_read: P8D, acknowledged: P9D, why: far too long}",
            "at most 7 days",
        ),
        (
            "{stream: meteorology.warning, first_read: PT9M, acknowledged: PT2M, why: backwards!}",
            "sooner than first_read",
        ),
    ],
)
def test_a_bad_target_is_refused_with_its_reason(tmp_path: Path, target: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_policy(policy_folder(tmp_path, f"targets:\n  - {target}\n"))


def test_receivers_are_ordinary_readers_whose_filter_keeps_the_event(policy) -> None:
    receivers = Receivers(policy)
    assert receivers.of(_event("440304")) == ("health",)
    assert set(receivers.of(_event("440311"))) == {"health", "guangming"}
    # Commerce reads only in an emergency; housing is denied; emergency is the owner.
    assert not {"commerce", "housing", "emergency"} & set(receivers.of(_event("440311")))


def test_exercises_and_every_event_of_a_drill_are_kept_apart() -> None:
    events = [
        _event("440304"),
        _event("440305", exercise=True),
        _event("440306", incident="DRILL-1"),
        _event("440306", incident="INC-2"),
    ]
    real, exercise = split_exercises(events, drills={"DRILL-1"})
    assert [e.incident_id for e in real] == ["INC-1", "INC-2"]
    assert [(e.incident_id, e.exercise) for e in exercise] == [("INC-1", True), ("DRILL-1", False)]


def test_a_cap_status_other_than_actual_makes_an_exercise_even_without_the_flag() -> None:
    envelope = {
        "event_id": "x",
        "source_agency": "meteorology",
        "occurred_at": 0,
        "published_at": 0,
        "classification": {"category": "NATURAL_DISASTER"},
        "sensitivity": "PUBLIC",
    }
    assert not index_event({"envelope": envelope, "status": "Actual"}).exercise
    assert index_event({"envelope": envelope, "status": "Exercise"}).exercise
    assert index_event({"envelope": {**envelope, "exercise": True}}).exercise


def test_figures_are_delays_that_happened_by_nearest_rank() -> None:
    values = [5, 1, 3, 2, 4, 10, 9, 8, 7, 6]
    assert (median(values), p90(values)) == (5, 9)
    assert (median([7]), p90([7])) == (7, 7)
    assert median([]) is None and p90([]) is None


@pytest.mark.parametrize(
    ("ms", "text"),
    [
        (None, ""),
        (850, "850 ms"),
        (42_000, "42 s"),
        (185_000, "3 min 05 s"),
        (600_000, "10 min"),
        (7_800_000, "2 h 10 min"),
        (7_200_000, "2 h"),
    ],
)
def test_a_delay_reads_as_a_person_would_say_it(ms: int | None, text: str) -> None:
    assert delay(ms) == text


def test_a_pair_meets_its_target_unless_p90_or_a_late_straggler_misses_it(policy) -> None:
    minute = 60_000
    now = 100 * minute

    def delivery(published: int, read: int | None, ack: int | None, n: int) -> Delivery:
        event = replace(_event("440304", incident=f"INC-{n}"), published_ms=published)
        return Delivery(event, "health", read, {"received": ack} if ack is not None else {})

    quick = [delivery(0, 2 * minute, 5 * minute, n) for n in range(9)]
    # Published a minute ago and not read yet: not late, the target has not passed.
    fresh = delivery(now - minute, None, None, 99)
    (pair,) = pair_figures(policy, [*quick, fresh], now)
    assert (pair.figures.deliveries, pair.figures.read, pair.figures.acknowledged) == (10, 9, 9)
    assert (pair.figures.read_p90_ms, pair.figures.ack_p90_ms) == (2 * minute, 5 * minute)
    assert pair.read_met is True and pair.ack_met is True
    stale = delivery(0, None, None, 98)  # an hour and more: past both targets
    (pair,) = pair_figures(policy, [*quick, stale], now)
    assert (pair.unread_late, pair.unacked_late) == (1, 1)
    assert pair.read_met is False and pair.ack_met is False
    slow = [delivery(0, 20 * minute, 25 * minute, n) for n in range(3)]
    (pair,) = pair_figures(policy, [*quick[:7], *slow], now)
    assert pair.figures.read_p90_ms == 20 * minute and pair.read_met is False, "p90 over 10 minutes"
    assert pair.ack_met is True, "25 minutes is within the 30-minute target"


def test_an_unclassified_event_reaches_no_reader_whose_filter_names_a_category(
    tmp_path: Path,
) -> None:
    policy = load_policy(
        policy_folder(
            tmp_path,
            "grants:\n"
            "  - id: transportation-reads-accidents\n"
            "    reader: transportation\n"
            "    stream: emergency.incident-report\n"
            "    filter: {categories: [ACCIDENT_DISASTER]}\n"
            "    why: detours around the scenes of accidents\n",
        )
    )
    classified = _event("440311")
    unclassified = replace(classified, category=None)
    assert unclassified.as_record()["envelope"]["classification"] is None
    assert Receivers(policy).of(classified) == ("transportation",)
    assert Receivers(policy).of(unclassified) == (), "deny by default: no category, no match"
