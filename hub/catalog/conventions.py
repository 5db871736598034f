"""The house rules for ``schemas/``: every problem is one line naming the file and field.

What a department reviewer should never have to check by eye: each type and field has
a doc, sensitive-field tags come from the known set, names follow one convention, every
event carries the shared Envelope first, and defaults are valid Avro.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fastavro
from fastavro.schema import SchemaParseException

from hub.catalog.files import SchemaCatalog, SchemaFile
from hub.errors import HubError
from hub.serde.names import NAMED, namespace_of
from hub.serde.parse import parse_avro

KNOWN_TAGS = frozenset({"pii", "precise-location", "medical"})
ENVELOPE = "linkage.common.Envelope"
TYPE_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# Upper case first; CAP's own spellings (Actual, AllClear) are kept for lossless mapping.
SYMBOL = re.compile(r"^[A-Z][A-Za-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class Problem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def check_files(catalog: SchemaCatalog, root: Path) -> list[Problem]:
    problems: list[Problem] = []
    for schema_file in catalog.files.values():
        where = (
            str(schema_file.path.relative_to(root))
            if schema_file.path.is_relative_to(root)
            else str(schema_file.path)
        )
        problems += [Problem(where, m) for m in _file_problems(schema_file)]
        if not schema_file.shared:
            problems += [Problem(where, m) for m in _event_problems(catalog, schema_file)]
    return problems


def _file_problems(schema_file: SchemaFile) -> Iterator[str]:
    definition = schema_file.definition
    short = schema_file.fullname.rpartition(".")[2]
    folder = schema_file.path.parent.name
    expected_namespace = f"linkage.{folder.replace('-', '_')}"
    if namespace_of(schema_file.fullname) != expected_namespace:
        yield f"namespace is {namespace_of(schema_file.fullname)!r}; files in {folder}/ use {expected_namespace!r}"
    if schema_file.path.stem != snake_case(short):
        yield f"file name should be {snake_case(short)}.avsc for type {short}"
    yield from _walk(definition, short)


def _walk(schema: Any, where: str) -> Iterator[str]:
    if isinstance(schema, list):
        for branch in schema:
            yield from _walk(branch, where)
        return
    if not isinstance(schema, dict):
        return
    kind = schema.get("type")
    if kind in NAMED:
        name = str(schema.get("name", "")).rpartition(".")[2]
        if not TYPE_NAME.match(name):
            yield f"type name {name!r} should be PascalCase"
        if not str(schema.get("doc", "")).strip():
            yield f"type {name} has no doc"
        if kind == "enum":
            for symbol in schema.get("symbols", []):
                if not SYMBOL.match(symbol):
                    yield f"enum {name} symbol {symbol!r} should start with an upper-case letter"
        for field in schema.get("fields", []):
            yield from _field(field, name)
    elif kind == "array":
        yield from _walk(schema.get("items"), where)
    elif kind == "map":
        yield from _walk(schema.get("values"), where)
    elif isinstance(kind, (dict, list)):
        yield from _walk(kind, where)


def _field(field: dict[str, Any], record: str) -> Iterator[str]:
    name = str(field.get("name", ""))
    where = f"field {record}.{name}"
    if not FIELD_NAME.match(name):
        yield f"{where}: name should be snake_case"
    if not str(field.get("doc", "")).strip():
        yield f"{where} has no doc"
    tags = field.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        yield f"{where}: tags must be a list of strings"
    else:
        for tag in sorted(set(tags) - KNOWN_TAGS):
            yield f"{where}: unknown tag {tag!r}; known tags are {', '.join(sorted(KNOWN_TAGS))}"
    field_type = field.get("type")
    if isinstance(field_type, list) and "default" in field and field_type:
        first = field_type[0]
        if field["default"] is None and first != "null":
            yield f"{where}: a null default needs 'null' as the first type of the union"
    yield from _walk(field_type, where)


def _event_problems(catalog: SchemaCatalog, schema_file: SchemaFile) -> Iterator[str]:
    fields = schema_file.definition.get("fields", [])
    if (
        schema_file.definition.get("type") != "record"
        or not fields
        or fields[0].get("name") != "envelope"
        or fields[0].get("type") != ENVELOPE
    ):
        yield f"an event schema's first field must be envelope of type {ENVELOPE}"
    try:
        resolved = catalog.resolve(schema_file.fullname)
        text = catalog.resolve_text(schema_file.fullname)
        parse_avro(text)
        fastavro.parse_schema(resolved)
    except SchemaParseException as exc:
        yield f"invalid default: {exc}"
    except HubError as exc:
        yield exc.message


def check_streams(catalog: SchemaCatalog, streams: list[tuple[str, str]]) -> list[Problem]:
    """Every stream names a schema that exists; every event schema serves a stream."""
    problems = []
    used = {schema for _, schema in streams}
    for stream_id, schema in streams:
        if schema not in catalog.files:
            problems.append(
                Problem(
                    f"policies/streams.yaml: {stream_id}", f"schema {schema} is not in schemas/"
                )
            )
    for schema_file in catalog.events():
        if schema_file.fullname not in used:
            problems.append(
                Problem(
                    str(schema_file.path.name),
                    f"{schema_file.fullname} is used by no stream in policies/streams.yaml",
                )
            )
    return problems
