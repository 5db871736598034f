"""Read receipts: the first time each event was served to each agency.

Readers do nothing for them. A page hands its served events to :class:`ReceiptBook`,
which remembers the time at once and writes in the background, in batches, so a read
never waits on a write (and, on SQLite, never queues behind the audit writer); a
receipt already written is not written again.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Engine, Table, select

from hub.store.bulk import MultiRowInsert
from hub.store.models import ReadReceipt

log = logging.getLogger(__name__)

_T = cast(Table, ReadReceipt.__table__)
#: Receipts this process knows are written, so a hot stream is not rewritten per page.
_REMEMBERED = 200_000
_BATCH_MAX = 5_000


class _Nothing:
    """Nothing arrived before the batch's deadline."""


_NOTHING = _Nothing()
#: A full queue is reported at most this often, with the count dropped meanwhile.
_REPORT_S = 10.0


@dataclass(frozen=True, slots=True)
class Receipt:
    event_id: str
    agency: str
    stream: str
    first_served_ms: int
    via: str


class ReceiptBook:
    def __init__(self, engine: Engine, *, flush_s: float = 0.2, queue_max: int = 10_000) -> None:
        self._engine = engine
        self._insert = MultiRowInsert(
            engine,
            _T,
            ("event_id", "agency", "stream", "first_served_ms", "via"),
            conflict=("event_id", "agency"),
        )
        self._flush_s = flush_s
        #: Each item is one page's receipts: a put per page, not per event.
        self._queue: queue.Queue[list[Receipt] | None] = queue.Queue(maxsize=queue_max)
        self._written: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._idle = threading.Event()
        self._idle.set()
        self._dropped = 0
        self._reported = 0.0
        self._thread = threading.Thread(target=self._run, name="receipts", daemon=True)
        self._thread.start()

    def served(self, agency: str, stream: str, event_ids: Iterable[str], via: str) -> None:
        """Note that ``event_ids`` were served to ``agency`` now."""
        now = int(time.time() * 1000)
        written = self._written
        fresh = [
            Receipt(e, agency, stream, now, via) for e in event_ids if (e, agency) not in written
        ]
        if not fresh:
            return
        self._idle.clear()
        try:
            self._queue.put_nowait(fresh)
        except queue.Full:
            # The events were served and audited; only the receipts are lost. Said once
            # in a while, not per page: a flood of warnings would bury the cause.
            self._dropped += len(fresh)
            if time.monotonic() - self._reported >= _REPORT_S:
                self._reported = time.monotonic()
                log.warning("read receipts queue is full; %d receipts dropped", self._dropped)
                self._dropped = 0

    def flush(self, timeout_s: float = 10.0) -> bool:
        """Wait until what was handed in is written (tests, shutdown)."""
        return self._idle.wait(timeout_s)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = list(first)
            deadline = time.monotonic() + self._flush_s
            while len(batch) < _BATCH_MAX:
                item = self._next(deadline)
                if isinstance(item, _Nothing):
                    break
                if item is None:
                    self._write(batch)
                    return
                batch += item
            self._write(batch)

    def _next(self, deadline: float) -> list[Receipt] | _Nothing | None:
        """What is queued, taken without waiting while there is any: a thread that
        blocks gives up the interpreter lock and, beside a busy reader, waits for it
        again on every item, so a writer that blocked per page fell behind pages of 1."""
        try:
            return self._queue.get_nowait()
        except queue.Empty:
            left = deadline - time.monotonic()
            if left <= 0:
                return _NOTHING
            try:
                return self._queue.get(timeout=left)
            except queue.Empty:
                return _NOTHING

    def _write(self, batch: Sequence[Receipt]) -> None:
        unique = {(r.event_id, r.agency): r for r in reversed(batch)}
        try:
            rows = [
                (r.event_id, r.agency, r.stream, r.first_served_ms, r.via) for r in unique.values()
            ]
            with self._engine.begin() as connection:
                # One statement per few hundred rows (see hub.store.bulk): row by row, the
                # writer fell behind a busy reader of pages of one and dropped receipts.
                self._insert.execute(connection, rows)
        except Exception:
            log.exception("%d read receipts could not be written", len(unique))
        else:
            # Only this thread changes the set; readers' membership checks are atomic.
            for key in unique:
                self._written[key] = None
            while len(self._written) > _REMEMBERED:
                self._written.popitem(last=False)
        if self._queue.empty():
            self._idle.set()

    def of_event(self, event_id: str) -> list[Receipt]:
        query = select(_T).where(_T.c.event_id == event_id).order_by(_T.c.first_served_ms)
        with self._engine.connect() as connection:
            return [
                Receipt(r.event_id, r.agency, r.stream, r.first_served_ms, r.via)
                for r in connection.execute(query)
            ]

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(10)
