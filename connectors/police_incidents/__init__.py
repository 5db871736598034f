"""Public Security Bureau connector: the 110 command system's incident table to
``public-security.police-incident``."""

from connectors.police_incidents.columns import SourceTableMismatch
from connectors.police_incidents.connector import PoliceIncidentConnector
from connectors.police_incidents.sample import SAMPLE_SQL, seed_sqlite

__all__ = ["SAMPLE_SQL", "PoliceIncidentConnector", "SourceTableMismatch", "seed_sqlite"]
