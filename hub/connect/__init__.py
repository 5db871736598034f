"""The connector SDK: what a department's IT team imports to publish its events.

A connector subclasses :class:`Connector`; :class:`EventSink` validates and publishes
its events; :func:`run_connector` runs it and returns a :class:`RunReport`.
"""

from hub.connect.base import Connector, SourceRecord
from hub.connect.runner import Rejection, RunReport, run_connector
from hub.connect.sink import EventSink
from hub.connect.target import StreamTarget
from hub.errors import RecordRejected

__all__ = [
    "Connector",
    "EventSink",
    "RecordRejected",
    "Rejection",
    "RunReport",
    "SourceRecord",
    "StreamTarget",
    "run_connector",
]
