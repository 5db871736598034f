"""An event as JSON (what a page serves, what an integrator posts) back to the values
Avro writes: times from RFC 3339 text, dates from ISO dates, bytes from base64, decimals
from text. Everything else passes as it is, for the validator to judge and name.

The conversion follows the writer schema, so a string is parsed as a time only where
the schema has a ``timestamp-millis``; a value that cannot be converted is left alone
and the validator's error names its field.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import decimal
from collections.abc import Callable, Mapping
from typing import Any

from hub.serde.fields import with_fields
from hub.serde.names import NAMED, PRIMITIVES, fullname

Convert = Callable[[Any], Any]


def _same(value: Any) -> Any:
    return value


def json_converter(schema: Any) -> Convert:
    """A function from a JSON event to one ``AvroSerializer`` accepts, for ``schema``."""
    named: dict[str, Any] = {}
    return _Compiler(named).compile(schema, None)


class _Compiler:
    """Values that need no conversion (most of an event) cost nothing: a field, a union
    or a whole record whose parts are all passed as they are is itself ``_same``."""

    def __init__(self, named: dict[str, Any]) -> None:
        self._named = named
        #: Converters of named types, filled in as they are compiled (records may recur).
        self._done: dict[str, Convert] = {}
        self._open: set[str] = set()

    def compile(self, schema: Any, namespace: str | None) -> Convert:
        if isinstance(schema, str):
            if schema in PRIMITIVES:
                return _bytes if schema == "bytes" else _same
            name = fullname(schema, namespace)
            if name in self._done and name not in self._open:
                return self._done[name]
            return lambda value: self._done.get(name, _same)(value)
        if isinstance(schema, list):
            return self._union([self.compile(s, namespace) for s in schema])
        kind = schema.get("type")
        if kind in NAMED:
            name = fullname(schema["name"], schema.get("namespace") or namespace)
            inner = schema.get("namespace") or name.rpartition(".")[0] or namespace
            if kind in ("record", "error"):
                self._done[name] = _same
                self._open.add(name)
                fields = [
                    (f["name"], self.compile(f["type"], inner)) for f in schema.get("fields", [])
                ]
                self._open.discard(name)
                self._done[name] = _record(fields)
            elif kind == "fixed":
                self._done[name] = _bytes
            return self._done.get(name, _same)
        if kind == "array":
            items = self.compile(schema["items"], namespace)
            if items is _same:
                return _same
            return lambda value: [items(v) for v in value] if isinstance(value, list) else value
        if kind == "map":
            values = self.compile(schema["values"], namespace)
            if values is _same:
                return _same
            return lambda value: (
                {k: values(v) for k, v in value.items()} if isinstance(value, Mapping) else value
            )
        logical = schema.get("logicalType")
        if logical in ("timestamp-millis", "timestamp-micros"):
            return _timestamp
        if logical == "date":
            return _date
        if logical == "decimal":
            return _decimal
        return self.compile(kind, namespace) if isinstance(kind, str) else _same

    @staticmethod
    def _union(branches: list[Convert]) -> Convert:
        converting = [b for b in branches if b is not _same]
        if not converting:
            return _same

        def convert(value: Any) -> Any:
            if value is None:
                return None
            for branch in converting:
                converted = branch(value)
                if converted is not value:
                    return converted
            return value

        return convert


def _record(fields: list[tuple[str, Convert]]) -> Convert:
    converting = [(name, field) for name, field in fields if field is not _same]
    if not converting:
        return _same

    return with_fields(converting)


def _timestamp(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    return value


def _date(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _decimal(value: Any) -> Any:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        try:
            return decimal.Decimal(str(value))
        except decimal.InvalidOperation:
            return value
    return value


def _bytes(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            return value
    return value
