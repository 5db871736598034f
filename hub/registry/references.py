"""Schema references (Confluent's ``references``): resolving them, and who depends on whom.

A schema may use named types that another subject's version defines; it names them as
``{name, subject, version}``. To parse it, every referenced schema is parsed first,
deepest first, into the same set of names. ``version: -1`` means the newest live version
when registering and is stored as that concrete number, so a stored schema always parses
the same way. The registry's own catalogue does not use references (see the README).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import avro.schema
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.registry import errors, queries
from hub.registry.entities import Reference, StoredSchema
from hub.serde.parse import inlined_text, parse_avro
from hub.store.models import SchemaReferenceRow, SchemaRow, SubjectVersion

# Deeper than this is a cycle someone built by deleting and re-registering versions.
MAX_DEPTH = 32


@dataclass(frozen=True, slots=True)
class Resolution:
    """References with concrete versions, and the schema texts they bring in, deepest first."""

    references: tuple[Reference, ...]
    named: tuple[str, ...]


def save(session: Session, schema_id: int, references: Sequence[Reference]) -> None:
    for position, ref in enumerate(references):
        session.add(
            SchemaReferenceRow(
                schema_id=schema_id,
                position=position,
                name=ref.name,
                subject=ref.subject,
                version=ref.version,
            )
        )


def resolve(session: Session, requested: Sequence[Reference], *, allow_deleted: bool) -> Resolution:
    """Find each referenced version (42201 if one is missing) and what it brings in.

    A new schema may not refer to a soft-deleted version (``allow_deleted`` false); a
    stored one keeps parsing after its references were soft-deleted.
    """
    concrete: list[Reference] = []
    texts: dict[str, str] = {}
    for ref in requested:
        target = _target(session, ref.subject, ref.version, allow_deleted=allow_deleted)
        if target is None:
            raise errors.reference_not_found(ref.subject, ref.version)
        concrete.append(Reference(ref.name, ref.subject, target.version))
        _collect(session, ref.name, target.schema_id, texts, depth=0)
    # One type defined twice breaks the parse: the same text is parsed once.
    return Resolution(tuple(concrete), tuple(dict.fromkeys(texts.values())))


def _target(
    session: Session, subject: str, version: int, *, allow_deleted: bool
) -> SubjectVersion | None:
    rows = queries.subject_rows(session, subject=subject)
    try:
        return queries.find_version(rows, version, deleted=allow_deleted)
    except errors.RegistryError:
        return None


def _collect(
    session: Session, name: str, schema_id: int, texts: dict[str, str], *, depth: int
) -> None:
    if name in texts:
        return
    if depth > MAX_DEPTH:
        raise errors.invalid_schema(f"references nest deeper than {MAX_DEPTH} levels")
    for ref in queries.references_of(session, schema_id):
        target = _target(session, ref.subject, ref.version, allow_deleted=True)
        if target is None:
            raise errors.reference_not_found(ref.subject, ref.version)
        _collect(session, ref.name, target.schema_id, texts, depth=depth + 1)
    row = session.get(SchemaRow, schema_id)
    assert row is not None, "a subject version's schema exists"
    texts[name] = row.schema_text


def parsed(session: Session, row: SchemaRow) -> avro.schema.Schema:
    """A stored schema, parsed with what its references bring in."""
    refs = queries.references_of(session, row.id)
    if not refs:
        return parse_avro(row.schema_text)
    resolution = resolve(session, refs, allow_deleted=True)
    return parse_avro(row.schema_text, named=resolution.named)


def decodable_schema(session: Session, *, schema_id: int) -> StoredSchema:
    """A schema by id as a decoder can use it alone: its references written out."""
    row = queries.schema_row(session, schema_id=schema_id)
    if not queries.references_of(session, row.id):
        return StoredSchema(row.id, row.schema_text, row.schema_type)
    return StoredSchema(row.id, inlined_text(parsed(session, row)), row.schema_type)


def referrers(
    session: Session,
    *,
    subject: str,
    version: int,
    deleted: bool = False,
    other_than: str | None = None,
) -> list[int]:
    """Ids of the schemas that refer to ``subject`` ``version`` and are still a version of
    some subject (a live one, unless ``deleted``), optionally of a subject other than
    ``other_than``."""
    statement = (
        select(SchemaReferenceRow.schema_id)
        .join(SubjectVersion, SubjectVersion.schema_id == SchemaReferenceRow.schema_id)
        .where(SchemaReferenceRow.subject == subject, SchemaReferenceRow.version == version)
        .distinct()
    )
    if not deleted:
        statement = statement.where(SubjectVersion.deleted.is_(False))
    if other_than is not None:
        statement = statement.where(SubjectVersion.subject != other_than)
    return sorted(session.scalars(statement))
