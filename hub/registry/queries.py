"""Reading subjects, versions and schemas; keyword-only functions over one session.

"Latest or numbered" is decided in one place, :func:`find_version`: ``LATEST`` always
means the newest live version, a number may name a soft-deleted one when asked to.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.registry import errors
from hub.registry.entities import LATEST, Reference, StoredSchema, SubjectSchema
from hub.store.models import SchemaReferenceRow, SchemaRow, SubjectVersion


def schema_row(session: Session, *, schema_id: int) -> SchemaRow:
    row = session.get(SchemaRow, schema_id)
    if row is None:
        raise errors.schema_not_found(schema_id)
    return row


def schema_by_id(session: Session, *, schema_id: int) -> StoredSchema:
    """A schema by id; soft-deleted versions do not hide it, so old records still decode."""
    row = schema_row(session, schema_id=schema_id)
    return StoredSchema(row.id, row.schema_text, row.schema_type, references_of(session, row.id))


def references_of(session: Session, schema_id: int) -> tuple[Reference, ...]:
    """The references a stored schema was registered with, in their order."""
    rows = session.scalars(
        select(SchemaReferenceRow)
        .where(SchemaReferenceRow.schema_id == schema_id)
        .order_by(SchemaReferenceRow.position)
    )
    return tuple(Reference(r.name, r.subject, r.version) for r in rows)


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


def live(rows: Sequence[SubjectVersion]) -> list[SubjectVersion]:
    return [r for r in rows if not r.deleted]


def existing_rows(session: Session, *, subject: str, deleted: bool = False) -> list[SubjectVersion]:
    """The subject's rows (live ones unless ``deleted``); 40401 if there are none."""
    rows = subject_rows(session, subject=subject)
    visible = rows if deleted else live(rows)
    if not visible:
        raise errors.subject_not_found(subject)
    return rows


def find_version(
    rows: Sequence[SubjectVersion], version: int, *, deleted: bool = False
) -> SubjectVersion:
    """``LATEST`` is the newest live version; a number may name a soft-deleted one if
    ``deleted``. 40402 when there is no such version."""
    if version == LATEST:
        candidates = live(rows)
        if not candidates:
            raise errors.version_not_found(LATEST)
        return candidates[-1]
    for row in rows:
        if row.version == version and (deleted or not row.deleted):
            return row
    raise errors.version_not_found(version)


def subject_versions(
    session: Session, *, subject: str, deleted: bool = False, deleted_only: bool = False
) -> list[SubjectVersion]:
    """The subject's versions, oldest first; 40401 if it has none that count."""
    rows = subject_rows(session, subject=subject)
    if deleted_only:
        rows = [r for r in rows if r.deleted]
    elif not deleted:
        rows = live(rows)
    if not rows:
        raise errors.subject_not_found(subject)
    return rows


def get_version(
    session: Session, *, subject: str, version: int, deleted: bool = False
) -> SubjectSchema:
    rows = existing_rows(session, subject=subject, deleted=deleted)
    return subject_schema(session, find_version(rows, version, deleted=deleted))


def latest(session: Session, *, subject: str) -> SubjectSchema | None:
    """The newest live version, or None."""
    try:
        row = find_version(subject_rows(session, subject=subject), LATEST)
    except errors.RegistryError:
        return None
    return subject_schema(session, row)


def lookup(
    session: Session, *, subject: str, schema_id: int | None, deleted: bool = False
) -> SubjectSchema:
    """The subject's version holding ``schema_id`` (the newest one, if several)."""
    rows = existing_rows(session, subject=subject, deleted=deleted)
    matches = [r for r in rows if r.schema_id == schema_id and (deleted or not r.deleted)]
    if not matches:
        raise errors.schema_not_found()
    return subject_schema(session, matches[-1])


def versions_of_schema(
    session: Session, *, schema_id: int, deleted: bool = False
) -> list[tuple[str, int]]:
    schema_row(session, schema_id=schema_id)
    statement = select(SubjectVersion).where(SubjectVersion.schema_id == schema_id)
    if not deleted:
        statement = statement.where(SubjectVersion.deleted.is_(False))
    rows = session.scalars(statement.order_by(SubjectVersion.subject, SubjectVersion.version))
    return [(r.subject, r.version) for r in rows]


def subject_schema(
    session: Session, row: SubjectVersion, schema: SchemaRow | None = None
) -> SubjectSchema:
    """The one way a version row becomes what the registry hands out."""
    schema = schema or session.get(SchemaRow, row.schema_id)
    assert schema is not None, "foreign key guarantees the schema row"
    return SubjectSchema(
        row.subject,
        row.version,
        schema.id,
        schema.schema_text,
        schema.schema_type,
        row.deleted,
        references_of(session, schema.id),
    )


def schema_id_for(session: Session, *, digest: str) -> int | None:
    row = session.scalar(select(SchemaRow.id).where(SchemaRow.fingerprint == digest))
    return int(row) if row is not None else None
