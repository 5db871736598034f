"""Who may do what: deny unless a grant (or ownership) says otherwise; denies beat grants.

The decision is a function of the policy, the request (agency, stream, action,
purpose) and the emergencies in force; it names the grant that allowed the request,
or the reason it was refused, so the audit row can say exactly why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from hub.identity import Caller
from hub.policy.emergency import DeclaredEmergency, activates
from hub.policy.model import Policy, Stream
from hub.policy.rules import Grant


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    reason: str
    grant: Grant | None = None
    purpose: str | None = None
    #: The emergencies that switched an emergency grant on; its reads are reviewed.
    emergencies: tuple[DeclaredEmergency, ...] = ()
    owner: bool = False
    #: What the caller would have to name: the grant's purposes, when it named another.
    purposes: tuple[str, ...] = ()

    @property
    def grant_id(self) -> str | None:
        return self.grant.id if self.grant else None

    @property
    def review_required(self) -> bool:
        return bool(self.emergencies)


@dataclass(frozen=True, slots=True)
class StreamAccess:
    """A caller allowed to act on one catalogue entry, the decision that allowed it, and
    the policy it was made under (plans are compiled against that same policy)."""

    caller: Caller
    stream: Stream
    decision: Decision
    policy: Policy


def decide(
    policy: Policy,
    *,
    agency: str,
    stream: Stream,
    action: str,
    purpose: str | None = None,
    emergencies: Sequence[DeclaredEmergency] = (),
    now: datetime | None = None,
) -> Decision:
    """Decide whether ``agency`` may perform ``action`` on ``stream`` for ``purpose``.

    The caller has already found ``stream`` in the catalogue: an unknown stream is the
    caller's 404, not a decision.
    """
    now = now or datetime.now(UTC)
    # An owner always reads (and alone publishes) its own streams; no deny locks it out.
    if stream.owner == agency:
        return Decision(True, f"{agency} owns {stream.id}", purpose=purpose, owner=True)
    for deny in policy.denies_for(agency, stream.id):
        if action in deny.actions:
            return Decision(False, f"deny {deny.id}: {deny.why}")
    if action == "publish":
        return Decision(False, f"only {stream.owner} publishes to {stream.id}")
    refusals: list[Decision] = []
    # Ordinary grants first: an emergency grant is used only when nothing else allows.
    candidates = [g for g in policy.grants_for(agency, stream.id) if action in g.actions]
    for grant in sorted(candidates, key=lambda g: g.emergency is not None):
        outcome = _try(grant, purpose, emergencies, now)
        if outcome.allowed:
            return outcome
        refusals.append(outcome)
    if refusals:
        # The most telling refusal: a wrong purpose, then a dormant emergency grant.
        return min(refusals, key=lambda d: 0 if d.purposes else 1)
    return Decision(False, f"no grant lets {agency} {action} {stream.id}")


def _try(
    grant: Grant, purpose: str | None, emergencies: Sequence[DeclaredEmergency], now: datetime
) -> Decision:
    if not grant.in_force(now):
        return Decision(False, f"grant {grant.id} is not in force now")
    active: tuple[DeclaredEmergency, ...] = ()
    if grant.emergency is not None:
        condition = grant.emergency
        active = tuple(e for e in emergencies if activates(condition, e, now))
        if not active:
            return Decision(
                False, f"emergency grant {grant.id} is not in force: no matching emergency"
            )
    chosen = purpose
    if grant.purposes:
        if purpose is None and len(grant.purposes) == 1:
            chosen = grant.purposes[0]
        elif purpose not in grant.purposes:
            allowed = ", ".join(grant.purposes)
            asked = f"purpose {purpose!r} is not" if purpose else "no purpose was named; name"
            return Decision(
                False,
                f"{asked} one grant {grant.id} allows: {allowed}",
                purposes=grant.purposes,
            )
    reason = f"grant {grant.id}"
    if active:
        reason += f" (emergency {', '.join(e.id for e in active)})"
    return Decision(True, reason, grant=grant, purpose=chosen, emergencies=active)


def readable_streams(
    policy: Policy,
    *,
    agency: str,
    emergencies: Sequence[DeclaredEmergency] = (),
    now: datetime | None = None,
) -> list[Stream]:
    """The catalogue entries ``agency`` may read for some purpose, in catalogue order."""
    return [s for s in policy.streams if _readable(policy, agency, s, emergencies, now)]


def _readable(
    policy: Policy,
    agency: str,
    stream: Stream,
    emergencies: Sequence[DeclaredEmergency],
    now: datetime | None,
) -> bool:
    decision = decide(
        policy, agency=agency, stream=stream, action="read", emergencies=emergencies, now=now
    )
    # Refused only for want of a purpose: the stream is readable with the right one.
    return decision.allowed or bool(decision.purposes)
