"""One conditional GET of the closure feed: validators sent, body size bounded, every way
it can fail turned into one exception.

``FeedUnavailable`` is a ``ConnectionError`` (so an ``OSError``): the feed could not be
read this time — refused, timed out, a status other than 200 or 304, or a body past
``MAX_BODY_BYTES``. Nothing was taken, so the SDK polls again later from the same
position. A body that arrives but cannot be understood is not this error: it becomes a
record, so that its bytes are dead-lettered.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

#: A city's closure list is tens of kilobytes; five MiB is far past any real one, and
#: stops a runaway or hostile response before it fills memory.
MAX_BODY_BYTES = 5 * 1024 * 1024


class FeedUnavailable(ConnectionError):
    """The closure feed could not be read this poll; the next poll tries again."""


@dataclass(frozen=True, slots=True)
class FeedResponse:
    """A 200's body and validators; ``body`` is None for 304 Not Modified."""

    body: bytes | None
    etag: str | None = None
    last_modified: str | None = None
    date: str | None = None


def fetch(
    client: httpx.Client,
    url: str,
    *,
    etag: str | None,
    last_modified: str | None,
    shown: str,
) -> FeedResponse:
    """GET ``url`` with ``If-None-Match``/``If-Modified-Since`` from the last document taken.

    ``shown`` is the URL without credentials or query, for messages."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        with client.stream("GET", url, headers=headers) as response:
            if response.status_code == httpx.codes.NOT_MODIFIED:
                return FeedResponse(None)
            if response.status_code != httpx.codes.OK:
                raise FeedUnavailable(
                    f"{shown} answered {response.status_code} {response.reason_phrase}"
                    " (only 200 and 304 are taken; redirects are not followed)"
                )
            return FeedResponse(
                _bounded_body(response, shown),
                etag=response.headers.get("ETag"),
                last_modified=response.headers.get("Last-Modified"),
                date=response.headers.get("Date"),
            )
    except httpx.HTTPError as exc:
        raise FeedUnavailable(f"{shown} could not be read: {type(exc).__name__}: {exc}") from exc


def _bounded_body(response: httpx.Response, shown: str) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise FeedUnavailable(f"{shown} sent {declared} bytes, more than {MAX_BODY_BYTES}")
    body = bytearray()
    # Counted after decompression, so a small gzip body cannot expand past the limit.
    for chunk in response.iter_bytes(chunk_size=64 * 1024):
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise FeedUnavailable(f"{shown} sent more than {MAX_BODY_BYTES} bytes; stopped reading")
    return bytes(body)
