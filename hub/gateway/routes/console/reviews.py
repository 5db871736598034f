"""The queue of reads emergency grants allowed, and a verdict on each."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from hub.errors import BadRequest
from hub.gateway.console.access import ConsoleReviewer
from hub.gateway.console.render import page
from hub.gateway.deps import ROW_MAX, ReviewsDep, TrailDep

router = APIRouter(prefix="/console", tags=["console"], include_in_schema=False)


@router.get("/reviews", name="console.reviews")
def queue(
    request: Request,
    reviewer: ConsoleReviewer,
    reviews: ReviewsDep,
    trail: TrailDep,
    state: Literal["open", "closed", "all"] = "open",
    done: bool = False,
) -> HTMLResponse:
    items = reviews.list(state=state, limit=500)
    trail.served(len(items), f"console reviews, {state}")
    return page(
        request,
        "reviews.html",
        session=reviewer.session,
        items=items,
        state=state,
        done=done,
    )


@router.post("/reviews/{audit_id}", name="console.judge")
def judge(
    reviewer: ConsoleReviewer,
    reviews: ReviewsDep,
    trail: TrailDep,
    audit_id: Annotated[int, Path(ge=1, le=ROW_MAX)],
) -> RedirectResponse:
    form = reviewer.form
    verdict = form.get("verdict")
    if verdict not in ("justified", "unjustified"):
        raise BadRequest("a verdict is justified or unjustified")
    comment = form.get("comment", "")[:4000]
    user = reviewer.session.user
    item = reviews.judge(
        audit_id,
        verdict=verdict,  # type: ignore[arg-type]
        comment=comment,
        reviewer=f"console:{user.username}",
        reviewer_agency=user.agency,
    )
    trail.emergency_id = item.emergency_id
    trail.served(1, f"judged audit row {audit_id} {verdict}")
    return RedirectResponse("/console/reviews?done=true", status_code=303)
