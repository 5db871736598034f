"""The registry for in-process callers (provisioning, the decode cache, connectors).

HTTP clients use the Confluent REST API instead; both end in the same functions.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from hub.registry import commands, compat_config, queries
from hub.registry.compatibility import CompatibilityMode
from hub.registry.entities import StoredSchema, SubjectSchema


class SchemaStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def register(self, *, subject: str, text: str, schema_type: str = "AVRO") -> SubjectSchema:
        return commands.in_transaction(
            self._sessions,
            lambda s: commands.register(s, subject=subject, text=text, schema_type=schema_type),
        )

    def set_mode(self, *, subject: str | None, mode: CompatibilityMode) -> None:
        with self._sessions.begin() as session:
            compat_config.set_mode(session, subject=subject, mode=mode)

    def schema(self, schema_id: int) -> StoredSchema:
        with self._sessions() as session:
            return queries.schema_by_id(session, schema_id=schema_id)

    def latest(self, subject: str) -> SubjectSchema | None:
        with self._sessions() as session:
            return queries.latest(session, subject=subject)
