"""A connector's OpenTelemetry metrics: what it read, published, dead-lettered and
failed to send, and how much waits in its outbox and for how long (its lag behind the
source). The same counts are kept in the outbox file for ``hub connector status``;
these are for a city's own monitoring, by connector name."""

from __future__ import annotations

import time
from collections.abc import Iterable

from opentelemetry.metrics import CallbackOptions, Meter, Observation

from hub.connect.outbox import Outbox
from hub.telemetry import meter as global_meter


class ConnectorMetrics:
    def __init__(self, connector: str, outbox: Outbox, meter: Meter | None = None) -> None:
        chosen = meter or global_meter("hub.connect")
        self._attributes = {"linkage.connector": connector}
        self._outbox = outbox
        self._read = chosen.create_counter(
            "linkage.connector.records_read", unit="{record}", description="Source records taken"
        )
        self._published = chosen.create_counter(
            "linkage.connector.events_published",
            unit="{event}",
            description="Events the hub acknowledged",
        )
        self._dead = chosen.create_counter(
            "linkage.connector.dead_lettered",
            unit="{record}",
            description="Records sent to the dead-letter topic, with their bytes",
        )
        self._failed = chosen.create_counter(
            "linkage.connector.send_failures",
            unit="{round}",
            description="Send rounds the hub did not take (an outage), to be retried",
        )
        chosen.create_observable_gauge(
            "linkage.connector.outbox_depth",
            callbacks=[self._depth],
            unit="{event}",
            description="Events waiting in the outbox",
        )
        chosen.create_observable_gauge(
            "linkage.connector.lag",
            callbacks=[self._lag],
            unit="s",
            description="Age of the oldest event waiting in the outbox",
        )

    def taken(self, records: int, dead_lettered: int) -> None:
        self._read.add(records, self._attributes)
        if dead_lettered:
            self._dead.add(dead_lettered, self._attributes)

    def sent(self, events: int) -> None:
        if events:
            self._published.add(events, self._attributes)

    def failed(self) -> None:
        self._failed.add(1, self._attributes)

    def _depth(self, _options: CallbackOptions) -> Iterable[Observation]:
        yield Observation(self._outbox.depth, self._attributes)

    def _lag(self, _options: CallbackOptions) -> Iterable[Observation]:
        oldest = self._outbox.state().oldest_ms
        age = 0.0 if oldest is None else max(0.0, time.time() - oldest / 1000)
        yield Observation(age, self._attributes)
