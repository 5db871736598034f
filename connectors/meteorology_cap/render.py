"""Render a ``meteorology.warning`` event back into the OASIS CAP alert it came from.

The warning schema keeps every CAP element in CAP's own text form, so the way back is
exact: parsing the rendered XML gives the same fields as parsing the original. The
version is the event's ``cap_version``: a CAP 1.1 alert comes back in the 1.1
namespace, since its elements and values are 1.1's; an event without one (written
before the version was recorded) comes back as 1.2. What is not kept is what the
schema has no place for: XML signatures and foreign elements.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from connectors.meteorology_cap.vocabulary import NAMESPACE_BY_VERSION


def to_cap(warning: Mapping[str, Any]) -> bytes:
    """CAP XML (UTF-8, with declaration) for one warning event, in its CAP version."""
    version = warning.get("cap_version") or "1.2"
    if version not in NAMESPACE_BY_VERSION:
        raise ValueError(f"cap_version {version!r} is not one of {', '.join(NAMESPACE_BY_VERSION)}")
    alert = Element("alert", {"xmlns": NAMESPACE_BY_VERSION[version]})
    _text(alert, "identifier", warning["identifier"])
    _text(alert, "sender", warning["sender"])
    _text(alert, "sent", warning["sent"])
    _text(alert, "status", warning["status"])
    _text(alert, "msgType", warning["msg_type"])
    _text(alert, "source", warning.get("source"))
    _text(alert, "scope", warning["scope"])
    _text(alert, "restriction", warning.get("restriction"))
    _text(alert, "addresses", warning.get("addresses"))
    _many(alert, "code", warning.get("codes", []))
    _text(alert, "note", warning.get("note"))
    references = warning.get("references") or []
    _text(alert, "references", " ".join(references) if references else None)
    _text(alert, "incidents", warning.get("incidents"))
    for info in warning.get("info", []):
        _info(SubElement(alert, "info"), info)
    rendered: bytes = tostring(alert, encoding="utf-8", xml_declaration=True)
    return rendered


def _info(element: Element, info: Mapping[str, Any]) -> None:
    _text(element, "language", info.get("language"))
    _many(element, "category", info["categories"])
    _text(element, "event", info["event"])
    _many(element, "responseType", info.get("response_types", []))
    _text(element, "urgency", info["urgency"])
    _text(element, "severity", info["severity"])
    _text(element, "certainty", info["certainty"])
    _text(element, "audience", info.get("audience"))
    _pairs(element, "eventCode", info.get("event_codes", []))
    for name in ("effective", "onset", "expires"):
        _text(element, name, info.get(name))
    _text(element, "senderName", info.get("sender_name"))
    for name in ("headline", "description", "instruction", "web", "contact"):
        _text(element, name, info.get(name))
    _pairs(element, "parameter", info.get("parameters", []))
    for resource in info.get("resources", []):
        node = SubElement(element, "resource")
        _text(node, "resourceDesc", resource["resource_desc"])
        _text(node, "mimeType", resource["mime_type"])
        _text(node, "size", resource.get("size"))
        _text(node, "uri", resource.get("uri"))
        _text(node, "derefUri", resource.get("deref_uri"))
        _text(node, "digest", resource.get("digest"))
    for area in info.get("areas", []):
        node = SubElement(element, "area")
        _text(node, "areaDesc", area["area_desc"])
        _many(node, "polygon", area.get("polygons", []))
        _many(node, "circle", area.get("circles", []))
        _pairs(node, "geocode", area.get("geocodes", []))
        _text(node, "altitude", _number(area.get("altitude")))
        _text(node, "ceiling", _number(area.get("ceiling")))


def _text(parent: Element, name: str, value: object) -> None:
    if value is not None and value != "":
        SubElement(parent, name).text = str(value)


def _many(parent: Element, name: str, values: Iterable[object]) -> None:
    for value in values:
        _text(parent, name, value)


def _pairs(parent: Element, name: str, pairs: Iterable[Mapping[str, str]]) -> None:
    for pair in pairs:
        node = SubElement(parent, name)
        _text(node, "valueName", pair["name"])
        SubElement(node, "value").text = pair["value"]


def _number(value: float | None) -> str | None:
    """CAP decimals: 1200.0 is written 1200, as feeds write it."""
    if value is None:
        return None
    return str(int(value)) if float(value).is_integer() else str(value)
