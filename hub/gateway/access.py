"""What a caller will see of a stream: the grant, the purpose, the filter and the masks.

Shown with the catalogue entry, so an integrator knows before reading which fields
come masked and why some records never come at all.
"""

from __future__ import annotations

from typing import Any

from hub.policy.decision import StreamAccess
from hub.policy.plan_cache import PlanCache, emergency_scopes
from hub.registry.cache import SchemaCache
from hub.registry.service import RegistryService


def describe_access(
    access: StreamAccess, *, registry: RegistryService, schemas: SchemaCache, plans: PlanCache
) -> dict[str, Any]:
    decision = access.decision
    grant = decision.grant
    view: dict[str, Any] = {
        "basis": "owner"
        if decision.owner
        else ("emergency grant" if decision.emergencies else "grant"),
        "grant": decision.grant_id,
        "why": grant.why if grant else f"{access.stream.owner} owns the stream",
        "purpose": decision.purpose,
        "purposes": list(grant.purposes) if grant else [],
        "filter": grant.filter.model_dump(exclude_defaults=True) if grant else {},
        "emergencies": [e.id for e in decision.emergencies],
        # What each of them opens: the emergency's own records only.
        "emergency_scope": [
            {
                "emergency": scope.emergency_id,
                "category": scope.category,
                "districts": sorted(scope.districts) if scope.districts is not None else None,
                "published_since": scope.since.isoformat(),
            }
            for scope in emergency_scopes(decision)
        ],
        "masked": [],
    }
    latest = registry.latest(access.stream.subject)
    if latest is not None:
        compiled = schemas(latest.schema_id)
        plan = plans.plan(access.policy, decision, latest.schema_id, lambda: compiled.text)
        view["masked"] = list(plan.masked)
    return view
