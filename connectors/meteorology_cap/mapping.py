"""Map a parsed CAP alert to ``meteorology.warning`` events: envelope, signal, CAP fields.

What each CAP status becomes:

- ``Actual``: a warning.
- ``Exercise`` and ``Test``: carried like any warning, with ``envelope.exercise`` true,
  so that coordination reports and assessments never count them as real.
- ``System``: no event. These are the alerting network's own messages (the heartbeats
  some networks send every minute); they warn of nothing, and dead-lettering each one
  would bury the rejections that matter.
- ``Draft``: refused, so it is dead-lettered with the reason: a draft is not an issued
  alert, and one in a live feed is a mistake a person should see.

CAP 1.1 alerts are carried, with ``cap_version`` "1.1" (from their namespace), and
render back as 1.1. An update or cancellation keeps ``references`` as CAP writes them
and adds ``referenced_event_ids``: the event id of every alert it references, made the
same way as its own, so a consumer finds the events it replaces without parsing CAP.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from connectors.meteorology_cap.areas import envelope_area
from connectors.meteorology_cap.parser import CapError
from connectors.meteorology_cap.signals import LEVEL_BY_CAP_SEVERITY, LEVEL_BY_COLOR, find_signal

# Stable ids: the same alert read twice is the same event (consumers dedupe on it).
CAP_NAMESPACE = uuid.UUID("5d1c9a4e-4a0b-5c59-9a3e-6c1b7f0f2a11")

CATEGORY_BY_CAP = {
    "Geo": "NATURAL_DISASTER",
    "Met": "NATURAL_DISASTER",
    "Env": "NATURAL_DISASTER",
    "Health": "PUBLIC_HEALTH",
    "Security": "SOCIAL_SECURITY",
}
SENSITIVITY_BY_SCOPE = {"Public": "PUBLIC", "Restricted": "INTERNAL", "Private": "RESTRICTED"}
NOT_ISSUED = {
    "System": "a System message is the alerting network's own and warns of nothing",
    "Draft": "a Draft is not an issued alert",
}


def warnings_of(alert: dict[str, Any]) -> list[dict[str, Any]]:
    """The alert's events: none for a System message, else its one warning."""
    return [] if alert["status"] == "System" else [to_warning(alert)]


def to_warning(alert: dict[str, Any]) -> dict[str, Any]:
    """The warning event for one alert; ``CapError`` for a status that makes none."""
    if alert["status"] in NOT_ISSUED:
        raise CapError("status", f"{alert['status']}: {NOT_ISSUED[alert['status']]}")
    info = alert["info"][0] if alert["info"] else None
    signal = find_signal(alert["info"])
    return {
        "envelope": _envelope(alert, info, signal),
        "signal": signal,
        **alert,
        "referenced_event_ids": [
            event_id(*reference.split(",")[:2]) for reference in alert["references"]
        ],
    }


def event_id(sender: str, identifier: str) -> str:
    """The event id of the alert ``identifier`` from ``sender``, which CAP makes unique."""
    return str(uuid.uuid5(CAP_NAMESPACE, f"{sender}|{identifier}"))


def cap_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _envelope(
    alert: dict[str, Any], info: dict[str, Any] | None, signal: dict[str, Any] | None
) -> dict[str, Any]:
    # When the warning took effect: onset may lie hours ahead for a forecast.
    occurred = (info and info["effective"]) or alert["sent"]
    return {
        "event_id": event_id(alert["sender"], alert["identifier"]),
        "occurred_at": cap_time(occurred),
        "incident_id": alert["incidents"],
        "classification": _classification(info, signal),
        # A cancellation grades nothing: the level it names has ended.
        "severity": None if alert["msg_type"] == "Cancel" else _level(info, signal),
        "area": envelope_area(alert["info"]),
        "sensitivity": SENSITIVITY_BY_SCOPE[alert["scope"]],
        "exercise": alert["status"] != "Actual",
    }


def _classification(info: dict[str, Any] | None, signal: dict[str, Any] | None) -> dict[str, Any]:
    categories = info["categories"] if info else []
    category = next((CATEGORY_BY_CAP[c] for c in categories if c in CATEGORY_BY_CAP), None)
    if category is None:
        category = (
            "ACCIDENT_DISASTER" if categories and categories[0] != "Other" else "NATURAL_DISASTER"
        )
    return {
        "category": category,
        "code": signal["code"] if signal else None,
        "label": info["event"] if info else None,
    }


def _level(info: dict[str, Any] | None, signal: dict[str, Any] | None) -> str | None:
    if signal and signal["color"]:
        return LEVEL_BY_COLOR[signal["color"]]
    return LEVEL_BY_CAP_SEVERITY.get(info["severity"]) if info else None
