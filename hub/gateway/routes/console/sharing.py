"""The sharing matrix: which agency read which agency's streams over a period, how much,
and how often it was refused; drawn from the audit log's event reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from hub.audit.log import AuditQuery
from hub.gateway.console.access import ConsoleCoordination
from hub.gateway.console.charts import bars
from hub.gateway.console.render import page
from hub.gateway.console.times import ConsoleClock
from hub.gateway.deps import AuditLogDep, PolicyDep, SettingsDep, TrailDep

router = APIRouter(prefix="/console", tags=["console"], include_in_schema=False)
Text = Annotated[str | None, Query(max_length=32)]


@dataclass
class Cell:
    records: int = 0
    requests: int = 0
    denied: int = 0


@router.get("/sharing", name="console.sharing")
def sharing(
    request: Request,
    member: ConsoleCoordination,
    audit_log: AuditLogDep,
    policy: PolicyDep,
    settings: SettingsDep,
    trail: TrailDep,
    since: Text = None,
    until: Text = None,
) -> HTMLResponse:
    clock = ConsoleClock(settings.console.timezone)
    start, end = clock.period(since, until)
    query = AuditQuery(action="events.read", since=start, until=end)
    cells: dict[tuple[str, str], Cell] = {}
    for (agency, stream, decision), count, records in audit_log.grouped(
        query, ["agency", "stream", "decision"]
    ):
        entry = policy.stream(stream) if stream else None
        if agency is None or entry is None:
            continue  # a refused request with no caller, or a stream no longer listed
        cell = cells.setdefault((agency, entry.owner), Cell())
        cell.requests += count
        if decision == "deny":
            cell.denied += count
        else:
            cell.records += records
    readers = sorted({reader for reader, _ in cells})
    owners = sorted({owner for _, owner in cells})
    volume = [(r, sum(c.records for (x, _), c in cells.items() if x == r)) for r in readers]
    trail.served(len(cells), "console sharing matrix")
    return page(
        request,
        "sharing.html",
        session=member.session,
        readers=readers,
        owners=owners,
        cells=cells,
        since=clock.field(start),
        until=clock.field(end),
        chart=bars(sorted(volume, key=lambda item: -item[1]), title="records read"),
    )
