"""An acknowledgement of a warning as an OASIS CAP 1.2 alert with ``msgType`` Ack.

CAP acknowledges a message with a message: ``references`` names the original as
``sender,identifier,sent`` (the warning event keeps those three in CAP's own text, so
the reference is exact), ``note`` carries the agency's status and words, and the scope is
restricted to the agencies taking part. The identifier and sender are the hub's, per
acknowledgement, so each one is a CAP message of its own that can be forwarded as is.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from hub.coordination.acks import Ack

CAP12 = "urn:oasis:names:tc:emergency:cap:1.2"
#: CAP wants times with an explicit offset and no fractions; the city keeps UTC+8.
CITY_TIME = timezone(timedelta(hours=8))


def is_cap_warning(event: Mapping[str, Any]) -> bool:
    return all(isinstance(event.get(k), str) for k in ("identifier", "sender", "sent"))


def cap_ack(ack: Ack, warning: Mapping[str, Any], *, sender_domain: str) -> bytes:
    alert = Element("alert", {"xmlns": CAP12})
    sent = datetime.fromtimestamp(ack.at_ms / 1000, CITY_TIME).replace(microsecond=0)
    for name, value in (
        ("identifier", f"linkage-ack-{ack.id}"),
        ("sender", f"{ack.agency}@{sender_domain}"),
        ("sent", sent.isoformat()),
        ("status", "Actual"),
        ("msgType", "Ack"),
        ("scope", "Restricted"),
        ("restriction", "agencies coordinating the response through Linkage"),
        ("note", f"{ack.status}: {ack.note}" if ack.note else ack.status),
        ("references", f"{warning['sender']},{warning['identifier']},{warning['sent']}"),
    ):
        SubElement(alert, name).text = value
    rendered: bytes = tostring(alert, encoding="utf-8", xml_declaration=True)
    return rendered
