"""A small typed client for integrators: tokens, history pages, timelines, the live feed,
publishing and acknowledgements, over httpx. It needs nothing else of the hub::

    from hub.client import HubClient

    with HubClient("http://127.0.0.1:8000", "health-dispatch", secret) as hub:
        for event in hub.iter_events("meteorology.warning", severity_at_least="II"):
            ...
        for message in hub.live("meteorology.warning"):
            ...
"""

from hub.client.api import HubClient, HubError, Page
from hub.client.sse import Message

__all__ = ["HubClient", "HubError", "Message", "Page"]
