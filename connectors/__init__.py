"""The departments' connectors, each a small package built on ``hub.connect``."""
