"""The audit log exported whole, as JSON Lines or CSV, streamed in seq order.

An export is fixed when it starts: the rows matching the filters up to the last seq
written then (``X-Audit-Upto``), counted (``X-Audit-Rows``) so the receiver can tell a
complete file from a cut one. Its own audit row, written before the first byte, comes
after that seq and is not in it.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Iterator
from typing import Literal

import orjson
from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from hub.audit.log import AuditLog, AuditQuery
from hub.gateway.audit_filters import AuditFilters
from hub.gateway.deps import AuditLogDep, AuditReader, TrailDep
from hub.gateway.views import AuditEntryView

router = APIRouter(prefix="/v1/audit", tags=["audit"])

PAGE = 1_000
COLUMNS = list(AuditEntryView.model_fields)
MEDIA = {"jsonl": "application/x-ndjson", "csv": "text/csv; charset=utf-8"}


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
    format: Literal["jsonl", "csv"] = "jsonl",
) -> StreamingResponse:
    """Every row matching the filters (as ``GET /v1/audit`` takes them), any number."""
    upto = audit_log.last_seq()
    query = dataclasses.replace(filters, upto=-1 if upto is None else upto, limit=PAGE)
    rows = audit_log.count(query)
    trail.stream = filters.stream
    trail.served(rows, f"exported as {format} up to seq {upto}")
    body = _jsonl(audit_log, query) if format == "jsonl" else _csv(audit_log, query)
    return StreamingResponse(
        body,
        media_type=MEDIA[format],
        headers={
            "Content-Disposition": f'attachment; filename="audit-{upto}.{format}"',
            "X-Audit-Rows": str(rows),
            "X-Audit-Upto": str(upto if upto is not None else -1),
        },
    )


def _pages(audit_log: AuditLog, query: AuditQuery) -> Iterator[list[AuditEntryView]]:
    after = -1
    while True:
        found = audit_log.query(dataclasses.replace(query, after=after))
        if not found:
            return
        yield [AuditEntryView.of(row) for row in found]
        after = found[-1].seq


def _jsonl(audit_log: AuditLog, query: AuditQuery) -> Iterator[bytes]:
    for page in _pages(audit_log, query):
        yield b"".join(orjson.dumps(entry.model_dump(mode="json")) + b"\n" for entry in page)


def _cell(value: object) -> object:
    """A text a spreadsheet would run as a formula (a caller can put one in a stream id
    or a claimed client id) gets a leading apostrophe. So CSV is for reading; JSON Lines
    keeps every value as stored, for recomputing hashes."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _csv(audit_log: AuditLog, query: AuditQuery) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for page in _pages(audit_log, query):
        for entry in page:
            values = entry.model_dump(mode="json")
            values["masked"] = ",".join(values["masked"])
            writer.writerow({k: _cell(v) for k, v in values.items()})
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()
