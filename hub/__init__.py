"""Linkage: the inter-departmental data-sharing hub for city emergency management."""

__version__ = "0.1.0"
