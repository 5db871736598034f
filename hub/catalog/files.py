"""Load the ``.avsc`` files under ``schemas/`` and make each event schema self-contained.

Shared types (the Envelope, enums, areas) live once in ``schemas/common/``; event schemas
refer to them by full name. Kafka tools and Confluent serializers want one schema text
per subject, so :meth:`SchemaCatalog.resolve` inlines each shared type at its first use
and refers to it by name afterwards, exactly as Avro itself allows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hub.errors import ConfigError, InvalidSchema
from hub.serde.names import NAMED, PRIMITIVES, fullname, namespace_of
from hub.serde.parse import canonical_text

SHARED_FOLDER = "common"


@dataclass(frozen=True, slots=True)
class SchemaFile:
    fullname: str
    path: Path
    definition: dict[str, Any]

    @property
    def shared(self) -> bool:
        return self.path.parent.name == SHARED_FOLDER


class SchemaCatalog:
    """All schema files of one ``schemas/`` folder, by full name."""

    def __init__(self, files: dict[str, SchemaFile]) -> None:
        self.files = files

    @classmethod
    def load(cls, folder: Path) -> SchemaCatalog:
        if not folder.is_dir():
            raise ConfigError(f"schema folder {folder} does not exist")
        files: dict[str, SchemaFile] = {}
        for path in sorted(folder.rglob("*.avsc")):
            loaded = _read(path)
            if loaded.fullname in files:
                other = files[loaded.fullname].path
                raise ConfigError(f"{path}: {loaded.fullname} is already defined in {other}")
            files[loaded.fullname] = loaded
        return cls(files)

    def events(self) -> Iterator[SchemaFile]:
        """The schemas that streams use (every file outside ``common/``)."""
        return (f for f in self.files.values() if not f.shared)

    def resolve(self, name: str) -> dict[str, Any]:
        """Return ``name``'s schema with every shared type it uses inlined once."""
        if name not in self.files:
            raise ConfigError(f"no schema named {name} under schemas/")
        return _Resolver(self.files).named(self.files[name].definition, None)

    def resolve_text(self, name: str) -> str:
        return canonical_text(self.resolve(name))


def _read(path: Path) -> SchemaFile:
    try:
        definition = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: not a readable JSON schema: {exc}") from exc
    if not isinstance(definition, dict) or definition.get("type") not in NAMED:
        raise ConfigError(f"{path}: a schema file must hold one named type (record, enum, fixed)")
    name = definition.get("name")
    if not isinstance(name, str) or not name:
        raise ConfigError(f"{path}: the top-level type has no name")
    return SchemaFile(fullname(name, definition.get("namespace")), path, definition)


class _Resolver:
    def __init__(self, files: dict[str, SchemaFile]) -> None:
        self._files = files
        self._defined: set[str] = set()
        self._stack: list[str] = []

    def type_(self, schema: Any, namespace: str | None) -> Any:
        if isinstance(schema, str):
            return self._reference(schema, namespace)
        if isinstance(schema, list):
            return [self.type_(branch, namespace) for branch in schema]
        if not isinstance(schema, dict):
            raise InvalidSchema(f"unexpected schema element {schema!r}")
        kind = schema.get("type")
        if kind in NAMED:
            return self.named(schema, namespace)
        if kind == "array":
            return {**schema, "items": self.type_(schema.get("items"), namespace)}
        if kind == "map":
            return {**schema, "values": self.type_(schema.get("values"), namespace)}
        if isinstance(kind, (str, list, dict)) and kind not in PRIMITIVES:
            # {"type": "linkage.common.Area"} or a nested schema: unwrap it.
            return self.type_(kind, namespace)
        return schema

    def named(self, schema: dict[str, Any], namespace: str | None) -> dict[str, Any]:
        name = fullname(schema["name"], schema.get("namespace", namespace))
        self._defined.add(name)
        own_namespace = namespace_of(name)
        out = {k: v for k, v in schema.items() if k != "namespace"}
        out["name"] = name
        if schema.get("type") in ("record", "error"):
            out["fields"] = [
                {**field, "type": self.type_(field.get("type"), own_namespace)}
                for field in schema.get("fields", [])
            ]
        return out

    def _reference(self, name: str, namespace: str | None) -> Any:
        if name in PRIMITIVES:
            return name
        for candidate in (fullname(name, namespace), name):
            if candidate in self._defined:
                return candidate
            if candidate in self._files:
                if candidate in self._stack:
                    return candidate
                self._stack.append(candidate)
                try:
                    return self.named(self._files[candidate].definition, None)
                finally:
                    self._stack.pop()
        raise InvalidSchema(f"unknown type {name!r} (namespace {namespace!r})")
