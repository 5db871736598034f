"""The connector SDK: what a department's IT team imports to publish its events.

A connector subclasses :class:`Connector` (records polled from a source) or
:class:`PushConnector` (records pushed to a webhook) and says how one source record
becomes events; the SDK validates, commits to a durable outbox, sends, retries and
dead-letters. :func:`mapped_events` checks a connector's mapping offline, for tests.
"""

from hub.connect.base import Connector, Mapped, PushConnector, Routed, SourceRecord
from hub.connect.offline import mapped_events
from hub.connect.runner import Rejection, RunReport, run_connector
from hub.connect.sink import EventSink
from hub.connect.target import StreamTarget
from hub.errors import RecordRejected

__all__ = [
    "Connector",
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
    "run_connector",
]
