"""The client: one object per client id, refreshing its token before it expires."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx
import orjson

from hub.client.sse import Message, messages

#: A token is renewed this long before it expires.
_EARLY_S = 30


class HubError(Exception):
    """An RFC 9457 problem from the hub: ``status``, ``title`` and ``detail``."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        self.status = status
        self.problem = problem
        super().__init__(f"{status} {problem.get('title', '')}: {problem.get('detail', '')}")


@dataclass(frozen=True, slots=True)
class Page:
    events: list[dict[str, Any]]
    next: str
    more: bool
    body: dict[str, Any]


Params = dict[str, Any]


class HubClient:
    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        *,
        scope: str | None = None,
        timeout_s: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._http = httpx.Client(base_url=base_url, timeout=timeout_s, transport=transport)
        self._credentials = (client_id, client_secret)
        self._scope = scope
        self._token = ""
        self._expires = 0.0

    def __enter__(self) -> HubClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def token(self) -> str:
        if time.time() < self._expires - _EARLY_S:
            return self._token
        form = {
            "grant_type": "client_credentials",
            **({"scope": self._scope} if self._scope else {}),
        }
        answer = self._http.post("/oauth/token", data=form, auth=self._credentials)
        body = _checked(answer)
        self._token, self._expires = body["access_token"], time.time() + body["expires_in"]
        return self._token

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token()}", **(extra or {})}

    def get(self, path: str, **params: Any) -> Any:
        return _checked(self._http.get(path, params=_query(params), headers=self._headers()))

    def post(self, path: str, body: Any, **params: Any) -> Any:
        """``body`` as JSON; datetimes become RFC 3339 text, as the hub expects them."""
        headers = self._headers({"Content-Type": "application/json"})
        answer = self._http.post(
            path, content=orjson.dumps(body), params=_query(params), headers=headers
        )
        return _checked(answer)

    # History

    def events(self, stream: str, *, cursor: str | None = None, **filters: Any) -> Page:
        """One page of a stream's history; ``filters`` are the route's query parameters
        (``since``, ``district``, ``severity_at_least``, ``purpose``, ``limit`` ...)."""
        return _page(self.get(f"/v1/streams/{stream}/events", cursor=cursor, **filters))

    def iter_events(self, stream: str, **filters: Any) -> Iterator[dict[str, Any]]:
        """Every event up to now, page after page."""
        yield from self._follow_pages(f"/v1/streams/{stream}/events", filters)

    def timeline(self, incident: str, **filters: Any) -> Iterator[dict[str, Any]]:
        yield from self._follow_pages(f"/v1/incidents/{incident}/timeline", filters)

    def _follow_pages(self, path: str, filters: Params) -> Iterator[dict[str, Any]]:
        cursor = None
        while True:
            page = _page(self.get(path, cursor=cursor, **filters))
            yield from page.events
            cursor = page.next
            if not page.more:
                return

    # Live

    def live(
        self, stream: str, *, last_event_id: str | None = None, **filters: Any
    ) -> Iterator[Message]:
        """The live feed's messages (``event`` and, last, ``end``); pass the last id seen
        as ``last_event_id`` to resume after a disconnection."""
        headers = self._headers({"Accept": "text/event-stream"})
        if last_event_id:
            headers["Last-Event-ID"] = last_event_id
        timeout = httpx.Timeout(30.0, read=None)
        with self._http.stream(
            "GET",
            f"/v1/streams/{stream}/live",
            params=_query(filters),
            headers=headers,
            timeout=timeout,
        ) as answer:
            if answer.status_code != 200:
                answer.read()
                _checked(answer)
            yield from messages(answer.iter_lines())

    # Publishing and acknowledgements

    def publish(self, stream: str, event: dict[str, Any]) -> dict[str, Any]:
        """Where the event landed (``created`` false: that event id was published before)."""
        result: dict[str, Any] = self.post(f"/v1/streams/{stream}/events", event)
        return result

    def publish_batch(self, stream: str, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Up to 500 events, checked whole: one that does not match and none is sent."""
        result: dict[str, Any] = self.post(f"/v1/streams/{stream}/events/batch", {"events": events})
        return list(result["results"])

    def ack(self, event_id: str, status: str, note: str = "", **params: Any) -> dict[str, Any]:
        result: dict[str, Any] = self.post(
            f"/v1/events/{event_id}/ack", {"status": status, "note": note}, **params
        )
        return result

    def acks(self, event_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self.get(f"/v1/events/{event_id}/acks")
        return result


def _query(params: Params) -> Params:
    return {k: v for k, v in params.items() if v is not None}


def _page(body: dict[str, Any]) -> Page:
    return Page(body["events"], body["next"], body["more"], body)


def _checked(answer: httpx.Response) -> Any:
    if answer.status_code >= 400:
        try:
            problem = answer.json()
        except ValueError:
            problem = {"title": answer.reason_phrase, "detail": answer.text[:200]}
        raise HubError(answer.status_code, problem)
    return answer.json()
