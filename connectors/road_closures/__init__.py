"""Transportation Bureau connector: the traffic operations centre's road-closure feed
(JSON over HTTP) to ``transportation.road-closure``."""

from connectors.road_closures.connector import RoadClosureConnector
from connectors.road_closures.feed import MAX_BODY_BYTES, FeedUnavailable

__all__ = ["MAX_BODY_BYTES", "FeedUnavailable", "RoadClosureConnector"]
