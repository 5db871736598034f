"""The connectors this repository ships, by the name `hub connector run` takes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from connectors.emergency_reports import IncidentReportConnector
from connectors.meteorology_cap import CapWarningConnector
from hub.connect import Connector

SAMPLES = Path(__file__).resolve().parent / "samples"

CONNECTORS: dict[str, Callable[[Path], Connector]] = {
    "meteorology-cap": CapWarningConnector,
    "emergency-reports": IncidentReportConnector,
}

#: What `hub dev` feeds each connector.
DEMO_SOURCES: dict[str, Path] = {
    "meteorology-cap": SAMPLES / "cap",
    "emergency-reports": SAMPLES / "incidents.csv",
}
