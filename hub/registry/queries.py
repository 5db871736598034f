"""Reading subjects, versions and schemas; keyword-only functions over one session."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.registry import errors
from hub.registry.entities import LATEST, StoredSchema, SubjectSchema
from hub.store.models import SchemaRow, SubjectVersion


def schema_by_id(session: Session, *, schema_id: int) -> StoredSchema:
    """A schema by id; soft-deleted versions do not hide it, so old records still decode."""
    row = session.get(SchemaRow, schema_id)
    if row is None:
        raise errors.schema_not_found(schema_id)
    return StoredSchema(row.id, row.schema_text, row.schema_type)


def list_subjects(
    session: Session, *, prefix: str = "", deleted: bool = False, deleted_only: bool = False
) -> list[str]:
    statement = select(SubjectVersion.subject).distinct()
    if deleted_only:
        statement = statement.where(SubjectVersion.deleted.is_(True))
    elif not deleted:
        statement = statement.where(SubjectVersion.deleted.is_(False))
    if prefix:
        statement = statement.where(SubjectVersion.subject.startswith(prefix, autoescape=True))
    return sorted(session.scalars(statement))


def subject_rows(session: Session, *, subject: str) -> list[SubjectVersion]:
    """Every version row of a subject, soft-deleted ones too, oldest first."""
    statement = select(SubjectVersion).where(SubjectVersion.subject == subject)
    return list(session.scalars(statement.order_by(SubjectVersion.version)))


def subject_versions(
    session: Session, *, subject: str, deleted: bool = False, deleted_only: bool = False
) -> list[SubjectVersion]:
    """The subject's versions, oldest first; 40401 if it has none that count."""
    statement = select(SubjectVersion).where(SubjectVersion.subject == subject)
    if deleted_only:
        statement = statement.where(SubjectVersion.deleted.is_(True))
    elif not deleted:
        statement = statement.where(SubjectVersion.deleted.is_(False))
    rows = list(session.scalars(statement.order_by(SubjectVersion.version)))
    if not rows:
        raise errors.subject_not_found(subject)
    return rows


def get_version(
    session: Session, *, subject: str, version: int, deleted: bool = False
) -> SubjectSchema:
    """One version; ``LATEST`` is the newest live one (never a soft-deleted one)."""
    all_rows = list(
        session.scalars(
            select(SubjectVersion)
            .where(SubjectVersion.subject == subject)
            .order_by(SubjectVersion.version)
        )
    )
    visible = [r for r in all_rows if deleted or not r.deleted]
    if not visible:
        raise errors.subject_not_found(subject)
    if version == LATEST:
        live = [r for r in all_rows if not r.deleted]
        if not live:
            raise errors.version_not_found(LATEST)
        return _with_schema(session, live[-1])
    match = next((r for r in visible if r.version == version), None)
    if match is None:
        raise errors.version_not_found(version)
    return _with_schema(session, match)


def latest(session: Session, *, subject: str) -> SubjectSchema | None:
    row = session.scalar(
        select(SubjectVersion)
        .where(SubjectVersion.subject == subject, SubjectVersion.deleted.is_(False))
        .order_by(SubjectVersion.version.desc())
        .limit(1)
    )
    return _with_schema(session, row) if row else None


def lookup(
    session: Session, *, subject: str, schema_id: int | None, deleted: bool = False
) -> SubjectSchema:
    """The subject's version holding ``schema_id`` (the newest one, if several)."""
    rows = subject_rows(session, subject=subject)
    visible = [r for r in rows if deleted or not r.deleted]
    if not visible:
        raise errors.subject_not_found(subject)
    matches = sorted((r for r in visible if r.schema_id == schema_id), key=lambda r: r.version)
    if not matches:
        raise errors.schema_not_found()
    return _with_schema(session, matches[-1])


def versions_of_schema(
    session: Session, *, schema_id: int, deleted: bool = False
) -> list[tuple[str, int]]:
    schema_by_id(session, schema_id=schema_id)
    statement = select(SubjectVersion).where(SubjectVersion.schema_id == schema_id)
    if not deleted:
        statement = statement.where(SubjectVersion.deleted.is_(False))
    rows = session.scalars(statement.order_by(SubjectVersion.subject, SubjectVersion.version))
    return [(r.subject, r.version) for r in rows]


def _with_schema(session: Session, row: SubjectVersion) -> SubjectSchema:
    schema = session.get(SchemaRow, row.schema_id)
    assert schema is not None, "foreign key guarantees the schema row"
    return SubjectSchema(
        row.subject, row.version, schema.id, schema.schema_text, schema.schema_type, row.deleted
    )


def schema_id_for(session: Session, *, digest: str) -> int | None:
    row = session.scalar(select(SchemaRow.id).where(SchemaRow.fingerprint == digest))
    return int(row) if row is not None else None
