"""A grant compiled against one schema: one pass that filters a record and masks it.

The decision is made once per request; the plan it needs is compiled once per (grant,
schema id) and cached. Compiling walks the writer schema, decides each field's mask
(:func:`hub.policy.masking.mask_for`) and keeps only the paths that lead to a masked
field, so a record is copied where it changes and left alone elsewhere. Masks reach
into nested records, arrays, maps and unions; a union of several records is told
apart at run time by the record's field names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from hub.policy.filters import RowCheck, row_check
from hub.policy.masking import DROP, FieldInfo, Masker, mask_for, masker
from hub.policy.model import Policy
from hub.policy.rules import Grant
from hub.serde.names import PRIMITIVES, fullname, namespace_of

Transform = Callable[[Any, Mapping[str, Any]], Any]
"""``transform(value, record) -> value``; ``record`` is the whole event (for coarsening)."""


@dataclass(frozen=True, slots=True)
class ReadPlan:
    """What one reader sees of records written with one schema."""

    grant_id: str | None
    #: ``path:method`` of each field the plan masks, for the audit row.
    masked: tuple[str, ...]
    transform: Transform | None
    keep: RowCheck | None

    def apply(self, record: dict[str, Any], also: RowCheck | None = None) -> dict[str, Any] | None:
        """The record as this reader may see it, or None if it may not see it at all."""
        if self.keep is not None and not self.keep(record):
            return None
        if also is not None and not also(record):
            return None
        if self.transform is None:
            return record
        masked: dict[str, Any] = self.transform(record, record)
        return masked


#: The owner's view: everything, unfiltered.
OWNER_PLAN = ReadPlan(None, (), None, None)


def compile_plan(
    schema: Any, grant: Grant, *, policy: Policy, hash_key: bytes | None = None
) -> ReadPlan:
    """Compile ``grant`` for records of ``schema`` (the writer's schema, written out)."""
    compiler = _Compiler(grant, policy, hash_key)
    transform = compiler.type_(schema, None, "")
    return ReadPlan(grant.id, tuple(compiler.masked), transform, row_check(grant.filter))


class _Lazy:
    """A recursive record refers to its own transform before it is finished."""

    def __init__(self) -> None:
        self.target: Transform | None = None

    def __call__(self, value: Any, record: Mapping[str, Any]) -> Any:
        return self.target(value, record) if self.target is not None else value


class _Compiler:
    def __init__(self, grant: Grant, policy: Policy, key: bytes | None) -> None:
        self._grant = grant
        self._policy = policy
        self._key = key
        self._named: dict[str, Any] = {}
        self._open: dict[str, _Lazy] = {}
        self.masked: list[str] = []

    def type_(self, schema: Any, namespace: str | None, path: str) -> Transform | None:
        """What to do to a value of ``schema`` found at ``path`` (None: leave it)."""
        if isinstance(schema, str):
            if schema in PRIMITIVES:
                return None
            name = fullname(schema, namespace)
            if name in self._open:
                return self._open[name]
            defined = self._named.get(name) or self._named.get(schema)
            return self.type_(defined, namespace_of(name), path) if defined is not None else None
        if isinstance(schema, list):
            return self._union(schema, namespace, path)
        if not isinstance(schema, dict):
            return None
        kind = schema.get("type")
        if kind in ("record", "error"):
            return self._record(schema, namespace, path)
        if kind in ("enum", "fixed"):
            self._named[fullname(schema["name"], schema.get("namespace", namespace))] = schema
            return None
        if kind == "array":
            return _each(self.type_(schema.get("items"), namespace, f"{path}[]"))
        if kind == "map":
            return _each_value(self.type_(schema.get("values"), namespace, f"{path}{{}}"))
        if isinstance(kind, (dict, list)) or (isinstance(kind, str) and kind not in PRIMITIVES):
            return self.type_(kind, namespace, path)
        return None

    def _record(self, schema: dict[str, Any], namespace: str | None, path: str) -> Transform | None:
        name = fullname(schema["name"], schema.get("namespace", namespace))
        self._named[name] = schema
        own_namespace = namespace_of(name)
        lazy = self._open[name] = _Lazy()
        steps: list[tuple[str, Masker | None, Transform | None]] = []
        for field in schema.get("fields", []):
            field_path = f"{path}.{field['name']}" if path else field["name"]
            info = _info(field, field_path, self._named, own_namespace)
            mask = mask_for(self._grant, info)
            if mask is not None:
                fn = masker(mask, info, policy=self._policy, key=self._key)
                steps.append((field["name"], fn, None))
                self.masked.append(f"{field_path}:{mask.method}")
                # Named types inside a masked field must still be known further on.
                self._learn(field["type"], own_namespace)
                continue
            nested = self.type_(field["type"], own_namespace, field_path)
            if nested is not None:
                steps.append((field["name"], None, nested))
        del self._open[name]
        transform = _record_transform(steps) if steps else None
        lazy.target = transform
        return transform

    def _union(self, branches: list[Any], namespace: str | None, path: str) -> Transform | None:
        # fastavro decodes a union's value without naming its branch: a record is told by
        # its field names, a map and an array by their shape.
        records: list[tuple[frozenset[str], Transform]] = []
        maps: list[Transform] = []
        arrays: list[Transform] = []
        for branch in branches:
            transform = self.type_(branch, namespace, path)
            if transform is None:
                continue
            fields = self._record_fields(branch, namespace)
            if fields is not None:
                records.append((fields, transform))
            elif _kind_of(branch) == "map":
                maps.append(transform)
            else:
                arrays.append(transform)  # only arrays and maps hold masks below them
        if not records and not maps and not arrays:
            return None
        if len(records) == 1 and not maps and not arrays:
            # The usual shape, ["null", SomeRecord]: no shape to tell apart.
            only = records[0][1]
            return lambda value, record: only(value, record) if type(value) is dict else value

        def dispatch(value: Any, record: Mapping[str, Any]) -> Any:
            if value is None:
                return None
            if isinstance(value, list):
                for transform in arrays:
                    value = transform(value, record)
                return value
            if not isinstance(value, dict):
                return value
            keys = frozenset(value)
            exact = [t for fields, t in records if fields == keys]
            # A map, or a record no branch matches exactly: every candidate's masks apply
            # (stricter is safe); a map branch's masks apply whenever there is one.
            for transform in [*(exact or (t for _, t in records)), *maps]:
                value = transform(value, record)
            return value

        return dispatch

    def _record_fields(self, schema: Any, namespace: str | None) -> frozenset[str] | None:
        if isinstance(schema, str) and schema not in PRIMITIVES:
            schema = self._named.get(fullname(schema, namespace)) or self._named.get(schema)
        if isinstance(schema, dict) and schema.get("type") in ("record", "error"):
            return frozenset(f["name"] for f in schema.get("fields", []))
        return None

    def _learn(self, schema: Any, namespace: str | None) -> None:
        """Record the named types a skipped subtree defines, for later references."""
        if isinstance(schema, list):
            for branch in schema:
                self._learn(branch, namespace)
        elif isinstance(schema, dict):
            kind = schema.get("type")
            if kind in ("record", "error", "enum", "fixed"):
                name = fullname(schema["name"], schema.get("namespace", namespace))
                if name not in self._named:
                    self._named[name] = schema
                    for field in schema.get("fields", []):
                        self._learn(field.get("type"), namespace_of(name))
            elif kind == "array":
                self._learn(schema.get("items"), namespace)
            elif kind == "map":
                self._learn(schema.get("values"), namespace)
            elif isinstance(kind, (dict, list)):
                self._learn(kind, namespace)


def _kind_of(schema: Any) -> str | None:
    return (
        schema.get("type")
        if isinstance(schema, dict) and isinstance(schema.get("type"), str)
        else None
    )


def _info(
    field: dict[str, Any], path: str, named: dict[str, Any], namespace: str | None
) -> FieldInfo:
    raw = field.get("tags") or []
    tags = tuple(t for t in raw if isinstance(t, str))
    schema = field.get("type")
    nullable = isinstance(schema, list) and "null" in schema
    if isinstance(schema, list):
        schema = next((b for b in schema if b != "null"), "null")
    return FieldInfo(path, tags, nullable, _kind(schema, named, namespace))


def _kind(schema: Any, named: dict[str, Any], namespace: str | None) -> str:
    if isinstance(schema, str):
        if schema in PRIMITIVES:
            return schema
        defined = named.get(fullname(schema, namespace)) or named.get(schema)
        return str(defined.get("type")) if isinstance(defined, dict) else "record"
    if isinstance(schema, dict):
        kind = schema.get("type")
        return kind if isinstance(kind, str) else "union"
    return "union"


def _record_transform(steps: list[tuple[str, Masker | None, Transform | None]]) -> Transform:
    def transform(value: Any, record: Mapping[str, Any]) -> Any:
        if not isinstance(value, dict):
            return value
        out = dict(value)
        for name, mask, nested in steps:
            if name not in out:
                continue
            if mask is not None:
                masked = mask(out[name], value, record)
                if masked is DROP:
                    del out[name]
                else:
                    out[name] = masked
            else:
                assert nested is not None
                out[name] = nested(out[name], record)
        return out

    return transform


def _each(transform: Transform | None) -> Transform | None:
    if transform is None:
        return None
    return lambda value, record: (
        [transform(item, record) for item in value] if isinstance(value, list) else value
    )


def _each_value(transform: Transform | None) -> Transform | None:
    if transform is None:
        return None
    return lambda value, record: (
        {k: transform(v, record) for k, v in value.items()} if isinstance(value, dict) else value
    )
