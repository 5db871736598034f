"""A connector at work: records taken from its source into the outbox, in batches, with
the source's checkpoint; a sender thread moving them on.

Taking and sending are apart on purpose: with the broker down the connector goes on
taking records (until the outbox holds ``max_rows``, when it says so and waits), and
everything taken is delivered once the broker is back.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind

from hub.bus.records import Headers
from hub.connect.base import Connector, SourceRecord
from hub.connect.encoding import Encoder, dead_letter
from hub.connect.envelope import events_of
from hub.connect.metrics import ConnectorMetrics
from hub.connect.outbox import Entry, Outbox
from hub.connect.sender import Backoff, Sender
from hub.connect.transport import Transport
from hub.telemetry import trace_headers, tracer

log = logging.getLogger(__name__)

#: Rejections a run's report lists (it counts them all).
REJECTIONS_KEPT = 1_000
#: How often a full outbox is reported while the connector waits on it.
FULL_WARNING_S = 10.0


@dataclass(frozen=True, slots=True)
class Rejection:
    ref: str
    reason: str


@dataclass(frozen=True, slots=True)
class Submitted:
    """What one push delivery became: its records, of which this many dead letters."""

    records: int
    dead_lettered: int


@dataclass
class RunReport:
    """What one run did. ``waiting`` is what is still in the outbox (an outage that
    outlasted the run): it is sent by the next run, not lost."""

    read: int = 0
    published: int = 0
    #: The first ``REJECTIONS_KEPT`` records dead-lettered, with why; ``dead_lettered``
    #: counts them all (a connector that follows its source for weeks keeps no more).
    rejected: list[Rejection] = field(default_factory=list)
    dead_lettered: int = 0
    waiting: int = 0
    source_error: str = ""

    def summary(self) -> str:
        text = f"{self.read} read, {self.published} published, {self.dead_lettered} dead-lettered"
        if self.waiting:
            text += f", {self.waiting} waiting in the outbox (sent when the hub takes them)"
        if self.source_error:
            text += f"\n  source: {self.source_error}"
        listed = "".join(f"\n  - {r.ref}: {r.reason}" for r in self.rejected)
        if self.dead_lettered > len(self.rejected):
            listed += f"\n  ... and {self.dead_lettered - len(self.rejected):,} more"
        return text + listed

    def reject(self, ref: str, error: BaseException) -> None:
        self.dead_lettered += 1
        if len(self.rejected) < REJECTIONS_KEPT:
            self.rejected.append(Rejection(ref, str(error) or type(error).__name__))


class _Batch:
    """Records taken since the last commit, under one span whose trace context every
    event of the batch carries."""

    def __init__(self, connector: str) -> None:
        self.entries: list[Entry] = []
        self.records = 0
        self.position: Any = None
        self.moved = False
        self.done = False
        self.started = time.monotonic()
        self.span: Span = tracer("hub.connect").start_span(
            f"take {connector}", kind=SpanKind.PRODUCER
        )
        with trace.use_span(self.span, end_on_exit=False):
            self.headers: Headers = trace_headers()


class ConnectorRuntime:
    """One connector with its outbox and its transport: what ``hub connector run`` and
    ``hub dev`` build (``HubStack.connector_runtime`` for Kafka, ``gateway_runtime``
    for the gateway), and what a test can build on a memory bus."""

    def __init__(
        self,
        connector: Connector,
        *,
        encoders: Mapping[str, Encoder],
        outbox: Outbox,
        transport: Transport,
        batch_max: int = 500,
        commit_s: float = 0.2,
        send_timeout_s: float = 30.0,
        backoff: Backoff | None = None,
        metrics: ConnectorMetrics | None = None,
    ) -> None:
        missing = {connector.stream, *connector.also} - set(encoders)
        if missing:
            raise ValueError(f"no encoder for {', '.join(sorted(missing))}")
        self.connector = connector
        self.outbox = outbox
        self._encoders = encoders
        self._batch_max = batch_max
        self._commit_s = commit_s
        self._transport = transport
        self.metrics = metrics or ConnectorMetrics(connector.name, outbox)
        self.sender = Sender(
            outbox,
            transport,
            connector=connector.name,
            batch=batch_max,
            timeout_s=send_timeout_s,
            backoff=backoff,
            metrics=self.metrics,
        )
        self.report = RunReport()
        self._take_lock = threading.Lock()
        self._full_warned = 0.0
        outbox.note(connector=connector.name, stream=connector.stream, transport=transport.name)

    # Taking

    def take(self, stop: threading.Event | None = None) -> int:
        """One poll of the source, from the committed checkpoint; returns the records
        taken. A source that fails part-way keeps what it yielded before."""
        stop = stop or threading.Event()
        with self._take_lock:
            records = self.connector.read(self.outbox.position())
            return self._take(records, stop)

    def submit(self, records: Sequence[SourceRecord]) -> Submitted:
        """Pushed records (a webhook), committed before this returns: once it has, the
        caller may tell its sender they are safe."""
        with self._take_lock:
            before = self.report.dead_lettered
            self._take(records, threading.Event())
            dead = self.report.dead_lettered - before
        return Submitted(records=len(records), dead_lettered=dead)

    def refuse(self, record: SourceRecord, error: BaseException) -> None:
        """A record that could not even be told apart from its neighbours (a webhook body
        its connector cannot split): its dead letter, committed like any other."""
        target = self._encoders[self.connector.stream].target
        entry = dead_letter(target, record, error, connector=self.connector.name, position=None)
        with self._take_lock:
            self.report.reject(record.ref, error)
            self.outbox.commit([entry], counts={"read": 1})
            self.metrics.taken(1, 1)
            self.sender.wake.set()

    def _take(self, records: Iterable[SourceRecord], stop: threading.Event) -> int:
        taken = 0
        batch = _Batch(self.connector.name)
        try:
            for record in records:
                if self.outbox.full:
                    self._commit(batch)
                    self._wait_for_room(stop)
                    batch = _Batch(self.connector.name)
                batch.entries += self._entries(record, batch.headers)
                batch.records += 1
                taken += 1
                if record.position is not None:
                    batch.position, batch.moved = record.position, True
                if batch.records >= self._batch_max or (
                    time.monotonic() - batch.started >= self._commit_s
                ):
                    self._commit(batch)
                    batch = _Batch(self.connector.name)
                if stop.is_set():
                    break
        finally:
            self._commit(batch)
        return taken

    def _entries(self, record: SourceRecord, headers: Headers) -> list[Entry]:
        """The record's events, or if any part of it fails, its dead letter alone: a
        record is never half-sent."""
        name = self.connector.name
        try:
            routed = events_of(self.connector.map(record), self.connector)
            return [
                self._encoders[r.stream].encode(
                    r.event, connector=name, record=record, index=i, headers=headers
                )
                for i, r in enumerate(routed)
            ]
        except Exception as exc:  # any fault of one record: it must not stop the feed
            target = self._encoders[self.connector.stream].target
            self.report.reject(record.ref, exc)
            # The reason may quote the record: it goes to the dead letter, not the log.
            log.warning("%s: %s dead-lettered (%s)", name, record.ref, type(exc).__name__)
            return [dead_letter(target, record, exc, connector=name, position=record.position)]

    def _commit(self, batch: _Batch) -> None:
        """Commit what the batch holds, once: a batch committed already (the ``finally``
        of a take that failed after its last commit) commits nothing again."""
        if batch.done:
            return
        batch.span.set_attribute("messaging.batch.message_count", len(batch.entries))
        batch.span.set_attribute("linkage.connector", self.connector.name)
        try:
            if batch.records:
                self.outbox.commit(
                    batch.entries,
                    position=batch.position,
                    moved=batch.moved,
                    counts={"read": batch.records},
                )
                self.report.read += batch.records
                dead = sum(1 for e in batch.entries if e.kind == "dead-letter")
                self.metrics.taken(batch.records, dead)
                self.sender.wake.set()
            batch.done = True
        finally:
            batch.span.end()

    def _wait_for_room(self, stop: threading.Event) -> None:
        while self.outbox.full and not stop.is_set():
            now = time.monotonic()
            if now - self._full_warned >= FULL_WARNING_S:
                self._full_warned = now
                log.warning(
                    "%s: the outbox is full (%d events waiting, HUB_CONNECT_OUTBOX_MAX);"
                    " the source is not read until the hub takes some",
                    self.connector.name,
                    self.outbox.depth,
                )
            stop.wait(0.2)

    # Running

    def run(
        self, *, follow: bool = False, stop: threading.Event | None = None, drain_s: float = 30.0
    ) -> RunReport:
        """Take from the source (once, or every ``poll_s`` until ``stop``), then wait up
        to ``drain_s`` for the outbox to empty."""
        stop = stop or threading.Event()
        self.report = RunReport()  # each run says what it did
        published_before = self.outbox.state().counters["published"]
        sending = threading.Event()
        sender = threading.Thread(
            target=self.sender.run, args=(sending,), name=f"send {self.connector.name}"
        )
        sender.start()
        try:
            while True:
                self._poll(stop)
                if not follow or stop.wait(self.connector.poll_s):
                    break
            self._drain(stop if follow else threading.Event(), drain_s)
        finally:
            sending.set()
            self.sender.wake.set()
            sender.join()
        self.report.waiting = self.outbox.depth
        self.report.published = self.outbox.state().counters["published"] - published_before
        return self.report

    def _poll(self, stop: threading.Event) -> None:
        try:
            self.take(stop)
            self.report.source_error = ""
        except Exception as exc:  # the source, not a record: try again next poll
            self.report.source_error = f"{type(exc).__name__}: {exc}"
            self.outbox.note(last_error=f"source: {self.report.source_error}")
            log.warning("%s: reading the source failed: %s", self.connector.name, exc)

    def close(self) -> None:
        """Release the transport (its producer, or its HTTP client); the outbox is no
        longer in the gauges."""
        self.metrics.close()
        self._transport.close()

    def _drain(self, stop: threading.Event, drain_s: float) -> None:
        deadline = time.monotonic() + drain_s
        while self.outbox.depth and time.monotonic() < deadline and not stop.is_set():
            self.sender.wake.set()
            time.sleep(0.05)
