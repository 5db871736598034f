"""ORM tables. API models live beside the routes, never here."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class OAuthClient(Base):
    """A machine client of one agency; the secret is stored only as a salted scrypt hash."""

    __tablename__ = "oauth_clients"

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    agency: Mapped[str] = mapped_column(String(64), index=True)
    secret_hash: Mapped[str] = mapped_column(String(255))
    scopes: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditRow(Base):
    """One gateway decision, allowed or denied; a leaf of the audit tree.

    ``seq`` is the row's place in the chain and its leaf index (from 0, no gaps);
    ``leaf_hash`` and ``chain_hash`` are what :mod:`hub.tlog.canonical` makes of it.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    seq: Mapped[int] = mapped_column(BigInteger, unique=True, index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    request_id: Mapped[str] = mapped_column(String(64))
    client_id: Mapped[str | None] = mapped_column(String(64), index=True)
    agency: Mapped[str | None] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(32))
    stream: Mapped[str | None] = mapped_column(String(128), index=True)
    decision: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(Text)
    records: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[int] = mapped_column(Integer)
    trace_id: Mapped[str | None] = mapped_column(String(32))
    purpose: Mapped[str | None] = mapped_column(String(64))
    grant_id: Mapped[str | None] = mapped_column(String(128))
    policy_version: Mapped[str | None] = mapped_column(String(32))
    #: ``path:method`` of every field served masked, comma-separated.
    masked: Mapped[str | None] = mapped_column(Text)
    emergency_id: Mapped[str | None] = mapped_column(String(255))
    review_required: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    #: What the request named besides a stream (a subject, a version, a review's row).
    resource: Mapped[str | None] = mapped_column(String(255))
    leaf_hash: Mapped[str] = mapped_column(String(64))
    chain_hash: Mapped[str] = mapped_column(String(64))


class AuditTreeNode(Base):
    """A complete node of the audit tree at level 4 or above (16 leaves or more).

    Nodes below that are hashed again from the rows' leaf hashes when a proof needs
    them, so the tree costs an eighth of a row per row.
    """

    __tablename__ = "audit_tree"

    level: Mapped[int] = mapped_column(Integer, primary_key=True)
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    hash: Mapped[str] = mapped_column(String(64))


class AuditCheckpoint(Base):
    """A signed checkpoint of the audit tree (a C2SP signed note)."""

    __tablename__ = "audit_checkpoints"

    size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReviewRow(Base):
    """An auditor's verdict on one read that an emergency grant allowed."""

    __tablename__ = "audit_reviews"

    audit_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), ForeignKey("audit_log.id"), primary_key=True
    )
    verdict: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text, default="")
    reviewer: Mapped[str] = mapped_column(String(64))
    reviewed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ConsoleUserRow(Base):
    """A person who signs in to the console: an auditor or a duty officer."""

    __tablename__ = "console_users"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(128), default="")
    role: Mapped[str] = mapped_column(String(32))
    agency: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(255))
    #: Wrong passwords in a row; the account locks at the limit and the count restarts.
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ConsoleSessionRow(Base):
    """A signed-in browser; only the token's hash is kept, so the table opens no session."""

    __tablename__ = "console_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(ForeignKey("console_users.username"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class EmergencyRow(Base):
    """A declared emergency: while it lasts, the emergency grants it matches are in force."""

    __tablename__ = "emergencies"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    category: Mapped[str] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(4))
    #: District codes as a JSON list; empty means the whole city.
    districts: Mapped[str] = mapped_column(Text, default="[]")
    title: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    declared_by: Mapped[str] = mapped_column(String(64))
    agency: Mapped[str] = mapped_column(String(64))
    declared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(String(64))


