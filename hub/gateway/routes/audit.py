"""The audit log, for clients holding the ``audit:read`` scope."""

from __future__ import annotations

import dataclasses
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request

from hub.gateway.audit_filters import AuditFilters
from hub.gateway.deps import ROW_MAX, AuditLogDep, AuditReader, TrailDep
from hub.gateway.views import AuditEntryView, AuditPage

router = APIRouter(prefix="/v1/audit", tags=["audit"])


@router.get("", name="audit.read", response_model=AuditPage)
def read_audit(
    request: Request,
    caller: AuditReader,
    audit_log: AuditLogDep,
    trail: TrailDep,
    filters: AuditFilters,
    after: Annotated[int, Query(ge=-1, le=ROW_MAX, description="rows with a larger seq")] = -1,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditPage:
    """Decisions in the order they were made (by seq); reading the log is itself audited."""
    rows = audit_log.query(dataclasses.replace(filters, after=after, limit=limit))
    trail.stream = filters.stream
    trail.served(len(rows))
    entries = [AuditEntryView.of(row) for row in rows]
    next_link = None
    if len(entries) == limit:
        kept = [(k, v) for k, v in request.query_params.multi_items() if k != "after"]
        next_link = "/v1/audit?" + urlencode([("after", entries[-1].seq), *kept])
    return AuditPage(entries=entries, next=next_link)
