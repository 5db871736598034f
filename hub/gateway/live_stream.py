"""A live feed as Server-Sent Events: catch up from the archive and the feed's ring,
then follow, judging every record by the caller's grant; end with a reason when the
grant, the emergency or the token no longer holds, or the client falls behind.

Every message's ``id`` is a sealed token of the positions after it, in every partition;
a client that reconnects with it as ``Last-Event-ID`` misses nothing and gets nothing
twice: what the ring still holds comes from the ring, anything older from the archive.

Events go out in deliveries (what the queue held at once, a batch of the archive or
the ring), each a span (``deliver <stream>``) linked to the publish spans of its events;
the feeds open are counted by stream (``linkage.live.subscribers``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson
from opentelemetry.trace import SpanKind
from starlette.concurrency import run_in_threadpool

from hub.archive.history import History, HistoryFilter
from hub.archive.store import ArchiveStore
from hub.config import LiveSettings
from hub.coordination.receipts import ReceiptBook
from hub.errors import BadRequest
from hub.gateway.auditing import AuditTrail
from hub.gateway.bulkheads import Bulkhead
from hub.gateway.cursor import CursorCodec
from hub.gateway.events import UNDECODABLE, EventPages, page_json
from hub.live.feed import LiveFeeds, LiveRecord, Subscriber
from hub.policy.decision import StreamAccess
from hub.policy.filters import RowCheck
from hub.policy.plan_cache import emergency_rows
from hub.serde.avro import CompiledSchema
from hub.telemetry import link_publishers, meter, tracer

#: Decides again, under the policy and emergencies in force now; a reason when refused.
Recheck = Callable[[], str | None]
#: Events one delivery takes at most: what a wake-up finds queued, a slice of the ring.
DELIVERY_MAX = 100
#: A message ready to go, the event id it serves and the span that published it.
Outgoing = tuple[bytes, str, str | None]


@dataclass(frozen=True, slots=True)
class LiveRequest:
    access: StreamAccess
    where: HistoryFilter
    resume: str | None


class LiveStream:
    def __init__(
        self,
        *,
        kafka_work: Bulkhead,
        feeds: LiveFeeds,
        pages: EventPages,
        archive: ArchiveStore,
        history: History,
        cursors: CursorCodec,
        receipts: ReceiptBook,
        settings: LiveSettings,
    ) -> None:
        self._kafka_work = kafka_work
        self._feeds = feeds
        self._pages = pages
        self._archive = archive
        self._history = history
        self._cursors = cursors
        self._receipts = receipts
        self._settings = settings
        self._tracer = tracer("hub.gateway")
        self._open = meter("hub.gateway").create_up_down_counter(
            "linkage.live.subscribers",
            unit="{subscriber}",
            description="Live feeds being served, by stream",
        )

    def bound(self, request: LiveRequest) -> dict[str, Any]:
        access = request.access
        return {
            "route": "live",
            "stream": access.stream.id,
            "agency": access.caller.agency,
            "purpose": access.decision.purpose,
            "filter": request.where.key(),
        }

    def resume_from(self, request: LiveRequest) -> dict[int, int] | None:
        """The positions sealed in ``Last-Event-ID`` (checked before the answer starts)."""
        sealed = self._cursors.decode(request.resume, self.bound(request))
        if sealed is None:
            return None
        try:
            return {int(p): int(o) for p, o in dict(sealed).items()}
        except (TypeError, ValueError):
            raise BadRequest("Last-Event-ID is not a resume token of this feed") from None

    async def events(
        self,
        request: LiveRequest,
        since: dict[int, int] | None,
        trail: AuditTrail,
        recheck: Recheck,
    ) -> AsyncIterator[bytes]:
        access = request.access
        topic = access.stream.topic
        # Opening a stream's feed asks Kafka where it ends: work that may wait on it.
        feed = await self._kafka_work.run(self._feeds.feed, topic)
        subscriber = Subscriber(asyncio.get_running_loop(), asyncio.Queue(self._settings.queue_max))
        backlog, older, floor = feed.subscribe(subscriber, since)
        watched = {"linkage.stream": access.stream.id}
        self._open.add(1, watched)
        state = _Feed(
            request=request,
            positions=dict(since) if since is not None else feed.positions(),
            bound=self.bound(request),
            also=emergency_rows(access.decision),
            sent=_Counter(trail, self._receipts, access),
            view=_view(request),
        )
        sent = state.sent
        try:
            # The feed's starting point, before any event: a client that reconnects
            # with it misses nothing that arrived in between.
            opening = orjson.dumps({"stream": access.stream.id, "resumed": since is not None})
            token = self._token(state).encode()
            yield b"retry: 2000\nid: " + token + b"\nevent: ready\ndata: " + opening + b"\n\n"
            if older:
                reached = await run_in_threadpool(self._archive_reaches, topic, floor)
                if not reached:
                    yield sent.end("the archive has not caught up with this resume point; retry")
                    return
                async for message in self._from_archive(state, older, floor):
                    yield message
            for start in range(0, len(backlog), DELIVERY_MAX):
                for message in self._deliver(state, backlog[start : start + DELIVERY_MAX]):
                    yield message
            async for message in self._follow(state, subscriber, recheck):
                yield message
        finally:
            feed.unsubscribe(subscriber)
            self._open.add(-1, watched)
            sent.flush()
            if not trail.end_reason:
                trail.end_reason = "the client disconnected"

    def _archive_reaches(self, topic: str, floor: dict[int, int]) -> bool:
        deadline = time.monotonic() + self._settings.archive_wait_s
        while True:
            stored = self._archive.positions()
            if all(stored.get((topic, p), 0) >= o for p, o in floor.items()):
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)

    def _token(self, state: _Feed) -> str:
        positions = {str(p): o for p, o in sorted(state.positions.items())}
        return self._cursors.encode(positions, state.bound)

    def _shown(
        self, state: _Feed, partition: int, offset: int, schema: CompiledSchema, event: Any
    ) -> bytes | None:
        """One event as the caller sees it, as a message whose id is the positions now."""
        access = state.request.access
        shown = self._pages.present(
            access, access.stream.id, partition, offset, schema, event, state.also, set()
        )
        return None if shown is None else _event(self._token(state), shown)

    async def _from_archive(
        self, state: _Feed, older: dict[int, int], floor: dict[int, int]
    ) -> AsyncIterator[bytes]:
        request = state.request
        start = dict(older)
        while True:
            rows = await run_in_threadpool(
                self._history.after_positions,
                request.access.stream.topic,
                request.where,
                start,
                floor,
                limit=500,
            )
            if not rows:
                return
            outgoing: list[Outgoing] = []
            for row in rows:
                start[row.partition] = row.offset + 1
                try:
                    schema, event = self._pages.decode(row.payload)
                except UNDECODABLE:
                    continue
                state.positions[row.partition] = row.offset + 1
                message = self._shown(state, row.partition, row.offset, schema, event)
                if message is not None:
                    outgoing.append((message, row.event_id, row.traceparent))
            for message in self._delivered(state, outgoing):
                yield message

    def _deliver(self, state: _Feed, records: list[LiveRecord]) -> Iterator[bytes]:
        """The messages ``records`` make for this subscriber, as one delivery."""
        outgoing: list[Outgoing] = []
        for record in records:
            message = self._message(state, record)
            if message is not None:
                outgoing.append((message, record.index.event_id, record.traceparent))
        return self._delivered(state, outgoing)

    def _delivered(self, state: _Feed, outgoing: list[Outgoing]) -> Iterator[bytes]:
        """One delivery's span, linked to the publish spans of what it holds; then its
        messages, each counted as served as it is handed on (a client that leaves
        mid-delivery was not served the rest)."""
        if outgoing:
            stream = state.request.access.stream.id
            span = self._tracer.start_span(f"deliver {stream}", kind=SpanKind.CONSUMER)
            span.set_attribute("linkage.stream", stream)
            span.set_attribute("linkage.events", len(outgoing))
            link_publishers(span, (publisher for _, _, publisher in outgoing))
            span.end()
        return _counted(state.sent, outgoing)

    def _message(self, state: _Feed, record: LiveRecord) -> bytes | None:
        positions = state.positions
        if record.offset < positions.get(record.partition, 0):
            return None  # already sent from the archive or the ring
        positions[record.partition] = record.offset + 1
        view = (state.view, tuple(sorted(positions.items())))
        if view in record.rendered:
            message = record.rendered[view]
        else:
            message = None
            if state.request.where.matches(record.index):
                message = self._shown(
                    state, record.partition, record.offset, record.schema, record.event
                )
            record.rendered[view] = message
        return message

    async def _follow(
        self, state: _Feed, subscriber: Subscriber, recheck: Recheck
    ) -> AsyncIterator[bytes]:
        settings = self._settings
        request, sent = state.request, state.sent
        expires = request.access.caller.expires_at
        beat = time.monotonic() + settings.heartbeat_s
        checked = time.monotonic()
        while True:
            if subscriber.cut is not None:
                yield sent.end(subscriber.cut)
                return
            now = time.monotonic()
            until = request.where.until_ms
            if until is not None and time.time() * 1000 >= until:
                yield sent.end("until has passed: no later event can match the filter")
                return
            if expires is not None and time.time() >= expires:
                yield sent.end("the access token expired; reconnect with a new one")
                return
            if now - checked >= settings.recheck_s:
                checked = now
                refused = recheck()
                if refused:
                    yield sent.end(refused)
                    return
            try:
                record = await _next(subscriber.queue, settings.recheck_s)
            except TimeoutError:
                if time.monotonic() >= beat:
                    beat = time.monotonic() + settings.heartbeat_s
                    yield b": heartbeat\n\n"
                sent.flush()
                continue
            for message in self._deliver(state, [record, *_queued(subscriber.queue)]):
                beat = time.monotonic() + settings.heartbeat_s
                yield message


def _counted(sent: _Counter, outgoing: list[Outgoing]) -> Iterator[bytes]:
    for message, event_id, _ in outgoing:
        sent.one(event_id)
        yield message


def _queued(queue: asyncio.Queue[LiveRecord]) -> list[LiveRecord]:
    """What else is queued already, up to a delivery's worth: one span for a burst."""
    found: list[LiveRecord] = []
    while len(found) < DELIVERY_MAX - 1 and not queue.empty():
        found.append(queue.get_nowait())
    return found


