"""A connector's OpenTelemetry metrics: what it read, published, dead-lettered and
failed to send, and how much waits in its outbox and for how long (its lag behind the
source). The same counts are kept in the outbox file for ``hub connector status``;
these are for a city's own monitoring, by connector name.

A process has one instrument per name, and the SDK keeps the callbacks of its first
registration only: the two gauges are made once per meter and read every connector
open on it (``hub dev`` runs several), never one that has closed.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import weakref
from collections.abc import Iterable

from opentelemetry.metrics import CallbackOptions, Meter, Observation

from hub.connect.outbox import Outbox
from hub.telemetry import meter as global_meter


class ConnectorMetrics:
    def __init__(self, connector: str, outbox: Outbox, meter: Meter | None = None) -> None:
        chosen = meter or global_meter("hub.connect")
        self.attributes = {"linkage.connector": connector}
        self.outbox = outbox
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
        self._gauges = _gauges(meter)
        self._gauges.add(self)

    def taken(self, records: int, dead_lettered: int) -> None:
        self._read.add(records, self.attributes)
        if dead_lettered:
            self._dead.add(dead_lettered, self.attributes)

    def sent(self, events: int) -> None:
        if events:
            self._published.add(events, self.attributes)

    def failed(self) -> None:
        self._failed.add(1, self.attributes)

    def close(self) -> None:
        """The connector stops: its outbox is no longer shown (it may be closed next)."""
        self._gauges.discard(self)


class _OpenConnectors:
    """The outbox gauges of one meter, over the connectors open on it."""

    def __init__(self, meter: Meter) -> None:
        self._open: weakref.WeakSet[ConnectorMetrics] = weakref.WeakSet()
        self._lock = threading.Lock()
        meter.create_observable_gauge(
            "linkage.connector.outbox_depth",
            callbacks=[self._depth],
            unit="{event}",
            description="Events waiting in the outbox",
        )
        meter.create_observable_gauge(
            "linkage.connector.lag",
            callbacks=[self._lag],
            unit="s",
            description="Age of the oldest event waiting in the outbox",
        )

    def add(self, metrics: ConnectorMetrics) -> None:
        with self._lock:
            self._open.add(metrics)

    def discard(self, metrics: ConnectorMetrics) -> None:
        with self._lock:
            self._open.discard(metrics)

    def _connectors(self) -> list[ConnectorMetrics]:
        with self._lock:
            return list(self._open)

    def _depth(self, _options: CallbackOptions) -> Iterable[Observation]:
        for metrics in self._connectors():
            yield Observation(metrics.outbox.depth, metrics.attributes)

    def _lag(self, _options: CallbackOptions) -> Iterable[Observation]:
        for metrics in self._connectors():
            try:
                oldest = metrics.outbox.state().oldest_ms
            except sqlite3.ProgrammingError:
                continue  # its outbox closed before the connector said it stopped
            age = 0.0 if oldest is None else max(0.0, time.time() - oldest / 1000)
            yield Observation(age, metrics.attributes)


_GAUGES_LOCK = threading.Lock()
#: The gauges of each meter handed in (a test's own provider), and of the global one
#: (under None: before a provider is set, each global meter asked for is a new proxy).
_made: weakref.WeakKeyDictionary[Meter, _OpenConnectors] = weakref.WeakKeyDictionary()
_process: list[_OpenConnectors] = []


def _gauges(meter: Meter | None) -> _OpenConnectors:
    """The outbox gauges of ``meter`` (None: the global one), made on first use."""
    with _GAUGES_LOCK:
        if meter is None:
            if not _process:
                _process.append(_OpenConnectors(global_meter("hub.connect")))
            return _process[0]
        found = _made.get(meter)
        if found is None:
            found = _made[meter] = _OpenConnectors(meter)
        return found
