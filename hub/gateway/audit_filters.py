"""The filters of the audit log's read and export routes, parsed once for both."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import Depends, Query

from hub.audit.log import AuditQuery
from hub.errors import BadRequest
from hub.gateway.history_params import Moment


def _utc(value: datetime | None, name: str) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise BadRequest(f"{name} needs a time zone (say 2026-12-01T08:00:00+08:00 or ...Z)")
    return value.astimezone(UTC)


async def audit_filters(
    agency: Annotated[str | None, Query(max_length=64)] = None,
    client_id: Annotated[str | None, Query(max_length=64)] = None,
    stream: Annotated[str | None, Query(max_length=128)] = None,
    action: Annotated[str | None, Query(max_length=32, description="say events.read")] = None,
    decision: Literal["allow", "deny"] | None = None,
    purpose: Annotated[str | None, Query(max_length=64)] = None,
    emergency_id: Annotated[str | None, Query(max_length=64)] = None,
    request_id: Annotated[str | None, Query(max_length=64)] = None,
    review_required: Annotated[
        bool | None, Query(description="only reads an emergency grant allowed (true)")
    ] = None,
    since: Annotated[Moment | None, Query(description="rows at or after (RFC 3339)")] = None,
    until: Annotated[Moment | None, Query(description="rows before (RFC 3339)")] = None,
) -> AuditQuery:
    return AuditQuery(
        agency=agency,
        client_id=client_id,
        stream=stream,
        action=action,
        decision=decision,
        purpose=purpose,
        emergency_id=emergency_id,
        request_id=request_id,
        review_required=review_required,
        since=_utc(since, "since"),
        until=_utc(until, "until"),
    )


AuditFilters = Annotated[AuditQuery, Depends(audit_filters)]
