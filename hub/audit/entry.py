"""What one audit row says, and the values it is stored (and hashed) with."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from hub.store.models import AuditRow

ALLOW = "allow"
DENY = "deny"

#: The longest reason kept; the rest of a very long one says nothing an auditor needs.
REASON_MAX = 2000


@dataclass(frozen=True, slots=True)
class AuditEntry:
    request_id: str
    action: str
    decision: str
    reason: str
    status: int
    client_id: str | None = None
    agency: str | None = None
    stream: str | None = None
    resource: str | None = None
    records: int = 0
    trace_id: str | None = None
    purpose: str | None = None
    grant_id: str | None = None
    policy_version: str | None = None
    masked: tuple[str, ...] = ()
    emergency_id: str | None = None
    review_required: bool = False
    at: datetime = field(default_factory=lambda: datetime.now(UTC))


#: The length each text column holds (the reason's is ours; Text has none).
_LENGTHS = {
    column.name: getattr(column.type, "length", None) or REASON_MAX
    for column in AuditRow.__table__.columns
}


def _fit(value: str | None, column: str) -> str | None:
    """A value as its column can hold it.

    Much of a row is what the caller sent (a stream id in the path, the client id a
    refused request claimed); PostgreSQL refuses a NUL byte or a string longer than its
    column, and a row that cannot be written refuses the request. So the row keeps
    what fits, and marks a NUL, rather than losing the request's trace. The hash is
    made of the stored values, so it checks against what the database holds.
    """
    if value is None:
        return None
    if "\x00" in value:
        value = value.replace("\x00", "\ufffd")
    length = _LENGTHS[column]
    return value if len(value) <= length else value[:length]


def stored_values(entry: AuditEntry) -> dict[str, Any]:
    """The row's columns (all but seq and the hashes) as they will be stored."""
    return {
        "at": entry.at,
        "request_id": _fit(entry.request_id, "request_id"),
        "trace_id": _fit(entry.trace_id, "trace_id"),
        "client_id": _fit(entry.client_id, "client_id"),
        "agency": _fit(entry.agency, "agency"),
        "action": _fit(entry.action, "action"),
        "resource": _fit(entry.resource, "resource"),
        "stream": _fit(entry.stream, "stream"),
        "purpose": _fit(entry.purpose, "purpose"),
        "grant_id": _fit(entry.grant_id, "grant_id"),
        "policy_version": _fit(entry.policy_version, "policy_version"),
        "decision": entry.decision,
        "reason": _fit(entry.reason, "reason"),
        "masked": _fit(",".join(entry.masked), "masked") if entry.masked else None,
        "records": entry.records,
        "status": entry.status,
        "emergency_id": _fit(entry.emergency_id, "emergency_id"),
        "review_required": entry.review_required,
    }
