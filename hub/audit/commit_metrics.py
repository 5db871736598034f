"""What the audit writer's group commit does under load: rows per batch, time per commit.

Every request waits for its batch's commit before any of its answer is sent, so the
commit time is added to every request's latency; the batch size says how far the group
commit is amortising it (one row a batch when idle, hundreds under load). A failed
batch is recorded too: each one is a burst of 503s.
"""

from __future__ import annotations

from opentelemetry.metrics import get_meter

OUTCOME = "linkage.outcome"
#: Rows a batch takes: from one (idle) up to ``audit.batch_max`` (1,000 by default).
SIZE_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000)
#: Seconds: a commit on a local SQLite file takes about a millisecond; two seconds is
#: the default ``audit.write_timeout_s``, past which requests are refused.
SECONDS_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0)


class CommitMetrics:
    def __init__(self) -> None:
        meter = get_meter("hub.audit")
        self._size = meter.create_histogram(
            "linkage.audit.batch.size",
            unit="{row}",
            description="Audit rows written per commit",
            explicit_bucket_boundaries_advisory=SIZE_BUCKETS,
        )
        self._latency = meter.create_histogram(
            "linkage.audit.commit.duration",
            unit="s",
            description="Time to seal and commit one batch of audit rows",
            explicit_bucket_boundaries_advisory=SECONDS_BUCKETS,
        )

    def committed(self, rows: int, seconds: float) -> None:
        self._record(rows, seconds, "committed")

    def failed(self, rows: int, seconds: float) -> None:
        self._record(rows, seconds, "failed")

    def _record(self, rows: int, seconds: float, outcome: str) -> None:
        if rows == 0:
            return  # the timer's checkpoint alone: no request waited on it
        attributes = {OUTCOME: outcome}
        self._size.record(rows, attributes)
        self._latency.record(seconds, attributes)
