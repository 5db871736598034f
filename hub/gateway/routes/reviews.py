"""Reviews: every read an emergency grant allowed is judged afterwards by an auditor."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from hub.audit.reviews import ReviewItem
from hub.gateway.deps import ROW_MAX, AuditReader, Reviewer, ReviewsDep, TrailDep
from hub.gateway.emergency_views import ReviewList, VerdictRequest

router = APIRouter(prefix="/v1/reviews", tags=["audit"])


@router.get("", name="reviews.list", response_model=ReviewList)
def list_reviews(
    caller: AuditReader,
    reviews: ReviewsDep,
    trail: TrailDep,
    state: Literal["open", "closed", "all"] = "open",
    after: Annotated[int, Query(ge=0, le=ROW_MAX, description="audit ids after this one")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> ReviewList:
    """The reads emergency grants allowed, oldest first: open ones await a verdict."""
    items = reviews.list(state=state, after=after, limit=limit)
    trail.served(len(items))
    next_link = None
    if len(items) == limit:
        next_link = f"/v1/reviews?state={state}&after={items[-1].audit_id}&limit={limit}"
    return ReviewList(reviews=items, next=next_link)


@router.post("/{audit_id}", name="reviews.judge", response_model=ReviewItem)
def judge(
    audit_id: Annotated[int, Path(ge=1, le=ROW_MAX)],
    body: VerdictRequest,
    caller: Reviewer,
    reviews: ReviewsDep,
    trail: TrailDep,
) -> ReviewItem:
    """Record the verdict on one read; a read is judged once, and never by an auditor of
    the agency that made it."""
    item = reviews.judge(
        audit_id,
        verdict=body.verdict,
        comment=body.comment,
        reviewer=caller.client_id,
        reviewer_agency=caller.agency,
    )
    trail.emergency_id = item.emergency_id
    trail.served(1, f"judged audit row {audit_id} {body.verdict}")
    return item
