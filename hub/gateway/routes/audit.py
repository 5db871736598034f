"""The audit log, for clients holding the ``audit:read`` scope."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from hub.audit.log import AuditQuery
from hub.gateway.deps import AuditLogDep, AuditReader, TrailDep
from hub.gateway.views import AuditEntryView, AuditPage

router = APIRouter(prefix="/v1/audit", tags=["audit"])


@router.get("", name="audit.read", response_model=AuditPage)
def read_audit(
    request: Request,
    caller: AuditReader,
    audit_log: AuditLogDep,
    trail: TrailDep,
    after: Annotated[int, Query(ge=0, description="return entries with a larger id")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    agency: Annotated[str | None, Query(max_length=64)] = None,
    client_id: Annotated[str | None, Query(max_length=64)] = None,
    stream: Annotated[str | None, Query(max_length=128)] = None,
    decision: Literal["allow", "deny"] | None = None,
    review_required: Annotated[
        bool | None, Query(description="only reads an emergency grant allowed (true)")
    ] = None,
) -> AuditPage:
    """Decisions in the order they were made; reading the log is itself audited."""
    rows = audit_log.query(
        AuditQuery(
            after_id=after,
            limit=limit,
            agency=agency,
            client_id=client_id,
            stream=stream,
            decision=decision,
            review_required=review_required,
        )
    )
    trail.stream = stream
    trail.served(len(rows))
    entries = [AuditEntryView.of(row) for row in rows]
    next_link = None
    if len(entries) == limit:
        params = request.query_params.multi_items()
        kept = "&".join(f"{k}={v}" for k, v in params if k != "after")
        next_link = f"/v1/audit?after={entries[-1].id}" + (f"&{kept}" if kept else "")
    return AuditPage(entries=entries, next=next_link)
