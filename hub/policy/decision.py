"""Who may do what: deny unless a grant (or ownership) says otherwise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from hub.policy.model import Grant, Policy


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    reason: str
    grant_id: str | None = None


def decide(
    policy: Policy, *, agency: str, stream: str, action: str, now: datetime | None = None
) -> Decision:
    """Decide whether ``agency`` may perform ``action`` on ``stream`` at ``now``."""
    now = now or datetime.now(UTC)
    catalogue_entry = policy.stream(stream)
    if catalogue_entry is None:
        return Decision(False, f"stream {stream} is not in the catalogue")
    if catalogue_entry.owner == agency:
        return Decision(True, f"{agency} owns {stream}")
    lapsed: Grant | None = None
    for grant in policy.grants_for(agency, stream):
        if action not in grant.actions:
            continue
        if _in_force(grant, now):
            return Decision(True, f"grant {grant.id}", grant.id)
        lapsed = grant
    if lapsed is not None:
        return Decision(False, f"grant {lapsed.id} is not in force now")
    return Decision(False, f"no grant lets {agency} {action} {stream}")


def readable_streams(policy: Policy, *, agency: str, now: datetime | None = None) -> list[str]:
    return [
        s.id
        for s in policy.streams
        if decide(policy, agency=agency, stream=s.id, action="read", now=now).allowed
    ]


def _in_force(grant: Grant, now: datetime) -> bool:
    if grant.valid_from is not None and now < grant.valid_from:
        return False
    return grant.valid_until is None or now < grant.valid_until
