"""Reviews of the reads that emergency grants allowed: each must be judged afterwards.

The audit row itself never changes (it is evidence); a review is a row of its own,
keyed by the audit row it judges.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from hub.errors import Conflict, Forbidden, NotFound
from hub.store.models import AuditRow, ReviewRow

Verdict = Literal["justified", "unjustified"]
ReviewState = Literal["open", "closed", "all"]


@dataclass(frozen=True, slots=True)
class ReviewItem:
    audit_id: int
    #: The row's place in the audit chain (what proofs and the console's log show).
    seq: int
    at: datetime
    emergency_id: str | None
    client_id: str | None
    agency: str | None
    stream: str | None
    purpose: str | None
    grant_id: str | None
    records: int
    verdict: str | None = None
    comment: str | None = None
    reviewer: str | None = None
    reviewed_at: datetime | None = None


class ReviewService:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def list(
        self, *, state: ReviewState = "open", after: int = 0, limit: int = 100
    ) -> list[ReviewItem]:
        statement = (
            select(AuditRow, ReviewRow)
            .outerjoin(ReviewRow, ReviewRow.audit_id == AuditRow.id)
            .where(AuditRow.review_required.is_(True), AuditRow.id > after)
        )
        if state == "open":
            statement = statement.where(ReviewRow.audit_id.is_(None))
        elif state == "closed":
            statement = statement.where(ReviewRow.audit_id.is_not(None))
        statement = statement.order_by(AuditRow.id).limit(limit)
        with self._sessions() as session:
            return [_item(row, review) for row, review in session.execute(statement)]

    def judge(
        self,
        audit_id: int,
        *,
        verdict: Verdict,
        comment: str,
        reviewer: str,
        reviewer_agency: str,
    ) -> ReviewItem:
        """``reviewer_agency`` may not judge its own agency's reads: a review is a second
        pair of eyes, not the reader vouching for itself."""
        try:
            with self._sessions.begin() as session:
                row = session.get(AuditRow, audit_id)
                if row is None or not row.review_required:
                    raise NotFound(f"no read awaits review under audit id {audit_id}")
                if row.agency == reviewer_agency:
                    raise Forbidden(
                        f"the read {audit_id} was made by {reviewer_agency}, the reviewer's own "
                        "agency; another agency's auditor must judge it"
                    )
                if session.get(ReviewRow, audit_id) is not None:
                    raise Conflict(f"the read {audit_id} has been reviewed already")
                review = ReviewRow(
                    audit_id=audit_id,
                    verdict=verdict,
                    comment=comment,
                    reviewer=reviewer,
                    reviewed_at=datetime.now(UTC),
                )
                session.add(review)
                session.flush()
                return _item(row, review)
        except IntegrityError:
            raise Conflict(f"the read {audit_id} has been reviewed already") from None


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _item(row: AuditRow, review: ReviewRow | None) -> ReviewItem:
    at = _utc(row.at)
    assert at is not None
    return ReviewItem(
        audit_id=row.id,
        seq=row.seq,
        at=at,
        emergency_id=row.emergency_id,
        client_id=row.client_id,
        agency=row.agency,
        stream=row.stream,
        purpose=row.purpose,
        grant_id=row.grant_id,
        records=row.records,
        verdict=review.verdict if review else None,
        comment=review.comment if review else None,
        reviewer=review.reviewer if review else None,
        reviewed_at=_utc(review.reviewed_at) if review else None,
    )
