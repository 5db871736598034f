"""Parse an OASIS CAP 1.2 (or 1.1) alert into the field names of the warning schema.

Real feeds are untidy: XML declarations in ISO-8859-1, several ``<info>`` blocks in
different languages, absent optional elements, XML signatures. The parser keeps every
CAP element the schema has, in CAP's own text form, and fails with a message that
names the element when a required one is missing or a value is not allowed.
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

CAP_NAMESPACES = (
    "urn:oasis:names:tc:emergency:cap:1.2",
    "urn:oasis:names:tc:emergency:cap:1.1",
)
# CAP 1.2 date-time: a numeric offset is required, no "Z", no fractions.
CAP_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")

STATUS = ("Actual", "Exercise", "System", "Test", "Draft")
MSG_TYPE = ("Alert", "Update", "Cancel", "Ack", "Error")
SCOPE = ("Public", "Restricted", "Private")
CATEGORY = (
    "Geo",
    "Met",
    "Safety",
    "Security",
    "Rescue",
    "Fire",
    "Health",
    "Env",
    "Transport",
    "Infra",
    "CBRNE",
    "Other",
)
RESPONSE_TYPE = (
    "Shelter",
    "Evacuate",
    "Prepare",
    "Execute",
    "Avoid",
    "Monitor",
    "Assess",
    "AllClear",
    "None",
)
URGENCY = ("Immediate", "Expected", "Future", "Past", "Unknown")
SEVERITY = ("Extreme", "Severe", "Moderate", "Minor", "Unknown")
CERTAINTY = ("Observed", "Likely", "Possible", "Unlikely", "Unknown")


class CapError(ValueError):
    """The document is not a CAP alert this connector can read; the message says why."""


def parse_cap(data: bytes) -> dict[str, Any]:
    try:
        root = ElementTree.fromstring(data)
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        raise CapError(f"not well-formed XML: {exc}") from exc
    namespace, _, local = (
        root.tag[1:].partition("}") if root.tag.startswith("{") else ("", "", root.tag)
    )
    if local != "alert" or namespace not in CAP_NAMESPACES:
        raise CapError(f"root element is {root.tag!r}, not a CAP 1.2 or 1.1 <alert>")
    return _Reader(namespace).alert(root)


class _Reader:
    def __init__(self, namespace: str) -> None:
        self.ns = namespace

    def _q(self, name: str) -> str:
        return f"{{{self.ns}}}{name}"

    def text(self, parent: Element, name: str, where: str) -> str:
        value = self.optional(parent, name)
        if value is None:
            raise CapError(f"{where}: required element <{name}> is missing or empty")
        return value

    def optional(self, parent: Element, name: str) -> str | None:
        child = parent.find(self._q(name))
        if child is None or child.text is None or not child.text.strip():
            return None
        return child.text.strip()

    def all(self, parent: Element, name: str) -> list[str]:
        return [c.text.strip() for c in parent.findall(self._q(name)) if c.text and c.text.strip()]

    def choice(self, parent: Element, name: str, allowed: tuple[str, ...], where: str) -> str:
        value = self.text(parent, name, where)
        if value not in allowed:
            raise CapError(f"{where}: <{name}> is {value!r}, not one of {', '.join(allowed)}")
        return value

    def time(self, parent: Element, name: str, where: str, *, required: bool = False) -> str | None:
        value = self.text(parent, name, where) if required else self.optional(parent, name)
        if value is not None and not CAP_DATETIME.match(value):
            raise CapError(
                f"{where}: <{name}> {value!r} is not a CAP date-time like 2015-12-20T11:40:00+08:00"
            )
        return value

    def pairs(self, parent: Element, name: str) -> list[dict[str, str]]:
        found = []
        for element in parent.findall(self._q(name)):
            key = self.optional(element, "valueName")
            if key is not None:
                found.append({"name": key, "value": self.optional(element, "value") or ""})
        return found

    def alert(self, root: Element) -> dict[str, Any]:
        where = "alert"
        references = self.optional(root, "references")
        return {
            "identifier": self.text(root, "identifier", where),
            "sender": self.text(root, "sender", where),
            "sent": self.time(root, "sent", where, required=True),
            "status": self.choice(root, "status", STATUS, where),
            "msg_type": self.choice(root, "msgType", MSG_TYPE, where),
            "source": self.optional(root, "source"),
            "scope": self.choice(root, "scope", SCOPE, where),
            "restriction": self.optional(root, "restriction"),
            "addresses": self.optional(root, "addresses"),
            "codes": self.all(root, "code"),
            "note": self.optional(root, "note"),
            "references": references.split() if references else [],
            "incidents": self.optional(root, "incidents"),
            "info": [
                self.info(el, f"info[{i}]") for i, el in enumerate(root.findall(self._q("info")))
            ],
        }

    def info(self, element: Element, where: str) -> dict[str, Any]:
        categories = self.all(element, "category")
        if not categories:
            raise CapError(f"{where}: at least one <category> is required")
        for category in categories:
            if category not in CATEGORY:
                raise CapError(
                    f"{where}: <category> {category!r} is not one of {', '.join(CATEGORY)}"
                )
        response_types = self.all(element, "responseType")
        for response in response_types:
            if response not in RESPONSE_TYPE:
                raise CapError(
                    f"{where}: <responseType> {response!r} is not one of {', '.join(RESPONSE_TYPE)}"
                )
        return {
            "language": self.optional(element, "language") or "en-US",
            "categories": categories,
            "event": self.text(element, "event", where),
            "response_types": response_types,
            "urgency": self.choice(element, "urgency", URGENCY, where),
            "severity": self.choice(element, "severity", SEVERITY, where),
            "certainty": self._certainty(element, where),
            "audience": self.optional(element, "audience"),
            "event_codes": self.pairs(element, "eventCode"),
            "effective": self.time(element, "effective", where),
            "onset": self.time(element, "onset", where),
            "expires": self.time(element, "expires", where),
            "sender_name": self.optional(element, "senderName"),
            "headline": self.optional(element, "headline"),
            "description": self.optional(element, "description"),
            "instruction": self.optional(element, "instruction"),
            "web": self.optional(element, "web"),
            "contact": self.optional(element, "contact"),
            "parameters": self.pairs(element, "parameter"),
            "resources": [
                self.resource(el, f"{where}.resource[{i}]")
                for i, el in enumerate(element.findall(self._q("resource")))
            ],
            "areas": [
                self.area(el, f"{where}.area[{i}]")
                for i, el in enumerate(element.findall(self._q("area")))
            ],
        }

    def _certainty(self, element: Element, where: str) -> str:
        value = self.text(element, "certainty", where)
        # CAP 1.0's "Very Likely" was replaced by "Likely"; old feeds still send it.
        value = "Likely" if value == "Very Likely" else value
        if value not in CERTAINTY:
            raise CapError(f"{where}: <certainty> {value!r} is not one of {', '.join(CERTAINTY)}")
        return value

    def resource(self, element: Element, where: str) -> dict[str, Any]:
        size = self.optional(element, "size")
        return {
            "resource_desc": self.text(element, "resourceDesc", where),
            "mime_type": self.optional(element, "mimeType") or "application/octet-stream",
            "size": _number(size, int, f"{where}: <size>") if size else None,
            "uri": self.optional(element, "uri"),
            "deref_uri": self.optional(element, "derefUri"),
            "digest": self.optional(element, "digest"),
        }

    def area(self, element: Element, where: str) -> dict[str, Any]:
        altitude = self.optional(element, "altitude")
        ceiling = self.optional(element, "ceiling")
        return {
            "area_desc": self.text(element, "areaDesc", where),
            "polygons": self.all(element, "polygon"),
            "circles": self.all(element, "circle"),
            "geocodes": self.pairs(element, "geocode"),
            "altitude": _number(altitude, float, f"{where}: <altitude>") if altitude else None,
            "ceiling": _number(ceiling, float, f"{where}: <ceiling>") if ceiling else None,
        }


def _number(text: str, kind: type[int] | type[float], where: str) -> Any:
    try:
        return kind(text)
    except ValueError:
        raise CapError(f"{where} {text!r} is not a number") from None
