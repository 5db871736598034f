"""Who may do what: deny unless a grant (or ownership) says otherwise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from hub.identity import Caller
from hub.policy.model import Grant, Policy, Stream


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    reason: str
    grant_id: str | None = None


@dataclass(frozen=True, slots=True)
class StreamAccess:
    """A caller allowed to act on one catalogue entry, and the decision that allowed it."""

    caller: Caller
    stream: Stream
    decision: Decision


def decide(
    policy: Policy, *, agency: str, stream: Stream, action: str, now: datetime | None = None
) -> Decision:
    """Decide whether ``agency`` may perform ``action`` on ``stream`` at ``now``.

    The caller has already found ``stream`` in the catalogue: an unknown stream is the
    caller's 404, not a decision.
    """
    now = now or datetime.now(UTC)
    if stream.owner == agency:
        return Decision(True, f"{agency} owns {stream.id}")
    lapsed: Grant | None = None
    for grant in policy.grants_for(agency, stream.id):
        if action not in grant.actions:
            continue
        if _in_force(grant, now):
            return Decision(True, f"grant {grant.id}", grant.id)
        lapsed = grant
    if lapsed is not None:
        return Decision(False, f"grant {lapsed.id} is not in force now")
    return Decision(False, f"no grant lets {agency} {action} {stream.id}")


def readable_streams(policy: Policy, *, agency: str, now: datetime | None = None) -> list[Stream]:
    """The catalogue entries ``agency`` may read, in catalogue order."""
    return [
        s
        for s in policy.streams
        if decide(policy, agency=agency, stream=s, action="read", now=now).allowed
    ]


def _in_force(grant: Grant, now: datetime) -> bool:
    if grant.valid_from is not None and now < grant.valid_from:
        return False
    return grant.valid_until is None or now < grant.valid_until
