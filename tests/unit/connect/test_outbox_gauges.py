"""The outbox gauges show every connector open on a meter, and none that has stopped:
an instrument is made once, and a second connector's callbacks would otherwise be lost
(the SDK keeps the first registration's), or the first's outlive its closed outbox."""

from __future__ import annotations

from pathlib import Path

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader

from hub.connect.metrics import ConnectorMetrics
from hub.connect.outbox import Outbox


def gauges(reader: InMemoryMetricReader) -> dict[str, set[str]]:
    """Gauge name -> the connectors it reported."""
    data = reader.get_metrics_data()
    assert data is not None
    found: dict[str, set[str]] = {}
    for resource in data.resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                if metric.name in ("linkage.connector.outbox_depth", "linkage.connector.lag"):
                    found[metric.name] = {
                        str((point.attributes or {})["linkage.connector"])
                        for point in metric.data.data_points
                    }
    return found


def test_every_open_connector_is_shown_and_a_stopped_one_is_not(tmp_path: Path) -> None:
    reader = InMemoryMetricReader()
    meter = MeterProvider(metric_readers=[reader]).get_meter("test")
    first, second = Outbox(tmp_path / "a.db"), Outbox(tmp_path / "b.db")
    a = ConnectorMetrics("a", first, meter=meter)
    b = ConnectorMetrics("b", second, meter=meter)  # held, as its runtime holds it
    both = {"a", "b"}
    assert gauges(reader) == {
        "linkage.connector.outbox_depth": both,
        "linkage.connector.lag": both,
    }
    a.close()
    first.close()
    assert gauges(reader) == {
        "linkage.connector.outbox_depth": {"b"},
        "linkage.connector.lag": {"b"},
    }
    b.close()
    second.close()
