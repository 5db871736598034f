"""OpenTelemetry set-up: one tracer provider per process, exporter chosen by setting.

Trace context crosses Kafka in a W3C ``traceparent`` record header written by the
connector SDK; linking the gateway's read spans to those publish traces is future work.
"""

from __future__ import annotations

from opentelemetry import metrics, trace
from opentelemetry.propagate import inject
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
)
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ALWAYS_ON, ParentBased

from hub.config import TelemetrySettings

_configured = False


def configure(settings: TelemetrySettings) -> None:
    """Install the global tracer provider once; later calls keep the first set-up.

    With no exporter nothing is sampled, so spans cost next to nothing; they still get
    real trace ids, which reach audit rows and Kafka ``traceparent`` headers.
    """
    global _configured
    if _configured:
        return
    sampler = ALWAYS_OFF if settings.exporter == "none" else ParentBased(ALWAYS_ON)
    provider = TracerProvider(
        resource=Resource.create({"service.name": settings.service_name}), sampler=sampler
    )
    if settings.exporter == "console":
        provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
    elif settings.exporter == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        endpoint = settings.otlp_endpoint
        exporter = OTLPSpanExporter(endpoint=endpoint) if endpoint else OTLPSpanExporter()
        provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    _configure_metrics(settings)
    _configured = True


def _configure_metrics(settings: TelemetrySettings) -> None:
    """Metrics (the connectors' counts and outbox depth) go where the spans go."""
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import (
        ConsoleMetricExporter,
        MetricExporter,
        PeriodicExportingMetricReader,
    )

    exporter: MetricExporter
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
    else:
        return
    resource = Resource.create({"service.name": settings.service_name})
    reader = PeriodicExportingMetricReader(exporter, export_interval_millis=60_000)
    metrics.set_meter_provider(MeterProvider(resource=resource, metric_readers=[reader]))


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
