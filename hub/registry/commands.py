"""Registering and deleting schemas, with Confluent's semantics.

- An identical schema already live under the subject keeps its id and version, unchecked.
- Otherwise the new schema must pass the subject's compatibility mode against the live
  versions; its id is global (the same schema under two subjects shares one id).
- New versions number on from the highest ever used, soft-deleted ones included.
- Deletes are soft first; a permanent delete needs the soft one before it.
- A version another schema refers to cannot be deleted (42206): softly while a live
  version refers to it, permanently while any version does.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TypeVar

import avro.schema
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from hub.errors import InvalidSchema
from hub.registry import errors, queries, references
from hub.registry.compat_config import effective_mode
from hub.registry.compatibility import CompatibilityReport, PreviousVersion, check_compatibility
from hub.registry.entities import Reference, SubjectSchema, SubmittedSchema
from hub.serde.parse import canonical_text, fingerprint, parse_avro
from hub.store.models import RegistryConfig, SchemaRow, SubjectVersion

T = TypeVar("T")
SCHEMA_TYPES = ("AVRO",)


def parse_for_registry(
    text: str, schema_type: str = "AVRO", *, named: Sequence[str] = ()
) -> avro.schema.Schema:
    if schema_type.upper() not in SCHEMA_TYPES:
        raise errors.RegistryError(422, 42201, f"Invalid schema type {schema_type}")
    if not text.strip():
        raise errors.RegistryError(422, 42201, "Empty schema")
    try:
        return parse_avro(text, named=named)
    except InvalidSchema as exc:
        raise errors.invalid_schema(exc.message.removeprefix("invalid Avro schema: ")) from None


def identify(
    session: Session, submitted: SubmittedSchema, *, allow_deleted: bool = False
) -> tuple[avro.schema.Schema, tuple[Reference, ...], str]:
    """Parse a submitted schema with its references; returns it, the concrete references
    and its fingerprint (its identity)."""
    resolution = references.resolve(session, submitted.references, allow_deleted=allow_deleted)
    parsed = parse_for_registry(submitted.text, submitted.schema_type, named=resolution.named)
    digest = fingerprint(parsed, references=[r.as_tuple() for r in resolution.references])
    return parsed, resolution.references, digest


def register(session: Session, *, subject: str, submitted: SubmittedSchema) -> SubjectSchema:
    parsed, concrete, digest = identify(session, submitted)
    rows = queries.subject_rows(session, subject=subject)
    existing = session.scalar(select(SchemaRow).where(SchemaRow.fingerprint == digest))
    if existing is not None:
        same = sorted(
            (r for r in rows if not r.deleted and r.schema_id == existing.id),
            key=lambda r: r.version,
        )
        if same:
            return queries.subject_schema(session, same[-1], existing)
    inlined = _inlined_match(session, rows, parsed, concrete)
    if inlined is not None:
        return queries.subject_schema(session, inlined)
    live = sorted(queries.live(rows), key=lambda r: r.version, reverse=True)
    report = check_compatibility(
        effective_mode(session, subject=subject), parsed, _previous(session, live)
    )
    if not report.compatible:
        raise errors.incompatible(subject, report.messages)
    if existing is None:
        compact = canonical_text(json.loads(submitted.text))
        existing = SchemaRow(schema_type="AVRO", schema_text=compact, fingerprint=digest)
        session.add(existing)
        session.flush()
        references.save(session, existing.id, concrete)
    next_version = max((r.version for r in rows), default=0) + 1
    # Soft-deleted versions of this very schema are replaced by the new one (Confluent),
    # unless another schema still refers to one of them: that one stays, soft-deleted.
    for row in rows:
        if (
            row.deleted
            and row.schema_id == existing.id
            and not references.referrers(
                session, subject=row.subject, version=row.version, deleted=True
            )
        ):
            session.delete(row)
    created = SubjectVersion(subject=subject, version=next_version, schema_id=existing.id)
    session.add(created)
    session.flush()
    return queries.subject_schema(session, created, existing)


def lookup(
    session: Session, *, subject: str, submitted: SubmittedSchema, deleted: bool = False
) -> SubjectSchema:
    """The version of ``subject`` that holds this very schema (with these references)."""
    parsed, concrete, digest = identify(session, submitted, allow_deleted=True)
    schema_id = queries.schema_id_for(session, digest=digest)
    try:
        return queries.lookup(session, subject=subject, schema_id=schema_id, deleted=deleted)
    except errors.RegistryError as exc:
        inlined = _inlined_match(
            session, queries.subject_rows(session, subject=subject), parsed, concrete
        )
        if exc.error_code != 40403 or inlined is None:
            raise
        return queries.subject_schema(session, inlined)


def _inlined_match(
    session: Session,
    rows: Sequence[SubjectVersion],
    parsed: avro.schema.Schema,
    concrete: Sequence[Reference],
) -> SubjectVersion | None:
    """A live version with references that a schema sent without them writes out in full.

    Clients that cannot send references send the inlined schema; Confluent finds the
    version they mean by comparing what both resolve to, and so does this.
    """
    if concrete:
        return None
    plain = fingerprint(parsed)
    for row in reversed(queries.live(rows)):
        schema = session.get(SchemaRow, row.schema_id)
        assert schema is not None
        if queries.references_of(session, schema.id) and (
            fingerprint(references.parsed(session, schema)) == plain
        ):
            return row
    return None


def check_candidate(
    session: Session,
    *,
    subject: str,
    version: int | None,
    submitted: SubmittedSchema,
    verbose: bool = False,
) -> CompatibilityReport:
    """Would it pass against one version (or, with ``None``, the mode's versions)?"""
    try:
        parsed, _, _ = identify(session, submitted)
    except errors.RegistryError as exc:
        if verbose:
            return CompatibilityReport(False, [exc.message])
        raise
    rows = queries.subject_rows(session, subject=subject)
    mode = effective_mode(session, subject=subject)
    if version is None:
        # A subject with no versions yet has nothing to break: a pipeline checking a new
        # subject before its first registration gets "compatible", as from Confluent.
        newest_first = sorted(queries.live(rows), key=lambda r: r.version, reverse=True)
        return check_compatibility(mode, parsed, _previous(session, newest_first))
    if not rows:
        raise errors.subject_not_found(subject)
    target = queries.find_version(rows, version)
    return check_compatibility(mode, parsed, _previous(session, [target]), against_all=False)


def delete_subject(session: Session, *, subject: str, permanent: bool) -> list[int]:
    rows = queries.subject_rows(session, subject=subject)
    if not rows:
        raise errors.subject_not_found(subject)
    live = queries.live(rows)
    if not permanent and not live:
        raise errors.subject_soft_deleted(subject)
    for row in rows if permanent else live:
        _refuse_if_referenced(session, row, permanent=permanent, other_than=subject)
    if not permanent:
        for row in live:
            row.deleted = True
        return [r.version for r in live]
    if live:
        raise errors.subject_not_soft_deleted(subject)
    for row in rows:
        session.delete(row)
    config = session.get(RegistryConfig, subject)
    if config is not None:
        session.delete(config)
    return [r.version for r in rows]


def delete_version(session: Session, *, subject: str, version: int, permanent: bool) -> int:
    rows = queries.subject_rows(session, subject=subject)
    if not rows:
        raise errors.subject_not_found(subject)
    target = queries.find_version(rows, version, deleted=True)
    if not permanent and target.deleted:
        raise errors.version_soft_deleted(subject, target.version)
    _refuse_if_referenced(session, target, permanent=permanent)
    if permanent and not target.deleted:
        raise errors.version_not_soft_deleted(subject, target.version)
    if permanent:
        session.delete(target)
        if len(rows) == 1:
            config = session.get(RegistryConfig, subject)
            if config is not None:
                session.delete(config)
    else:
        target.deleted = True
    return target.version


def _refuse_if_referenced(
    session: Session, row: SubjectVersion, *, permanent: bool, other_than: str | None = None
) -> None:
    """A soft delete waits for live referrers to go; a permanent one for every referrer."""
    found = references.referrers(
        session,
        subject=row.subject,
        version=row.version,
        deleted=permanent,
        other_than=other_than,
    )
    if found:
        raise errors.reference_exists(row.subject, row.version)


def in_transaction(
    sessions: sessionmaker[Session], action: Callable[[Session], T], *, attempts: int = 3
) -> T:
    """Run ``action`` in a transaction, again if a concurrent writer took the same version."""
    for attempt in range(attempts):
        try:
            with sessions.begin() as session:
                return action(session)
        except IntegrityError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def _previous(session: Session, rows: list[SubjectVersion]) -> list[PreviousVersion]:
    previous = []
    for row in rows:
        schema = session.get(SchemaRow, row.schema_id)
        assert schema is not None
        previous.append(PreviousVersion(row.version, references.parsed(session, schema)))
    return previous
