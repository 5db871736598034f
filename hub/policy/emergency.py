"""Emergencies as the decision engine sees them, and when one switches an emergency grant on.

The declarations themselves are stored and served elsewhere; this module is pure, so
that the decision stays a function of the policy, the request and the emergencies in
force.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hub.policy.rules import EmergencyCondition
from hub.policy.vocabulary import at_least


@dataclass(frozen=True, slots=True)
class DeclaredEmergency:
    """One declaration: what kind, how grave, where (no districts: the whole city), and
    for how long."""

    id: str
    category: str
    level: str
    districts: tuple[str, ...]
    declared_at: datetime
    expires_at: datetime
    closed_at: datetime | None = None

    def in_force(self, now: datetime) -> bool:
        return self.closed_at is None and self.declared_at <= now < self.expires_at


def activates(condition: EmergencyCondition, emergency: DeclaredEmergency, now: datetime) -> bool:
    """Does ``emergency`` switch on a grant with ``condition`` at ``now``?"""
    if not emergency.in_force(now):
        return False
    if emergency.category not in condition.categories:
        return False
    if not at_least(emergency.level, condition.level_at_least):
        return False
    # An emergency over no named district covers the whole city.
    covered = set(emergency.districts)
    if condition.districts and covered and not set(condition.districts) & covered:
        return False
    return now < emergency.declared_at + condition.max_duration
