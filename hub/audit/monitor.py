"""The chain's status as a gateway sees it, kept current cheaply.

Each look checks only the rows added since the last one (a bounded number per look),
so the status page costs little however long the log is. That catches a bad new row
at once; rows already checked can only be re-checked by a full pass, which `recheck`
starts in the background (and `hub audit verify` runs from the command line).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import cast

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Engine, Table, select
from sqlalchemy.exc import SQLAlchemyError

from hub.audit.verify import ROW_COLUMNS, ChainCheck, VerifyReport, signed_checkpoints, verify_log
from hub.store.models import AuditRow

log = logging.getLogger(__name__)

_LOG = cast(Table, AuditRow.__table__)
#: What a witness's consistency check is audited as.
WITNESS_ACTION = "audit.consistency"


@dataclass(frozen=True, slots=True)
class WitnessSeen:
    client_id: str
    agency: str | None
    last_seen: datetime
    size: int | None


@dataclass(frozen=True, slots=True)
class ChainStatus:
    rows: int
    verified: int
    ok: bool
    first_bad_seq: int | None
    problem: str | None
    last_checkpoint: int | None
    #: The last full check: not-run, running, ok, broken or failed (could not run).
    full_check: str
    full_check_detail: str
    full_check_at: datetime | None
    witnesses: list[WitnessSeen] = field(default_factory=list)


class ChainMonitor:
    def __init__(
        self,
        engine: Engine,
        *,
        origin: str,
        keys: Sequence[Ed25519PublicKey],
        step: int = 50_000,
    ) -> None:
        self._engine = engine
        self._origin = origin
        self._keys = list(keys)
        self._step = step
        self._lock = threading.Lock()
        self._report = VerifyReport()
        self._check = ChainCheck(self._report, signed={})
        self._full: tuple[str, str, datetime | None] = ("not-run", "", None)
        self._full_thread: threading.Thread | None = None

    def status(self) -> ChainStatus:
        with self._lock:
            try:
                self._advance()
            except SQLAlchemyError as exc:
                log.error("chain status not advanced: %s", type(exc).__name__)
            report = self._report
            finding = report.findings[0] if report.findings else None
            with self._engine.connect() as connection:
                total = connection.execute(
                    select(_LOG.c.seq).order_by(_LOG.c.seq.desc()).limit(1)
                ).scalar()
            return ChainStatus(
                rows=0 if total is None else int(total) + 1,
                verified=self._check.size,
                ok=report.ok,
                first_bad_seq=report.first_bad_seq,
                problem=finding.problem if finding else None,
                last_checkpoint=max(self._check.signed, default=None),
                full_check=self._full[0],
                full_check_detail=self._full[1],
                full_check_at=self._full[2],
                witnesses=self._witnesses(),
            )

    def recheck(self) -> bool:
        """Start a full pass over every row in the background; False if one is running."""
        with self._lock:
            if self._full_thread is not None and self._full_thread.is_alive():
                return False
            self._full = ("running", "", datetime.now(UTC))
            self._full_thread = threading.Thread(target=self._full_pass, daemon=True)
            self._full_thread.start()
            return True

    def _advance(self) -> None:
        if self._check.stopped:
            return
        with self._engine.connect() as connection:
            self._check.signed = signed_checkpoints(
                connection, self._origin, self._keys, VerifyReport()
            )
            rows = connection.execute(
                select(*ROW_COLUMNS)
                .where(_LOG.c.seq >= self._check.size)
                .order_by(_LOG.c.seq)
                .limit(self._step)
            )
            for row in rows:
                if not self._check.feed(row):
                    break

    def _full_pass(self) -> None:
        try:
            with self._engine.connect() as connection:
                report = verify_log(connection, origin=self._origin, keys=self._keys)
        except SQLAlchemyError as exc:
            outcome = ("failed", type(exc).__name__)
        else:
            if report.ok:
                outcome = ("ok", f"{report.rows} rows, {report.checkpoints} checkpoints")
            else:
                first = report.findings[0]
                outcome = ("broken", f"seq {first.seq}: {first.problem}")
        with self._lock:
            self._full = (*outcome, datetime.now(UTC))

    def _witnesses(self) -> list[WitnessSeen]:
        statement = (
            select(_LOG.c.client_id, _LOG.c.agency, _LOG.c.at, _LOG.c.resource)
            .where(
                _LOG.c.action == WITNESS_ACTION,
                _LOG.c.decision == "allow",
                _LOG.c.status == 200,
            )
            .order_by(_LOG.c.seq.desc())
            .limit(1_000)
        )
        seen: dict[str, WitnessSeen] = {}
        with self._engine.connect() as connection:
            for client_id, agency, at, resource in connection.execute(statement):
                if client_id and client_id not in seen:
                    when = at if at.tzinfo else at.replace(tzinfo=UTC)
                    seen[client_id] = WitnessSeen(client_id, agency, when, _size(resource))
        return sorted(seen.values(), key=lambda w: w.last_seen, reverse=True)


def _size(resource: str | None) -> int | None:
    for part in (resource or "").split("&"):
        name, _, value = part.partition("=")
        if name == "to" and value.isdigit():
            return int(value)
    return None
