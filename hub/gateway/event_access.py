"""Access decisions for what is asked by incident or by event rather than by stream.

A timeline spans streams, so its decision is one per stream the caller may read, made
in one dependency and recorded as one audit row. An acknowledgement is for an agency
that may read the event itself (its grant, and the grant's row filter); the answer to
anyone else is the same 404 as for an event that does not exist, so refusals do not
tell which events exist. Every route that uses these depends on exactly one of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Path

from hub.archive.history import ArchivedRow, History
from hub.errors import Forbidden, NotFound
from hub.gateway.auditing import AuditTrail
from hub.gateway.deps import (
    CallerDep,
    EmergenciesDep,
    EventsDep,
    HistoryDep,
    PoliciesDep,
    PurposeDep,
    ServicesDep,
    TrailDep,
    declared_now,
    require_scope,
)
from hub.gateway.history_params import INCIDENT
from hub.identity import AUDIT_READ, STREAMS_READ, Caller
from hub.policy.decision import StreamAccess, decide
from hub.policy.model import Policy

EVENT_ID = r"^[0-9a-fA-F-]{32,36}$"
IncidentParam = Annotated[str, Path(pattern=INCIDENT, description="the incident id")]
EventIdParam = Annotated[str, Path(pattern=EVENT_ID, description="an event's envelope.event_id")]


@dataclass(frozen=True, slots=True)
class IncidentAccess:
    caller: Caller
    incident: str
    purpose: str | None
    #: Stream id -> the decision that lets the caller read it.
    streams: dict[str, StreamAccess]
    policy: Policy


async def incident_access(
    incident_id: IncidentParam,
    caller: CallerDep,
    purpose: PurposeDep,
    policies: PoliciesDep,
    emergencies: EmergenciesDep,
    trail: TrailDep,
) -> IncidentAccess:
    """Every stream the caller may read for ``purpose``; those it may not are left out."""
    require_scope(caller, STREAMS_READ, trail)
    policy = policies.current
    trail.purpose, trail.policy_version = purpose, policy.version
    trail.resource = f"incident={incident_id}"
    declared = await declared_now(emergencies)
    readable: dict[str, StreamAccess] = {}
    for stream in policy.streams:
        decision = decide(
            policy,
            agency=caller.agency,
            stream=stream,
            action="read",
            purpose=purpose,
            emergencies=declared,
        )
        if decision.allowed:
            readable[stream.id] = StreamAccess(caller, stream, decision, policy)
    grants = sorted({a.decision.grant_id for a in readable.values() if a.decision.grant_id})
    trail.allow(f"{len(readable)} streams readable: {', '.join(sorted(readable)) or 'none'}")
    trail.grant_id = ",".join(grants)[:128] or None
    used = sorted({e.id for a in readable.values() for e in a.decision.emergencies})
    if used:
        trail.emergency_id = ",".join(used)
        trail.review_required = True
    return IncidentAccess(caller, incident_id, purpose, readable, policy)


@dataclass(frozen=True, slots=True)
class EventAccess:
    access: StreamAccess
    row: ArchivedRow


def _archived(history: History, event_id: str, trail: AuditTrail) -> ArchivedRow:
    trail.resource = f"event={event_id}"
    row = history.event(event_id)
    if row is None:
        reason = f"no archived event {event_id}"
        trail.deny(reason)
        raise NotFound(reason)
    trail.stream = row.stream
    return row


def event_reader(
    event_id: EventIdParam,
    caller: CallerDep,
    purpose: PurposeDep,
    services: ServicesDep,
    history: HistoryDep,
    pages: EventsDep,
    trail: TrailDep,
) -> EventAccess:
    """The caller's agency may read this very event: by a grant, within its row filter."""
    require_scope(caller, STREAMS_READ, trail)
    row = _archived(history, event_id, trail)
    policy = services.policies.current
    trail.policy_version = policy.version
    stream = policy.stream(row.stream)
    hidden = NotFound(f"no archived event {event_id}")
    if stream is None:
        trail.deny(f"stream {row.stream} is no longer in the catalogue")
        raise hidden
    decision = decide(
        policy,
        agency=caller.agency,
        stream=stream,
        action="read",
        purpose=purpose,
        emergencies=services.emergencies.in_force(),
    )
    if not decision.allowed:
        trail.deny(decision.reason)
        raise hidden
    access = StreamAccess(caller, stream, decision, policy)
    if not pages.visible(access, row):
        trail.deny(f"{decision.reason}: its row filter keeps this event out")
        raise hidden
    trail.allow(decision.reason)
    trail.purpose, trail.grant_id = decision.purpose, decision.grant_id
    return EventAccess(access, row)


def ack_viewer(
    event_id: EventIdParam,
    caller: CallerDep,
    services: ServicesDep,
    history: HistoryDep,
    trail: TrailDep,
) -> ArchivedRow:
    """Who received and acknowledged an event is for the agency that published it, the
    agencies that coordinate the response, and auditors."""
    row = _archived(history, event_id, trail)
    policy = services.policies.current
    stream = policy.stream(row.stream)
    agency = policy.agency(caller.agency)
    if stream is not None and stream.owner == caller.agency:
        trail.allow(f"{caller.agency} published {row.stream}")
    elif agency is not None and agency.declares_emergencies:
        trail.allow(f"{caller.agency} coordinates the response")
    elif AUDIT_READ in caller.scopes:
        trail.allow(f"scope {AUDIT_READ}")
    else:
        reason = (
            "acknowledgements are shown to the publishing agency, the coordinating agency "
            f"and auditors; {caller.agency} is none of them"
        )
        trail.deny(reason)
        raise Forbidden(reason)
    return row


IncidentAccessDep = Annotated[IncidentAccess, Depends(incident_access)]
EventReader = Annotated[EventAccess, Depends(event_reader)]
AckViewer = Annotated[ArchivedRow, Depends(ack_viewer)]

#: The access dependencies defined here, for the test that every route uses one.
EVENT_ACCESS: tuple[Callable[..., Any], ...] = (incident_access, event_reader, ack_viewer)
