"""A duty-office message to its event: an incident report (突发事件信息报告) for
``emergency.incident-report``, or a task assignment (任务派发) routed to
``emergency.task-assignment``.

Both kinds share the fields that say which incident and what kind of emergency:
``id``, ``incident_id``, ``classification`` (required: both streams are
incident-linked), ``severity``, ``location`` and ``exercise``; the rest sits under
``report`` or ``task``. See ``connectors/samples/emergency-webhook/`` for one of each.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from connectors.emergency_webhook.fields import (
    Message,
    choice,
    count,
    flag,
    moment,
    optional_choice,
    optional_moment,
    optional_section,
    optional_text,
    place,
    section,
    text,
)
from connectors.emergency_webhook.identity import event_id, message_id
from connectors.emergency_webhook.vocabulary import CATEGORIES, PRIORITIES, SEVERITIES, STATUSES
from hub.connect import Mapped, RecordRejected, Routed

TASK_STREAM = "emergency.task-assignment"
KINDS = ("incident-report", "task-assignment")
CASUALTIES = ("deaths", "injured", "missing", "trapped")
_DISTRICT = re.compile(r"[1-8][0-9]{5}")  # GB/T 2260: six digits
_AGENCY = re.compile(r"[a-z][a-z0-9-]{1,62}")
_PHONE = re.compile(r"\+?[0-9][0-9 ()-]{2,30}")


def to_event(message: Message) -> Mapped:
    kind = text(message, "type", limit=64)
    if kind == "incident-report":
        return incident_report(message)
    if kind == "task-assignment":
        return Routed(TASK_STREAM, task_assignment(message))
    raise RecordRejected("type", f"{kind!r} is not one of {', '.join(KINDS)}")


def incident_report(message: Message) -> dict[str, Any]:
    report = section(message, "report")
    reporter = optional_section(report, "reporter", "report") or {}
    phone = optional_text(reporter, "phone", "report.reporter", limit=32)
    if phone is not None and not _PHONE.fullmatch(phone):
        raise RecordRejected("report.reporter.phone", "not a phone number")
    return {
        "envelope": _envelope(
            message, "incident-report", moment(report, "occurred_at", "report"), task=False
        ),
        "report_id": text(report, "report_id", "report", limit=128),
        "title": text(report, "title", "report"),
        "description": text(report, "description", "report", limit=20_000),
        "status": choice(report, "status", "report", STATUSES),
        "reported_by": text(report, "reported_by", "report"),
        "reporter_name": optional_text(reporter, "name", "report.reporter", limit=100),
        "reporter_phone": phone,
        "address": optional_text(report, "address", "report"),
        "casualties": _casualties(report),
    }


def task_assignment(message: Message) -> dict[str, Any]:
    task = section(message, "task")
    issued_at = moment(task, "issued_at", "task")
    due_at = optional_moment(task, "due_at", "task")
    if due_at is not None and due_at < issued_at:
        raise RecordRejected("task.due_at", "is before task.issued_at")
    assigned_to = text(task, "assigned_to", "task", limit=64)
    if not _AGENCY.fullmatch(assigned_to):
        raise RecordRejected(
            "task.assigned_to", f"{assigned_to!r} is not an agency id, for example health"
        )
    return {
        "envelope": _envelope(message, "task-assignment", issued_at, task=True),
        "task_id": text(task, "task_id", "task", limit=128),
        "declaration_id": optional_text(task, "declaration_id", "task", limit=128),
        "assigned_to": assigned_to,
        "title": text(task, "title", "task"),
        "description": text(task, "description", "task", limit=20_000),
        "priority": choice(task, "priority", "task", PRIORITIES),
        "due_at": due_at,
        "issued_by": text(task, "issued_by", "task"),
    }


def _envelope(message: Message, kind: str, occurred_at: datetime, *, task: bool) -> dict[str, Any]:
    """The shared fields. A task always serves an incident; a first report may come
    before the duty office has opened one, so its incident id may be left out."""
    incident = (
        text(message, "incident_id", limit=128)
        if task
        else optional_text(message, "incident_id", limit=128)
    )
    return {
        "event_id": event_id(kind, message_id(message)),
        "occurred_at": occurred_at,
        "incident_id": incident,
        "classification": _classification(message),
        "severity": optional_choice(message, "severity", "", SEVERITIES),
        "area": _area(message),
        "exercise": flag(message, "exercise"),
    }


def _classification(message: Message) -> dict[str, Any]:
    given = section(message, "classification")
    return {
        "category": choice(given, "category", "classification", CATEGORIES),
        "code": optional_text(given, "code", "classification", limit=32),
        "label": optional_text(given, "label", "classification", limit=200),
    }


def _area(message: Message) -> dict[str, Any] | None:
    location = optional_section(message, "location")
    if location is None:
        return None
    district = optional_text(location, "district_code", "location", limit=6)
    if district is not None and not _DISTRICT.fullmatch(district):
        raise RecordRejected("location.district_code", f"{district!r} is not a GB/T 2260 code")
    point = place(location, "location")
    description = optional_text(location, "place", "location")
    if not (district or point or description):
        raise RecordRejected("location", "give district_code, place, or lat and lon")
    return {
        "district_code": district,
        "description": description,
        "point": point,
        "polygon": None,
        "circle": None,
    }


def _casualties(report: Message) -> dict[str, int] | None:
    counts = optional_section(report, "casualties", "report")
    if counts is None:
        return None
    return {key: count(counts, key, "report.casualties") for key in CASUALTIES}
