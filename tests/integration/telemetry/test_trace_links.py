"""A connector's batch span reaches the gateway's reads of its events as span links: a
history page from the archive, and a live delivery, each link to the batch that
published what they serve (through the ``traceparent`` Kafka header, which the archive
keeps with each event).

Spans are sampled only inside ``captured_spans()`` (tests/utils/spans.py), the rest of
the suite samples none.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from datetime import datetime

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from hub.client import HubClient, Message
from hub.connect import Connector, SourceRecord
from hub.telemetry import LINKS_MAX, link_publishers, tracer
from tests.utils.events import STREAM
from tests.utils.server import serving
from tests.utils.spans import captured_spans, named
from tests.utils.stack import Stack, gateway_stack

pytestmark = pytest.mark.kafka

INTEGRATOR = "health-dispatch"
PURPOSE = "response"


class Reports(Connector):
    """A few incident reports; each test's connector has a name (and events) of its own."""

    stream = STREAM

    def __init__(self, count: int) -> None:
        self._count = count

    def read(self, position: object) -> Iterator[SourceRecord]:
        for i in range(self._count):
            yield SourceRecord(f"{self.name}-{i}", f"row {i}")

    def map(self, record: SourceRecord) -> dict:
        return {
            "envelope": {
                "occurred_at": datetime.fromisoformat("2026-07-01T06:00:00+08:00"),
                "classification": {"category": "ACCIDENT_DISASTER"},
                "area": {"district_code": "440311"},
            },
            "report_id": record.ref,
            "title": f"Report {record.ref}",
            "description": "made up for a trace test",
            "status": "REPORTED",
            "reported_by": "test duty office",
        }


class HistoryReports(Reports):
    name = "history-reports"


class LiveReports(Reports):
    name = "live-reports"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with gateway_stack(tmp_path_factory.mktemp("links")) as running:
        yield running


def batch_span(spans: InMemorySpanExporter, connector: Connector) -> ReadableSpan:
    (span,) = named(spans.get_finished_spans(), f"take {connector.name}")
    return span


def linked_to(span: ReadableSpan, publisher: ReadableSpan) -> bool:
    wanted = publisher.get_span_context()
    assert wanted is not None
    return any(
        (link.context.trace_id, link.context.span_id) == (wanted.trace_id, wanted.span_id)
        for link in span.links
        if link.context is not None
    )


def test_a_history_page_links_to_the_batch_that_published_its_events(stack: Stack) -> None:
    connector = HistoryReports(3)
    with captured_spans() as spans:
        assert stack.run(connector).published == 3
        page = stack.http.get(
            f"/v1/streams/{STREAM}/events",
            params={"purpose": PURPOSE},
            headers=stack.bearer(INTEGRATOR),
        )
        assert page.status_code == 200, page.text
        assert page.json()["count"] >= 3
        published = batch_span(spans, connector)
        finished = spans.get_finished_spans()
    (read,) = named(finished, f"read {STREAM}")
    assert linked_to(read, published), f"links: {[link.context for link in read.links]}"
    assert read.attributes is not None
    assert read.attributes["linkage.links.dropped"] == 0
    assert read.attributes["linkage.events"] == page.json()["count"]
    # The read is in the gateway request's own trace (the one its audit row names).
    (request,) = [
        s
        for s in named(finished, "GET /v1/streams/{stream}/events")
        if (s.attributes or {}).get("linkage.request_id") == page.headers["x-request-id"]
    ]
    assert read.context.trace_id == request.context.trace_id


def test_a_live_delivery_links_to_the_batch_that_published_its_events(stack: Stack) -> None:
    connector = LiveReports(2)
    issued = stack.credentials[INTEGRATOR]
    messages: queue.Queue[Message] = queue.Queue()
    with (
        captured_spans() as spans,
        serving(stack.http.app) as url,
        HubClient(url, issued.client_id, issued.client_secret) as hub,
    ):
        reading = threading.Thread(target=_follow, args=(hub, messages, 2), daemon=True)
        reading.start()
        assert messages.get(timeout=10).event == "ready"
        stack.run(connector)
        events = [messages.get(timeout=10) for _ in range(2)]
        assert [m.event for m in events] == ["event", "event"]
        reading.join(10)
        published = batch_span(spans, connector)
        deliveries = named(spans.get_finished_spans(), f"deliver {STREAM}")
    assert any(linked_to(d, published) for d in deliveries), (
        f"deliveries: {[(d.attributes, [link.context for link in d.links]) for d in deliveries]}"
    )


def _follow(hub: HubClient, messages: queue.Queue[Message], events: int) -> None:
    """The feed's messages into ``messages``, until ``events`` events have come (leaving
    the loop closes the feed) or the feed ends."""
    for message in hub.live(STREAM, purpose=PURPOSE):
        messages.put(message)
        if message.event == "event":
            events -= 1
        if events == 0 or message.event == "end":
            return


def test_a_read_links_to_each_publish_once_and_at_most_the_cap() -> None:
    distinct = [f"00-{i + 1:032x}-{i + 1:016x}-01" for i in range(LINKS_MAX + 8)]
    served = [distinct[0], distinct[0], None, "not a traceparent", *distinct]
    with captured_spans() as spans:
        with tracer("tests").start_as_current_span("read") as span:
            link_publishers(span, served)
        (read,) = named(spans.get_finished_spans(), "read")
    assert [link.context.trace_id for link in read.links] == list(range(1, LINKS_MAX + 1))
    assert read.attributes is not None
    # The 8 past the cap, and the one that names no span.
    assert read.attributes["linkage.links.dropped"] == 9
