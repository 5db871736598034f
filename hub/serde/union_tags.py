"""Union branches named up front for fastavro.

fastavro chooses the branch of a union that holds a record by validating the value
against each branch, so every nullable record (an event's area, its point) is checked
a second time after the hub's own validator passed it. Naming the branch in fastavro's
tuple notation, ``(record name, value)``, skips that check; the bytes are the same.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from hub.serde.fields import with_fields

Tag = Callable[[Any], Any]

_RECORDS = ("record", "error")


def union_tagger(parsed: Any) -> Tag | None:
    """``tag(record)`` for a schema as ``fastavro.parse_schema`` returns it: a copy in
    which the value of each ``["null", some record]`` union is named, copying only the
    containers on the way; ``None`` when the schema has no such union."""
    return _Compiler().compile(parsed)


class _Compiler:
    def __init__(self) -> None:
        #: Records by full name: parsed schemas spell a record out once, then by name.
        self._records: dict[str, Any] = {}
        self._tags: dict[str, Tag | None] = {}

    def compile(self, schema: Any) -> Tag | None:
        if isinstance(schema, str):
            return self._named(schema)
        if isinstance(schema, list):
            return self._union(schema)
        kind = schema.get("type")
        if kind in _RECORDS:
            return self._record(schema)
        if kind == "array":
            items = self.compile(schema["items"])
            return None if items is None else _each(items)
        if kind == "map":
            values = self.compile(schema["values"])
            return None if values is None else _each_value(values)
        if isinstance(kind, (dict, list)):
            return self.compile(kind)
        return None

    def _named(self, name: str) -> Tag | None:
        if name not in self._tags:
            return None  # a primitive, an enum or a fixed: nothing inside to name
        tag = self._tags[name]
        if tag is _PENDING:
            # A record that contains itself: look its tag up when a value arrives.
            tags = self._tags
            return lambda value: (tags[name] or _same)(value)
        return tag

    def _record(self, schema: Mapping[str, Any]) -> Tag | None:
        name = schema["name"]
        self._records[name] = schema
        self._tags[name] = _PENDING
        fields = [(f["name"], self.compile(f["type"])) for f in schema.get("fields", [])]
        tagged = [(field, tag) for field, tag in fields if tag is not None]
        self._tags[name] = with_fields(tagged) if tagged else None
        return self._tags[name]

    def _union(self, branches: list[Any]) -> Tag | None:
        real = [b for b in branches if b != "null"]
        if len(real) != 1:
            return None  # fastavro tells several alternatives apart itself
        (branch,) = real
        name = branch if isinstance(branch, str) else branch.get("name")
        inner = self.compile(branch)
        is_record = isinstance(branch, dict) and branch.get("type") in _RECORDS
        if not (is_record or name in self._records):
            return inner
        return _named_branch(name, inner or _same)


def _same(value: Any) -> Any:
    return value


def _pending(value: Any) -> Any:
    raise AssertionError("a record's tag was used before it was compiled")


_PENDING: Tag = _pending


def _named_branch(name: str, inner: Tag) -> Tag:
    def tag(value: Any) -> Any:
        if value is None or (type(value) is not dict and not isinstance(value, Mapping)):
            return value
        return (name, inner(value))

    return tag


def _each(items: Tag) -> Tag:
    return lambda value: [items(v) for v in value] if isinstance(value, list) else value


def _each_value(values: Tag) -> Tag:
    return lambda value: (
        {k: values(v) for k, v in value.items()} if isinstance(value, Mapping) else value
    )
