"""Request and response models of the emergency and review endpoints."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from hub.audit.reviews import ReviewItem
from hub.emergencies.service import Declaration, EmergencyRecord
from hub.policy.vocabulary import Category, Level


class DeclarationRequest(BaseModel):
    """``POST /v1/emergencies``: what, how grave, where (no districts: the whole city)."""

    model_config = ConfigDict(extra="forbid")

    category: Category
    level: Level
    districts: list[Annotated[str, Field(pattern=r"^\d{6}$")]] = Field(
        default_factory=list, max_length=64
    )
    title: str = Field(min_length=3, max_length=200)
    reason: str = Field(min_length=3, max_length=2000)
    duration_hours: int | None = Field(default=None, ge=1, le=8760)

    def declaration(self, *, default_hours: int, max_hours: int) -> Declaration:
        hours = self.duration_hours or default_hours
        if hours > max_hours:
            raise ValueError(f"an emergency lasts at most {max_hours} hours before it is renewed")
        return Declaration(
            category=self.category,
            level=self.level,
            districts=tuple(dict.fromkeys(self.districts)),
            title=self.title,
            reason=self.reason,
            duration=timedelta(hours=hours),
        )


class EmergencyView(BaseModel):
    id: str
    state: Literal["active", "closed", "expired"]
    category: str
    level: str
    districts: list[str]
    title: str
    reason: str
    declared_by: str
    agency: str
    declared_at: datetime
    expires_at: datetime
    closed_at: datetime | None
    closed_by: str | None

    @classmethod
    def of(cls, record: EmergencyRecord, now: datetime) -> EmergencyView:
        e = record.emergency
        return cls(
            id=e.id,
            state=record.state(now),  # type: ignore[arg-type]
            category=e.category,
            level=e.level,
            districts=list(e.districts),
            title=record.title,
            reason=record.reason,
            declared_by=record.declared_by,
            agency=record.agency,
            declared_at=e.declared_at,
            expires_at=e.expires_at,
            closed_at=e.closed_at,
            closed_by=record.closed_by,
        )


class EmergencyList(BaseModel):
    emergencies: list[EmergencyView]


class VerdictRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    verdict: Literal["justified", "unjustified"]
    comment: str = Field(default="", max_length=4000)


class ReviewList(BaseModel):
    # The review service's own items: nothing in them is kept from an auditor.
    reviews: list[ReviewItem]
    next: str | None
