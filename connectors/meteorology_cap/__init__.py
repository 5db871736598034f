"""Meteorological Bureau connectors: CAP 1.2 (and 1.1) alerts to ``meteorology.warning``,
from a folder of files or from an Atom or RSS feed."""

from connectors.meteorology_cap.connector import CapWarningConnector
from connectors.meteorology_cap.feed import CapFeedConnector
from connectors.meteorology_cap.render import to_cap

__all__ = ["CapFeedConnector", "CapWarningConnector", "to_cap"]
