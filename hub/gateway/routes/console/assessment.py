"""The post-incident assessment of one incident, as a printable page and as CSV."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from hub.gateway.console import assessment_csv
from hub.gateway.console.access import ConsoleCoordination
from hub.gateway.console.charts import bars
from hub.gateway.console.coordination import AssessorDep, IncidentId, assessed
from hub.gateway.console.i18n import translator
from hub.gateway.console.render import HEADERS, language, page
from hub.gateway.deps import TrailDep

router = APIRouter(prefix="/console", tags=["console"], include_in_schema=False)


@router.get("/incidents/{incident_id}/assessment", name="console.assessment")
def assessment(
    request: Request,
    incident_id: IncidentId,
    member: ConsoleCoordination,
    assessor: AssessorDep,
    trail: TrailDep,
) -> HTMLResponse:
    trail.resource = incident_id
    found = assessed(assessor, incident_id)
    t = translator(language(request))
    compared = [
        (e.incident.incident_id, (e.figures.ack_median_ms or 0) // 1000) for e in found.earlier
    ]
    if found.overall.ack_median_ms is not None:
        compared.insert(0, (f"{incident_id} *", found.overall.ack_median_ms // 1000))
    trail.served(len(found.events), f"console assessment {incident_id}")
    return page(
        request,
        "assessment.html",
        session=member.session,
        a=found,
        chart=bars(compared, title=t("assessment.chart")),
    )


@router.get("/incidents/{incident_id}/assessment.csv", name="console.assessment_csv")
def assessment_file(
    incident_id: IncidentId, member: ConsoleCoordination, assessor: AssessorDep, trail: TrailDep
) -> Response:
    trail.resource = incident_id
    found = assessed(assessor, incident_id)
    trail.served(len(found.events), f"console assessment {incident_id} as CSV")
    return Response(
        assessment_csv.render(found),
        media_type="text/csv; charset=utf-8",
        headers={
            **HEADERS,
            "Content-Disposition": f'attachment; filename="assessment-{incident_id}.csv"',
        },
    )
