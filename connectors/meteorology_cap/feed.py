"""The meteorology connector for an HTTP(S) alert feed: an Atom or RSS index polled
with conditional requests, each new entry's CAP document fetched and mapped.

The checkpoint (``position``) is a JSON object::

    {"etag": "...", "last_modified": "...", "taken": ["entry id", ...]}

``taken`` holds the ids of the entries already taken, newest last, at most
``max_entries`` of them; only the newest ``max_entries`` entries of an index are
considered, so an entry is never taken twice while the index lists it. The index's
``ETag`` and ``Last-Modified`` are sent back as ``If-None-Match`` and
``If-Modified-Since``, and an answer of 304 yields nothing. They are saved only with
the last entry of a poll: a restart after part of a poll asks for the index again
and takes the rest, rather than being told "not modified" about entries never taken.
A poll that finds nothing new has no record to carry new validators, so the index is
fetched whole until an entry comes (a cost in bytes, never a lost or repeated alert).

An entry whose document cannot be had for good (404, a refused link, no link) becomes
a record whose ``raw`` says so, and is dead-lettered as the others go on; a hostile or
oversized document is refused by the parser the same way. A failure that may pass
(the network, a 5xx or 429, the index itself unreadable) raises ``FeedError`` after
the entries taken so far: the SDK keeps those, reports the error, and the next poll
starts again from there.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from connectors.meteorology_cap.connector import CapConnector
from connectors.meteorology_cap.feed_index import FeedEntry, parse_index
from connectors.meteorology_cap.parser import MAX_ALERT_BYTES
from hub.connect import SourceRecord

MAX_INDEX_BYTES = 8 * 1024 * 1024
MAX_ENTRIES = 1_000
INDEX_TYPES = "application/atom+xml, application/rss+xml;q=0.9, application/xml;q=0.5"
ALERT_TYPES = "application/cap+xml, application/xml;q=0.9, text/xml;q=0.5"


class FeedError(Exception):
    """The feed could not be read this poll (the index, or an alert, for a reason that
    may pass); the message says which URL and why."""


@dataclass(frozen=True, slots=True)
class FeedCheckpoint:
    """Where a feed was left: the index's validators and the entries already taken."""

    etag: str | None = None
    last_modified: str | None = None
    taken: tuple[str, ...] = ()

    @classmethod
    def of(cls, position: Any) -> FeedCheckpoint:
        if position is None:
            return cls()
        if not isinstance(position, Mapping):
            raise ValueError(f"the checkpoint should be a JSON object, not {position!r}")
        return cls(
            position.get("etag"), position.get("last_modified"), tuple(position.get("taken", ()))
        )

    def as_json(self) -> dict[str, Any]:
        return {"etag": self.etag, "last_modified": self.last_modified, "taken": list(self.taken)}

    def conditional_headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


class CapFeedConnector(CapConnector):
    """Polls the Atom or RSS index at ``url`` for CAP 1.2 (or 1.1) alerts."""

    name = "meteorology-cap-feed"
    # Warnings come minutes apart; a conditional request a minute costs a server little.
    poll_s = 60.0

    def __init__(
        self,
        url: str,
        *,
        max_bytes: int = MAX_ALERT_BYTES,
        max_index_bytes: int = MAX_INDEX_BYTES,
        max_entries: int = MAX_ENTRIES,
        timeout_s: float = 10.0,
    ) -> None:
        super().__init__(max_bytes=max_bytes)
        if urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"the feed URL should be http or https, not {url!r}")
        self.url = url
        self.max_index_bytes = max_index_bytes
        self.max_entries = max_entries
        self.timeout_s = timeout_s
        self._client: httpx.Client | None = None

    def read(self, position: Any) -> Iterator[SourceRecord]:
        before = FeedCheckpoint.of(position)
        response, body = self._get(
            self.url, {"Accept": INDEX_TYPES, **before.conditional_headers()}, self.max_index_bytes
        )
        if response.status_code == httpx.codes.NOT_MODIFIED:
            return
        if not response.is_success:
            raise FeedError(f"GET {self.url}: HTTP {response.status_code} {response.reason_phrase}")
        try:
            entries = parse_index(body, base_url=str(response.url), max_bytes=self.max_index_bytes)
        except ValueError as exc:
            raise FeedError(f"the index at {self.url} is refused: {exc}") from exc
        seen = set(before.taken)
        fresh = []
        for entry in entries[-self.max_entries :]:
            if entry.id not in seen:  # an index may list an entry twice
                seen.add(entry.id)
                fresh.append(entry)
        taken = list(before.taken)
        for count, entry in enumerate(fresh, 1):
            raw = self._document(entry)
            taken.append(entry.id)
            last = count == len(fresh)
            after = FeedCheckpoint(
                response.headers.get("ETag") if last else before.etag,
                response.headers.get("Last-Modified") if last else before.last_modified,
                tuple(taken[-self.max_entries :]),
            )
            yield SourceRecord(entry.id, raw, position=after.as_json())

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _document(self, entry: FeedEntry) -> bytes | str:
        """The alert's bytes, or a note saying why there are none for good."""
        if entry.link is None:
            return f"the feed entry {entry.id} has no link to a CAP document"
        if urlsplit(entry.link).scheme not in ("http", "https"):
            return f"the feed entry links to {entry.link!r}, which is not http or https"
        response, body = self._get(entry.link, {"Accept": ALERT_TYPES}, self.max_bytes)
        if response.is_success:
            return body
        if response.status_code == httpx.codes.TOO_MANY_REQUESTS or response.is_server_error:
            raise FeedError(
                f"GET {entry.link}: HTTP {response.status_code} {response.reason_phrase};"
                " it is fetched again next poll"
            )
        return f"GET {entry.link}: HTTP {response.status_code} {response.reason_phrase}"

    def _get(self, url: str, headers: dict[str, str], limit: int) -> tuple[httpx.Response, bytes]:
        """The response and at most ``limit + 1`` bytes of its body: enough for the
        parser to refuse a larger one, never more in memory."""
        body = bytearray()
        try:
            with self._http().stream("GET", url, headers=headers) as response:
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > limit:
                        break
        except httpx.HTTPError as exc:
            raise FeedError(f"GET {url}: {type(exc).__name__}: {exc}") from exc
        return response, bytes(body[: limit + 1])

    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(
                timeout=self.timeout_s,
                follow_redirects=True,
                headers={"User-Agent": f"linkage-{self.name}"},
            )
        return self._client
