"""Write the audit row for the request being served; every route and guard calls this."""

from __future__ import annotations

from fastapi import Request

from hub.audit.log import ALLOW, DENY, AuditEntry
from hub.gateway.auth.tokens import Caller
from hub.telemetry import current_trace_id


def action_of(request: Request) -> str:
    route = request.scope.get("route")
    return str(getattr(route, "name", None) or request.url.path)


def audit(
    request: Request,
    *,
    allowed: bool,
    reason: str,
    status: int,
    caller: Caller | None = None,
    client_id: str | None = None,
    stream: str | None = None,
    records: int = 0,
    action: str | None = None,
) -> None:
    """Record one decision; raises ``AuditUnavailable`` (503) if the row cannot be written."""
    runtime = request.app.state.runtime
    runtime.audit.record(
        AuditEntry(
            request_id=getattr(request.state, "request_id", "-"),
            action=action or action_of(request),
            decision=ALLOW if allowed else DENY,
            reason=reason,
            status=status,
            client_id=caller.client_id if caller else client_id,
            agency=caller.agency if caller else None,
            stream=stream or request.path_params.get("stream"),
            records=records,
            trace_id=current_trace_id(),
        )
    )