async def _next(queue: asyncio.Queue[LiveRecord], timeout_s: float) -> LiveRecord:
    """The next record: at once when one is queued; else a wait without the task that
    ``asyncio.wait_for`` makes, since a hundred feeds wait for every record."""
    if not queue.empty():
        return queue.get_nowait()
    async with asyncio.timeout(timeout_s):
        return await queue.get()


@dataclass
class _Feed:
    """One subscriber's feed: what it asked, where it is, what it has served."""

    request: LiveRequest
    positions: dict[int, int]
    bound: dict[str, Any]
    also: RowCheck | None
    sent: _Counter
    #: What decides how a record looks to this subscriber (see :func:`_view`).
    view: tuple[Any, ...]


class _Counter:
    """What a feed served: counted on the audit trail, receipts handed in batches."""

    def __init__(self, trail: AuditTrail, receipts: ReceiptBook, access: StreamAccess) -> None:
        self._trail = trail
        self._receipts = receipts
        self._access = access
        self._pending: list[str] = []

    def one(self, event_id: str) -> None:
        self._trail.events += 1
        self._trail.records += 1
        if not self._access.decision.owner:
            self._pending.append(event_id)
            if len(self._pending) >= 100:
                self.flush()

    def end(self, reason: str) -> bytes:
        """The last message of a feed; the reason goes into the feed's second audit row."""
        self._trail.end_reason = reason
        return _end(reason)

    def flush(self) -> None:
        if self._pending:
            access = self._access
            self._receipts.served(access.caller.agency, access.stream.id, self._pending, "live")
            self._pending = []


def _view(request: LiveRequest) -> tuple[Any, ...]:
    """Everything that decides what a record looks like to a subscriber."""
    access = request.access
    decision = access.decision
    return (
        access.caller.agency,
        access.policy.version,
        decision.grant_id,
        decision.purpose,
        tuple(e.id for e in decision.emergencies),
        orjson.dumps(request.where.key()),
    )


def _event(token: str, shown: dict[str, Any]) -> bytes:
    return b"".join((b"id: ", token.encode(), b"\nevent: event\ndata: ", page_json(shown), b"\n\n"))


def _end(reason: str) -> bytes:
    return b"event: end\ndata: " + orjson.dumps({"reason": reason}) + b"\n\n"
