"""Compiled plans, once per (policy version, grant, schema id), for every request after."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

from hub.policy.decision import Decision
from hub.policy.filters import RowCheck, district_of
from hub.policy.keys import MaskKeys
from hub.policy.model import Policy
from hub.policy.plan import OWNER_PLAN, ReadPlan, compile_plan


class PlanCache:
    def __init__(self, keys: MaskKeys) -> None:
        self._keys = keys
        self._plans: dict[tuple[str, str, int], ReadPlan] = {}
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
            return self._plans.setdefault(cache_key, compiled)


def emergency_rows(decision: Decision) -> RowCheck | None:
    """An emergency grant serves only what lies in the districts its emergencies cover,
    and, when its condition names districts, only in those of them."""
    if not decision.emergencies:
        return None
    covered: set[str] | None
    if any(not e.districts for e in decision.emergencies):
        covered = None  # one of them covers the whole city
    else:
        covered = {d for e in decision.emergencies for d in e.districts}
    condition = decision.grant.emergency if decision.grant else None
    if condition is not None and condition.districts:
        named = set(condition.districts)
        covered = named if covered is None else covered & named
    if covered is None:
        return None
    return lambda record: district_of(record) in covered