class SchemaRow(Base):
    """A distinct schema text; ids are global and never reused (Confluent semantics)."""

    __tablename__ = "registry_schemas"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    schema_type: Mapped[str] = mapped_column(String(16), default="AVRO")
    schema_text: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SubjectVersion(Base):
    """The n-th version of a subject points at a schema; deletes are soft first."""

    __tablename__ = "registry_subject_versions"
    __table_args__ = (
        UniqueConstraint("subject", "version", name="uq_subject_version"),
        Index("ix_subject_versions_schema", "schema_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject: Mapped[str] = mapped_column(String(255), index=True)
    version: Mapped[int] = mapped_column(Integer)
    schema_id: Mapped[int] = mapped_column(ForeignKey("registry_schemas.id"))
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SchemaReferenceRow(Base):
    """A named type a schema takes from another subject's version (Confluent ``references``).

    Kept in the order they were given: it is part of the schema's identity.
    """

    __tablename__ = "registry_schema_references"
    __table_args__ = (
        UniqueConstraint("schema_id", "position", name="uq_schema_reference_position"),
        Index("ix_schema_references_target", "subject", "version"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    schema_id: Mapped[int] = mapped_column(ForeignKey("registry_schemas.id"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    version: Mapped[int] = mapped_column(Integer)


class RegistryConfig(Base):
    """Compatibility mode per subject; the empty subject holds the global default."""

    __tablename__ = "registry_config"

    subject: Mapped[str] = mapped_column(String(255), primary_key=True)
    compatibility: Mapped[str] = mapped_column(String(32))


_ID = BigInteger().with_variant(Integer, "sqlite")


class ArchivedEvent(Base):
    """One event of a stream, stored once (by ``event_id``) with what history is asked by.

    ``id`` is the archive's own order of arrival: history pages are keyed on it, so a
    page resumes exactly where the last one stopped. Times are epoch milliseconds, which
    compare the same way on every database. The payload is the record's value as it was
    on the topic (framed Avro), decoded and masked only when it is served.
    """

    __tablename__ = "archive_events"
    __table_args__ = (
        Index("ix_archive_stream_id", "stream", "id"),
        Index("ix_archive_stream_occurred", "stream", "occurred_ms"),
        Index("ix_archive_stream_published", "stream", "published_ms"),
        Index("ix_archive_stream_district", "stream", "district", "id"),
        Index("ix_archive_stream_district_occurred", "stream", "district", "occurred_ms"),
        Index("ix_archive_incident", "incident_id", "occurred_ms"),
        Index("ix_archive_position", "topic", "partition", "offset"),
    )

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    stream: Mapped[str] = mapped_column(String(128))
    topic: Mapped[str] = mapped_column(String(255))
    partition: Mapped[int] = mapped_column(Integer)
    offset: Mapped[int] = mapped_column(BigInteger)
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    source_agency: Mapped[str] = mapped_column(String(64))
    occurred_ms: Mapped[int] = mapped_column(BigInteger)
    published_ms: Mapped[int] = mapped_column(BigInteger)
    archived_ms: Mapped[int] = mapped_column(BigInteger)
    incident_id: Mapped[str | None] = mapped_column(String(128))
    #: None for a routine event, which describes no emergency.
    category: Mapped[str | None] = mapped_column(String(32))
    classification_code: Mapped[str | None] = mapped_column(String(32))
    #: 1 (level I, red) to 4 (level IV, blue); none when not assessed.
    severity: Mapped[int | None] = mapped_column(SmallInteger)
    district: Mapped[str | None] = mapped_column(String(12))
    sensitivity: Mapped[str] = mapped_column(String(16))
    #: The bounding box of the event's area (a point is a box of no size).
    min_lat: Mapped[float | None] = mapped_column(Float)
    min_lon: Mapped[float | None] = mapped_column(Float)
    max_lat: Mapped[float | None] = mapped_column(Float)
    max_lon: Mapped[float | None] = mapped_column(Float)
    #: An exercise, drill or test (``envelope.exercise``, or a CAP status other than Actual).
    exercise: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    schema_id: Mapped[int] = mapped_column(Integer)
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    #: The W3C ``traceparent`` the record came with (its publish span), so a history
    #: read links to the trace that published each event; none for a record without one.
    traceparent: Mapped[str | None] = mapped_column(String(55))


class ArchivePosition(Base):
    """Where the archiver goes on from in each partition, committed with the rows it
    wrote: after a crash it neither skips nor repeats a record."""

    __tablename__ = "archive_positions"

    topic: Mapped[str] = mapped_column(String(255), primary_key=True)
    partition: Mapped[int] = mapped_column(Integer, primary_key=True)
    next_offset: Mapped[int] = mapped_column(BigInteger)


class ReadReceipt(Base):
    """The first time an event was served to an agency, and by which route."""

    __tablename__ = "read_receipts"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    agency: Mapped[str] = mapped_column(String(64), primary_key=True)
    stream: Mapped[str] = mapped_column(String(128), index=True)
    first_served_ms: Mapped[int] = mapped_column(BigInteger)
    via: Mapped[str] = mapped_column(String(16))


class EventAck(Base):
    """An agency saying it has received an event, is acting on it, or is done."""

    __tablename__ = "event_acks"
    __table_args__ = (Index("ix_event_acks_event", "event_id", "at_ms"),)

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(64))
    stream: Mapped[str] = mapped_column(String(128), index=True)
    agency: Mapped[str] = mapped_column(String(64))
    client_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    at_ms: Mapped[int] = mapped_column(BigInteger)


class PublishedEvent(Base):
    """An event published over HTTP, by event id: a retry of the same id is answered with
    the first coordinates and publishes nothing. A row without an offset is a publish
    still in flight (or one whose process died: it is taken over after a while)."""

    __tablename__ = "published_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    stream: Mapped[str] = mapped_column(String(128))
    client_id: Mapped[str] = mapped_column(String(64))
    #: The claiming request's own token: it tells the request which claims are its.
    claim: Mapped[str] = mapped_column(String(32))
    claimed_ms: Mapped[int] = mapped_column(BigInteger)
    partition: Mapped[int | None] = mapped_column(Integer)
    offset: Mapped[int | None] = mapped_column(BigInteger)


class RateBucket(Base):
    """A client's request allowance shared by every gateway replica: each replica draws
    a small block of it at a time, so the limit holds across replicas (see
    hub/gateway/shared_limits.py)."""

    __tablename__ = "rate_buckets"

    client_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    updated_ms: Mapped[int] = mapped_column(BigInteger)


class LoginFailure(Base):
    """Failed token requests by address or by client id, shared by the replicas, so a
    guesser cannot go around the back-off by spreading tries over them."""

    __tablename__ = "login_failures"

    key: Mapped[str] = mapped_column(String(320), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    last_ms: Mapped[int] = mapped_column(BigInteger, index=True)
