"""The one audit writer of a process: requests hand it their row, it commits in batches.

A request waits until the batch holding its row has committed before any of its answer
is sent, so nothing is read unaudited. Rows that arrive while a batch commits form the
next batch: under load a commit takes hundreds of rows, idle it takes one, and no
request waits for a timer. Seqs and hashes are given under a database lock (an advisory
lock on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite), so gateways sharing a database
extend one chain and never fork it; the unique seq is the last guard.

Checkpoints are signed in the same transaction as the batch that makes one due, or by
the writer's own timer when the log has grown and gone quiet.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, insert, text

from hub.audit.commit_metrics import CommitMetrics
from hub.audit.entry import AuditEntry, stored_values
from hub.audit.head import LastCheckpoint, last_checkpoint, load_head, stored_size
from hub.audit.inbox import Inbox
from hub.audit.signing import CheckpointSigner
from hub.config import AuditSettings
from hub.errors import AuditUnavailable
from hub.store.models import AuditCheckpoint, AuditRow, AuditTreeNode
from hub.tlog.canonical import canonical_parts
from hub.tlog.notes import Checkpoint
from hub.tlog.sealing import Head, seal

log = logging.getLogger(__name__)

_LOG = cast(Table, AuditRow.__table__)
_NODES = cast(Table, AuditTreeNode.__table__)
_CHECKPOINTS = cast(Table, AuditCheckpoint.__table__)

#: The PostgreSQL advisory lock that serialises appends across processes ("LKAU").
LOCK_KEY = 0x4C4B4155
#: A published checkpoint: its signed note and tree size.
CheckpointHook = Callable[[str, int], None]


@dataclass(slots=True)
class _Pending:
    """A row waiting for its batch, and who waits for it: a thread (``future``) or a
    coroutine (``waiter``, on ``loop``)."""

    values: dict[str, Any]
    #: The row's canonical bytes around its seq, made by the request (off the writer).
    parts: tuple[bytes, bytes]
    future: concurrent.futures.Future[int] | None = None
    loop: asyncio.AbstractEventLoop | None = None
    waiter: asyncio.Future[int] | None = None
    #: QUEUED, then TAKEN (its batch is being written) or GIVEN_UP (its request was
    #: refused for waiting too long, so the row must never be written).
    state: str = "queued"

    def take(self) -> bool:
        """The writer takes the row for a batch, unless its request gave up first."""
        with _STATES:
            if self.state == GIVEN_UP:
                return False
            self.state = TAKEN
            return True

    def give_up(self) -> bool:
        """The request stops waiting, unless the row's batch is already being written:
        then its outcome, bounded by the writer's own lock wait, is final either way."""
        with _STATES:
            if self.state == TAKEN:
                return False
            self.state = GIVEN_UP
            return True


TAKEN, GIVEN_UP = "taken", "given up"
#: Guards the hand-over between a request that gives up and the writer taking its row.
_STATES = threading.Lock()


def _settle(items: list[tuple[asyncio.Future[int], int | BaseException]]) -> None:
    """On the waiters' own loop: one wake-up per batch and loop, not one per row."""
    for waiter, outcome in items:
        if waiter.done():
            continue  # it gave up waiting (its request was refused); the row stands
        if isinstance(outcome, BaseException):
            waiter.set_exception(outcome)
        else:
            waiter.set_result(outcome)


