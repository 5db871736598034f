"""OpenTelemetry set-up: one tracer provider and one meter provider per process.

Trace context crosses Kafka in a W3C ``traceparent`` record header written by the
connector SDK. The archive keeps it with each event, and the gateway's reads (a history
page, a live delivery) are spans with links to the publish spans of the events they
serve (:func:`link_publishers`): a trace backend leads from an agency's read to the
connector batch that published what it read, and from that batch to every read of it.
A link rather than a parent, since one read serves events of many publishes and one
publish is read many times.

Metrics go to a Prometheus reader that the gateway serves at ``/metrics`` and, when an
exporter is set, to the console or OTLP as well.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING

from opentelemetry import metrics, trace
from opentelemetry.propagate import extract, inject
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
)
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ALWAYS_ON, ParentBased
from opentelemetry.trace import Span

from hub.config import TelemetrySettings

if TYPE_CHECKING:
    from opentelemetry.sdk.metrics.export import MetricReader

_lock = threading.Lock()
_tracing = False
_metering = False

#: The links one read span carries at most; the rest are counted in
#: ``linkage.links.dropped``. A page of a thousand events from one connector batch is
#: one link; a page from many batches shows the first ones, and how many more there were.
LINKS_MAX = 32
#: The content type of :func:`prometheus_text` (Prometheus' classic text format).
PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


def configure(settings: TelemetrySettings) -> None:
    """Install the global providers; each is set once per process and then kept.

    Tracing is set by the first call, unless the process had a tracer provider already
    (one embedding the hub, a test harness): that one is kept. With no exporter nothing
    is sampled, so spans cost next to nothing; they still get real trace ids, which
    reach audit rows and Kafka ``traceparent`` headers.

    Metrics are set by the first call that wants a reader (Prometheus, console or OTLP);
    a call that wants none leaves the place to a later one, so a process that builds
    several gateways (the tests) has metrics if any of them asks. Instruments made
    before then start recording when it happens.
    """
    global _tracing, _metering
    with _lock:
        if not _tracing:
            _configure_tracing(settings)
            _tracing = True
        if not _metering:
            _metering = _configure_metrics(settings)


def _configure_tracing(settings: TelemetrySettings) -> None:
    if not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
        return
    sampler = ALWAYS_OFF if settings.exporter == "none" else ParentBased(ALWAYS_ON)
    provider = TracerProvider(resource=_resource(settings), sampler=sampler)
    if settings.exporter == "console":
        provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
    elif settings.exporter == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        endpoint = settings.otlp_endpoint
        exporter = OTLPSpanExporter(endpoint=endpoint) if endpoint else OTLPSpanExporter()
        provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)


def _configure_metrics(settings: TelemetrySettings) -> bool:
    """The meter provider with every reader the settings ask for; False if none."""
    from opentelemetry.sdk.metrics import MeterProvider

    readers = _metric_readers(settings)
    if not readers:
        return False
    metrics.set_meter_provider(MeterProvider(resource=_resource(settings), metric_readers=readers))
    return True


def _metric_readers(settings: TelemetrySettings) -> list[MetricReader]:
    from opentelemetry.sdk.metrics.export import (
        ConsoleMetricExporter,
        MetricExporter,
        PeriodicExportingMetricReader,
    )

    readers: list[MetricReader] = []
    if settings.prometheus:
        from opentelemetry.exporter.prometheus import PrometheusMetricReader

        # Registers with prometheus_client's default registry, which prometheus_text reads.
        readers.append(PrometheusMetricReader())
    exporter: MetricExporter | None = None
    if settings.exporter == "console":
        exporter = ConsoleMetricExporter()
    elif settings.exporter == "otlp":
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter

        endpoint = settings.otlp_endpoint
        exporter = (
            OTLPMetricExporter(endpoint=endpoint.replace("/v1/traces", "/v1/metrics"))
            if endpoint
            else OTLPMetricExporter()
        )
    if exporter is not None:
        readers.append(PeriodicExportingMetricReader(exporter, export_interval_millis=60_000))
    return readers


def _resource(settings: TelemetrySettings) -> Resource:
    return Resource.create({"service.name": settings.service_name})


def prometheus_text() -> bytes:
    """Every metric of the process in Prometheus' text format (:data:`PROMETHEUS_TEXT`):
    the hub's own and the Python process's (memory, CPU, open files, garbage collector)."""
    from prometheus_client import REGISTRY, generate_latest

    return generate_latest(REGISTRY)


def meter(name: str) -> metrics.Meter:
    return metrics.get_meter(name)


def tracer(name: str) -> trace.Tracer:
    return trace.get_tracer(name)


def current_trace_id() -> str | None:
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None


def trace_headers() -> list[tuple[str, bytes]]:
    """The current trace context as Kafka record headers."""
    carrier: dict[str, str] = {}
    inject(carrier)
    return [(key, value.encode()) for key, value in carrier.items()]


def link_publishers(
    span: Span, traceparents: Iterable[str | None], *, limit: int = LINKS_MAX
) -> None:
    """Link ``span`` to each distinct publish span ``traceparents`` name, ``limit`` at
    most, and say how many more there were (``linkage.links.dropped``).

    Nothing is parsed for a span that is not sampled (the default, with no exporter):
    the read path pays for links only where a trace backend will show them.
    """
    if not span.is_recording():
        return
    seen: set[str] = set()
    linked = 0
    for text in traceparents:
        if text is None or text in seen:
            continue
        seen.add(text)
        # Past the cap each distinct one is only counted, never parsed.
        context = _span_context(text) if linked < limit else None
        if context is not None:
            span.add_link(context)
            linked += 1
    span.set_attribute("linkage.links.dropped", len(seen) - linked)


def _span_context(traceparent: str) -> trace.SpanContext | None:
    """The span a ``traceparent`` names, or None when it names none (all zeros, say)."""
    context = trace.get_current_span(extract({"traceparent": traceparent}))
    found = context.get_span_context()
    return found if found.is_valid else None
