"""What the coordination pages share: the assessor for the policy in force, an incident
id as a path takes it, and the marks an incident's timeline is drawn from."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from hub.coordination.assessment import Assessment, Assessor
from hub.errors import NotFound
from hub.gateway.console.charts import Mark
from hub.gateway.deps import AccessesDep, FactsDep, PolicyDep

IncidentId = Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:-]+$")]


def _assessor(policy: PolicyDep, facts: FactsDep, accesses: AccessesDep) -> Assessor:
    return Assessor(policy, facts, accesses)


def assessed(assessor: Assessor, incident_id: str) -> Assessment:
    """The incident's assessment; a 404 when no archived event names the incident."""
    found = assessor.assess(incident_id)
    if found is None:
        raise NotFound(f"no archived event belongs to incident {incident_id}")
    return found


AssessorDep = Annotated[Assessor, Depends(_assessor)]


def timeline_marks(assessment: Assessment, words: dict[str, str]) -> tuple[list[str], list[Mark]]:
    """Lanes (publishers first, then the agencies that received) and their marks."""
    marks: list[Mark] = []
    for event in assessment.events:
        kind = event.code or event.category or words["unclassified"]
        title = f"{event.agency} · {event.stream} · {kind}"
        marks.append(Mark(event.agency, event.published_ms, "published", title))
    for delivery in assessment.deliveries:
        subject = f"{delivery.agency} · {delivery.event.stream}"
        if delivery.read_ms is not None:
            marks.append(
                Mark(delivery.agency, delivery.read_ms, "read", f"{words['read']}: {subject}")
            )
        if delivery.ack_ms is not None:
            marks.append(
                Mark(
                    delivery.agency,
                    delivery.ack_ms,
                    "acknowledged",
                    f"{words['acknowledged']}: {subject}",
                )
            )
    publishers = assessment.publishers
    readers = sorted({d.agency for d in assessment.deliveries} - set(publishers))
    return [*publishers, *readers], marks
