"""Parse an OASIS CAP 1.2 or 1.1 alert into the field names of the warning schema.

Real feeds are untidy: XML declarations in ISO-8859-1, several ``<info>`` blocks in
different languages, absent optional elements, XML signatures. The parser keeps every
CAP element the schema has, in CAP's own text form, and records the CAP version (from
the namespace) as ``cap_version`` so that a 1.1 alert renders back as 1.1.

Beyond the elements and values CAP requires, it checks what an index or a consumer
would otherwise trip over: every polygon and circle of every ``<area>`` (closed, 4 or
more points, latitudes -90..90, longitudes -180..180, radius 0 or more); every time is
a CAP date-time on a day that exists; ``expires`` is not before ``effective`` or
``sent``; each reference is ``sender,identifier,sent``. A refusal is a ``CapError``
whose path names the element, counting from 1 as XPath does
(``info[2]/area[1]/polygon[2]: not closed: ...``); ``document`` means the bytes as a
whole (too large, wrongly encoded, not XML, hostile: see :mod:`.safe_xml`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from xml.etree.ElementTree import Element

from connectors.meteorology_cap.areas import parse_circle, parse_polygon
from connectors.meteorology_cap.safe_xml import RefusedDocument, parse_document
from connectors.meteorology_cap.times import cap_datetime
from connectors.meteorology_cap.vocabulary import (
    CAP_VERSIONS,
    CATEGORY,
    CERTAINTY,
    MSG_TYPE,
    RESPONSE_TYPE,
    SCOPE,
    SEVERITY,
    STATUS,
    URGENCY,
)
from hub.connect import RecordRejected

#: The largest alert read, in bytes, checked before any parsing: the 881 kB national
#: warning with a 41,009-point outline fits, and so (its CAP text being what an event
#: keeps) does the event made of it.
MAX_ALERT_BYTES = 1024 * 1024


class CapError(RecordRejected, ValueError):
    """The document is not a CAP alert this connector can read: ``path`` names the
    element (``info[1]/expires``), the message says why. A ``RecordRejected``, so a
    dead letter's ``field`` header carries the path; a ``ValueError`` for callers that
    only know those."""


def parse_cap(data: bytes, *, max_bytes: int = MAX_ALERT_BYTES) -> dict[str, Any]:
    """The alert's fields, checked; ``CapError`` for anything that cannot be taken."""
    try:
        root = parse_document(data, max_bytes=max_bytes)
    except RefusedDocument as exc:
        raise CapError("document", str(exc)) from exc
    namespace, _, local = (
        root.tag[1:].partition("}") if root.tag.startswith("{") else ("", "", root.tag)
    )
    if local != "alert" or namespace not in CAP_VERSIONS:
        raise CapError("document", f"root element is {root.tag!r}, not a CAP 1.2 or 1.1 <alert>")
    return _Reader(namespace).alert(root, CAP_VERSIONS[namespace])


def _at(where: str, name: str) -> str:
    return f"{where}/{name}" if where else name


