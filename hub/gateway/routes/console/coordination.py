"""The coordination report: per agency pair and stream, how fast receivers first read
and acknowledge, against the targets in ``policies/``; exercises kept apart."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from hub.coordination.report import build_report
from hub.gateway.console.access import ConsoleCoordination
from hub.gateway.console.charts import bars
from hub.gateway.console.i18n import translator
from hub.gateway.console.render import language, page
from hub.gateway.console.times import ConsoleClock
from hub.gateway.deps import FactsDep, PolicyDep, SettingsDep, TrailDep

router = APIRouter(prefix="/console", tags=["console"], include_in_schema=False)
Text = Annotated[str | None, Query(max_length=32)]


@router.get("/coordination", name="console.coordination")
def coordination(
    request: Request,
    member: ConsoleCoordination,
    facts: FactsDep,
    policy: PolicyDep,
    settings: SettingsDep,
    trail: TrailDep,
    since: Text = None,
    until: Text = None,
) -> HTMLResponse:
    clock = ConsoleClock(settings.console.timezone)
    start, end = clock.period(since, until)
    report = build_report(
        policy,
        facts,
        since_ms=int(start.timestamp() * 1000),
        until_ms=int(end.timestamp() * 1000),
        now_ms=int(clock.now().timestamp() * 1000),
    )
    slowest = sorted(
        (
            (f"{p.publisher} → {p.reader}", (p.figures.ack_p90_ms or 0) // 1000)
            for p in report.real.pairs
            if p.figures.ack_p90_ms is not None
        ),
        key=lambda item: -item[1],
    )[:15]
    trail.served(report.real.events + report.exercise.events, "console coordination report")
    return page(
        request,
        "coordination.html",
        session=member.session,
        report=report,
        since=clock.field(start),
        until=clock.field(end),
        chart=bars(slowest, title=translator(language(request))("coordination.chart")),
    )
