"""``GET /v1/audit/export``: the audit log as JSON Lines or CSV (see audit_files)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from hub.gateway.audit_files import ExportFormat, export_response
from hub.gateway.audit_filters import AuditFilters
from hub.gateway.deps import AuditLogDep, AuditReader, TrailDep

router = APIRouter(prefix="/v1/audit", tags=["audit"])


@router.get(
    "/export",
    name="audit.export",
    responses={
        200: {
            "description": "Rows as JSON Lines or CSV",
            "content": {"application/x-ndjson": {}, "text/csv": {}},
        }
    },
)
def export_audit(
    caller: AuditReader,
    audit_log: AuditLogDep,
    trail: TrailDep,
    filters: AuditFilters,
    format: ExportFormat = "jsonl",
) -> StreamingResponse:
    """Every row matching the filters (as ``GET /v1/audit`` takes them), any number:
    fixed when it starts, counted in ``X-Audit-Rows``."""
    return export_response(audit_log, filters, format, trail)
