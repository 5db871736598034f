"""Compiled plans, once per (policy version, grant, schema id), for every request after."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.policy.decision import Decision
from hub.policy.filters import RowCheck, category_of, district_of, published_at
from hub.policy.keys import MaskKeys
from hub.policy.model import Policy
from hub.policy.plan import OWNER_PLAN, ReadPlan, compile_plan


class PlanCache:
    def __init__(self, keys: MaskKeys) -> None:
        self._keys = keys
        self._plans: dict[tuple[str, str, int], ReadPlan] = {}
        self._version: str | None = None
        self._lock = threading.Lock()

    def plan(
        self, policy: Policy, decision: Decision, schema_id: int, schema_text: Callable[[], str]
    ) -> ReadPlan:
        """The plan for records of ``schema_id``; ``schema_text`` is asked only to compile."""
        grant = decision.grant
        if decision.owner or grant is None:
            return OWNER_PLAN
        cache_key = (policy.version, grant.id, schema_id)
        found = self._plans.get(cache_key)
        if found is not None:
            return found
        key = self._keys.key(grant.id) if any(m.method == "hash" for m in grant.masks) else None
        compiled = compile_plan(json.loads(schema_text()), grant, policy=policy, hash_key=key)
        with self._lock:
            if policy.version != self._version:
                # A reloaded policy's plans replace the old ones, which no request asks for
                # again once the requests begun under it have finished.
                self._plans = {k: v for k, v in self._plans.items() if k[0] == policy.version}
                self._version = policy.version
            return self._plans.setdefault(cache_key, compiled)


@dataclass(frozen=True, slots=True)
class EmergencyScope:
    """What one declared emergency opens through an emergency grant."""

    emergency_id: str
    category: str
    districts: frozenset[str] | None  # None: the whole city
    since: datetime


def emergency_scopes(decision: Decision) -> list[EmergencyScope]:
    """An emergency grant serves the emergency's own records: of its category, in the
    districts it covers (and, when the grant's condition names districts, only in those),
    that reached the hub no earlier than the condition's lookback before the declaration."""
    condition = decision.grant.emergency if decision.grant else None
    if condition is None:
        return []
    named = frozenset(condition.districts)
    scopes = []
    for emergency in decision.emergencies:
        covered = frozenset(emergency.districts) or None
        if named:
            covered = named if covered is None else covered & named
        since = emergency.declared_at - condition.lookback
        scopes.append(EmergencyScope(emergency.id, emergency.category, covered, since))
    return scopes


def emergency_rows(decision: Decision) -> RowCheck | None:
    """The records :func:`emergency_scopes` opens; None when no emergency is involved."""
    scopes = emergency_scopes(decision)
    if not scopes:
        return None

    def check(record: Mapping[str, Any]) -> bool:
        category, district = category_of(record), district_of(record)
        published = published_at(record)
        return published is not None and any(
            category == scope.category
            and (scope.districts is None or district in scope.districts)
            and published >= scope.since
            for scope in scopes
        )

    return check
