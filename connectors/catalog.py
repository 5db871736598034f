"""The connectors this repository ships, by the name `hub connector run` takes. Each
class takes what it reads (a folder, a file, a URL) as its first argument."""

from __future__ import annotations

from pathlib import Path

from connectors.commerce_supplies import SuppliesInventoryConnector
from connectors.emergency_reports import IncidentReportConnector
from connectors.health_capacity import HospitalCapacityConnector
from connectors.housing_monitoring import SlopeMonitoringConnector
from connectors.meteorology_cap import CapFeedConnector, CapWarningConnector
from connectors.police_incidents import PoliceIncidentConnector
from connectors.road_closures import RoadClosureConnector
from hub.connect import Connector

SAMPLES = Path(__file__).resolve().parent / "samples"

CONNECTORS: dict[str, type[Connector]] = {
    cls.name: cls
    for cls in (
        CapWarningConnector,
        CapFeedConnector,
        IncidentReportConnector,
        PoliceIncidentConnector,
        RoadClosureConnector,
        HospitalCapacityConnector,
        SuppliesInventoryConnector,
        SlopeMonitoringConnector,
    )
}

#: What `hub dev` feeds each connector.
DEMO_SOURCES: dict[str, Path] = {
    "meteorology-cap": SAMPLES / "cap",
    "emergency-reports": SAMPLES / "incidents.csv",
    "health-capacity": SAMPLES / "hospital-capacity.csv",
    "commerce-supplies": SAMPLES / "supplies-inventory.xlsx",
    "housing-monitoring": SAMPLES / "slope-readings.csv",
}