class _Reader:
    def __init__(self, namespace: str) -> None:
        self.ns = namespace

    def _q(self, name: str) -> str:
        return f"{{{self.ns}}}{name}"

    def text(self, parent: Element, name: str, where: str) -> str:
        value = self.optional(parent, name)
        if value is None:
            raise CapError(_at(where, name), "required element is missing or empty")
        return value

    def optional(self, parent: Element, name: str) -> str | None:
        child = parent.find(self._q(name))
        if child is None or child.text is None or not child.text.strip():
            return None
        return child.text.strip()

    def numbered(self, parent: Element, name: str) -> list[tuple[int, str]]:
        """Each non-empty ``name`` child's text with its position among them all."""
        found = []
        for position, child in enumerate(parent.findall(self._q(name)), 1):
            if child.text and child.text.strip():
                found.append((position, child.text.strip()))
        return found

    def all(self, parent: Element, name: str) -> list[str]:
        return [text for _, text in self.numbered(parent, name)]

    def choice(self, parent: Element, name: str, allowed: tuple[str, ...], where: str) -> str:
        value = self.text(parent, name, where)
        _allowed(value, allowed, _at(where, name))
        return value

    def choices(
        self, parent: Element, name: str, allowed: tuple[str, ...], where: str
    ) -> list[str]:
        found = self.numbered(parent, name)
        for position, value in found:
            _allowed(value, allowed, _at(where, f"{name}[{position}]"))
        return [value for _, value in found]

    def time(self, parent: Element, name: str, where: str) -> str | None:
        value = self.optional(parent, name)
        if value is not None:
            _when(value, _at(where, name))
        return value

    def pairs(self, parent: Element, name: str) -> list[dict[str, str]]:
        found = []
        for element in parent.findall(self._q(name)):
            key = self.optional(element, "valueName")
            if key is not None:
                found.append({"name": key, "value": self.optional(element, "value") or ""})
        return found

    def alert(self, root: Element, version: str) -> dict[str, Any]:
        identifier = self.text(root, "identifier", "")
        sender = self.text(root, "sender", "")
        sent = self.text(root, "sent", "")
        _when(sent, "sent")
        return {
            "identifier": identifier,
            "sender": sender,
            "sent": sent,
            "status": self.choice(root, "status", STATUS, ""),
            "msg_type": self.choice(root, "msgType", MSG_TYPE, ""),
            "source": self.optional(root, "source"),
            "scope": self.choice(root, "scope", SCOPE, ""),
            "restriction": self.optional(root, "restriction"),
            "addresses": self.optional(root, "addresses"),
            "codes": self.all(root, "code"),
            "note": self.optional(root, "note"),
            "references": self.references(root),
            "incidents": self.optional(root, "incidents"),
            "info": [
                self.info(el, f"info[{i}]", sent)
                for i, el in enumerate(root.findall(self._q("info")), 1)
            ],
            "cap_version": version,
        }

    def references(self, root: Element) -> list[str]:
        """Every referenced alert: CAP separates them by spaces, and forbids spaces and
        commas inside a sender or identifier, so each entry splits into exactly three."""
        text = self.optional(root, "references")
        entries = text.split() if text else []
        for position, entry in enumerate(entries, 1):
            parts = entry.split(",")
            if len(parts) != 3 or not all(parts):
                raise CapError(
                    "references", f"entry {position} {entry!r} is not sender,identifier,sent"
                )
        return entries

    def info(self, element: Element, where: str, sent: str) -> dict[str, Any]:
        categories = self.choices(element, "category", CATEGORY, where)
        if not categories:
            raise CapError(_at(where, "category"), "at least one is required")
        effective = self.time(element, "effective", where)
        expires = self.time(element, "expires", where)
        _not_before(expires, {"effective": effective, "sent": sent}, _at(where, "expires"))
        return {
            "language": self.optional(element, "language") or "en-US",
            "categories": categories,
            "event": self.text(element, "event", where),
            "response_types": self.choices(element, "responseType", RESPONSE_TYPE, where),
            "urgency": self.choice(element, "urgency", URGENCY, where),
            "severity": self.choice(element, "severity", SEVERITY, where),
            "certainty": self._certainty(element, where),
            "audience": self.optional(element, "audience"),
            "event_codes": self.pairs(element, "eventCode"),
            "effective": effective,
            "onset": self.time(element, "onset", where),
            "expires": expires,
            "sender_name": self.optional(element, "senderName"),
            "headline": self.optional(element, "headline"),
            "description": self.optional(element, "description"),
            "instruction": self.optional(element, "instruction"),
            "web": self.optional(element, "web"),
            "contact": self.optional(element, "contact"),
            "parameters": self.pairs(element, "parameter"),
            "resources": [
                self.resource(el, f"{where}/resource[{i}]")
                for i, el in enumerate(element.findall(self._q("resource")), 1)
            ],
            "areas": [
                self.area(el, f"{where}/area[{i}]")
                for i, el in enumerate(element.findall(self._q("area")), 1)
            ],
        }

    def _certainty(self, element: Element, where: str) -> str:
        value = self.text(element, "certainty", where)
        # CAP 1.0's "Very Likely" was replaced by "Likely"; old feeds still send it.
        value = "Likely" if value == "Very Likely" else value
        _allowed(value, CERTAINTY, _at(where, "certainty"))
        return value

    def resource(self, element: Element, where: str) -> dict[str, Any]:
        size = self.optional(element, "size")
        return {
            "resource_desc": self.text(element, "resourceDesc", where),
            "mime_type": self.optional(element, "mimeType") or "application/octet-stream",
            "size": _number(size, int, _at(where, "size")) if size else None,
            "uri": self.optional(element, "uri"),
            "deref_uri": self.optional(element, "derefUri"),
            "digest": self.optional(element, "digest"),
        }

    def area(self, element: Element, where: str) -> dict[str, Any]:
        polygons = self.numbered(element, "polygon")
        for position, text in polygons:
            _shape(parse_polygon, text, _at(where, f"polygon[{position}]"))
        circles = self.numbered(element, "circle")
        for position, text in circles:
            _shape(parse_circle, text, _at(where, f"circle[{position}]"))
        altitude = self.optional(element, "altitude")
        ceiling = self.optional(element, "ceiling")
        return {
            "area_desc": self.text(element, "areaDesc", where),
            "polygons": [text for _, text in polygons],
            "circles": [text for _, text in circles],
            "geocodes": self.pairs(element, "geocode"),
            "altitude": _number(altitude, float, _at(where, "altitude")) if altitude else None,
            "ceiling": _number(ceiling, float, _at(where, "ceiling")) if ceiling else None,
        }


def _allowed(value: str, allowed: tuple[str, ...], path: str) -> None:
    if value not in allowed:
        raise CapError(path, f"{value!r} is not one of {', '.join(allowed)}")


def _when(value: str, path: str) -> datetime:
    try:
        return cap_datetime(value)
    except ValueError as exc:
        raise CapError(path, str(exc)) from None


def _not_before(value: str | None, earlier: dict[str, str | None], path: str) -> None:
    """An alert cannot expire before it takes effect or before it was sent."""
    if value is None:
        return
    when = cap_datetime(value)
    for name, other in earlier.items():
        if other is not None and when < cap_datetime(other):
            raise CapError(path, f"{value} is before {name} {other}")


def _shape(parse: Callable[[str], object], text: str, path: str) -> None:
    try:
        parse(text)
    except ValueError as exc:
        raise CapError(path, str(exc)) from None


def _number(text: str, kind: type[int] | type[float], path: str) -> Any:
    try:
        return kind(text)
    except ValueError:
        raise CapError(path, f"{text!r} is not a number") from None
