"""The audit log as files: JSON Lines (every value as stored, for recomputing hashes) or
CSV (for reading), streamed page by page in seq order whatever their size.

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
from fastapi.responses import StreamingResponse

from hub.audit.log import AuditLog, AuditQuery
from hub.gateway.auditing import AuditTrail
from hub.gateway.views import AuditEntryView

PAGE = 1_000
COLUMNS = list(AuditEntryView.model_fields)
MEDIA = {"jsonl": "application/x-ndjson", "csv": "text/csv; charset=utf-8"}


ExportFormat = Literal["jsonl", "csv"]


def export_response(
    audit_log: AuditLog, filters: AuditQuery, output: ExportFormat, trail: AuditTrail
) -> StreamingResponse:
    """Count and fix the export, note it on the trail, and stream it."""
    upto = audit_log.last_seq()
    query = dataclasses.replace(filters, upto=-1 if upto is None else upto, limit=PAGE)
    rows = audit_log.count(query)
    trail.stream = filters.stream
    trail.served(rows, f"exported as {output} up to seq {upto}")
    body = _jsonl(audit_log, query) if output == "jsonl" else _csv(audit_log, query)
    return StreamingResponse(
        body,
        media_type=MEDIA[output],
        headers={
            "Content-Disposition": f'attachment; filename="audit-{upto}.{output}"',
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


def safe_cell(value: object) -> object:
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
            writer.writerow({k: safe_cell(v) for k, v in values.items()})
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()
