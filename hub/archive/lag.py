"""How far behind its topics the archive is: a gauge of seconds, by stream.

Measured from the records themselves, since each carries the time it was written and
asking the broker for every topic's end would cost a round trip per topic a round. When
a round commits, a stream's lag is the age of the oldest record of it the round took
(the longest any of them waited for the archive). A round that drained what the topics
had shows every stream it did not touch as caught up (0); a round cut at its batch size
may have left others waiting, so their last value stands.
"""

from __future__ import annotations

from collections.abc import Mapping

from opentelemetry.metrics import get_meter

STREAM = "linkage.stream"


class ArchiveLag:
    def __init__(self) -> None:
        self._gauge = get_meter("hub.archive").create_gauge(
            "linkage.archive.lag",
            unit="s",
            description="Age of the oldest record the archiver's last round took, by stream",
        )
        #: The streams shown so far: set back to 0 once caught up, never left stale.
        self._shown: set[str] = set()

    def round(self, oldest_ms: Mapping[str, int], *, now_ms: int, drained: bool) -> None:
        """Show a committed round: ``oldest_ms`` is each stream's oldest record in it."""
        for stream, written_ms in oldest_ms.items():
            self._gauge.set(max(0.0, (now_ms - written_ms) / 1000), {STREAM: stream})
        if drained:
            for stream in self._shown.difference(oldest_ms):
                self._gauge.set(0.0, {STREAM: stream})
        self._shown.update(oldest_ms)
