"""How registry requests are read: Confluent's query flags, JSON bodies, version ids.

Bodies are read by dependencies declared after the access check, so a caller who may
not write never gets as far as having a body parsed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, TypeGuard

import orjson
from fastapi import Depends, Path, Request

from hub.gateway.bodies import BodyTooLarge, read_limited
from hub.registry import errors
from hub.registry.entities import (
    LATEST,
    NAME_PATTERN,
    VERSION_MAX,
    VERSION_SCHEMA,
    Reference,
    SubmittedSchema,
    is_name,
    parse_version,
)
from hub.serde.modes import CompatibilityMode

MAX_BODY_BYTES = 256 * 1024
JSON_TYPES = (
    "application/vnd.schemaregistry.v1+json",
    "application/vnd.schemaregistry+json",
    "application/json",
    "application/octet-stream",
)


def flag(request: Request, *names: str) -> bool:
    """Booleans arrive as true, True and TRUE alike; some under two spellings."""
    for name in names:
        value = request.query_params.get(name)
        if value is not None:
            return value.strip().lower() == "true"
    return False


@dataclass(frozen=True, slots=True)
class DeletionFilter:
    """``deleted`` and ``deletedOnly`` (which confluent-kafka spells ``deleted_only``)."""

    deleted: bool
    deleted_only: bool


async def deletion_filter(request: Request) -> DeletionFilter:
    return DeletionFilter(
        deleted=flag(request, "deleted"),
        deleted_only=flag(request, "deletedOnly", "deleted_only"),
    )


async def _deleted(request: Request) -> bool:
    return flag(request, "deleted")


async def _permanent(request: Request) -> bool:
    return flag(request, "permanent")


async def _verbose(request: Request) -> bool:
    return flag(request, "verbose")


async def _default_to_global(request: Request) -> bool:
    return flag(request, "defaultToGlobal")


async def _version(
    version: Annotated[str, Path(json_schema_extra=VERSION_SCHEMA)],
) -> int:
    return parse_version(version)


DeletionFilterDep = Annotated[DeletionFilter, Depends(deletion_filter)]
DeletedFlag = Annotated[bool, Depends(_deleted)]
PermanentFlag = Annotated[bool, Depends(_permanent)]
VerboseFlag = Annotated[bool, Depends(_verbose)]
DefaultToGlobalFlag = Annotated[bool, Depends(_default_to_global)]
VersionDep = Annotated[int, Depends(_version)]
SchemaIdParam = Annotated[int, Path(ge=1, le=2**31 - 1)]


#: How a register, lookup or compatibility body is documented (the dependency below reads
#: it itself, to answer Confluent's error codes).
SCHEMA_BODY_DOC: dict[str, Any] = {
    "required": True,
    "content": {
        media: {
            "schema": {
                "type": "object",
                "required": ["schema"],
                "properties": {
                    "schema": {"type": "string", "description": "the schema's JSON, as text"},
                    "schemaType": {"type": "string", "enum": ["AVRO"]},
                    "references": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["name", "subject", "version"],
                            "properties": {
                                "name": {"type": "string", "pattern": NAME_PATTERN},
                                "subject": {"type": "string", "pattern": NAME_PATTERN},
                                "version": {
                                    "anyOf": [
                                        {"type": "integer", "minimum": 1, "maximum": VERSION_MAX},
                                        {"type": "integer", "enum": [LATEST]},
                                    ]
                                },
                            },
                        },
                    },
                },
            }
        }
        for media in ("application/vnd.schemaregistry.v1+json", "application/json")
    },
}


async def json_body(request: Request) -> dict[str, Any]:
    media = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if media not in JSON_TYPES:
        raise errors.RegistryError(
            415, 415, f"unsupported content type {media}; send {JSON_TYPES[0]}"
        )
    try:
        body = await read_limited(request, MAX_BODY_BYTES)
    except BodyTooLarge:
        raise errors.schema_too_large(MAX_BODY_BYTES) from None
    try:
        parsed = orjson.loads(body or b"{}")
    except orjson.JSONDecodeError as exc:
        raise errors.invalid_request(f"the request body is not JSON: {exc}") from None
    if not isinstance(parsed, dict):
        raise errors.invalid_request("the request body must be a JSON object")
    return parsed


async def submitted_schema(request: Request) -> SubmittedSchema:
    """The schema of a register, lookup or compatibility request, with its references."""
    body = await json_body(request)
    text = body.get("schema")
    if not isinstance(text, str):
        raise errors.RegistryError(
            422, 42201, "the request needs a 'schema' string holding the schema JSON"
        )
    schema_type = body.get("schemaType") or "AVRO"
    if not isinstance(schema_type, str):
        raise errors.RegistryError(422, 42201, "schemaType must be a string")
    return SubmittedSchema(text, schema_type, _references(body.get("references")))


def _references(given: Any) -> tuple[Reference, ...]:
    """``[{name, subject, version}]``; a version is a number, or -1 for the newest."""
    if given is None:
        return ()
    if not isinstance(given, list):
        raise errors.invalid_request("references must be a list of {name, subject, version}")
    return tuple(_reference(item) for item in given)


def _is_name(value: Any) -> TypeGuard[str]:
    """A reference's name or subject: what the registry's columns hold."""
    return is_name(value)


def _reference(item: Any) -> Reference:
    if isinstance(item, dict):
        name, subject, version = item.get("name"), item.get("subject"), item.get("version")
        if (
            _is_name(name)
            and _is_name(subject)
            and isinstance(version, int)
            and not isinstance(version, bool)
            and (version == LATEST or 1 <= version <= VERSION_MAX)
        ):
            return Reference(name, subject, version)
    raise errors.RegistryError(
        422,
        42201,
        f"Invalid reference: {item!r}; each needs a name, a subject and a version "
        "(a number, or -1 for the newest)",
    )


def _any_case(word: str) -> str:
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else c for c in word)


#: A PUT /config body as documented: one of the modes, in any case (as Confluent reads it).
COMPATIBILITY_BODY_DOC: dict[str, Any] = {
    "required": True,
    "content": {
        media: {
            "schema": {
                "type": "object",
                "required": ["compatibility"],
                "properties": {
                    "compatibility": {
                        "type": "string",
                        "pattern": "^("
                        + "|".join(_any_case(mode.value) for mode in CompatibilityMode)
                        + ")$",
                    }
                },
            }
        }
        for media in ("application/vnd.schemaregistry.v1+json", "application/json")
    },
}


async def compatibility_level(request: Request) -> CompatibilityMode:
    """The ``compatibility`` of a PUT /config body."""
    body = await json_body(request)
    given = body.get("compatibility")
    # Only text names a mode: str(None) would read as "NONE" and switch checks off.
    mode = CompatibilityMode.parse(given) if isinstance(given, str) else None
    if mode is None:
        raise errors.invalid_compatibility_level()
    return mode


SchemaBody = Annotated[SubmittedSchema, Depends(submitted_schema)]
CompatibilityBody = Annotated[CompatibilityMode, Depends(compatibility_level)]
