"""Schemas, subjects and versions in the hub's database.

Ids are global: the same schema text registered under two subjects has one id, and an
identical schema registered again under a subject returns its existing version.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from hub.errors import NotFound
from hub.registry.parse import fingerprint, parse_avro
from hub.store.models import SchemaRow, SubjectVersion


@dataclass(frozen=True, slots=True)
class StoredSchema:
    schema_id: int
    text: str
    schema_type: str


@dataclass(frozen=True, slots=True)
class SubjectSchema:
    subject: str
    version: int
    schema_id: int
    text: str
    schema_type: str


class SchemaStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def register(self, *, subject: str, text: str, schema_type: str = "AVRO") -> SubjectSchema:
        """Register ``text`` under ``subject`` (no compatibility check: see the service)."""
        parse_avro(text)
        for attempt in range(3):
            try:
                return self._register_once(subject, text, schema_type)
            except IntegrityError:
                # Another writer registered the same schema or version first; look again.
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _register_once(self, subject: str, text: str, schema_type: str) -> SubjectSchema:
        digest = fingerprint(text, schema_type)
        with self._sessions.begin() as session:
            row = session.scalar(select(SchemaRow).where(SchemaRow.fingerprint == digest))
            if row is None:
                row = SchemaRow(schema_type=schema_type, schema_text=text, fingerprint=digest)
                session.add(row)
                session.flush()
            existing = session.scalar(
                select(SubjectVersion).where(
                    SubjectVersion.subject == subject,
                    SubjectVersion.schema_id == row.id,
                    SubjectVersion.deleted.is_(False),
                )
            )
            if existing is not None:
                return _subject_schema(existing, row)
            last = session.scalar(
                select(func.max(SubjectVersion.version)).where(SubjectVersion.subject == subject)
            )
            version = SubjectVersion(subject=subject, version=(last or 0) + 1, schema_id=row.id)
            session.add(version)
            session.flush()
            return _subject_schema(version, row)

    def schema(self, schema_id: int) -> StoredSchema:
        with self._sessions() as session:
            row = session.get(SchemaRow, schema_id)
            if row is None:
                raise NotFound(f"schema {schema_id} not found")
            return StoredSchema(row.id, row.schema_text, row.schema_type)

    def latest(self, subject: str) -> SubjectSchema | None:
        with self._sessions() as session:
            found = session.execute(
                select(SubjectVersion, SchemaRow)
                .join(SchemaRow, SchemaRow.id == SubjectVersion.schema_id)
                .where(SubjectVersion.subject == subject, SubjectVersion.deleted.is_(False))
                .order_by(SubjectVersion.version.desc())
                .limit(1)
            ).first()
            return _subject_schema(*found) if found else None


def _subject_schema(version: SubjectVersion, row: SchemaRow) -> SubjectSchema:
    return SubjectSchema(version.subject, version.version, row.id, row.schema_text, row.schema_type)