class AuditWriter:
    def __init__(
        self,
        engine: Engine,
        settings: AuditSettings,
        signer: CheckpointSigner,
        *,
        on_checkpoint: CheckpointHook | None = None,
    ) -> None:
        self._engine = engine
        self._settings = settings
        self._signer = signer
        self._on_checkpoint = on_checkpoint
        self._inbox: Inbox[_Pending] = Inbox(settings.queue_max)
        self._thread: threading.Thread | None = None
        self._connection: Connection | None = None
        self._head: Head | None = None
        self._checkpoint: LastCheckpoint | None = None
        self._closed = False
        # One batch at a time on this writer's connection (its thread, or write_batch).
        self._lock = threading.Lock()
        self._metrics = CommitMetrics()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
        self._thread.start()

    def check_running(self) -> None:
        """Raises ``AuditUnavailable`` unless the writer is taking rows (readiness)."""
        if self._closed or self._thread is None or not self._thread.is_alive():
            raise AuditUnavailable("the audit writer is not running")

    def close(self) -> None:
        """Commit what is queued, then stop."""
        if self._closed:
            return
        self._closed = True
        self._inbox.close()
        if self._thread is not None:
            self._thread.join(timeout=self._settings.write_timeout_s + 5)

    def submit(self, entry: AuditEntry) -> concurrent.futures.Future[int]:
        """Queue ``entry``; the future gives its seq once committed, or AuditUnavailable."""
        future: concurrent.futures.Future[int] = concurrent.futures.Future()
        values = stored_values(entry)
        pending = _Pending(values, canonical_parts(values), future=future)
        self._enqueue(pending, future.set_exception)
        return future

    async def append(self, entry: AuditEntry) -> int:
        """The seq of ``entry`` once its batch committed; AuditUnavailable if it did not."""
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[int] = loop.create_future()
        values = stored_values(entry)
        pending = _Pending(values, canonical_parts(values), loop=loop, waiter=waiter)
        self._enqueue(pending, waiter.set_exception)
        try:
            return await asyncio.wait_for(asyncio.shield(waiter), self._settings.write_timeout_s)
        except TimeoutError:
            if not pending.give_up():
                return await waiter  # its batch is being written: the outcome is near
            log.error("an audit row took over %gs to commit", self._settings.write_timeout_s)
            raise AuditUnavailable("the audit log did not answer in time; retry later") from None

    def record(self, entry: AuditEntry) -> int:
        """:meth:`append` for a caller without an event loop."""
        future: concurrent.futures.Future[int] = concurrent.futures.Future()
        values = stored_values(entry)
        pending = _Pending(values, canonical_parts(values), future=future)
        self._enqueue(pending, future.set_exception)
        try:
            return future.result(timeout=self._settings.write_timeout_s)
        except concurrent.futures.TimeoutError:
            if not pending.give_up():
                return future.result()  # its batch is being written: the outcome is near
            raise AuditUnavailable("the audit log did not answer in time; retry later") from None

    def write_batch(self, entries: Sequence[AuditEntry]) -> list[int]:
        """Seal and commit ``entries`` as one batch in the caller's thread, for bulk loads
        (and the benchmark): the same transaction, lock and hashing as the writer thread,
        without the hand-over. Raises AuditUnavailable if the batch is not written."""
        batch = []
        for entry in entries:
            values = stored_values(entry)
            batch.append(_Pending(values, canonical_parts(values)))
        with self._lock:
            return self._commit(batch)

    def _enqueue(self, pending: _Pending, refuse: Callable[[BaseException], None]) -> None:
        if self._closed:
            refuse(AuditUnavailable("the audit writer has stopped"))
        elif not self._inbox.put(pending):
            refuse(AuditUnavailable("the audit log is overloaded; retry later"))

    # -- the writer thread ---------------------------------------------------------------

    def _run(self) -> None:
        while True:
            batch = self._inbox.take(self._settings.batch_max, self._until_checkpoint())
            if batch is None:
                break
            with self._lock, contextlib.suppress(AuditUnavailable):  # its waiters are told
                self._commit(batch)  # an empty batch: the timer's checkpoint, if due
        # The rows since the last checkpoint are signed before the writer goes.
        with self._lock, contextlib.suppress(AuditUnavailable):
            self._commit([], final=True)
        self._drop_connection()

    def _until_checkpoint(self) -> float | None:
        """Seconds until the timer's checkpoint is due; None when none can be."""
        head, last = self._head, self._checkpoint
        if head is None or head.size == 0 or (last is not None and last.size >= head.size):
            return None
        since = last.at.timestamp() if last is not None else time.time()
        return max(0.05, since + self._settings.checkpoint_s - time.time())

    def _commit(self, batch: list[_Pending], *, final: bool = False) -> list[int]:
        """Write ``batch``; tell its waiters; return the seqs (or raise AuditUnavailable).
        Rows whose request gave up waiting (and was refused) are left out: the log must
        not say a refused request was served."""
        batch = [p for p in batch if p.take()]
        note: tuple[str, int] | None = None
        started = time.perf_counter()
        try:
            with self._transaction() as connection:
                head = self._current_head(connection)
                sealed, nodes = seal(head, [p.parts for p in batch])
                rows = [p.values for p in batch]  # the writer's own from here on
                for row, done in zip(rows, sealed, strict=True):
                    row["seq"], row["leaf_hash"], row["chain_hash"] = (
                        done.seq,
                        done.leaf_hash,
                        done.chain_hash,
                    )
                if rows:
                    connection.execute(insert(_LOG), rows)
                if nodes:
                    connection.execute(
                        insert(_NODES),
                        [{"level": lv, "idx": ix, "hash": h} for lv, ix, h in nodes],
                    )
                note = self._checkpoint_if_due(connection, head, force=final)
        except Exception as exc:
            self._metrics.failed(len(batch), time.perf_counter() - started)
            self._head = self._checkpoint = None  # read again from the database next time
            log.error("audit batch of %d rows not written: %s", len(batch), type(exc).__name__)
            failure = AuditUnavailable("the audit log cannot be written; request refused")
            self._resolve(batch, [failure] * len(batch))
            raise failure from exc
        self._metrics.committed(len(batch), time.perf_counter() - started)
        seqs = [done.seq for done in sealed]
        self._resolve(batch, seqs)
        if note is not None and self._on_checkpoint is not None:
            try:
                self._on_checkpoint(*note)
            except Exception:
                log.exception("checkpoint %d committed but not published", note[1])
        return seqs

    @staticmethod
    def _resolve(batch: list[_Pending], outcomes: Sequence[int | BaseException]) -> None:
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[int], Any]]] = {}
        for pending, outcome in zip(batch, outcomes, strict=True):
            if pending.future is not None:
                with contextlib.suppress(concurrent.futures.InvalidStateError):
                    if isinstance(outcome, BaseException):
                        pending.future.set_exception(outcome)
                    else:
                        pending.future.set_result(outcome)
            elif pending.loop is not None and pending.waiter is not None:
                by_loop.setdefault(pending.loop, []).append((pending.waiter, outcome))
        for loop, items in by_loop.items():
            with contextlib.suppress(RuntimeError):  # a loop already closed
                loop.call_soon_threadsafe(_settle, items)

    def _current_head(self, connection: Connection) -> Head:
        """The cached head if no other process has appended since, else the stored one."""
        head = self._head
        if head is None or stored_size(connection) != head.size:
            head = load_head(connection)
            self._checkpoint = last_checkpoint(connection)
        # Kept only once the transaction commits (a failure clears it).
        self._head = head
        return head

    def _checkpoint_if_due(
        self, connection: Connection, head: Head, *, force: bool = False
    ) -> tuple[str, int] | None:
        last = self._checkpoint
        grown = head.size - (last.size if last else 0)
        if grown <= 0:
            return None
        now = datetime.now(UTC)
        aged = last is None or (now - last.at).total_seconds() >= self._settings.checkpoint_s
        if grown < self._settings.checkpoint_rows and not aged and not force:
            return None
        root = head.frontier.root()
        text_ = Checkpoint(self._settings.origin, head.size, root).text()
        note = self._signer.sign(text_)
        connection.execute(
            insert(_CHECKPOINTS),
            {"size": head.size, "root": root.hex(), "note": note, "at": now},
        )
        self._checkpoint = LastCheckpoint(head.size, now)
        return note, head.size

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Connection]:
        connection = self._connect()
        sqlite = connection.dialect.name == "sqlite"
        try:
            if sqlite:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                connection.exec_driver_sql("BEGIN")
                # Bounded waits: a locked table fails the batch (503) rather than hang it.
                lock_ms, statement_ms = self._waits_ms()
                connection.exec_driver_sql(f"SET LOCAL lock_timeout = {lock_ms}")
                connection.exec_driver_sql(f"SET LOCAL statement_timeout = {statement_ms}")
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
            yield connection
            connection.exec_driver_sql("COMMIT")
        except BaseException:
            try:
                connection.exec_driver_sql("ROLLBACK")
            except Exception:
                self._drop_connection()  # broken: the next batch connects afresh
            raise

    def _connect(self) -> Connection:
        if self._connection is None or self._connection.closed:
            connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql(f"PRAGMA busy_timeout = {self._waits_ms()[0]}")
            self._connection = connection
        return self._connection

    def _waits_ms(self) -> tuple[int, int]:
        """How long a batch may wait for the database's lock, and how long one statement
        may run. Under half the requests' own wait: a request that arrives while one
        batch is failing on a locked store waits for that one and then its own, and is
        still answered (503) within its bound."""
        bound_ms = self._settings.write_timeout_s * 1000
        return int(bound_ms * 0.45), int(bound_ms * 2)

    def _drop_connection(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                self._connection.invalidate()
                self._connection.close()
            self._connection = None
