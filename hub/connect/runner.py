"""Run a connector once over its source, and say what happened to every record."""

from __future__ import annotations

from dataclasses import dataclass, field

from hub.bus.protocols import Pending
from hub.connect.base import Connector
from hub.connect.envelope import events_of
from hub.connect.sink import EventSink
from hub.errors import RecordRejected


@dataclass(frozen=True, slots=True)
class Rejection:
    ref: str
    reason: str


@dataclass
class RunReport:
    published: int = 0
    rejected: list[Rejection] = field(default_factory=list)

    def summary(self) -> str:
        text = f"{self.published} published, {len(self.rejected)} rejected"
        return text + "".join(f"\n  - {r.ref}: {r.reason}" for r in self.rejected)


def run_connector(connector: Connector, sink: EventSink, *, timeout_s: float = 30.0) -> RunReport:
    """Map, validate and publish every record; wait until the broker has them all."""
    if connector.stream != sink.stream.id:
        raise ValueError(f"connector publishes {connector.stream}, sink is for {sink.stream.id}")
    report = RunReport()
    pending: list[Pending] = []
    for record in connector.read(None):
        try:
            pending.extend(
                sink.publish(routed.event) for routed in events_of(connector.map(record), connector)
            )
        except (RecordRejected, ValueError) as exc:
            report.rejected.append(Rejection(record.ref, str(exc)))
            pending.append(sink.dead_letter(ref=record.ref, raw=record.raw, error=exc))
            continue
        report.published += 1
    sink.flush(timeout_s)
    for item in pending:
        item.result(timeout_s)
    return report
