"""Moves outbox rows to the hub, oldest first, and takes them out only once the hub
has acknowledged them.

An outage is not an error here: the rows stay, the sender waits (doubling, up to a
cap) and tries again, for as long as it takes. A row refused for what it is becomes
its dead letter in place; a dead letter that is refused too is kept in the outbox's
quarantine. Nothing leaves the outbox unaccounted for.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, replace

from hub.connect.encoding import failure_headers
from hub.connect.metrics import ConnectorMetrics
from hub.connect.outbox import Entry, Outbox, Queued
from hub.connect.transport import Transport, Verdict
from hub.errors import RecordRefused
from hub.serde.wire import dead_letter_topic

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Backoff:
    first_s: float = 0.2
    cap_s: float = 30.0

    def after(self, delay_s: float) -> float:
        return min(self.cap_s, max(self.first_s, delay_s * 2))


@dataclass(frozen=True, slots=True)
class Round:
    done: int  # rows that left the outbox (sent, or dead-lettered and sent)
    retry: bool  # some rows were not taken: wait before the next round
    reason: str = ""


class Sender:
    def __init__(
        self,
        outbox: Outbox,
        transport: Transport,
        *,
        connector: str,
        batch: int = 500,
        timeout_s: float = 30.0,
        backoff: Backoff | None = None,
        metrics: ConnectorMetrics | None = None,
    ) -> None:
        self._outbox = outbox
        self._transport = transport
        self._connector = connector
        self._batch = batch
        self._timeout_s = timeout_s
        self._backoff = backoff or Backoff()
        self.wake = threading.Event()
        self._metrics = metrics

    def round(self) -> Round:
        queued = self._outbox.waiting(self._batch)
        if not queued:
            return Round(0, retry=False)
        outcomes = self._transport.send(queued, self._timeout_s)
        sent = [q for q, o in zip(queued, outcomes, strict=True) if o.verdict is Verdict.SENT]
        self._outbox.sent(sent)
        if self._metrics is not None:
            self._metrics.sent(sum(1 for q in sent if q.entry.kind == "event"))
        again = [
            (q, o.reason)
            for q, o in zip(queued, outcomes, strict=True)
            if o.verdict is Verdict.RETRY
        ]
        for q, o in zip(queued, outcomes, strict=True):
            if o.verdict is Verdict.REFUSED:
                self._refused(q, o.reason)
        if again:
            reason = again[0][1]
            self._outbox.failed([q for q, _ in again], reason)
            if self._metrics is not None:
                self._metrics.failed()
            return Round(len(sent), retry=True, reason=reason)
        return Round(len(sent), retry=False)

    def _refused(self, queued: Queued, reason: str) -> None:
        entry = queued.entry
        if entry.kind != "event":
            # Kept whole in the outbox's quarantine; if it was large (a broker's size
            # limit), its head still goes to the dead-letter topic, so the owner sees it.
            log.warning("%s: a dead letter of %s was refused too; kept", self._connector, entry.ref)
            self._outbox.quarantine(queued, reason)
            if len(entry.value) > DEAD_LETTER_HEAD:
                self._outbox.commit([_head_of(entry)])
            return
        # The reason may quote the event: it goes to the dead letter, not to the log.
        log.warning("%s: the hub refused an event of %s; dead-lettered", self._connector, entry.ref)
        self._outbox.replace(queued, _dead_letter(entry, reason, self._connector))

    def run(self, stop: threading.Event) -> None:
        """Rounds until ``stop``; when there is nothing to send, wait to be woken."""
        delay = 0.0
        while not stop.is_set():
            try:
                result = self.round()
            except Exception:
                # The outbox file itself failing (a full disk): say so, keep trying.
                log.exception("%s: the sender's round failed", self._connector)
                result = Round(0, retry=True, reason="the sender's round failed")
            if result.retry:
                delay = self._backoff.after(delay)
                log.warning(
                    "%s: %d waiting; sending again in %.1f s: %s",
                    self._connector,
                    self._outbox.depth,
                    delay,
                    result.reason,
                )
                stop.wait(delay)
                continue
            delay = 0.0
            if result.done == 0:
                self.wake.wait(0.5)
                self.wake.clear()

    def drained(self) -> bool:
        return self._outbox.depth == 0


#: A refused dead letter is sent again as its first this many bytes.
DEAD_LETTER_HEAD = 1024


def _head_of(entry: Entry) -> Entry:
    headers = [(k, v) for k, v in entry.headers if k != "truncated-from"]
    headers.append(("truncated-from", str(len(entry.value)).encode()))
    return replace(entry, value=entry.value[:DEAD_LETTER_HEAD], headers=headers)


def _dead_letter(entry: Entry, reason: str, connector: str) -> Entry:
    """An event the hub refused: the bytes that were refused, with the reason."""
    error = RecordRefused(reason)
    topic = dead_letter_topic(entry.topic)
    return Entry(
        kind="dead-letter",
        stream=entry.stream,
        topic=topic,
        event_id=None,
        key=entry.key,
        value=entry.value,
        headers=[
            *failure_headers(
                error, connector=connector, ref=entry.ref, position=None, original=entry.value
            ),
            ("event-id", (entry.event_id or "").encode()),
        ],
        ref=entry.ref,
    )
