"""The connectors this repository ships, by the name `hub connector run` takes. Each
class takes what it reads (a folder, a file, a URL) as its first argument."""

from __future__ import annotations

from pathlib import Path

from connectors.commerce_supplies import SuppliesInventoryConnector
from connectors.emergency_reports import IncidentReportConnector
from connectors.emergency_webhook import EmergencyWebhookConnector
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
        EmergencyWebhookConnector,
        PoliceIncidentConnector,
        RoadClosureConnector,
        HospitalCapacityConnector,
        SuppliesInventoryConnector,
        SlopeMonitoringConnector,
    )
}

#: What `hub dev` feeds each connector: a file or folder of samples, or a URL on the
#: samples server it starts for the demo (``{samples}``), or the SQLite database it
#: seeds from ``police_incidents.sql`` (``{police_db}``).
DEMO_SOURCES: dict[str, str] = {
    "meteorology-cap": str(SAMPLES / "cap"),
    "meteorology-cap-feed": "{samples}/cap-feed/index.atom",
    "emergency-reports": str(SAMPLES / "incidents.csv"),
    "health-capacity": str(SAMPLES / "hospital-capacity.csv"),
    "commerce-supplies": str(SAMPLES / "supplies-inventory.xlsx"),
    "housing-monitoring": str(SAMPLES / "slope-readings.csv"),
    "police-incidents": "{police_db}",
    "road-closures": "{samples}/road_closures.json",
}
