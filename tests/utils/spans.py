"""Spans for the tests that look at them, without sampling the rest of the suite.

A process has one global tracer provider, set once. ``tests/conftest.py`` installs this
one before any test runs (:func:`install`), so the gateways, connectors and archivers
every test builds keep it (:func:`hub.telemetry.configure` keeps a provider it finds).
Its sampler drops every span, as the hub's own does with no exporter, until a test
opens :func:`captured_spans`: then every span of the process is sampled and kept in
memory until the block ends.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult
from opentelemetry.trace import Link, SpanKind
from opentelemetry.trace.span import TraceState
from opentelemetry.util.types import Attributes


class _Switch(Sampler):
    """Samples everything while on, nothing while off."""

    def __init__(self) -> None:
        self.on = threading.Event()

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: TraceState | None = None,
    ) -> SamplingResult:
        if not self.on.is_set():
            return SamplingResult(Decision.DROP)
        parent = trace.get_current_span(parent_context).get_span_context()
        return SamplingResult(Decision.RECORD_AND_SAMPLE, attributes, parent.trace_state)

    def get_description(self) -> str:
        return "tests.utils.spans switch"


_SWITCH = _Switch()
_EXPORTER = InMemorySpanExporter()
_PROVIDER = TracerProvider(sampler=_SWITCH)
_PROVIDER.add_span_processor(SimpleSpanProcessor(_EXPORTER))
_LOCK = threading.Lock()


def install() -> None:
    """Make this process's tracer provider the switchable one (before any test)."""
    trace.set_tracer_provider(_PROVIDER)


@contextmanager
def captured_spans() -> Iterator[InMemorySpanExporter]:
    """Every span the process ends inside the block, sampled, in the exporter returned
    (``get_finished_spans()``). One test at a time."""
    if trace.get_tracer_provider() is not _PROVIDER:
        raise RuntimeError("another tracer provider was set before tests.utils.spans.install()")
    with _LOCK:
        _EXPORTER.clear()
        _SWITCH.on.set()
        try:
            yield _EXPORTER
        finally:
            _SWITCH.on.clear()


def named(spans: Sequence[ReadableSpan], name: str) -> list[ReadableSpan]:
    return [span for span in spans if span.name == name]
