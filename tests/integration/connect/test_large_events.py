"""A stream's own size limit (``max_message_bytes`` in streams.yaml): a 1.5 MB warning
goes through to the real broker and the archive on meteorology.warning (2 MiB), the
producer's requests having been raised to fit; one over the limit is dead-lettered
with its bytes, and its neighbour still goes."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from hub.connect import Connector, SourceRecord
from hub.connect.outbox import Outbox
from tests.utils.stack import gateway_stack

pytestmark = pytest.mark.kafka

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE: dict[str, Any] = json.loads(
    (ROOT / "tests" / "data" / "events" / "meteorology.warning.json").read_text()
)[0]


class Padded(Connector):
    """Warnings whose note is padded to the sizes asked for."""

    name = "padded-warnings"
    stream = "meteorology.warning"

    def __init__(self, sizes: list[int]) -> None:
        self.sizes = sizes

    def read(self, position: Any) -> Iterator[SourceRecord]:
        for n, size in enumerate(self.sizes):
            yield SourceRecord(f"warning-{n}", f"{n}:{size}".encode())

    def map(self, record: SourceRecord) -> dict[str, Any]:
        n, size = map(int, record.raw.decode().split(":"))
        event = copy.deepcopy(EXAMPLE)
        event["envelope"].pop("event_id", None)
        event["identifier"] = f"padded-{n}"
        event["note"] = "x" * size
        return event


def test_a_stream_takes_events_up_to_its_own_limit(tmp_path: Path) -> None:
    with gateway_stack(tmp_path) as stack:
        stream = stack.hub.policy.stream("meteorology.warning")
        assert stream is not None and stream.max_message_bytes == 2 * 1024 * 1024
        assert stack.hub.settings.kafka.max_request_bytes > stream.max_message_bytes
        box = Outbox(tmp_path / "outbox.db")
        runtime = stack.hub.connector_runtime(Padded([1_500_000, 2_500_000]), box)
        try:
            report = runtime.run(drain_s=60)
        finally:
            runtime.close()
        assert report.published == 1 and report.waiting == 0
        (rejected,) = report.rejected
        assert rejected.ref == "warning-1"
        assert "over meteorology.warning's limit of 2,097,152" in rejected.reason
        stack.archived()
        with stack.hub.engine.connect() as connection:
            (size,) = connection.execute(
                text(
                    "SELECT length(payload) FROM archive_events WHERE stream = 'meteorology.warning'"
                    " ORDER BY id DESC LIMIT 1"
                )
            ).one()
        assert size > 1_500_000, "the large warning is archived whole"
        box.close()
