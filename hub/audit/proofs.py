"""Signed checkpoints and RFC 9162 proofs, read from the stored tree.

A proof is checkable without trusting the hub: against a checkpoint of the same tree
size, signed with a published key, and ideally one a witness also holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Connection, Engine, Row, Select, Table, select
from sqlalchemy.exc import SQLAlchemyError

from hub.audit.head import stored_size
from hub.audit.tree_store import range_hashes
from hub.errors import AuditUnavailable, BadRequest, NotFound
from hub.store.models import AuditCheckpoint, AuditRow
from hub.tlog.merkle import consistency_ranges, inclusion_ranges

_LOG = cast(Table, AuditRow.__table__)
_CHECKPOINTS = cast(Table, AuditCheckpoint.__table__)


@dataclass(frozen=True, slots=True)
class CheckpointRecord:
    size: int
    root: bytes
    note: str
    at: datetime


@dataclass(frozen=True, slots=True)
class InclusionProof:
    leaf_index: int
    leaf_hash: bytes
    tree_size: int
    audit_path: list[bytes]


@dataclass(frozen=True, slots=True)
class ConsistencyProof:
    first: int
    second: int
    path: list[bytes]


class AuditProofs:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def checkpoints(self, *, after: int = 0, limit: int = 100) -> list[CheckpointRecord]:
        """Checkpoints of a tree larger than ``after``, smallest first."""
        statement = (
            select(_CHECKPOINTS)
            .where(_CHECKPOINTS.c.size > after)
            .order_by(_CHECKPOINTS.c.size)
            .limit(limit)
        )
        return [_record(row) for row in self._rows(statement)]

    def latest_checkpoint(self) -> CheckpointRecord | None:
        statement = select(_CHECKPOINTS).order_by(_CHECKPOINTS.c.size.desc()).limit(1)
        found = self._rows(statement)
        return _record(found[0]) if found else None

    def inclusion(self, *, seq: int, size: int) -> InclusionProof:
        try:
            with self._engine.connect() as connection:
                self._within(connection, size)
                if not 0 <= seq < size:
                    raise BadRequest(f"seq {seq} is not in a tree of {size} rows (0 to {size - 1})")
                leaf = connection.execute(
                    select(_LOG.c.leaf_hash).where(_LOG.c.seq == seq)
                ).scalar()
                if leaf is None:
                    raise NotFound(f"no audit row has seq {seq}")
                ranges = inclusion_ranges(seq, size)
                hashes = range_hashes(connection, ranges)
        except SQLAlchemyError as exc:
            raise AuditUnavailable("the audit log cannot be read right now") from exc
        return InclusionProof(seq, bytes.fromhex(leaf), size, [hashes[r] for r in ranges])

    def consistency(self, *, first: int, second: int) -> ConsistencyProof:
        if not 0 < first <= second:
            raise BadRequest(
                "a consistency proof runs from a size to a larger or equal one (from >= 1)"
            )
        try:
            with self._engine.connect() as connection:
                self._within(connection, second)
                ranges = consistency_ranges(first, second)
                hashes = range_hashes(connection, ranges)
        except SQLAlchemyError as exc:
            raise AuditUnavailable("the audit log cannot be read right now") from exc
        return ConsistencyProof(first, second, [hashes[r] for r in ranges])

    def size(self) -> int:
        with self._engine.connect() as connection:
            return stored_size(connection)

    @staticmethod
    def _within(connection: Connection, size: int) -> None:
        current = stored_size(connection)
        if size < 1 or size > current:
            raise BadRequest(f"the tree has {current} rows; ask for a size from 1 to {current}")

    def _rows(self, statement: Select[Any]) -> list[Row[Any]]:
        try:
            with self._engine.connect() as connection:
                return list(connection.execute(statement))
        except SQLAlchemyError as exc:
            raise AuditUnavailable("the audit log cannot be read right now") from exc


def _record(row: Row[Any]) -> CheckpointRecord:
    at = row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC)
    return CheckpointRecord(int(row.size), bytes.fromhex(row.root), row.note, at)
