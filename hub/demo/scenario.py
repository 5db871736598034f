"""The short demo scenario `hub dev` plays once the gateway is up, through the hub's own
client over real HTTP, so the console has something to show: Health reads the incident
reports and the weather warnings and acknowledges them, the Emergency Management Bureau
acts on a warning, and Commerce is refused the incident reports (no emergency is
declared). Every step is an audited request like any integrator's."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping

import httpx

from hub.client import HubClient, HubError

REPORTS = "emergency.incident-report"
WARNINGS = "meteorology.warning"


def wait_until_up(base_url: str, timeout_s: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    return False


def play(base_url: str, secrets: Mapping[str, tuple[str, str]]) -> list[str]:
    """The lines to print; ``secrets`` maps each demo agency to its client id and secret."""
    # One line per request would bury what the scenario shows; the gateway logs them anyway.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    lines = []
    with HubClient(base_url, *secrets["health"]) as health:
        reports = list(health.iter_events(REPORTS, purpose="response"))
        warnings = list(health.iter_events(WARNINGS))
        for i, element in enumerate(reports):
            event_id = element["event"]["envelope"]["event_id"]
            health.ack(event_id, "received", purpose="response")
            if i == 0:
                health.ack(event_id, "acting", "two ambulance teams sent", purpose="response")
        if warnings:
            health.ack(warnings[0]["event"]["envelope"]["event_id"], "received")
        lines.append(
            f"health read {len(reports)} incident reports and {len(warnings)} warnings, "
            f"and acknowledged {len(reports) + (1 if warnings else 0)}"
        )
    with HubClient(base_url, *secrets["emergency"]) as emergency:
        latest = list(emergency.iter_events(WARNINGS))
        if latest:
            emergency.ack(latest[-1]["event"]["envelope"]["event_id"], "acting")
            lines.append("emergency is acting on the latest warning")
    with HubClient(base_url, *secrets["commerce"]) as commerce:
        try:
            commerce.events(REPORTS)
        except HubError as refused:
            lines.append(f"commerce was refused the incident reports ({refused.status})")
    return lines
