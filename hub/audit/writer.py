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
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, insert, text

from hub.audit.entry import AuditEntry, stored_values
from hub.audit.head import LastCheckpoint, last_checkpoint, load_head, stored_size
from hub.audit.signing import CheckpointSigner
from hub.config import AuditSettings
from hub.errors import AuditUnavailable
from hub.store.models import AuditCheckpoint, AuditRow, AuditTreeNode
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
    values: dict[str, Any]
    future: concurrent.futures.Future[int]


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
        self._queue: queue.Queue[_Pending | None] = queue.Queue(maxsize=settings.queue_max)
        self._thread: threading.Thread | None = None
        self._connection: Connection | None = None
        self._head: Head | None = None
        self._checkpoint: LastCheckpoint | None = None
        self._closed = False

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Commit what is queued, then stop."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout=self._settings.write_timeout_s + 5)

    def submit(self, entry: AuditEntry) -> concurrent.futures.Future[int]:
        """Queue ``entry``; the future gives its seq once committed, or AuditUnavailable."""
        future: concurrent.futures.Future[int] = concurrent.futures.Future()
        if self._closed:
            future.set_exception(AuditUnavailable("the audit writer has stopped"))
            return future
        try:
            self._queue.put_nowait(_Pending(stored_values(entry), future))
        except queue.Full:
            future.set_exception(AuditUnavailable("the audit log is overloaded; retry later"))
        return future

    async def append(self, entry: AuditEntry) -> int:
        """The seq of ``entry`` once its batch committed; AuditUnavailable if it did not."""
        future = asyncio.wrap_future(self.submit(entry))
        try:
            return await asyncio.wait_for(future, self._settings.write_timeout_s)
        except TimeoutError:
            log.error("an audit row took over %gs to commit", self._settings.write_timeout_s)
            raise AuditUnavailable("the audit log did not answer in time; retry later") from None

    def record(self, entry: AuditEntry) -> int:
        """:meth:`append` for a caller without an event loop."""
        try:
            return self.submit(entry).result(timeout=self._settings.write_timeout_s)
        except concurrent.futures.TimeoutError:
            raise AuditUnavailable("the audit log did not answer in time; retry later") from None

    # -- the writer thread ---------------------------------------------------------------

    def _run(self) -> None:
        stopping = False
        while not stopping:
            try:
                first = self._queue.get(timeout=self._until_checkpoint())
            except queue.Empty:
                self._commit([])
                continue
            if first is None:
                break
            batch = [first]
            while len(batch) < self._settings.batch_max:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                    break
                batch.append(item)
            self._commit(batch)
        # The rows since the last checkpoint are signed before the writer goes.
        self._commit([], final=True)
        self._drop_connection()

    def _until_checkpoint(self) -> float | None:
        """Seconds until the timer's checkpoint is due; None when none can be."""
        head, last = self._head, self._checkpoint
        if head is None or head.size == 0 or (last is not None and last.size >= head.size):
            return None
        since = last.at.timestamp() if last is not None else time.time()
        return max(0.05, since + self._settings.checkpoint_s - time.time())

    def _commit(self, batch: list[_Pending], *, final: bool = False) -> None:
        taken = [p for p in batch if p.future.set_running_or_notify_cancel()]
        note: tuple[str, int] | None = None
        try:
            with self._transaction() as connection:
                head = self._current_head(connection)
                sealed, nodes = seal(head, [p.values for p in taken])
                if taken:
                    connection.execute(
                        insert(_LOG),
                        [
                            {
                                **p.values,
                                "seq": s.seq,
                                "leaf_hash": s.leaf_hash,
                                "chain_hash": s.chain_hash,
                            }
                            for p, s in zip(taken, sealed, strict=True)
                        ],
                    )
                if nodes:
                    connection.execute(
                        insert(_NODES),
                        [{"level": lv, "idx": ix, "hash": h} for lv, ix, h in nodes],
                    )
                note = self._checkpoint_if_due(connection, head, force=final)
        except Exception as exc:
            self._head = self._checkpoint = None  # read again from the database next time
            log.error("audit batch of %d rows not written: %s", len(taken), type(exc).__name__)
            for pending in taken:
                pending.future.set_exception(
                    AuditUnavailable("the audit log cannot be written; request refused")
                )
            return
        for pending, done in zip(taken, sealed, strict=True):
            pending.future.set_result(done.seq)
        if note is not None and self._on_checkpoint is not None:
            try:
                self._on_checkpoint(*note)
            except Exception:
                log.exception("checkpoint %d committed but not published", note[1])

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
                connection.exec_driver_sql("SET LOCAL lock_timeout = '3s'")
                connection.exec_driver_sql("SET LOCAL statement_timeout = '5s'")
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
                connection.exec_driver_sql("PRAGMA busy_timeout = 3000")
            self._connection = connection
        return self._connection

    def _drop_connection(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                self._connection.invalidate()
                self._connection.close()
            self._connection = None
