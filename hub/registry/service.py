"""The schema registry as one service: every operation, each in its own transaction.

The gateway's Confluent REST routes and its decode cache, provisioning, the connector
sinks the composition root builds and `hub schemas check` all call this; none of them
opens a session or runs a registry query of its own.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from hub.registry import commands, compat_config, queries, references
from hub.registry.compatibility import CompatibilityReport
from hub.registry.entities import StoredSchema, SubjectSchema, SubmittedSchema
from hub.serde.modes import CompatibilityMode


class RegistryService:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    # Subjects and versions

    def subjects(
        self, *, prefix: str = "", deleted: bool = False, deleted_only: bool = False
    ) -> list[str]:
        with self._sessions() as session:
            return queries.list_subjects(
                session, prefix=prefix, deleted=deleted, deleted_only=deleted_only
            )

    def versions(
        self, *, subject: str, deleted: bool = False, deleted_only: bool = False
    ) -> list[int]:
        with self._sessions() as session:
            rows = queries.subject_versions(
                session, subject=subject, deleted=deleted, deleted_only=deleted_only
            )
            return [row.version for row in rows]

    def version(self, *, subject: str, version: int, deleted: bool = False) -> SubjectSchema:
        with self._sessions() as session:
            return queries.get_version(session, subject=subject, version=version, deleted=deleted)

    def latest(self, subject: str) -> SubjectSchema | None:
        with self._sessions() as session:
            return queries.latest(session, subject=subject)

    def register(self, *, subject: str, submitted: SubmittedSchema) -> SubjectSchema:
        return commands.in_transaction(
            self._sessions,
            lambda s: commands.register(s, subject=subject, submitted=submitted),
        )

    def lookup(
        self, *, subject: str, submitted: SubmittedSchema, deleted: bool = False
    ) -> SubjectSchema:
        """The version of ``subject`` that holds this very schema (with these references)."""
        with self._sessions() as session:
            return commands.lookup(session, subject=subject, submitted=submitted, deleted=deleted)

    def referenced_by(self, *, subject: str, version: int) -> list[int]:
        """Ids of the live schemas that refer to this version (soft-deleted or not)."""
        with self._sessions() as session:
            found = queries.get_version(session, subject=subject, version=version, deleted=True)
            return references.referrers(session, subject=found.subject, version=found.version)

    def delete_subject(self, *, subject: str, permanent: bool) -> list[int]:
        return commands.in_transaction(
            self._sessions,
            lambda s: commands.delete_subject(s, subject=subject, permanent=permanent),
        )

    def delete_version(self, *, subject: str, version: int, permanent: bool) -> int:
        return commands.in_transaction(
            self._sessions,
            lambda s: commands.delete_version(
                s, subject=subject, version=version, permanent=permanent
            ),
        )

    # Schemas by id

    def schema(self, schema_id: int) -> StoredSchema:
        with self._sessions() as session:
            return queries.schema_by_id(session, schema_id=schema_id)

    def decodable(self, schema_id: int) -> StoredSchema:
        """The schema with its references written out: what a decoder compiles."""
        with self._sessions() as session:
            return references.decodable_schema(session, schema_id=schema_id)

    def schema_uses(self, *, schema_id: int, deleted: bool = False) -> list[tuple[str, int]]:
        """(subject, version) pairs holding this schema."""
        with self._sessions() as session:
            return queries.versions_of_schema(session, schema_id=schema_id, deleted=deleted)

    # Compatibility

    def check(
        self,
        *,
        subject: str,
        version: int | None,
        submitted: SubmittedSchema,
        verbose: bool = False,
    ) -> CompatibilityReport:
        with self._sessions() as session:
            return commands.check_candidate(
                session, subject=subject, version=version, submitted=submitted, verbose=verbose
            )

    def mode(self, *, subject: str | None, default_to_global: bool = False) -> CompatibilityMode:
        with self._sessions() as session:
            return compat_config.get_mode(
                session, subject=subject, default_to_global=default_to_global
            )

    def set_mode(self, *, subject: str | None, mode: CompatibilityMode) -> CompatibilityMode:
        # Two first settings of one subject race to insert its row: the loser retries.
        commands.in_transaction(
            self._sessions, lambda s: compat_config.set_mode(s, subject=subject, mode=mode)
        )
        return mode

    def delete_mode(self, *, subject: str | None) -> CompatibilityMode:
        """Remove a subject's (or the global) mode; returns what it was."""
        with self._sessions.begin() as session:
            return compat_config.delete_mode(session, subject=subject)
