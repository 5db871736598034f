"""Incidents at the console: the list, and one incident's view: every agency's events on
a timeline and, for each event, when each receiving agency first received it and
acknowledged it. Envelope facts only: no event payload is shown here."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from hub.coordination.assessment import Assessment
from hub.coordination.deliveries import Delivery
from hub.gateway.console.access import ConsoleCoordination
from hub.gateway.console.charts import timeline
from hub.gateway.console.coordination import AssessorDep, IncidentId, assessed, timeline_marks
from hub.gateway.console.i18n import translator
from hub.gateway.console.render import language, page
from hub.gateway.console.times import ConsoleClock
from hub.gateway.deps import FactsDep, SettingsDep, TrailDep

router = APIRouter(prefix="/console", tags=["console"], include_in_schema=False)
LISTED = 100


@router.get("/incidents", name="console.incidents")
def incidents(
    request: Request, member: ConsoleCoordination, facts: FactsDep, trail: TrailDep
) -> HTMLResponse:
    found = facts.incidents(limit=LISTED)
    trail.served(len(found), "console incidents")
    return page(request, "incidents.html", session=member.session, incidents=found)


@router.get("/incidents/{incident_id}", name="console.incident")
def incident(
    request: Request,
    incident_id: IncidentId,
    member: ConsoleCoordination,
    assessor: AssessorDep,
    settings: SettingsDep,
    trail: TrailDep,
) -> HTMLResponse:
    trail.resource = incident_id
    assessment = assessed(assessor, incident_id)
    t = translator(language(request))
    clock = ConsoleClock(settings.console.timezone)
    lanes, marks = timeline_marks(
        assessment,
        {
            "read": t("incident.received"),
            "acknowledged": t("incident.acknowledged"),
            "unclassified": t("category.none"),
        },
    )
    trail.served(len(assessment.events), f"console incident {incident_id}")
    return page(
        request,
        "incident.html",
        session=member.session,
        a=assessment,
        by_event=_by_event(assessment),
        chart=timeline(
            lanes,
            marks,
            start_label=clock.show_ms(min(m.at_ms for m in marks)),
            end_label=clock.show_ms(max(m.at_ms for m in marks)),
            legend=[
                ("published", t("incident.published")),
                ("read", t("incident.received")),
                ("acknowledged", t("incident.acknowledged")),
            ],
            title=t("incident.timeline"),
        ),
    )


def _by_event(assessment: Assessment) -> dict[str, list[Delivery]]:
    grouped: dict[str, list[Delivery]] = {}
    for delivery in assessment.deliveries:
        grouped.setdefault(delivery.event.event_id, []).append(delivery)
    return grouped
