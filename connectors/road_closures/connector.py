"""The Transportation Bureau's connector: the traffic operations centre's road-closure
feed (JSON over HTTP, the whole current list each time) into
``transportation.road-closure``.

- **Polling with validators.** Each read is one conditional GET: ``If-None-Match`` with
  the ETag of the last document taken, ``If-Modified-Since`` with its Last-Modified. A
  304 is no records. Bodies are capped at ``feed.MAX_BODY_BYTES``, redirects are not
  followed, every request has ``timeout_s``.
- **Only what changed.** A 200's closures are compared by digest with the last
  document's (see ``document``): one record per new or changed closure, in the feed's
  order. The last record of a poll carries the new position (``checkpoint``); the
  others none, so a restart part-way through reads that document again, and the
  closures already sent come out with the same event ids, which the hub deduplicates.
  A 200 that changed no closure but brought new validators yields one record that maps
  to no events, only to commit them.
- **Lifting.** The schema has no "lifted": a road open again is status ``OPEN``. A
  closure the feed marks ``lifted``, ``cancelled`` or ``open`` maps to that; a closure
  in force that vanishes from the list becomes a closure record of the connector's own
  making (what the position kept of it, status ``lifted``, ``ends_at`` the document's
  ``generated_at``, else its Last-Modified, Date or the clock), mapped the same way.
- **Errors.** The feed unreachable, timing out, any status but 200/304 or too big:
  ``FeedUnavailable`` (a ``ConnectionError``) from ``read``, nothing taken, the SDK
  polls again. A body that is not a closure document: one record holding its bytes,
  whose ``map`` raises, so it is dead-lettered; its validators are committed with it,
  so a server that honours them does not send the same bad body again. A closure that
  cannot be mapped is dead-lettered alone.
- **Refs** are the feed's URL without credentials or query (an API key may be there),
  then ``#closure/<id>``, ``#closures[<index>]`` (no usable id, or a repeated one),
  ``#document`` or ``#checkpoint``: ``map`` goes by them.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar

import httpx

from connectors.road_closures.checkpoint import Checkpoint, in_force, summary
from connectors.road_closures.document import (
    ClosureDocument,
    canonical,
    closure_key,
    digest,
    parse_document,
)
from connectors.road_closures.feed import FeedResponse, fetch
from connectors.road_closures.mapping import to_road_closure
from hub.connect import Connector, Mapped, RecordRejected, SourceRecord

#: The reason given for a closure that vanished from the feed.
VANISHED = "no longer in the traffic operations centre's closure list"


class RoadClosureConnector(Connector):
    """Polls the closure feed at ``source`` (an http or https URL).

    ``headers`` are sent with every request, for example
    ``{"Authorization": "Bearer <token>"}``. The HTTP client is made on the first read
    and closed by :meth:`close`.
    """

    name = "road-closures"
    stream = "transportation.road-closure"
    #: The centre revises its list every few minutes; a 304 costs next to nothing.
    poll_s: ClassVar[float] = 30.0

    def __init__(
        self, source: str, *, timeout_s: float = 10.0, headers: dict[str, str] | None = None
    ) -> None:
        url = httpx.URL(source)
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError(f"the road-closure feed needs an http or https URL, not {source!r}")
        if timeout_s <= 0:
            raise ValueError(f"timeout_s must be positive, not {timeout_s}")
        self.source = source
        self.timeout_s = timeout_s
        self._headers = {
            "Accept": "application/json",
            "User-Agent": "linkage-road-closures",
            **(headers or {}),
        }
        self._shown = str(url.copy_with(username=None, password=None, query=None, fragment=None))
        self._client: httpx.Client | None = None

    def read(self, position: Any) -> Iterator[SourceRecord]:
        before = Checkpoint.of(position)
        response = fetch(
            self._http(),
            self.source,
            etag=before.etag,
            last_modified=before.last_modified,
            shown=self._shown,
        )
        if response.body is None:
            return
        try:
            document = parse_document(response.body)
        except (ValueError, RecordRejected):
            taken = dataclasses.replace(
                before, etag=response.etag, last_modified=response.last_modified
            )
            yield SourceRecord(f"{self._shown}#document", response.body, taken.as_position())
            return
        yield from self._changes(before, document, response)

    def map(self, record: SourceRecord) -> Mapped:
        kind = record.ref.partition("#")[2]
        if kind == "checkpoint":
            return []
        if kind == "document":
            parse_document(record.raw)  # raises why it is not a closure document
            raise ValueError("the feed's body was not a closure document when it was read")
        closure = json.loads(record.raw)
        if kind.startswith("closures["):
            key = closure_key(closure)
            raise RecordRejected(
                "id",
                "missing, or neither text nor a whole number"
                if key is None
                else f"{key!r} is the id of an earlier closure in the same document",
            )
        return to_road_closure(closure, state_digest=digest(record.raw))

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(
                headers=self._headers, timeout=self.timeout_s, follow_redirects=False
            )
        return self._client

    def _changes(
        self, before: Checkpoint, document: ClosureDocument, response: FeedResponse
    ) -> list[SourceRecord]:
        records: list[SourceRecord] = []
        digests: dict[str, str] = {}
        active: dict[str, dict[str, Any]] = {}
        for index, closure in enumerate(document.closures):
            raw = canonical(closure)
            key = closure_key(closure)
            if key is None or key in digests:
                records.append(SourceRecord(f"{self._shown}#closures[{index}]", raw))
                continue
            digests[key] = state = digest(raw)
            if in_force(closure):
                active[key] = summary(closure)
            if before.digests.get(key) != state:
                records.append(SourceRecord(f"{self._shown}#closure/{key}", raw))
        noticed = document.generated_at or _noticed(response)
        for key, kept in before.active.items():
            if key not in digests:
                vanished = {**kept, "id": key, "status": "lifted", "ends_at": noticed}
                vanished["reason"] = VANISHED
                records.append(SourceRecord(f"{self._shown}#closure/{key}", canonical(vanished)))
        after = Checkpoint(response.etag, response.last_modified, digests, active)
        if not records:
            if after == before:
                return []
            records.append(SourceRecord(f"{self._shown}#checkpoint", b""))
        records[-1] = dataclasses.replace(records[-1], position=after.as_position())
        return records


def _noticed(response: FeedResponse) -> str:
    """When the feed's list was made, as near as the response tells."""
    for header in (response.last_modified, response.date):
        if header:
            try:
                when = parsedate_to_datetime(header)
            except (TypeError, ValueError):
                continue
            # RFC 5322's "-0000" (zone unknown) comes back naive; HTTP dates are in GMT.
            return (when if when.tzinfo else when.replace(tzinfo=UTC)).isoformat()
    return datetime.now(UTC).isoformat()
