"""Response models: what integrators see, kept apart from ORM tables and policy models."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, field_validator

from hub.policy.model import ClassificationRule, Policy, Stream
from hub.store.models import AuditRow


class StreamLinks(BaseModel):
    self: str
    events: str


class StreamView(BaseModel):
    id: str
    owner: str
    owner_name: str
    schema_name: str
    subject: str
    topic: str
    version: int
    description: str
    steward: str
    sensitivity: str
    update_frequency: str
    retention: str
    #: ``required``: every event names its kind of emergency; ``optional``: a routine
    #: stream, whose events may carry none (and then match no classification filter).
    classification: ClassificationRule
    #: The largest encoded event the stream takes (a connector checks before sending).
    max_message_bytes: int
    links: StreamLinks
    #: What the caller sees of it (one entry only): grant, purpose, filter, masks.
    access: dict[str, Any] | None = None

    @classmethod
    def of(
        cls, stream: Stream, policy: Policy, *, access: dict[str, Any] | None = None
    ) -> StreamView:
        owner = policy.agency(stream.owner)
        return cls(
            id=stream.id,
            owner=stream.owner,
            owner_name=f"{owner.name.en} ({owner.name.zh})" if owner else stream.owner,
            schema_name=stream.schema_name,
            subject=stream.subject,
            topic=stream.topic,
            version=stream.version,
            description=stream.description,
            steward=stream.steward,
            sensitivity=stream.sensitivity,
            update_frequency=stream.update_frequency,
            retention=stream.retention,
            classification=stream.classification,
            max_message_bytes=stream.max_message_bytes,
            links=StreamLinks(
                self=f"/v1/streams/{stream.id}", events=f"/v1/streams/{stream.id}/events"
            ),
            access=access,
        )


class StreamList(BaseModel):
    agency: str
    streams: list[StreamView]


class AuditEntryView(BaseModel):
    id: int
    seq: int
    at: datetime
    request_id: str
    client_id: str | None
    agency: str | None
    action: str
    stream: str | None
    decision: str
    reason: str
    records: int
    status: int
    trace_id: str | None
    purpose: str | None = None
    grant_id: str | None = None
    policy_version: str | None = None
    masked: list[str] = []
    emergency_id: str | None = None
    review_required: bool = False
    resource: str | None = None
    #: The row's leaf hash and chain hash (hex): what `hub audit verify` recomputes.
    leaf_hash: str
    chain_hash: str

    @field_validator("masked", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        return value.split(",") if isinstance(value, str) else (value or [])

    @field_validator("at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        # Rows are written in UTC; SQLite hands them back without the zone.
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    @classmethod
    def of(cls, row: AuditRow) -> AuditEntryView:
        return cls.model_validate(row, from_attributes=True)


class AuditPage(BaseModel):
    entries: list[AuditEntryView]
    next: str | None
