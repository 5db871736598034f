"""Emergency Management Bureau connector: incident reports to ``emergency.incident-report``."""

from connectors.emergency_reports.connector import IncidentReportConnector

__all__ = ["IncidentReportConnector"]
