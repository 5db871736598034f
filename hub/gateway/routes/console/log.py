"""The access log and the denials, with the filters and exports of the auditor's API."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from hub.audit.log import AuditQuery
from hub.gateway.audit_files import ExportFormat, export_response
from hub.gateway.console.access import ConsoleAuditor
from hub.gateway.console.charts import bars
from hub.gateway.console.render import page
from hub.gateway.console.times import ConsoleClock
from hub.gateway.deps import ROW_MAX, AuditLogDep, SettingsDep, TrailDep

router = APIRouter(prefix="/console", tags=["console"], include_in_schema=False)
PAGE = 100
Text = Annotated[str | None, Query(max_length=128)]


@dataclass(frozen=True, slots=True)
class LogFilters:
    query: AuditQuery
    #: What the form was given, to carry into links (the next page, the exports).
    given: dict[str, str]


def _filters(
    settings: SettingsDep,
    agency: Text = None,
    client_id: Text = None,
    stream: Text = None,
    action: Text = None,
    decision: Text = None,
    purpose: Text = None,
    since: Text = None,
    until: Text = None,
) -> LogFilters:
    clock = ConsoleClock(settings.console.timezone)
    decision = decision if decision in ("allow", "deny") else None
    given = {
        "agency": agency,
        "client_id": client_id,
        "stream": stream,
        "action": action,
        "decision": decision,
        "purpose": purpose,
        "since": since,
        "until": until,
    }
    query = AuditQuery(
        agency=agency or None,
        client_id=client_id or None,
        stream=stream or None,
        action=action or None,
        decision=decision,
        purpose=purpose or None,
        since=clock.read(since, "since"),
        until=clock.read(until, "until"),
    )
    return LogFilters(query, {k: v for k, v in given.items() if v})


Filters = Annotated[LogFilters, Depends(_filters)]


@router.get("/log", name="console.log")
def access_log(
    request: Request,
    auditor: ConsoleAuditor,
    audit_log: AuditLogDep,
    trail: TrailDep,
    filters: Filters,
    before: Annotated[int | None, Query(ge=0, le=ROW_MAX)] = None,
) -> HTMLResponse:
    """Newest first; each page links to the one before it in time."""
    query = dataclasses.replace(filters.query, before=before, newest_first=True, limit=PAGE)
    rows = audit_log.query(query)
    trail.served(len(rows), "console access log")
    next_url = None
    if len(rows) == PAGE:
        next_url = "/console/log?" + urlencode([("before", rows[-1].seq), *filters.given.items()])
    return page(
        request,
        "log.html",
        session=auditor.session,
        rows=rows,
        filters=filters.query,
        since=filters.given.get("since", ""),
        until=filters.given.get("until", ""),
        query=urlencode(list(filters.given.items())),
        next_url=next_url,
    )


@router.get("/log/export", name="console.export")
def export(
    auditor: ConsoleAuditor,
    audit_log: AuditLogDep,
    trail: TrailDep,
    filters: Filters,
    format: ExportFormat = "csv",
) -> StreamingResponse:
    return export_response(audit_log, filters.query, format, trail)


@router.get("/denials", name="console.denials")
def denials(
    request: Request,
    auditor: ConsoleAuditor,
    audit_log: AuditLogDep,
    settings: SettingsDep,
    trail: TrailDep,
    days: Annotated[int, Query(ge=1, le=366)] = 7,
) -> HTMLResponse:
    clock = ConsoleClock(settings.console.timezone)
    end = datetime.now(UTC)
    since = end - timedelta(days=days)
    query = AuditQuery(decision="deny", since=since)
    by_agency = audit_log.grouped(query, ["agency"])
    by_reason = audit_log.grouped(query, ["reason"])[:25]
    recent = audit_log.query(dataclasses.replace(query, newest_first=True, limit=PAGE))
    trail.served(len(recent), "console denials")
    chart = bars(
        [(keys[0] or "(none)", count) for keys, count, _ in by_agency[:20]], title="denials"
    )
    return page(
        request,
        "denials.html",
        session=auditor.session,
        period=f"{clock.show(since)} – {clock.show(end)}",
        by_agency_chart=chart,
        by_reason=[(keys[0], count) for keys, count, _ in by_reason],
        rows=recent,
    )
