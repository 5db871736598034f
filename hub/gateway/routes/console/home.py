"""The console's overview: the chain's state, reviews waiting, recent denials."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from hub.audit.log import AuditQuery
from hub.gateway.console.access import ConsoleMember
from hub.gateway.console.render import page
from hub.gateway.deps import AuditLogDep, MonitorDep, ReviewsDep, TrailDep
from hub.identity import AUDIT_READ, AUDIT_REVIEW

router = APIRouter(prefix="/console", tags=["console"], include_in_schema=False)


@router.get("", name="console.home")
def home(
    request: Request,
    member: ConsoleMember,
    audit_log: AuditLogDep,
    monitor: MonitorDep,
    reviews: ReviewsDep,
    trail: TrailDep,
) -> HTMLResponse:
    scopes = member.session.user.scopes
    status = monitor.status() if AUDIT_READ in scopes else None
    since = datetime.now(UTC) - timedelta(hours=24)
    denials = (
        audit_log.count(AuditQuery(decision="deny", since=since)) if AUDIT_READ in scopes else None
    )
    open_reviews = len(reviews.list(state="open", limit=1000)) if AUDIT_REVIEW in scopes else None
    trail.served(0, "console overview")
    return page(
        request,
        "home.html",
        session=member.session,
        status=status,
        denials=denials,
        open_reviews=open_reviews,
    )
