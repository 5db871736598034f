"""Where the stored chain and tree end, read back from the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import Connection, Table, func, select

from hub.audit.tree_store import range_hashes
from hub.store.models import AuditCheckpoint, AuditRow
from hub.tlog.merkle import Frontier, complete_ranges
from hub.tlog.sealing import Head

_LOG = cast(Table, AuditRow.__table__)
_CHECKPOINTS = cast(Table, AuditCheckpoint.__table__)


def stored_size(connection: Connection) -> int:
    last = connection.execute(select(func.max(_LOG.c.seq))).scalar()
    return 0 if last is None else int(last) + 1


def load_head(connection: Connection) -> Head:
    size = stored_size(connection)
    if size == 0:
        return Head()
    last = connection.execute(select(_LOG.c.chain_hash).where(_LOG.c.seq == size - 1)).scalar()
    hashes = range_hashes(connection, complete_ranges(0, size))
    frontier = Frontier.of(size, lambda start, end: hashes[(start, end)])
    return Head(frontier, bytes.fromhex(str(last)))


@dataclass(frozen=True, slots=True)
class LastCheckpoint:
    size: int
    at: datetime


def last_checkpoint(connection: Connection) -> LastCheckpoint | None:
    row = connection.execute(
        select(_CHECKPOINTS.c.size, _CHECKPOINTS.c.at).order_by(_CHECKPOINTS.c.size.desc()).limit(1)
    ).first()
    if row is None:
        return None
    at = row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC)
    return LastCheckpoint(int(row.size), at)
