"""Meteorological Bureau connector: CAP 1.2 warning files to ``meteorology.warning``."""

from connectors.meteorology_cap.connector import CapWarningConnector
from connectors.meteorology_cap.render import to_cap

__all__ = ["CapWarningConnector", "to_cap"]
