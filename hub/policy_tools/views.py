"""Compile what a grant shows of a stream, against the catalogue's own schema.

``hub policy lint``, ``explain`` and ``test`` work from the files alone, with no
database: the stream's schema comes from ``schemas/`` and ``hash`` masks use a fixed
key (their output is checked for shape, never compared with the gateway's).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from hub.catalog.files import SchemaCatalog
from hub.policy.decision import Decision
from hub.policy.model import Policy, Stream
from hub.policy.plan import OWNER_PLAN, ReadPlan, compile_plan
from hub.serde.names import PRIMITIVES, fullname, namespace_of

#: The hash key of the offline tools; the gateway's keys are per grant, on disk.
TOOL_HASH_KEY = b"\x00" * 32


def plan_for(
    decision: Decision, stream: Stream, *, policy: Policy, catalog: SchemaCatalog
) -> ReadPlan:
    grant = decision.grant
    if decision.owner or grant is None:
        return OWNER_PLAN
    schema = catalog.resolve(stream.schema_name)
    return compile_plan(schema, grant, policy=policy, hash_key=TOOL_HASH_KEY)


@dataclass(frozen=True, slots=True)
class SchemaField:
    path: str
    tags: tuple[str, ...]


def fields_of(schema: Any) -> Iterator[SchemaField]:
    """Every field path of a resolved schema, as masks name them, with its tags."""
    yield from _walk(schema, None, "", {}, set())


def _walk(
    schema: Any, namespace: str | None, path: str, named: dict[str, Any], open_: set[str]
) -> Iterator[SchemaField]:
    if isinstance(schema, str):
        if schema in PRIMITIVES:
            return
        name = fullname(schema, namespace)
        if name in open_ or (name not in named and schema not in named):
            return
        yield from _walk(named.get(name) or named[schema], namespace_of(name), path, named, open_)
        return
    if isinstance(schema, list):
        for branch in schema:
            yield from _walk(branch, namespace, path, named, open_)
        return
    if not isinstance(schema, dict):
        return
    kind = schema.get("type")
    if kind in ("record", "error", "enum", "fixed"):
        name = fullname(schema["name"], schema.get("namespace", namespace))
        named[name] = schema
        if kind not in ("record", "error") or name in open_:
            return
        open_.add(name)
        for field in schema.get("fields", []):
            field_path = f"{path}.{field['name']}" if path else field["name"]
            yield SchemaField(field_path, tuple(field.get("tags") or ()))
            yield from _walk(field.get("type"), namespace_of(name), field_path, named, open_)
        open_.discard(name)
    elif kind == "array":
        yield from _walk(schema.get("items"), namespace, f"{path}[]", named, open_)
    elif kind == "map":
        yield from _walk(schema.get("values"), namespace, f"{path}{{}}", named, open_)
    elif isinstance(kind, (dict, list)):
        yield from _walk(kind, namespace, path, named, open_)
