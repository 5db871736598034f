"""Meteorological Bureau connector: CAP 1.2 warning files to ``meteorology.warning``."""

from connectors.meteorology_cap.connector import CapWarningConnector

__all__ = ["CapWarningConnector"]
