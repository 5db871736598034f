"""How outbox rows reach the hub: Kafka inside the hub's network, or HTTPS to the
gateway's publish API for a department that can reach only the gateway. Both answer
per row in the same three words, so the sender (and its guarantee) is one."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

import httpx
import orjson

from hub.bus.protocols import Pending, Publisher
from hub.client.api import HubClient
from hub.client.api import HubError as GatewayRefusal
from hub.connect.outbox import Queued
from hub.errors import BrokerUnavailable, RecordRefused

log = logging.getLogger(__name__)


class Verdict(Enum):
    SENT = "sent"  # acknowledged: the row may leave the outbox
    RETRY = "retry"  # not taken this time (an outage): keep it, send again later
    REFUSED = "refused"  # refused for what it is: sending again cannot help


@dataclass(frozen=True, slots=True)
class Outcome:
    verdict: Verdict
    reason: str = ""


class Transport(Protocol):
    name: str

    def send(self, batch: Sequence[Queued], timeout_s: float) -> list[Outcome]:
        """One outcome per row, in order; never raises for one row's fault."""

    def close(self) -> None: ...


class KafkaTransport:
    """Rows as records, ``acks=all``: an outcome is known only once the broker has
    replicated the record (or said why not)."""

    name = "kafka"

    def __init__(self, publisher: Publisher) -> None:
        self._publisher = publisher

    def send(self, batch: Sequence[Queued], timeout_s: float) -> list[Outcome]:
        pending: list[Pending | Outcome] = []
        down = ""
        for queued in batch:
            entry = queued.entry
            if down:  # the broker could not be reached for this batch: the rest wait too
                pending.append(Outcome(Verdict.RETRY, down))
                continue
            try:
                pending.append(
                    self._publisher.send(
                        entry.topic, entry.value, key=entry.key, headers=entry.headers
                    )
                )
            except RecordRefused as exc:
                pending.append(Outcome(Verdict.REFUSED, exc.message))
            except BrokerUnavailable as exc:
                down = exc.message
                pending.append(Outcome(Verdict.RETRY, down))
        # One bound for the whole batch: in an outage every record would otherwise wait
        # its own full timeout, one after another.
        deadline = time.monotonic() + timeout_s
        outcomes = []
        for item in pending:
            if isinstance(item, Outcome):
                outcomes.append(item)
                continue
            try:
                item.result(max(0.01, deadline - time.monotonic()))
            except RecordRefused as exc:
                outcomes.append(Outcome(Verdict.REFUSED, exc.message))
            except BrokerUnavailable as exc:
                outcomes.append(Outcome(Verdict.RETRY, exc.message))
            else:
                outcomes.append(Outcome(Verdict.SENT))
        return outcomes

    def close(self) -> None:
        self._publisher.close()


#: The gateway's largest batch (see hub/gateway/routes/publish.py).
GATEWAY_BATCH = 500


class GatewayTransport:
    """Rows (JSON events) posted to ``/v1/streams/{stream}/events/batch`` with the
    connector's own client credentials. The gateway publishes each event id once, so a
    batch sent again after a lost answer publishes nothing twice."""

    name = "gateway"

    def __init__(self, client: HubClient) -> None:
        self._client = client

    def send(self, batch: Sequence[Queued], timeout_s: float) -> list[Outcome]:
        outcomes: list[Outcome] = []
        for start in range(0, len(batch), GATEWAY_BATCH):
            outcomes += self._post(batch[start : start + GATEWAY_BATCH])
        return outcomes

    def _post(self, rows: Sequence[Queued]) -> list[Outcome]:
        """One batch per stream run (the route is per stream); dead letters have no
        route on the gateway and stay refused here, kept in the outbox's quarantine."""
        outcomes: dict[int, Outcome] = {}
        by_stream: dict[str, list[Queued]] = {}
        for queued in rows:
            if queued.entry.kind != "event":
                outcomes[queued.seq] = Outcome(
                    Verdict.REFUSED, "the gateway takes no dead letters; kept in the outbox"
                )
            else:
                by_stream.setdefault(queued.entry.stream, []).append(queued)
        for stream, queued_rows in by_stream.items():
            for queued, outcome in zip(
                queued_rows, self._post_stream(stream, queued_rows), strict=True
            ):
                outcomes[queued.seq] = outcome
        return [outcomes[q.seq] for q in rows]

    def _post_stream(self, stream: str, rows: list[Queued]) -> list[Outcome]:
        events = [orjson.loads(q.entry.value) for q in rows]
        try:
            self._client.publish_batch(stream, events)
        except GatewayRefusal as exc:
            if exc.status == 422 and isinstance(exc.problem.get("errors"), list):
                return self._split(stream, rows, exc.problem["errors"])
            if exc.status in (400, 403, 404, 409, 413, 415, 422):
                return [Outcome(Verdict.REFUSED, str(exc))] * len(rows)
            return [Outcome(Verdict.RETRY, str(exc))] * len(rows)
        except httpx.HTTPError as exc:
            return [Outcome(Verdict.RETRY, f"the gateway cannot be reached: {exc}")] * len(rows)
        return [Outcome(Verdict.SENT)] * len(rows)

    def _split(self, stream: str, rows: list[Queued], problems: list[object]) -> list[Outcome]:
        """The gateway checks a batch whole and names each bad event by index: those are
        refused, and the rest are sent again on their own."""
        bad = {
            p["index"]: f"{p.get('field') or 'event'}: {p.get('reason')}"
            for p in problems
            if isinstance(p, dict) and isinstance(p.get("index"), int)
        }
        good = [q for i, q in enumerate(rows) if i not in bad]
        sent = iter(self._post_stream(stream, good) if good else [])
        return [
            Outcome(Verdict.REFUSED, bad[i]) if i in bad else next(sent) for i in range(len(rows))
        ]

    def close(self) -> None:
        self._client.close()
