"""Pages of events from the archive: decoded, filtered by the grant and masked, in one pass.

A page stops when it holds ``limit`` events, when one more would take it past the byte
cap, or when it has looked at :data:`EventPages.SCAN_FACTOR` pages' worth of rows the
caller may not see (``more`` stays true); ``next`` resumes after the last row looked
at, so nothing is served twice or skipped. Each event is serialised once, as it is
taken, which is how the byte cap is kept exactly.

Each page is a span (``read <stream>``, ``read timeline``) linked to the publish spans
of the events it served, from the ``traceparent`` the archive kept with each.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from opentelemetry.trace import Span

from hub.archive.history import ArchivedRow, History, HistoryFilter
from hub.coordination.receipts import ReceiptBook
from hub.errors import BadRequest, InvalidFrame
from hub.gateway.cursor import CursorCodec
from hub.policy.decision import StreamAccess
from hub.policy.filters import RowCheck
from hub.policy.plan_cache import PlanCache, emergency_rows
from hub.registry.errors import RegistryError
from hub.serde.avro import AvroDeserializer, CompiledSchema
from hub.telemetry import link_publishers, tracer

log = logging.getLogger(__name__)

UNDECODABLE = (
    InvalidFrame,
    RegistryError,
    EOFError,
    ValueError,
    IndexError,
    KeyError,
    TypeError,
    OverflowError,
)

#: A batch of rows, given the key of the last row seen (None: from the start).
Fetch = Callable[[Any, int], list[ArchivedRow]]


@dataclass
class Page:
    """A page as the route sends it: JSON elements already serialised, and what the audit
    row needs (events served, fields masked, event ids for the read receipts)."""

    elements: list[bytes] = field(default_factory=list)
    shown: list[dict[str, Any]] = field(default_factory=list)
    served_ids: dict[str, list[str]] = field(default_factory=dict)
    masked: set[str] = field(default_factory=set)
    #: The ``traceparent`` of each event served: the publish spans the read links to.
    publishers: list[str | None] = field(default_factory=list)
    next: str = ""
    more: bool = False
    skipped: int = 0
    #: The key of the last row looked at: where the next page starts.
    position: Any = None

    @property
    def served(self) -> int:
        return len(self.elements)

    def body(self, head: Mapping[str, Any]) -> bytes:
        """The page as JSON, elements spliced in as they were serialised."""
        tail: dict[str, Any] = {"next": self.next, "more": self.more}
        if self.skipped:
            tail["skipped"] = self.skipped
        opening = orjson.dumps({**head, "count": self.served})[:-1]
        closing = orjson.dumps(tail)[1:]
        return b"".join((opening, b',"events":[', b",".join(self.elements), b"],", closing))


class EventPages:
    SCAN_FACTOR = 10

    def __init__(
        self,
        *,
        history: History,
        decode: AvroDeserializer,
        plans: PlanCache,
        cursors: CursorCodec,
        receipts: ReceiptBook,
        page_default: int,
        page_max: int,
        page_bytes: int,
    ) -> None:
        self._history = history
        self._decode = decode
        self._plans = plans
        self._cursors = cursors
        self._receipts = receipts
        self.page_default = page_default
        self.page_max = page_max
        self.page_bytes = page_bytes
        #: The last size of an event served per stream, so that a page the byte cap will
        #: cut does not fetch rows it cannot hold.
        self._sizes: dict[str, int] = {}
        self._tracer = tracer("hub.gateway")

    def limit(self, limit: int | None) -> int:
        if limit is not None and limit > self.page_max:
            raise BadRequest(f"limit must be at most {self.page_max}")
        return limit or self.page_default

    def stream_page(
        self, access: StreamAccess, where: HistoryFilter, *, cursor: str | None, limit: int | None
    ) -> Page:
        """The stream's events in order of arrival."""
        stream = access.stream.id
        bound = _bound("stream", stream, access, where)
        after = self._cursors.decode(cursor, bound)
        if after is not None and not isinstance(after, int):
            raise BadRequest("the cursor is not valid for this request")

        def fetch(key: Any, size: int) -> list[ArchivedRow]:
            return self._history.by_stream(stream, where, after=key, limit=size)

        with self._tracer.start_as_current_span(f"read {stream}") as span:
            span.set_attribute("linkage.stream", stream)
            page = self._fill(
                {stream: access}, fetch, after, self.limit(limit), key=lambda r: r.id, via="page"
            )
            _linked(span, page)
        page.next = self._cursors.encode(page.position, bound)
        return page

    def timeline(
        self,
        incident: str,
        accesses: Mapping[str, StreamAccess],
        where: HistoryFilter,
        *,
        cursor: str | None,
        limit: int | None,
        caller_agency: str,
        purpose: str | None,
    ) -> Page:
        """The incident's events of every stream in ``accesses``, by when they happened."""
        streams = sorted(accesses)
        bound = {
            "route": "timeline",
            "incident": incident,
            "streams": streams,
            "agency": caller_agency,
            "purpose": purpose,
            "filter": where.key(),
        }
        after = self._cursors.decode(cursor, bound)
        if after is not None and not (
            isinstance(after, list) and len(after) == 2 and all(isinstance(v, int) for v in after)
        ):
            raise BadRequest("the cursor is not valid for this request")

        def fetch(key: Any, size: int) -> list[ArchivedRow]:
            if not streams:
                return []
            start = (key[0], key[1]) if key is not None else None
            return self._history.by_incident(incident, streams, where, after=start, limit=size)

        with self._tracer.start_as_current_span("read timeline") as span:
            page = self._fill(
                accesses,
                fetch,
                after,
                self.limit(limit),
                key=lambda r: [r.occurred_ms, r.id],
                via="timeline",
            )
            _linked(span, page)
        page.next = self._cursors.encode(page.position, bound)
        return page

    def visible(self, access: StreamAccess, row: ArchivedRow) -> bool:
        """Would this event be served to ``access``'s caller (grant, row filter, scope)?"""
        shown = self._show(access, row, emergency_rows(access.decision), set())
        return shown is not None and shown is not _UNDECODABLE

    def _fill(
        self,
        accesses: Mapping[str, StreamAccess],
        fetch: Fetch,
        after: Any,
        wanted: int,
        *,
        key: Callable[[ArchivedRow], Any],
        via: str,
    ) -> Page:
        page = Page(position=after)
        also = {s: emergency_rows(a.decision) for s, a in accesses.items()}
        size = 2  # the brackets
        scanned = 0
        position = after
        more = True
        while more and scanned < wanted * self.SCAN_FACTOR:
            # Whole batches, even when the page lacks only a few events: under a strict
            # filter, asking for just the missing few would cost a query per record.
            batch = self._batch(accesses, wanted)
            rows = fetch(position, batch)
            more = len(rows) >= batch
            full = False
            for row in rows:
                shown = self._show(accesses[row.stream], row, also[row.stream], page.masked)
                if shown is _UNDECODABLE:
                    page.skipped += 1
                elif shown is not None:
                    element = page_json(shown)
                    if page.served and size + len(element) + 1 > self.page_bytes:
                        full = True
                        break
                    if page.served == wanted:
                        full = True
                        break
                    page.elements.append(element)
                    self._sizes[row.stream] = len(element)
                    page.shown.append(shown)
                    page.served_ids.setdefault(row.stream, []).append(row.event_id)
                    page.publishers.append(row.traceparent)
                    size += len(element) + 1
                scanned += 1
                position = key(row)
            if full:
                # Cut mid-batch: the rest is read again for the next page.
                more = True
                break
            if page.served == wanted:
                break
        page.more = more
        page.position = position
        self._note_receipts(accesses, page, via)
        return page

    def _batch(self, accesses: Mapping[str, StreamAccess], wanted: int) -> int:
        sizes = [self._sizes.get(s) for s in accesses]
        if not sizes or None in sizes:
            return wanted
        smallest = min(s for s in sizes if s is not None)
        return max(1, min(wanted, self.page_bytes // max(smallest, 1) + 1))

    def _show(
        self,
        access: StreamAccess,
        row: ArchivedRow,
        also: RowCheck | None,
        masked: set[str],
    ) -> Any:
        try:
            schema, event = self._decode.decode(row.payload)
        except UNDECODABLE as exc:
            # The archiver stores what decoded when it came; a schema gone since (or a
            # row edited in the database) is skipped and counted, never a 500.
            log.warning("undecodable archived event %s: %s", row.event_id, type(exc).__name__)
            return _UNDECODABLE
        return self.present(
            access, row.stream, row.partition, row.offset, schema, event, also, masked
        )

    def present(
        self,
        access: StreamAccess,
        stream: str,
        partition: int,
        offset: int,
        schema: CompiledSchema,
        event: dict[str, Any],
        also: RowCheck | None,
        masked: set[str],
    ) -> dict[str, Any] | None:
        """A decoded event as the caller may see it (an element of a page), or None."""
        plan = self._plans.plan(
            access.policy, access.decision, schema.schema_id, lambda: schema.text
        )
        shown = plan.apply(event, also)
        if shown is None:
            return None
        masked.update(plan.masked)
        return {"stream": stream, "partition": partition, "offset": offset, "event": shown}

    def decode(self, payload: bytes) -> tuple[CompiledSchema, dict[str, Any]]:
        return self._decode.decode(payload)

    def _note_receipts(self, accesses: Mapping[str, StreamAccess], page: Page, via: str) -> None:
        for stream, ids in page.served_ids.items():
            access = accesses[stream]
            if not access.decision.owner:
                self._receipts.served(access.caller.agency, stream, ids, via)


_UNDECODABLE = object()


def _linked(span: Span, page: Page) -> None:
    span.set_attribute("linkage.events", page.served)
    link_publishers(span, page.publishers)


def _bound(route: str, stream: str, access: StreamAccess, where: HistoryFilter) -> dict[str, Any]:
    return {
        "route": route,
        "stream": stream,
        "agency": access.caller.agency,
        "purpose": access.decision.purpose,
        "filter": where.key(),
    }


def _default(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def page_json(value: Any) -> bytes:
    """orjson, since this is the hot path: datetimes and UUIDs natively, bytes as base64."""
    return orjson.dumps(value, default=_default)
