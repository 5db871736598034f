"""The connector SDK: what a department's IT team imports to publish its events.

A connector subclasses :class:`Connector` (records polled from a source) or
:class:`PushConnector` (records pushed to a webhook) and says how one source record
becomes events; :class:`ConnectorRuntime` validates, commits to a durable outbox, sends,
retries and dead-letters (``hub connector run`` builds one). :func:`mapped_events`
checks a connector's mapping offline, and ``hub.connect.testing.run_in_memory`` runs it
whole on a memory bus, for tests. :class:`EventSink` publishes directly, without an
outbox: the gateway's own publish path.
"""

from hub.connect.base import Connector, Mapped, PushConnector, Routed, SourceRecord
from hub.connect.offline import mapped_events
from hub.connect.runtime import ConnectorRuntime, Rejection, RunReport
from hub.connect.sink import EventSink
from hub.connect.target import StreamTarget
from hub.errors import RecordRejected

__all__ = [
    "Connector",
    "ConnectorRuntime",
    "EventSink",
    "Mapped",
    "PushConnector",
    "RecordRejected",
    "Rejection",
    "Routed",
    "RunReport",
    "SourceRecord",
    "StreamTarget",
    "mapped_events",
]
