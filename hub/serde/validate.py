"""Check a record against its Avro schema, naming the field path of the first problem.

fastavro's own validator names the type (``linkage.common.Area.district_code``), not
where in the record the bad value sits; a department engineer needs
``envelope.area.district_code``. The schema is compiled once into nested closures,
so checking a record costs one call per value.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Callable, Mapping
from typing import Any, cast

from hub.errors import InvalidSchema, RecordRejected
from hub.serde.names import fullname, namespace_of

# A field path is built only when a check fails: on the hot path it is a chain of
# (parent, segment) tuples, cheaper than formatting a string for every field.
Path = tuple[Any, Any] | None
Check = Callable[[Any, Path], None]

INT_RANGE = (-(2**31), 2**31 - 1)
LONG_RANGE = (-(2**63), 2**63 - 1)


def compile_validator(schema: Any) -> Callable[[Any], None]:
    """Return ``check(record)`` raising :class:`RecordRejected` with the field path."""
    check = _Compiler().compile(schema, None)

    def validate(record: Any) -> None:
        check(record, None)

    return validate


def _describe(value: Any) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


class _Key(str):
    """A map key in a path, shown as ``['key']``."""


def _join(path: Path, segment: Any) -> Path:
    return (path, segment)


def render_path(path: Path) -> str:
    segments: list[Any] = []
    while path is not None:
        path, segment = path
        segments.append(segment)
    text = ""
    for segment in reversed(segments):
        if isinstance(segment, _Key):
            text += f"[{str(segment)!r}]"
        elif isinstance(segment, int):
            text += f"[{segment}]"
        else:
            text += f".{segment}" if text else segment
    return text


def _fail(path: Path, reason: str) -> RecordRejected:
    return RecordRejected(render_path(path), reason)


class _Compiler:
    def __init__(self) -> None:
        self._named: dict[str, Check] = {}

    def compile(self, schema: Any, namespace: str | None) -> Check:
        if isinstance(schema, str):
            return self._by_name(schema, namespace)
        if isinstance(schema, list):
            return self._union([self.compile(b, namespace) for b in schema], schema)
        if not isinstance(schema, dict):
            raise InvalidSchema(f"unexpected schema element {schema!r}")
        kind = schema.get("type")
        logical = schema.get("logicalType")
        if kind == "record" or kind == "error":
            return self._record(schema, namespace)
        if kind == "enum":
            return self._register(schema, namespace, _enum(schema["symbols"]))
        if kind == "fixed":
            return self._register(schema, namespace, _fixed(int(schema["size"])))
        if kind == "array":
            return _array(self.compile(schema["items"], namespace))
        if kind == "map":
            return _map(self.compile(schema["values"], namespace))
        if isinstance(kind, str) and logical:
            return _logical(kind, logical, _PRIMITIVE_CHECKS.get(kind))
        return self.compile(kind, namespace)

    def _by_name(self, name: str, namespace: str | None) -> Check:
        if name in _PRIMITIVE_CHECKS:
            return _PRIMITIVE_CHECKS[name]
        for candidate in (fullname(name, namespace), name):
            if candidate in self._named:
                named = self._named
                return lambda value, path: named[candidate](value, path)
        raise InvalidSchema(f"unknown type {name!r}")

    def _register(self, schema: dict[str, Any], namespace: str | None, check: Check) -> Check:
        name = schema["name"]
        self._named[fullname(name, schema.get("namespace", namespace))] = check
        return check

    def _record(self, schema: dict[str, Any], namespace: str | None) -> Check:
        name = schema["name"]
        full = fullname(name, schema.get("namespace", namespace))
        own_ns = namespace_of(full)
        fields: list[tuple[str, Check, bool]] = []
        known: set[str] = set()

        def check(value: Any, path: Path) -> None:
            # A dict is asked first: the Mapping check goes through the ABC machinery,
            # and this runs for every record of every event.
            if type(value) is not dict and not isinstance(value, Mapping):
                raise _fail(path, f"expected a record ({full}), got {_describe(value)}")
            for field_name, field_check, has_default in fields:
                if field_name in value:
                    field_check(value[field_name], (path, field_name))
                elif not has_default:
                    raise _fail(_join(path, field_name), "required field is missing")
            if not known.issuperset(value.keys()):
                extra = sorted(str(k) for k in value if k not in known)
                raise _fail(_join(path, extra[0]), f"field is not in schema {full}")

        # Register before compiling fields so that recursive types resolve.
        self._named[full] = check
        for field in schema.get("fields", []):
            fields.append((field["name"], self.compile(field["type"], own_ns), "default" in field))
            known.add(field["name"])
        return check

    def _union(self, branches: list[Check], schema: list[Any]) -> Check:
        names = [_branch_name(b) for b in schema]
        nullable = "null" in names
        # Null is decided up front, so a value is only tried against real alternatives
        # (trying "null" first would raise and discard an exception for every value).
        candidates = [b for b, n in zip(branches, names, strict=True) if n != "null"]

        def check(value: Any, path: Path) -> None:
            if value is None:
                if nullable:
                    return
                raise _fail(path, f"null is not allowed here; expected one of {', '.join(names)}")
            if len(candidates) == 1:
                # One real alternative: its reason is the useful one.
                candidates[0](value, path)
                return
            for branch in candidates:
                try:
                    branch(value, path)
                    return
                except RecordRejected:
                    continue
            raise _fail(path, f"{_describe(value)} matches none of {', '.join(names)}")

        return check


def _branch_name(schema: Any) -> str:
    if isinstance(schema, str):
        return schema
    if isinstance(schema, dict):
        return str(schema.get("name") or schema.get("logicalType") or schema.get("type"))
    return "union"


def _typed(kinds: tuple[type, ...], label: str, bounds: tuple[int, int] | None = None) -> Check:
    exact = kinds[0]

    def check(value: Any, path: Path) -> None:
        if type(value) is exact and bounds is None:
            return  # the common case, decided without the checks below
        if isinstance(value, bool) and bool not in kinds:
            raise _fail(path, f"expected {label}, got {_describe(value)}")
        if not isinstance(value, kinds):
            raise _fail(path, f"expected {label}, got {_describe(value)}")
        number = cast(int, value)
        if bounds is not None and not bounds[0] <= number <= bounds[1]:
            raise _fail(path, f"{value} is out of range for {label}")

    return check


def _null(value: Any, path: Path) -> None:
    if value is not None:
        raise _fail(path, f"expected null, got {_describe(value)}")


_PRIMITIVE_CHECKS: dict[str, Check] = {
    "null": _null,
    "boolean": _typed((bool,), "a boolean"),
    "int": _typed((int,), "an int", INT_RANGE),
    "long": _typed((int,), "a long", LONG_RANGE),
    "float": _typed((int, float), "a float"),
    "double": _typed((int, float), "a double"),
    "bytes": _typed((bytes, bytearray, memoryview), "bytes"),
    "string": _typed((str,), "a string"),
}


def _enum(symbols: list[str]) -> Check:
    allowed = frozenset(symbols)

    def check(value: Any, path: Path) -> None:
        if value not in allowed:
            raise _fail(path, f"{value!r} is not one of {', '.join(symbols)}")

    return check


def _fixed(size: int) -> Check:
    def check(value: Any, path: Path) -> None:
        if not isinstance(value, (bytes, bytearray)) or len(value) != size:
            raise _fail(path, f"expected {size} bytes, got {_describe(value)}")

    return check


def _array(items: Check) -> Check:
    def check(value: Any, path: Path) -> None:
        if not isinstance(value, (list, tuple)):
            raise _fail(path, f"expected an array, got {_describe(value)}")
        for index, item in enumerate(value):
            items(item, (path, index))

    return check


def _map(values: Check) -> Check:
    def check(value: Any, path: Path) -> None:
        if not isinstance(value, Mapping):
            raise _fail(path, f"expected a map, got {_describe(value)}")
        for key, item in value.items():
            if not isinstance(key, str):
                raise _fail(path, f"map keys must be strings, got {_describe(key)}")
            values(item, (path, _Key(key)))

    return check


def _logical(kind: str, logical: str, base: Check | None) -> Check:
    if base is None:
        raise InvalidSchema(f"logical type {logical} on unknown type {kind}")
    if logical in ("timestamp-millis", "timestamp-micros") and kind == "long":
        return _either(dt.datetime, base, f"a datetime or epoch {logical}", _aware)
    if logical == "date" and kind == "int":
        return _either(dt.date, base, "a date or days since epoch")
    if logical == "uuid" and kind == "string":
        return _uuid
    if logical == "decimal":
        return _either(decimal.Decimal, base, "a Decimal")
    return base  # unknown logical types are read as their base type (Avro spec)


def _aware(value: Any, path: Path) -> None:
    if value.tzinfo is None:
        raise _fail(path, "datetime has no timezone; give an aware datetime (UTC or offset)")


def _either(kind: type, base: Check, label: str, extra: Check | None = None) -> Check:
    def check(value: Any, path: Path) -> None:
        if isinstance(value, kind):
            if extra is not None:
                extra(value, path)
            return
        try:
            base(value, path)
        except RecordRejected:
            raise _fail(path, f"expected {label}, got {_describe(value)}") from None

    return check


def _uuid(value: Any, path: Path) -> None:
    if isinstance(value, uuid.UUID):
        return
    if not isinstance(value, str):
        raise _fail(path, f"expected a UUID string, got {_describe(value)}")
    try:
        uuid.UUID(value)
    except ValueError:
        raise _fail(path, f"{value!r} is not a UUID") from None
